"""Test-only start-up hook for subprocesses: with this directory on PYTHONPATH,
EXTRACREDIT_TEST_GITHUB_PORT routes every PyGithub client of the process to that loopback port
(Prism or the fake) instead of api.github.com, and EXTRACREDIT_TEST_SHEETS_PORT routes every
gspread client to that port instead of sheets.googleapis.com (and refuses any other host but
127.0.0.1). Without the variables it does nothing.

Each route is installed when its client is first imported, not here: a process that never
imports PyGithub does not load it, and one that does loads it where it would without the hook
(so that start-up measurements see the program's own imports, in its own order).
"""

import os
import sys


class _WhenImported:
    """A meta-path finder that runs ``then`` right after the module ``name`` has executed."""

    def __init__(self, name, then):
        self.name = name
        self.then = then

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        execute = spec.loader.exec_module
        then = self.then

        def exec_module(module):
            execute(module)
            then()

        spec.loader.exec_module = exec_module
        return spec


def _route_github():
    from pygithub_loopback import install

    install(int(os.environ["EXTRACREDIT_TEST_GITHUB_PORT"]))


def _route_gspread():
    from gspread_loopback import install

    install(int(os.environ["EXTRACREDIT_TEST_SHEETS_PORT"]))


if os.environ.get("EXTRACREDIT_TEST_GITHUB_PORT"):
    sys.meta_path.insert(0, _WhenImported("github", _route_github))

if os.environ.get("EXTRACREDIT_TEST_SHEETS_PORT"):
    sys.meta_path.insert(0, _WhenImported("gspread", _route_gspread))
