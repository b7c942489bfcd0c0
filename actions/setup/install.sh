#!/usr/bin/env bash
# Install extracredit into the environment of the Python interpreter named by $1, from this copy of
# the project (two levels up), never from the working directory. $2 is a folder kept between runs
# (action.yml restores it with actions/cache): wheels/, the locks' wheel files, and uv/, uv's
# binary as unpacked before. It may be empty, missing or tampered with. Run by action.yml, and by
# the benchmark (scripts/bench --cold-start), which times it.
#
#   1. The wheel folder is checked: wheels.py hashes every file in it again and deletes any that
#      the locks (uv-requirements.txt, requirements.txt) do not vouch for, so what is left is
#      exactly what a hash-checked download gives. A poisoned cache costs a download, never an
#      install. Wheels still missing (a new lock, an empty cache) are downloaded by pip,
#      hash-checked, wheels only, into the folder.
#   2. uv is run from its verified wheel, not installed by pip (pip's own start-up took longer
#      than uv's whole install): the binary kept in uv/ is hashed against the RECORD of that
#      wheel, and unpacked again from the wheel (and checked likewise) when it does not match.
#   3. The dependencies, with uv, from the folder only (--no-index): exact pins, every file
#      hash-checked again (--require-hashes), wheels only; --strict checks afterwards that the
#      installed packages agree with each other (what `pip check` did). uv keeps no cache of its
#      own (--no-cache): it would trust the hashes it recorded there instead of hashing again.
#   4. extracredit itself, without a build: this copy's src/ is put on the interpreter's path
#      (link.py), with a dist-info for pip and an `extracredit` command.
#
# -P everywhere: never import modules from the working directory (a course repository's checkout);
# --no-config: read no uv.toml or pyproject.toml from it either.
set -euo pipefail

python=$1
wheels=$2/wheels
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
locks=("$here/uv-requirements.txt" "$here/requirements.txt")

missing=$("$python" -P "$here/wheels.py" keep "$wheels" "${locks[@]}")
if [[ -n $missing ]]; then
  for lock in "${locks[@]}"; do
    "$python" -P -m pip download --no-input --disable-pip-version-check --quiet \
      --require-hashes --only-binary :all: --no-deps --dest "$wheels" --requirement "$lock"
  done
fi

uv=$("$python" -P "$here/wheels.py" uv "$wheels" "$here/uv-requirements.txt" "$2/uv")

"$uv" pip install --no-config --no-cache --python "$python" --strict \
  --require-hashes --only-binary :all: --no-index --find-links "$wheels" \
  --requirement "$here/requirements.txt"

# A copy installed earlier in this environment (by an older version of this action, on a runner
# that keeps its tool cache) would come before src/ on the path: remove it first.
"$uv" pip uninstall --no-config --python "$python" --quiet extracredit

"$python" -P "$here/link.py" "$here/../.."
