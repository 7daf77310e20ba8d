"""testsupport.k8s_docker really runs pod specs the way Kubernetes would (on a real engine).

The container system test trusts this translation to catch drift between the chart and the
images, so its own promises are checked here against Docker: Service names resolve, env comes
from Secrets and ConfigMaps, the security context is enforced, emptyDirs are the only writable
paths, init containers run first, readiness gates `up`.
"""

import json
import os
import socket
import subprocess
import urllib.request
import uuid

import pytest
import yaml

from testsupport import k8s_docker
from testsupport.servers import free_port

# Any image with python3 serves; the Makefile names the local CI stand-in when present.
PYTHON_IMAGE = os.environ.get("TODO_PYTHON_IMAGE", "python:3.13-slim")

# A web pod that serves its own environment and identity, behind a Service named like the
# chart's, plus an init container that must have run before it.
SERVER = """
import json, os, http.server
def probe(path):
    try:
        open(path + '/probe', 'w').close(); return True
    except OSError:
        return False
info = {'env': {k: v for k, v in os.environ.items() if k.startswith('T_')}, 'uid': os.getuid(),
        'gid': os.getgid(), 'root_writable': probe('/'), 'tmp_writable': probe('/tmp'),
        'init_ran': os.path.exists('/work/init-done')}
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps(info).encode()
        self.send_response(200); self.end_headers(); self.wfile.write(body)
http.server.HTTPServer(('0.0.0.0', 8080), H).serve_forever()
"""

MANIFESTS = [
    {"kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"T_FROM_CONFIGMAP": "cm-value"}},
    {
        "kind": "Service",
        "metadata": {"name": "todo-web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 8080}]},
    },
    {
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "template": {
                "metadata": {"labels": {"app": "web", "extra": "x"}},
                "spec": {
                    "securityContext": {
                        "runAsUser": 10001,
                        "runAsGroup": 10001,
                        "runAsNonRoot": True,
                    },
                    "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "work", "emptyDir": {}}],
                    "initContainers": [
                        {
                            "name": "init",
                            "image": PYTHON_IMAGE,
                            "command": ["sh", "-c", "touch /work/init-done"],
                            "volumeMounts": [{"name": "work", "mountPath": "/work"}],
                        }
                    ],
                    "containers": [
                        {
                            "name": "web",
                            "image": PYTHON_IMAGE,
                            "command": ["python3", "-c", SERVER],
                            "ports": [{"name": "http", "containerPort": 8080}],
                            "env": [
                                {"name": "T_PLAIN", "value": "plain"},
                                {
                                    "name": "T_SECRET",
                                    "valueFrom": {"secretKeyRef": {"name": "s", "key": "K"}},
                                },
                                {
                                    "name": "T_OPTIONAL",
                                    "valueFrom": {
                                        "secretKeyRef": {
                                            "name": "s",
                                            "key": "NOPE",
                                            "optional": True,
                                        }
                                    },
                                },
                            ],
                            "envFrom": [{"configMapRef": {"name": "cfg"}}],
                            "securityContext": {
                                "readOnlyRootFilesystem": True,
                                "allowPrivilegeEscalation": False,
                                "capabilities": {"drop": ["ALL"]},
                            },
                            "volumeMounts": [
                                {"name": "tmp", "mountPath": "/tmp"},
                                {"name": "work", "mountPath": "/work"},
                            ],
                            "readinessProbe": {"httpGet": {"path": "/", "port": "http"}},
                        }
                    ],
                },
            }
        },
    },
]


@pytest.fixture
def prefix():
    name = f"k8sdocker-{uuid.uuid4().hex[:8]}"
    yield name
    k8s_docker.down(name)


def test_pod_spec_runs_as_kubernetes_would(prefix: str, tmp_path) -> None:
    manifests = tmp_path / "m.yaml"
    manifests.write_text(yaml.safe_dump_all(MANIFESTS))
    secrets = tmp_path / "s.json"
    secrets.write_text(json.dumps({"s": {"K": "from-secret"}}))

    k8s_docker.main(["up", str(manifests), "--secret-file", str(secrets), "--prefix", prefix])

    # Another container on the network reaches the pod by its Service name, as pods would.
    seen = subprocess.run(
        ["docker", "run", "--rm", "--network", f"{prefix}-net", PYTHON_IMAGE, "python3", "-c",
         "import urllib.request; print(urllib.request.urlopen('http://todo-web:8080/').read().decode())"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    info = json.loads(seen.stdout)
    assert info["env"] == {
        "T_PLAIN": "plain",
        "T_SECRET": "from-secret",
        "T_FROM_CONFIGMAP": "cm-value",
    }
    assert (info["uid"], info["gid"]) == (10001, 10001)
    assert info["root_writable"] is False
    assert info["tmp_writable"] is True
    assert info["init_ran"] is True


def test_missing_required_secret_key_is_an_error(prefix: str) -> None:
    docs = json.loads(json.dumps(MANIFESTS))
    translator = k8s_docker.Translator(docs, {"s": {}}, prefix)
    with pytest.raises(k8s_docker.TranslationError, match="secret s has no key K"):
        translator.plan()


def test_run_as_non_root_without_a_user_is_refused(prefix: str) -> None:
    docs = json.loads(json.dumps(MANIFESTS))
    del docs[2]["spec"]["template"]["spec"]["securityContext"]["runAsUser"]
    translator = k8s_docker.Translator(docs, {"s": {"K": "v"}}, prefix)
    with pytest.raises(k8s_docker.TranslationError, match="runAsNonRoot"):
        translator.plan()


def test_a_fixed_node_port_is_published_on_loopback_like_a_minikube_node(
    prefix: str, tmp_path
) -> None:
    """--node-ports: a NodePort Service with nodePort 30xxx answers on 127.0.0.1:30xxx, as the
    profile the minikube role creates publishes it (`--ports=127.0.0.1:P:P`)."""
    node_port = free_port()  # a free port number to stand for the nodePort
    docs = json.loads(json.dumps(MANIFESTS))
    docs[1]["spec"].update(type="NodePort")
    docs[1]["spec"]["ports"] = [{"port": 80, "targetPort": "http", "nodePort": node_port}]
    manifests = tmp_path / "m.yaml"
    manifests.write_text(yaml.safe_dump_all(docs))
    secrets = tmp_path / "s.json"
    secrets.write_text(json.dumps({"s": {"K": "from-secret"}}))
    argv = ["up", str(manifests), "--secret-file", str(secrets), "--prefix", prefix]

    k8s_docker.main([*argv, "--node-ports"])
    with urllib.request.urlopen(f"http://127.0.0.1:{node_port}/", timeout=10) as resp:
        assert json.loads(resp.read())["env"]["T_PLAIN"] == "plain"

    k8s_docker.down(prefix)
    k8s_docker.main(argv)  # without the flag nothing listens there
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", node_port), timeout=2),
    ):
        pass
