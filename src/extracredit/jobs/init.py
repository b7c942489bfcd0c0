"""The ``init`` command: set up a course repository for extra credit.

It writes the course configuration, the four workflows that call this project's reusable
workflows, and a pull request template, then prints what is left to do by hand. Everything it
writes is rendered first and checked (the configuration must parse), and nothing is written when
a file is already there, unless ``--force``.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from extracredit import __version__
from extracredit.core.config import Config, parse_config
from extracredit.core.tags import split_tag, term_dates
from extracredit.core.vocab import DEFAULT_CONFIG_PATH
from extracredit.errors import EXIT_OK, ConfigError, UserError
from extracredit.forge.actions import say
from extracredit.jobs import init_choices
from extracredit.text import config as config_words
from extracredit.text import setup as setup_words
from extracredit.text import usage

REF_PLACEHOLDER = "<full commit SHA>"
FILES_REGISTRY = ".github/extra-credit-registry"
WORKFLOWS = ("check", "commands", "nightly", "tally")
PR_TEMPLATE = ".github/pull_request_template.md"
# The single workflow file the README's manual install names; init's check workflow replaces it.
OLD_WORKFLOW = ".github/workflows/extra-credit.yml"
SHEET_URL = "https://docs.google.com/spreadsheets/d/{key}/edit"

_SHA = re.compile(r"^[0-9a-fA-F]{40}$")
_PLACEHOLDER = re.compile(r"__([A-Z]+)__")
# A placeholder on a line of its own stands for whole lines (each ending in "\n"), or none.
_PLACEHOLDER_LINE = re.compile(r"^__([A-Z]+)__\n", re.MULTILINE)
_GITHUB_REMOTE = re.compile(r"github\.com[:/]+(?P<repo>[^/\s]+/[^/\s]+?)(?:\.git)?/*$")


@dataclass(frozen=True)
class Setup:
    """What init writes (path relative to the course repository -> text) and what it chose."""

    files: dict[str, str]
    config: Config
    pinned: bool  # the workflows name a commit (--ref), not the placeholder


def workflow_path(name: str) -> str:
    return f".github/workflows/extra-credit-{name}.yml"


def run(args: argparse.Namespace) -> int:
    """Run ``extracredit init`` as parsed by the command line."""
    root = Path(args.dir)
    if not root.is_dir():
        raise UserError(setup_words.init_no_folder(str(root)))
    repo = args.repo or origin_repo(root)
    if not repo:
        raise UserError(setup_words.INIT_NO_REPO)
    wif = init_choices.wif_settings(args.wif_provider, args.wif_service_account,
                                    sheets=args.spreadsheet is not None)
    # Without --ref: the commit this extracredit was installed from, if pip recorded one.
    ref = args.ref if args.ref is not None else init_choices.installed_release_commit()
    setup = render(tag=args.tag, repo=repo, spreadsheet=args.spreadsheet, staff=args.staff,
                   ref=ref, today=date.today(), wif=wif)
    existing = [name for name in setup.files if (root / name).exists() or (root / name).is_symlink()]
    if existing and not args.force:
        raise UserError(setup_words.init_would_overwrite(existing))
    for name, text in setup.files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        say(setup_words.init_wrote(name, replaced=name in existing))
    if args.ref is None:
        say(setup_words.init_installed_ref(ref, __version__))
    if setup.config.registry.backend == "files":
        say(usage.init_files_warning(FILES_REGISTRY), stderr=True)
    say("")
    say(setup_words.init_next_steps(
        pinned=setup.pinned,
        backend=setup.config.registry.backend,
        one_sheet=setup.config.registry.claims == setup.config.registry.staff,
        window=(setup.config.window.opens.isoformat(), setup.config.window.closes.isoformat()),
        unguessed_tag=None if window_from_tag(setup.config.tag) else setup.config.tag,
        workflows=[workflow_path(name) for name in WORKFLOWS],
        registry_path=FILES_REGISTRY,
        old_workflow=OLD_WORKFLOW if (root / OLD_WORKFLOW).exists() else None,
        wif=wif is not None,
        nightly=_nightly_values(repo)["MINUTE"],
    ))
    return EXIT_OK


def render(*, tag: str, repo: str, spreadsheet: str | None, staff: str | None, ref: str | None,
           today: date, wif: init_choices.Wif | None = None) -> Setup:
    """Every file init writes, rendered and checked; nothing touches the disk."""
    pin = pinned_ref(ref)
    tag = tag.strip().strip("[]")
    opens, closes = term_window(tag, today)
    registry, claiming = registry_settings(spreadsheet, staff)
    config_text = _fill("extra-credit.yml", {
        "COURSE": tag, "TAG": tag, "OPENS": opens.isoformat(), "CLOSES": closes.isoformat(),
        "REPO": repo, "REGISTRY": registry.rstrip("\n"),
        "SCHEMA": init_choices.schema_url(pin or REF_PLACEHOLDER),
    })
    try:
        config = parse_config(config_text, DEFAULT_CONFIG_PATH)
    except ConfigError as error:
        raise UserError(setup_words.init_bad_setting(config_words.describe(error))) from None
    # An option that parses as more YAML than one value (a comma, a bracket) changed the shape.
    if config.repos != (repo,):
        raise UserError(setup_words.init_bad_setting(config_words.problem("bad-repo", name=repo)))
    if config.tag != tag:
        raise UserError(setup_words.init_bad_setting(config_words.problem("bad-tag", tag=tag)))
    files = {DEFAULT_CONFIG_PATH: config_text}
    for name in WORKFLOWS:
        files[workflow_path(name)] = _fill(f"extra-credit-{name}.yml", {
            "REF": pin or REF_PLACEHOLDER, "VERSION": __version__,
            **init_choices.caller_settings(name, wif), **_nightly_values(repo)})
    files[PR_TEMPLATE] = _fill("pull_request_template.md", {"TAG": config.tag, "CLAIMING": claiming})
    return Setup(files=files, config=config, pinned=pin is not None)


def pinned_ref(ref: str | None) -> str | None:
    """A commit of this project given as --ref: exactly 40 hex digits, or an error."""
    if ref is None:
        return None
    if not _SHA.match(ref.strip()):
        raise UserError(setup_words.init_bad_ref(ref))
    return ref.strip().lower()


def term_window(tag: str, today: date) -> tuple[date, date]:
    """A first guess at the window: the term the tag names (CSGY6953S27: spring 2027), else this year."""
    term = split_tag(tag).term
    dates = term_dates(term) if term is not None else None
    return dates or (date(today.year, 1, 1), date(today.year, 12, 31))


def window_from_tag(tag: str) -> bool:
    """Whether term_window read the window from the tag, rather than falling back to this year."""
    term = split_tag(tag).term
    return term is not None and term_dates(term) is not None


def registry_settings(spreadsheet: str | None, staff: str | None) -> tuple[str, str]:
    """The configuration's `registry:` lines, and how students make a claim: the claims sheet's
    link, or, for a files registry (which no student can edit), a TA."""
    if spreadsheet is None:
        if staff is not None:
            raise UserError(setup_words.INIT_STAFF_WITHOUT_SPREADSHEET)
        return (_fill("registry-files.yml", {"PATH": FILES_REGISTRY}), usage.INIT_FILES_CLAIMING)
    claims_key = _sheet_key(spreadsheet)
    staff_key = _sheet_key(staff) if staff is not None else claims_key
    return (_fill("registry-sheets.yml", {"CLAIMS": claims_key, "STAFF": staff_key}),
            SHEET_URL.format(key=claims_key))


def _sheet_key(text: str) -> str:
    # Imported here: the other commands of init need no Google client.
    from extracredit.registry.sheets import SheetsError, spreadsheet_key

    try:
        return spreadsheet_key(text)
    except SheetsError as error:
        raise UserError(str(error)) from None


def origin_repo(root: Path) -> str | None:
    """OWNER/REPO of the folder's `origin` remote on github.com, if it has one."""
    import subprocess  # here: every other command builds this command's parser, and only it runs git

    try:
        url = subprocess.run(
            ["git", "-C", str(root), "config", "--get", "remote.origin.url"],
            capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    found = _GITHUB_REMOTE.search(url)
    return found["repo"] if found else None


def _fill(template: str, values: dict[str, str]) -> str:
    """A template of this package with every __NAME__ replaced; an unknown name is a bug."""
    from importlib import resources  # here, as subprocess above

    text = (resources.files("extracredit") / "templates" / template).read_text(encoding="utf-8")
    text = _PLACEHOLDER_LINE.sub(lambda found: values[found[1]], text)
    return _PLACEHOLDER.sub(lambda found: values[found[1]], text).rstrip("\n") + "\n"


def _nightly_values(repo: str) -> dict[str, str]:
    """The nightly template's schedule: a minute and an hour of the course's own."""
    minute, hour = init_choices.nightly_time(repo)
    return {"MINUTE": str(minute), "HOUR": str(hour), "TIME": f"{hour:02d}:{minute:02d}"}
