"""Releases a course can pin: one version source, the release workflow, its notes, Dependabot."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

import extracredit
from script_module import load_script

ROOT = Path(__file__).resolve().parent.parent.parent


NOTES = load_script(ROOT / "scripts" / "release_notes.py", 'release_notes')
INIT = '"""The package."""\n\n__version__ = "{version}"\n'
HEADER = "# Changelog\n\nSome words.\n\n"
LINKS = "\n[Unreleased]: https://example/compare\n[1.2.0]: https://example/tag\n"


def changelog(unreleased: str = "", version: str = "## [1.2.0] - 2026-12-01\n\n### Added\n\n- A.\n"
              ) -> str:
    return HEADER + "## [Unreleased]\n\n" + unreleased + "\n" + version + LINKS


def test_the_version_has_one_source() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "extracredit.__version__"}
    assert NOTES.version_in((ROOT / "src" / "extracredit" / "__init__.py").read_text(
        encoding="utf-8")) == extracredit.__version__


def test_the_changelog_has_a_dated_section_for_the_current_version() -> None:
    found = NOTES.sections((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
    assert "Unreleased" in found
    day, body = found[extracredit.__version__]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", day)
    assert NOTES.has_entries(body)


def test_the_license_is_mit_for_the_contributors() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 extracredit contributors\n")
    assert tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"]["license"] == "MIT"


def test_notes_are_the_versions_section() -> None:
    ready = NOTES.release(INIT.format(version="1.2.0"), changelog())
    assert (ready.version, ready.notes) == ("1.2.0", "### Added\n\n- A.\n")


@pytest.mark.parametrize(("version", "text", "problem"), [
    ("1.2.0", changelog(unreleased="### Fixed\n\n- B.\n"),
     "CHANGELOG.md: the Unreleased section has entries; move them under "
     "'## [1.2.0] - YYYY-MM-DD' before releasing 1.2.0"),
    ("1.3.0", changelog(), "CHANGELOG.md has no '## [1.3.0] - YYYY-MM-DD' section"),
    ("1.2.0", changelog(version="## [1.2.0]\n\n- A.\n"),
     "CHANGELOG.md: the heading of 1.2.0 has no date: '## [1.2.0] - YYYY-MM-DD'"),
    ("1.2.0", changelog(version="## [1.2.0] - 2026-12-01\n\n### Added\n"),
     "CHANGELOG.md: the section of 1.2.0 lists no changes"),
    ("1.2", changelog(), "__version__ '1.2' is not X.Y.Z (three numbers)"),
    ("1.2.0rc1", changelog(), "__version__ '1.2.0rc1' is not X.Y.Z (three numbers)"),
])
def test_a_version_not_ready_is_refused(version: str, text: str, problem: str) -> None:
    with pytest.raises(NOTES.NotReady) as refused:
        NOTES.release(INIT.format(version=version), text)
    assert str(refused.value) == problem


def test_no_version_line_is_refused() -> None:
    with pytest.raises(NOTES.NotReady, match="has no line __version__"):
        NOTES.release('"""The package."""\n', changelog())


def test_the_script_prints_the_version_and_writes_the_notes(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "__init__.py").write_text(INIT.format(version="1.2.0"), encoding="utf-8")
    (tmp_path / "CHANGELOG.md").write_text(changelog(), encoding="utf-8")
    monkeypatch.setattr(NOTES, "VERSION_FILE", tmp_path / "__init__.py")
    monkeypatch.setattr(NOTES, "CHANGELOG", tmp_path / "CHANGELOG.md")
    assert NOTES.main(["--notes", str(tmp_path / "notes.md")]) == 0
    assert capsys.readouterr().out == "1.2.0\n"
    assert (tmp_path / "notes.md").read_text(encoding="utf-8") == "### Added\n\n- A.\n"
    (tmp_path / "CHANGELOG.md").write_text(changelog(unreleased="- B.\n"), encoding="utf-8")
    assert NOTES.main(["--notes", str(tmp_path / "again.md")]) == 1
    assert capsys.readouterr().err.startswith("not ready to release: CHANGELOG.md: the Unreleased")
    assert not (tmp_path / "again.md").exists()


# --- the release workflow -----------------------------------------------------------------------


def workflow() -> Any:
    return yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8"))


def test_release_runs_on_main_when_the_version_file_changes() -> None:
    doc = workflow()
    assert doc[True] == {"push": {"branches": ["main"], "paths": ["src/extracredit/__init__.py"]},
                         "workflow_dispatch": None}
    (job,) = doc["jobs"].values()
    assert job["if"] == "github.ref == 'refs/heads/main'"
    assert job["concurrency"] == {"group": "release", "cancel-in-progress": False}


def test_release_writes_only_contents_in_its_one_job() -> None:
    doc = workflow()
    assert doc["permissions"] == {}
    (job,) = doc["jobs"].values()
    assert job["permissions"] == {"contents": "write"}


def test_release_uses_gh_with_the_token_from_env_and_the_notes_script() -> None:
    (job,) = workflow()["jobs"].values()
    (step,) = [step for step in job["steps"] if "run" in step]
    assert step["env"] == {"GH_TOKEN": "${{ github.token }}", "GH_REPO": "${{ github.repository }}",
                           "COMMIT": "${{ github.sha }}"}
    assert "${{" not in step["run"]
    assert 'python3 -P scripts/release_notes.py --notes "$notes"' in step["run"]
    assert 'gh release create "$tag" --target "$COMMIT"' in step["run"]
    assert 'gh release view "$tag"' in step["run"]


# --- Dependabot ---------------------------------------------------------------------------------


def test_dependabot_updates_every_pin() -> None:
    doc = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    where = {(update["package-ecosystem"], update.get("directory") or tuple(update["directories"]))
             for update in doc["updates"]}
    assert where == {("github-actions", ("/", "/actions/*")), ("pip", "/actions/setup"),
                     ("npm", "/tests")}
    assert all(update["cooldown"]["default-days"] >= 7 for update in doc["updates"])


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_top_level_holds_only_what_it_should() -> None:
    """The repository's top level, as committed: the project's own folders and files, and the
    dot-folders of tools (.github, .ci)."""
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True,
                            check=True, timeout=30).stdout.splitlines()
    top = {path.split("/", 1)[0] for path in listed} | {
        path.name for path in ROOT.iterdir() if path.name in ("LICENSE", "CHANGELOG.md", "docs")}
    assert {name for name in top if not name.startswith(".")} == {
        "actions", "docs", "scripts", "registry", "src", "tests",
        "pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md"}
