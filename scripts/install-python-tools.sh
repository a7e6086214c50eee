#!/usr/bin/env bash
# Installs the Python tools that Recur's tests use to check its output with the reference
# implementations (today: the `tensorboard` package, whose own event reader checks
# TensorBoardWriter's files). Creates a virtual environment OUTSIDE the repository, at
# ${RECUR_VENV:-$HOME/.cache/recur/venv}, installs into it only what is not importable yet, and
# prints the path of its python on stdout (progress goes to stderr).
#
#   scripts/install-python-tools.sh            # create/update the venv, print its python
#   scripts/install-python-tools.sh selenium   # also selenium, for scripts/browser_check.py
#   RECUR_VENV=/tmp/v scripts/install-python-tools.sh
#
# The Swift tests use "$HOME/.cache/recur/venv/bin/python" when it exists, else $RECUR_PYTHON,
# else python3.
set -euo pipefail

venv="${RECUR_VENV:-$HOME/.cache/recur/venv}"
base_python="${RECUR_BASE_PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    echo "creating virtual environment at $venv" >&2
    mkdir -p "$(dirname "$venv")"
    "$base_python" -m venv "$venv"
fi

py="$venv/bin/python"
if ! "$py" -c 'import tensorboard' >/dev/null 2>&1; then
    echo "installing tensorboard into $venv" >&2
    "$py" -m pip install --quiet --disable-pip-version-check tensorboard >&2
fi
"$py" -c 'import tensorboard' >/dev/null
# Optional extras, only when asked for by name.
for extra in "$@"; do
    case "$extra" in
        selenium)
            if ! "$py" -c 'import selenium' >/dev/null 2>&1; then
                echo "installing selenium into $venv" >&2
                "$py" -m pip install --quiet --disable-pip-version-check selenium >&2
            fi
            "$py" -c 'import selenium' >/dev/null ;;
        *) echo "install-python-tools.sh: unknown extra '$extra' (known: selenium)" >&2; exit 2 ;;
    esac
done
echo "$py"
