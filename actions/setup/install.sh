#!/usr/bin/env bash
# Install extracredit into the environment of the Python interpreter named by $1, from this copy of
# the project (two levels up), never from the working directory. Run by action.yml, and by
# scripts/cold_start.py, which times it: the benchmark runs these very commands.
#
#   1. uv, with pip: one wheel, pinned and hash-checked (uv-requirements.txt).
#   2. The dependencies, with uv: exact pins, every file hash-checked, wheels only (requirements.txt).
#      --strict checks afterwards that the installed packages agree with each other (what
#      `pip check` did). No cache is kept: uv trusts the hashes it recorded in its cache instead
#      of hashing the files again, so a restored cache would weaken the check; a download is
#      checked as it streams.
#   3. extracredit itself, without a build: this copy's src/ is put on the interpreter's path
#      (link.py), with a dist-info for pip and an `extracredit` command.
#
# -P everywhere: never import modules from the working directory (a course repository's checkout);
# --no-config: read no uv.toml or pyproject.toml from it either.
set -euo pipefail

python=$1
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)

"$python" -P -m pip install --no-input --disable-pip-version-check --no-warn-script-location \
  --require-hashes --only-binary :all: --no-deps \
  --requirement "$here/uv-requirements.txt"

scripts=$("$python" -P -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
uv="$scripts/uv"

"$uv" pip install --no-config --no-cache --python "$python" --strict \
  --require-hashes --only-binary :all: \
  --requirement "$here/requirements.txt"

# A copy installed earlier in this environment (by an older version of this action, on a runner
# that keeps its tool cache) would come before src/ on the path: remove it first.
"$uv" pip uninstall --no-config --python "$python" --quiet extracredit

"$python" -P "$here/link.py" "$here/../.."
