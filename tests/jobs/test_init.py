"""`extracredit init`: the files it writes in a course repository, and when it refuses to.

The safety rules of the workflows it writes are tested with the project's own workflows, in
test_workflows.py; here, the command: which files, what they say, what it prints, and that a
refusal writes nothing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from extracredit import __version__
from extracredit.core.claims import claim_ids_in
from extracredit.core.config import parse_config
from extracredit.core.titles import check_title
from extracredit.errors import EXIT_OK, UserError
from extracredit.jobs import init as initializing

SHA = "3d3c42e5aac5ba805825da76410c181273ba90b1"
CLAIMS_KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abc"
STAFF_KEY = "1StaffStaffStaffStaffStaffStaffStaff0000"
FILES = [
    ".github/extra-credit.yml",
    ".github/pull_request_template.md",
    ".github/workflows/extra-credit-check.yml",
    ".github/workflows/extra-credit-commands.yml",
    ".github/workflows/extra-credit-nightly.yml",
    ".github/workflows/extra-credit-tally.yml",
]


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="extracredit")
    initializing.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser


def init(folder: Path, *argv: str) -> int:
    """Run `extracredit init --dir FOLDER ARGV...` as the command line would parse it."""
    return initializing.run(parser().parse_args(["init", "--dir", str(folder), *argv]))


def tree(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(folder.rglob("*")) if path.is_file()}


def written_config(folder: Path) -> Any:
    return parse_config((folder / ".github" / "extra-credit.yml").read_text(encoding="utf-8"))


# --- what it writes ------------------------------------------------------------------------------


def test_writes_exactly_the_six_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert init(tmp_path, "--repo", "Atcold/NYU-DLFL23", "--ref", SHA) == EXIT_OK
    assert sorted(tree(tmp_path)) == FILES
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if line.startswith("wrote ")] == [
        f"wrote {name}" for name in (FILES[0], *FILES[2:], FILES[1])]


def test_the_options_reach_the_files(tmp_path: Path) -> None:
    init(tmp_path, "--tag", "DLSP24", "--repo", "Atcold/NYU-DLSP24", "--ref", SHA.upper())
    files = tree(tmp_path)
    for name in ("check", "commands", "nightly", "tally"):
        text = files[f".github/workflows/extra-credit-{name}.yml"]
        assert f"uses: nyu-dl/extracredit/.github/workflows/{name}.yml@{SHA} # v{__version__}\n" in text
    config = written_config(tmp_path)
    assert (config.tag, config.repos, config.course) == ("DLSP24", ("Atcold/NYU-DLSP24",), "DLSP24")
    assert "[DLSP24]" in files[".github/pull_request_template.md"]


def test_files_backend_without_a_spreadsheet(tmp_path: Path) -> None:
    init(tmp_path, "--repo", "Atcold/NYU-DLFL23")
    config = written_config(tmp_path)
    assert (config.registry.backend, config.registry.path) == ("files", initializing.FILES_REGISTRY)
    assert config.kind_credit == {"typo": Decimal("0.5"), "bug": Decimal(1),
                                  "material": Decimal("1.5"), "translation": Decimal(0)}
    assert (config.cap, config.claims.required, config.claims.expire_after_days) == (Decimal(5), True, 14)
    template = (tmp_path / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert ("https://github.com/Atcold/NYU-DLFL23/blob/HEAD/.github/extra-credit-registry/claims.csv"
            in template)


@pytest.mark.parametrize(("options", "claims", "staff"), [
    (["--spreadsheet", CLAIMS_KEY, "--staff", STAFF_KEY], CLAIMS_KEY, STAFF_KEY),
    ([f"--spreadsheet=https://docs.google.com/spreadsheets/d/{CLAIMS_KEY}/edit#gid=0",
      f"--staff=https://docs.google.com/spreadsheets/d/{STAFF_KEY}/edit"], CLAIMS_KEY, STAFF_KEY),
    (["--spreadsheet", CLAIMS_KEY], CLAIMS_KEY, CLAIMS_KEY),
], ids=["keys", "urls", "one-sheet"])
def test_sheets_backend_with_a_spreadsheet(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           options: list[str], claims: str, staff: str) -> None:
    init(tmp_path, "--repo", "Atcold/NYU-DLFL23", *options)
    config = written_config(tmp_path)
    assert (config.registry.backend, config.registry.claims, config.registry.staff) == (
        "sheets", claims, staff)
    template = (tmp_path / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert f"https://docs.google.com/spreadsheets/d/{CLAIMS_KEY}/edit" in template
    # A staff sheet that is the class's claims sheet is a trade-off the steps spell out.
    out = capsys.readouterr().out
    assert ("students could read the Roster, the Ledger and the Tally" in out) is (claims == staff)


def test_the_config_it_writes_is_the_shipped_one_but_for_the_course(tmp_path: Path) -> None:
    init(tmp_path, "--repo", "Atcold/NYU-DLFL23")
    written = yaml.safe_load((tmp_path / ".github" / "extra-credit.yml").read_text(encoding="utf-8"))
    shipped = yaml.safe_load((Path(__file__).parent.parent.parent / ".github" / "extra-credit.yml")
                             .read_text(encoding="utf-8"))
    differs = {key for key in shipped.keys() | written.keys() if shipped.get(key) != written.get(key)}
    assert differs == {"course", "window", "registry"}
    assert written["window"] == {"opens": date(2023, 9, 1), "closes": date(2023, 12, 31)}


@pytest.mark.parametrize(("tag", "opens", "closes"), [
    ("DLFL23", date(2023, 9, 1), date(2023, 12, 31)),
    ("dlfa24", date(2024, 9, 1), date(2024, 12, 31)),
    ("DLSP25", date(2025, 1, 1), date(2025, 5, 31)),
    ("MLSU26", date(2026, 6, 1), date(2026, 8, 31)),
    ("DLWI27", date(2027, 1, 1), date(2027, 1, 31)),
    ("COURSE7", date(2030, 1, 1), date(2030, 12, 31)),  # no term in the tag: this whole year
    ("CSGY6953S27", date(2027, 1, 1), date(2027, 5, 31)),
    ("CSGY6953F26", date(2026, 9, 1), date(2026, 12, 31)),
    ("CS231N-W24", date(2024, 1, 1), date(2024, 1, 31)),
    ("CS-101-F2025", date(2025, 9, 1), date(2025, 12, 31)),
    ("MATH2410FA24", date(2024, 9, 1), date(2024, 12, 31)),
    ("ECE.5545.SP26", date(2026, 1, 1), date(2026, 5, 31)),
    ("STAT_110_Summer2025", date(2025, 6, 1), date(2025, 8, 31)),
    ("6.S191_IAP24", date(2030, 1, 1), date(2030, 12, 31)),  # a term init cannot date: this year
])
def test_the_window_is_guessed_from_the_tag(tag: str, opens: date, closes: date) -> None:
    assert initializing.term_window(tag, date(2030, 3, 4)) == (opens, closes)
    assert initializing.window_from_tag(tag) is (closes.year != 2030)


@pytest.mark.parametrize("tag", ["CSGY6953S27", "CS231N-W24", "CS-101-F2025", "ECE.5545.SP26",
                                 "6.S191_IAP24"])
def test_a_tag_with_separators_makes_a_config(tmp_path: Path, tag: str) -> None:
    init(tmp_path, "--tag", f"[{tag}]", "--repo", "Prof/course")
    config = written_config(tmp_path)
    assert (config.tag, config.course, config.term) == (tag, tag, None)
    assert (config.window.opens, config.window.closes) == initializing.term_window(tag, date.today())
    assert f"[{tag}]" in tree(tmp_path)[".github/pull_request_template.md"]


def test_the_steps_say_when_the_window_is_not_a_guess(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    init(tmp_path, "--tag", "6.S191_IAP24", "--repo", "Prof/course")
    year = date.today().year
    assert (f"Set the window in .github/extra-credit.yml to the course's dates: the tag "
            f"6.S191_IAP24 ends in no term such as F23, SP24, SU25 or W2024, so it is written as "
            f"{year}-01-01 to {year}-12-31, all of this year. If the tag names another kind of term "
            "(IAP24), add it as term: so that titles of other terms are told apart. Check the "
            "course name, the credit per kind and the cap too.") in capsys.readouterr().out
    init(tmp_path, "--tag", "CSGY6953S27", "--repo", "Prof/course", "--force")
    out = capsys.readouterr().out
    assert "(written as 2027-01-01 to 2027-05-31, a guess from the tag)" in out
    assert "Set the window" not in out


def test_pull_request_template_shows_the_title_rule_and_names_no_claim() -> None:
    files = initializing.render(tag="DLFL23", repo="Atcold/NYU-DLFL23", spreadsheet=None,
                                staff=None, ref=None, today=date(2023, 8, 1)).files
    template = files[".github/pull_request_template.md"]
    (example,) = re.findall(r'"(\[DLFL23\][^"]*)"', template)
    assert check_title(example, "DLFL23").passed
    assert "[EN]" in template
    assert "[ZH]" in template
    assert not check_title("[EN] [ZH] Fix a typo", "DLFL23").passed
    # Its text lands in every pull request's body, where a claim id would name a claim.
    assert claim_ids_in(template) == []
    assert template.startswith("<!--\n")


def test_prints_the_manual_steps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init(tmp_path, "--repo", "Atcold/NYU-DLFL23", "--spreadsheet", CLAIMS_KEY, "--staff", STAFF_KEY)
    out = capsys.readouterr().out
    steps = out.split("Next steps:\n", 1)[1]
    for needle in ("<full commit SHA>", "share both spreadsheets", "EXTRACREDIT_GOOGLE_CREDENTIALS",
                   "Workload Identity Federation", "extra-credit/title", "extra-credit/claim",
                   "extra-credit-grading", "required reviewers", "60 days",
                   "2023-09-01 to 2023-12-31"):
        assert needle in steps, needle
    numbers = [int(line.split(".", 1)[0]) for line in steps.splitlines() if line]
    assert numbers == list(range(1, len(numbers) + 1))


def test_no_placeholder_step_once_pinned(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init(tmp_path, "--repo", "Atcold/NYU-DLFL23", "--ref", SHA)
    out = capsys.readouterr().out
    assert "<full commit SHA>" not in out
    assert "<full commit SHA>" not in "".join(tree(tmp_path).values())


def test_the_old_single_workflow_is_pointed_out(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / initializing.OLD_WORKFLOW
    old.parent.mkdir(parents=True)
    old.write_text("name: extra credit\n", encoding="utf-8")
    init(tmp_path, "--repo", "Atcold/NYU-DLFL23")
    assert f"Delete {initializing.OLD_WORKFLOW}" in capsys.readouterr().out
    assert old.read_text(encoding="utf-8") == "name: extra credit\n"


# --- existing files: refused, or replaced with --force -------------------------------------------


def test_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    mine = {".github/pull_request_template.md": "my template\n",
            ".github/workflows/extra-credit-nightly.yml": "name: mine\n"}
    for name, text in mine.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as refused:
        init(tmp_path, "--repo", "Atcold/NYU-DLFL23")
    assert tree(tmp_path) == mine
    message = str(refused.value)
    assert all(name in message for name in mine)
    assert "nothing was written" in message
    assert "--force" in message
    assert ".github/extra-credit.yml" not in message


def test_force_replaces_existing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init(tmp_path, "--repo", "Atcold/NYU-DLFL23")
    (tmp_path / ".github" / "extra-credit.yml").write_text("tag: OLD\n", encoding="utf-8")
    capsys.readouterr()
    assert init(tmp_path, "--repo", "Atcold/NYU-DLFL23", "--ref", SHA, "--force") == EXIT_OK
    assert written_config(tmp_path).tag == "DLFL23"
    assert f"@{SHA} " in (tmp_path / FILES[2]).read_text(encoding="utf-8")
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if line.startswith(("wrote", "replaced"))] == [
        f"replaced {name}" for name in (FILES[0], *FILES[2:], FILES[1])]


def test_same_arguments_give_the_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        folder.mkdir()
        init(folder, "--repo", "Atcold/NYU-DLFL23", "--spreadsheet", CLAIMS_KEY, "--ref", SHA)
    assert tree(first) == tree(second)


# --- bad options: an error that says what to do, and nothing written -----------------------------


@pytest.mark.parametrize("ref", [
    "v0.1.0", "main", SHA[:7], SHA + "0", SHA[:-1] + "g", f"refs/tags/{SHA}", "",
])
def test_bad_ref_is_refused(tmp_path: Path, ref: str) -> None:
    with pytest.raises(UserError, match="40 hex digits"):
        init(tmp_path, "--repo", "Atcold/NYU-DLFL23", "--ref", ref)
    assert tree(tmp_path) == {}


@pytest.mark.parametrize(("argv", "match"), [
    (["--repo", "not a repo"], "is not OWNER/REPO"),
    (["--repo", "Atcold/NYU-DLFL23, Atcold/other"], "is not OWNER/REPO"),
    (["--repo", "Atcold/NYU-DLFL23]\nregistry: {backend: files, path: x}\n#"], "is not OWNER/REPO"),
    (["--repo", "Atcold/NYU-DLFL23", "--tag", "DLFL23 # [X]"], "is not a tag"),
    (["--repo", "Atcold/NYU-DLFL23", "--tag", "DL FL 23"], "is not a tag"),
    (["--repo", "Atcold/NYU-DLFL23", "--staff", STAFF_KEY], "--staff needs --spreadsheet"),
    (["--repo", "Atcold/NYU-DLFL23", "--spreadsheet", "my sheet"], "my sheet"),
])
def test_bad_options_are_refused(tmp_path: Path, argv: list[str], match: str) -> None:
    with pytest.raises(UserError, match=match):
        init(tmp_path, *argv)
    assert tree(tmp_path) == {}


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="is not a folder"):
        init(tmp_path / "missing", "--repo", "Atcold/NYU-DLFL23")
    assert not (tmp_path / "missing").exists()


# --- the repository, from the clone's remote ----------------------------------------------------


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize("url", [
    "https://github.com/Atcold/NYU-DLFL23.git",
    "https://github.com/Atcold/NYU-DLFL23",
    "git@github.com:Atcold/NYU-DLFL23.git",
    "ssh://git@github.com/Atcold/NYU-DLFL23.git",
])
def test_repo_defaults_to_the_origin_remote(tmp_path: Path, url: str) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", url], check=True)
    init(tmp_path)
    assert written_config(tmp_path).repos == ("Atcold/NYU-DLFL23",)


def test_without_a_github_remote_repo_is_required(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="--repo OWNER/REPO"):
        init(tmp_path)
    assert tree(tmp_path) == {}


def test_help_names_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        parser().parse_args(["init", "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    for option in ("--tag", "--repo", "--spreadsheet", "--staff", "--ref", "--force", "--dir"):
        assert option in text
