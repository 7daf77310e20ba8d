"""The minikube stand-in against what minikube v1.38.1's source prints, returns and exits with.

Every call goes through the wrapper `testsupport.replay.install()` writes, as a subprocess with an
argument list and captured output (the way Ansible's command module runs it: no terminal, so
minikube prints no spinner lines and docker-env runs in its "shell" mode). Each expectation names
the source file it is read from (`git -C /work/.mirror/kubernetes+minikube/repo show v1.38.1:PATH`).
"""

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from testsupport import replay

PROFILE = "todo-app"
# The arguments roles/minikube/tasks/start.yml passes (with MINIKUBE_IN_STYLE=false).
ROLE_START = [
    "start",
    f"--profile={PROFILE}",
    "--driver=docker",
    "--cpus=2",
    "--memory=2200",
    "--kubernetes-version=v1.35.1",
    "--container-runtime=docker",
    "--cni=calico",
    "--interactive=false",
]
# constants.go DefaultContainerRuntimeChangeWarning, printed by start.go provisionWithDriver.
RUNTIME_WARNING = (
    '! Starting v1.39.0, minikube will default to "containerd" container runtime. '
    "See #21973 for more info.\n"
)


class Result:
    def __init__(self, proc: subprocess.CompletedProcess):
        self.rc, self.out, self.err = proc.returncode, proc.stdout, proc.stderr

    def __repr__(self) -> str:  # shown by pytest when an assertion fails
        return f"rc={self.rc}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


class Minikube:
    """One isolated minikube: its own PATH, HOME, replay directory and state knobs."""

    def __init__(self, root: Path):
        self.root = root
        self.bin = root / "bin"
        self.replay = root / "replay"
        self.home = root / "home"
        for path in (self.replay, self.home):
            path.mkdir()
        replay.install(self.bin, ("minikube",))
        # start.go validateDriver looks for `docker` on PATH; showKubectlInfo runs
        # `kubectl version --client --output=json`. Both are stubs, so the run is the same here
        # and on a workstation.
        self.tool("docker", "exit 0")
        self.kubectl_version("v1.35.0")
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("MINIKUBE_", "DOCKER_", "KUBECONFIG"))
            and k.lower() not in ("no_proxy", "shell")
        }
        self.env.update(
            HOME=str(self.home),
            TODO_REPLAY_DIR=str(self.replay),
            PATH=f"{self.bin}{os.pathsep}/usr/bin{os.pathsep}/bin",
        )
        # A regular user (the docker driver refuses root) on a 4-CPU, 16 GiB Docker Engine.
        self.set(host={"uid": 1000, "cpus": 4, "memory_mb": 16384})

    def tool(self, name: str, body: str) -> None:
        path = self.bin / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)

    def kubectl_version(self, version: str) -> None:
        doc = json.dumps({"clientVersion": {"gitVersion": version}})
        self.tool("kubectl", f"echo '{doc}'")

    def run(self, *args: str, env: dict | None = None, timeout: float = 30) -> Result:
        proc = subprocess.run(
            [str(self.bin / "minikube"), *args],
            cwd=self.root,  # not a checkout: `python -m` would import that checkout's testsupport
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return Result(proc)

    def start(self, *extra: str, env: dict | None = None) -> Result:
        return self.run(*ROLE_START, *extra, env={"MINIKUBE_IN_STYLE": "false", **(env or {})})

    def state(self) -> dict:
        path = self.replay / "minikube.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def set(self, **top) -> None:
        state = self.state() or {"profiles": {}}
        for key, value in top.items():
            if isinstance(value, dict) and isinstance(state.get(key), dict):
                state[key].update(value)
            else:
                state[key] = value
        (self.replay / "minikube.json").write_text(json.dumps(state))

    def set_profile(self, **fields) -> None:
        state = self.state()
        state["profiles"][PROFILE].update(fields)
        (self.replay / "minikube.json").write_text(json.dumps(state))

    def kubeconfig(self, path: Path | None = None) -> dict:
        return yaml.safe_load((path or self.home / ".kube" / "config").read_text())

    def profiles(self) -> dict:
        res = self.run("profile", "list", "-o", "json")
        assert res.rc == 0, res
        return json.loads(res.out)


@pytest.fixture
def mk(tmp_path) -> Minikube:
    return Minikube(tmp_path)


def status_json(host: str, kubelet: str, apiserver: str, kubeconfig: str) -> str:
    # cluster/status.go Status, marshalled by cmd/minikube/cmd/status.go statusJSON (no newline).
    return (
        f'{{"Name":"{PROFILE}","Host":"{host}","Kubelet":"{kubelet}","APIServer":"{apiserver}",'
        f'"Kubeconfig":"{kubeconfig}","Worker":false}}'
    )


RUNNING = status_json("Running", "Running", "Running", "Configured")
STOPPED = status_json("Stopped", "Stopped", "Stopped", "Stopped")
# cluster/pause.go disables the kubelet; kverify.APIServerStatus reads the frozen apiserver.
PAUSED = status_json("Running", "Stopped", "Paused", "Configured")
MISCONFIGURED = status_json("Running", "Running", "Running", "Misconfigured")


def assert_missing_profile_events(res: Result) -> None:
    """mustload.go Partial in JSON mode: out.Styled -> out.Infof -> register.PrintInfo, exit 85."""
    assert res.rc == 85, res  # reason/exitcodes.go ExGuestNotFound
    lines = res.out.splitlines()
    assert len(lines) == 2, res
    events = [json.loads(line) for line in lines]  # one CloudEvent per line, not one document
    for event in events:
        # register/cloud_events.go CloudEvent; register/log.go Info has only "message".
        assert list(event) == ["specversion", "id", "source", "type", "datacontenttype", "data"]
        assert event["specversion"] == "1.0"
        assert event["source"] == "https://minikube.sigs.k8s.io/"
        assert event["type"] == "io.k8s.sigs.minikube.info"
        assert event["datacontenttype"] == "application/json"
        assert re.fullmatch(r"[0-9a-f-]{36}", event["id"])
        assert list(event["data"]) == ["message"]
    assert events[0]["data"]["message"] == (
        f'Profile "{PROFILE}" not found. Run "minikube profile list" to view all profiles.'
    )
    assert events[1]["data"]["message"] == f'To start a cluster, run: "minikube start -p {PROFILE}"'
    assert events[0]["id"] != events[1]["id"]
    with pytest.raises(json.JSONDecodeError):
        json.loads(res.out)  # what a caller parsing stdout as one JSON document meets


def new_start_lines(platform_line: str) -> list[str]:
    """start.go runStart for a new profile, as a non-terminal sees it (no spinner lines)."""
    return [
        f"* [{PROFILE}] minikube v1.38.1 on {platform_line}",  # start.go displayVersion
        "  - MINIKUBE_IN_STYLE=false",  # start.go displayEnviron
        "* Using the docker driver based on user configuration",  # start.go selectDriver
        "* Using Docker driver with root privileges",  # start_flags.go generateNewConfigFromFlags
        # node/start.go Provision
        f'* Starting "{PROFILE}" primary control-plane node in "{PROFILE}" cluster',
        "* Pulling base image v0.0.50 ...",  # node/cache.go beginDownloadKicBaseImage
        "* Configuring Calico (Container Networking Interface) ...",  # kubeadm.go applyCNI
        "* Verifying Kubernetes components...",  # kubeadm.go WaitForNode
        "  - Using image gcr.io/k8s-minikube/storage-provisioner:v5",  # assets/addons.go
        "* Enabled addons: storage-provisioner, default-storageclass",  # pkg/addons/addons.go
        f'* Done! kubectl is now configured to use "{PROFILE}" cluster and "default" namespace '
        "by default",  # start.go showKubectlInfo
    ]


def restart_lines(platform_line: str, *middle: str) -> list[str]:
    """start.go runStart for an existing profile: no "Using Docker driver", CNI re-applied."""
    return [
        f"* [{PROFILE}] minikube v1.38.1 on {platform_line}",
        "  - MINIKUBE_IN_STYLE=false",
        *middle,
        "* Using the docker driver based on existing profile",
        f'* Starting "{PROFILE}" primary control-plane node in "{PROFILE}" cluster',
        "* Pulling base image v0.0.50 ...",
        "* Configuring Calico (Container Networking Interface) ...",
        "* Verifying Kubernetes components...",
        "  - Using image gcr.io/k8s-minikube/storage-provisioner:v5",
        "* Enabled addons: storage-provisioner, default-storageclass",
        f'* Done! kubectl is now configured to use "{PROFILE}" cluster and "default" namespace '
        "by default",
    ]


def platform_of(res: Result) -> str:
    match = re.match(rf"\* \[{PROFILE}\] minikube v1\.38\.1 on (.+)\n", res.out)
    assert match, res
    return match.group(1)


def test_lifecycle_status_and_profile_list_in_every_state(mk):
    # missing: status -o json prints two CloudEvent lines and exits 85 (mustload.go Partial).
    assert_missing_profile_events(mk.run("status", "--profile", PROFILE, "--output", "json"))
    # config/profile.go ListProfiles: no profiles dir is not an error for `profile list -o json`.
    res = mk.run("profile", "list", "-o", "json")
    assert (res.rc, res.out, res.err) == (0, '{"invalid":[],"valid":[]}', ""), res

    res = mk.start()
    assert res.rc == 0, res
    assert res.out.splitlines() == new_start_lines(platform_of(res)), res
    assert res.err == RUNTIME_WARNING, res

    # running: status.go exitCode 0; profile list's Status is GetState's StatusName "OK".
    res = mk.run("status", "-p", PROFILE, "-o", "json")
    assert (res.rc, res.out) == (0, RUNNING), res
    res = mk.run("status", "-p", PROFILE)  # status.go defaultStatusFormat
    assert res.rc == 0, res
    assert res.out == (
        f"{PROFILE}\ntype: Control Plane\nhost: Running\nkubelet: Running\napiserver: Running\n"
        "kubeconfig: Configured\n\n"
    )
    listing = mk.profiles()
    assert listing["invalid"] == []
    [entry] = listing["valid"]
    assert list(entry) == ["Name", "Status", "Config", "Active", "ActiveKubeContext"]  # types.go
    # Active is the --profile of this call (default "minikube"); the kube context is the profile.
    assert (entry["Name"], entry["Status"], entry["Active"], entry["ActiveKubeContext"]) == (
        PROFILE,
        "OK",
        False,
        True,
    )
    cfg = entry["Config"]
    assert (cfg["Name"], cfg["Driver"], cfg["CPUs"], cfg["Memory"]) == (PROFILE, "docker", 2, 2200)
    kc = cfg["KubernetesConfig"]
    assert (kc["KubernetesVersion"], kc["ContainerRuntime"], kc["CNI"], kc["NetworkPlugin"]) == (
        "v1.35.1",
        "docker",
        "calico",
        "cni",
    )
    assert cfg["Nodes"] == [
        {
            "Name": "",
            "IP": "192.168.49.2",  # oci/network_create.go: the first free subnet, node .2
            "Port": 8443,
            "KubernetesVersion": "v1.35.1",
            "ContainerRuntime": "docker",
            "ControlPlane": True,
            "Worker": True,
        }
    ]
    assert cfg["Addons"] == {"default-storageclass": True, "storage-provisioner": True}
    assert cfg["ExposedPorts"] == []
    assert list(cfg)[:9] == [  # config/types.go ClusterConfig field order
        "Name",
        "KeepContext",
        "EmbedCerts",
        "MinikubeISO",
        "KicBaseImage",
        "Memory",
        "CPUs",
        "DiskSize",
        "Driver",
    ]
    assert mk.run("profile", "list", "-o", "json", "-p", PROFILE).out.count('"Active":true') == 1

    # stop: machine/stop.go prints the node and the SSH power-off; stop.go deletes the context.
    res = mk.run("stop", "--profile", PROFILE)
    assert res.rc == 0, res
    assert res.out == (
        f'* Stopping node "{PROFILE}"  ...\n* Powering off "{PROFILE}" via SSH ...\n'
        "* 1 node stopped.\n"
    )
    assert PROFILE not in json.dumps(mk.kubeconfig())  # kubeconfig/context.go DeleteContext
    res = mk.run("status", "-p", PROFILE, "-o", "json")
    assert (res.rc, res.out) == (7, STOPPED), res  # 1 + 2 + 4: host, cluster, kubeconfig
    res = mk.run("status", "-p", PROFILE)
    assert (res.rc, res.out.splitlines()[2]) == (7, "host: Stopped"), res
    [entry] = mk.profiles()["valid"]
    assert (entry["Status"], entry["ActiveKubeContext"]) == ("Stopped", False)

    res = mk.start()
    assert res.rc == 0, res
    assert res.out.splitlines() == restart_lines(platform_of(res)), res
    res = mk.run("status", "-p", PROFILE, "-o", "json")
    assert (res.rc, res.out) == (0, RUNNING), res

    # pause.go: 9 kube-system pods (control plane, kube-proxy, coredns, calico x2, provisioner)
    # with a sandbox each.
    res = mk.run("pause", "-p", PROFILE)
    assert res.rc == 0, res
    assert res.out == (
        f"* Pausing node {PROFILE} ... \n"
        "* Paused 18 containers in: kube-system, kubernetes-dashboard, istio-operator\n"
    )
    res = mk.run("status", "-p", PROFILE, "-o", "json")
    assert (res.rc, res.out) == (2, PAUSED), res  # cluster not running, host and kubeconfig fine
    [entry] = mk.profiles()["valid"]
    assert entry["Status"] == "Paused"

    res = mk.run("unpause", "-p", PROFILE)
    assert res.rc == 0, res
    assert res.out == (
        f"* Unpausing node {PROFILE} ... \n"
        "* Unpaused 18 containers in: kube-system, kubernetes-dashboard, istio-operator\n"
    )
    assert mk.run("status", "-p", PROFILE, "-o", "json").out == RUNNING

    # delete.go deleteProfile: the KIC container first, then the machine dir, then the config.
    res = mk.run("delete", "--profile", PROFILE)
    assert res.rc == 0, res
    home = mk.home / ".minikube"
    assert res.out == (
        f'* Deleting "{PROFILE}" in docker ...\n* Deleting container "{PROFILE}" ...\n'
        f"* Removing {home}/machines/{PROFILE} ...\n"
        f'* Removed all traces of the "{PROFILE}" cluster.\n'
    )
    assert_missing_profile_events(mk.run("status", f"--profile={PROFILE}", "--output=json"))
    res = mk.run("profile", "list", "-o", "json")
    assert (res.rc, res.out) == (0, '{"invalid":[],"valid":[]}'), res
    assert mk.kubeconfig()["contexts"] is None  # client-go writes an empty list as null

    calls = replay.calls(mk.replay, "minikube")
    assert calls[0] == {
        "tool": "minikube",
        "argv": ["status", "--profile", PROFILE, "--output", "json"],
        "rc": 85,
    }
    assert [c["rc"] for c in calls if c["argv"][:1] == ["start"]] == [0, 0]


def test_status_of_a_missing_profile_in_text_mode(mk):
    # mustload.go Partial + exitTip: style.Shrug and style.Workaround in low-fi mode.
    res = mk.run("status", "-p", PROFILE)
    assert (res.rc, res.err) == (85, ""), res
    assert res.out == (
        f'* Profile "{PROFILE}" not found. Run "minikube profile list" to view all profiles.\n'
        f'  To start a cluster, run: "minikube start -p {PROFILE}"\n'
    )
    # The default profile's tip has no -p (mustload.go ExampleCmd).
    assert mk.run("status").out.endswith('To start a cluster, run: "minikube start"\n')


def test_commands_that_need_a_running_node_refuse_a_stopped_one(mk):
    assert mk.start().rc == 0
    assert mk.run("stop", "-p", PROFILE).rc == 0
    # mustload.go running: exitTip("start", ..., ExGuestNotRunning = 83).
    for args in (["ip"], ["pause"], ["unpause"], ["update-context"]):
        res = mk.run(*args, "-p", PROFILE)
        assert res.rc == 83, res
        assert res.out == (
            f"* The control-plane node {PROFILE} host is not running: state=Stopped\n"
            f'  To start a cluster, run: "minikube start -p {PROFILE}"\n'
        )


def test_docker_env_prints_the_endpoint_and_refuses_a_stopped_profile(mk):
    res = mk.run("docker-env", "--profile", PROFILE, "--shell", "none")
    # docker-env.go: off a terminal out.SetSilent + exit.SetShell print only "false exit code".
    assert (res.rc, res.out, res.err) == (85, "false exit code 85\n", ""), res
    assert mk.start().rc == 0
    certs = mk.home / ".minikube" / "certs"
    # docker-env.go dockerEnvTCPTmpl with shell/shell.go "none": KEY=value lines.
    expected = (
        f"DOCKER_TLS_VERIFY=1\nDOCKER_HOST=tcp://192.168.49.2:2376\nDOCKER_CERT_PATH={certs}\n"
        f"MINIKUBE_ACTIVE_DOCKERD={PROFILE}\n"
    )
    res = mk.run("docker-env", "--profile", PROFILE, "--shell", "none")
    assert (res.rc, res.out) == (0, expected), res
    res = mk.run("docker-env", "-p", PROFILE, "--shell", "none", "--no-proxy")
    assert res.out == expected + "NO_PROXY=192.168.49.2\n", res  # dockerShellCfgSet
    # dockerEnvVars: a DOCKER_HOST the shell already had is kept as MINIKUBE_EXISTING_*.
    res = mk.run("docker-env", "-p", PROFILE, "--shell", "none", env={"DOCKER_HOST": "unix:///x"})
    assert "MINIKUBE_EXISTING_DOCKER_HOST=unix:///x\nMINIKUBE_ACTIVE_DOCKERD=" in res.out, res
    # The Docker TLS endpoint a test runs stands in for the node's dockerd.
    (mk.replay / "docker-endpoint.json").write_text(
        json.dumps({"host": "tcp://127.0.0.1:40123", "cert_path": "/certs/here"})
    )
    res = mk.run("docker-env", "-p", PROFILE, "--shell", "none")
    assert res.out.splitlines()[1:3] == [
        "DOCKER_HOST=tcp://127.0.0.1:40123",
        "DOCKER_CERT_PATH=/certs/here",
    ]
    # The role's parse: the DOCKER_* lines as a dict.
    env = dict(line.split("=", 1) for line in res.out.splitlines() if line.startswith("DOCKER_"))
    assert env == {
        "DOCKER_TLS_VERIFY": "1",
        "DOCKER_HOST": "tcp://127.0.0.1:40123",
        "DOCKER_CERT_PATH": "/certs/here",
    }
    (mk.replay / "docker-endpoint.json").unlink()
    # driver.go NeedsPortForward (Docker Desktop): the port the container publishes for 2376.
    mk.set(host={"kind": "darwin"})
    published = {
        p["container_port"]: p["host_port"]
        for p in mk.state()["profiles"][PROFILE]["published_ports"]
    }
    res = mk.run("docker-env", "-p", PROFILE, "--shell", "none")
    assert f"DOCKER_HOST=tcp://127.0.0.1:{published['2376/tcp']}\n" in res.out, res
    res = mk.run("ip", "-p", PROFILE)  # ip.go: the node IP whatever the host
    assert (res.rc, res.out) == (0, "192.168.49.2\n"), res
    assert mk.run("stop", "-p", PROFILE).rc == 0
    res = mk.run("docker-env", "-p", PROFILE, "--shell", "none")
    assert (res.rc, res.out, res.err) == (83, "false exit code 83\n", ""), res


def test_downgrade_is_refused_with_106(mk):
    assert mk.start().rc == 0
    res = mk.run("start", f"--profile={PROFILE}", "--kubernetes-version=v1.34.0")
    assert res.rc == 106, res  # reason.go KubernetesDowngrade: ExControlPlaneUnsupported
    # start.go validateKubernetesVersion -> exit.Message -> out_reason.go displayText: the advice
    # indented by indentMultiLine, an empty line on stdout before and after.
    assert res.err == (
        "X Exiting due to K8S_DOWNGRADE_UNSUPPORTED: Unable to safely downgrade existing "
        "Kubernetes v1.35.1 cluster to v1.34.0\n"
        "* Suggestion: \n\n"
        "    1) Recreate the cluster with Kubernetes 1.34.0, by running:\n    \n"
        f"    minikube delete -p {PROFILE}\n"
        f"    minikube start -p {PROFILE} --kubernetes-version=v1.34.0\n    \n"
        "    2) Create a second cluster with Kubernetes 1.34.0, by running:\n    \n"
        f"    minikube start -p {PROFILE}2 --kubernetes-version=v1.34.0\n    \n"
        "    3) Use the existing cluster at version Kubernetes 1.35.1, by running:\n    \n"
        f"    minikube start -p {PROFILE} --kubernetes-version=v1.35.1\n    \n"
    )
    # validateKubernetesVersion runs before selectDriver: no driver line, then displayText's two
    # empty lines.
    assert res.out.splitlines()[1:] == ["", ""], res
    [entry] = mk.profiles()["valid"]
    assert entry["Config"]["KubernetesConfig"]["KubernetesVersion"] == "v1.35.1"


def test_upgrades_cpu_memory_and_ports_on_an_existing_profile(mk):
    res = mk.run(
        *[a for a in ROLE_START if "kubernetes-version" not in a],
        "--kubernetes-version=v1.34.0",
        "--ports=8080:80",
    )
    assert res.rc == 0, res
    assert mk.run("stop", "-p", PROFILE).rc == 0
    # An older profile started without a version: start.go validateKubernetesVersion's hint.
    res = mk.run("start", "-p", PROFILE)
    assert res.rc == 0, res
    assert (
        "* Kubernetes 1.35.1 is now available. If you would like to upgrade, specify: "
        "--kubernetes-version=v1.35.1\n" in res.out
    ), res
    assert mk.run("stop", "-p", PROFILE).rc == 0
    # A newer version on a stopped profile: updateExistingConfigFromFlags + configureNodes.
    res = mk.start("--ports=9090:90", "--cpus=4", "--memory=4096")
    assert res.rc == 0, res
    # start_flags.go updateExistingConfigFromFlags: CPUs and memory stay, with these warnings.
    assert res.err == (
        RUNTIME_WARNING
        + "! You cannot change the memory size for an existing minikube cluster. Please first "
        "delete the cluster.\n"
        "! You cannot change the CPUs for an existing minikube cluster. Please first delete the "
        "cluster.\n"
    ), res
    assert mk.run("status", "-p", PROFILE, "-o", "json").out == RUNNING
    [entry] = mk.profiles()["valid"]
    cfg = entry["Config"]
    assert (cfg["CPUs"], cfg["Memory"]) == (2, 2200)
    assert cfg["KubernetesConfig"]["KubernetesVersion"] == "v1.35.1"
    assert cfg["Nodes"][0]["KubernetesVersion"] == "v1.35.1"
    # --ports changes the stored config, not the container (kic.go publishes at Create only).
    assert cfg["ExposedPorts"] == ["9090:90"]
    published = mk.state()["profiles"][PROFILE]["published_ports"]
    assert {
        "container_port": "80/tcp",
        "host_ip": "0.0.0.0",  # noqa: S104 (what docker publishes `-p 8080:80` on)
        "host_port": 8080,
        "fixed": True,
    } in published
    assert not [p for p in published if p["container_port"] == "90/tcp"]
    assert {p["container_port"] for p in published} >= {"8443/tcp", "22/tcp", "2376/tcp"}


def test_newer_version_on_a_running_profile_and_start_of_a_paused_one(mk):
    res = mk.run(
        *[a for a in ROLE_START if "kubernetes-version" not in a], "--kubernetes-version=v1.34.0"
    )
    assert res.rc == 0, res
    # Running profile, newer version: the same restart path updates the cluster in place.
    res = mk.start()
    assert res.rc == 0, res
    assert res.out.splitlines() == restart_lines(platform_of(res)), res
    [entry] = mk.profiles()["valid"]
    assert entry["Config"]["KubernetesConfig"]["KubernetesVersion"] == "v1.35.1"
    # A paused profile: kubeadm.go StartCluster unpauses kube-system, WaitForNode starts kubelet.
    assert mk.run("pause", "-p", PROFILE).rc == 0
    res = mk.start()
    assert res.rc == 0, res
    assert res.out.splitlines() == restart_lines(platform_of(res)), res
    assert mk.run("status", "-p", PROFILE, "-o", "json").out == RUNNING


def test_misconfigured_kubeconfig_then_update_context(mk):
    # A kube-api stand-in: start writes its server and credentials into the kubeconfig.
    pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    (mk.replay / "kube-api.json").write_text(
        json.dumps(
            {"server": "https://127.0.0.1:41001", "ca": pem, "client_cert": pem, "client_key": pem}
        )
    )
    kubeconfig = mk.root / "kube" / "config"
    env = {"KUBECONFIG": f"{kubeconfig}{os.pathsep}{mk.root / 'other'}"}  # PathFromEnv: the first
    assert mk.start(env=env).rc == 0
    cfg = mk.kubeconfig(kubeconfig)
    [cluster] = cfg["clusters"]
    assert cluster["name"] == PROFILE
    assert cluster["cluster"]["server"] == "https://127.0.0.1:41001"
    assert Path(cluster["cluster"]["certificate-authority"]).read_text() == pem
    assert cluster["cluster"]["extensions"][0]["extension"]["provider"] == "minikube.sigs.k8s.io"
    assert cfg["current-context"] == PROFILE
    assert cfg["users"][0]["user"]["client-certificate"].endswith(f"/profiles/{PROFILE}/client.crt")
    assert not (mk.root / "other").exists()
    assert not (mk.home / ".kube").exists()

    # Docker Desktop restarted: the node's API moved, the kubeconfig still names the old port.
    (mk.replay / "kube-api.json").write_text(
        json.dumps(
            {"server": "https://127.0.0.1:41002", "ca": pem, "client_cert": pem, "client_key": pem}
        )
    )
    res = mk.run("status", "-p", PROFILE, "-o", "json", env=env)
    assert (res.rc, res.out) == (4, MISCONFIGURED), res  # status.go exitCode: k8s bit
    # klog writes ERROR lines to stderr too (cluster/status.go NodeStatus).
    assert re.fullmatch(
        r"E\d{4} \d\d:\d\d:\d\d\.\d{6} +\d+ status\.go:457\] kubeconfig endpoint: got: "
        r"127\.0\.0\.1:41001, want: 127\.0\.0\.1:41002\n",
        res.err,
    ), res
    res = mk.run("status", "-p", PROFILE, env=env)
    assert res.out.endswith(  # status.go statusText
        "kubeconfig: Misconfigured\n\n\nWARNING: Your kubectl is pointing to stale minikube-vm.\n"
        "To fix the kubectl context, run `minikube update-context`\n"
    ), res
    [entry] = mk.profiles()["valid"]
    assert entry["Status"] == "OK"  # GetState's status follows the apiserver, not the kubeconfig

    res = mk.run("update-context", "-p", PROFILE, env=env)  # update-context.go
    assert res.rc == 0, res
    assert res.out == (
        f'* "{PROFILE}" context has been updated to point to 127.0.0.1:41002\n'
        f'* Current context is "{PROFILE}"\n'
    )
    assert (
        mk.kubeconfig(kubeconfig)["clusters"][0]["cluster"]["server"] == "https://127.0.0.1:41002"
    )
    assert mk.run("status", "-p", PROFILE, "-o", "json", env=env).out == RUNNING
    res = mk.run("update-context", "-p", PROFILE, env=env)
    assert res.out == (
        f'! No changes required for the "{PROFILE}" context\n* Current context is "{PROFILE}"\n'
    )

    # The state knob: the kubeconfig goes stale at the next call.
    mk.set_profile(kubeconfig_stale=True)
    assert mk.run("status", "-p", PROFILE, "-o", "json", env=env).rc == 4
    assert mk.run("update-context", "-p", PROFILE, env=env).rc == 0
    assert mk.run("status", "-p", PROFILE, "-o", "json", env=env).rc == 0


def test_without_a_kube_api_the_kubeconfig_names_a_dead_server(mk):
    assert mk.start().rc == 0
    cfg = mk.kubeconfig()
    assert cfg["clusters"][0]["cluster"]["server"] == "https://127.0.0.1:1"
    for key in ("client-certificate", "client-key"):
        assert Path(cfg["users"][0]["user"][key]).read_text().startswith("-----BEGIN")
    # The real kubectl (ENVIRONMENT.md: preinstalled) fails as against a dead cluster.
    res = subprocess.run(
        ["/usr/bin/kubectl", "--kubeconfig", str(mk.home / ".kube" / "config"), "get", "ns"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert res.returncode == 1, res.stderr
    assert "127.0.0.1:1: connect: connection refused" in res.stderr


def test_root_is_refused_without_force(mk):
    mk.set(host={"uid": 0})
    res = mk.start()
    assert res.rc == 57, res  # reason.go DrvAsRoot: ExDriverPermission
    # start.go validateUser, after selectDriver, before anything is created.
    assert res.out.splitlines()[2:] == [
        "* Using the docker driver based on user configuration",
        "",
        "",
    ]
    assert res.err == (  # the runtime warning comes later in provisionWithDriver: not printed
        '* The "docker" driver should not be used with root privileges. If you wish to continue '
        "as root, use --force.\n"
        "* If you are running minikube within a VM, consider using --driver=none:\n"
        "*   https://minikube.sigs.k8s.io/docs/reference/drivers/none/\n"
        'X Exiting due to DRV_AS_ROOT: The "docker" driver should not be used with root '
        "privileges.\n"
    )
    assert_missing_profile_events(mk.run("status", "-p", PROFILE, "-o", "json"))
    res = mk.start("--force")
    assert res.rc == 0, res
    assert res.err.startswith(
        "! minikube skips various validations when --force is supplied; this may lead to "
        "unexpected behavior\n"
    ), res
    res = mk.start()  # an existing root-owned profile: the extra tip
    assert res.rc == 57, res
    assert (
        f"* Tip: To remove this root owned cluster, run: sudo minikube delete -p {PROFILE}\n"
        in res.err
    )


def test_a_failing_start_knob_and_the_next_start(mk):
    mk.set(
        fail_next_start={
            "reason": "GUEST_PROVISION",
            "exitcode": 80,
            "message": "error provisioning guest: boom",
        }
    )
    res = mk.start()
    assert res.rc == 80, res
    # exit.go Error (no known issue) -> Message with NewIssueLink: the GitHub box on stderr.
    assert res.err.startswith(
        RUNTIME_WARNING + "X Exiting due to GUEST_PROVISION: error provisioning guest: boom\n* \n╭"
    ), res
    assert "│    * If the above advice does not help, please let us know:" in res.err
    assert "attach the following file" not in res.err  # out.go: not for `start`
    # The config was saved before the host (node.Provision); GetStatus finds no host.
    res = mk.run("status", "-p", PROFILE, "-o", "json")
    assert (res.rc, res.out) == (7, "null"), res
    assert 'the "todo-app" host does not exist' in res.err
    [entry] = mk.profiles()["valid"]
    assert entry["Status"] == ""  # GetState for an unknown status code
    res = mk.start()
    assert res.rc == 0, res
    assert mk.run("status", "-p", PROFILE, "-o", "json").out == RUNNING


def test_delete_of_a_missing_profile_and_a_second_profile(mk):
    res = mk.run("delete", "-p", PROFILE)  # delete.go runDelete: trying anyways, exit 0
    assert (res.rc, res.err) == (0, f'! "{PROFILE}" profile does not exist, trying anyways.\n'), res
    assert res.out == f'* Removed all traces of the "{PROFILE}" cluster.\n'
    assert mk.start().rc == 0
    res = mk.run("start", "-p", "other", "--driver=docker", "--interactive=false")
    assert res.rc == 0, res
    # The second profile's network is the next free subnet (oci/network_create.go, step 9).
    assert mk.run("ip", "-p", "other").out == "192.168.58.2\n"
    assert [p["Name"] for p in mk.profiles()["valid"]] == ["other", PROFILE]
    assert mk.kubeconfig()["current-context"] == "other"


def test_addons_list_and_enable(mk):
    res = mk.run("addons", "list", "-o", "json", "-p", PROFILE)
    assert res.rc == 0, res
    assert json.loads(res.out)["metrics-server"] == {}  # addons_list.go: no profile, no status
    assert mk.start().rc == 0
    addons = json.loads(mk.run("addons", "list", "-p", PROFILE, "--output=json").out)
    assert addons["storage-provisioner"] == {"Profile": PROFILE, "Status": "enabled"}
    assert addons["metrics-server"] == {"Profile": PROFILE, "Status": "disabled"}
    res = mk.run("addons", "enable", "metrics-server", "-p", PROFILE)  # config/enable.go
    assert res.rc == 0, res
    assert res.out == (
        "* metrics-server is an addon maintained by Kubernetes. For any concerns contact minikube "
        "on GitHub.\nYou can view the list of minikube maintainers at: "
        "https://github.com/kubernetes/minikube/blob/master/OWNERS\n"
        "  - Using image registry.k8s.io/metrics-server/metrics-server:v0.8.1\n"
        "* The 'metrics-server' addon is enabled\n"
    )
    addons = json.loads(mk.run("addons", "list", "-p", PROFILE, "-o", "json").out)
    assert addons["metrics-server"]["Status"] == "enabled"
    assert mk.run("pause", "-p", PROFILE).rc == 0
    res = mk.run("addons", "enable", "ingress", "-p", PROFILE)  # addons.go VerifyNotPaused
    assert res.rc == 11, res
    assert res.out.startswith(
        "* Can't enable addon on a paused cluster, please unpause the cluster first.\n"
    )


def test_version_forms(mk):
    assert mk.run("version", "--short").out == "v1.38.1\n"  # version.go
    res = mk.run("version", "-o", "json")
    assert json.loads(res.out) == {
        "commit": "c93a4cb9311efc66b90d33ea03f75f2c4120e9b0",
        "minikubeVersion": "v1.38.1",
    }
    assert mk.run("version").out.startswith("minikube version: v1.38.1\ncommit: c93a4cb")


@pytest.mark.parametrize(
    "args",
    [
        ["status", "-p", PROFILE, "-o", "json"],
        ["status", f"-p{PROFILE}", "-ojson"],
        ["--profile", PROFILE, "status", "--output", "json"],
        ["status", f"--profile={PROFILE}", "--output=json"],
    ],
)
def test_flag_forms_the_cli_accepts(mk, args):
    assert_missing_profile_events(mk.run(*args))


def test_an_unknown_flag_is_a_usage_error(mk):
    res = mk.run("status", "--no-such-flag")
    # cobra prints the error; root.go Execute exits with ExProgramUsage.
    assert res.rc == 14, res
    assert res.err.startswith("Error: unknown flag: --no-such-flag\n"), res


class _Backend(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"frontend"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_service_url_on_native_docker_and_through_the_tunnel(mk):
    assert mk.start().rc == 0
    args = ["service", "todo-frontend", "--namespace", "todo-app", "--url", "-p", PROFILE]
    # No Kubernetes API behind the profile: service.go's "Failed to get service URL", exit 119.
    res = mk.run(*args)
    assert res.rc == 119, res
    assert res.err.startswith("X Failed to get service URL - check that minikube is running")
    assert "dial tcp 127.0.0.1:1: connect: connection refused" in res.err

    backend = ThreadingHTTPServer(("127.0.0.1", 0), _Backend)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    service = {
        "type": "NodePort",
        "ports": [{"name": "http", "port": 3000, "targetPort": 3000, "nodePort": 30080}],
        "forward": {"3000": f"127.0.0.1:{backend.server_address[1]}"},
    }
    mk.set(services={"todo-app/todo-frontend": service})
    # Linux with Docker Engine: the node IP is reachable, service.go prints the URL and returns.
    res = mk.run(*args)
    assert (res.rc, res.out, res.err) == (0, "http://192.168.49.2:30080\n", ""), res
    res = mk.run("service", "nope", "-n", "todo-app", "--url", "-p", PROFILE)
    assert res.rc == 115, res  # SVC_NOT_FOUND
    assert res.err.startswith("X Exiting due to SVC_NOT_FOUND: Service 'nope' was not found")

    # Docker Desktop: startKicServiceTunnel prints the tunnel's URL after 1 s and blocks.
    mk.set(host={"kind": "darwin"})
    out, err = mk.root / "svc.out", mk.root / "svc.err"
    with open(out, "w") as fout, open(err, "w") as ferr:
        proc = subprocess.Popen(
            [str(mk.bin / "minikube"), *args], cwd=mk.root, env=mk.env, stdout=fout, stderr=ferr
        )
    try:
        deadline = time.monotonic() + 10
        while "Because you are using" not in err.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, out.read_text() + err.read_text()
            time.sleep(0.1)
        time.sleep(1)  # a second after the lines it still runs: the tunnel stays open
        assert proc.poll() is None
        url = out.read_text()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+\n", url), url
        assert err.read_text() == (
            "! Because you are using a Docker driver on darwin, the terminal needs to be open to "
            "run it.\n"
        )
        host, port = url.strip().removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as conn:
            conn.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
            reply = b""
            while chunk := conn.recv(4096):  # the backend closes after one HTTP/1.0 reply
                reply += chunk
        assert reply.startswith(b"HTTP/1.0 200"), reply
        assert reply.endswith(b"frontend"), reply
        # `minikube status` still answers while the tunnel holds no lock.
        assert mk.run("status", "-p", PROFILE, "-o", "json").out == RUNNING
        proc.send_signal(signal.SIGINT)  # service.go waits for os.Interrupt, then returns
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        backend.shutdown()
    # The call is recorded when it ends, after the status call made meanwhile.
    assert replay.calls(mk.replay, "minikube")[-1] == {"tool": "minikube", "argv": args, "rc": 0}

    # A paused apiserver: mustload.go Healthy, exitTip("unpause", ..., 103).
    mk.set(host={"kind": "linux"})
    assert mk.run("pause", "-p", PROFILE).rc == 0
    res = mk.run(*args)
    assert res.rc == 103, res
    assert res.out == (
        f"* The control-plane node {PROFILE} apiserver is paused\n"
        f'  To start a cluster, run: "minikube unpause -p {PROFILE}"\n'
    )
