#!/usr/bin/env bash
# Creates the control-node virtual environment (.venv) with the pinned Python packages and the
# Ansible collections. Usage: scripts/setup.sh [--dev]   (--dev adds the test and lint tools)
#
# Re-running is a no-op (about a second) while the Python version and every requirements file
# stay the same: a stamp in the venv records their hash.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
dev=false
[ "${1:-}" = "--dev" ] && dev=true

say() { printf 'setup: %s\n' "$*"; }

# Python: prefer 3.13, then 3.12 (current Ansible needs >= 3.12); fall back to 3.11.
python_ok() { "$1" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; }
pick_python() {
  local c
  if [ -n "${PYTHON:-}" ]; then echo "$PYTHON"; return; fi
  for c in python3.13 python3.12 \
           "$HOME"/.pyenv/versions/3.13*/bin/python3 "$HOME"/.pyenv/versions/3.12*/bin/python3 \
           python3; do
    # A pyenv shim can exist on PATH yet fail when that version is not selected: try it.
    if command -v "$c" >/dev/null 2>&1 && python_ok "$c"; then command -v "$c"; return; fi
  done
  return 1
}
python=$(pick_python) || { echo "setup: Python >= 3.11 with venv is required (3.12+ recommended)" >&2; exit 1; }
version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [ "$version" = "3.11" ]; then
  say "WARNING: using Python 3.11. Current Ansible (ansible-core 2.21) needs 3.12+, so you get"
  say "ansible-core 2.19, and kubernetes.core/community.docker are fetched from Galaxy (network"
  say "needed). Install python3.12 or 3.13 for the tested setup."
fi

# One stamp per mode records the hash of the interpreter and of every requirements file it
# installs; a dev install satisfies a plain one too, so switching modes reinstalls nothing.
base_reqs=(requirements.txt requirements.yml)
# requirements-dev.txt pulls in each service's requirements with -r: they count too.
dev_reqs=("${base_reqs[@]}" requirements-dev.txt $(sed -n 's/^-r //p' requirements-dev.txt | grep -vx requirements.txt || true))
hash_of() { { echo "$python $version"; cat "$@"; } | sha256sum | cut -d' ' -f1; }
base_value=$(hash_of "${base_reqs[@]}")
dev_value=$(hash_of "${dev_reqs[@]}")
up_to_date() { [ -f "$VENV/.stamp-$1" ] && [ "$(cat "$VENV/.stamp-$1")" = "$2" ] && [ -x "$VENV/bin/ansible-playbook" ]; }

if up_to_date dev "$dev_value" || { ! $dev && up_to_date base "$base_value"; }; then
  say "up to date ($VENV, Python $version)"
  exit 0
fi

if [ ! -x "$VENV/bin/python" ] || [ "$("$VENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" != "$version" ]; then
  say "creating $VENV with $python (Python $version)"
  rm -rf "$VENV"
  "$python" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
if $dev; then
  say "installing requirements-dev.txt"
  "$VENV/bin/python" -m pip install --quiet -r requirements-dev.txt
else
  say "installing requirements.txt"
  "$VENV/bin/python" -m pip install --quiet -r requirements.txt
fi

# With ansible 14 the pinned collections are already inside the pip package and this answers
# "Nothing to do"; on the 3.11 fallback it installs them from Galaxy.
say "ansible-galaxy collection install -r requirements.yml"
"$VENV/bin/ansible-galaxy" collection install -r requirements.yml | sed 's/^/  /'

echo "$base_value" >"$VENV/.stamp-base"
$dev && echo "$dev_value" >"$VENV/.stamp-dev"
say "ready: $("$VENV/bin/ansible" --version | sed -n 1p)"  # sed reads all: no broken pipe
