#!/usr/bin/env bash
# Installs and starts a Docker engine with BuildKit (buildx) on a Debian 12 CI machine.
# bookworm's docker.io (20.10) has no buildx, and community.docker's docker_image_build
# shells out to `docker buildx`, so the engine, CLI and buildx plugin come from trixie,
# fetched with a private apt state so the system's own sources stay untouched.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

want_buildx() { docker buildx version >/dev/null 2>&1; }

if ! command -v dockerd >/dev/null 2>&1 || ! want_buildx || ! dockerd --version | grep -q ' 2[6-9]\.'; then
  log "installing Docker engine, CLI and buildx from Debian trixie"
  apt_install iptables ca-certificates
  state=/var/cache/todo-ci/apt-trixie
  mkdir -p "$state/lists/partial" "$state/archives/partial" "$state/debs"
  cat >"$state/sources.list" <<'LIST'
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
LIST
  opts=(-o "Dir::Etc::SourceList=$state/sources.list" -o "Dir::Etc::SourceParts=/nonexistent"
        -o "Dir::State::Lists=$state/lists" -o "Dir::Cache::Archives=$state/archives"
        -o "APT::Get::List-Cleanup=0")
  apt-get "${opts[@]}" update -qq
  (cd "$state/debs" && apt-get "${opts[@]}" download docker.io docker-cli docker-buildx)
  # containerd, runc, tini come from bookworm; the trixie engine accepts their versions.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "$state"/debs/*.deb
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  mkdir -p /var/log
  # Not systemd on CI machines: run the daemon in the background, detached from this shell.
  setsid nohup dockerd >/var/log/dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
fi
docker info >/dev/null 2>&1 || { tail -n 40 /var/log/dockerd.log >&2; die "dockerd did not start (log above)"; }
docker info --format 'Docker engine {{.ServerVersion}}, storage {{.Driver}}, cgroup {{.CgroupVersion}}'
docker buildx version
