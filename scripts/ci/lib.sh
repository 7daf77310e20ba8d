# Shared helpers for the CI machine-preparation scripts (sourced, not executed).
log() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
apt_updated=/var/cache/todo-ci/apt-updated
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  mkdir -p "$(dirname "$apt_updated")"
  if [ ! -f "$apt_updated" ]; then apt-get update -qq -o DPkg::Lock::Timeout=600; touch "$apt_updated"; fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}"
}
