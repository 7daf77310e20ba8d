#!/usr/bin/env bash
# Builds the base images the service Dockerfiles take as build arguments, for machines that
# cannot pull from any registry: a Debian trixie rootfs from debootstrap, imported with
# `docker import`. They carry the host's CA bundle, because package downloads inside
# `docker build` go through a TLS-intercepting proxy here. CI-only: the Dockerfiles default to
# the official python/node images, and users never need these.
#   todo-ci/python:3.13-trixie  stands in for python:3.13-slim (python3 + venv + pip)
#   todo-ci/node:20-trixie      stands in for node:*-slim (the host's Node 20 copied in)
#   todo-ci/postgres:17-trixie  stands in for postgres:17-alpine in the container system test
#                               (Debian's PostgreSQL 17, uid 70 as in the alpine image, and an
#                               entrypoint honouring the same POSTGRES_* variables)
# An image that already exists is left alone, so a second CI run costs nothing here.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PYTHON_BASE=${PYTHON_BASE:-todo-ci/python:3.13-trixie}
NODE_BASE=${NODE_BASE:-todo-ci/node:20-trixie}
POSTGRES_IMAGE=${POSTGRES_IMAGE:-todo-ci/postgres:17-trixie}
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
ENV_CHANGES=(--change "ENV PIP_CERT=$CA_BUNDLE" --change "ENV SSL_CERT_FILE=$CA_BUNDLE"
             --change "ENV REQUESTS_CA_BUNDLE=$CA_BUNDLE" --change "ENV NODE_EXTRA_CA_CERTS=$CA_BUNDLE"
             --change "ENV LANG=C.UTF-8")

apt_install debootstrap

bootstrap() { # bootstrap DIR EXTRA_PACKAGES
  local dir=$1 include=$2
  rm -rf "$dir"; mkdir -p "$dir"
  debootstrap --variant=minbase --include="$include" trixie "$dir" http://deb.debian.org/debian >"$dir.log" 2>&1 \
    || { tail -n 30 "$dir.log" >&2; die "debootstrap failed for $dir"; }
  cp "$CA_BUNDLE" "$dir$CA_BUNDLE"
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
}

import() { # import DIR IMAGE CMD...
  local dir=$1 image=$2; shift 2
  tar -C "$dir" -c . | docker import "${ENV_CHANGES[@]}" "$@" - "$image" >/dev/null
  rm -rf "$dir" "$dir.log"
  log "built $image ($(docker image inspect -f '{{.Size}}' "$image" | numfmt --to=iec))"
}

work=$(mktemp -d /var/tmp/todo-ci-base.XXXXXX)
trap 'rm -rf "$work"' EXIT

if docker image inspect "$PYTHON_BASE" >/dev/null 2>&1; then
  log "$PYTHON_BASE present"
else
  log "building $PYTHON_BASE with debootstrap"
  bootstrap "$work/python" python3,python3-venv,python3-pip,ca-certificates
  ln -sf python3 "$work/python/usr/bin/python"
  import "$work/python" "$PYTHON_BASE" --change 'CMD ["python3"]'
fi

if docker image inspect "$NODE_BASE" >/dev/null 2>&1; then
  log "$NODE_BASE present"
else
  log "building $NODE_BASE with debootstrap and the host's Node $(node --version)"
  bootstrap "$work/node" ca-certificates
  cp "$(command -v node)" "$work/node/usr/bin/node"
  mkdir -p "$work/node/usr/lib/node_modules"
  cp -a "$(dirname "$(readlink -f "$(command -v npm)")")/.." "$work/node/usr/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$work/node/usr/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$work/node/usr/bin/npx"
  printf 'cafile=%s\n' "$CA_BUNDLE" >"$work/node/etc/npmrc"
  import "$work/node" "$NODE_BASE" --change 'CMD ["node"]' --change "ENV NPM_CONFIG_CAFILE=$CA_BUNDLE"
fi
if docker image inspect "$POSTGRES_IMAGE" >/dev/null 2>&1; then
  log "$POSTGRES_IMAGE present"
else
  log "building $POSTGRES_IMAGE with debootstrap"
  bootstrap "$work/postgres" postgresql-17,ca-certificates
  # The official alpine image runs as uid/gid 70, and the chart's securityContext says so.
  chroot "$work/postgres" sh -c 'groupmod -g 70 postgres && usermod -u 70 -g 70 postgres' >/dev/null
  install -m 0755 "$(dirname "$0")/postgres/docker-entrypoint.sh" "$work/postgres/usr/local/bin/"
  mkdir -p "$work/postgres/var/lib/postgresql/data" "$work/postgres/var/run/postgresql"
  chroot "$work/postgres" chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
  import "$work/postgres" "$POSTGRES_IMAGE" \
    --change 'ENV PATH=/usr/lib/postgresql/17/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV PGDATA=/var/lib/postgresql/data' --change 'USER 70:70' \
    --change 'ENTRYPOINT ["docker-entrypoint.sh"]' --change 'CMD ["postgres"]' \
    --change 'EXPOSE 5432'
fi

docker image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep '^todo-ci/'
