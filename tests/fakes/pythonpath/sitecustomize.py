"""Test-only start-up hook for subprocesses: with this directory on PYTHONPATH and
EXTRACREDIT_TEST_GITHUB_PORT set, every PyGithub client of the process talks to that loopback
port (Prism or the fake) instead of api.github.com. Without the variable it does nothing.
"""

import os

if os.environ.get("EXTRACREDIT_TEST_GITHUB_PORT"):
    from pygithub_loopback import install

    install(int(os.environ["EXTRACREDIT_TEST_GITHUB_PORT"]))
