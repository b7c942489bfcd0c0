"""What `extracredit init` says: its options' help, its refusals, and the steps left to a course's staff."""

from __future__ import annotations

from collections.abc import Sequence

INIT_HELP = "set up a course repository: configuration, workflows, pull request template"
INIT_DESCRIPTION = ("Run in a clone of the course repository. Writes .github/extra-credit.yml, "
                    "the workflows .github/workflows/extra-credit-{check,commands,nightly,tally}"
                    ".yml (each calls this project's reusable workflow of the same name) and "
                    ".github/pull_request_template.md, then prints what is left to do by hand. "
                    "Files that exist already are never replaced without --force.")
INIT_TAG_HELP = "the semester tag, written [TAG] in titles (default: DLFL23)"
INIT_REPO_HELP = "the course repository (default: the github.com remote 'origin' of --dir)"
INIT_SPREADSHEET_HELP = ("the claims spreadsheet, the one the class edits (key or URL); without "
                         "it the registry is CSV files in the repository, for a trial or offline "
                         "grading only: the workflows cannot save what they write there")
INIT_STAFF_HELP = ("the staff spreadsheet, shared only with the TAs and the service account "
                   "(key or URL; default: the claims spreadsheet)")
INIT_REF_HELP = ("the commit of nyu-dl/extracredit the workflows run, all 40 hex digits "
                 "(default: the commit this extracredit was installed from with pip; for a "
                 "development install, a placeholder to replace before committing)")
INIT_WIF_PROVIDER_HELP = ("Google access by Workload Identity Federation instead of a key: the "
                          "provider, projects/NUMBER/locations/global/workloadIdentityPools/POOL/"
                          "providers/PROVIDER (with --wif-service-account and --spreadsheet)")
INIT_WIF_SERVICE_ACCOUNT_HELP = ("with --wif-provider: the service account the sheets are shared "
                                 "with, NAME@PROJECT.iam.gserviceaccount.com")
INIT_WIF_NEEDS_BOTH = ("--wif-provider and --wif-service-account go together: Workload Identity "
                       "Federation needs the provider and the service account it may act as")
INIT_WIF_NEEDS_SHEETS = ("--wif-provider is for a Google Sheets registry: pass --spreadsheet too "
                         "(a files registry needs no Google access)")
INIT_FORCE_HELP = "replace files that exist already"
INIT_DIR_HELP = "the course repository's folder (default: the current folder)"
INIT_NO_REPO = ("cannot tell which repository this is (no github.com remote named origin): "
                "pass --repo OWNER/REPO")
INIT_STAFF_WITHOUT_SPREADSHEET = ("--staff needs --spreadsheet: the staff sheet goes with a "
                                  "claims sheet (both Google Sheets)")


def init_no_folder(folder: str) -> str:
    return f"{folder} is not a folder; pass --dir the course repository's folder"


def init_bad_ref(ref: str) -> str:
    return (f"--ref {ref!r} is not a commit: give all 40 hex digits of the commit of the "
            "nyu-dl/extracredit release to run (a tag or a branch can be moved by others)")


def init_bad_wif_provider(provider: str) -> str:
    return (f"--wif-provider {provider!r} is not a provider's full name: give "
            "projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER "
            "(the project's number, not its id; `gcloud iam workload-identity-pools providers "
            "describe` prints it as `name`)")


def init_bad_service_account(account: str) -> str:
    return (f"--wif-service-account {account!r} is not a service account: give its email, "
            "NAME@PROJECT.iam.gserviceaccount.com")


def init_installed_ref(ref: str | None, version: str) -> str:
    if ref is None:
        return ("This extracredit is a development install (not installed with pip from a commit "
                "of nyu-dl/extracredit), so the workflows name <full commit SHA>: pass --ref with "
                "the 40-character commit of the release to run, or install one with "
                "pip install \"git+https://github.com/nyu-dl/extracredit@<SHA>\" and run init "
                "again.")
    return (f"The workflows run nyu-dl/extracredit at {ref}, the commit this extracredit "
            f"{version} was installed from (pass --ref SHA to choose another).")


def init_bad_setting(problem: str) -> str:
    return f"these options do not make a valid course configuration: {problem}"


def init_would_overwrite(paths: Sequence[str]) -> str:
    return (f"{', '.join(paths)} exist{'s' if len(paths) == 1 else ''} already, so nothing was "
            "written. Pass --force to replace "
            f"{'it' if len(paths) == 1 else 'them'} (commit your changes first)")


def init_wrote(path: str, *, replaced: bool) -> str:
    return f"{'replaced' if replaced else 'wrote'} {path}"


def init_next_steps(*, pinned: bool, backend: str, one_sheet: bool, window: tuple[str, str],
                    workflows: Sequence[str], registry_path: str,
                    old_workflow: str | None, unguessed_tag: str | None = None,
                    wif: bool = False, nightly: str = "") -> str:
    steps = []
    if old_workflow:
        steps.append(f"Delete {old_workflow}: {workflows[0]} replaces it, and with both every "
                     "pull request would be checked twice.")
    if not pinned:
        steps.append("In the four workflows and the schema line of .github/extra-credit.yml, "
                     "replace <full commit SHA> with the 40-character commit of the "
                     "nyu-dl/extracredit release you install (its tag names it on the releases "
                     "page) and keep the `# vX.Y.Z` comment naming that release; or run init "
                     "again with --ref SHA --force.")
    if unguessed_tag is None:
        steps.append(f"Check .github/extra-credit.yml: the course name, the window (written as "
                     f"{window[0]} to {window[1]}, a guess from the tag), the credit per kind and "
                     "the cap.")
    else:
        steps.append(f"Set the window in .github/extra-credit.yml to the course's dates: the tag "
                     f"{unguessed_tag} ends in no term such as F23, SP24, SU25 or W2024, so it is "
                     f"written as {window[0]} to {window[1]}, all of this year. If the tag names "
                     "another kind of term (IAP24), add it as term: so that titles of other terms "
                     "are told apart. Check the course name, the credit per kind and the cap too.")
    if backend == "sheets":
        steps.append("Create a Google service account for the tool and share both spreadsheets "
                     "with it as Editor. Share the staff spreadsheet with nobody else but the TAs.")
        if one_sheet:
            steps.append("The claims and staff tabs share one spreadsheet, which the class edits: "
                         "students could read the Roster, the Ledger and the Tally. Give the "
                         "staff tabs a spreadsheet of their own (--staff), unless you accept that.")
        steps.append(init_google_step(wif))
        steps.append("Create the registry's tabs and headers from your machine: `extracredit "
                     "registry init`, with Google credentials as docs/google-setup.md of "
                     "nyu-dl/extracredit shows (\"On a laptop\").")
    else:
        steps.append(f"The registry is CSV files in {registry_path}, for a trial or for grading "
                     "offline: create them with `extracredit registry init` and fill in the claims "
                     "and the roster yourself (students cannot edit them: the pull request "
                     "template tells them to ask a TA). Grade on your machine: `extracredit "
                     "snapshot --out prs.json`, then `extracredit check --snapshot prs.json --all` "
                     "and `extracredit tally --snapshot prs.json --out grades`. Do not commit a "
                     "roster of real students to a public repository. The workflows read these "
                     "files but cannot save what they write (the Ledger rows of /credit, claim "
                     "ids, statuses, problems): for a real semester use Google Sheets (init "
                     "--spreadsheet KEY --staff KEY --force).")
    steps.append("Commit and push these files to the default branch: the workflows read the "
                 "configuration from there only.")
    steps.append("Require the statuses extra-credit/title and extra-credit/claim on the default "
                 "branch (Settings > Rules > Rulesets, or Branches). GitHub offers them once it "
                 "has seen them, so open a test pull request first.")
    steps.append("Create the environment extra-credit-grading (Settings > Environments) with the "
                 "TAs as required reviewers: the tally workflow waits there for their approval.")
    steps.append("GitHub pauses scheduled workflows in a public repository after 60 days without "
                 "activity in it; if the hourly sync stops, re-enable it in the Actions tab."
                 + (f" It runs every hour at {nightly} minutes past, a minute chosen from the "
                    "repository's name so that courses sharing a Google project do not run at "
                    "once." if nightly else ""))
    return "Next steps:\n" + "\n".join(f"{number}. {step}"
                                       for number, step in enumerate(steps, start=1))


def init_google_step(wif: bool) -> str:
    if wif:
        return ("Google access is by Workload Identity Federation, with no key: the four "
                "workflows call the -wif reusable workflows and grant id-token: write. In Google "
                "Cloud, the provider must admit this repository only (attribute condition on "
                "assertion.repository) and its principals need roles/iam.workloadIdentityUser on "
                "the service account (docs/google-setup.md of nyu-dl/extracredit). No repository "
                "secret is needed: delete EXTRACREDIT_GOOGLE_CREDENTIALS if an older set-up "
                "left one.")
    return ("Give the workflows Google access: a key of the service account as the repository "
            "secret EXTRACREDIT_GOOGLE_CREDENTIALS (Settings > Secrets and variables > Actions). "
            "To use Workload Identity Federation instead, with no key to leak, set up the pool "
            "and provider (docs/google-setup.md of nyu-dl/extracredit) and run init again with "
            "--wif-provider PROVIDER --wif-service-account EMAIL --force.")
