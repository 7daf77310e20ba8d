#!/usr/bin/env bash
# Prepares a fresh Debian 12 machine (as root) for `make test`: everything the suite needs that
# is not a Python or npm package. Each step is skipped when its result is already there, so a
# second run on the same machine takes seconds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

[ "$(id -u)" = 0 ] || die "run as root (it installs system packages and starts dockerd)"

# PostgreSQL binaries for the throwaway test databases (tests start their own server),
# Chromium for the browser tests, debootstrap for the CI base images, bsdtar (libarchive-tools)
# for the cluster_tools test that unpacks helm with macOS's tar, socat for the mutual-TLS Docker
# endpoint the images tests build through (testsupport/docker_tls.py), docker-registry for the
# registry the images role's push test starts on 127.0.0.1 (its own config and port).
apt_install make git ca-certificates postgresql chromium debootstrap util-linux libarchive-tools \
  socat docker-registry
# The package's own service would listen on :5000 on every interface where systemd runs.
if command -v systemctl >/dev/null && systemctl is-enabled docker-registry >/dev/null 2>&1; then
  systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi
# The packaged cluster is not used: tests run their own on a free port.
command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | awk '$4=="online"{print $1, $2}' \
  | while read -r ver name; do pg_ctlcluster "$ver" "$name" stop || true; done

bash "$here/install-docker.sh"
bash "$here/build-base-images.sh"
# The plays that minikube's docker driver must not see as root run as this user in the tests.
bash "$here/test-user.sh"

log "machine ready"
docker info --format 'docker: server {{.ServerVersion}}, {{.NCPU}} CPUs, {{.Driver}}'
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^todo-ci/' | sed 's/^/base image: /'
printf 'postgres: %s\n' "$(ls /usr/lib/postgresql/*/bin/pg_ctl)"
printf 'chromium: %s\n' "$(chromium --version 2>/dev/null || echo missing)"
