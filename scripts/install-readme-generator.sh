#!/usr/bin/env bash
# Install bitnami's readme-generator-for-helm for the chart tests: it writes the chart README's
# values table and values.schema.json from the @param comments in values.yaml, and
# tests/chart/test_docs.py checks that both are current. The version and every dependency are
# pinned by tests/chart/readme-generator/package-lock.json (integrity hashes); `npm ci` installs
# exactly that. A no-op when the pinned version is already there. Needs node and npm on PATH
# (Node 20 is part of every machine this project runs on; the frontend needs it too).
#
# usage: scripts/install-readme-generator.sh [DIR]
#        (default: .cache/readme-generator in the repository, the place tests/chart looks)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
spec="$repo/tests/chart/readme-generator"
dir=${1:-$repo/.cache/readme-generator}
bin="$dir/node_modules/.bin/readme-generator"
version=$(sed -n 's/.*"@bitnami\/readme-generator-for-helm": "\([^"]*\)".*/\1/p' "$spec/package.json")

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found on PATH (install Node.js 20 or newer)" >&2; exit 1; }
done

installed_version() { "$bin" --version 2>/dev/null | sed -n 's/^Version: //p' || true; }

if [ "$(installed_version)" = "$version" ] && cmp -s "$spec/package-lock.json" "$dir/package-lock.json"; then
  echo "readme-generator-for-helm $version already at $bin"
  exit 0
fi

mkdir -p "$dir"
cp "$spec/package.json" "$spec/package-lock.json" "$dir/"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
got=$(installed_version)
if [ "$got" != "$version" ]; then
  echo "error: $bin reports version '${got}', expected $version" >&2
  exit 1
fi
echo "installed readme-generator-for-helm $got at $bin"
