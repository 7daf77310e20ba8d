#!/usr/bin/env bash
# The unprivileged user the tests run the plays as where they must not run as root: minikube's
# docker driver and the preflight refuse root, as on a user's laptop. It may use Docker (the
# docker group) and reach this repository's .venv, whose Python may live under root's pyenv.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
user=${TODO_TEST_USER:-todo-ci}

[ "$(id -u)" = 0 ] || die "run as root (it creates the user $user)"
if ! id "$user" >/dev/null 2>&1; then
  log "creating the test user $user"
  useradd --create-home --shell /bin/bash "$user"
fi
getent group docker >/dev/null && usermod -aG docker "$user"
# Every directory above the repository and above the venv's real Python must be traversable.
repo=$(cd "$here/../.." && pwd)
for target in "$repo" "$(readlink -f "$repo/.venv/bin/python" 2>/dev/null || true)" \
              "$(command -v python3)"; do
  [ -n "$target" ] || continue
  dir=$(dirname "$target")
  while [ "$dir" != / ]; do
    perms=$(stat -c %A "$dir")
    [ "${perms:9:1}" = x ] || [ "${perms:9:1}" = t ] || chmod o+x "$dir"
    dir=$(dirname "$dir")
  done
done
runuser -u "$user" -- test -r "$repo/site.yml" || die "$user cannot read $repo"
