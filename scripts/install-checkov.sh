#!/usr/bin/env bash
# Install checkov for the chart tests into its own virtual environment: checkov pins
# packaging<24 while pytest 9 needs packaging>=24, so the two cannot share one environment.
# A no-op when the pinned version is already there. The default place is outside the repository,
# so linters that walk the tree (yamllint -s .) never meet checkov's own YAML files.
#
# usage: scripts/install-checkov.sh [VENV_DIR]
#        (default: ${XDG_CACHE_HOME:-~/.cache}/todo-app/checkov-venv, the place tests/chart looks)
# env:   PYTHON (default python3; 3.10 .. 3.13)
set -euo pipefail

readonly CHECKOV_VERSION=3.3.30

venv=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/todo-app/checkov-venv}
python=${PYTHON:-python3}

installed_version() { "$venv/bin/checkov" --version 2>/dev/null || true; }

if [ "$(installed_version)" = "$CHECKOV_VERSION" ]; then
  echo "checkov $CHECKOV_VERSION already at $venv/bin/checkov"
  exit 0
fi

"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
got=$(installed_version)
if [ "$got" != "$CHECKOV_VERSION" ]; then
  echo "error: $venv/bin/checkov reports version '${got}', expected $CHECKOV_VERSION" >&2
  exit 1
fi
echo "installed checkov $got at $venv/bin/checkov"
