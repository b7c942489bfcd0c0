"""Each command loads only what it uses: asserted on the modules a fresh process imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent.parent
CONFIG = ROOT / ".github" / "extra-credit.yml"
DEMO = ROOT / "registry" / "demo"
CLIENTS = ("github", "gspread", "google", "google.auth", "requests", "urllib3", "jwt")
# Progress bars are for the long TA commands; nothing a PR event runs draws one.
PROGRESS = ("tqdm",)


def modules_after(code: str) -> set[str]:
    """The top modules a fresh interpreter (-P: no script folder on the path) holds after ``code``."""
    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-P", "-c", probe], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_title_loads_no_client_and_no_other_command() -> None:
    loaded = modules_after(
        "from extracredit.cli import main\n"
        f"main(['title', '[DLFL23] Fix a typo', '--config', {str(CONFIG)!r}])")
    assert sorted(loaded & {*CLIENTS, *PROGRESS}) == []
    # What title needs is the rule and the configuration, which is YAML (so yaml is loaded): not
    # the registry's parsing, the verdicts, the jobs that run them, nor the slow standard
    # modules only init uses.
    assert sorted(name for name in loaded if name.startswith("extracredit")) == [
        "extracredit", "extracredit.cli", "extracredit.core", "extracredit.core.cells",
        "extracredit.core.config", "extracredit.core.tags", "extracredit.core.titles",
        "extracredit.core.vocab", "extracredit.errors", "extracredit.forge",
        "extracredit.forge.actions", "extracredit.registry", "extracredit.registry.config_file",
        "extracredit.text", "extracredit.text.config", "extracredit.text.markdown",
        "extracredit.text.messages"]
    # Nor what only init, an error or a misspelt key needs, nor argparse (the plain forms a
    # workflow writes are read without it).
    assert sorted({"importlib.metadata", "subprocess", "secrets", "hmac", "hashlib", "traceback",
                   "difflib", "argparse"} & loaded) == []


def test_the_check_loads_no_progress_bar() -> None:
    # The live check's path whole (it shares publish with the nightly, which shows progress), and
    # an offline check of the demo semester run through.
    live = modules_after("import extracredit.cli, extracredit.jobs.check, extracredit.jobs.forked\n"
                         "import extracredit.publish.live, extracredit.publish.deciding\n"
                         "import extracredit.forge.github, extracredit.registry.opening")
    offline = modules_after(
        "import contextlib, io\nfrom extracredit.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['check', '--snapshot', {str(DEMO / 'semester.json')!r}, '--all', "
        f"'--config', {str(CONFIG)!r}])")
    assert sorted(name for name in live | offline if name.startswith("tqdm")) == []


@pytest.mark.parametrize("command", [
    ["check", "--snapshot", str(DEMO / "semester.json"), "--all"],
    ["tally", "--snapshot", str(DEMO / "semester.json")],
], ids=["check-offline", "tally-offline"])
def test_offline_commands_load_no_client(command: list[str]) -> None:
    code = ("import contextlib, io\nfrom extracredit.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    main({[*command, '--config', str(CONFIG)]!r})")
    assert sorted(modules_after(code) & set(CLIENTS)) == []


def test_the_live_check_loads_pygithub_and_no_sheets_client() -> None:
    # What a live check imports before it asks GitHub anything (the config names a files registry).
    loaded = modules_after("import extracredit.cli, extracredit.jobs.check, extracredit.jobs.forked\n"
                           "import extracredit.publish.live, extracredit.publish.deciding\n"
                           "import extracredit.forge.github, extracredit.registry.opening")
    assert {"github", "requests"} <= loaded
    # (PyGithub itself loads importlib.metadata.)
    assert sorted(loaded & {"gspread", "google", "google.auth", "extracredit.registry.sheets",
                            "secrets", *PROGRESS, "extracredit.jobs.init"}) == []
    # Nor argparse (the forms the check action writes are read without it), nor what only an
    # offline check reads, nor difflib (only a misspelt kind or column asks it).
    assert sorted(loaded & {"argparse", "gettext", "extracredit.forge.snapshot", "difflib"}) == []


def test_every_dataclass_says_what_it_is() -> None:
    # A dataclass without a docstring gets one made from its signature when its module is
    # imported, by inspect.signature: for the two dozen a live check loaded, about 2 ms of its
    # start-up (and a docstring says more than a signature).
    import dataclasses
    import importlib
    import inspect
    import pkgutil

    import extracredit

    undocumented = []
    for module_info in pkgutil.walk_packages(extracredit.__path__, "extracredit."):
        if module_info.name == "extracredit.__main__":
            continue  # running it runs the command line
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if (inspect.isclass(value) and dataclasses.is_dataclass(value)
                    and value.__module__ == module.__name__
                    and (value.__doc__ or "").startswith(f"{value.__name__}(")):
                undocumented.append(f"{module.__name__}.{name}")
    assert sorted(undocumented) == []


def test_the_half_of_a_live_check_that_loads_pygithub_loads_no_rules() -> None:
    # Started as `python -m extracredit` in Actions, a check decides in a forked process
    # (jobs/forked.py): the process that loads PyGithub reads the PR and writes what was decided,
    # without the rules, the registry, the configuration (YAML) or the comment's words.
    loaded = modules_after("import extracredit.cli, extracredit.jobs.check, extracredit.jobs.forked\n"
                           "import extracredit.publish.live, extracredit.forge.github")
    assert sorted(name for name in loaded if name.startswith("extracredit")) == [
        "extracredit", "extracredit.cli", "extracredit.core", "extracredit.core.cells",
        "extracredit.core.model", "extracredit.core.vocab", "extracredit.errors",
        "extracredit.forge", "extracredit.forge.actions", "extracredit.forge.base",
        "extracredit.forge.github", "extracredit.forge.progress", "extracredit.jobs",
        "extracredit.jobs.check", "extracredit.jobs.forked", "extracredit.publish",
        "extracredit.publish.live", "extracredit.publish.writes", "extracredit.retry",
        "extracredit.settings", "extracredit.text", "extracredit.text.changes",
        "extracredit.text.markdown", "extracredit.text.messages", "extracredit.text.progress"]
    assert sorted(loaded & {"yaml", "zoneinfo", "argparse", "difflib"}) == []
