"""The setup action's install script, run for real: uv and the pinned dependencies from the index
into the wheel folder, installed from there, the package linked from a copy of the project, then
checked as the workflows use it.

The install reaches the package index (as scripts/test does); everything else stays on this machine.
These tests are also where the lock is checked with `pip check`, which the action no longer runs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SETUP = ROOT / "actions" / "setup"
TIMEOUT = 600
TITLE_PASSES = '{"verdict": "pass", "problem": null, "suggestion": null}\n'


@dataclass(frozen=True)
class Installed:
    """A fresh environment that install.sh has set up from a copy of the project."""

    project: Path
    python: Path
    cache: Path

    @property
    def scripts(self) -> Path:
        return self.python.parent

    @property
    def site(self) -> Path:
        return Path(self.run("-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
                    .stdout.strip())

    def run(self, *args: str, cwd: Path | None = None,
            check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.python), "-P", *args], cwd=cwd, env=clean_env(),
                              capture_output=True, text=True, timeout=TIMEOUT, check=check)


def clean_env() -> dict[str, str]:
    # Nothing of this test run's own environment may reach the installed interpreter.
    return {key: value for key, value in os.environ.items()
            if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}


def copy_project(target: Path) -> Path:
    """The parts of the project a runner's copy of the action has, without caches or builds."""
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(ROOT / "src", target / "src", ignore=ignore)
    shutil.copytree(SETUP, target / "actions" / "setup", ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def new_environment(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=TIMEOUT)
    return folder / "bin" / "python"


def install(project: Path, python: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(project / "actions" / "setup" / "install.sh"), str(python),
                           str(cache)],
                          env=clean_env(), capture_output=True, text=True, timeout=TIMEOUT,
                          check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("setup")
    project = copy_project(root / "project")
    python = new_environment(root / "env")
    result = install(project, python, root / "cache")
    assert result.returncode == 0, result.stdout + result.stderr
    return Installed(project, python, root / "cache")


@pytest.fixture
def decoy(tmp_path: Path) -> Path:
    """A working directory with its own `extracredit`, as a hostile checkout could have."""
    package = tmp_path / "extracredit"
    package.mkdir()
    (package / "__init__.py").write_text('raise SystemExit("imported from the working directory")\n',
                                         encoding="utf-8")
    (package / "__main__.py").write_text('raise SystemExit("run from the working directory")\n',
                                         encoding="utf-8")
    return tmp_path


def test_the_installed_packages_agree_with_each_other_and_with_the_project(
        installed: Installed) -> None:
    result = installed.run("-m", "pip", "check")
    assert result.stdout == "No broken requirements found.\n"


def test_the_package_is_imported_from_the_copy_never_from_the_working_directory(
        installed: Installed, decoy: Path) -> None:
    result = installed.run("-c", "import extracredit; print(extracredit.__file__)", cwd=decoy)
    assert result.stdout == f"{installed.project / 'src' / 'extracredit' / '__init__.py'}\n"


@pytest.mark.parametrize("how", ["python -P -m extracredit", "extracredit"])
def test_the_command_runs_from_any_working_directory(installed: Installed, decoy: Path,
                                                     how: str) -> None:
    args = ["title", "[DLFL23] x", "--config", str(ROOT / ".github" / "extra-credit.yml")]
    if how == "extracredit":
        command = [str(installed.scripts / "extracredit"), *args]
    else:
        command = [str(installed.python), "-P", "-m", "extracredit", *args]
    result = subprocess.run(command, cwd=decoy, env=clean_env(), capture_output=True, text=True,
                            timeout=TIMEOUT, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, TITLE_PASSES, "")


def test_the_data_files_are_read_from_the_source(installed: Installed) -> None:
    result = installed.run("-c", "\n".join([
        "from importlib import resources",
        "package = resources.files('extracredit')",
        "print(sorted(item.name for item in (package / 'templates').iterdir()))",
        "print((package / 'py.typed').is_file())",
        "print(len((package / 'templates' / 'extra-credit-check.yml').read_text('utf-8')) > 0)",
    ]))
    templates = sorted(path.name for path in (ROOT / "src" / "extracredit" / "templates").iterdir())
    assert result.stdout == f"{templates}\nTrue\nTrue\n"


def test_pip_knows_the_package_as_installed_in_place(installed: Installed) -> None:
    show = installed.run("-m", "pip", "show", "extracredit").stdout
    assert "Name: extracredit\n" in show
    assert "Version: 0.1.0\n" in show
    assert f"Editable project location: {installed.project}\n" in show
    assert "Requires: google-auth, gspread, PyGithub, PyYAML, requests, tqdm\n" in show


def test_the_record_lists_every_file_linked(installed: Installed) -> None:
    (dist_info,) = installed.site.glob("extracredit-*.dist-info")
    listed = {line.split(",")[0] for line in
              (dist_info / "RECORD").read_text(encoding="utf-8").splitlines()}
    site = installed.site
    expected = {"extracredit.pth", os.path.relpath(installed.scripts / "extracredit", site)} | {
        f"{dist_info.name}/{name}"
        for name in ("METADATA", "INSTALLER", "direct_url.json", "RECORD")}
    assert listed == expected
    assert (site / "extracredit.pth").read_text(encoding="utf-8") == f"{installed.project / 'src'}\n"


def test_a_copy_installed_before_is_replaced(installed: Installed) -> None:
    """A runner that keeps its tool cache may hold a copy an older setup action built."""
    site = installed.site
    old = site / "extracredit"
    old.mkdir()
    (old / "__init__.py").write_text('raise SystemExit("the old copy")\n', encoding="utf-8")
    old_info = site / "extracredit-0.0.1.dist-info"
    old_info.mkdir()
    (old_info / "METADATA").write_text("Metadata-Version: 2.1\nName: extracredit\nVersion: 0.0.1\n",
                                       encoding="utf-8")
    (old_info / "RECORD").write_text(
        f"extracredit/__init__.py,,\n{old_info.name}/METADATA,,\n{old_info.name}/RECORD,,\n",
        encoding="utf-8")
    result = install(installed.project, installed.python, installed.cache)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not old.exists()
    assert not old_info.exists()
    assert installed.run("-c", "import extracredit; print(extracredit.__file__)").stdout == (
        f"{installed.project / 'src' / 'extracredit' / '__init__.py'}\n")


def test_a_wrong_hash_stops_the_install(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    lock = project / "actions" / "setup" / "requirements.txt"
    text = lock.read_text(encoding="utf-8")
    # Every hash of PyYAML (the files uv may choose from) replaced by the hash of no file.
    start, stop = text.index("pyyaml=="), text.index("requests==")
    wrong = re.sub(r"sha256:[0-9a-f]{64}", "sha256:" + "0" * 64, text[start:stop])
    lock.write_text(text[:start] + wrong + text[stop:], encoding="utf-8")
    python = new_environment(tmp_path / "env")
    result = install(project, python, tmp_path / "cache")
    assert result.returncode != 0
    assert "THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE" in result.stderr
    assert "pyyaml==6.0.4" in result.stderr
    check = subprocess.run([str(python), "-P", "-c", "import yaml"], capture_output=True,
                           timeout=TIMEOUT, check=False)
    assert check.returncode == 1


def test_a_poisoned_wheel_folder_costs_a_download_not_an_install(installed: Installed,
                                                                 tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(installed.cache, cache)
    (idna,) = (cache / "wheels").glob("idna-*.whl")
    good = idna.read_bytes()
    idna.write_bytes(good + b"poison")
    (cache / "wheels" / "extra-1.0-py3-none-any.whl").write_bytes(b"not in the lock")
    uv = cache / "uv" / "uv"
    binary = uv.read_bytes()
    uv.write_bytes(b"#!/bin/sh\nexit 0\n")
    python = new_environment(tmp_path / "env")
    result = install(installed.project, python, cache)
    assert result.returncode == 0, result.stdout + result.stderr
    assert idna.read_bytes() == good
    assert not (cache / "wheels" / "extra-1.0-py3-none-any.whl").exists()
    assert uv.read_bytes() == binary
    assert subprocess.run([str(python), "-P", "-c", "import idna, github"], timeout=TIMEOUT,
                          check=False).returncode == 0


def test_a_warm_wheel_folder_needs_neither_pip_nor_the_index(installed: Installed,
                                                             tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(installed.cache, cache)
    # An environment without pip: the install must not need it once the folder holds every wheel.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "env")],
                   check=True, timeout=TIMEOUT)
    python = tmp_path / "env" / "bin" / "python"
    result = install(installed.project, python, cache)
    assert result.returncode == 0, result.stdout + result.stderr
    assert subprocess.run([str(python), "-P", "-c", "import github, yaml"], timeout=TIMEOUT,
                          check=False).returncode == 0
    assert sorted(path.name for path in (cache / "wheels").iterdir()) == sorted(
        path.name for path in (installed.cache / "wheels").iterdir())


UV_PIN = re.compile(r"^uv==(\d+\.\d+\.\d+) \\$")


def test_uv_is_one_exact_pin_with_a_hash_per_wheel() -> None:
    lines = [line for line in (SETUP / "uv-requirements.txt").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    assert UV_PIN.match(lines[0]), lines[0]
    hashes = lines[1:]
    assert all(re.fullmatch(r"    --hash=sha256:[0-9a-f]{64} \\", line) for line in hashes[:-1])
    assert re.fullmatch(r"    --hash=sha256:[0-9a-f]{64}", hashes[-1])
    assert len(set(hashes)) == len(hashes) >= 10  # Linux, macOS and Windows wheels alike
