"""Pull request events that cannot change a verdict skip the check job, before any runner starts.

An `edited` event counts only when it changed the title, the body or the base branch (which
changes the PR's files). The condition is evaluated on real-shaped event payloads, for the caller
that `extracredit init` writes and for the reusable check workflow it calls.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_workflows import WORKFLOWS, evaluate, generated_workflows, project_source


def pr_event(action: str, changes: dict[str, Any] | None = None,
             name: str = "pull_request_target") -> dict[str, Any]:
    event: dict[str, Any] = {"action": action, "number": 7, "pull_request": {"number": 7}}
    if changes is not None:
        event["changes"] = changes
    return {"github": {"event_name": name, "event": event}}


PR_CASES = [
    ("opened", None, True),
    ("reopened", None, True),
    ("synchronize", None, True),
    ("ready_for_review", None, True),
    ("edited", {"title": {"from": "[DLFL23] typo"}}, True),
    ("edited", {"body": {"from": "old plan"}}, True),
    ("edited", {"body": {"from": ""}}, True),  # a body written where there was none
    ("edited", {"base": {"ref": {"from": "dev"}, "sha": {"from": "a" * 40}}}, True),
    ("edited", {"title": {"from": "x"}, "body": {"from": "y"}}, True),
    ("edited", {}, False),
    ("edited", None, False),
]
PR_IDS = [f"{action}-{'+'.join(changes or {}) or 'nothing'}" for action, changes, _ in PR_CASES]


def check_caller_condition() -> str:
    (job,) = generated_workflows()[".github/workflows/extra-credit-check.yml"].jobs().values()
    condition: str = job["if"]
    return condition


def check_workflow_condition() -> str:
    (job,) = project_source(WORKFLOWS / "check.yml").jobs().values()
    condition: str = job["if"]
    return condition


@pytest.mark.parametrize(("action", "changes", "runs"), PR_CASES, ids=PR_IDS)
def test_the_generated_caller_skips_edits_that_change_nothing_checked(
        action: str, changes: dict[str, Any] | None, runs: bool) -> None:
    assert bool(evaluate(check_caller_condition(), pr_event(action, changes))) is runs


@pytest.mark.parametrize("name", ["pull_request_target", "pull_request"])
@pytest.mark.parametrize(("action", "changes", "runs"), PR_CASES, ids=PR_IDS)
def test_the_check_workflow_skips_them_too(action: str, changes: dict[str, Any] | None,
                                           runs: bool, name: str) -> None:
    assert bool(evaluate(check_workflow_condition(), pr_event(action, changes, name))) is runs


@pytest.mark.parametrize(("name", "action"), [
    ("issue_comment", "edited"),  # an edited comment is not an edited pull request
    ("issue_comment", "created"),
    ("workflow_dispatch", None),
])
def test_the_check_workflow_runs_for_every_other_event(name: str, action: str | None) -> None:
    event: dict[str, Any] = {"issue": {"number": 7, "pull_request": {}}}
    if action is not None:
        event["action"] = action
    context = {"github": {"event_name": name, "event": event}}
    assert bool(evaluate(check_workflow_condition(), context)) is True


@pytest.mark.parametrize("condition", [check_caller_condition, check_workflow_condition],
                         ids=["caller", "check.yml"])
def test_the_condition_is_a_bare_expression(condition: Any) -> None:
    """`if:` takes an expression as is; `${{ }}` around part of it would make a string of it."""
    assert "${{" not in condition()
