"""The verdict of one PR check: a pure function of (PR, registry, config, now)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from extracredit.core.claims import carried_claim
from extracredit.core.config import Config
from extracredit.core.holds import claim_activity, duplicates_of, find_duplicates, others_on_files
from extracredit.core.identity import Directory, build_directory
from extracredit.core.ledger import pull_key_of
from extracredit.core.model import (
    STAFF_ASSOCIATIONS,
    Activity,
    Claim,
    Problem,
    PullRequest,
    Registry,
)
from extracredit.core.titles import TitleVerdict, check_title
from extracredit.core.vocab import UNREADABLE, ClaimProblem, Outcome, SkipReason


@dataclass(frozen=True)
class Holder:
    """Another student's claim, as a PR may name it in public: login, claim id, date."""

    login: str
    claim_id: str
    submitted: datetime


@dataclass(frozen=True)
class TitleCheck:
    """The title half of a verdict."""

    outcome: Outcome
    title: str
    result: TitleVerdict | None

    @property
    def problem(self) -> str | None:
        """The title's problem, for a checked PR (a skipped PR's title is not judged)."""
        if self.outcome == "skip" or self.result is None:
            return None
        return self.result.problem


@dataclass(frozen=True)
class ClaimCheck:
    """The claim half of a verdict, with what the comment explains."""

    outcome: Outcome
    problem: ClaimProblem | None = None
    claim_id: str | None = None
    kind: str | None = None
    uncovered: tuple[str, ...] = ()  # changed files the carried claim does not cover
    own_claims: tuple[str, ...] = ()  # the author's active claims, when none covers the PR
    duplicate_of: Holder | None = None
    held_by: tuple[Holder, ...] = ()  # others' claims holding files this PR changes
    in_review: tuple[tuple[str, str], ...] = ()  # (login, PR URL) of others' open PRs
    named_foreign: tuple[str, ...] = ()
    named_unknown: tuple[str, ...] = ()
    named_unusable: tuple[str, ...] = ()  # the author's claims named that it may not carry
    too_late: tuple[str, ...] = ()  # the author's claims on these files, submitted after the PR opened
    misfiled: tuple[str, ...] = ()  # claims under the author's NetID with another login than the roster's
    own_problems: tuple[Problem, ...] = ()  # broken rows of the author's own
    error: str | None = None  # why the bot could not decide


@dataclass(frozen=True)
class CheckVerdict:
    """One PR's verdict: its title and claim checks, or why it was skipped."""

    pr: str
    url: str
    author: str
    head_sha: str
    tag: str
    skip: SkipReason | None
    title: TitleCheck
    claim: ClaimCheck

    @property
    def exit_code(self) -> int:
        outcomes = {self.title.outcome, self.claim.outcome}
        if "error" in outcomes:
            return 2
        return 1 if "fail" in outcomes else 0


def _course_links(reviewing: Sequence[tuple[Claim, str]], repos: Sequence[str]
                  ) -> tuple[tuple[str, str], ...]:
    """Other students' PRs in review as (login, link), each link rebuilt from the course's own repo
    name and the PR's number: a URL as a cell spells it never reaches a comment."""
    by_lower = {repo.lower(): repo for repo in repos}
    links: dict[tuple[str, str], None] = {}
    for claim, url in reviewing:
        key = pull_key_of(url)
        if key is not None and key[0] in by_lower:
            links[(claim.github or "", f"https://github.com/{by_lower[key[0]]}/pull/{key[1]}")] = None
    return tuple(links)


def _holder(claim: Claim) -> Holder:
    return Holder(claim.github or "", claim.label, claim.submitted)


def skip_reason(pr: PullRequest, is_student: bool, title: TitleVerdict,
                has_write_access: bool | None) -> SkipReason | None:
    """Bots and staff are not checked; nor are outsiders' PRs without any tag."""
    if pr.user.is_bot:
        return "bot"
    staff = (has_write_access if has_write_access is not None
             else pr.author_association in STAFF_ASSOCIATIONS)
    if staff:
        return "staff"
    if not is_student and title.problem == "missing":
        return "outsider"
    return None


@dataclass(frozen=True)
class Course:
    """What every decision of one run shares: who is who, what the course's PRs show of each
    claim and which claims are duplicates. Worked out once per run (``course_of``), not once per
    PR: each of those reads every PR of the course."""

    registry: Registry
    directory: Directory
    pulls: Mapping[str, PullRequest]  # the course's PRs by ref, each listed once
    activity: Mapping[Claim, Activity] = field(hash=False)
    duplicates: Mapping[Claim, Claim] = field(hash=False)

    def shares(self, pr: PullRequest, registry: Registry) -> bool:
        """Whether deciding ``pr`` alone would find what this course found: the same registry,
        and ``pr`` is the very PR it listed (a fresher copy of the PR may carry another claim)."""
        return registry is self.registry and self.pulls.get(pr.ref) is pr


def _course_pulls(known_pulls: Sequence[PullRequest], config: Config) -> list[PullRequest]:
    return [p for p in known_pulls if p.repo in config.repos]


def course_of(registry: Registry, config: Config,
              known_pulls: Sequence[PullRequest] = ()) -> Course:
    """The course as every decision of a run sees it, from the registry and the course's PRs."""
    listed = _course_pulls(known_pulls, config)
    counts = Counter(p.ref for p in listed)
    # A ref listed twice is left out of the shared PRs: deciding either copy drops the other.
    pulls = {p.ref: p for p in listed if counts[p.ref] == 1}
    directory = build_directory(registry.roster, registry.claims)
    activity = claim_activity(registry, listed, directory)
    duplicates = find_duplicates(registry.claims, activity,
                                 timedelta(days=config.claims.expire_after_days))
    return Course(registry, directory, pulls, activity, duplicates)


def decide_many(pulls: Sequence[PullRequest], registry: Registry | None, config: Config,
                now: datetime, *, known_pulls: Sequence[PullRequest] = (),
                registry_error: str | None = None) -> list[CheckVerdict]:
    """Decide several PRs of one course, as ``decide`` decides each, sharing the course's work."""
    course = course_of(registry, config, known_pulls) if registry is not None else None
    return [decide(pr, registry, config, now, known_pulls=known_pulls,
                   registry_error=registry_error, course=course) for pr in pulls]


def decide(pr: PullRequest, registry: Registry | None, config: Config, now: datetime, *,
           known_pulls: Sequence[PullRequest] = (), has_write_access: bool | None = None,
           registry_error: str | None = None, course: Course | None = None) -> CheckVerdict:
    """Decide one PR. ``registry`` is None when it could not be read (``registry_error`` says why).
    ``course`` is what the run worked out once for every PR (``course_of``, from the same
    registry and ``known_pulls``); without it, or for a PR it did not list, it is worked out here."""
    title_result = check_title(pr.title, config.tag, config.term)
    if course is not None and (registry is None or not course.shares(pr, registry)):
        course = None
    directory = (course.directory if course is not None
                 else build_directory(registry.roster, registry.claims) if registry else None)
    owner = directory.resolve(pr.user) if directory else None
    reason = skip_reason(pr, owner is not None, title_result, has_write_access)
    if reason is not None:
        return CheckVerdict(pr.ref, pr.html_url, pr.user.login, pr.head_sha, config.tag, reason,
                            TitleCheck("skip", pr.title, title_result), ClaimCheck("skip"))
    title = TitleCheck("pass" if title_result.passed else "fail", pr.title, title_result)
    if registry is None or directory is None:
        claim = ClaimCheck("error", "registry-error", error=registry_error)
        return CheckVerdict(pr.ref, pr.html_url, pr.user.login, pr.head_sha, config.tag, None,
                            title, claim)
    expire_after = timedelta(days=config.claims.expire_after_days)
    activity: Mapping[Claim, Activity]
    duplicates: Mapping[Claim, Claim]
    if course is not None:
        activity = course.activity
    else:
        course_pulls = [p for p in _course_pulls(known_pulls, config) if p.ref != pr.ref]
        activity = claim_activity(registry, [*course_pulls, pr], directory)
    carried = carried_claim(pr, owner, registry.claims)
    holding, reviewing = others_on_files(pr, owner, registry, activity, now, expire_after)
    if course is not None:
        duplicates = course.duplicates
    else:
        # Only these claims' answers are read below: judging every claim of the course for
        # them would be most of a check's work.
        asked = holding if carried.claim is None else [carried.claim, *holding]
        duplicates = duplicates_of(registry.claims, activity, expire_after, asked)
    login = pr.user.login.lower()
    base = ClaimCheck(
        "pass",
        held_by=tuple(_holder(c) for c in holding if c not in duplicates),
        in_review=_course_links(reviewing, config.repos),
        named_foreign=carried.named_foreign,
        named_unknown=carried.named_unknown,
        named_unusable=carried.named_unusable,
        too_late=carried.too_late,
        misfiled=tuple(c.label for c in registry.unbound
                       if owner is not None and (c.netid or "").lower() == owner),
        own_problems=tuple(p for p in registry.problems if p.code in UNREADABLE
                           and p.login and p.login.lower() == login),
    )
    if carried.claim is None:
        claim = replace(base, outcome="fail" if config.claims.required else "pass",
                        problem="not-covered" if carried.has_claims else "no-claim",
                        uncovered=pr.filenames,
                        own_claims=tuple(c.label for c in registry.claims
                                         if c.owner == owner and c.active))
    else:
        earlier = duplicates.get(carried.claim)
        claim = replace(
            base,
            outcome="fail" if earlier else "pass",
            problem="duplicate" if earlier else None,
            claim_id=carried.claim.label,
            kind=carried.claim.kind,
            uncovered=carried.uncovered,
            duplicate_of=_holder(earlier) if earlier else None,
        )
    return CheckVerdict(pr.ref, pr.html_url, pr.user.login, pr.head_sha, config.tag, None, title,
                        claim)
