#!/usr/bin/python
"""Read the state and configuration of one Minikube profile, as the pinned minikube reports them."""

from __future__ import annotations

import json
import os

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: minikube_profile_info
short_description: State and configuration of a Minikube profile
description:
  - Runs C(minikube status --output json) and, when the profile exists,
    C(minikube profile list --output json), and reads them the way the pinned minikube
    release (roles/cluster_tools/vars/main/checksums.yml) writes them.
  - In JSON mode minikube prints its messages as CloudEvents, one JSON document per line, on
    stdout before (or instead of) the answer (C(pkg/minikube/out/register/cloud_events.go)),
    so stdout is read line by line and only the document of the expected shape is used.
  - A missing profile is exit code 85 (C(ExGuestNotFound) in C(pkg/minikube/reason/exitcodes.go),
    raised by C(mustload.Partial) in C(pkg/minikube/mustload/mustload.go)); otherwise the exit
    code is a bitmask of host / cluster / kubeconfig not OK (C(cmd/minikube/cmd/status.go)) and
    the state is read from the status fields.
  - Read-only; runs in check mode too.
options:
  binary:
    description: Path of the minikube binary. A missing binary is reported, not failed.
    type: path
    required: true
  profile:
    description: Profile name.
    type: str
    required: true
author: todo-app team
"""

RETURN = r"""
profile:
  description: What minikube says about the profile.
  returned: success
  type: dict
  contains:
    name: {description: Profile name., type: str}
    binary_found: {description: Whether the minikube binary exists., type: bool}
    exists: {description: Whether the profile exists., type: bool}
    state:
      description:
        - missing; running (host, kubelet and API server run); paused (C(minikube pause));
          stopped (the node is not running, or its container is gone); degraded (the node
          runs but the kubelet or the API server does not: C(minikube start) repairs it).
      type: str
    host: {description: Status field Host (Running, Stopped, Nonexistent...)., type: str}
    kubelet: {description: Status field Kubelet., type: str}
    apiserver: {description: Status field APIServer (Running, Paused, Stopped...)., type: str}
    kubeconfig:
      description: Status field Kubeconfig; Misconfigured means a stale kubeconfig context.
      type: str
    driver: {description: Driver the profile was created with., type: str}
    cpus: {description: CPUs of the node., type: int}
    memory_mb: {description: Memory of the node in MiB., type: int}
    kubernetes_version: {description: Kubernetes version, e.g. v1.35.1., type: str}
    cni: {description: CNI of the profile (empty = minikube's automatic choice)., type: str}
    container_runtime: {description: Container runtime., type: str}
    exposed_ports: {description: Ports the node publishes (--ports at creation)., type: list}
    node_ip: {description: IP of the control-plane node., type: str}
    apiserver_port: {description: API server port on the node IP., type: int}
"""

# Exit code of `minikube status` for a profile that does not exist (reason.ExGuestNotFound).
EXIT_GUEST_NOT_FOUND = 85
ERROR_EVENT = "io.k8s.sigs.minikube.error"


def json_documents(stdout: str) -> list:
    """Every line of stdout that is a JSON document (events and answers alike)."""
    found = []
    for line in stdout.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            found.append(json.loads(line))
        except ValueError:
            continue
    return found


def error_messages(documents: list) -> list[str]:
    """The messages of the CloudEvents of type error (register.NewErrorExitCode)."""
    return [
        str(doc.get("data", {}).get("message", ""))
        for doc in documents
        if isinstance(doc, dict) and doc.get("type") == ERROR_EVENT
    ]


def control_plane_status(documents: list) -> dict | None:
    """The status of the control-plane node: an object for one node, a list for several."""
    for doc in documents:
        candidates = doc if isinstance(doc, list) else [doc]
        for item in candidates:
            if isinstance(item, dict) and "Host" in item and not item.get("Worker", False):
                return item
    return None


def state_of(status: dict) -> str:
    host, apiserver, kubelet = status.get("Host"), status.get("APIServer"), status.get("Kubelet")
    if host != "Running":
        return "stopped"
    if apiserver == "Paused":
        return "paused"
    if apiserver == "Running" and kubelet == "Running":
        return "running"
    return "degraded"


def profile_config(documents: list, name: str) -> tuple[dict | None, bool]:
    """(Config, valid) of the named profile in `profile list --output json`, or (None, False)."""
    for doc in documents:
        if isinstance(doc, dict) and "valid" in doc:
            for key in ("valid", "invalid"):
                for entry in doc.get(key) or []:
                    if entry.get("Name") == name:
                        return entry.get("Config") or {}, key == "valid"
    return None, False


def describe(config: dict) -> dict:
    k8s = config.get("KubernetesConfig") or {}
    nodes = config.get("Nodes") or []
    control = next((n for n in nodes if n.get("ControlPlane")), nodes[0] if nodes else {})
    return {
        "driver": config.get("Driver", ""),
        "cpus": int(config.get("CPUs") or 0),
        "memory_mb": int(config.get("Memory") or 0),
        "kubernetes_version": k8s.get("KubernetesVersion", ""),
        "cni": k8s.get("CNI", ""),
        "container_runtime": k8s.get("ContainerRuntime", ""),
        "exposed_ports": list(config.get("ExposedPorts") or []),
        "node_ip": control.get("IP", ""),
        "apiserver_port": int(control.get("Port") or 0),
    }


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "binary": {"type": "path", "required": True},
            "profile": {"type": "str", "required": True},
        },
        supports_check_mode=True,
    )
    binary, name = module.params["binary"], module.params["profile"]
    result = {
        "name": name,
        "binary_found": os.access(binary, os.X_OK),
        "exists": False,
        "state": "missing",
        "host": "",
        "kubelet": "",
        "apiserver": "",
        "kubeconfig": "",
        **describe({}),
    }
    if not result["binary_found"]:
        module.exit_json(changed=False, profile=result)

    rc, out, err = module.run_command([binary, "status", "--profile", name, "--output", "json"])
    documents = json_documents(out)
    status = control_plane_status(documents)
    if rc == EXIT_GUEST_NOT_FOUND:
        module.exit_json(changed=False, profile=result)
    if status is None:
        if rc == 7 and any(doc is None for doc in documents):
            # The profile's config exists but its node does not (cluster.GetStatus returns no
            # statuses, statusJSON prints null): `minikube start` creates the node again.
            status = {"Host": "Nonexistent", "Kubelet": "Nonexistent", "APIServer": "Nonexistent"}
        else:
            detail = "; ".join(error_messages(documents)) or (err or out).strip()[-600:]
            module.fail_json(
                msg=f"`minikube status --profile {name}` exited {rc} without a status: {detail}",
                rc=rc,
            )
    result.update(
        exists=True,
        state=state_of(status),
        host=status.get("Host", ""),
        kubelet=status.get("Kubelet", ""),
        apiserver=status.get("APIServer", ""),
        kubeconfig=status.get("Kubeconfig", ""),
    )

    rc, out, err = module.run_command([binary, "profile", "list", "--output", "json"])
    config, valid = profile_config(json_documents(out), name)
    if config is None:
        detail = "; ".join(error_messages(json_documents(out))) or (err or out).strip()[-600:]
        module.fail_json(
            msg=f"`minikube profile list --output json` (exit {rc}) does not list {name}: {detail}",
            rc=rc,
        )
    if not valid:
        module.fail_json(
            msg=(
                f"Minikube profile {name} is invalid (its configuration cannot be used). "
                f"Fix: delete it with `minikube delete --profile {name}` and run again."
            )
        )
    result.update(describe(config))
    module.exit_json(changed=False, profile=result)


if __name__ == "__main__":
    main()
