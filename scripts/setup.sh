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

# Python: prefer 3.13, then 3.12 (current Ansible needs >= 3.12); fall back to 3.11. A Python
# counts only if it can make a venv with pip in it: `import venv` is not enough, because Debian
# and Ubuntu ship ensurepip (which `python3 -m venv` runs to put pip into the venv) apart from
# the interpreter, in pythonX.Y-venv.
python_ok() { "$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; }
# "X.Y" of a Python that runs and is >= 3.11 (whether or not it has ensurepip), else nothing.
python_version() {
  "$1" -c 'import sys; sys.version_info >= (3, 11) and print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true
}
python=""
no_ensurepip=""  # the Pythons that were refused only for lacking ensurepip, one "X.Y path" a line
consider() {  # consider NAME-OR-PATH: picks it when usable, else notes why not
  local path v
  path=$(command -v "$1" 2>/dev/null) || return 1
  if python_ok "$path"; then python=$path; return 0; fi
  v=$(python_version "$path")
  if [ -n "$v" ]; then no_ensurepip="$no_ensurepip$v $path
"; fi
  return 1
}
if [ -n "${PYTHON:-}" ]; then
  if consider "$PYTHON"; then python=$PYTHON; fi
else
  for c in python3.13 python3.12 \
           "$HOME"/.pyenv/versions/3.13*/bin/python3 "$HOME"/.pyenv/versions/3.12*/bin/python3 \
           python3; do
    # A pyenv shim can exist on PATH yet fail when that version is not selected: consider tries it.
    if consider "$c"; then break; fi
  done
fi
if [ -z "$python" ]; then
  echo "setup: Python >= 3.11 with venv is required (3.12+ recommended)${PYTHON:+; PYTHON=$PYTHON is not one}" >&2
  if [ -n "$no_ensurepip" ]; then
    v=${no_ensurepip%% *}  # the most preferred of them
    printf '%s' "$no_ensurepip" | while read -r ver path; do
      echo "setup: $path (Python $ver) has no ensurepip, so it cannot put pip into a venv" >&2
    done
    if [ -f /etc/debian_version ]; then
      echo "setup: install it with: sudo apt install python$v-venv   (then run this again)" >&2
    else
      echo "setup: install the ensurepip/venv part of Python $v from your package manager, or a Python from python.org or Homebrew" >&2
    fi
  elif [ -f /etc/debian_version ]; then
    echo "setup: install one with: sudo apt install python3.12 python3.12-venv   (python3.13 python3.13-venv on Debian 13)" >&2
  elif [ "$(uname -s)" = Darwin ]; then
    echo "setup: install one with: brew install python@3.13   (macOS's own python3 is 3.9)" >&2
  fi
  exit 1
fi
version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [ "$version" = "3.11" ]; then
  say "WARNING: using Python 3.11. Current Ansible (ansible-core 2.21) needs 3.12+, so you get"
  say "ansible-core 2.19, and kubernetes.core/community.docker are fetched from Galaxy (network"
  say "needed). Install python3.12 or 3.13 for the tested setup."
fi

# One stamp per mode records the hash of the interpreter and of every requirements file it
# installs; a dev install satisfies a plain one too, so switching modes reinstalls nothing.
base_reqs=(requirements.txt requirements.yml)
# requirements-dev.txt pulls in each service's requirements with -r: they count too. (Word
# splitting on purpose: the names have no spaces, and mapfile needs bash 4, macOS has 3.2.)
# testsupport/pyproject.toml describes the shared test helpers installed with them.
# shellcheck disable=SC2207
dev_reqs=("${base_reqs[@]}" requirements-dev.txt $(sed -n 's/^-r //p' requirements-dev.txt | grep -vx requirements.txt || true) testsupport/pyproject.toml)
hash_of() { { echo "$python $version"; cat "$@"; } | sha256sum | cut -d' ' -f1; }
base_value=$(hash_of "${base_reqs[@]}")
dev_value=$(hash_of "${dev_reqs[@]}")
up_to_date() { [ -f "$VENV/.stamp-$1" ] && [ "$(cat "$VENV/.stamp-$1")" = "$2" ] && [ -x "$VENV/bin/ansible-playbook" ]; }

if up_to_date dev "$dev_value" || { ! $dev && up_to_date base "$base_value"; }; then
  say "up to date ($VENV, Python $version)"
  exit 0
fi

# An existing venv is reused only when its Python is the chosen version and its pip runs: a
# `python3 -m venv` that failed in ensurepip leaves bin/python without pip behind.
reuse=""
if [ -e "$VENV" ] || [ -L "$VENV" ]; then
  venv_version=$("$VENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)
  if [ -z "$venv_version" ]; then
    say "recreating $VENV: its bin/python does not run"
  elif [ "$venv_version" != "$version" ]; then
    say "recreating $VENV: its Python is $venv_version, not $version"
  elif ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    say "recreating $VENV: its pip does not run (left half-made by an earlier failed setup?)"
  else
    reuse=yes
  fi
fi
if [ -z "$reuse" ]; then
  say "creating $VENV with $python (Python $version)"
  rm -rf "$VENV"
  if ! "$python" -m venv "$VENV"; then
    rm -rf "$VENV"  # nothing half-made is left for the next run to trip over
    echo "setup: '$python -m venv $VENV' failed (see above)" >&2
    exit 1
  fi
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
if $dev; then
  say "installing requirements-dev.txt"
  "$VENV/bin/python" -m pip install --quiet -r requirements-dev.txt
  # The helpers every test suite and benchmark imports (`import testsupport`), editable so
  # they are this checkout's; their dependencies came with requirements-dev.txt.
  say "installing testsupport (editable)"
  "$VENV/bin/python" -m pip install --quiet --no-deps -e ./testsupport
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
