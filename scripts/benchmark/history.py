"""A course's history on disk for the offline runs: PRs by students, each PR's work claimed the
day before, as a files registry, a snapshot and a configuration (no fakes, no requests)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from extracredit.registry.files import render_csv
from extracredit.registry.schema import CLAIMS_COLUMNS, LEDGER_COLUMNS, ROSTER_COLUMNS

from .semester import ACCEPTED, CLOSES, CONFIG, OPENS, REJECTED, REPOS, TAG, make_people, universe

FIRST_DAY = datetime.combine(OPENS, datetime.min.time(), UTC) + timedelta(hours=14)


@dataclass(frozen=True)
class History:
    folder: Path
    config: Path  # extra-credit.yml, registry: files
    snapshot: Path
    pulls: int
    students: int
    open_pulls: int


def _when(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def write_history(folder: Path, pulls: int, students: int, seed: int = 466) -> History:
    """``pulls`` PRs by ``students`` students over the window, one claim for each filed the day
    before; a fifth of the PRs are still open, the rest merged or closed, a few with labels."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    registry = folder / "registry"
    registry.mkdir(exist_ok=True)
    logins, netids, names, ids = make_people(students)
    files = universe(max(1, pulls // 2000))
    seconds = int((CLOSES - OPENS).total_seconds()) - 2 * 86400
    claims = [list(CLAIMS_COLUMNS)]
    by_repo: dict[str, list[dict[str, object]]] = {repo: [] for repo in REPOS}
    open_count = 0
    for index in range(pulls):
        student = rng.randrange(students)
        opened = FIRST_DAY + timedelta(days=1, seconds=rng.randrange(seconds))
        claimed = opened - timedelta(days=1)
        paths = rng.sample(files, rng.choice((1, 1, 1, 2, 3)))
        kind = rng.choice(("typo", "typo", "bug", "material"))
        claim_id = f"C-{index + 1:04d}"
        claims.append([claim_id, claimed.strftime("%Y-%m-%d %H:%M"), logins[student],
                       netids[student], names[student], kind, ", ".join(paths),
                       f"Fix {kind} issues", "", "", "", ""])
        repo = REPOS[index % len(REPOS)]
        number = len(by_repo[repo]) + 1
        is_open = rng.random() < 0.2
        open_count += is_open
        decided = None if is_open else opened + timedelta(days=rng.uniform(0.5, 5))
        merged = decided if decided is not None and rng.random() < 0.7 else None
        label = [] if is_open else rng.choices(([], [ACCEPTED], [REJECTED[0]]), (85, 10, 5))[0]
        by_repo[repo].append({
            "number": number, "title": f"[{TAG}] Fix {kind} in {paths[0]}",
            "body": f"Claimed in {claim_id}." if rng.random() < 0.5 else "Fixes what I claimed.",
            "state": "open" if is_open else "closed", "draft": False,
            "created_at": _when(opened), "closed_at": _when(decided) if decided else None,
            "merged_at": _when(merged) if merged else None, "updated_at": _when(decided or opened),
            "html_url": f"https://github.com/{repo}/pull/{number}", "author_association": "NONE",
            "user": {"login": logins[student], "id": ids[student], "type": "User"},
            "labels": [{"name": name} for name in label],
            "head": {"sha": f"{index:040x}"},
            "files": [{"filename": path, "status": "modified", "additions": 3, "deletions": 1}
                      for path in paths],
        })
    (registry / "claims.csv").write_text(render_csv(claims), encoding="utf-8")
    (registry / "roster.csv").write_text(render_csv(
        [list(ROSTER_COLUMNS)] + [[netids[i], names[i], logins[i], str(ids[i])]
                                  for i in range(students)]), encoding="utf-8")
    (registry / "ledger.csv").write_text(render_csv([list(LEDGER_COLUMNS)]), encoding="utf-8")
    config = CONFIG.format(tag=TAG, opens=OPENS, closes=CLOSES, repos=", ".join(REPOS),
                           accepted=ACCEPTED, rejected=", ".join(f'"{r}"' for r in REJECTED),
                           claims="x", staff="y")
    config = config.replace("registry: {backend: sheets, claims: x, staff: y}",
                            f"registry: {{backend: files, path: {registry}}}")
    (folder / "extra-credit.yml").write_text(config, encoding="utf-8")
    taken = datetime.combine(CLOSES, datetime.min.time(), UTC)
    snapshot = folder / "snapshot.json"
    snapshot.write_text(json.dumps({"taken_at": _when(taken), "repos": {
        repo: {"pulls": items} for repo, items in by_repo.items()}}, indent=1), encoding="utf-8")
    return History(folder, folder / "extra-credit.yml", snapshot, pulls, students, open_count)
