"""Make a copy of the project importable and runnable by the interpreter that runs this file, unbuilt.

Usage: python -P link.py PROJECT_DIR

Writes into the interpreter's environment (site-packages and its scripts folder):
- extracredit.pth, naming PROJECT_DIR/src, so that `import extracredit` finds the package there
  with its data files (templates/, py.typed) beside it, as importlib.resources expects;
- extracredit-VERSION.dist-info, with the name, version and dependencies of pyproject.toml, so
  that `pip show`, `pip check` and `pip uninstall` know the package as if pip had installed it;
- the `extracredit` command, a wrapper that runs `python -P -m extracredit` with this interpreter.

Only the standard library is used, and nothing is built or compiled.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shlex
import sys
import sysconfig
import tomllib
from pathlib import Path

INSTALLER = "extracredit-setup"


def _record_line(path: Path, relative: str) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(path.read_bytes()).digest()).rstrip(b"=")
    return f"{relative},sha256={digest.decode()},{path.stat().st_size}"


def _metadata(project: dict[str, object]) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}"]
    if "description" in project:
        lines.append(f"Summary: {project['description']}")
    if "requires-python" in project:
        lines.append(f"Requires-Python: {project['requires-python']}")
    dependencies = project.get("dependencies") or []
    assert isinstance(dependencies, list)
    lines += [f"Requires-Dist: {requirement}" for requirement in dependencies]
    return "\n".join(lines) + "\n"


def _command(python: str) -> tuple[str, str]:
    # Windows runs a .cmd; everything else a shell script. Both only start the interpreter.
    if os.name == "nt":
        return "extracredit.cmd", f'@"{python}" -P -m extracredit %*\r\n'
    return "extracredit", f"#!/bin/sh\nexec {shlex.quote(python)} -P -m extracredit \"$@\"\n"


def link(root: Path) -> list[Path]:
    """Link the project at `root` into this interpreter's environment; return the files written."""
    source = root / "src"
    if not (source / "extracredit" / "__init__.py").is_file():
        raise SystemExit(f"link.py: {root} is not a copy of extracredit (no src/extracredit/)")
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    if "version" not in project:
        # The one version source is extracredit.__version__ (pyproject.toml's version is dynamic).
        found = re.search(r'^__version__ = "([^"]+)"$',
                          (source / "extracredit" / "__init__.py").read_text(encoding="utf-8"), re.M)
        if found is None:
            raise SystemExit("link.py: no __version__ in src/extracredit/__init__.py")
        project["version"] = found[1]
    site = Path(sysconfig.get_path("purelib"))
    scripts = Path(sysconfig.get_path("scripts"))
    dist_info = site / f"{project['name']}-{project['version']}.dist-info"
    dist_info.mkdir(parents=True, exist_ok=True)
    scripts.mkdir(parents=True, exist_ok=True)

    name, text = _command(sys.executable)
    command = scripts / name
    files = {
        site / "extracredit.pth": f"{source}\n",
        dist_info / "METADATA": _metadata(project),
        dist_info / "INSTALLER": f"{INSTALLER}\n",
        # The source is used in place, as by an editable install: pip shows where it lives.
        dist_info / "direct_url.json": json.dumps(
            {"url": source.parent.as_uri(), "dir_info": {"editable": True}}) + "\n",
        command: text,
    }
    for path, content in files.items():
        path.write_text(content, encoding="utf-8", newline="")
    command.chmod(0o755)

    record = dist_info / "RECORD"
    lines = [_record_line(path, os.path.relpath(path, site)) for path in files]
    record.write_text("\n".join([*lines, f"{os.path.relpath(record, site)},,"]) + "\n",
                      encoding="utf-8")
    return [*files, record]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -P link.py PROJECT_DIR", file=sys.stderr)
        return 2
    for path in link(Path(argv[0]).resolve()):
        print(f"linked {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
