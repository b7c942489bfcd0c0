"""The verdict of one PR check: a pure function of (PR, registry, config, now)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from extracredit.core.claims import carried_claim
from extracredit.core.config import Config
from extracredit.core.holds import claim_activity, find_duplicates, others_on_files
from extracredit.core.identity import build_directory
from extracredit.core.ledger import pull_key_of
from extracredit.core.model import STAFF_ASSOCIATIONS, Claim, Problem, PullRequest, Registry
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


def decide(pr: PullRequest, registry: Registry | None, config: Config, now: datetime, *,
           known_pulls: Sequence[PullRequest] = (), has_write_access: bool | None = None,
           registry_error: str | None = None) -> CheckVerdict:
    """Decide one PR. ``registry`` is None when it could not be read (``registry_error`` says why)."""
    title_result = check_title(pr.title, config.tag, config.term)
    directory = build_directory(registry.roster, registry.claims) if registry else None
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
    course_pulls = [p for p in known_pulls if p.repo in config.repos and p.ref != pr.ref]
    activity = claim_activity(registry, [*course_pulls, pr], directory)
    carried = carried_claim(pr, owner, registry.claims)
    duplicates = find_duplicates(registry.claims, activity, expire_after)
    holding, reviewing = others_on_files(pr, owner, registry, activity, now, expire_after)
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
