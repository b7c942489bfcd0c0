"""`extracredit init`: the files it writes in a course repository, and when it refuses to.

The safety rules of the workflows it writes are tested with the project's own workflows, in
test_workflows.py; here, the command: which files, what they say, what it prints, and that a
refusal writes nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import string
import subprocess
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from extracredit import __version__
from extracredit.core.claims import claim_ids_in
from extracredit.core.config import parse_config
from extracredit.core.titles import check_title
from extracredit.errors import EXIT_OK, UserError
from extracredit.jobs import init as initializing
from extracredit.jobs import init_choices, init_options

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
    init_options.add_parser(parser.add_subparsers(dest="command", required=True))
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


FILES_WARNING = (
    "warning: without --spreadsheet the registry is CSV files in .github/extra-credit-registry, "
    "for a trial or for grading offline only. In GitHub Actions the workflows cannot save what "
    "they write there: the Ledger rows of /credit, claim ids, statuses and problems are lost "
    "after every run. In a public repository anyone can read those files, the roster too. For a "
    "semester, run init again with --spreadsheet KEY --staff KEY --force.\n")
FILES_STEP = (
    "The registry is CSV files in .github/extra-credit-registry, for a trial or for grading "
    "offline: create them with `extracredit registry init` and fill in the claims and the roster "
    "yourself (students cannot edit them: the pull request template tells them to ask a TA). "
    "Grade on your machine: `extracredit snapshot --out prs.json`, then `extracredit check "
    "--snapshot prs.json --all` and `extracredit tally --snapshot prs.json --out grades`. Do not "
    "commit a roster of real students to a public repository. The workflows read these files but "
    "cannot save what they write (the Ledger rows of /credit, claim ids, statuses, problems): for "
    "a real semester use Google Sheets (init --spreadsheet KEY --staff KEY --force).")
FILES_CLAIMING = ("2. Your work is claimed in the registry before you start, so that two people "
                  "do not do the same\n   thing: ask a TA to record your claim (the TAs keep this "
                  "course's registry: there is no sheet to edit)\n")


def test_files_backend_without_a_spreadsheet(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    init(tmp_path, "--repo", "Atcold/NYU-DLFL23")
    config = written_config(tmp_path)
    assert (config.registry.backend, config.registry.path) == ("files", initializing.FILES_REGISTRY)
    assert config.kind_credit == {"typo": Decimal("0.5"), "bug": Decimal(1),
                                  "material": Decimal("1.5"), "translation": Decimal(0)}
    assert (config.cap, config.claims.required, config.claims.expire_after_days) == (Decimal(5), True, 14)
    # No student can edit a CSV file of the course repository: the template sends them to a TA.
    template = (tmp_path / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert FILES_CLAIMING in template
    assert "extra-credit-registry" not in template
    assert "https://" not in template
    out, err = capsys.readouterr()
    assert err == FILES_WARNING
    assert f"3. {FILES_STEP}\n" in out


def test_a_sheets_registry_gets_no_files_warning(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    init(tmp_path, "--repo", "Atcold/NYU-DLFL23", "--spreadsheet", CLAIMS_KEY, "--staff", STAFF_KEY)
    out, err = capsys.readouterr()
    assert err == ""
    assert "CSV files" not in out
    template = (tmp_path / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert (f"thing: https://docs.google.com/spreadsheets/d/{CLAIMS_KEY}/edit\n") in template


def test_the_files_registry_is_said_to_be_for_a_trial_in_its_config(tmp_path: Path) -> None:
    init(tmp_path, "--repo", "Atcold/NYU-DLFL23")
    text = (tmp_path / ".github" / "extra-credit.yml").read_text(encoding="utf-8")
    assert ("# write there (the Ledger rows of /credit, claim ids, statuses, problems), so use this "
            "to try the\n# tool out or to grade offline; a real semester uses two Google Sheets\n"
            in text)


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
    ("DLWI27", date(2027, 1, 1), date(2027, 3, 31)),
    ("COURSE7", date(2030, 1, 1), date(2030, 12, 31)),  # no term in the tag: this whole year
    ("CSGY6953S27", date(2027, 1, 1), date(2027, 5, 31)),
    ("CSGY6953F26", date(2026, 9, 1), date(2026, 12, 31)),
    ("CS231N-W24", date(2024, 1, 1), date(2024, 3, 31)),
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


# --- the commit the workflows run: --ref, else the one pip installed ------------------------------


@pytest.fixture(autouse=True)
def development_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs as a development install (no recorded commit) unless it says otherwise,
    whatever way the test environment installed the package."""
    monkeypatch.setattr(init_choices, "installed_release_commit", lambda: None)


DEVELOPMENT_MESSAGE = (
    "This extracredit is a development install (not installed with pip from a commit of "
    "nyu-dl/extracredit), so the workflows name <full commit SHA>: pass --ref with the "
    "40-character commit of the release to run, or install one with pip install "
    "\"git+https://github.com/nyu-dl/extracredit@<SHA>\" and run init again.")


def test_a_development_install_keeps_the_placeholder_and_says_to_pass_ref(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init(tmp_path, "--repo", "Atcold/NYU-DLFL23")
    out = capsys.readouterr().out
    assert DEVELOPMENT_MESSAGE in out.splitlines()
    assert f"@<full commit SHA> # v{__version__}\n" in tree(tmp_path)[FILES[2]]


def test_an_install_from_a_commit_pins_that_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(init_choices, "installed_release_commit", lambda: SHA)
    init(tmp_path, "--repo", "Atcold/NYU-DLFL23")
    out = capsys.readouterr().out
    assert (f"The workflows run nyu-dl/extracredit at {SHA}, the commit this extracredit "
            f"{__version__} was installed from (pass --ref SHA to choose another).") in out.splitlines()
    assert "<full commit SHA>" not in out + "".join(tree(tmp_path).values())
    assert f"check.yml@{SHA} # v{__version__}\n" in tree(tmp_path)[FILES[2]]


def test_ref_wins_over_the_installed_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(init_choices, "installed_release_commit", lambda: "f" * 40)
    init(tmp_path, "--repo", "Atcold/NYU-DLFL23", "--ref", SHA)
    assert "installed from" not in capsys.readouterr().out
    assert f"check.yml@{SHA} " in tree(tmp_path)[FILES[2]]


def direct_url(url: str, vcs_info: Any) -> str:
    return json.dumps({"url": url, "vcs_info": vcs_info})


@pytest.mark.parametrize(("record", "commit"), [
    (direct_url("https://github.com/nyu-dl/extracredit", {"vcs": "git", "commit_id": SHA}), SHA),
    (direct_url("https://github.com/nyu-dl/extracredit.git",
                {"vcs": "git", "commit_id": SHA.upper(), "requested_revision": "v0.1.0"}), SHA),
    (direct_url("ssh://git@github.com/nyu-dl/extracredit.git", {"vcs": "git", "commit_id": SHA}), SHA),
    (direct_url("https://github.com/NYU-DL/ExtraCredit", {"vcs": "git", "commit_id": SHA}), SHA),
    # a fork: its commits are not nyu-dl/extracredit's to pin
    (direct_url("https://github.com/someone/extracredit", {"vcs": "git", "commit_id": SHA}), None),
    (direct_url("https://github.com/nyu-dl/extracredit-fork", {"vcs": "git", "commit_id": SHA}), None),
    (direct_url("https://github.com/nyu-dl/extracredit", {"vcs": "hg", "commit_id": SHA}), None),
    (direct_url("https://github.com/nyu-dl/extracredit", {"vcs": "git", "commit_id": SHA[:7]}), None),
    (direct_url("https://github.com/nyu-dl/extracredit", None), None),
    (json.dumps({"url": "file:///home/ta/extracredit", "dir_info": {"editable": True}}), None),
    (json.dumps({"url": "https://files.example/extracredit-0.1.0.whl",
                 "archive_info": {"hashes": {}}}), None),
    ("not json", None),
    ("[]", None),
    ("", None),
    (None, None),
])
def test_the_installed_commit_comes_from_pips_record(record: str | None, commit: str | None) -> None:
    assert init_choices.release_commit(record) == commit


def test_the_config_names_its_schema_at_the_pinned_commit() -> None:
    files = initializing.render(tag="DLFL23", repo="Atcold/NYU-DLFL23", spreadsheet=None,
                                staff=None, ref=SHA, today=date(2023, 8, 1)).files
    assert files[".github/extra-credit.yml"].splitlines()[0] == (
        "# yaml-language-server: $schema=https://raw.githubusercontent.com/nyu-dl/extracredit/"
        f"{SHA}/docs/extra-credit.schema.json")
    schema = Path(__file__).parent.parent.parent / init_choices.SCHEMA_PATH
    assert schema.is_file()


# --- Google by Workload Identity Federation -------------------------------------------------------

WIF_PROVIDER = "projects/123456789012/locations/global/workloadIdentityPools/github/providers/nyu-dlfl23"
WIF_ACCOUNT = "extracredit@nyu-dlfl23.iam.gserviceaccount.com"
WIF_OPTIONS = ["--spreadsheet", CLAIMS_KEY, "--staff", STAFF_KEY,
               "--wif-provider", WIF_PROVIDER, "--wif-service-account", WIF_ACCOUNT]


def test_wif_options_reach_every_workflow(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init(tmp_path, "--repo", "Atcold/NYU-DLFL23", "--ref", SHA, *WIF_OPTIONS)
    files = tree(tmp_path)
    for name in ("check", "commands", "nightly", "tally"):
        text = files[f".github/workflows/extra-credit-{name}.yml"]
        assert f"uses: nyu-dl/extracredit/.github/workflows/{name}-wif.yml@{SHA} # v" in text
        (job,) = yaml.safe_load(text)["jobs"].values()
        assert job["permissions"]["id-token"] == "write"
        assert job["with"]["workload-identity-provider"] == WIF_PROVIDER
        assert job["with"]["service-account"] == WIF_ACCOUNT
        assert "secrets" not in job
    steps = capsys.readouterr().out.split("Next steps:\n", 1)[1]
    assert "Workload Identity Federation, with no key" in steps
    assert "assertion.repository" in steps
    assert "roles/iam.workloadIdentityUser" in steps
    assert "as the repository secret" not in steps


def test_the_key_route_names_the_secret_and_the_way_to_wif(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init(tmp_path, "--repo", "Atcold/NYU-DLFL23", "--ref", SHA, "--spreadsheet", CLAIMS_KEY)
    for name in ("check", "commands", "nightly", "tally"):
        text = tree(tmp_path)[f".github/workflows/extra-credit-{name}.yml"]
        assert f"/{name}.yml@{SHA} " in text
        assert "id-token" not in text
    steps = capsys.readouterr().out.split("Next steps:\n", 1)[1]
    assert "as the repository secret EXTRACREDIT_GOOGLE_CREDENTIALS" in steps
    assert "--wif-provider PROVIDER --wif-service-account EMAIL --force" in steps


@pytest.mark.parametrize(("argv", "message"), [
    (["--spreadsheet", CLAIMS_KEY, "--wif-provider", WIF_PROVIDER],
     "--wif-provider and --wif-service-account go together: Workload Identity Federation needs "
     "the provider and the service account it may act as"),
    (["--spreadsheet", CLAIMS_KEY, "--wif-service-account", WIF_ACCOUNT],
     "--wif-provider and --wif-service-account go together: Workload Identity Federation needs "
     "the provider and the service account it may act as"),
    (["--wif-provider", WIF_PROVIDER, "--wif-service-account", WIF_ACCOUNT],
     "--wif-provider is for a Google Sheets registry: pass --spreadsheet too (a files registry "
     "needs no Google access)"),
    (["--spreadsheet", CLAIMS_KEY, "--wif-service-account", WIF_ACCOUNT,
      "--wif-provider", "projects/my-course/locations/global/workloadIdentityPools/github/providers/x1234"],
     "--wif-provider 'projects/my-course/locations/global/workloadIdentityPools/github/providers/"
     "x1234' is not a provider's full name: give projects/NUMBER/locations/global/"
     "workloadIdentityPools/POOL/providers/PROVIDER (the project's number, not its id; `gcloud "
     "iam workload-identity-pools providers describe` prints it as `name`)"),
    (["--spreadsheet", CLAIMS_KEY, "--wif-service-account", WIF_ACCOUNT,
      "--wif-provider", WIF_PROVIDER + "\nregistry: x"],
     f"--wif-provider {WIF_PROVIDER + chr(10) + 'registry: x'!r} is not a provider's full name: "
     "give projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER (the "
     "project's number, not its id; `gcloud iam workload-identity-pools providers describe` "
     "prints it as `name`)"),
    (["--spreadsheet", CLAIMS_KEY, "--wif-provider", WIF_PROVIDER,
      "--wif-service-account", "ta@nyu.edu"],
     "--wif-service-account 'ta@nyu.edu' is not a service account: give its email, "
     "NAME@PROJECT.iam.gserviceaccount.com"),
])
def test_bad_wif_options_are_refused(tmp_path: Path, argv: list[str], message: str) -> None:
    with pytest.raises(UserError) as refused:
        init(tmp_path, "--repo", "Atcold/NYU-DLFL23", *argv)
    assert str(refused.value) == message
    assert tree(tmp_path) == {}


# --- the nightly's time: the course's own -----------------------------------------------------------


@pytest.mark.parametrize(("repo", "minute", "hour"), [
    ("Atcold/NYU-DLFL23", 35, 7),
    ("atcold/nyu-dlfl23", 35, 7),  # GitHub names ignore case, and so does the time
    ("Atcold/NYU-DLSP24", 11, 7),
    ("nyu-dl/extracredit", 29, 6),
])
def test_the_nightly_time_comes_from_the_repository_name(repo: str, minute: int, hour: int) -> None:
    assert init_choices.nightly_time(repo) == (minute, hour)
    files = initializing.render(tag="DLFL23", repo=repo, spreadsheet=None, staff=None, ref=SHA,
                                today=date(2023, 8, 1)).files
    nightly = yaml.safe_load(files[".github/workflows/extra-credit-nightly.yml"])
    assert nightly[True]["schedule"] == [{"cron": f"{minute} * * * *"}]
    assert f"# every hour at {minute} minutes past\n" in files[
        ".github/workflows/extra-credit-nightly.yml"]


# GitHub's characters of OWNER/REPO.
REPO_TEXT = st.text(alphabet=string.ascii_letters + string.digits + "-._/", min_size=1, max_size=140)


@given(REPO_TEXT)
def test_every_nightly_time_is_off_the_quarter_hours_at_night(repo: str) -> None:
    minute, hour = init_choices.nightly_time(repo)
    assert minute % 15 != 0
    assert 5 <= hour <= 10
    assert init_choices.nightly_time(repo.upper()) == init_choices.nightly_time(repo.lower())


def test_courses_spread_over_every_slot() -> None:
    """336 slots (56 minutes x 6 hours): 3,360 repositories fill every one, none more than
    three times its share."""
    counts = Counter(init_choices.nightly_time(f"course{i}/notes") for i in range(3360))
    assert len(counts) == len(init_choices.NIGHT_MINUTES) * len(init_choices.NIGHT_HOURS_UTC) == 336
    assert max(counts.values()) <= 30


def test_the_steps_say_when_the_nightly_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init(tmp_path, "--repo", "Atcold/NYU-DLFL23")
    assert ("It runs every hour at 35 minutes past, a minute chosen from the repository's name "
            "so that courses sharing a Google project do not run at once.") in " ".join(
                capsys.readouterr().out.split())


def test_the_quota_arithmetic_in_the_docs_matches_the_schedule() -> None:
    """docs/google-setup.md works out the Sheets quota from the schedule init writes and the
    benchmark's figures (2 reads a check, ~11 requests a nightly): its numbers follow from them."""
    text = " ".join((Path(__file__).parent.parent.parent / "docs" / "google-setup.md")
                    .read_text(encoding="utf-8").split())
    minutes = len(init_choices.NIGHT_MINUTES)
    assert f"one of {minutes} minutes" in text
    per_project, per_user, nightly, check = 300, 60, 11, 2
    assert (f"{per_project // nightly} syncs ({per_project // nightly} \u00d7 {nightly} = "
            f"{per_project // nightly * nightly})") in text
    assert (f"{minutes} \u00d7 {per_project // nightly} = "
            f"{minutes * (per_project // nightly):,} courses") in text
    assert f"{per_user // nightly} syncs in the same minute ({per_user // nightly * nightly})" in text
    assert f"or {per_user // check} checks a minute" in text
    assert f"**{per_project // (check * 10)} courses at 10 checks a minute each**" in text


def test_the_docs_say_the_files_registry_is_for_a_trial() -> None:
    root = Path(__file__).parent.parent.parent
    readme = " ".join((root / "README.md").read_text(encoding="utf-8").split())
    assert ("a registry of claims kept in two Google Sheets (see [registry/README.md]"
            "(registry/README.md)); CSV files in the repository instead are for a trial and for "
            "grading offline only, as the workflows cannot save what they write to them |") in readme
    assert ("keeps the registry as CSV files, which is for a trial and for grading offline only: "
            "in GitHub Actions the workflows cannot save what they write to them") in readme
    contract = " ".join((root / "registry" / "README.md").read_text(encoding="utf-8").split())
    assert "It is not for a semester run by the workflows" in contract
    assert "For a course without Google Sheets" not in contract
