"""What a verdict publishes on a PR: its comment, statuses and labels as a Report."""

from __future__ import annotations

from extracredit.core.verdict import CheckVerdict
from extracredit.text import comment as verdict_words
from extracredit.text.changes import CLAIM_CONTEXT, TITLE_CONTEXT, Report, Status

_STATE = {"pass": "success", "skip": "success", "fail": "failure", "error": "error"}


def build_report(verdict: CheckVerdict, registry_url: str | None = None) -> Report:
    tag_label = verdict.tag
    managed = frozenset({tag_label, verdict_words.LABEL_BAD_TITLE, verdict_words.LABEL_NEEDS_CLAIM,
                         verdict_words.LABEL_DUPLICATE})
    if verdict.skip:
        description = verdict_words.SKIP_DESCRIPTIONS[verdict.skip]
        statuses = (Status(TITLE_CONTEXT, "success", description),
                    Status(CLAIM_CONTEXT, "success", description))
        return Report(None, statuses, frozenset(), managed, verdict.head_sha)
    labels = set()
    labels.add(tag_label if verdict.title.outcome == "pass" else verdict_words.LABEL_BAD_TITLE)
    if verdict.claim.problem in ("no-claim", "not-covered"):
        labels.add(verdict_words.LABEL_NEEDS_CLAIM)
    elif verdict.claim.problem == "duplicate":
        labels.add(verdict_words.LABEL_DUPLICATE)
    statuses = (
        Status(TITLE_CONTEXT, _STATE[verdict.title.outcome],  # type: ignore[arg-type]
               verdict_words.title_description(verdict.title, verdict.tag)),
        Status(CLAIM_CONTEXT, _STATE[verdict.claim.outcome],  # type: ignore[arg-type]
               verdict_words.claim_description(verdict.claim)),
    )
    body = verdict_words.comment_body(verdict, verdict_words.registry_link(registry_url))
    return Report(body, statuses, frozenset(labels), managed, verdict.head_sha)
