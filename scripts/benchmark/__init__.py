"""The performance benchmark: a simulated semester in the loopback fakes, each job done the way
extracredit does it and the naive way, side by side (see the README, "Performance").

It builds a semester (students, claims, a Ledger, PRs over several repos, some with 100+ files or
long comment histories) in the fake GitHub and the fake Google Sheets, injects a latency per
request, runs the real command line (as a workflow runs it: a process of its own, PyGithub and
gspread routed to the fakes) and counts the requests each fake served. The naive way is written
here: one request per PR per field, every comment page read, cell rows read and written one by
one, comments, statuses and labels rewritten every time, duplicates found by comparing all pairs.

Without Prism: the contract tests already check each request against the official descriptions;
here only the count and the time matter, and Prism would add its own delay to each.

The package, by concern: ``semester`` builds the simulated semester; ``world`` serves it from the
fakes, runs the command line as a process of its own and counts the requests; ``days`` plays the
nights and the day before the measured run; ``naive`` is the naive way; ``measured`` times
extracredit's own runs that are not a plain command (a check, the start-up, the registry);
``compare`` runs each job both ways and writes its section of the report, whose table, targets and
summary are in ``report``; ``alternate`` starts small processes in alternating turns for the
start-up job; ``cold_start`` times the setup action's install plus one check from fresh
environments against the pip way (``--cold-start``); ``__main__`` is the command line
(``scripts/bench``).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the fakes
