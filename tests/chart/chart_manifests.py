"""Read-only helpers over rendered Kubernetes objects (plain dicts from `helm template`)."""

from collections.abc import Iterator

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job"}

_UNITS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 10**3, "M": 10**6, "G": 10**9}


def by_kind(docs: list[dict], kind: str) -> list[dict]:
    return [d for d in docs if d["kind"] == kind]


def get(docs: list[dict], kind: str, name: str) -> dict:
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected exactly one {kind}/{name}, found {len(found)}"
    return found[0]


def pod_templates(docs: list[dict]) -> Iterator[tuple[str, dict, dict]]:
    """(kind/name, pod metadata, pod spec) for every workload and bare Pod (helm test hooks)."""
    for doc in docs:
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        if doc["kind"] in WORKLOAD_KINDS:
            template = doc["spec"]["template"]
            yield name, template["metadata"], template["spec"]
        elif doc["kind"] == "Pod":
            yield name, doc["metadata"], doc["spec"]


def containers(spec: dict) -> list[dict]:
    return spec.get("initContainers", []) + spec["containers"]


def labels_match(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def env_by_name(container: dict) -> dict[str, dict]:
    return {e["name"]: e for e in container.get("env", [])}


def memory_bytes(quantity: str | int) -> int:
    text = str(quantity)
    for suffix, factor in _UNITS.items():
        if text.endswith(suffix):
            return int(float(text.removesuffix(suffix)) * factor)
    return int(text)


def replicas(doc: dict, docs: list[dict]) -> int:
    """Replicas a workload starts with: the HPA's minimum when one targets it."""
    for hpa in by_kind(docs, "HorizontalPodAutoscaler"):
        ref = hpa["spec"]["scaleTargetRef"]
        if ref["kind"] == doc["kind"] and ref["name"] == doc["metadata"]["name"]:
            return hpa["spec"]["minReplicas"]
    return doc["spec"].get("replicas", 1)
