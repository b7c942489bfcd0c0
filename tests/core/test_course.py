"""A run's shared course gives every PR the verdict it gets decided alone."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from extracredit.core.config import Config
from extracredit.core.model import Registry
from extracredit.core.verdict import course_of, decide, decide_many
from extracredit.forge.snapshot import Snapshot, load_snapshot
from extracredit.registry.opening import load_config, read_registry

ROOT = Path(__file__).parent.parent.parent
DEMO = ROOT / "registry" / "demo"
Demo = tuple[Config, Snapshot, Registry]


@pytest.fixture(scope="module")
def demo() -> Demo:
    config = load_config(str(ROOT / ".github" / "extra-credit.yml"))
    snapshot = load_snapshot(DEMO / "semester.json")
    return config, snapshot, read_registry(config, DEMO)


def test_every_demo_pr_is_decided_alike_with_and_without_the_course(demo: Demo) -> None:
    config, snapshot, registry = demo
    known = snapshot.all_pulls()
    alone = [decide(pr, registry, config, snapshot.taken_at, known_pulls=known) for pr in known]
    shared = decide_many(known, registry, config, snapshot.taken_at, known_pulls=known)
    assert shared == alone
    assert len({verdict.claim.outcome for verdict in alone}) > 1  # the demo exercises both ways


def test_a_fresher_copy_of_a_listed_pr_is_decided_from_itself(demo: Demo) -> None:
    config, snapshot, registry = demo
    known = snapshot.all_pulls()
    course = course_of(registry, config, known)
    for pr in known:
        fresher = replace(pr, body=pr.body + " ")  # a copy the course did not list
        assert not course.shares(fresher, registry)
        assert decide(fresher, registry, config, snapshot.taken_at, known_pulls=known,
                      course=course) == decide(fresher, registry, config, snapshot.taken_at,
                                               known_pulls=known)


def test_a_pr_listed_twice_is_not_shared(demo: Demo) -> None:
    config, snapshot, registry = demo
    known = snapshot.all_pulls()
    course = course_of(registry, config, [*known, known[0]])
    assert not course.shares(known[0], registry)
    assert course.shares(known[1], registry)
    assert not course.shares(known[1], replace(registry))  # another registry: worked out anew
