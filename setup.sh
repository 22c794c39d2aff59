#!/usr/bin/env bash
# One command from a fresh clone to a built book:
#   creates .venv, installs requirements.txt (course_utils editable), builds _build/html.
# Safe to run again: it reuses .venv and the book's execution cache.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    echo "setup.sh: needs Python 3.10 or newer as '$PYTHON' (set PYTHON=/path/to/python3.x)." >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    if ! "$PYTHON" -m venv .venv; then
        echo "setup.sh: could not create a virtual environment." \
             "On Debian/Ubuntu install it with: sudo apt-get install python3-venv" >&2
        exit 1
    fi
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements.txt
.venv/bin/jupyter-book build . -W -n --keep-going
echo "Book built: open _build/html/index.html"
