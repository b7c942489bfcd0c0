"""Test-only start-up hook for subprocesses: with this directory on PYTHONPATH,
EXTRACREDIT_TEST_GITHUB_PORT routes every PyGithub client of the process to that loopback port
(Prism or the fake) instead of api.github.com, and EXTRACREDIT_TEST_SHEETS_PORT routes every
gspread client to that port instead of sheets.googleapis.com (and refuses any other host but
127.0.0.1). Without the variables it does nothing.
"""

import os

if os.environ.get("EXTRACREDIT_TEST_GITHUB_PORT"):
    from pygithub_loopback import install

    install(int(os.environ["EXTRACREDIT_TEST_GITHUB_PORT"]))

if os.environ.get("EXTRACREDIT_TEST_SHEETS_PORT"):
    from gspread_loopback import install as install_gspread

    install_gspread(int(os.environ["EXTRACREDIT_TEST_SHEETS_PORT"]))
