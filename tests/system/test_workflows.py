"""Security rules for the GitHub Actions files: every workflow and composite action of the project.

The check runs on ``pull_request_target`` with a write token, so its files are held to the rules of
the README's Security model. Each rule is a function from a parsed file to a list of problems; it
is run on every real file (which must pass) and on a small bad file written to break it (which must
fail that rule, and only that rule, so each case proves its own rule and nothing else).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
import yaml

from extracredit.jobs.init_choices import Wif

ROOT = Path(__file__).resolve().parent.parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONS = ROOT / "actions"

SHA = re.compile(r"[0-9a-f]{40}")
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
# Data an attacker can write (PR title, body, branch, comments, ...) or a caller can set (inputs):
# never expanded into a shell script, where it would become code.
UNTRUSTED = re.compile(
    r"github\.event\."  # the whole event payload: titles, bodies, comments, labels, branch names
    r"|github\.head_ref"
    r"|\binputs\."
    r"|\bsteps\.[\w-]+\.outputs"  # e.g. the check's `title` output is the PR's title verdict
    r"|\bneeds\.[\w-]+\.outputs"
    r"|\bsecrets\."
)
# Ways to get the pull request's code into the job.
PR_HEAD = re.compile(
    r"github\.event\.pull_request\.head\."
    r"|github\.head_ref"
    r"|github\.event\.workflow_run\.head_"
    r"|refs/pull/"
)
PR_FETCH = re.compile(r"\bgh\s+pr\s+checkout\b|refs/pull/|\bpull/[^\s/]+/(?:head|merge)\b")
VERSION_COMMENT = re.compile(r"#\s*v\d+\.\d+\.\d+\b")
# Triggers that run with the repository's token and secrets on input from anyone.
DANGEROUS_TRIGGERS = frozenset({"pull_request_target", "workflow_run", "issue_comment"})
REVIEWED = re.compile(r"#\s*zizmor:\s*ignore\[[^\]]*\bdangerous-triggers\b[^\]]*\]\s*--\s*\S")
REMOTE_USES_LINE = re.compile(r"^\s*(?:-\s*)?uses:\s*([^\s#'\"]+)\s*(#.*)?$")


@dataclass(frozen=True)
class Source:
    """One workflow or action file: its name, its text and what it is."""

    name: str
    text: str

    @property
    def is_action(self) -> bool:
        return Path(self.name).name in ("action.yml", "action.yaml")

    @cached_property
    def doc(self) -> dict[Any, Any]:
        doc = yaml.safe_load(self.text)
        assert isinstance(doc, dict), f"{self.name}: not a YAML mapping"
        return doc

    def triggers(self) -> Any:
        # YAML 1.1 reads the bare key `on` as the boolean True.
        return self.doc.get("on", self.doc.get(True))

    def jobs(self) -> dict[str, dict[str, Any]]:
        return {} if self.is_action else dict(self.doc.get("jobs") or {})

    def steps(self) -> Iterator[tuple[str, dict[str, Any]]]:
        if self.is_action:
            for index, step in enumerate(self.doc.get("runs", {}).get("steps") or []):
                yield f"runs.steps[{index}]", step
            return
        for job_id, job in self.jobs().items():
            for index, step in enumerate(job.get("steps") or []):
                yield f"jobs.{job_id}.steps[{index}]", step

    def uses(self) -> Iterator[tuple[str, str]]:
        """Every `uses:`: reusable-workflow calls (job level) and actions (step level)."""
        for job_id, job in self.jobs().items():
            if "uses" in job:
                yield f"jobs.{job_id}", str(job["uses"])
        for where, step in self.steps():
            if "uses" in step:
                yield where, str(step["uses"])


def is_remote(ref: str) -> bool:
    """A `uses:` of another repository (not `./`, `$/` or a Docker image)."""
    return not ref.startswith(("./", "$/", "docker://"))


def is_checkout(step: dict[str, Any]) -> bool:
    return str(step.get("uses", "")).startswith("actions/checkout@")


# --- the rules -----------------------------------------------------------------------------------

Rule = Callable[[Source], list[str]]


def top_level_permissions(src: Source) -> list[str]:
    """A workflow starts from no permissions (or read-only ones); jobs ask for more."""
    if src.is_action:
        return []
    if "permissions" not in src.doc:
        return ["no top-level `permissions:` (the default token can write)"]
    perms = src.doc["permissions"]
    if perms == {} or perms == "read-all":
        return []
    if isinstance(perms, dict) and all(value in ("read", "none") for value in perms.values()):
        return []
    return [f"top-level permissions must be {{}} or read-only, not {perms!r}"]


def job_permissions(src: Source) -> list[str]:
    """Every job says which permissions it needs."""
    return [f"jobs.{job_id}: no `permissions:`" for job_id, job in src.jobs().items()
            if "permissions" not in job]


def no_pr_checkout(src: Source) -> list[str]:
    """The pull request's code never reaches the job: no checkout or fetch of its head."""
    problems = []
    for where, step in src.steps():
        with_ = step.get("with") or {}
        if "allow-unsafe-pr-checkout" in with_:
            problems.append(f"{where}: sets allow-unsafe-pr-checkout")
        checked = dict(with_) if is_checkout(step) else {
            key: with_[key] for key in ("ref", "repository") if key in with_}
        for key, value in checked.items():
            if PR_HEAD.search(str(value)):
                problems.append(f"{where}: with.{key} points at the pull request: {value}")
        if PR_FETCH.search(str(step.get("run", ""))):
            problems.append(f"{where}: run: fetches or checks out the pull request")
    return problems


def no_untrusted_expressions_in_run(src: Source) -> list[str]:
    """No ${{ }} of untrusted data inside `run:`; it goes through `env:` instead."""
    problems = []
    for where, step in src.steps():
        for expression in EXPRESSION.findall(str(step.get("run", ""))):
            if UNTRUSTED.search(expression):
                problems.append(f"{where}: run: expands ${{{{{expression}}}}}; pass it via env:")
    return problems


def uses_pinned_to_sha(src: Source) -> list[str]:
    """Every action or workflow of another repository is pinned to a full commit SHA."""
    problems = []
    for where, ref in src.uses():
        if ref.startswith("docker://"):
            if not re.search(r"@sha256:[0-9a-f]{64}$", ref):
                problems.append(f"{where}: Docker image not pinned by digest: {ref}")
        elif is_remote(ref):
            _, _, version = ref.partition("@")
            if not SHA.fullmatch(version):
                problems.append(f"{where}: not pinned to a 40-hex commit SHA: {ref}")
    return problems


def uses_version_comment(src: Source) -> list[str]:
    """A pinned SHA carries its version as a comment (`# vX.Y.Z`), for people and Dependabot."""
    problems = []
    for number, line in enumerate(src.text.splitlines(), start=1):
        match = REMOTE_USES_LINE.match(line)
        if not match or not is_remote(match.group(1)):
            continue
        if not VERSION_COMMENT.search(match.group(2) or ""):
            problems.append(f"line {number}: no `# vX.Y.Z` comment: {line.strip()}")
    return problems


def checkout_without_credentials(src: Source) -> list[str]:
    """A checkout leaves no token behind in .git/config."""
    return [f"{where}: actions/checkout without persist-credentials: false"
            for where, step in src.steps()
            if is_checkout(step)
            and str((step.get("with") or {}).get("persist-credentials", "")).lower() != "false"]


def no_workspace_relative_uses(src: Source) -> list[str]:
    """`./` resolves in whatever the workspace holds (in a reusable workflow: the caller's
    checkout); this project's own actions are referenced as `$/`, at the running commit."""
    return [f"{where}: workspace-relative `uses: {ref}`; use `$/{ref[2:]}`"
            for where, ref in src.uses() if ref.startswith("./")]


def job_timeout(src: Source) -> list[str]:
    """Every job has a timeout (a job calling a reusable workflow cannot have one)."""
    return [f"jobs.{job_id}: no timeout-minutes" for job_id, job in src.jobs().items()
            if "uses" not in job and "timeout-minutes" not in job]


def job_concurrency(src: Source) -> list[str]:
    """Every job has a concurrency group, so that runs of one PR or ref do not pile up."""
    return [f"jobs.{job_id}: no concurrency" for job_id, job in src.jobs().items()
            if "concurrency" not in job]


def dangerous_triggers_reviewed(src: Source) -> list[str]:
    """A trigger that runs with the repository's token on others' input carries zizmor's ignore
    comment with the reason it is safe, on the trigger's own line: the mark of a review."""
    triggers = src.triggers()
    names = [triggers] if isinstance(triggers, str) else list(triggers or [])
    problems = []
    for name in DANGEROUS_TRIGGERS.intersection(names):
        lines = [line for line in src.text.splitlines()
                 if re.search(rf"\b{name}\b", line.split("#", 1)[0])]
        if not any(REVIEWED.search(line) for line in lines):
            problems.append(f"on.{name}: no `# zizmor: ignore[dangerous-triggers] -- <reason>`")
    return problems


RULES: dict[str, Rule] = {
    rule.__name__: rule
    for rule in (
        top_level_permissions,
        job_permissions,
        no_pr_checkout,
        no_untrusted_expressions_in_run,
        uses_pinned_to_sha,
        uses_version_comment,
        checkout_without_credentials,
        no_workspace_relative_uses,
        job_timeout,
        job_concurrency,
        dangerous_triggers_reviewed,
    )
}


# --- the project's files -------------------------------------------------------------------------


def project_files() -> list[Path]:
    files = [*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml"),
             *ACTIONS.glob("*/action.yml"), *ACTIONS.glob("*/action.yaml")]
    return sorted(files)


def project_source(path: Path) -> Source:
    return Source(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))


def test_the_files_are_found() -> None:
    names = {project_source(path).name for path in project_files()}
    assert {
        ".github/workflows/check.yml",
        ".github/workflows/commands.yml",
        ".github/workflows/nightly.yml",
        ".github/workflows/tally.yml",
        ".github/workflows/check-wif.yml",
        ".github/workflows/commands-wif.yml",
        ".github/workflows/nightly-wif.yml",
        ".github/workflows/tally-wif.yml",
        ".github/workflows/ci.yml",
        ".github/workflows/release.yml",
        "actions/setup/action.yml",
        "actions/check/action.yml",
        "actions/command/action.yml",
        "actions/sync/action.yml",
        "actions/tally/action.yml",
    } <= names


@pytest.mark.parametrize("path", project_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
@pytest.mark.parametrize("rule", RULES.values(), ids=list(RULES))
def test_rule_holds(rule: Rule, path: Path) -> None:
    assert rule(project_source(path)) == []


# --- bad files, one per rule ---------------------------------------------------------------------

CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1"


REVIEWED_TARGET = "pull_request_target # zizmor: ignore[dangerous-triggers] -- case"


def workflow(steps: str, *, permissions: str = "{}", job: str | None = None,
             on: str = REVIEWED_TARGET) -> str:
    """A workflow that passes every rule, except for what the arguments change."""
    if job is None:
        job = "permissions: {}\ntimeout-minutes: 5\nconcurrency: case\n"
    return (
        "name: case\n"
        f"on: {on}\n"
        f"permissions: {permissions}\n"
        "jobs:\n"
        "  case:\n"
        "    runs-on: ubuntu-latest\n"
        + textwrap.indent(textwrap.dedent(job), "    ")
        + "    steps:\n"
        + textwrap.indent(textwrap.dedent(steps), "      ")
    )


def action(steps: str) -> str:
    """A composite action that passes every rule, except for its steps."""
    return (
        "name: case\n"
        "description: case\n"
        "runs:\n"
        "  using: composite\n"
        "  steps:\n"
        + textwrap.indent(textwrap.dedent(steps), "    ")
    )


GOOD_STEPS = f"""\
    - uses: {CHECKOUT}
      with:
        persist-credentials: false
    - uses: $/actions/setup
    - env:
        TITLE: ${{{{ github.event.pull_request.title }}}}
      run: printf '%s\\n' "$TITLE"
"""

GOOD = {
    "workflow.yml": workflow(GOOD_STEPS),
    "read-only.yml": workflow(GOOD_STEPS, permissions="{contents: read}"),
    "reviewed-comment.yml": workflow(GOOD_STEPS, on=(
        "\n  issue_comment: # zizmor: ignore[dangerous-triggers] -- the comment is data\n"
        "    types: [created]")),
    "harmless-trigger.yml": workflow(GOOD_STEPS, on="[schedule, workflow_dispatch]"),
    "actions/good/action.yml": action("""\
        - shell: bash
          env:
            CONFIG: ${{ inputs.config }}
          run: echo "$CONFIG"
        """),
}

# (rule, file name, text): the text breaks exactly that rule.
BAD: list[tuple[str, str, str]] = [
    ("top_level_permissions", "no-permissions.yml",
     workflow(GOOD_STEPS).replace("permissions: {}\njobs:", "jobs:")),
    ("top_level_permissions", "write-all.yml", workflow(GOOD_STEPS, permissions="write-all")),
    ("top_level_permissions", "top-write.yml",
     workflow(GOOD_STEPS, permissions="{contents: read, statuses: write}")),
    ("job_permissions", "job-without-permissions.yml",
     workflow(GOOD_STEPS, job="timeout-minutes: 5\nconcurrency: case\n")),
    ("no_pr_checkout", "checkout-head-sha.yml", workflow(f"""\
        - uses: {CHECKOUT}
          with:
            ref: ${{{{ github.event.pull_request.head.sha }}}}
            persist-credentials: false
        """)),
    ("no_pr_checkout", "checkout-head-repo.yml", workflow(f"""\
        - uses: {CHECKOUT}
          with:
            repository: ${{{{ github.event.pull_request.head.repo.full_name }}}}
            persist-credentials: false
        """)),
    ("no_pr_checkout", "checkout-head-ref.yml", workflow(f"""\
        - uses: {CHECKOUT}
          with:
            ref: ${{{{ github.head_ref }}}}
            persist-credentials: false
        """)),
    ("no_pr_checkout", "allow-unsafe.yml", workflow(f"""\
        - uses: {CHECKOUT}
          with:
            allow-unsafe-pr-checkout: true
            persist-credentials: false
        """)),
    ("no_pr_checkout", "gh-pr-checkout.yml", workflow("""\
        - env:
            GH_TOKEN: ${{ github.token }}
            NUMBER: ${{ github.event.pull_request.number }}
          run: gh pr checkout "$NUMBER"
        """)),
    ("no_pr_checkout", "fetch-refs-pull.yml", workflow("""\
        - env:
            NUMBER: ${{ github.event.pull_request.number }}
          run: git fetch origin "refs/pull/$NUMBER/head" && git checkout FETCH_HEAD
        """)),
    ("no_pr_checkout", "actions/fetch-pull/action.yml", action("""\
        - shell: bash
          run: git fetch origin pull/1/head
        """)),
    ("no_untrusted_expressions_in_run", "title-in-run.yml", workflow("""\
        - run: echo "${{ github.event.pull_request.title }}"
        """)),
    ("no_untrusted_expressions_in_run", "body-in-run.yml", workflow("""\
        - run: |
            cat <<'EOF'
            ${{ github.event.pull_request.body }}
            EOF
        """)),
    ("no_untrusted_expressions_in_run", "comment-in-run.yml", workflow("""\
        - run: echo "${{ github.event.comment.body }}"
        """)),
    ("no_untrusted_expressions_in_run", "head-ref-in-run.yml", workflow("""\
        - run: echo "${{github.head_ref}}"
        """)),
    ("no_untrusted_expressions_in_run", "head-label-in-run.yml", workflow("""\
        - run: echo "${{ github.event.pull_request.head.label }}"
        """)),
    ("no_untrusted_expressions_in_run", "actions/input-in-run/action.yml", action("""\
        - shell: bash
          run: python -m extracredit check --config "${{ inputs.config }}"
        """)),
    ("uses_pinned_to_sha", "tag.yml", workflow("""\
        - uses: actions/setup-python@v7.0.0 # v7.0.0
        """)),
    ("uses_pinned_to_sha", "short-sha.yml", workflow("""\
        - uses: actions/setup-python@5fda3b9 # v7.0.0
        """)),
    ("uses_pinned_to_sha", "branch.yml", workflow("""\
        - uses: google-github-actions/auth@main # v3.0.0
        """)),
    ("uses_pinned_to_sha", "reusable-workflow-tag.yml",
     f"name: case\non: {REVIEWED_TARGET}\npermissions: {{}}\njobs:\n  call:\n"
     "    permissions: {}\n    concurrency: case\n"
     "    uses: nyu-dl/extracredit/.github/workflows/check.yml@v0.1.0 # v0.1.0\n"),
    ("uses_pinned_to_sha", "docker-tag.yml", workflow("""\
        - uses: docker://alpine:3.20
        """)),
    ("uses_pinned_to_sha", "actions/unpinned/action.yml", action("""\
        - uses: actions/setup-python@v7 # v7.0.0
        """)),
    ("uses_version_comment", "no-comment.yml", workflow("""\
        - uses: actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97
        """)),
    ("uses_version_comment", "vague-comment.yml", workflow("""\
        - uses: actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97 # v7
        """)),
    ("checkout_without_credentials", "persisted.yml", workflow(f"""\
        - uses: {CHECKOUT}
        """)),
    ("checkout_without_credentials", "persisted-explicitly.yml", workflow(f"""\
        - uses: {CHECKOUT}
          with:
            persist-credentials: true
        """)),
    ("no_workspace_relative_uses", "dot-slash.yml", workflow(f"""\
        - uses: {CHECKOUT}
          with:
            persist-credentials: false
        - uses: ./actions/setup
        """)),
    ("no_workspace_relative_uses", "actions/nested/action.yml", action("""\
        - uses: ./actions/setup
        """)),
    ("job_timeout", "no-timeout.yml",
     workflow(GOOD_STEPS, job="permissions: {}\nconcurrency: case\n")),
    ("job_concurrency", "no-concurrency.yml",
     workflow(GOOD_STEPS, job="permissions: {}\ntimeout-minutes: 5\n")),
    ("dangerous_triggers_reviewed", "unreviewed-target.yml",
     workflow(GOOD_STEPS, on="pull_request_target")),
    ("dangerous_triggers_reviewed", "unreviewed-comment.yml",
     workflow(GOOD_STEPS, on="\n  issue_comment:\n    types: [created]")),
    ("dangerous_triggers_reviewed", "reason-missing.yml",
     workflow(GOOD_STEPS, on="[workflow_run] # zizmor: ignore[dangerous-triggers]")),
]


def test_every_rule_has_a_bad_case() -> None:
    assert {rule for rule, _, _ in BAD} == set(RULES)


@pytest.mark.parametrize("name", list(GOOD))
def test_good_cases_pass_every_rule(name: str) -> None:
    src = Source(name, GOOD[name])
    assert {rule: problems for rule, check in RULES.items() if (problems := check(src))} == {}


@pytest.mark.parametrize(("rule", "name", "text"), BAD, ids=[f"{r}-{n}" for r, n, _ in BAD])
def test_rule_catches_its_bad_case(rule: str, name: str, text: str) -> None:
    src = Source(name, text)
    failing = {other for other, check in RULES.items() if check(src)}
    assert failing == {rule}


# --- what the course repository and the callers rely on ------------------------------------------


def load_yaml(relative: str) -> Any:
    return yaml.safe_load((ROOT / relative).read_text(encoding="utf-8"))


def test_course_configuration_is_the_design() -> None:
    assert load_yaml(".github/extra-credit.yml") == {
        "course": "Deep Learning, Fall 2023",
        "tag": "DLFL23",
        "timezone": "America/New_York",
        "window": {"opens": date(2023, 9, 5), "closes": date(2023, 12, 15)},
        "cap": 5,
        "kinds": {
            "typo": {"credit": 0.5},
            "bug": {"credit": 1},
            "material": {"credit": 1.5},
            "translation": {"credit": 0},
        },
        "claims": {"required": True, "expire_after_days": 14},
        "repos": ["Atcold/NYU-DLFL23"],
        "labels": {
            "accepted": "extra-credit: accepted",
            "rejected": ["extra-credit: rejected", "spam", "invalid"],
        },
        "registry": {"backend": "files", "path": "registry/demo"},
    }


def test_check_workflow_interface() -> None:
    src = project_source(WORKFLOWS / "check.yml")
    call = src.triggers()["workflow_call"]
    assert set(call) == {"inputs", "secrets", "outputs"}
    assert call["inputs"]["config"]["default"] == ".github/extra-credit.yml"
    assert call["inputs"]["dry-run"] == {**call["inputs"]["dry-run"],
                                         "type": "boolean", "default": False}
    assert call["secrets"]["google-credentials"]["required"] is False
    assert set(call["outputs"]) == {"title", "claim", "claim-id"}


def test_check_job_permissions_are_the_minimum() -> None:
    (job,) = project_source(WORKFLOWS / "check.yml").jobs().values()
    assert job["permissions"] == {
        "contents": "read",
        "statuses": "write",
        "pull-requests": "write",
    }
    assert job["concurrency"]["cancel-in-progress"] is True


def test_check_workflow_runs_this_projects_actions_at_the_pinned_commit() -> None:
    (job,) = project_source(WORKFLOWS / "check.yml").jobs().values()
    uses = [step.get("uses", "") for step in job["steps"]]
    assert "$/actions/setup" in uses
    assert "$/actions/check" in uses
    # The only checkout is the course repository at the event's default ref: no ref, no
    # repository, nothing of the pull request.
    checkouts = [step for step in job["steps"] if is_checkout(step)]
    assert [set(step["with"]) for step in checkouts] == [{"persist-credentials"}]


def test_check_action_maps_outputs_and_reads_inputs_from_env() -> None:
    doc = project_source(ACTIONS / "check" / "action.yml").doc
    assert set(doc["inputs"]) == {
        "config", "registry", "dry-run", "github-token", "google-credentials"}
    assert doc["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert {name: out["value"] for name, out in doc["outputs"].items()} == {
        "title": "${{ steps.check.outputs.title }}",
        "claim": "${{ steps.check.outputs.claim }}",
        "claim-id": "${{ steps.check.outputs.claim-id }}",
    }
    (step,) = doc["runs"]["steps"]
    assert "${{" not in step["run"]
    assert set(step["env"].values()) >= {f"${{{{ inputs.{name} }}}}" for name in doc["inputs"]}
    assert "python -P -m extracredit" in step["run"]


REQUIREMENT = re.compile(r"^([A-Za-z0-9_.-]+)(\[[\w,]+\])?==(\S+) \\$")


def test_setup_requirements_are_exact_pins_with_hashes() -> None:
    text = (ACTIONS / "setup" / "requirements.txt").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    pins: dict[str, str] = {}
    hashes: dict[str, int] = {}
    current = ""
    for line in lines:
        if match := REQUIREMENT.match(line):
            current = match.group(1).lower().replace("_", "-")
            pins[current] = match.group(3)
            hashes[current] = 0
        else:
            assert re.fullmatch(r"    --hash=sha256:[0-9a-f]{64}( \\)?", line), line
            hashes[current] += 1
    assert all(count > 0 for count in hashes.values()), hashes
    assert {"pygithub": "2.10.0", "gspread": "6.2.1"}.items() <= pins.items()
    assert {"google-auth", "pyyaml", "requests", "setuptools"} <= set(pins)


# --- the registry workflows: commands, nightly sync, tally ---------------------------------------

AUTH = "google-github-actions/auth@7c6bc770dae815cd3e89ee6cdf493a5fab2cc093"
DEFAULT_BRANCH = "${{ github.event.repository.default_branch }}"
REGISTRY_GROUP = "extracredit-registry-${{ github.repository }}"
GOOGLE_INPUTS = {"workload-identity-provider", "service-account"}
# The workflow, its one job, the job's permissions, and the composite action it runs.
REGISTRY_WORKFLOWS = {
    "commands.yml": ("command", {"contents": "read", "statuses": "write",
                                 "pull-requests": "write"}),
    "nightly.yml": ("sync", {"contents": "read", "statuses": "write", "pull-requests": "write"}),
    "tally.yml": ("tally", {"contents": "read", "pull-requests": "read"}),
}


def only_job(name: str) -> dict[str, Any]:
    (job,) = project_source(WORKFLOWS / name).jobs().values()
    return job


@pytest.mark.parametrize("name", list(REGISTRY_WORKFLOWS))
def test_registry_workflow_interface(name: str) -> None:
    call = project_source(WORKFLOWS / name).triggers()["workflow_call"]
    assert set(call) == {"inputs", "secrets"}
    assert call["inputs"]["config"]["default"] == ".github/extra-credit.yml"
    assert not set(call["inputs"]) & GOOGLE_INPUTS  # those are the -wif workflow's
    assert call["secrets"] == {"google-credentials": {**call["secrets"]["google-credentials"],
                                                      "required": False}}


@pytest.mark.parametrize("name", list(REGISTRY_WORKFLOWS))
def test_registry_job_permissions_are_the_minimum(name: str) -> None:
    _, permissions = REGISTRY_WORKFLOWS[name]
    assert only_job(name)["permissions"] == permissions


@pytest.mark.parametrize("name", list(REGISTRY_WORKFLOWS))
def test_registry_workflow_steps(name: str) -> None:
    """Checkout of the default branch, then this project's actions at the pinned commit, with
    every input passed through; no Google step (the key is the action's input)."""
    action, _ = REGISTRY_WORKFLOWS[name]
    steps = only_job(name)["steps"]
    uses = [step.get("uses", "") for step in steps]
    checkout = uses.index(CHECKOUT.split(" ")[0])
    assert checkout < uses.index("$/actions/setup") < uses.index(f"$/actions/{action}")
    assert AUTH not in uses
    assert steps[checkout]["with"] == {"ref": DEFAULT_BRANCH, "persist-credentials": False}
    (run,) = [step for step in steps if step.get("uses") == f"$/actions/{action}"]
    assert run["with"]["config"] == "${{ inputs.config }}"
    assert run["with"]["google-credentials"] == "${{ secrets.google-credentials }}"
    inputs = project_source(ACTIONS / action / "action.yml").doc["inputs"]
    assert set(run["with"]) <= set(inputs)


KEYED = ("check.yml", "commands.yml", "nightly.yml", "tally.yml")


def keyed_from_wif(doc: dict[Any, Any]) -> dict[Any, Any]:
    """A -wif workflow with its Google-by-WIF parts taken out and the key passed to the action:
    what the keyed workflow of the same name must be, but for its name and its secret."""
    doc = yaml.safe_load(yaml.safe_dump(doc))  # a deep copy
    call = doc[True]["workflow_call"]
    for key in GOOGLE_INPUTS:
        del call["inputs"][key]
    doc.pop("name")
    (job,) = doc["jobs"].values()
    del job["permissions"]["id-token"]
    job["steps"] = [step for step in job["steps"] if step.get("uses") != AUTH]
    (run,) = [step for step in job["steps"] if str(step.get("uses", "")).startswith("$/actions/")
              and step["uses"] != "$/actions/setup"]
    run["with"]["google-credentials"] = "${{ secrets.google-credentials }}"
    return doc


@pytest.mark.parametrize("name", KEYED)
def test_wif_workflow_is_the_keyed_one_with_google_by_wif(name: str) -> None:
    """Two files per job (GitHub checks a called job's permissions against the caller's grant
    before any `if:`, so only a workflow of its own can ask for `id-token: write`), held equal but
    for the Google route: WIF inputs required, the auth step right after the checkout, no secret."""
    keyed = project_source(WORKFLOWS / name)
    wif = project_source(WORKFLOWS / name.replace(".yml", "-wif.yml"))
    call = wif.triggers()["workflow_call"]
    assert "secrets" not in call
    assert all(call["inputs"][key] == {**call["inputs"][key], "type": "string", "required": True}
               for key in GOOGLE_INPUTS)
    (job,) = wif.jobs().values()
    assert job["permissions"]["id-token"] == "write"
    uses = [step.get("uses", "") for step in job["steps"]]
    auth = uses.index(AUTH)
    assert uses[auth - 1] == CHECKOUT.split(" ")[0]
    assert job["steps"][auth]["with"] == {
        "workload_identity_provider": "${{ inputs.workload-identity-provider }}",
        "service_account": "${{ inputs.service-account }}",
    }
    assert "if" not in job["steps"][auth]
    expected = yaml.safe_load(yaml.safe_dump(keyed.doc))
    expected.pop("name")
    assert set(expected[True]["workflow_call"].pop("secrets")) == {"google-credentials"}
    assert keyed_from_wif(wif.doc) == expected
    assert wif.doc["name"] == f"{keyed.doc['name']} (WIF)"


@pytest.mark.parametrize("path", project_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_id_token_only_in_jobs_that_authenticate_to_google(path: Path) -> None:
    src = project_source(path)
    for job_id, job in src.jobs().items():
        asks = (job.get("permissions") or {}).get("id-token") == "write"
        authenticates = any(step.get("uses") == AUTH for step in job.get("steps") or [])
        assert asks is authenticates, f"{src.name}: jobs.{job_id}"


def test_registry_concurrency() -> None:
    """The nightly sync is the registry's one writer: one non-cancelling group. A /credit runs
    per PR, in order, none dropped, beside it (an atomic keyed append to the Ledger, which the
    sync only reads); the tally has its own group (its approval wait would stall the sync)."""
    command, sync, tally = (only_job(name)["concurrency"] for name in REGISTRY_WORKFLOWS)
    assert sync == {"group": REGISTRY_GROUP, "cancel-in-progress": False}
    assert command == {
        "group": "extracredit-command-${{ github.repository }}-"
                 "${{ github.event.issue.number || github.run_id }}",
        "cancel-in-progress": False,
        "queue": "max",
    }
    assert tally["cancel-in-progress"] is False
    assert len({command["group"], sync["group"], tally["group"]}) == 3
    check = only_job("check.yml")["concurrency"]["group"]
    assert all(not group.startswith(check.split("$")[0])
               for group in (command["group"], sync["group"], tally["group"]))


def test_tally_runs_in_a_protected_environment_and_uploads_nothing() -> None:
    src = project_source(WORKFLOWS / "tally.yml")
    call = src.triggers()["workflow_call"]
    assert call["inputs"]["environment"]["default"] == "extra-credit-grading"
    assert only_job("tally.yml")["environment"] == "${{ inputs.environment }}"
    first = only_job("tally.yml")["steps"][0]
    assert (first["if"], first["run"].splitlines()[-1]) == ("inputs.environment == ''", "exit 2")
    action = project_source(ACTIONS / "tally" / "action.yml")
    for source in (src, action):
        assert [ref for _, ref in source.uses() if "upload-artifact" in ref] == []
        assert "upload-artifact" not in source.text
    # The per-student CSV files go to a private temporary folder, removed when the step ends.
    (step,) = action.doc["runs"]["steps"]
    assert 'mktemp -d "${RUNNER_TEMP' in step["run"]
    assert "trap 'rm -rf -- \"$out\"' EXIT" in step["run"]
    assert '--out "$out"' in step["run"]


def test_nothing_is_uploaded_anywhere() -> None:
    """Logs, summaries and artifacts of a public repository are public: no job uploads."""
    for path in project_files():
        assert [ref for _, ref in project_source(path).uses() if "upload-artifact" in ref] == []


# The composite actions: inputs via env only, the package run with -P.
ACTION_INPUTS = {
    "check": {"config", "registry", "dry-run", "github-token", "google-credentials"},
    "command": {"config", "registry", "github-token", "google-credentials"},
    "sync": {"config", "registry", "recheck", "prs-cache", "github-token", "google-credentials"},
    "tally": {"config", "registry", "github-token", "google-credentials"},
}


@pytest.mark.parametrize("name", list(ACTION_INPUTS))
def test_action_reads_inputs_from_env(name: str) -> None:
    doc = project_source(ACTIONS / name / "action.yml").doc
    assert set(doc["inputs"]) == ACTION_INPUTS[name]
    assert doc["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert doc["inputs"]["google-credentials"]["default"] == ""
    (step,) = doc["runs"]["steps"]
    assert "${{" not in step["run"]
    assert set(step["env"].values()) >= {f"${{{{ inputs.{key} }}}}" for key in doc["inputs"]}
    assert step["env"]["GITHUB_TOKEN"] == "${{ inputs.github-token }}"
    assert step["env"]["EXTRACREDIT_GOOGLE_CREDENTIALS"] == "${{ inputs.google-credentials }}"
    assert "python -P -m extracredit" in step["run"]
    assert re.search(rf"args=\({'command' if name == 'command' else name} ", step["run"])


def test_nightly_keeps_the_pr_cache_between_runs() -> None:
    steps = project_source(WORKFLOWS / "nightly.yml").doc["jobs"]["sync"]["steps"]
    uses = [step.get("uses", "") for step in steps]
    restore = next(i for i, u in enumerate(uses) if u.startswith("actions/cache/restore@"))
    sync = uses.index("$/actions/sync")
    save = next(i for i, u in enumerate(uses) if u.startswith("actions/cache/save@"))
    assert restore < sync < save
    path = steps[sync]["with"]["prs-cache"]
    assert steps[restore]["with"]["path"] == steps[save]["with"]["path"] == path
    # Each run saves a new entry (one cannot be overwritten); the newest is restored.
    assert steps[save]["with"]["key"] == "extracredit-prs-${{ github.run_id }}"
    assert steps[restore]["with"]["restore-keys"] == "extracredit-prs-"


def test_sync_action_rechecks_by_default() -> None:
    doc = project_source(ACTIONS / "sync" / "action.yml").doc
    assert doc["inputs"]["recheck"]["default"] == "true"
    assert "args+=(--recheck)" in doc["runs"]["steps"][0]["run"]
    call = project_source(WORKFLOWS / "nightly.yml").triggers()["workflow_call"]
    assert call["inputs"]["recheck"] == {**call["inputs"]["recheck"], "type": "boolean",
                                         "default": True}


# --- the commands job's `if:`, evaluated ---------------------------------------------------------

TOKEN = re.compile(r"\s*(?:(?P<op>&&|\|\||==|!=|[()!,])|'(?P<string>(?:[^']|'')*)'"
                   r"|(?P<name>[A-Za-z_][\w.-]*))")


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    """The few forms of GitHub's expression language the `if:`s here use: property paths,
    'strings', ==, !=, !, &&, ||, parentheses and startsWith (case-insensitive, as GitHub's)."""
    tokens: list[tuple[str, str]] = []
    position, expression = 0, expression.strip()
    while position < len(expression):
        match = TOKEN.match(expression, position)
        assert match, f"cannot read {expression[position:]!r}"
        kind = match.lastgroup or ""
        tokens.append((kind, match[kind].replace("''", "'") if kind == "string" else match[kind]))
        position = match.end()
    tokens.append(("end", ""))
    at = 0

    def take(expected: str | None = None) -> tuple[str, str]:
        nonlocal at
        token = tokens[at]
        assert expected is None or token[1] == expected, (token, expected)
        at += 1
        return token

    def either() -> Any:
        value = both()
        while tokens[at][1] == "||":
            take()
            other = both()
            value = value or other
        return value

    def both() -> Any:
        value = compare()
        while tokens[at][1] == "&&":
            take()
            other = compare()
            value = value and other
        return value

    def compare() -> Any:
        value = unary()
        if tokens[at][1] in ("==", "!="):
            op, other = take()[1], unary()
            same = str(value).lower() == str(other).lower()
            return same if op == "==" else not same
        return value

    def unary() -> Any:
        if tokens[at][1] == "!":
            take()
            return not unary()
        kind, text = take()
        if text == "(":
            value = either()
            take(")")
            return value
        if kind == "string":
            return text
        assert kind == "name", (kind, text)
        if tokens[at][1] == "(":
            take("(")
            args = [either()]
            while tokens[at][1] == ",":
                take()
                args.append(either())
            take(")")
            assert text.lower() == "startswith", text
            return str(args[0] or "").lower().startswith(str(args[1]).lower())
        value: Any = context
        for part in text.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value

    result = either()
    assert tokens[at][0] == "end", tokens[at:]
    return result


def comment_event(body: str, *, on_pr: bool = True, action: str = "created") -> dict[str, Any]:
    issue: dict[str, Any] = {"number": 7}
    if on_pr:
        issue["pull_request"] = {"url": "https://api.github.com/repos/o/r/pulls/7"}
    return {"github": {"event_name": "issue_comment",
                       "event": {"action": action, "issue": issue, "comment": {"body": body}}}}


COMMAND_CASES = [
    ("/credit accept", {}, True),
    ("/credit 1.5 great notes", {}, True),
    ("/CREDIT reject", {}, True),
    ("/recheck", {}, True),
    ("/recheck\nplease", {}, True),
    ("/credit accept", {"on_pr": False}, False),  # a comment on an issue, not a PR
    ("/recheck", {"on_pr": False}, False),
    ("/credit accept", {"action": "edited"}, False),
    ("thanks! /credit accept", {}, False),  # a command must start the comment
    ("Looks good", {}, False),
    ("", {}, False),
    ("/creditaccept", {}, True),  # the job runs; the program finds no command and says so
]


@pytest.mark.parametrize(("body", "options", "runs"), COMMAND_CASES,
                         ids=[f"{i}-{body[:20]!r}" for i, (body, _, _) in enumerate(COMMAND_CASES)])
def test_commands_job_runs_only_for_commands_on_pull_requests(
        body: str, options: dict[str, Any], runs: bool) -> None:
    condition = only_job("commands.yml")["if"]
    assert "${{" not in condition
    assert bool(evaluate(condition, comment_event(body, **options))) is runs


def test_expression_evaluator() -> None:
    context = {"inputs": {"a": "", "b": "x"}, "github": {"event": {}}}
    assert evaluate("inputs.a != '' && inputs.b == ''", context) is False
    assert evaluate("inputs.b != '' && !(inputs.a)", context) is True
    assert evaluate("github.event.missing || 'it''s'", context) == "it's"
    assert evaluate("startsWith('/Recheck now', '/recheck')", context) is True


# --- the course repository's workflows that `extracredit init` writes -----------------------------

INIT_REF = "0123456789abcdef0123456789abcdef01234567"


def generated(ref: str | None = INIT_REF, **options: Any) -> dict[str, str]:
    from extracredit.jobs import init as initializing

    settings: dict[str, Any] = {"tag": "DLFL23", "repo": "Atcold/NYU-DLFL23", "spreadsheet": None,
                                "staff": None, "ref": ref, "today": date(2023, 8, 1)}
    return initializing.render(**{**settings, **options}).files


def generated_workflows(ref: str | None = INIT_REF, **options: Any) -> dict[str, Source]:
    return {name: Source(name, text) for name, text in generated(ref, **options).items()
            if name.startswith(".github/workflows/")}


CALLERS = {"check": "check", "commands": "command", "nightly": "sync", "tally": "tally"}
SHEETS = {"spreadsheet": "1" * 44, "staff": "2" * 44}
WIF_PROVIDER = "projects/123456789/locations/global/workloadIdentityPools/github/providers/course"
WIF_ACCOUNT = "extracredit@nyu-dlfl23.iam.gserviceaccount.com"
INIT_ROUTES: dict[str, dict[str, Any]] = {
    "files": {},
    "sheets-key": SHEETS,
    "sheets-wif": {**SHEETS, "wif": Wif(provider=WIF_PROVIDER, service_account=WIF_ACCOUNT)},
}
INIT_OPTIONS = list(INIT_ROUTES.values())


def test_init_writes_four_callers() -> None:
    assert sorted(generated_workflows()) == [
        f".github/workflows/extra-credit-{name}.yml" for name in sorted(CALLERS)]


@pytest.mark.parametrize("options", INIT_OPTIONS, ids=list(INIT_ROUTES))
@pytest.mark.parametrize("rule", RULES.values(), ids=list(RULES))
def test_rule_holds_for_the_generated_workflows(rule: Rule, options: dict[str, Any]) -> None:
    for src in generated_workflows(**options).values():
        assert rule(src) == [], src.name


def test_generated_workflows_name_the_placeholder_until_pinned() -> None:
    """Without --ref the workflows say <full commit SHA>: the pin rule, and GitHub, refuse it."""
    for src in generated_workflows(ref=None).values():
        failing = {name for name, check in RULES.items() if check(src)}
        assert failing == {"uses_pinned_to_sha"}, src.name
        assert "@<full commit SHA> # v" in src.text


@pytest.mark.parametrize("route", ["sheets-key", "sheets-wif"])
@pytest.mark.parametrize("name", list(CALLERS))
def test_generated_caller_grants_exactly_what_the_called_job_asks(name: str, route: str) -> None:
    """The caller's grant is the ceiling of the called workflow: the same set, no more. With a
    key, the keyed workflow and the secret; with WIF, the -wif workflow, `id-token: write` and
    the provider and account as inputs, and no secret."""
    src = generated_workflows(**INIT_ROUTES[route])[f".github/workflows/extra-credit-{name}.yml"]
    called = f"{name}-wif.yml" if route == "sheets-wif" else f"{name}.yml"
    assert src.doc["permissions"] == {}
    (job,) = src.jobs().values()
    assert job["uses"] == f"nyu-dl/extracredit/.github/workflows/{called}@{INIT_REF}"
    assert job["permissions"] == only_job(called)["permissions"]
    call = project_source(WORKFLOWS / called).triggers()["workflow_call"]
    given = job.get("with") or {}
    assert set(given) <= set(call["inputs"])
    assert {key for key, spec in call["inputs"].items() if spec.get("required")} <= set(given)
    if route == "sheets-wif":
        assert "secrets" not in job
        assert {key: given[key] for key in GOOGLE_INPUTS} == {
            "workload-identity-provider": WIF_PROVIDER, "service-account": WIF_ACCOUNT}
        assert "EXTRACREDIT_GOOGLE_CREDENTIALS" not in src.text
    else:
        assert set(job["secrets"]) <= set(call["secrets"])
        assert job["secrets"]["google-credentials"] == (
            "${{ secrets.EXTRACREDIT_GOOGLE_CREDENTIALS }}")
        assert "id-token" not in src.text
    # The caller's group differs from the called job's, which would otherwise wait for itself.
    assert job["concurrency"]["group"] != only_job(called)["concurrency"]["group"]
    assert job["concurrency"]["cancel-in-progress"] is (name == "check")


def test_generated_triggers() -> None:
    sources = generated_workflows()
    triggers = {path.split("extra-credit-")[1][:-4]: src.triggers() for path, src in sources.items()}
    assert triggers["check"] == {"pull_request_target": {
        "types": ["opened", "reopened", "synchronize", "ready_for_review", "edited"]}}
    assert triggers["commands"] == {"issue_comment": {"types": ["created"]}}
    assert set(triggers["nightly"]) == {"schedule", "workflow_dispatch"}
    assert triggers["tally"] == {"workflow_dispatch": None}
    (tally,) = sources[".github/workflows/extra-credit-tally.yml"].jobs().values()
    assert tally["with"]["environment"] == "extra-credit-grading"


@pytest.mark.parametrize(("body", "options", "runs"), COMMAND_CASES,
                         ids=[f"{i}-{body[:20]!r}" for i, (body, _, _) in enumerate(COMMAND_CASES)])
def test_generated_commands_caller_filters_like_the_called_job(
        body: str, options: dict[str, Any], runs: bool) -> None:
    (job,) = generated_workflows()[".github/workflows/extra-credit-commands.yml"].jobs().values()
    context = comment_event(body, **options)
    if options.get("action") == "edited":
        runs = True  # the caller listens to `created` only; the called job checks again
    assert bool(evaluate(job["if"], context)) is runs


def zizmor() -> Path | None:
    for folder in (Path(sys.executable).parent, ROOT / ".venv" / "bin"):
        if (folder / "zizmor").is_file():
            return folder / "zizmor"
    found = shutil.which("zizmor")
    return Path(found) if found else None


@pytest.mark.parametrize("options", INIT_OPTIONS, ids=list(INIT_ROUTES))
def test_zizmor_passes_a_generated_course_repository(tmp_path: Path,
                                                     options: dict[str, Any]) -> None:
    program = zizmor()
    if program is None:
        pytest.skip("zizmor is not installed")
    for name, text in generated(**options).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = subprocess.run(
        [str(program), "--offline", "--pedantic", "--no-progress", "--no-config",
         str(tmp_path / ".github")],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
