# Shared by scripts/demo and scripts/test: make .venv (Python 3.11+) if missing and install into it.
# Usage: source scripts/_venv.sh; ensure_venv [pip install arguments...]
ensure_venv() {
    local python=""
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            python=$candidate
            break
        fi
    done
    if [ -z "$python" ]; then
        echo "extracredit needs Python 3.11 or newer; install it and run this again." >&2
        exit 2
    fi
    if [ ! -x .venv/bin/python ]; then
        echo "creating .venv with $($python --version)"
        "$python" -m venv .venv
    fi
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "$@"
}
