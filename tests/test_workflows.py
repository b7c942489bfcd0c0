"""Security rules for the GitHub Actions files: every workflow and composite action of the project.

The check runs on ``pull_request_target`` with a write token, so its files are held to the rules of
DESIGN.md's Security section. Each rule is a function from a parsed file to a list of problems; it
is run on every real file (which must pass) and on a small bad file written to break it (which must
fail that rule, and only that rule, so each case proves its own rule and nothing else).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
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
        ".github/workflows/ci.yml",
        "actions/setup/action.yml",
        "actions/check/action.yml",
    } <= names


@pytest.mark.parametrize("path", project_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
@pytest.mark.parametrize("rule", RULES.values(), ids=list(RULES))
def test_rule_holds(rule: Rule, path: Path) -> None:
    assert rule(project_source(path)) == []


# --- bad files, one per rule ---------------------------------------------------------------------

CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1"


def workflow(steps: str, *, permissions: str = "{}", job: str | None = None) -> str:
    """A workflow that passes every rule, except for what the arguments change."""
    if job is None:
        job = "permissions: {}\ntimeout-minutes: 5\nconcurrency: case\n"
    return (
        "name: case\n"
        "on: pull_request_target\n"
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
     "name: case\non: pull_request_target\npermissions: {}\njobs:\n  call:\n"
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
