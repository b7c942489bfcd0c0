"""Cold start of a check job (``scripts/bench --cold-start``): the setup action's install and one
check, from a fresh environment, the action's way and the pip way it replaced, timed side by side.

Each round starts from a fresh environment (a copy of one virtual environment, made untimed: on a
runner actions/setup-python provides the interpreter either way) and a fresh copy of the project
laid out like a runner's copy of the action. Timed, per way:

- uv: the `run:` of the "Install extracredit" step, read from actions/setup/action.yml and run as
  the runner runs it (install.sh beside it: the wheel folder checked against the locks, uv run
  from its wheel, the dependencies installed from the folder, the source linked), with a warm
  setup cache: a fresh copy of the folder an earlier round left, as actions/cache restores it
  (the copy, like the restore's download, is not timed);
- pip: the install step the action had before uv, kept below: pip install --require-hashes of
  the same lock (from a warm pip cache, likewise not timed), a build and install of the package,
  pip check;

then, in both, one `extracredit check` of one PR of the demo semester, offline, from an empty
working directory: it imports what the live check imports, so bytecode that an install did not
compile is paid for here. One untimed round of each way warms the caches first; the rounds
alternate which way goes first, and the median of each way is reported.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
ACTION = ROOT / "actions" / "setup" / "action.yml"
INSTALL_STEP = "Install extracredit"
TIMEOUT = 600
# The setup action's install step before uv, verbatim: the baseline.
PIP_WAY = """\
"$PYTHON" -P -m pip install --no-input --disable-pip-version-check \\
  --require-hashes --only-binary :all: \\
  --requirement "$GITHUB_ACTION_PATH/requirements.txt"
"$PYTHON" -P -m pip install --no-input --disable-pip-version-check \\
  --no-deps --no-build-isolation \\
  "$GITHUB_ACTION_PATH/../.."
"$PYTHON" -P -m pip check
"""
CHECK = ["check", "--snapshot", str(ROOT / "registry" / "demo" / "semester.json"),
         "--pr", "Atcold/NYU-DLFL23#91", "--config", str(ROOT / ".github" / "extra-credit.yml"),
         "--registry", str(ROOT / "registry" / "demo")]


@dataclass(frozen=True)
class ColdStart:
    """Seconds per round, install plus one check, for each way."""

    uv_seconds: tuple[float, ...]
    pip_seconds: tuple[float, ...]

    @property
    def uv(self) -> float:
        return statistics.median(self.uv_seconds)

    @property
    def pip(self) -> float:
        return statistics.median(self.pip_seconds)

    @property
    def repeats(self) -> int:
        return len(self.uv_seconds)


def uv_way() -> str:
    """The action's own install step, so that what is timed is what the action runs."""
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    (step,) = [step for step in action["runs"]["steps"] if step.get("name") == INSTALL_STEP]
    if step["shell"] != "bash" or set(step["env"]) != {"PYTHON", "CACHE"}:
        raise RuntimeError(f"{ACTION}: the step {INSTALL_STEP!r} is no longer run as timed here")
    script: str = step["run"]
    return script


def environment(cache: Path) -> dict[str, str]:
    # As on a runner: bytecode may be written, and nothing of this process's Python leaks in.
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")}
    env["PIP_CACHE_DIR"] = str(cache)
    return env


def copy_project(target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    shutil.copytree(ROOT / "src", target / "src", ignore=ignore)
    shutil.copytree(ROOT / "actions" / "setup", target / "actions" / "setup", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    return target


def one_round(script: str, template: Path, work: Path, env: dict[str, str], cache: Path) -> float:
    """Set up a fresh environment with `script` and run one check; return the seconds taken.
    The setup cache starts as a copy of `cache` and is kept there afterwards, as actions/cache
    restores and saves it."""
    work.mkdir()
    project = copy_project(work / "action")
    venv = work / "env"
    shutil.copytree(template, venv, symlinks=True)
    python = venv / "bin" / "python"
    empty = work / "workspace"
    empty.mkdir()
    kept = work / "extracredit-setup"
    if cache.is_dir():
        shutil.copytree(cache, kept)
    step_env = {**env, "PYTHON": str(python), "CACHE": str(kept),
                "GITHUB_ACTION_PATH": str(project / "actions" / "setup")}
    started = time.perf_counter()
    # As the runner runs a `shell: bash` step.
    subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=empty,
                   env=step_env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                   timeout=TIMEOUT)
    checked = subprocess.run([str(venv / "bin" / "extracredit"), *CHECK], cwd=empty, env=env,
                             capture_output=True, text=True, timeout=TIMEOUT, check=False)
    seconds = time.perf_counter() - started
    if checked.returncode not in (0, 1):
        raise RuntimeError(f"the check failed ({checked.returncode}): {checked.stderr}")
    if kept.is_dir() and not cache.is_dir():
        shutil.copytree(kept, cache)
    shutil.rmtree(work)
    return seconds


def measure(repeats: int) -> ColdStart:
    """Time `repeats` rounds of each way, after one untimed round of each that warms the caches."""
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    ways = {"uv": uv_way(), "pip": PIP_WAY}
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    with tempfile.TemporaryDirectory(prefix="extracredit-cold-start-") as folder:
        base = Path(folder)
        env = environment(base / "pip-cache")
        template = base / "template"
        subprocess.run([sys.executable, "-m", "venv", str(template)], check=True, env=env,
                       timeout=TIMEOUT)
        cache = base / "wheel-cache"
        for name, script in ways.items():
            one_round(script, template, base / f"warm-{name}", env, cache)
        for index in range(repeats):
            order = list(ways) if index % 2 == 0 else list(reversed(ways))
            for name in order:
                took = one_round(ways[name], template, base / f"{name}-{index}", env, cache)
                seconds[name].append(took)
                print(f"round {index + 1}: {name} {took:.2f} s", file=sys.stderr)
    return ColdStart(tuple(seconds["uv"]), tuple(seconds["pip"]))


def line(result: ColdStart) -> str:
    return (f"cold start: uv {result.uv:.2f} s, pip {result.pip:.2f} s "
            f"({result.pip / result.uv:.1f}x faster), median of {result.repeats}")
