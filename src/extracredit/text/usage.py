"""What a TA is told when the tool is pointed where it cannot work: a file for a folder, a
variable GitHub Actions sets, a key file that is no key, a files registry for a semester."""

from __future__ import annotations

_TOKEN = "a token that can read the course's PRs (`gh auth token` prints yours)"
# What to do without a variable GitHub Actions sets: each command's own options.
MISSING_ENV_HINTS = {
    "check": "outside GitHub Actions use --snapshot FILE --pr OWNER/REPO#N (or --all)",
    "command": ("extracredit command runs in GitHub Actions only, for a comment on a PR (the "
                "issue_comment event); outside it, see a PR's verdict with extracredit check "
                "--snapshot FILE --pr OWNER/REPO#N"),
    "sync": (f"outside GitHub Actions set GITHUB_TOKEN to {_TOKEN}, or read the PRs from "
             "--snapshot FILE (--recheck needs the token all the same: it publishes on GitHub)"),
    "tally": (f"outside GitHub Actions set GITHUB_TOKEN to {_TOKEN}, or grade from "
              "--snapshot FILE"),
    "snapshot": f"set GITHUB_TOKEN to {_TOKEN}",
}


def missing_env(variable: str, command: str) -> str:
    """A variable GitHub Actions sets is missing, and what ``command`` can do instead."""
    hint = MISSING_ENV_HINTS.get(command)
    return f"{variable} is not set" + (f"; {hint}" if hint else "")


def sheets_bad_key_file(variable: str, path: str, *, exists: bool) -> str:
    """The key file a variable names cannot be used (its text is never quoted: it is a key)."""
    if not exists:
        return (f"{variable} names {path}, which does not exist; set it to the path of a "
                "service-account key file (JSON), or unset it")
    return (f"{variable} names {path}, which is not a valid Google key file (a service-account "
            "key is JSON with type, client_email and private_key); download the key again, or "
            "unset the variable")


TALLY_FOLDER_HOLDS = "tally.csv, gradebook.csv and unmatched.csv"
EXPORT_FOLDER_HOLDS = "one CSV file per tab"


def output_not_a_folder(option: str, path: str, holds: str) -> str:
    return (f"{option} {path} is a file, not a folder: name a folder for {holds} (it is created "
            "if it does not exist)")


def output_unwritable(option: str, path: str, reason: str) -> str:
    return f"cannot write into {option} {path} ({reason}); name a folder you can write to"


def import_source_missing(folder: str, *, exists: bool) -> str:
    problem = "is a file, not a folder" if exists else "does not exist"
    return f"--from {folder} {problem}: name a folder of registry CSV files (claims.csv, roster.csv, ...)"


# The PR template's way to claim work with a files registry: no student can edit its CSV files.
INIT_FILES_CLAIMING = ("ask a TA to record your claim (the TAs keep this course's registry: there "
                       "is no sheet to edit)")


def init_files_warning(path: str) -> str:
    return (f"warning: without --spreadsheet the registry is CSV files in {path}, for a trial or "
            "for grading offline only. In GitHub Actions the workflows cannot save what they "
            "write there: the Ledger rows of /credit, claim ids, statuses and problems are lost "
            "after every run. In a public repository anyone can read those files, the roster "
            "too. For a semester, run init again with --spreadsheet KEY --staff KEY --force.")
