"""playbooks/preflight.yml against this machine's real Docker engine and real hardware facts."""

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
BOOK = "playbooks/preflight.yml"
EXISTING_CLUSTER = {"todo_minikube_enabled": False}
# kvm2 is never started here: it only makes the size checks use the machine's own facts, and it
# avoids the docker-driver-as-root refusal on CI machines that run as root.
KVM2 = {"todo_minikube_driver": "kvm2"}
running_as_root = pytest.mark.skipif(os.geteuid() != 0, reason="the refusal needs a root run")


def test_passes_on_a_machine_with_docker_and_no_minikube(playbook):
    # preflight never calls minikube (cluster_tools installs it later); no minikube exists here
    run = playbook(BOOK, {**KVM2, "todo_minikube_cpus": 2, "todo_minikube_memory_mb": 2200})
    assert run.rc == 0, run
    assert run.changed == 0, run


def test_an_existing_cluster_skips_the_minikube_checks(playbook):
    run = playbook(BOOK, {**EXISTING_CLUSTER, "todo_minikube_cpus": 512})
    assert run.rc == 0, run


def test_an_unreachable_docker_fails_with_the_fix(playbook, tmp_path):
    socket = tmp_path / "no-docker.sock"
    run = playbook(BOOK, {**EXISTING_CLUSTER, "preflight_docker_host": f"unix://{socket}"})
    assert run.rc != 0, run
    assert f"Docker is not reachable at unix://{socket}" in run.output, run
    assert "Fix: install Docker" in run.output, run


@running_as_root
def test_root_with_the_docker_driver_fails_with_the_fix(playbook):
    run = playbook(BOOK, {"todo_minikube_driver": "docker"})
    assert run.rc != 0, run
    assert "minikube refuses the docker driver as root" in run.output, run
    assert "Fix: run ansible-playbook as a regular user" in run.output, run


def test_more_cpus_than_the_machine_has_fails_with_the_fix(playbook):
    run = playbook(BOOK, {**KVM2, "todo_minikube_cpus": os.cpu_count() + 1})
    assert run.rc != 0, run
    assert f"Minikube is asked for {os.cpu_count() + 1} CPUs" in run.output, run
    assert "Fix: lower todo_minikube_cpus" in run.output, run


def test_more_memory_than_the_machine_has_fails_with_the_fix(playbook):
    total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    run = playbook(BOOK, {**KVM2, "todo_minikube_memory_mb": total_mb})
    assert run.rc != 0, run
    assert "Fix: lower todo_minikube_cpus / todo_minikube_memory_mb" in run.output, run


def test_less_than_minikubes_minimum_fails_with_the_fix(playbook):
    run = playbook(BOOK, {**KVM2, "todo_minikube_cpus": 1})
    assert run.rc != 0, run
    assert "minikube needs at least 2 CPUs and 1800 MiB" in run.output, run


def test_the_existing_cluster_example_overrides_local_and_passes_preflight(playbook, tmp_path):
    dump = tmp_path / "vars.json"
    run = playbook(BOOK, {"todo_minikube_cpus": 512}, inventories=("local", "existing-cluster"))
    assert run.rc == 0, run
    merged = playbook(
        f"""
- name: Show the merged inventory
  hosts: all
  gather_facts: false
  tasks:
    - name: Write the cluster settings
      ansible.builtin.copy:
        dest: {dump}
        mode: "0600"
        content: "{{{{ [todo_minikube_enabled, todo_kube_context, todo_image_registry,
                      todo_tools_bin_dir is search('todo-app/bin')] | to_json }}}}"
""",
        inventories=("local", "existing-cluster"),
    )
    assert merged.rc == 0, merged
    assert json.loads(dump.read_text()) == [
        False,
        "my-cluster",
        "registry.example.com/todo-app",
        True,
    ]


@pytest.fixture
def docker_context(tmp_path, ansible_env):
    """A Docker context named like Colima's whose engine listens on a socket of its own.

    The real Docker CLI creates the context in a private DOCKER_CONFIG; the socket is socat in
    front of this machine's engine, so only a client that follows the context reaches it.
    """
    config = tmp_path / "docker-config"
    sock = tmp_path / "colima.sock"
    relay = subprocess.Popen(
        ["socat", f"UNIX-LISTEN:{sock},fork", "UNIX-CONNECT:/var/run/docker.sock"],
        stderr=subprocess.DEVNULL,
    )
    env = {**ansible_env, "DOCKER_CONFIG": str(config)}
    env.pop("DOCKER_HOST", None)

    def create(name: str, socket_path: Path) -> None:
        subprocess.run(
            ["docker", "context", "create", name, "--docker", f"host=unix://{socket_path}"],
            env=env,
            check=True,
            capture_output=True,
        )
        subprocess.run(["docker", "context", "use", name], env=env, check=True, capture_output=True)

    try:
        for _ in range(50):  # bounded: socat creates the socket within milliseconds
            if sock.exists():
                break
            time.sleep(0.1)
        yield env, create, sock
    finally:
        relay.terminate()
        relay.wait(timeout=10)


def test_docker_is_found_through_the_current_docker_context(playbook, docker_context, tmp_path):
    env, create, sock = docker_context
    create("colima", sock)
    dump = tmp_path / "docker-env.json"
    book = f"""
- name: Preflight
  ansible.builtin.import_playbook: {REPO}/{BOOK}
- name: Read what the images play would get
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Write the published Docker environment
      ansible.builtin.copy:
        dest: {dump}
        mode: "0600"
        content: "{{{{ preflight_docker_env | to_json }}}}"
"""
    run = playbook(book, KVM2, env=env)
    assert run.rc == 0, run
    assert json.loads(dump.read_text()) == {"DOCKER_HOST": f"unix://{sock}"}


def test_an_unreachable_docker_context_is_named_in_the_failure(playbook, docker_context, tmp_path):
    # The default socket answers here, the context's does not: failing proves the context is used.
    env, create, _ = docker_context
    dead = tmp_path / "stopped-desktop.sock"
    create("desktop-linux", dead)
    run = playbook(BOOK, KVM2, env=env)
    assert run.rc != 0, run
    assert (
        f"Docker is not reachable at unix://{dead} (Docker context desktop-linux)" in run.output
    ), run


def test_a_docker_cli_without_buildx_fails_before_anything_changes(playbook, tmp_path):
    """The real Docker CLI with its plugin directory hidden (a private mount namespace), as on
    Ubuntu's docker.io without docker-buildx: preflight names the package to install."""
    empty = tmp_path / "no-plugins"
    empty.mkdir()
    info = subprocess.run(
        ["docker", "info", "--format", "{{json .ClientInfo.Plugins}}"],
        capture_output=True,
        text=True,
        check=True,
    )
    (buildx,) = [p["Path"] for p in json.loads(info.stdout) if p["Name"] == "buildx"]
    hide_plugins = [
        "unshare",
        "--mount",
        "--map-root-user",
        "sh",
        "-c",
        'mount --bind "$1" "$2" && shift 2 && exec "$@"',
        "sh",
        str(empty),
        str(Path(buildx).parent),
    ]
    run = playbook(BOOK, KVM2, prefix=hide_plugins)
    assert run.rc != 0, run
    assert (
        "The images are built with `docker buildx`, but `docker buildx version` failed"
        in run.output
    )
    assert "sudo apt install docker-buildx" in run.output, run
    assert run.changed == 0, run
