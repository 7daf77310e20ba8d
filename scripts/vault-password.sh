#!/bin/sh
# Ansible vault password client (ansible.cfg: vault_password_file). Prints the password kept in
# $TODO_APP_VAULT_PASSWORD_FILE (default ~/.config/todo-app/vault-password). On a fresh machine,
# where no encrypted vault file exists yet, it creates a random password with mode 0600 so the
# first `ansible-playbook site.yml` can generate and encrypt the secrets without a manual step.
set -eu
file=${TODO_APP_VAULT_PASSWORD_FILE:-${XDG_CONFIG_HOME:-$HOME/.config}/todo-app/vault-password}
if [ ! -s "$file" ]; then
  top=$(cd "$(dirname "$0")/.." && pwd)
  for vault in "$top"/inventories/*/group_vars/all/vault.yml; do
    if [ -f "$vault" ]; then
      echo "vault password file $file is missing, but $vault already exists and needs it." >&2
      echo "Restore the file, or point TODO_APP_VAULT_PASSWORD_FILE at it." >&2
      exit 1
    fi
  done
  umask 077
  mkdir -p "$(dirname "$file")"
  # 32 random bytes, base64: no external tool needed beyond od/base64 from coreutils.
  head -c 32 /dev/urandom | base64 | tr -d '\n' >"$file"
fi
cat "$file"
