#!/usr/bin/env bash
# One command from a fresh clone to a built book:
#   creates .venv, installs requirements.txt (course_utils editable), builds _build/html.
# Safe to run again: it reuses .venv and the book's execution cache, so a rebuild with nothing
# changed takes seconds.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "setup.sh: needs Python 3.11 or newer as '$PYTHON' (the pinned NumPy and SciPy need it);" \
         "set PYTHON=/path/to/python3.x." >&2
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

# JupyterLab in .venv opens the MyST chapters (book/*.md) as notebooks (jupytext), not as text.
.venv/bin/jupytext-config --settings-file .venv/share/jupyter/lab/settings/overrides.json \
    set-default-viewer markdown myst >/dev/null

# The execution cache knows each chapter's code, not the course_utils it calls: when the
# package or the pins change, execute every chapter again.
stamp="$(cat requirements.txt course_utils/*.py course_utils/*.mplstyle | sha256sum | cut -c1-64)"
if [ -f _build/.course_utils.sha256 ] && [ "$(cat _build/.course_utils.sha256)" != "$stamp" ]; then
    echo "setup.sh: course_utils or requirements.txt changed: executing every chapter again"
    rm -rf _build/.jupyter_cache _build/.doctrees _build/jupyter_execute
fi
.venv/bin/jupyter-book build . -W -n --keep-going
echo "$stamp" > _build/.course_utils.sha256
echo "Book built: open _build/html/index.html"
