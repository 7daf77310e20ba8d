"""The Kubernetes API stand-in, driven by the clients the roles use: raw HTTPS for the protocol
details clients branch on, the real kubectl 1.32, and kubernetes.core's k8s / k8s_info (the
kubernetes Python client) through ansible-playbook."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

from testsupport.replay.kube_api import KubeAPI, make_certificates
from testsupport.servers import free_port

NS = "todo-app"


def request(
    api: KubeAPI,
    method: str,
    path: str,
    body=None,
    *,
    cert: bool = True,
    content_type: str = "application/json",
    accept: str = "application/json",
):
    ctx = ssl.create_default_context(cafile=str(api.certs["ca"]))
    if cert:
        ctx.load_cert_chain(api.certs["client_cert"], api.certs["client_key"])
    conn = http.client.HTTPSConnection("127.0.0.1", api.port, context=ctx, timeout=10)
    data = json.dumps(body).encode() if body is not None else None
    conn.request(method, path, body=data, headers={"Content-Type": content_type, "Accept": accept})
    resp = conn.getresponse()
    raw = resp.read()
    conn.close()
    try:
        return resp.status, json.loads(raw)
    except ValueError:
        return resp.status, raw.decode()


def statefulset(name: str = "todo-postgresql") -> dict:
    labels = {"app.kubernetes.io/component": "postgresql"}
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "serviceName": name,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "postgresql", "image": "postgres:17"}]},
            },
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1Gi"}},
                    },
                }
            ],
        },
    }


def deployment(name: str = "todo-backend", image: str = "todo-backend:1") -> dict:
    labels = {"app.kubernetes.io/component": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": NS, "labels": labels},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "initContainers": [{"name": "migrate", "image": image}],
                    "containers": [
                        {"name": "backend", "image": image, "ports": [{"containerPort": 8000}]}
                    ],
                },
            },
        },
    }


def service(name: str = "todo-frontend") -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "type": "NodePort",
            "selector": {"app": name},
            "ports": [{"name": "http", "port": 3000}],
        },
    }


def namespace(api: KubeAPI, name: str = NS) -> None:
    api.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})


def ready(api: KubeAPI, kind: str, name: str) -> bool:
    obj = api.get(kind, name, NS, api_version="apps/v1")
    status = (obj or {}).get("status", {})
    return status.get("readyReplicas", 0) >= 1 and status.get("observedGeneration") == (
        obj or {}
    ).get("metadata", {}).get("generation")


# --------------------------------------------------------------------------------------------
# the protocol, raw
# --------------------------------------------------------------------------------------------
def test_anonymous_requests_get_what_kube_apiserver_gives_system_anonymous(kube_api):
    code, body = request(kube_api, "GET", "/version", cert=False)
    assert code == 200
    assert body["gitVersion"] == "v1.35.1"
    code, body = request(kube_api, "GET", "/api/v1/namespaces", cert=False)
    assert code == 403
    assert body["kind"] == "Status"
    assert body["reason"] == "Forbidden"
    assert body["code"] == 403
    assert body["message"] == (
        'namespaces is forbidden: User "system:anonymous" cannot list resource "namespaces" in '
        'API group "" at the cluster scope'
    )
    code, body = request(kube_api, "GET", "/apis/apps/v1/namespaces/x/deployments/y", cert=False)
    assert body["message"] == (
        'deployments.apps "y" is forbidden: User "system:anonymous" cannot get resource '
        '"deployments" in API group "apps" in the namespace "x"'
    )
    code, body = request(kube_api, "GET", "/api", cert=False)
    assert body["message"] == 'forbidden: User "system:anonymous" cannot get path "/api"'


def test_a_client_certificate_from_another_ca_is_refused(kube_api, tmp_path):
    other = make_certificates(tmp_path / "other")
    ctx = ssl.create_default_context(cafile=str(kube_api.certs["ca"]))
    ctx.load_cert_chain(other["client_cert"], other["client_key"])
    conn = http.client.HTTPSConnection("127.0.0.1", kube_api.port, context=ctx, timeout=10)

    def attempt():
        # TLS 1.3: the server's alert comes with the first read, or breaks the first write
        conn.request("GET", "/api/v1/namespaces")
        return conn.getresponse()

    with pytest.raises((ssl.SSLError, ConnectionResetError, BrokenPipeError)):
        attempt()


def test_status_bodies_carry_the_reason_and_code_clients_branch_on(kube_api):
    code, body = request(kube_api, "GET", f"/api/v1/namespaces/{NS}/secrets/missing")
    assert (code, body["reason"], body["code"]) == (404, "NotFound", 404)
    assert body["message"] == 'secrets "missing" not found'
    assert body["details"] == {"name": "missing", "group": "", "kind": "secrets"}

    code, body = request(
        kube_api, "POST", f"/api/v1/namespaces/{NS}/secrets", {"metadata": {"name": "s"}}
    )
    assert (code, body["reason"]) == (404, "NotFound")
    assert body["message"] == f'namespaces "{NS}" not found'

    namespace(kube_api)
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "stringData": {"K": "v"},
    }
    code, created = request(kube_api, "POST", f"/api/v1/namespaces/{NS}/secrets", secret)
    assert code == 201
    meta = created["metadata"]
    assert meta["uid"]
    assert meta["resourceVersion"].isdigit()
    assert meta["creationTimestamp"]
    assert created["data"] == {"K": "dg=="}
    assert "stringData" not in created
    assert created["type"] == "Opaque"

    code, body = request(kube_api, "POST", f"/api/v1/namespaces/{NS}/secrets", secret)
    assert (code, body["reason"], body["message"]) == (
        409,
        "AlreadyExists",
        'secrets "s" already exists',
    )

    stale = dict(created, metadata={**meta, "resourceVersion": "1"})
    code, body = request(kube_api, "PUT", f"/api/v1/namespaces/{NS}/secrets/s", stale)
    assert (code, body["reason"]) == (409, "Conflict")

    code, body = request(
        kube_api, "POST", f"/api/v1/namespaces/{NS}/secrets", {"metadata": {"name": "Bad_Name"}}
    )
    assert (code, body["reason"], body["code"]) == (422, "Invalid", 422)
    assert body["details"]["causes"][0]["field"] == "metadata.name"

    changed = dict(created, type="kubernetes.io/tls")
    code, body = request(kube_api, "PUT", f"/api/v1/namespaces/{NS}/secrets/s", changed)
    assert (code, body["reason"]) == (422, "Invalid")
    assert "field is immutable" in body["message"]


def test_writes_keep_or_bump_resource_version_and_generation_as_the_apiserver_does(kube_api):
    namespace(kube_api)
    dep = kube_api.apply(deployment())
    rv, gen = dep["metadata"]["resourceVersion"], dep["metadata"]["generation"]
    path = f"/apis/apps/v1/namespaces/{NS}/deployments/todo-backend"
    # a no-op merge patch changes nothing (the etcd store skips it)
    code, same = request(
        kube_api,
        "PATCH",
        path,
        {"metadata": {"labels": dep["metadata"]["labels"]}},
        content_type="application/merge-patch+json",
    )
    assert code == 200
    assert same["metadata"]["generation"] == gen
    # a strategic merge patch merges containers by name and bumps the generation
    code, patched = request(
        kube_api,
        "PATCH",
        path,
        {
            "spec": {
                "template": {
                    "spec": {"containers": [{"name": "backend", "image": "todo-backend:2"}]}
                }
            }
        },
        content_type="application/strategic-merge-patch+json",
    )
    assert code == 200
    container = patched["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "todo-backend:2"
    assert container["ports"] == [{"containerPort": 8000}]
    assert patched["metadata"]["generation"] == gen + 1
    assert int(patched["metadata"]["resourceVersion"]) > int(rv)
    # JSON patch
    code, patched = request(
        kube_api,
        "PATCH",
        path,
        [{"op": "replace", "path": "/spec/replicas", "value": 2}],
        content_type="application/json-patch+json",
    )
    assert code == 200
    assert patched["spec"]["replicas"] == 2
    # status written with the object is ignored (status subresource)
    patched["status"] = {"readyReplicas": 99}
    del patched["metadata"]["resourceVersion"]  # unconditional: the controller writes status too
    code, put = request(kube_api, "PUT", path, patched)
    assert code == 200
    assert put["status"].get("readyReplicas") != 99


def test_lists_filter_by_label_and_field_selectors(kube_api):
    namespace(kube_api)
    for name, tier in (("a", "web"), ("b", "db"), ("c", "web")):
        kube_api.apply(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": name, "namespace": NS, "labels": {"tier": tier}},
            }
        )

    def names(query):
        code, body = request(kube_api, "GET", f"/api/v1/namespaces/{NS}/configmaps?{query}")
        assert code == 200
        assert body["kind"] == "ConfigMapList"
        assert all("kind" not in item for item in body["items"])  # no TypeMeta in list items
        return sorted(i["metadata"]["name"] for i in body["items"])

    assert names("labelSelector=tier%3Dweb") == ["a", "c"]
    # != also matches objects without the label, like the namespace's kube-root-ca.crt
    kube_api.wait_for(lambda: kube_api.get("ConfigMap", "kube-root-ca.crt", NS), 3, "seeding")
    assert names("labelSelector=tier%21%3Dweb") == ["b", "kube-root-ca.crt"]
    assert names("labelSelector=tier+in+%28db%29") == ["b"]
    assert names("labelSelector=tier") == ["a", "b", "c"]
    assert names("fieldSelector=metadata.name%3Db") == ["b"]
    assert names("labelSelector=tier%3Dweb&fieldSelector=metadata.name%21%3Da") == ["c"]


def test_a_watch_streams_the_changes_after_its_resource_version(kube_api):
    namespace(kube_api)
    _code, body = request(kube_api, "GET", f"/api/v1/namespaces/{NS}/configmaps")
    rv = body["metadata"]["resourceVersion"]
    ctx = ssl.create_default_context(cafile=str(kube_api.certs["ca"]))
    ctx.load_cert_chain(kube_api.certs["client_cert"], kube_api.certs["client_key"])
    conn = http.client.HTTPSConnection("127.0.0.1", kube_api.port, context=ctx, timeout=10)
    conn.request(
        "GET",
        f"/api/v1/namespaces/{NS}/configmaps?watch=1&resourceVersion={rv}"
        "&fieldSelector=metadata.name%3Dwatched&timeoutSeconds=5",
    )
    resp = conn.getresponse()
    assert resp.status == 200
    assert resp.getheader("Transfer-Encoding") == "chunked"
    kube_api.apply(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ignored", "namespace": NS}}
    )
    kube_api.apply(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "watched", "namespace": NS},
            "data": {"a": "1"},
        }
    )
    kube_api.apply(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "watched", "namespace": NS},
            "data": {"a": "2"},
        }
    )
    events = [json.loads(resp.readline()) for _ in range(2)]
    conn.close()
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED"]
    assert events[1]["object"]["data"] == {"a": "2"}


def test_workloads_get_pods_and_status_and_claims_outlive_their_statefulset(kube_api):
    namespace(kube_api)
    started = time.monotonic()
    kube_api.apply(deployment())
    kube_api.apply(statefulset())
    kube_api.wait_for(
        lambda: (
            ready(kube_api, "Deployment", "todo-backend")
            and ready(kube_api, "StatefulSet", "todo-postgresql")
        ),
        5,
        "readiness",
    )
    assert time.monotonic() - started < 2.0
    dep = kube_api.get("Deployment", "todo-backend", NS, "apps/v1")
    conditions = {c["type"]: (c["status"], c["reason"]) for c in dep["status"]["conditions"]}
    assert conditions == {
        "Available": ("True", "MinimumReplicasAvailable"),
        "Progressing": ("True", "NewReplicaSetAvailable"),
    }
    assert dep["status"]["updatedReplicas"] == dep["status"]["availableReplicas"] == 1
    pods = kube_api.list("Pod", NS)
    assert sorted(p["metadata"]["name"].rsplit("-", 2)[0] for p in pods) == ["todo", "todo-backend"]
    pvc = kube_api.get("PersistentVolumeClaim", "data-todo-postgresql-0", NS)
    assert pvc["status"]["phase"] == "Bound"
    code, _ = request(
        kube_api,
        "DELETE",
        f"/apis/apps/v1/namespaces/{NS}/statefulsets/todo-postgresql",
        {"propagationPolicy": "Background"},
    )
    assert code == 200
    kube_api.wait_for(
        lambda: (
            not any(p["metadata"]["name"] == "todo-postgresql-0" for p in kube_api.list("Pod", NS))
        ),
        3,
        "pod deletion",
    )
    assert kube_api.get("PersistentVolumeClaim", "data-todo-postgresql-0", NS) is not None


def test_a_deleted_namespace_terminates_then_takes_its_content(kube_api):
    namespace(kube_api)
    kube_api.apply(statefulset())
    kube_api.wait_for(lambda: kube_api.list("PersistentVolumeClaim", NS), 3, "the claim")
    code, body = request(kube_api, "DELETE", f"/api/v1/namespaces/{NS}")
    assert code == 200
    assert body["status"]["phase"] == "Terminating"
    code, body = request(
        kube_api, "POST", f"/api/v1/namespaces/{NS}/configmaps", {"metadata": {"name": "late"}}
    )
    assert (code, body["reason"]) == (403, "Forbidden")
    assert "because it is being terminated" in body["message"]
    kube_api.wait_for(lambda: kube_api.get("Namespace", NS) is None, 3, "namespace removal")
    assert kube_api.list("PersistentVolumeClaim", NS) == []
    assert kube_api.list("Pod", NS) == []


def test_stopping_makes_the_cluster_unreachable_and_start_brings_it_back_with_its_state(
    kube_api,
):
    namespace(kube_api)
    port = kube_api.port
    kube_api.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    kube_api.start()
    assert kube_api.port == port
    code, body = request(kube_api, "GET", f"/api/v1/namespaces/{NS}")
    assert code == 200
    assert body["status"]["phase"] == "Active"


def test_the_serve_command_writes_its_files_and_serves_until_killed(tmp_path, kubectl, env):
    out = tmp_path / "served"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "testsupport.replay.kube_api",
            "serve",
            "--dir",
            str(out),
            "--context",
            "demo",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("kube-api serving https://127.0.0.1:")
        info = json.loads((out / "kube-api.json").read_text())
        assert set(info) == {"server", "ca", "client_cert", "client_key"}
        assert all(
            Path(info[k]).is_absolute() and Path(info[k]).exists()
            for k in ("ca", "client_cert", "client_key")
        )
        got = subprocess.run(
            [
                "kubectl",
                "--kubeconfig",
                str(out / "kubeconfig"),
                "--context",
                "demo",
                "get",
                "namespaces",
                "-o",
                "name",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert got.returncode == 0, got.stderr
        assert "namespace/kube-system" in got.stdout.split()
        # a workload of the running server marked failing from another process
        marked = subprocess.run(
            [
                sys.executable,
                "-m",
                "testsupport.replay.kube_api",
                "fail",
                "--dir",
                str(out),
                "web",
                "--reason",
                "boom",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert marked.returncode == 0, marked.stderr
        kubeconfig = ["--kubeconfig", str(out / "kubeconfig"), "--context", "demo"]
        manifest = tmp_path / "web.json"
        manifest.write_text(json.dumps(deployment("web")))
        ns_doc = subprocess.run(
            ["kubectl", *kubeconfig, "create", "namespace", NS, "--dry-run=client", "-o", "json"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        (tmp_path / "ns.json").write_text(ns_doc)
        for path in ("ns.json", "web.json"):
            applied = subprocess.run(
                ["kubectl", *kubeconfig, "apply", "--validate=false", "-f", str(tmp_path / path)],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert applied.returncode == 0, applied.stderr
        stuck = subprocess.run(
            [
                "kubectl",
                *kubeconfig,
                "-n",
                NS,
                "rollout",
                "status",
                "deployment/web",
                "--timeout=2s",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert stuck.returncode == 1
        assert "timed out waiting for the condition" in stuck.stderr
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0


# --------------------------------------------------------------------------------------------
# the real kubectl 1.32
# --------------------------------------------------------------------------------------------
def test_kubectl_sees_rollouts_pods_events_and_logs(kube_api, kubectl):
    namespace(kube_api)
    kube_api.set_failing("todo-ai-agent", reason="RuntimeError: OPENAI_MODEL is not set")
    kube_api.apply(deployment())
    kube_api.apply(deployment("todo-ai-agent", "todo-ai-agent:1"))
    kube_api.apply(statefulset())

    ok = kubectl("-n", NS, "rollout", "status", "deployment/todo-backend", "--timeout=20s")
    assert ok.returncode == 0, ok.stderr
    assert 'deployment "todo-backend" successfully rolled out' in ok.stdout
    ok = kubectl("-n", NS, "rollout", "status", "statefulset/todo-postgresql", "--timeout=20s")
    assert ok.returncode == 0, ok.stderr
    assert "partitioned roll out complete" in ok.stdout or "rolling update complete" in ok.stdout

    started = time.monotonic()
    stuck = kubectl("-n", NS, "rollout", "status", "deployment/todo-ai-agent", "--timeout=3s")
    assert stuck.returncode == 1
    assert "error: timed out waiting for the condition" in stuck.stderr
    assert 'Waiting for deployment "todo-ai-agent" rollout to finish' in stuck.stdout
    assert time.monotonic() - started < 15

    wide = kubectl("-n", NS, "get", "pods", "-o", "wide")
    assert wide.returncode == 0, wide.stderr
    header, *rows = wide.stdout.splitlines()
    assert header.split()[:6] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP"]
    agent = next(r.split() for r in rows if r.startswith("todo-ai-agent-"))
    assert agent[1] == "0/1"
    assert agent[2] == "CrashLoopBackOff"
    assert int(agent[3]) >= 1
    assert CONTEXT_NODE in agent
    backend = next(r.split() for r in rows if r.startswith("todo-backend-"))
    assert backend[1:3] == ["1/1", "Running"]

    events = kubectl("-n", NS, "get", "events", "--sort-by=.lastTimestamp")
    assert events.returncode == 0, events.stderr
    assert events.stdout.splitlines()[0].split() == [
        "LAST",
        "SEEN",
        "TYPE",
        "REASON",
        "OBJECT",
        "MESSAGE",
    ]
    backoff = [line for line in events.stdout.splitlines() if " BackOff " in line]
    assert backoff
    assert "Warning" in backoff[0]
    assert "pod/todo-ai-agent-" in backoff[0]
    assert not [line for line in backoff if "pod/todo-backend-" in line]  # the healthy one

    pod = agent[0]
    logs = kubectl("-n", NS, "logs", pod, "--all-containers", "--prefix", "--tail=2")
    assert logs.returncode == 0, logs.stderr
    # kubectl reads the containers' logs in parallel: the order of the containers varies
    backend_lines = [ln for ln in logs.stdout.splitlines() if ln.startswith(f"[pod/{pod}/backend]")]
    assert len(backend_lines) == 2, logs.stdout
    assert backend_lines[-1] == f"[pod/{pod}/backend] RuntimeError: OPENAI_MODEL is not set"
    assert any(line.startswith(f"[pod/{pod}/migrate] ") for line in logs.stdout.splitlines())

    as_json = kubectl("-n", NS, "get", "deployment", "todo-ai-agent", "-o", "json")
    doc = json.loads(as_json.stdout)
    assert doc["status"]["unavailableReplicas"] == 1
    assert {c["type"]: c["status"] for c in doc["status"]["conditions"]}["Available"] == "False"

    gone = kubectl("-n", NS, "delete", "deployment", "todo-ai-agent", "--timeout=20s")
    assert gone.returncode == 0, gone.stderr
    assert 'deployment.apps "todo-ai-agent" deleted' in gone.stdout
    kube_api.wait_for(
        lambda: (
            not [
                p
                for p in kube_api.list("Pod", NS)
                if p["metadata"]["name"].startswith("todo-ai-agent")
            ]
        ),
        3,
        "the agent's pods to go",
    )
    missing = kubectl("-n", NS, "get", "deployment", "todo-ai-agent")
    assert missing.returncode == 1
    assert 'Error from server (NotFound): deployments.apps "todo-ai-agent" not found' in (
        missing.stderr
    )


CONTEXT_NODE = "todo-app"  # minikube's node is named after the profile


def hostile_env(tmp_path, closed_port: int, no_proxy: bool) -> dict:
    """A corporate laptop's environment: every CA variable names an unrelated (proxy) CA, and an
    HTTPS proxy is set (here on a port where nothing listens)."""
    unrelated = make_certificates(tmp_path / "unrelated-ca")["ca"]
    env = {
        name: str(unrelated) for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")
    }
    env["SSL_CERT_DIR"] = str(tmp_path / "unrelated-ca")
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        env[name] = f"http://127.0.0.1:{closed_port}"
    for name in ("NO_PROXY", "no_proxy"):
        env[name] = "127.0.0.1,localhost" if no_proxy else ""
    return env


def test_kubectl_verifies_with_the_kubeconfig_ca_and_never_proxies_loopback(
    kube_api, kubectl, tmp_path
):
    namespace(kube_api)
    env = hostile_env(tmp_path, free_port(), no_proxy=False)
    got = kubectl("get", "namespace", NS, "-o", "name", extra_env=env)
    assert got.returncode == 0, got.stderr
    assert got.stdout.strip() == f"namespace/{NS}"


# --------------------------------------------------------------------------------------------
# kubernetes.core 6.6.0 through ansible-playbook
# --------------------------------------------------------------------------------------------
K8S_PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: create the namespace
      kubernetes.core.k8s: {api_version: v1, kind: Namespace, name: todo-app, state: present}
    - name: create the namespace again
      kubernetes.core.k8s: {api_version: v1, kind: Namespace, name: todo-app, state: present}
    - name: create the secret
      kubernetes.core.k8s: &secret
        state: present
        force: true
        hidden_fields: [data]
        definition:
          apiVersion: v1
          kind: Secret
          type: Opaque
          metadata: {name: todo-app-secrets, namespace: todo-app}
          data: {JWT_SECRET: "{{ 'first-secret' | b64encode }}"}
    - name: replace the secret unchanged
      kubernetes.core.k8s: *secret
    - name: replace the secret with new data
      kubernetes.core.k8s:
        <<: *secret
        definition:
          apiVersion: v1
          kind: Secret
          type: Opaque
          metadata: {name: todo-app-secrets, namespace: todo-app}
          data: {JWT_SECRET: "{{ 'second-secret' | b64encode }}"}
    - name: list the claims
      kubernetes.core.k8s_info: {kind: PersistentVolumeClaim, namespace: todo-data}
    - name: read the frontend service
      kubernetes.core.k8s_info: {kind: Service, namespace: todo-data, name: todo-frontend}
    - name: list the pods from a corporate laptop, with NO_PROXY
      kubernetes.core.k8s_info: {kind: Pod, namespace: todo-data}
      environment: "{{ hostile_with_no_proxy }}"
    - name: list the pods from a corporate laptop, without NO_PROXY
      kubernetes.core.k8s_info: {kind: Pod, namespace: todo-data}
      environment: "{{ hostile_without_no_proxy }}"
      ignore_errors: true
    - name: delete the namespace and wait
      kubernetes.core.k8s:
        api_version: v1
        kind: Namespace
        name: todo-data
        state: absent
        wait: true
        wait_sleep: 1
        wait_timeout: 30
"""


def test_kubernetes_core_modules_against_the_stand_in(kube_api, playbook, tmp_path):
    namespace(kube_api, "todo-data")
    kube_api.apply(
        {**statefulset(), "metadata": {"name": "todo-postgresql", "namespace": "todo-data"}}
    )
    kube_api.apply({**service(), "metadata": {"name": "todo-frontend", "namespace": "todo-data"}})
    kube_api.wait_for(
        lambda: (
            kube_api.list("Pod", "todo-data")
            and all(
                p["status"].get("phase") == "Running" for p in kube_api.list("Pod", "todo-data")
            )
        ),
        5,
        "the database pod",
    )
    port = free_port()
    play = playbook(
        K8S_PLAY,
        {
            "hostile_with_no_proxy": hostile_env(tmp_path, port, no_proxy=True),
            "hostile_without_no_proxy": hostile_env(tmp_path, port, no_proxy=False),
        },
    )
    assert play["create the namespace"]["changed"] is True, play
    assert kube_api.get("Namespace", NS)["status"]["phase"] == "Active"
    assert play["create the namespace again"]["changed"] is False
    created = play["create the secret"]
    assert created["changed"] is True
    assert "data" not in created["result"]
    assert play["replace the secret unchanged"]["changed"] is False
    replaced = play["replace the secret with new data"]
    assert replaced["method"] == "replace", play
    assert "data" not in replaced["result"]
    assert "data" not in replaced.get("diff", {}).get("after", {})
    # the Secret holds the new data, replaced as a whole ...
    secret = kube_api.get("Secret", "todo-app-secrets", NS)
    assert secret["data"] == {"JWT_SECRET": "c2Vjb25kLXNlY3JldA=="}
    # ... yet kubernetes.core 6.6.0 reports no change: with hidden_fields [data], diff_objects
    # (plugins/module_utils/k8s/service.py) hides the data from the diff, finds only
    # metadata.resourceVersion left and calls that "no meaningful diff"
    assert replaced["changed"] is False
    assert int(secret["metadata"]["resourceVersion"]) > int(
        created["result"]["metadata"]["resourceVersion"]
    )

    claims = play["list the claims"]["resources"]
    assert [c["metadata"]["name"] for c in claims] == ["data-todo-postgresql-0"]
    assert claims[0]["kind"] == "PersistentVolumeClaim"
    assert claims[0]["status"]["phase"] == "Bound"
    svc = play["read the frontend service"]["resources"][0]
    assert svc["spec"]["type"] == "NodePort"
    assert svc["spec"]["ports"][0]["nodePort"] >= 30000

    # the kubeconfig's CA wins over REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE / SSL_CERT_FILE ...
    listed = play["list the pods from a corporate laptop, with NO_PROXY"]
    assert listed.get("failed") is not True, listed
    assert [p["metadata"]["name"] for p in listed["resources"]] == ["todo-postgresql-0"]
    assert listed["resources"][0]["spec"]["nodeName"] == CONTEXT_NODE
    # ... but the kubernetes client 37 sends even 127.0.0.1 through HTTPS_PROXY unless NO_PROXY
    # names it (kubernetes/client/configuration.py takes the proxy from the environment)
    blocked = play["list the pods from a corporate laptop, without NO_PROXY"]
    assert blocked["failed"] is True
    assert "ProxyError" in blocked["msg"]
    assert "Unable to connect to proxy" in blocked["msg"]

    assert play["delete the namespace and wait"]["changed"] is True
    assert kube_api.get("Namespace", "todo-data") is None
    assert kube_api.list("PersistentVolumeClaim", "todo-data") == []
