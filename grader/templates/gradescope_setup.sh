#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image; written by
# `grader gradescope build`. It installs Python >= 3.11, bubblewrap (the sandbox uses it where
# the container allows user namespaces) and the kit, with its hidden tests, into a venv, and puts
# `grader` on PATH for run_autograder.
set -eu
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
VENV="$ROOT/nnkit-venv"
export DEBIAN_FRONTEND=noninteractive

apt-get update -q
apt-get install -y -q bubblewrap ca-certificates

python=""
for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null \
        && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        python="$candidate"; break
    fi
done
if [ -z "$python" ]; then   # an image whose python3 is older: the distribution's Python 3.11
    apt-get install -y -q python3.11 python3.11-venv
    python=python3.11
fi
"$python" -m venv "$VENV" 2>/dev/null || { apt-get install -y -q "$("$python" -c \
    'import sys; print(f"python3.{sys.version_info.minor}-venv")')"; "$python" -m venv "$VENV"; }

"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -r "$SOURCE/requirements.txt" "$SOURCE/wheels/@WHEEL@"
ln -sf "$VENV/bin/grader" /usr/local/bin/grader
chmod +x "$SOURCE/run_autograder"

# The sandbox's probe says here once whether this image can isolate with bubblewrap.
grader --course "$SOURCE/course" course >/dev/null
"$VENV/bin/python" -c 'from grader import sandbox; print("sandbox:", sandbox.isolation_mode())'
