"""The deciding half in a forked process: the same answers as in this process, and its failures
worded. Each case runs in a fresh interpreter, since only a process that runs nothing else
forks (``python -m extracredit``), never the test runner with its threads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent.parent
CONFIG = ROOT / ".github" / "extra-credit.yml"
SEMESTER = ROOT / "registry" / "demo" / "semester.json"

PRELUDE = f"""
import json, os, pickle, signal, sys
from pathlib import Path
from extracredit.errors import WorkerError
from extracredit.forge.snapshot import load_snapshot
from extracredit.jobs.forked import ForkedDecider
from extracredit.publish.deciding import InlineDecider
from extracredit.registry.config_file import load_config
snapshot = load_snapshot(Path({str(SEMESTER)!r}))
pulls = [pr for pr in snapshot.all_pulls() if pr.is_open]
config_path = {str(CONFIG)!r}
"""


def run_case(code: str, cwd: Path = ROOT) -> tuple[dict[str, object], str]:
    """Run ``code`` after the prelude in a fresh interpreter; the JSON it prints last, and its
    standard error."""
    done = subprocess.run([sys.executable, "-P", "-c", PRELUDE + code], capture_output=True,
                          text=True, timeout=120, cwd=cwd, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_the_forked_half_decides_every_pr_as_this_process_does() -> None:
    result, _ = run_case("""
config = load_config(config_path)
with ForkedDecider(config_path, None) as forked, InlineDecider(config, None, None) as inline:
    assert forked.config_error() is None
    same = [forked.decide(pr, False, snapshot.taken_at) == inline.decide(pr, False, snapshot.taken_at)
            for pr in pulls]
print(json.dumps({"checked": len(same), "same": sum(same)}))
""")
    assert result["checked"] == result["same"]
    assert result["checked"] > 20


def test_a_broken_configuration_is_answered_first_and_worded(tmp_path: Path) -> None:
    result, _ = run_case("""
Path("broken.yml").write_text("tag: [unclosed\\n", encoding="utf-8")
with ForkedDecider("broken.yml", None) as forked:
    error = forked.config_error()
print(json.dumps({"error": error}))
""", cwd=tmp_path)
    assert result == {"error": "configuration error: broken.yml is not valid YAML (line 2); fix "
                               "the indentation or quoting there"}


def test_an_unexpected_error_in_the_child_is_named_never_quoted() -> None:
    result, errors = run_case("""
import extracredit.publish.deciding as deciding
def broken(*args, **kwargs):
    raise ValueError("cell text of another student")
deciding.decided = broken
with ForkedDecider(config_path, None) as forked:
    try:
        forked.decide(pulls[0], False, snapshot.taken_at)
    except WorkerError as error:
        print(json.dumps({"error": str(error)}))
""")
    assert result == {"error": "the process deciding the check stopped on an unexpected "
                               "ValueError (where, just above); this is a bug of extracredit, "
                               "please report it with this log"}
    assert "extracredit: an unexpected ValueError stopped the command" in errors
    assert "in broken" in errors
    assert "cell text of another student" not in errors


def test_a_child_that_is_gone_is_an_undecided_check() -> None:
    result, _ = run_case("""
with ForkedDecider(config_path, None) as forked:
    forked.config_error()
    os.kill(forked.pid, signal.SIGKILL)
    os.waitpid(forked.pid, 0)
    try:
        forked.decide(pulls[0], False, snapshot.taken_at)
    except WorkerError as error:
        print(json.dumps({"error": str(error), "code": error.exit_code}))
""")
    assert result == {"error": "the process deciding the check ended without an answer (stopped "
                               "from outside, or out of memory); run the check again", "code": 2}

