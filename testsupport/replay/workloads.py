"""The kubelet's stand-in for the helm stand-in's workload hook (TODO_REPLAY_HELM_HOOK).

The API stand-in keeps objects but runs no containers. This hook runs a release's rendered
workloads as Docker containers with testsupport.k8s_docker, with the Secrets the release reads
taken from the API stand-in, and its fixed NodePorts published on 127.0.0.1 as a Minikube node
created with `--ports=127.0.0.1:P:P` publishes them: so the app a deploy installed answers at the
URL the play prints, with the real images, the real chart and the real Secret.

    python -m testsupport.replay.workloads deployed RELEASE NAMESPACE MANIFEST
    python -m testsupport.replay.workloads uninstalled RELEASE NAMESPACE

The containers are labelled with the prefix `todo-replay-<NAMESPACE>` (or
`$TODO_REPLAY_WORKLOAD_PREFIX`); a deploy replaces the previous set.
"""

from __future__ import annotations

import base64
import json
import os
import ssl
import sys
import urllib.request
from pathlib import Path

from testsupport import k8s_docker
from testsupport.replay import replay_dir


def prefix(namespace: str) -> str:
    return os.environ.get("TODO_REPLAY_WORKLOAD_PREFIX") or f"todo-replay-{namespace}"


def secrets(namespace: str) -> dict[str, dict[str, str]]:
    """The namespace's Secrets (but Helm's own release records), decoded, from the API stand-in."""
    api = json.loads((replay_dir() / "kube-api.json").read_text())
    context = ssl.create_default_context(cafile=api["ca"])
    context.load_cert_chain(api["client_cert"], api["client_key"])
    url = f"{api['server']}/api/v1/namespaces/{namespace}/secrets"
    with urllib.request.urlopen(url, context=context, timeout=10) as resp:  # noqa: S310
        items = json.loads(resp.read())["items"]
    return {
        item["metadata"]["name"]: {
            key: base64.b64decode(value).decode() for key, value in (item.get("data") or {}).items()
        }
        for item in items
        if item.get("type") != "helm.sh/release.v1"
    }


def main(argv: list[str]) -> int:
    event, _release, namespace, *rest = argv
    if event == "uninstalled":
        k8s_docker.down(prefix(namespace))
        return 0
    (manifest,) = rest
    secret_file = Path(manifest).with_suffix(".secrets.json")
    secret_file.write_text(json.dumps(secrets(namespace)))
    secret_file.chmod(0o600)
    try:
        docs = k8s_docker.load_manifests(Path(manifest).read_text())
        translator = k8s_docker.Translator(
            docs, json.loads(secret_file.read_text()), prefix(namespace), node_ports=True
        )
        report = k8s_docker.up(translator, timeout=float(os.environ.get("TODO_REPLAY_READY", 300)))
    except (k8s_docker.TranslationError, RuntimeError, TimeoutError) as exc:
        print(f"workloads of {namespace} not ready: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    finally:
        secret_file.unlink(missing_ok=True)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
