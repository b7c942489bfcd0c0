"""The tally: each student's extra credit from the PRs, the registry and the rules, in Decimal."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext
from typing import Literal

from extracredit.core.claims import carried_claims
from extracredit.core.config import Config, Labels
from extracredit.core.holds import claim_activity, find_duplicates
from extracredit.core.identity import build_directory
from extracredit.core.ledger import latest_ledger, pull_key, pull_key_of
from extracredit.core.model import STAFF_ASSOCIATIONS, Claim, LedgerEntry, PullRequest, Registry
from extracredit.core.titles import titles_passing
from extracredit.core.vocab import KINDS, DecidedBy, Decision, NoCredit, UnmatchedReason

HISTOGRAM_STEP = Decimal("0.5")


@dataclass(frozen=True, slots=True)
class PullCredit:
    """One PR of a student in the configured repos: its decision, its claim and what it earned."""

    ref: str  # as the notes name it: #N for a one-repo course, else OWNER/REPO#N
    url: str
    opened_on: date  # in the course timezone
    candidate: bool  # opened within the window, with a title that passes
    decision: Decision | None  # None when not a candidate
    decided_by: DecidedBy | None
    claim: str | None  # the carried claim's id (or "row N")
    kind: str | None  # the carried claim's kind
    duplicate_of: str | None  # the earlier claim the carried one duplicates
    ledger_credit: Decimal | None  # an explicit amount from a Ledger `credit N`
    earned: Decimal  # what it adds to the student's raw credit
    counted: bool  # it is the PR its unit of credit (claim, or PR without claim) is counted for
    no_credit: NoCredit | None  # why it earned nothing
    credited_by: str | None  # for already-credited: the PR the claim was counted for

    @property
    def accepted(self) -> bool:
        return self.decision == "accepted"


@dataclass(frozen=True, slots=True)
class StudentCredit:
    """One row of the Tally: a student's PRs, raw and capped credit, and why."""

    key: str  # the identity the rules use: the NetID in lower case, or @login without one
    netid: str  # as the roster writes it ("" when the claims name no NetID)
    name: str
    github: str
    pulls: tuple[PullCredit, ...]
    raw: Decimal
    credit: Decimal
    capped: bool
    notes: tuple[Note, ...]

    @property
    def accepted_urls(self) -> tuple[str, ...]:
        return tuple(pull.url for pull in self.pulls if pull.accepted)


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A credit candidate whose author is no student: listed, never credited."""

    ref: str
    url: str
    login: str
    reason: UnmatchedReason


@dataclass(frozen=True, slots=True)
class KindCounts:
    """Decisions on the students' candidate PRs carrying claims of one kind (None: no claim)."""

    kind: str | None
    accepted: int
    pending: int
    rejected: int
    closed: int


@dataclass(frozen=True, slots=True)
class HistogramBucket:
    """Students whose credit is in (low, high]; the first bucket holds exactly 0."""

    low: Decimal
    high: Decimal
    students: int


@dataclass(frozen=True, slots=True)
class Aggregates:
    """What the public job summary may show: counts only, nothing per student."""

    course: str
    cap: Decimal
    students: int
    credited: int  # students with credit above 0
    reached_cap: int  # students whose raw credit is at or above the cap
    unmatched: int
    by_kind: tuple[KindCounts, ...]
    histogram: tuple[HistogramBucket, ...]


@dataclass(frozen=True, slots=True)
class Tally:
    """Every student's credit, the PRs that matched no student, and the run's totals."""

    students: tuple[StudentCredit, ...]  # sorted by key
    unmatched: tuple[Unmatched, ...]  # sorted by repo and number
    aggregates: Aggregates
    stray_ledger_rows: tuple[int, ...]  # Ledger rows naming no PR of the configured repos


def two_decimals(amount: Decimal) -> str:
    """An amount as shown everywhere: two decimals, halves rounded up."""
    with localcontext() as context:
        context.rounding = ROUND_HALF_UP
        return format(amount, ".2f")


def decide_pull(pr: PullRequest, entry: LedgerEntry | None,
                labels: Labels) -> tuple[Decision, DecidedBy]:
    """Rule 3: the Ledger, else a rejected label, else the accepted label, else a merge."""
    if entry is not None:
        return ("rejected" if entry.decision == "reject" else "accepted"), "ledger"
    if pr.labels:  # most PRs have none
        names = {label.casefold() for label in pr.labels}
        if any(label.casefold() in names for label in labels.rejected):
            return "rejected", "label"
        if labels.accepted.casefold() in names:
            return "accepted", "label"
    if pr.merged_at is not None:
        return "accepted", "merge"
    return ("pending" if pr.is_open else "closed"), "state"


def _unmatched_reason(pr: PullRequest, unrostered: frozenset[str]) -> UnmatchedReason:
    if pr.user.is_bot:
        return "bot"
    if pr.author_association in STAFF_ASSOCIATIONS:
        return "staff"
    if pr.user.login.lower() in unrostered:
        return "not-on-roster"
    return "not-a-student"


@dataclass(slots=True)
class _Draft:
    """A PR being tallied; settled into a PullCredit once its unit of credit is known."""

    pr: PullRequest
    ref: str
    opened_on: date
    candidate: bool
    decision: Decision | None = None
    decided_by: DecidedBy | None = None
    claim: Claim | None = None
    duplicate_of: Claim | None = None
    ledger_credit: Decimal | None = None
    amount: Decimal = Decimal(0)
    earned: Decimal = Decimal(0)
    counted: bool = False
    no_credit: NoCredit | None = None
    credited_by: str | None = None

    def settle(self) -> PullCredit:
        return PullCredit(
            ref=self.ref,
            url=self.pr.html_url,
            opened_on=self.opened_on,
            candidate=self.candidate,
            decision=self.decision,
            decided_by=self.decided_by,
            claim=self.claim.label if self.claim else None,
            kind=self.claim.kind if self.claim else None,
            duplicate_of=self.duplicate_of.label if self.duplicate_of else None,
            ledger_credit=self.ledger_credit,
            earned=self.earned,
            counted=self.counted,
            no_credit=self.no_credit,
            credited_by=self.credited_by,
        )


def _count_units(drafts: Sequence[_Draft], config: Config) -> None:
    """Rules 4 and 5: the amount of each accepted PR, and each claim counted once (the largest)."""
    units: dict[Claim | str, list[_Draft]] = defaultdict(list)
    for draft in drafts:
        if draft.decision != "accepted":
            continue
        if draft.claim is None:
            if draft.ledger_credit is None:
                draft.no_credit = "no-claim"
                continue
            units[draft.ref].append(draft)
        elif draft.duplicate_of is not None and draft.ledger_credit is None:
            draft.no_credit = "duplicate"
            continue
        else:
            units[draft.claim].append(draft)
        if draft.ledger_credit is not None:
            draft.amount = draft.ledger_credit
        elif draft.claim is not None:
            draft.amount = config.kind_credit.get(draft.claim.kind, Decimal(0))
    for members in units.values():
        best = members[0]
        for member in members[1:]:
            if member.amount > best.amount:
                best = member
        if best.amount == 0 and best.ledger_credit is None:
            for member in members:
                member.no_credit = "zero-kind"
            continue
        best.counted, best.earned = True, best.amount
        for member in members:
            if member is not best:
                member.no_credit, member.credited_by = "already-credited", best.ref


@dataclass(frozen=True, slots=True)
class Note:
    """One entry of a student's Notes: what a PR earned, or why it earned nothing, or (with no
    PR) that the student has no NetID; ``text.gradebook`` words it."""

    reason: NoCredit | Literal["earned", "no-netid"]
    pr: str = ""
    claim: str | None = None
    amount: str = ""
    kind: str | None = None
    duplicate_of: str | None = None
    decided_by: DecidedBy | None = None
    ledger_amount: bool = False
    credited_by: str | None = None
    opened_on: str = ""
    tag: str = ""


def _note(draft: _Draft, tag: str, words: dict[object, str]) -> Note | None:
    """The Notes entry of one PR: what it earned, or why it earned nothing. ``tag`` is the
    course tag in brackets; ``words`` keeps one string per amount and per day, which 100,000
    notes repeat."""
    claim = draft.claim.label if draft.claim else None
    duplicate_of = draft.duplicate_of.label if draft.duplicate_of else None
    if draft.counted:
        amount = words.get(draft.earned)
        if amount is None:
            amount = words[draft.earned] = two_decimals(draft.earned)
        return Note("earned", draft.ref, claim, amount, decided_by=draft.decided_by,
                    ledger_amount=draft.ledger_credit is not None, duplicate_of=duplicate_of)
    if draft.no_credit is None:
        return None
    day = words.get(draft.opened_on)
    if day is None:
        day = words[draft.opened_on] = draft.opened_on.isoformat()
    return Note(draft.no_credit, draft.ref, claim=claim, kind=draft.claim.kind if draft.claim else None,
                duplicate_of=duplicate_of, decided_by=draft.decided_by, credited_by=draft.credited_by,
                opened_on=day, tag=tag)


@dataclass(frozen=True, slots=True)
class _Person:
    """A student as the tally names them."""

    netid: str
    name: str
    github: str


def _people(registry: Registry) -> dict[str, _Person]:
    """Every student of the roster or the claims, by the key the rules resolve authors to."""
    people: dict[str, _Person] = {}
    for entry in registry.roster:
        people.setdefault(entry.netid.lower(), _Person(entry.netid, entry.name, entry.github or ""))
    for claim in sorted(registry.claims, key=lambda c: c.row):
        known = people.get(claim.owner)
        if known is None:
            netid = claim.owner if claim.netid else ""
            people[claim.owner] = _Person(netid, claim.name, claim.github or "")
            continue
        if known.name and known.github:
            continue  # nothing a later claim could fill in
        people[claim.owner] = _Person(known.netid, known.name or claim.name,
                                      known.github or claim.github or "")
    return people


def _histogram(credits: Sequence[Decimal], cap: Decimal) -> tuple[HistogramBucket, ...]:
    """Students by credit: exactly 0, then steps of 0.5 up to the cap (the last may be shorter)."""
    buckets = int((cap / HISTOGRAM_STEP).to_integral_value(rounding=ROUND_CEILING))
    counts = [0] * (buckets + 1)
    for credit in credits:
        if credit <= 0:
            counts[0] += 1
            continue
        index = int((credit / HISTOGRAM_STEP).to_integral_value(rounding=ROUND_CEILING))
        counts[min(index, buckets)] += 1
    result = [HistogramBucket(Decimal(0), Decimal(0), counts[0])]
    for index in range(1, buckets + 1):
        low = min((index - 1) * HISTOGRAM_STEP, cap)
        high = min(index * HISTOGRAM_STEP, cap)
        result.append(HistogramBucket(low, high, counts[index]))
    return tuple(result)


def _aggregates(students: Sequence[StudentCredit], unmatched: int,
                config: Config) -> Aggregates:
    counts: dict[str | None, dict[Decision, int]] = {
        kind: {"accepted": 0, "pending": 0, "rejected": 0, "closed": 0}
        for kind in (*KINDS, None)}
    for student in students:
        for pull in student.pulls:
            if pull.decision is not None:
                counts[pull.kind][pull.decision] += 1
    by_kind = tuple(KindCounts(kind, c["accepted"], c["pending"], c["rejected"], c["closed"])
                    for kind, c in counts.items())
    return Aggregates(
        course=config.course,
        cap=config.cap,
        students=len(students),
        credited=sum(1 for s in students if s.credit > 0),
        reached_cap=sum(1 for s in students if s.raw >= config.cap > 0),
        unmatched=unmatched,
        by_kind=by_kind,
        histogram=_histogram([s.credit for s in students], config.cap),
    )


def _title_verdicts(pulls: Sequence[PullRequest], config: Config) -> dict[str, bool]:
    """Whether each distinct title passes: a course's PRs share many titles, each judged once."""
    return titles_passing({pr.title for pr in pulls}, config.tag, config.term)


def tally(pulls: Sequence[PullRequest], registry: Registry, config: Config) -> Tally:
    """Every student's credit under registry/README.md's credit rules, recomputed from the sources."""
    repos = {repo.lower() for repo in config.repos}
    by_key = {pull_key(pr): pr for pr in pulls if pr.repo.lower() in repos}
    keys = sorted(by_key)
    course_pulls = [by_key[key] for key in keys]
    directory = build_directory(registry.roster, registry.claims)
    # Each PR's author and claim, worked out once for the activity and for the credit.
    owners = [directory.resolve(pr.user) for pr in course_pulls]
    carried_by = carried_claims(course_pulls, owners, registry.claims)
    activity = claim_activity(registry, course_pulls, directory, carried_by=carried_by)
    duplicates = find_duplicates(registry.claims, activity,
                                 timedelta(days=config.claims.expire_after_days))
    passes = _title_verdicts(course_pulls, config)
    ledger = latest_ledger(registry.ledger)
    one_repo = len(config.repos) == 1

    drafts: dict[str, list[_Draft]] = defaultdict(list)
    unmatched: list[Unmatched] = []
    days: dict[date, date] = {}  # one object per day the PRs opened on
    zone, in_course_window = config.zone, config.window.contains  # asked once, not per PR
    for number, pr in enumerate(course_pulls):
        ref = f"#{pr.number}" if one_repo else pr.ref
        opened_on = days.setdefault(day := pr.created_at.astimezone(zone).date(), day)
        in_window = in_course_window(opened_on)
        title_passes = passes[pr.title]
        owner = owners[number]
        if owner is None:
            if in_window and title_passes:
                reason = _unmatched_reason(pr, registry.unrostered_logins)
                unmatched.append(Unmatched(ref, pr.html_url, pr.user.login, reason))
            continue
        draft = _Draft(pr, ref, opened_on, in_window and title_passes)
        drafts[owner].append(draft)
        if not in_window:
            draft.no_credit = "outside-window"
            continue
        if not title_passes:
            draft.no_credit = "bad-title"
            continue
        entry = ledger.get(keys[number]) if ledger else None
        draft.decision, draft.decided_by = decide_pull(pr, entry, config.labels)
        draft.claim = carried_by[number]
        draft.duplicate_of = duplicates.get(draft.claim) if draft.claim else None
        if entry is not None and entry.decision == "credit":
            draft.ledger_credit = entry.credit
        if draft.decision == "rejected":
            draft.no_credit = "rejected"
        elif draft.decision == "pending":
            draft.no_credit = "pending"
        elif draft.decision == "closed":
            draft.no_credit = "closed-unmerged"

    students = []
    tag, words = f"[{config.tag}]", dict[object, str]()
    for key, person in sorted(_people(registry).items()):
        mine = drafts.get(key, [])
        _count_units(mine, config)
        raw = sum((draft.earned for draft in mine), Decimal(0))
        notes = [note for note in (_note(draft, tag, words) for draft in mine) if note]
        if not person.netid:
            notes.append(Note("no-netid"))
        students.append(StudentCredit(
            key=key, netid=person.netid, name=person.name, github=person.github,
            pulls=tuple(draft.settle() for draft in mine), raw=raw, credit=min(raw, config.cap),
            capped=raw > config.cap, notes=tuple(notes)))

    stray = tuple(sorted(entry.row for entry in registry.ledger
                         if pull_key_of(entry.pr_url) not in by_key))
    return Tally(tuple(students), tuple(unmatched),
                 _aggregates(students, len(unmatched), config), stray)

