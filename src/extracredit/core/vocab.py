"""The project's vocabulary in one place: kinds, statuses, decisions and outcomes, as Literals."""

from __future__ import annotations

from typing import Literal, get_args

# Where a course repository keeps its configuration (every command's --config by default).
DEFAULT_CONFIG_PATH = ".github/extra-credit.yml"

# What a claim is for; each kind's default credit comes from the course configuration.
Kind = Literal["typo", "bug", "material", "translation"]
KINDS: tuple[Kind, ...] = get_args(Kind)

# Where a claim stands (the Claims tab's Status column); a student or TA may type `withdrawn`.
ClaimStatus = Literal["open", "in review", "accepted", "rejected", "expired", "withdrawn"]
STATUSES: tuple[ClaimStatus, ...] = get_args(ClaimStatus)
# Only a withdrawal takes a claim out of the rules: the other statuses are the tool's display for
# the class, derived from PRs and the Ledger, and a cell that says "rejected" decides nothing.
INACTIVE_STATUSES: frozenset[ClaimStatus] = frozenset({"withdrawn"})

# What a Ledger row decides about a PR.
LedgerDecision = Literal["accept", "reject", "credit"]
DECISIONS: tuple[LedgerDecision, ...] = get_args(LedgerDecision)

# A check's verdict on one side (title or claim), and why a PR was not checked at all.
Outcome = Literal["pass", "fail", "error", "skip"]
SkipReason = Literal["bot", "staff", "outsider"]
TitleProblem = Literal["missing", "malformed", "wrong-semester"]
ClaimProblem = Literal["no-claim", "not-covered", "duplicate", "registry-error"]

# The tally: what became of a PR, who decided it, and why a PR earns nothing.
Decision = Literal["accepted", "rejected", "pending", "closed"]
DecidedBy = Literal["ledger", "label", "merge", "state"]
NoCredit = Literal["outside-window", "bad-title", "rejected", "pending", "closed-unmerged",
                   "no-claim", "duplicate", "zero-kind", "already-credited"]
UnmatchedReason = Literal["bot", "staff", "not-a-student", "not-on-roster"]

# What became of a comment the `command` job read (its job summary says which).
CommandOutcome = Literal["not-a-command", "malformed", "rechecked", "refused", "recorded",
                         "already-recorded", "registry-error", "github-error"]

# The problems of a cell that could not be read (as opposed to the lint's findings across rows).
UNREADABLE: frozenset[str] = frozenset({
    "empty", "bad-claim-id", "repeated-claim-id", "bad-time", "bad-login", "bad-kind", "bad-status",
    "formula", "bad-decision", "bad-credit"})

# Why a registry cell or row is a problem for a TA (each rendered by text.problems).
ProblemCode = Literal[
    # a cell that cannot be read
    "empty", "bad-claim-id", "repeated-claim-id", "bad-time", "bad-login", "bad-kind", "bad-status",
    "formula", "bad-decision", "bad-credit", "header-duplicate",
    # a cell that reads, but as a value no course can mean
    "time-out-of-range", "bad-github-id",
    # the lint, across rows
    "claimed-twice", "not-roster-login", "login-on-two-netids", "netid-with-two-logins",
    "target-matches-nothing", "backdated", "changed-after-pr", "duplicate",
    # the claims sheet is hostile: what does not count
    "edited-after-seen", "netid-not-on-roster", "overbroad-target", "target-too-broad",
    "header-unreadable", "vanished",
]

# Why the course configuration cannot be used (each rendered by text.config).
ConfigProblem = Literal[
    "missing", "negative", "key-not-text", "unknown-key", "wrong-type", "bad-tag", "bad-term", "bad-timezone",
    "window-backwards", "over-cap", "bad-repo", "not-for-backend", "bad-backend", "bad-column",
    "not-yaml", "unreadable",
    # bounds: the file, its YAML and its values
    "too-big", "yaml-alias", "too-deep", "out-of-range", "too-precise",
]
