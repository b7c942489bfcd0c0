"""Duplicate detection as the rule is first written, every claim compared with every earlier
holder: the reference the indexed detection is tested against, and the benchmark's naive way."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import timedelta

from extracredit.core.holds import holds
from extracredit.core.model import Activity, Claim
from extracredit.core.targets import holding_targets, targets_overlap


def duplicates_all_pairs(claims: Sequence[Claim], activity: Mapping[Claim, Activity],
                         expire_after: timedelta) -> dict[Claim, Claim]:
    duplicates: dict[Claim, Claim] = {}
    holders: dict[str, list[Claim]] = defaultdict(list)
    # A claim withdrawn at a known moment held its files until then; it is not judged itself.
    held = (c for c in claims if c.active or c.withdrawn_at is not None)
    for claim in sorted(held, key=lambda c: c.order):
        for earlier in holders[claim.kind]:
            if (earlier.owner != claim.owner
                    and holds(earlier, claim.submitted, activity.get(earlier), expire_after)
                    and targets_overlap(holding_targets(earlier), claim.targets)):
                if claim.active:
                    duplicates[claim] = earlier
                break
        else:
            holders[claim.kind].append(claim)
    return duplicates
