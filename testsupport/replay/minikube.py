"""Stand-in for the minikube v1.38.1 binary with the docker driver.

Run as `python -m testsupport.replay.minikube ARGS` (`testsupport.replay.install()` puts it on PATH
as `minikube`). Every line, event and exit code below is replayed from minikube's source at
v1.38.1 (`git -C /work/.mirror/kubernetes+minikube/repo show v1.38.1:PATH`); the source file is
named beside each canned output. Output that depends on the user's machine (event UUIDs, paths,
port numbers, runtime versions) differs in value, never in shape.

State: `$TODO_REPLAY_DIR/minikube.json`, read and written under a lock on every call:

    {
      "profiles": {
        "NAME": {
          "state": "Running" | "Stopped" | "Paused" | "Nonexistent",  # Nonexistent: no container
          "config": {...},            # the ClusterConfig exactly as minikube marshals it
          "node_ip": "192.168.49.2",  # the docker driver's pick: 192.168.49.2, .58.2, .67.2, ...
          "published_ports": [...],   # what the node container publishes, fixed at creation
          "kubeconfig_stale": false,  # knob: true (or a URL) makes the profile's kubeconfig server
                                      # stale at the next call (status then says Misconfigured)
          "invalid": false            # knob: list the profile under "invalid" in `profile list`
        }
      },
      "host": {"kind": "linux", "uid": null, "cpus": null, "memory_mb": null},
      "fail_next_start": null,        # knob: {"reason", "exitcode", "message"[, "advice",
                                      # "issue_link", "state_after"]} fails the next start
      "services": {"NS/NAME": {...}}  # knob: Services `minikube service` finds without an API
    }

`host.kind` is the Docker the driver talks to: "linux" (native Docker Engine, the default) or one
where minikube's `driver.NeedsPortForward` is true: "darwin", "windows", "wsl",
"docker-desktop-linux", "rootless". `host.uid` overrides the user id the root check sees.

The cluster behind a profile is the Kubernetes API stand-in when `$TODO_REPLAY_DIR/kube-api.json`
exists (`start` writes its server and credentials into the kubeconfig); without it the kubeconfig
points at https://127.0.0.1:1, where nothing listens, so Kubernetes calls fail as against a dead
cluster. `docker-env` prints `$TODO_REPLAY_DIR/docker-endpoint.json` when present.
"""

from __future__ import annotations

# Every call of a command starts a Python process: the modules only some commands need are
# imported where they are used, to keep a call near the interpreter's own start-up time.
import contextlib
import fcntl
import json
import os
import re
import signal
import sys
import time
import unicodedata
import uuid
from collections import namedtuple
from pathlib import Path

from testsupport import replay


def _which(name: str) -> str | None:
    import shutil

    return shutil.which(name)


def _rmtree(path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def _yaml():
    import yaml

    return yaml


# --- Constants -------------------------------------------------------------------------------

VERSION = "v1.38.1"  # Makefile: VERSION_MAJOR/MINOR/BUILD
COMMIT = "c93a4cb9311efc66b90d33ea03f75f2c4120e9b0"  # git rev-parse v1.38.1 (Makefile COMMIT)
KIC_VERSION = "v0.0.50"  # pkg/drivers/kic/types.go Version
BASE_IMAGE = (  # pkg/drivers/kic/types.go BaseImage
    "gcr.io/k8s-minikube/kicbase:v0.0.50"
    "@sha256:eb4fec00e8ad70adf8e6436f195cc429825ffb85f95afcdb5d8d9deb576f3e93"
)
DEFAULT_K8S = "v1.35.1"  # pkg/minikube/constants/constants.go DefaultKubernetesVersion
NEWEST_K8S = "v1.35.1"  # constants.go NewestKubernetesVersion
OLDEST_K8S = "v1.28.0"  # constants.go OldestKubernetesVersion
DEFAULT_CLUSTER = "minikube"  # constants.go DefaultClusterName
API_PORT = 8443  # constants.go APIServerPort
DOCKER_DAEMON_PORT = 2376  # constants.go DockerDaemonPort
SSH_PORT = 22  # constants.go SSHPort
REGISTRY_ADDON_PORT = 5000  # constants.go RegistryAddonPort
AUTO_PAUSE_PROXY_PORT = 32443  # constants.go AutoPauseProxyPort
DEFAULT_NAMESPACES = ["kube-system", "kubernetes-dashboard", "istio-operator"]  # constants.go
RUNTIME_CHANGE_WARNING = (  # constants.go DefaultContainerRuntimeChangeWarning
    'Starting v1.39.0, minikube will default to "containerd" container runtime. See #21973 for '
    "more info."
)
# Runtime versions inside kicbase v0.0.50 (deploy/kicbase/Dockerfile installs the current packages).
RUNTIME_VERSIONS = {"docker": "29.1.3", "containerd": "v2.2.1", "crio": "1.35.0"}
# The dead address the kubeconfig names when no Kubernetes API stand-in runs (kube-api.json absent).
DEAD_SERVER = "https://127.0.0.1:1"
# pkg/minikube/config/profile.go ProfileNameValid
PROFILE_NAME = re.compile(
    r"(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])\.)*"
    r"([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9\-]*[A-Za-z0-9])"
)
# What docker publishes for `-p PORT` without an address (a value here, never a bind).
ALL_INTERFACES = "0.0.0.0"  # noqa: S104
PORT_FORWARD_KINDS = {"darwin", "windows", "wsl", "docker-desktop-linux", "rootless"}
HOST_KINDS = {"linux"} | PORT_FORWARD_KINDS
# Latest patch per minor from pkg/minikube/constants/constants_kubernetes_versions.go, for the
# two-digit form of --kubernetes-version (start.go getLatestPatch) and the "found in version list"
# check (start.go validateKubernetesVersion).
LATEST_PATCH = {
    "1.36": "1.36.0-alpha.1",
    "1.35": "1.35.1",
    "1.34": "1.34.4",
    "1.33": "1.33.8",
    "1.32": "1.32.12",
    "1.31": "1.31.14",
    "1.30": "1.30.14",
    "1.29": "1.29.15",
    "1.28": "1.28.15",
    "1.27": "1.27.16",
    "1.26": "1.26.15",
    "1.25": "1.25.16",
    "1.24": "1.24.17",
    "1.23": "1.23.17",
    "1.22": "1.22.17",
    "1.21": "1.21.14",
    "1.20": "1.20.15",
}
NEWER_THAN_NEWEST_LISTED = {"1.36.0-alpha.1"}

# pkg/minikube/assets/addons.go: name -> (enabled by default, maintainer, verified maintainer, docs)
ADDONS = {
    "auto-pause": (False, "minikube", "", ""),
    "dashboard": (False, "Kubernetes", "", "https://minikube.sigs.k8s.io/docs/handbook/dashboard/"),
    "default-storageclass": (
        True,
        "Kubernetes",
        "",
        "https://minikube.sigs.k8s.io/docs/handbook/persistent_volumes/",
    ),
    "pod-security-policy": (False, "3rd party (unknown)", "", ""),
    "storage-provisioner": (True, "minikube", "", ""),
    "storage-provisioner-rancher": (False, "3rd party (Rancher)", "", ""),
    "efk": (False, "3rd party (Elastic)", "", ""),
    "ingress": (False, "Kubernetes", "", "https://github.com/kubernetes/ingress-nginx"),
    "istio-provisioner": (
        False,
        "3rd party (Istio)",
        "",
        "https://istio.io/latest/docs/setup/platform-setup/minikube/",
    ),
    "istio": (
        False,
        "3rd party (Istio)",
        "",
        "https://istio.io/latest/docs/setup/platform-setup/minikube/",
    ),
    "inspektor-gadget": (
        False,
        "3rd party (inspektor-gadget.io)",
        "https://github.com/orgs/inspektor-gadget/people",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/inspektor-gadget/",
    ),
    "kong": (
        False,
        "3rd party (Kong HQ)",
        "@gAmUssA",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/kong-ingress/",
    ),
    "kubevirt": (
        False,
        "3rd party (KubeVirt)",
        "",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/kubevirt/",
    ),
    "metrics-server": (False, "Kubernetes", "", ""),
    "olm": (False, "3rd party (Operator Framework)", "", ""),
    "registry": (False, "minikube", "", ""),
    "registry-creds": (
        False,
        "3rd party (UPMC Enterprises)",
        "",
        "https://minikube.sigs.k8s.io/docs/handbook/registry/",
    ),
    "registry-aliases": (False, "3rd party (unknown)", "", ""),
    "freshpod": (False, "Google", "", "https://github.com/GoogleCloudPlatform/freshpod"),
    "nvidia-driver-installer": (
        False,
        "3rd party (NVIDIA)",
        "",
        "https://minikube.sigs.k8s.io/docs/tutorials/nvidia/",
    ),
    "nvidia-gpu-device-plugin": (
        False,
        "3rd party (NVIDIA)",
        "",
        "https://minikube.sigs.k8s.io/docs/tutorials/nvidia/",
    ),
    "amd-gpu-device-plugin": (
        False,
        "3rd party (AMD)",
        "",
        "https://minikube.sigs.k8s.io/docs/tutorials/amd/",
    ),
    "logviewer": (False, "3rd party (unknown)", "", ""),
    "gvisor": (False, "minikube", "", "https://minikube.sigs.k8s.io/docs/handbook/addons/gvisor/"),
    "ingress-dns": (
        False,
        "minikube",
        "",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/ingress-dns/",
    ),
    "metallb": (False, "3rd party (MetalLB)", "", ""),
    "ambassador": (
        False,
        "3rd party (Ambassador)",
        "",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/ambassador/",
    ),
    "gcp-auth": (
        False,
        "Google",
        "",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/gcp-auth/",
    ),
    "volcano": (False, "third-party (volcano)", "hwdef", ""),
    "volumesnapshots": (
        False,
        "Kubernetes",
        "",
        "https://minikube.sigs.k8s.io/docs/tutorials/volume_snapshots_and_csi/",
    ),
    "csi-hostpath-driver": (
        False,
        "Kubernetes",
        "",
        "https://minikube.sigs.k8s.io/docs/tutorials/volume_snapshots_and_csi/",
    ),
    "portainer": (False, "3rd party (Portainer.io)", "", ""),
    "inaccel": (False, "3rd party (InAccel [info@inaccel.com])", "", ""),
    "headlamp": (
        False,
        "3rd party (kinvolk.io)",
        "yolossn",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/headlamp/",
    ),
    "cloud-spanner": (
        False,
        "Google",
        "",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/cloud-spanner/",
    ),
    "kubeflow": (False, "3rd party", "", ""),
    "nvidia-device-plugin": (
        False,
        "3rd party (NVIDIA)",
        "",
        "https://minikube.sigs.k8s.io/docs/tutorials/nvidia/",
    ),
    "yakd": (
        False,
        "3rd party (marcnuri.com)",
        "manusa",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/yakd-kubernetes-dashboard/",
    ),
    "kubetail": (
        False,
        "3rd party (kubetail.com)",
        "amorey",
        "https://minikube.sigs.k8s.io/docs/handbook/addons/kubetail/",
    ),
}
# The images an addon's enable prints ("Using image ..."): pkg/minikube/assets/addons.go (registry
# + image without its digest). Addons not listed here print no image lines in this stand-in.
ADDON_IMAGES = {
    "storage-provisioner": ["gcr.io/k8s-minikube/storage-provisioner:v5"],
    "metrics-server": ["registry.k8s.io/metrics-server/metrics-server:v0.8.1"],
    "ingress": [
        "registry.k8s.io/ingress-nginx/controller:v1.14.3",
        "registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.7",
        "registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.7",
    ],
}
# Pods an addon adds to kube-system (their containers are what `pause` counts).
ADDON_KUBE_SYSTEM_PODS = {"storage-provisioner": 1, "metrics-server": 1}
# kube-system pods a CNI adds (pkg/minikube/cni/*.yaml).
CNI_KUBE_SYSTEM_PODS = {"Calico": 2, "Cilium": 3, "CNI": 1}


# --- Small Go-compatible helpers ---------------------------------------------------------------


def gojson(obj) -> str:
    """json.Marshal: compact, HTML-safe escaping of <, > and & as Go's encoding/json does."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def parse_bool(value: str) -> bool | None:
    """strconv.ParseBool."""
    if value in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if value in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    return None


def parse_duration(text: str) -> int:
    """time.ParseDuration for the forms the flags use (e.g. 6m0s, 1m, 26280h0m0s), in ns."""
    units = {
        "ns": 1,
        "us": 1_000,
        "µs": 1_000,
        "ms": 1_000_000,
        "s": 10**9,
        "m": 60 * 10**9,
        "h": 3600 * 10**9,
    }
    if text == "0":
        return 0
    total = 0.0
    rest = text
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", text):
        total += float(number) * units[unit]
        rest = rest.replace(number + unit, "", 1)
    if rest or not text:
        raise ValueError(f'time: invalid duration "{text}"')
    return int(total)


def size_in_mb(text: str) -> int:
    """pkg/util/utils.go CalculateSizeInMB: a bare number is MB; units are binary (RAMInBytes)."""
    if re.fullmatch(r"-?\d+", text):
        text += "mb"
    m = re.fullmatch(r"(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?", text)
    if not m:
        raise ValueError(f"FromHumanSize: invalid size: '{text}'")
    mult = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}
    size = float(m.group(1)) * mult[(m.group(2) or "").lower()]
    return int(size) // (1 << 20)


class Semver:
    """github.com/blang/semver/v4: parse, compare, String()."""

    def __init__(self, major: int, minor: int, patch: int, pre: tuple = (), build: str = ""):
        self.major, self.minor, self.patch, self.pre, self.build = major, minor, patch, pre, build

    @classmethod
    def parse(cls, text: str) -> Semver:
        m = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?", text)
        if not m:
            if not re.fullmatch(r"\d+\.\d+\.\d+.*", text):
                raise ValueError("No Major.Minor.Patch elements found")
            raise ValueError(f"Invalid character(s) found in version {text!r}")
        pre = (
            tuple(int(p) if p.isdigit() else p for p in m.group(4).split(".")) if m.group(4) else ()
        )
        return cls(int(m.group(1)), int(m.group(2)), int(m.group(3)), pre, m.group(5) or "")

    def _key(self):
        def pre_key(p):
            return (0, p, "") if isinstance(p, int) else (1, 0, p)

        # A version without pre-release sorts after any pre-release of the same version.
        return (
            self.major,
            self.minor,
            self.patch,
            1 if not self.pre else 0,
            tuple(pre_key(p) for p in self.pre),
        )

    def __lt__(self, other):
        return self._key() < other._key()

    def __gt__(self, other):
        return self._key() > other._key()

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.pre:
            text += "-" + ".".join(str(p) for p in self.pre)
        if self.build:
            text += "+" + self.build
        return text


def east_asian_width(text: str) -> int:
    """go-runewidth StringWidth, enough for the prefixes minikube prints."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or ch == "\ufe0f":
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


# --- Output: pkg/minikube/out/out.go, out_style.go, out_reason.go, pkg/minikube/style/style.go --


Style = namedtuple("Style", "prefix low spin hide", defaults=("", False, False))


# pkg/minikube/style/style.go Config (the ones this stand-in prints).
STYLES = {
    "Celebrate": Style("🎉  "),
    "Check": Style("✅  "),
    "Command": Style("    ▪ ", "  - "),
    "Deleted": Style("💀  "),
    "Documentation": Style("📘  "),
    "Empty": Style("", ""),
    "Happy": Style("😄  "),
    "Issue": Style("    ▪ ", "  - "),
    "Issues": Style("🍿  "),
    "New": Style("🆕  "),
    "Notice": Style("📌  "),
    "Option": Style("    ▪ ", "  - "),
    "Pause": Style("⏸️  "),
    "Ready": Style("🏄  "),
    "Restarting": Style("🔄  ", spin=True),
    "Running": Style("🏃  ", spin=True),
    "Sparkle": Style("✨  "),
    "Stopped": Style("🛑  "),
    "Stopping": Style("✋  "),
    "Success": Style("✅  "),
    "ThumbsDown": Style("👎  "),
    "ThumbsUp": Style("👍  "),
    "Unpause": Style("⏯️  "),
    "URL": Style("👉  ", "  "),
    "Usage": Style("💡  "),
    "Waiting": Style("⌛  "),
    "Workaround": Style("👉  ", "  "),
    "Conflict": Style("💢  ", "! "),
    "Failure": Style("❌  ", "X "),
    "Fatal": Style("💣  ", "X "),
    "Warning": Style("❗  ", "! "),
    "KnownIssue": Style("🧯  ", "X "),
    "UnmetRequirement": Style("⛔  ", "X "),
    "Embarrassed": Style("🤦  ", "! "),
    "Sad": Style("😿  "),
    "Shrug": Style("🤷  "),
    "Improvement": Style("💨  ", "! "),
    "SeeNoEvil": Style("🙈  ", "X "),
    "AddonEnable": Style("🌟  "),
    "Containerd": Style("📦  "),
    "CRIO": Style("🎁  "),
    "DeletingHost": Style("🔥  "),
    "Docker": Style("🐳  ", spin=True),
    "DryRun": Style("🌵  "),
    "HealthCheck": Style("🔎  "),
    "Internet": Style("🌐  "),
    "Kubectl": Style("💗  "),
    "Meh": Style("🙄  ", "! "),
    "Pulling": Style("🚜  "),
    "Shutdown": Style("🛑  "),
    "StartingSSH": Style("🔗  "),
    "StartingVM": Style("🔥  ", spin=True),
    "SubStep": Style("    ▪ ", "  - ", spin=True, hide=True),
    "Tip": Style("💡  "),
    "Verifying": Style("🤔  "),
    "CNI": Style("🔗  "),
}


def low_prefix(st: Style) -> str:
    """style.go LowPrefix: an empty LowPrefix falls back to an indent or a bullet."""
    if st.low:
        return st.low
    if st.prefix.startswith("  "):
        return "  "
    return "* "


def _wants_color() -> bool:
    """out.go wantsColor, against stderr (main.go calls SetErrFile after SetOutFile)."""
    val = os.environ.get("MINIKUBE_IN_STYLE", "")
    if val:
        override = parse_bool(val)
        if override is not None:
            return override
    if os.environ.get("WT_SESSION"):
        return True
    term = os.environ.get("TERM", "")
    colorterm = os.environ.get("COLORTERM", "")
    if "color" not in term and not any(x in colorterm for x in ("truecolor", "24bit", "yes")):
        return False
    return sys.stderr.isatty()


class Register:
    """pkg/minikube/out/register/register.go: the step a JSON event reports."""

    STEPS = {  # noqa: RUF012 (read only)
        "Initial Minikube Setup": [
            "Initial Minikube Setup",
            "Selecting Driver",
            "Downloading Artifacts",
            "Starting Node",
            "Updating Driver",
            "Pulling Base Image",
            "Running on Localhost",
            "Local OS Release",
            "Creating Container",
            "Creating VM",
            "Running Remotely",
            "Preparing Kubernetes",
            "Generating certificates",
            "Booting control plane",
            "Configuring RBAC rules",
            "Configuring CNI",
            "Configuring Localhost Environment",
            "Verifying Kubernetes",
            "Enabling Addons",
            "Done",
        ],
        "Stopping": ["Stopping", "PowerOff", "Done"],
        "Pausing": ["Pausing", "Done"],
        "Unpausing": ["Unpausing", "Done"],
        "Deleting": ["Deleting", "Stopping", "Done", "Puring home dir"],
    }

    def __init__(self):
        self.first = ""
        self.current = ""

    def set_step(self, step: str) -> None:
        if not self.first and step in self.STEPS:
            self.first = step
        self.current = step

    def data(self, message: str) -> dict:
        steps = self.STEPS.get(self.first, [])
        current = str(steps.index(self.current)) if self.first and self.current in steps else ""
        return {
            "currentstep": current,
            "message": message.strip(),
            "name": self.current,
            "totalsteps": str(len(steps) - 1),
        }


def cloud_event(event_type: str, data: dict) -> str:
    """register/cloud_events.go CloudEvent, marshalled as cloudevents sdk-go v2 WriteJson does."""
    return (
        '{"specversion":"1.0","id":'
        + json.dumps(str(uuid.uuid4()))
        + ',"source":"https://minikube.sigs.k8s.io/"'
        ',"type":'
        + json.dumps(event_type)
        + ',"datacontenttype":"application/json","data":'
        + gojson(dict(sorted(data.items())))
        + "}"
    )


class Out:
    """The package-level state of pkg/minikube/out plus the register."""

    def __init__(self):
        self.json = False
        self.silent = False
        self.use_color = _wants_color()
        self.reg = Register()
        self.exit_shell = False  # exit.SetShell
        self.command = ""

    # out_style.go stylized/applyStyle
    def stylized(self, st: str, text: str) -> tuple[str, Style | None]:
        opts = STYLES.get(st)
        spin = bool(opts and opts.spin)
        text = text if spin else text + "\n"
        if opts is None or self.json:
            return text, opts
        return (opts.prefix if self.use_color else low_prefix(opts)) + text, opts

    def _write(self, stream, text: str) -> None:
        stream.write(text)

    def event(self, event_type: str, data: dict) -> None:
        self._write(sys.stdout, cloud_event(event_type, data) + "\n")

    def step(self, st: str, text: str) -> None:
        """out.Step."""
        if st == "Option":
            self.infof(text)
            return
        styled, _ = self.stylized(st, text)
        if self.json:
            self.event("io.k8s.sigs.minikube.step", self.reg.data(styled))
            return
        self.styled(st, text)

    def styled(self, st: str, text: str) -> None:
        """out.Styled: spinning styles print nothing when stdout is no terminal (spinner.Start)."""
        if self.json or st == "Option":
            self.infof(text)
            return
        styled, opts = self.stylized(st, text)
        if opts and opts.spin:
            if self.silent or not sys.stdout.isatty():
                return
            if not opts.hide:
                self._write(sys.stdout, styled + "\n")
            return
        self.string(styled)

    def infof(self, text: str) -> None:
        styled, _ = self.stylized("Option", text)
        if self.json:
            self.event("io.k8s.sigs.minikube.info", {"message": styled.strip()})
        self.string(styled)

    def string(self, text: str) -> None:
        if self.silent or self.json:
            return
        self._write(sys.stdout, text)

    def ln(self, text: str) -> None:
        self.string(text + "\n")

    def err(self, text: str) -> None:
        if self.json:
            self.event("io.k8s.sigs.minikube.error", {"message": text.strip()})
            return
        self._write(sys.stderr, text)

    def err_t(self, st: str, text: str) -> None:
        self.err(self.stylized(st, text)[0])

    def warning_t(self, text: str) -> None:
        if self.json:
            self.event(
                "io.k8s.sigs.minikube.warning",
                {"message": self.stylized("Warning", text)[0].strip()},
            )
            return
        self.err_t("Warning", text)

    def failure_t(self, text: str) -> None:
        self.err_t("Failure", text)

    def boxed_err(self, text: str) -> None:
        """out.go BoxedErr: box-cli-maker v2 "Round" box, Px 4, Py 1, content left-aligned."""
        body, _ = self.stylized("None", text)
        lines = body.strip().split("\n")
        longest = max(east_asian_width(line) for line in lines)
        inner = longest + 8
        rows = ["╭" + "─" * inner + "╮", "│" + " " * inner + "│"]
        rows += [
            "│    " + line + " " * (longest - east_asian_width(line)) + "    │" for line in lines
        ]
        rows += ["│" + " " * inner + "│", "╰" + "─" * inner + "╯"]
        box = "\n".join(rows) + "\n"
        if self.json:
            self.event("io.k8s.sigs.minikube.error", {"message": box.strip()})
            return
        self._write(sys.stderr, box)


OUT = Out()


class Exit(Exception):
    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


# pkg/minikube/reason/reason.go Kind
Kind = namedtuple(
    "Kind", "id exitcode style advice url issues new_issue_link", defaults=("", "", "", (), False)
)


# pkg/minikube/reason/reason.go and exitcodes.go
USAGE = Kind("MK_USAGE", 14)
DRV_AS_ROOT = Kind("DRV_AS_ROOT", 57)
GUEST_DRV_MISMATCH = Kind("GUEST_DRIVER_MISMATCH", 81, "Conflict")
K8S_DOWNGRADE = Kind(
    "K8S_DOWNGRADE_UNSUPPORTED",
    106,
    "SeeNoEvil",
    "1) Recreate the cluster with Kubernetes {new}, by running:\n\n\t\t  minikube delete{profile}\n"
    "\t\t  minikube start{profile} --kubernetes-version={prefix}{new}\n\n"
    "\t\t2) Create a second cluster with Kubernetes {new}, by running:\n\n"
    "\t\t  minikube start -p {suggestedName} --kubernetes-version={prefix}{new}\n\n"
    "\t\t3) Use the existing cluster at version Kubernetes {old}, by running:\n\n"
    "\t\t  minikube start{profile} --kubernetes-version={prefix}{old}\n\t\t",
)
K8S_TOO_OLD = Kind("K8S_OLD_UNSUPPORTED", 106)
K8S_TOO_NEW = Kind("K8S_NEW_UNSUPPORTED", 106)
PATCH_NOT_FOUND = Kind(
    "MK_PATCH_NOT_FOUND",
    14,
    advice="Specify --kubernetes-version in v<major>.<minor.<build> form. example: 'v1.1.14'",
)
RSRC_INSUFFICIENT_CORES = Kind("RSRC_INSUFFICIENT_CORES", 29, "UnmetRequirement")
RSRC_INSUFFICIENT_REQ_MEMORY = Kind("RSRC_INSUFFICIENT_REQ_MEMORY", 23, "UnmetRequirement")
RSRC_INSUFFICIENT_SYS_MEMORY = Kind("RSRC_INSUFFICIENT_SYS_MEMORY", 23, "UnmetRequirement")
RSRC_OVER_ALLOC_MEM = Kind(
    "RSRC_OVER_ALLOC_MEM",
    10,
    advice="Start minikube with less memory allocated: 'minikube start --memory={advised}mb'",
)
PROVIDER_DOCKER_NOT_FOUND = Kind(
    "PROVIDER_DOCKER_NOT_FOUND",
    65,
    "Shrug",
    "Install Docker",
    "https://minikube.sigs.k8s.io/docs/drivers/docker/",
)
ADDON_ENABLE = Kind("MK_ADDON_ENABLE", 10)
ADDON_ENABLE_PAUSED = Kind("MK_ADDON_ENABLE_PAUSED", 11)
SVC_NOT_FOUND = Kind("SVC_NOT_FOUND", 115)
SVC_UNREACHABLE = Kind("SVC_UNREACHABLE", 115)
OUTPUT_USAGE = Kind("MK_OUTPUT_USAGE", 10)
EX_GUEST_ERROR = 80
EX_GUEST_NOT_RUNNING = 83
EX_GUEST_NOT_FOUND = 85
EX_CONTROL_PLANE_NOT_RUNNING = 103
EX_SVC_UNAVAILABLE = 119


def exit_code(code: int) -> None:
    """exit.go Code: with SetShell (docker-env off a terminal) it first prints the code."""
    if OUT.exit_shell:
        sys.stdout.write(f"false exit code {code}\n")
    raise Exit(code)


def indent_multiline(text: str) -> str:
    """out_reason.go indentMultiLine."""
    if "\n" not in text:
        return text
    return "\n".join(["\n"] + ["    " + line.strip() for line in text.split("\n")])


def display_github_issue_message() -> None:
    """out.go displayGitHubIssueMessage."""
    msg = OUT.stylized("Sad", "If the above advice does not help, please let us know:")[0]
    msg += OUT.stylized("URL", "https://github.com/kubernetes/minikube/issues/new/choose\n")[0]
    msg += OUT.stylized(
        "Empty",
        "Please run `minikube logs --file=logs.txt` and attach logs.txt to the GitHub issue.",
    )[0]
    if OUT.command != "start":
        # main.go logFileName: SHA-1 of the user name and the arguments (a name, not a secret).
        seed = (os.environ.get("USER", "") + "".join(sys.argv[1:])).encode()
        import hashlib
        import tempfile

        digest = hashlib.sha1(seed, usedforsecurity=False).hexdigest()
        log_path = os.path.join(tempfile.gettempdir(), f"minikube_{OUT.command}_{digest}_0.log")
        msg += OUT.stylized("Empty", "Please also attach the following file to the GitHub issue:")[
            0
        ]
        msg += OUT.stylized("Empty", f"- {log_path}")[0]
    OUT.boxed_err(msg)


def display_text(kind: Kind, text: str, advice_vars: dict | None = None) -> None:
    """out_reason.go displayText (+ determineOutput: text goes to stderr only off JSON)."""
    OUT.ln("")
    st = kind.style or "KnownIssue"

    def determine(style: str, message: str) -> None:
        if not OUT.json:
            OUT.err_t(style, message)

    determine(st, text)
    if kind.advice:
        advice = kind.advice.format(**(advice_vars or {}))
        determine("Tip", "Suggestion: " + indent_multiline(advice))
    if kind.url:
        determine("Documentation", f"Documentation: {kind.url}")
    urls = [f"https://github.com/kubernetes/minikube/issues/{i}" for i in kind.issues]
    if len(urls) == 1:
        determine("Issues", f"Related issue: {urls[0]}")
    elif urls:
        determine("Issues", "Related issues:")
        for url in urls:
            determine("Issue", url)
    if kind.new_issue_link:
        determine("Empty", "")
        display_github_issue_message()
    OUT.ln("")


def out_error(kind: Kind, text: str, advice_vars: dict | None = None) -> None:
    """out_reason.go Error: one error event in JSON mode, then the text."""
    if OUT.json:
        urls = [f"https://github.com/kubernetes/minikube/issues/{i}" for i in kind.issues]
        OUT.event(
            "io.k8s.sigs.minikube.error",
            {
                "message": text.strip(),
                "exitcode": str(kind.exitcode),
                "name": kind.id,
                "advice": kind.advice.format(**(advice_vars or {})).strip(),
                "url": kind.url,
                "issues": ",".join(urls),
            },
        )
    display_text(kind, text, advice_vars)


def warn_reason(kind: Kind, text: str, advice_vars: dict | None = None) -> None:
    """out_reason.go WarnReason."""
    if OUT.json:
        OUT.event("io.k8s.sigs.minikube.warning", {"message": text.strip()})
    display_text(kind, text, advice_vars)


def exit_message(kind: Kind, text: str, advice_vars: dict | None = None) -> None:
    """exit.go Message."""
    kind = kind._replace(style=kind.style or "Failure")
    if OUT.json:
        out_error(kind, text, advice_vars)
    else:
        out_error(kind, f"Exiting due to {kind.id}: {text}", advice_vars)
    exit_code(kind.exitcode)


def exit_error(kind: Kind, msg: str, err: str) -> None:
    """exit.go Error for an error no known issue matches: the GitHub issue box follows."""
    exit_message(kind._replace(new_issue_link=True), f"{msg}: {err}")


def exit_if_not_forced(ctx: Ctx, kind: Kind, text: str, advice_vars: dict | None = None) -> None:
    """start.go exitIfNotForced."""
    if not ctx.flag("force"):
        exit_message(kind, text, advice_vars)
    out_error(kind, text, advice_vars)


def klog_error(source: str, message: str) -> None:
    """klog v2 writes ERROR lines to stderr as well as to the log file (stderrthreshold)."""
    now = time.time()
    tm = time.localtime(now)
    micros = int((now % 1) * 1_000_000)
    sys.stderr.write(
        f"E{tm.tm_mon:02d}{tm.tm_mday:02d} "
        f"{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d}.{micros:06d} "
        f"{os.getpid():7d} {source}] {message}\n"
    )


# --- Flags (cobra/pflag as minikube declares them) -----------------------------------------------


# kind: bool, string, int, slice (comma separated, repeatable) or array (repeatable)
Flag = namedtuple("Flag", "kind default short", defaults=(None, ""))


def _flags(**specs) -> dict[str, Flag]:
    return {name.replace("_", "-"): spec for name, spec in specs.items()}


# cmd/minikube/cmd/root.go persistent flags and klog's flags (main.go AddGoFlagSet).
GLOBAL_FLAGS = {
    "profile": Flag("string", DEFAULT_CLUSTER, "p"),
    "bootstrapper": Flag("string", "kubeadm", "b"),
    "user": Flag("string", ""),
    "skip-audit": Flag("bool", False),
    "rootless": Flag("bool", False),
    "help": Flag("bool", False, "h"),
    "alsologtostderr": Flag("bool", False),
    "logtostderr": Flag("bool", False),
    "v": Flag("string", "0", "v"),
    "log_dir": Flag("string", ""),
    "log_file": Flag("string", ""),
    "log_file_max_size": Flag("string", "1800"),
    "stderrthreshold": Flag("string", "2"),
    "add_dir_header": Flag("bool", False),
    "skip_headers": Flag("bool", False),
    "skip_log_headers": Flag("bool", False),
    "one_output": Flag("bool", False),
    "vmodule": Flag("string", ""),
}

# cmd/minikube/cmd/start_flags.go (the stand-in reads these; the others are accepted and stored).
START_FLAGS = {
    **_flags(
        force=Flag("bool", False),
        interactive=Flag("bool", True),
        dry_run=Flag("bool", False),
        cpus=Flag("string", "2"),
        memory=Flag("string", "", "m"),
        disk_size=Flag("string", "20000mb"),
        download_only=Flag("bool", False),
        cache_images=Flag("bool", True),
        iso_url=Flag("slice", []),
        base_image=Flag("string", BASE_IMAGE),
        keep_context=Flag("bool", False),
        embed_certs=Flag("bool", False),
        container_runtime=Flag("string", "", "c"),
        mount=Flag("bool", False),
        mount_string=Flag("string", ""),
        addons=Flag("slice", []),
        cri_socket=Flag("string", ""),
        network_plugin=Flag("string", ""),
        enable_default_cni=Flag("bool", False),
        cni=Flag("string", ""),
        wait=Flag("slice", ["apiserver", "system_pods"]),
        wait_timeout=Flag("string", "6m0s"),
        native_ssh=Flag("bool", True),
        auto_update_drivers=Flag("bool", True),
        install_addons=Flag("bool", True),
        ha=Flag("bool", False),
        nodes=Flag("int", 1, "n"),
        preload=Flag("bool", True),
        no_kubernetes=Flag("bool", False),
        delete_on_failure=Flag("bool", False),
        force_systemd=Flag("bool", False),
        network=Flag("string", ""),
        output=Flag("string", "text", "o"),
        trace=Flag("string", ""),
        extra_disks=Flag("int", 0),
        cert_expiration=Flag("string", "26280h0m0s"),
        binary_mirror=Flag("string", ""),
        disable_optimizations=Flag("bool", False),
        disable_metrics=Flag("bool", False),
        disable_coredns_log=Flag("bool", False),
        static_ip=Flag("string", ""),
        gpus=Flag("string", "", "g"),
        auto_pause_interval=Flag("string", "1m0s"),
        preload_source=Flag("string", "auto"),
        kubernetes_version=Flag("string", ""),
        namespace=Flag("string", "default"),
        extra_config=Flag("array", []),
        feature_gates=Flag("string", ""),
        dns_domain=Flag("string", "cluster.local"),
        apiserver_port=Flag("int", API_PORT),
        apiserver_name=Flag("string", "minikubeCA"),
        apiserver_names=Flag("slice", []),
        apiserver_ips=Flag("slice", []),
        driver=Flag("string", "", "d"),
        vm_driver=Flag("string", ""),
        disable_driver_mounts=Flag("bool", False),
        vm=Flag("bool", False),
        listen_address=Flag("string", ""),
        ports=Flag("slice", []),
        subnet=Flag("string", ""),
        insecure_registry=Flag("slice", []),
        registry_mirror=Flag("slice", []),
        image_repository=Flag("string", ""),
        image_mirror_country=Flag("string", ""),
        service_cluster_ip_range=Flag("string", "10.96.0.0/12"),
        docker_env=Flag("array", []),
        docker_opt=Flag("array", []),
    )
}

COMMAND_FLAGS = {
    # cmd/minikube/cmd/version.go
    ("version",): _flags(
        output=Flag("string", "", "o"), short=Flag("bool", False), components=Flag("bool", False)
    ),
    # cmd/minikube/cmd/status.go
    ("status",): _flags(
        format=Flag("string", None, "f"),
        output=Flag("string", "text", "o"),
        layout=Flag("string", "nodes", "l"),
        node=Flag("string", "", "n"),
        watch=Flag("string", "1s", "w"),
    ),
    # cmd/minikube/cmd/config/profile_list.go
    ("profile", "list"): _flags(
        output=Flag("string", "table", "o"),
        light=Flag("bool", False, "l"),
        detailed=Flag("bool", False, "d"),
    ),
    ("start",): START_FLAGS,
    # cmd/minikube/cmd/stop.go
    ("stop",): _flags(
        all=Flag("bool", False),
        keep_context_active=Flag("bool", False),
        schedule=Flag("string", "0s"),
        cancel_scheduled=Flag("bool", False),
        output=Flag("string", "text", "o"),
    ),
    # cmd/minikube/cmd/delete.go
    ("delete",): _flags(
        all=Flag("bool", False), purge=Flag("bool", False), output=Flag("string", "text", "o")
    ),
    # cmd/minikube/cmd/pause.go, unpause.go
    ("pause",): _flags(
        namespaces=Flag("slice", DEFAULT_NAMESPACES, "n"),
        all_namespaces=Flag("bool", False, "A"),
        output=Flag("string", "text", "o"),
    ),
    ("unpause",): _flags(
        namespaces=Flag("slice", DEFAULT_NAMESPACES, "n"),
        all_namespaces=Flag("bool", False, "A"),
        output=Flag("string", "text", "o"),
    ),
    ("update-context",): {},
    # cmd/minikube/cmd/ip.go
    ("ip",): _flags(node=Flag("string", "", "n")),
    # cmd/minikube/cmd/docker-env.go
    ("docker-env",): _flags(
        no_proxy=Flag("bool", False),
        ssh_host=Flag("bool", False),
        ssh_add=Flag("bool", False),
        shell=Flag("string", ""),
        output=Flag("string", "", "o"),
        unset=Flag("bool", False, "u"),
    ),
    # cmd/minikube/cmd/config/addons_list.go, enable.go
    ("addons", "list"): _flags(output=Flag("string", "list", "o"), docs=Flag("bool", False, "d")),
    ("addons", "enable"): _flags(
        images=Flag("string", ""),
        registries=Flag("string", ""),
        force=Flag("bool", False),
        refresh=Flag("bool", False),
    ),
    # cmd/minikube/cmd/service.go
    ("service",): _flags(
        namespace=Flag("string", "default", "n"),
        url=Flag("bool", False),
        all=Flag("bool", False),
        https=Flag("bool", False),
        wait=Flag("int", 2),
        interval=Flag("int", 1),
        format=Flag("string", "http://{{.IP}}:{{.Port}}"),
    ),
}
PARENT_COMMANDS = {"profile", "addons"}


class UsageError(Exception):
    pass


class Ctx:
    def __init__(
        self, argv: list[str], command: tuple, args: list[str], values: dict, changed: set
    ):
        self.argv, self.command, self.args, self.values, self.changed = (
            argv,
            command,
            args,
            values,
            changed,
        )

    def flag(self, name: str):
        return self.values[name]

    @property
    def profile(self) -> str:
        """viper "profile": the flag, else $MINIKUBE_PROFILE (viper AutomaticEnv), else minikube."""
        if "profile" in self.changed:
            return self.values["profile"]
        return os.environ.get("MINIKUBE_PROFILE") or DEFAULT_CLUSTER


def parse_args(argv: list[str]) -> Ctx:
    """Cobra: the command path from the leading words, flags anywhere (pflag syntax)."""
    every = dict(GLOBAL_FLAGS)
    for table in COMMAND_FLAGS.values():
        every.update({k: v for k, v in table.items() if k not in every})
    words = _positional(argv, every)
    command: tuple = ()
    if words and words[0] in PARENT_COMMANDS and len(words) > 1:
        command = (words[0], words[1])
    elif words:
        command = (words[0],)
    if command not in COMMAND_FLAGS:
        raise UsageError(
            f'unknown command "{" ".join(command) or ""}" for "minikube" (not replayed by the '
            "stand-in)"
        )
    table = dict(GLOBAL_FLAGS) | COMMAND_FLAGS[command]
    values = {
        name: (list(spec.default) if isinstance(spec.default, list) else spec.default)
        for name, spec in table.items()
    }
    changed: set = set()
    args: list[str] = []
    shorts = {spec.short: name for name, spec in table.items() if spec.short}
    i = 0
    only_args = False
    while i < len(argv):
        tok = argv[i]
        i += 1
        if only_args or not tok.startswith("-") or tok == "-":
            args.append(tok)
            continue
        if tok == "--":
            only_args = True
            continue
        if tok.startswith("--"):
            name, eq, value = tok[2:].partition("=")
            if name not in table:
                raise UsageError(f"unknown flag: --{name}")
            spec = table[name]
            if spec.kind != "bool" and not eq:
                if i >= len(argv):
                    raise UsageError(f"flag needs an argument: --{name}")
                value = argv[i]
                i += 1
            _set_flag(values, changed, name, spec, value if eq or spec.kind != "bool" else None)
            continue
        letters = tok[1:]
        while letters:
            letter, letters = letters[0], letters[1:]
            if letter not in shorts:
                raise UsageError(f"unknown shorthand flag: '{letter}' in {tok}")
            name = shorts[letter]
            spec = table[name]
            if spec.kind == "bool":
                value = None
                if letters.startswith("="):
                    value, letters = letters[1:], ""
                _set_flag(values, changed, name, spec, value)
                continue
            if letters:
                value, letters = letters.removeprefix("="), ""
            else:
                if i >= len(argv):
                    raise UsageError(f"flag needs an argument: '{letter}' in -{letter}")
                value = argv[i]
                i += 1
            _set_flag(values, changed, name, spec, value)
    # The command words themselves are not arguments.
    rest = list(args)
    for word in command:
        rest.remove(word)
    return Ctx(argv=argv, command=command, args=rest, values=values, changed=changed)


def _positional(argv: list[str], table: dict[str, Flag]) -> list[str]:
    shorts = {spec.short: spec for spec in table.values() if spec.short}
    words = []
    i = 0
    while i < len(argv):
        tok = argv[i]
        i += 1
        if tok == "--":
            words.extend(argv[i:])
            break
        if tok.startswith("--"):
            name, eq, _ = tok[2:].partition("=")
            spec = table.get(name)
            if spec and spec.kind != "bool" and not eq:
                i += 1
            continue
        if tok.startswith("-") and len(tok) > 1:
            spec = shorts.get(tok[1])
            if spec and spec.kind != "bool" and len(tok) == 2:
                i += 1
            continue
        words.append(tok)
    return words


def _set_flag(values: dict, changed: set, name: str, spec: Flag, value: str | None) -> None:
    if spec.kind == "bool":
        parsed = True if value is None else parse_bool(value)
        if parsed is None:
            raise UsageError(
                f'invalid argument "{value}" for "--{name}" flag: strconv.ParseBool: parsing '
                f'"{value}": invalid syntax'
            )
        values[name] = parsed
    elif spec.kind == "int":
        try:
            values[name] = int(value)
        except ValueError:
            raise UsageError(
                f'invalid argument "{value}" for "--{name}" flag: strconv.ParseInt: parsing '
                f'"{value}": invalid syntax'
            ) from None
    elif spec.kind in ("slice", "array"):
        items = [value] if spec.kind == "array" else ([] if value == "" else value.split(","))
        values[name] = (values[name] if name in changed else []) + items
    else:
        values[name] = value
    changed.add(name)


# --- State -------------------------------------------------------------------------------------


def state_path() -> Path:
    return replay.replay_dir() / "minikube.json"


@contextlib.contextmanager
def locked_state():
    """Read-modify-write of minikube.json under an exclusive lock."""
    lock_path = replay.replay_dir() / "minikube.json.lock"
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        path = state_path()
        state = json.loads(path.read_text()) if path.exists() and path.read_text().strip() else {}
        state.setdefault("profiles", {})
        state.setdefault("host", {})
        saved = [json.dumps(state, sort_keys=True)]

        def save() -> None:
            now = json.dumps(state, sort_keys=True)
            if now != saved[0]:
                tmp = path.with_suffix(".json.tmp")
                tmp.write_text(json.dumps(state, indent=2) + "\n")
                tmp.replace(path)
                saved[0] = now

        def release() -> None:
            save()
            holder["released"] = True
            fcntl.flock(lock, fcntl.LOCK_UN)

        holder = {"state": state, "release": release, "released": False}
        try:
            yield holder
        finally:
            if not holder["released"]:
                save()


def host_kind(state: dict) -> str:
    kind = state["host"].get("kind") or "linux"
    if kind not in HOST_KINDS:
        sys.stderr.write(f"minikube stand-in: host.kind {kind!r} is none of {sorted(HOST_KINDS)}\n")
        raise Exit(14)
    return kind


def needs_port_forward(state: dict) -> bool:
    """pkg/minikube/driver/driver.go NeedsPortForward for the docker driver."""
    return host_kind(state) in PORT_FORWARD_KINDS


def goos(state: dict) -> str:
    return {"darwin": "darwin", "windows": "windows"}.get(host_kind(state), "linux")


def host_cpus(state: dict) -> int:
    return int(state["host"].get("cpus") or os.cpu_count() or 2)


def host_memory_mb(state: dict) -> int:
    if state["host"].get("memory_mb"):
        return int(state["host"]["memory_mb"])
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 16384


def host_uid(state: dict) -> int:
    uid = state["host"].get("uid")
    return os.getuid() if uid is None else int(uid)


def mini_path() -> Path:
    """pkg/minikube/localpath/localpath.go MiniPath."""
    env = os.environ.get("MINIKUBE_HOME", "")
    if not env:
        return Path(os.path.expanduser("~")) / ".minikube"
    if os.path.basename(env) == ".minikube":
        return Path(env)
    return Path(env) / ".minikube"


def read_json_file(name: str) -> dict | None:
    path = replay.replay_dir() / name
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def split_url(url: str) -> tuple[str, int | None]:
    """The host and port of scheme://host:port/... (net/url's Hostname() and Port())."""
    m = re.match(r"^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d+))?", url)
    if not m:
        return "", None
    return m.group(1).strip("[]"), int(m.group(2)) if m.group(2) else None


def live_endpoint() -> tuple[str, int]:
    """The control plane's host:port as minikube computes it (driver.ControlPlaneEndpoint)."""
    api = read_json_file("kube-api.json")
    server = api["server"] if api and api.get("server") else DEAD_SERVER
    host, port = split_url(server)
    return host or "127.0.0.1", port or 443


# --- kubeconfig: pkg/minikube/kubeconfig/*.go --------------------------------------------------


def kubeconfig_path() -> Path:
    """kubeconfig.go PathFromEnv: the first non-empty entry of $KUBECONFIG, else ~/.kube/config."""
    for entry in os.environ.get("KUBECONFIG", "").split(os.pathsep):
        if entry:
            return Path(entry)
    return Path(os.path.expanduser("~")) / ".kube" / "config"


class KubeconfigError(Exception):
    pass


def read_kubeconfig(path: Path) -> dict:
    """kubeconfig.go readOrNew: a missing or empty file is an empty config."""
    try:
        data = path.read_text()
    except FileNotFoundError:
        data = ""
    except OSError as e:
        raise KubeconfigError(f"read kubeconfig from {str(path)!r}: {e}") from None
    if not data.strip():
        doc = {}
    else:
        try:
            doc = _yaml().safe_load(data)
        except _yaml().YAMLError as e:
            raise KubeconfigError(f"decode kubeconfig from {str(path)!r}: {e}") from None
        if not isinstance(doc, dict):
            raise KubeconfigError(f"decode kubeconfig from {str(path)!r}: not a kubeconfig")
    return {
        "clusters": {c["name"]: c.get("cluster") or {} for c in doc.get("clusters") or []},
        "contexts": {c["name"]: c.get("context") or {} for c in doc.get("contexts") or []},
        "users": {u["name"]: u.get("user") or {} for u in doc.get("users") or []},
        "current-context": doc.get("current-context") or "",
        "preferences": doc.get("preferences") or {},
        "extensions": doc.get("extensions"),
    }


def write_kubeconfig(path: Path, cfg: dict) -> None:
    """kubeconfig.go writeToFile: client-go v1 encoding (sorted keys and named lists), mode 0600."""
    doc = {
        "apiVersion": "v1",
        # An empty map converts to a nil slice, which client-go writes as null.
        "clusters": [{"cluster": cfg["clusters"][n], "name": n} for n in sorted(cfg["clusters"])]
        or None,
        "contexts": [{"context": cfg["contexts"][n], "name": n} for n in sorted(cfg["contexts"])]
        or None,
        "current-context": cfg["current-context"],
        "kind": "Config",
        "preferences": cfg["preferences"],
        "users": [{"name": n, "user": cfg["users"][n]} for n in sorted(cfg["users"])] or None,
    }
    if cfg.get("extensions"):
        doc["extensions"] = cfg["extensions"]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".minikube-tmp")
    tmp.write_text(_yaml().safe_dump(doc, default_flow_style=False, sort_keys=True))
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def is_config_empty(cfg: dict) -> bool:
    return not (
        cfg["clusters"]
        or cfg["contexts"]
        or cfg["users"]
        or cfg["current-context"]
        or cfg.get("extensions")
    )


def minikube_extension(name: str) -> list:
    """kubeconfig/extension.go NewExtension, as client-go lists a named extension."""
    stamp = time.strftime("%a, %d %b %Y %H:%M:%S %Z")  # time.RFC1123
    return [
        {
            "extension": {
                "last-update": stamp,
                "provider": "minikube.sigs.k8s.io",
                "version": VERSION,
            },
            "name": name,
        }
    ]


def populate_from_settings(cfg: dict, kcs: dict) -> None:
    """kubeconfig/settings.go PopulateFromSettings."""
    name = kcs["name"]
    cluster: dict = {"server": kcs["server"]}
    user: dict = {}
    if kcs.get("embed"):
        import base64

        cluster["certificate-authority-data"] = base64.b64encode(
            Path(kcs["ca"]).read_bytes()
        ).decode()
        user["client-certificate-data"] = base64.b64encode(Path(kcs["cert"]).read_bytes()).decode()
        user["client-key-data"] = base64.b64encode(Path(kcs["key"]).read_bytes()).decode()
    else:
        cluster["certificate-authority"] = kcs["ca"]
        user["client-certificate"] = kcs["cert"]
        user["client-key"] = kcs["key"]
    if kcs.get("ext_cluster"):
        cluster["extensions"] = minikube_extension("cluster_info")
    cfg["clusters"][name] = cluster
    cfg["users"][name] = user
    context: dict = {"cluster": name, "user": name}
    if kcs.get("namespace"):
        context["namespace"] = kcs["namespace"]
    if kcs.get("ext_context"):
        context["extensions"] = minikube_extension("context_info")
    cfg["contexts"][name] = context
    if not kcs.get("keep_context"):
        cfg["current-context"] = name


def kubeconfig_endpoint(name: str) -> tuple[str, int]:
    """kubeconfig.go Endpoint."""
    path = kubeconfig_path()
    cfg = read_kubeconfig(path)
    if name not in cfg["clusters"]:
        raise KubeconfigError(f'"{name}" does not appear in {path}')
    host, port = split_url(cfg["clusters"][name].get("server", ""))
    if port is None:
        raise KubeconfigError('atoi: strconv.Atoi: parsing "": invalid syntax')
    return host, port


def verify_endpoint(name: str, host: str, port: int) -> str | None:
    """kubeconfig.go VerifyEndpoint: the error text, or None when the kubeconfig matches."""
    try:
        got_host, got_port = kubeconfig_endpoint(name)
    except KubeconfigError as e:
        return f"get endpoint: {e}"
    if (got_host, got_port) != (host, port):
        return f"got: {got_host}:{got_port}, want: {host}:{port}"
    return None


def delete_context(name: str) -> None:
    """kubeconfig/context.go DeleteContext."""
    path = kubeconfig_path()
    cfg = read_kubeconfig(path)
    if is_config_empty(cfg):
        return
    for section in ("clusters", "users", "contexts"):
        cfg[section].pop(name, None)
    if cfg["current-context"] == name:
        cfg["current-context"] = ""
    write_kubeconfig(path, cfg)


def apply_stale_knobs(state: dict) -> None:
    """The kubeconfig_stale knob: point the profile's cluster server at a port nothing serves."""
    for name, prof in state["profiles"].items():
        knob = prof.get("kubeconfig_stale")
        if not knob:
            continue
        path = kubeconfig_path()
        cfg = read_kubeconfig(path)
        if name in cfg["clusters"]:
            if isinstance(knob, str):
                stale = knob
            else:
                host, port = live_endpoint()
                stale = f"https://{host}:{2 if port == 1 else 1}"
            cfg["clusters"][name]["server"] = stale
            write_kubeconfig(path, cfg)
        prof["kubeconfig_stale"] = False


# --- Certificates the kubeconfig names ---------------------------------------------------------


def _pem_or_file(value: str) -> bytes:
    if value.lstrip().startswith("-----BEGIN"):
        return value.encode()
    return Path(value).read_bytes()


def _throwaway_cert() -> tuple[bytes, bytes]:
    """A self-signed certificate and key for a profile whose cluster does not exist."""
    import subprocess

    tmp = replay.replay_dir() / "minikube-throwaway"
    tmp.mkdir(exist_ok=True)
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", str(tmp / "key"), "-out", str(tmp / "crt"), "-days", "1",
             "-subj", "/CN=minikubeCA"],
            check=True, capture_output=True, timeout=30,
        )  # fmt: skip
        return (tmp / "crt").read_bytes(), (tmp / "key").read_bytes()
    try:  # no openssl on PATH: the cryptography package, when this Python has it
        import datetime

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        return b"", b""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "minikubeCA")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def install_certs(name: str) -> tuple[str, str, str]:
    """localpath.go CACert/ClientCert/ClientKey, filled from kube-api.json (or a throwaway pair)."""
    ca = mini_path() / "ca.crt"
    cert = mini_path() / "profiles" / name / "client.crt"
    key = mini_path() / "profiles" / name / "client.key"
    cert.parent.mkdir(parents=True, exist_ok=True)
    api = read_json_file("kube-api.json")
    if api:
        contents = {
            ca: _pem_or_file(api["ca"]),
            cert: _pem_or_file(api["client_cert"]),
            key: _pem_or_file(api["client_key"]),
        }
    elif not (ca.exists() and cert.exists() and key.exists()):
        crt, k = _throwaway_cert()
        contents = {ca: crt, cert: crt, key: k}
    else:
        contents = {}
    for path, data in contents.items():
        path.write_bytes(data)
        os.chmod(path, 0o600 if path.name.endswith(".key") else 0o644)
    return str(ca), str(cert), str(key)


# --- The cluster model: pkg/minikube/cluster/status.go ----------------------------------------

# cluster/status.go codeNames
CODE_NAMES = {
    100: "Starting",
    101: "Pausing",
    102: "Unpausing",
    110: "Stopping",
    103: "Deleting",
    200: "OK",
    201: "HAppy",
    203: "Warning",
    204: "Degraded",
    404: "NotFound",
    405: "Stopped",
    418: "Paused",
    500: "Error",
    507: "InsufficientStorage",
    520: "Unknown",
}


def status_code(name: str) -> int:
    """cluster/status.go statusCode."""
    if name in ("Running", "Configured"):
        return 200
    if name == "Misconfigured":
        return 500
    for code, cname in CODE_NAMES.items():
        if cname == name:
            return code
    return 520


def node_status(name: str, prof: dict) -> dict:
    """cluster/status.go NodeStatus for the single control-plane node of a docker-driver profile."""
    st = {
        "Name": name,
        "Host": "Nonexistent",
        "Kubelet": "Nonexistent",
        "APIServer": "Nonexistent",
        "Kubeconfig": "Nonexistent",
        "Worker": False,
    }
    state = prof["state"]
    if state == "Nonexistent":
        return st
    host = "Running" if state in ("Running", "Paused") else "Stopped"
    st["Host"] = host
    if host != "Running":
        st["APIServer"] = st["Kubelet"] = st["Kubeconfig"] = host
        return st
    st["Kubeconfig"] = "Configured"
    # pause disables the kubelet (cluster/pause.go); kverify.ServiceStatus then says Stopped.
    st["Kubelet"] = "Stopped" if state == "Paused" else "Running"
    if os.environ.get("MINIKUBE_ACTIVE_DOCKERD"):
        st["DockerEnv"] = "in-use"
    if os.environ.get("MINIKUBE_ACTIVE_PODMAN"):
        st["PodManEnv"] = "in-use"
    host_name, port = live_endpoint()
    problem = verify_endpoint(name, host_name, port)
    if problem:
        klog_error("status.go:457", f"kubeconfig endpoint: {problem}")
        st["Kubeconfig"] = "Misconfigured"
    # kverify.APIServerStatus: the frozen apiserver of a paused node reads Paused.
    st["APIServer"] = "Paused" if state == "Paused" else "Running"
    return st


def get_status(name: str, prof: dict) -> tuple[list[dict] | None, str | None]:
    """cluster/status.go GetStatus: no statuses and an error when the host does not exist."""
    st = node_status(name, prof)
    if st["Host"] == "Nonexistent":
        err = f'the "{name}" host does not exist'
        klog_error("status.go:183", err)
        return None, err
    return [st], None


def status_json(st: dict) -> str:
    """json.Marshal(cluster.Status): TimeToStop, DockerEnv and PodManEnv are omitempty."""
    order = [
        "Name",
        "Host",
        "Kubelet",
        "APIServer",
        "Kubeconfig",
        "Worker",
        "TimeToStop",
        "DockerEnv",
        "PodManEnv",
    ]
    return gojson({k: st[k] for k in order if k in st})


def status_exit_code(statuses: list[dict] | None) -> int:
    """cmd/minikube/cmd/status.go exitCode."""
    if not statuses:
        return 1 | 2 | 4
    code = 0
    for st in statuses:
        if st["Host"] != "Running":
            code |= 1
        if (st["APIServer"] not in ("Running", "Irrelevant")) or st["Kubelet"] != "Running":
            code |= 2
        if st["Kubeconfig"] not in ("Configured", "Irrelevant"):
            code |= 4
    return code


def profile_status_name(name: str, prof: dict) -> str:
    """profile_list.go profileStatus -> cluster.GetState(...).StatusName."""
    statuses, err = get_status(name, prof)
    if err:
        klog_error("profile_list.go:125", f"error getting statuses: {err}")
        return ""
    code = status_code(statuses[0]["APIServer"])
    last = prof.get("last_error")
    # A start that failed less than 10 minutes ago left its exit code in events.json.
    if last and time.time() - last.get("time", 0) < 600:
        code = {26: 507}.get(last["exitcode"], last["exitcode"])
    return CODE_NAMES.get(code, "")


def machine_status_or_exit(name: str, prof: dict | None) -> None:
    """mustload.go Partial + running: exits as minikube does for a missing or stopped profile."""
    if prof is None:
        OUT.styled(
            "Shrug",
            f'Profile "{name}" not found. Run "minikube profile list" to view all profiles.',
        )
        exit_tip("start", name, EX_GUEST_NOT_FOUND)
    if prof["state"] == "Nonexistent":
        OUT.styled("Shrug", f"The control-plane node {name} host does not exist")
        exit_tip("start", name, EX_GUEST_NOT_FOUND)
    if prof["state"] == "Stopped":
        OUT.styled("Shrug", f"The control-plane node {name} host is not running: state=Stopped")
        exit_tip("start", name, EX_GUEST_NOT_RUNNING)


def partial(state: dict, name: str) -> dict:
    """mustload.go Partial."""
    prof = state["profiles"].get(name)
    if prof is None:
        machine_status_or_exit(name, None)
    return prof


def example_cmd(name: str, action: str) -> str:
    """mustload.go ExampleCmd."""
    if name != DEFAULT_CLUSTER:
        return f"minikube {action} -p {name}"
    return f"minikube {action}"


def exit_tip(action: str, name: str, code: int) -> None:
    """mustload.go exitTip."""
    OUT.styled("Workaround", f'To start a cluster, run: "{example_cmd(name, action)}"')
    exit_code(code)


def cni_name(cfg: dict) -> str:
    """pkg/minikube/cni/cni.go New/chooseDefault -> Manager.String()."""
    kc = cfg["KubernetesConfig"]
    if kc["NetworkPlugin"] not in ("", "cni"):
        return "Disabled"
    cni = kc["CNI"]
    named = {
        "false": "Disabled",
        "kindnet": "CNI",
        "true": "CNI",
        "bridge": "bridge CNI",
        "calico": "Calico",
        "cilium": "Cilium",
        "flannel": "Flannel",
    }
    if cni in named:
        return named[cni]
    if cni not in ("", "auto"):
        return cni  # a custom manifest path
    if kc.get("EnableDefaultCNI"):
        return "bridge CNI"
    if len(cfg["Nodes"]) > 1 or cfg["MultiNodeRequested"]:
        return "CNI"
    if kc["ContainerRuntime"] != "docker":
        return "CNI"  # kindnet with the docker driver
    return "bridge CNI"  # docker runtime on Kubernetes v1.24+


def kube_system_containers(cfg: dict) -> int:
    """Running containers `pause` finds in kube-system: a sandbox and a container per pod."""
    pods = 6  # etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy, coredns
    pods += CNI_KUBE_SYSTEM_PODS.get(cni_name(cfg), 0)
    for addon, count in ADDON_KUBE_SYSTEM_PODS.items():
        if (cfg.get("Addons") or {}).get(addon):
            pods += count
    return 2 * pods


# --- Commands ----------------------------------------------------------------------------------


def cmd_version(ctx: Ctx, state: dict) -> None:
    """cmd/minikube/cmd/version.go."""
    output = ctx.flag("output")
    data = {"commit": COMMIT, "minikubeVersion": VERSION}
    if output == "":
        if not ctx.flag("short"):
            OUT.ln(f"minikube version: {VERSION}")
            OUT.ln(f"commit: {COMMIT}")
        else:
            OUT.ln(VERSION)
    elif output == "json":
        OUT.ln(gojson(data))
    elif output == "yaml":
        OUT.ln(_yaml().safe_dump(data, default_flow_style=False, sort_keys=True))
    else:
        exit_message(OUTPUT_USAGE, "error: --output must be 'yaml' or 'json'")


STATUS_FORMAT_DEFAULT = "default"


def cmd_status(ctx: Ctx, state: dict) -> None:
    """cmd/minikube/cmd/status.go."""
    output = ctx.flag("output").lower()
    if output != "text" and "format" in ctx.changed:
        exit_message(USAGE, "Cannot use both --output and --format options")
    for unsupported in ("format", "layout", "node", "watch"):
        if unsupported in ctx.changed:
            raise UsageError(f"--{unsupported} is not replayed by the stand-in")
    OUT.json = output == "json"
    name = ctx.profile
    prof = partial(state, name)
    statuses, err = get_status(name, prof)
    if err:
        klog_error("status.go:127", f"status error: {err}")
    if output == "text":
        for st in statuses or []:
            text = (
                f"{st['Name']}\ntype: Control Plane\nhost: {st['Host']}\nkubelet: {st['Kubelet']}\n"
                f"apiserver: {st['APIServer']}\nkubeconfig: {st['Kubeconfig']}"
            )
            if st.get("DockerEnv"):
                text += f"\ndocker-env: {st['DockerEnv']}"
            if st.get("PodManEnv"):
                text += f"\npodman-env: {st['PodManEnv']}"
            sys.stdout.write(text + "\n\n")
            if st["Kubeconfig"] == "Misconfigured":
                sys.stdout.write(
                    "\nWARNING: Your kubectl is pointing to stale minikube-vm.\n"
                    "To fix the kubectl context, run `minikube update-context`\n"
                )
    elif output == "json":
        # One node: the Status object itself; none: json.Marshal of a nil slice. No newline.
        sys.stdout.write(status_json(statuses[0]) if statuses and len(statuses) == 1 else "null")
    else:
        exit_message(USAGE, f"invalid output format: {output}. Valid values: 'text', 'json'")
    raise Exit(status_exit_code(statuses))


def profile_entry(
    name: str, prof: dict, active_profile: str, current_context: str, valid: bool
) -> dict:
    """config.Profile as json.Marshal writes it."""
    return {
        "Name": name,
        "Status": profile_status_name(name, prof) if valid else "",
        "Config": prof.get("config"),
        "Active": valid and name == active_profile,
        "ActiveKubeContext": valid and name == current_context,
    }


def cmd_profile_list(ctx: Ctx, state: dict) -> None:
    """cmd/minikube/cmd/config/profile_list.go (JSON output)."""
    output = ctx.flag("output").lower()
    OUT.json = output == "json"
    if output == "table":
        raise UsageError("`profile list` is replayed with --output json only")
    if output != "json":
        exit_message(
            USAGE, f"invalid output format: {ctx.flag('output')}. Valid values: 'table', 'json'"
        )
    valid, invalid = [], []
    # config/profile.go ListProfiles: without $MINIKUBE_HOME/profiles the lists are empty, no error.
    if (mini_path() / "profiles").is_dir() or state["profiles"]:
        try:
            current = read_kubeconfig(kubeconfig_path())["current-context"]
        except KubeconfigError:
            sys.stdout.write(gojson({"error": {}}))
            raise Exit(EX_GUEST_ERROR) from None
        for name in sorted(state["profiles"]):
            prof = state["profiles"][name]
            ok = not prof.get("invalid") and bool((prof.get("config") or {}).get("Driver"))
            entry = profile_entry(name, prof, ctx.profile, current, ok)
            (valid if ok else invalid).append(entry)
    # json.Marshal(map): "invalid" sorts before "valid"; os.Stdout.Write adds no newline.
    sys.stdout.write(gojson({"invalid": invalid, "valid": valid}))


def cmd_stop(ctx: Ctx, state: dict) -> None:
    """cmd/minikube/cmd/stop.go + pkg/minikube/machine/stop.go."""
    OUT.json = ctx.flag("output") == "json"
    OUT.reg.set_step("Stopping")
    if ctx.flag("schedule") != "0s" or ctx.flag("cancel-scheduled"):
        raise UsageError("scheduled stops are not replayed by the stand-in")
    names = (
        [n for n, p in sorted(state["profiles"].items()) if not p.get("invalid")]
        if ctx.flag("all")
        else [ctx.profile]
    )
    stopped = 0
    for name in names:
        stopped = 0
        OUT.reg.set_step("Stopping")
        prof = partial(state, name)
        if prof["state"] == "Nonexistent":
            OUT.styled("Meh", f'"{name}" does not exist, nothing to stop')
        else:
            OUT.step("Stopping", f'Stopping node "{name}"  ...')
            if prof["state"] in ("Running", "Paused"):
                OUT.reg.set_step("PowerOff")
                OUT.step("Shutdown", f'Powering off "{name}" via SSH ...')
            prof["state"] = "Stopped"
            prof.pop("last_error", None)
            stopped += 1
        if not ctx.flag("keep-context-active"):
            delete_context(name)
    OUT.reg.set_step("Done")
    OUT.step("Stopped", f"{stopped} node{'s' if stopped > 1 else ''} stopped.")


def cmd_delete(ctx: Ctx, state: dict) -> None:
    """cmd/minikube/cmd/delete.go + pkg/minikube/delete/delete.go."""
    if ctx.args:
        exit_message(USAGE, "Usage: minikube delete")
    OUT.json = ctx.flag("output") == "json"
    OUT.reg.set_step("Deleting")
    if ctx.flag("all"):
        for name in sorted(state["profiles"]):
            delete_profile(state, name)
        OUT.reg.set_step("Done")
        OUT.step("DeletingHost", "Successfully deleted all profiles")
    else:
        name = ctx.profile
        if name not in state["profiles"]:
            OUT.err_t("Meh", f'"{name}" profile does not exist, trying anyways.')
        delete_profile(state, name)
        OUT.reg.set_step("Done")
    if ctx.flag("purge"):
        _rmtree(mini_path())
        OUT.reg.set_step("Puring home dir")
        OUT.step("Deleted", f"Successfully purged minikube directory located at - [{mini_path()}]")


def delete_profile(state: dict, name: str) -> None:
    """delete.go deleteProfile for the docker driver: the container goes first, then the dirs."""
    prof = state["profiles"].get(name)
    if prof is not None and (prof.get("config") or {}).get("Driver"):
        OUT.styled("DeletingHost", f'Deleting "{name}" in {prof["config"]["Driver"]} ...')
        if prof["state"] != "Nonexistent":
            OUT.step("DeletingHost", f'Deleting container "{name}" ...')
            OUT.styled("DeletingHost", f"Removing {mini_path() / 'machines' / name} ...")
    _rmtree(mini_path() / "profiles" / name)
    state["profiles"].pop(name, None)
    delete_context(name)
    OUT.styled("Deleted", f'Removed all traces of the "{name}" cluster.')


def running_or_exit(ctx: Ctx, state: dict) -> tuple[str, dict]:
    """mustload.go Running."""
    name = ctx.profile
    prof = state["profiles"].get(name)
    machine_status_or_exit(name, prof)
    return name, prof


def cmd_pause(ctx: Ctx, state: dict) -> None:
    """cmd/minikube/cmd/pause.go + pkg/minikube/cluster/pause.go."""
    OUT.json = ctx.flag("output") == "json"
    name, prof = running_or_exit(ctx, state)
    OUT.reg.set_step("Pausing")
    namespaces = None if ctx.flag("all-namespaces") else ctx.flag("namespaces")
    if namespaces is not None and not namespaces:
        exit_message(USAGE, "Use -A to specify all namespaces")
    OUT.step("Pause", f"Pausing node {name} ... ")
    count = 0
    if prof["state"] == "Running" and (namespaces is None or "kube-system" in namespaces):
        count = kube_system_containers(prof["config"])
    prof["state"] = "Paused"
    prof.pop("last_error", None)
    OUT.reg.set_step("Done")
    if namespaces is None:
        OUT.step("Unpause", f"Paused {count} containers")
    else:
        OUT.step("Unpause", f"Paused {count} containers in: {', '.join(namespaces)}")


def cmd_unpause(ctx: Ctx, state: dict) -> None:
    """cmd/minikube/cmd/unpause.go + pkg/minikube/cluster/pause.go."""
    name, prof = running_or_exit(ctx, state)
    OUT.json = ctx.flag("output") == "json"
    OUT.reg.set_step("Unpausing")
    namespaces = None if ctx.flag("all-namespaces") else ctx.flag("namespaces")
    if namespaces is not None and not namespaces:
        exit_message(USAGE, "Use -A to specify all namespaces")
    OUT.step("Pause", f"Unpausing node {name} ... ")
    count = 0
    if prof["state"] == "Paused" and (namespaces is None or "kube-system" in namespaces):
        count = kube_system_containers(prof["config"])
    prof["state"] = "Running"  # unpause starts the kubelet again
    prof.pop("last_error", None)
    OUT.reg.set_step("Done")
    if namespaces is None:
        OUT.step("Pause", f"Unpaused {count} containers")
    else:
        OUT.step("Pause", f"Unpaused {count} containers in: {', '.join(namespaces)}")


def cmd_update_context(ctx: Ctx, state: dict) -> None:
    """cmd/minikube/cmd/update-context.go + kubeconfig.go UpdateEndpoint."""
    name, _ = running_or_exit(ctx, state)
    host, port = live_endpoint()
    path = kubeconfig_path()
    cfg = read_kubeconfig(path)
    address = f"https://{host}:{port}"
    issues = name not in cfg["clusters"] or cfg["clusters"][name].get("server") != address
    issues = issues or name not in cfg["contexts"]
    if issues:
        # populateCerts keeps the certificate paths already there, else minikube's defaults.
        ca = (cfg["clusters"].get(name) or {}).get(
            "certificate-authority", str(mini_path() / "ca.crt")
        )
        user = cfg["users"].get((cfg["contexts"].get(name) or {}).get("user", ""), None)
        cert = (
            user.get("client-certificate")
            if user
            else str(mini_path() / "profiles" / name / "client.crt")
        )
        key = (
            user.get("client-key") if user else str(mini_path() / "profiles" / name / "client.key")
        )
        populate_from_settings(
            cfg,
            {
                "name": name,
                "server": address,
                "ca": ca,
                "cert": cert,
                "key": key,
                "ext_cluster": True,
            },
        )
        write_kubeconfig(path, cfg)
        OUT.step("Celebrate", f'"{name}" context has been updated to point to {host}:{port}')
    else:
        OUT.styled("Meh", f'No changes required for the "{name}" context')
    cfg = read_kubeconfig(path)
    cfg["current-context"] = name
    write_kubeconfig(path, cfg)
    OUT.styled("Kubectl", f'Current context is "{name}"')


def cmd_ip(ctx: Ctx, state: dict) -> None:
    """cmd/minikube/cmd/ip.go."""
    _, prof = running_or_exit(ctx, state)
    OUT.ln(prof["node_ip"])


def published_port(prof: dict, container_port: int) -> int:
    """oci.ForwardedPort: the host port the node container publishes for a container port."""
    for p in prof.get("published_ports", []):
        if p["container_port"] == f"{container_port}/tcp":
            return p["host_port"]
    return 0


SHELLS = {  # pkg/minikube/shell/shell.go shellConfigMap (prefix, suffix, delimiter, usage hint)
    "fish": ("set -gx ", '";\n', ' "', "\n# {0}\n# {1} | source\n"),
    "powershell": (
        "$Env:",
        '"\n',
        ' = "',
        "# {0}\n# & {1} --shell powershell | Invoke-Expression\n",
    ),
    "cmd": (
        "SET ",
        "\n",
        "=",
        "REM {0}\nREM @FOR /f \"tokens=*\" %i IN ('{1} --shell cmd') DO @%i\n",
    ),
    "emacs": (
        '(setenv "',
        '")\n',
        '" "',
        ';; {0}\n;; (with-temp-buffer (shell-command "{1}" (current-buffer)) (eval-buffer))\n',
    ),
    "bash": ("export ", '"\n', '="', "\n# {0}\n# eval $({1})\n"),
    "tcsh": ("setenv ", '";\n', ' "', '\n: "{0}"\n: eval `{1}`\n'),
    "none": ("", "\n", "=", ""),
}


def cmd_docker_env(ctx: Ctx, state: dict) -> None:
    """cmd/minikube/cmd/docker-env.go."""
    shell = ctx.flag("shell") or os.path.basename(os.environ.get("SHELL", "")) or "bash"
    if ctx.flag("unset") or ctx.flag("ssh-host") or ctx.flag("ssh-add"):
        raise UsageError("docker-env --unset/--ssh-host/--ssh-add are not replayed by the stand-in")
    if not sys.stdout.isatty():
        OUT.silent = True
        OUT.exit_shell = True
    name, prof = running_or_exit(ctx, state)
    runtime = prof["config"]["KubernetesConfig"]["ContainerRuntime"]
    if runtime not in ("docker", "containerd"):
        exit_message(
            USAGE, "the docker-env command only supports the docker and containerd runtimes"
        )
    if runtime == "containerd":
        raise UsageError("docker-env with the containerd runtime is not replayed by the stand-in")
    endpoint = read_json_file("docker-endpoint.json")
    if endpoint:
        docker_host, cert_path = endpoint["host"], endpoint["cert_path"]
    else:
        if needs_port_forward(state):
            docker_host = f"tcp://127.0.0.1:{published_port(prof, DOCKER_DAEMON_PORT)}"
        else:
            docker_host = f"tcp://{prof['node_ip']}:{DOCKER_DAEMON_PORT}"
        cert_path = str(mini_path() / "certs")
    host_ip = split_url(docker_host)[0]
    env_vars = {  # dockerEnvVars: SSH_* are empty without an ssh agent
        "DOCKER_TLS_VERIFY": "1",
        "DOCKER_HOST": docker_host,
        "DOCKER_CERT_PATH": cert_path,
        "MINIKUBE_ACTIVE_DOCKERD": name,
        "SSH_AUTH_SOCK": "",
        "SSH_AGENT_PID": "",
    }
    existing = {}
    if not os.environ.get("MINIKUBE_ACTIVE_DOCKERD"):
        for key in ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
            if os.environ.get(key):
                existing["MINIKUBE_EXISTING_" + key] = os.environ[key]
    env_vars.update(existing)
    output = ctx.flag("output")
    if shell == "none" and output:
        if output == "text":
            for k, v in sorted(env_vars.items()):
                sys.stdout.write(f"{k}={v}\n")
        elif output == "json":
            sys.stdout.write(gojson(dict(sorted(env_vars.items()))) + "\n")
        elif output == "yaml":
            sys.stdout.write(_yaml().safe_dump(env_vars, default_flow_style=False, sort_keys=True))
        else:
            exit_message(OUTPUT_USAGE, "error: --output must be 'text', 'yaml' or 'json'")
        return
    prefix, suffix, delim, hint = SHELLS.get(shell, SHELLS["bash"])
    lines = [
        ("DOCKER_TLS_VERIFY", "1"),
        ("DOCKER_HOST", docker_host),
        ("DOCKER_CERT_PATH", cert_path),
    ]
    for key in (
        "MINIKUBE_EXISTING_DOCKER_TLS_VERIFY",
        "MINIKUBE_EXISTING_DOCKER_HOST",
        "MINIKUBE_EXISTING_DOCKER_CERT_PATH",
    ):
        if key in existing:
            lines.append((key, existing[key]))
    lines.append(("MINIKUBE_ACTIVE_DOCKERD", name))
    if ctx.flag("no-proxy"):
        var, value = "no_proxy", os.environ.get("no_proxy", "")
        if not value:
            var, value = "NO_PROXY", os.environ.get("NO_PROXY", "")
        if not value:
            value = host_ip
        elif host_ip not in value:
            value = f"{value},{host_ip}"
        lines.append((var, value))
    text = "".join(f"{prefix}{k}{delim}{v}{suffix}" for k, v in lines)
    text += hint.format(
        "To point your shell to minikube's docker-daemon, run:", f"minikube -p {name} docker-env"
    )
    sys.stdout.write(text)


def cmd_addons_list(ctx: Ctx, state: dict) -> None:
    """cmd/minikube/cmd/config/addons_list.go (JSON output)."""
    if ctx.args:
        exit_message(USAGE, "usage: minikube addons list")
    output = ctx.flag("output").lower()
    name = ctx.profile
    prof = state["profiles"].get(name)
    if output == "list":
        raise UsageError("`addons list` is replayed with --output json only")
    if output != "json":
        exit_message(
            USAGE, f"invalid output format: {ctx.flag('output')}. Valid values: 'list', 'json'"
        )
    cfg = prof["config"] if prof else None
    result = {}
    for addon in sorted(ADDONS):
        if cfg is None:
            result[addon] = {}
            continue
        entry = {
            "Profile": cfg["Name"],
            "Status": "enabled" if (cfg.get("Addons") or {}).get(addon) else "disabled",
        }
        if ctx.flag("docs"):
            entry["Docs"] = ADDONS[addon][3]
            entry["Maintainer"] = ADDONS[addon][1]
        result[addon] = dict(sorted(entry.items()))
    OUT.string(gojson(result))


def addon_using_image_lines(addon: str) -> None:
    """pkg/minikube/assets/addons.go GenerateTemplateData: one "Using image" line per image."""
    for image in ADDON_IMAGES.get(addon, []):
        OUT.infof(f"Using image {image}")


def cmd_addons_enable(ctx: Ctx, state: dict) -> None:
    """cmd/minikube/cmd/config/enable.go + pkg/addons/addons.go."""
    if len(ctx.args) != 1:
        exit_message(USAGE, "usage: minikube addons enable ADDON_NAME")
    name = ctx.profile
    prof = partial(state, name)
    cfg = prof["config"]
    if prof["state"] == "Paused":  # addons.VerifyNotPaused
        msg = "Can't enable addon on a paused cluster, please unpause the cluster first."
        OUT.styled("Shrug", msg)
        exit_error(ADDON_ENABLE_PAUSED, "enabled failed", msg)
    addon = ctx.args[0]
    if addon in ADDONS:
        _, maintainer, verified, _ = ADDONS[addon]
        if maintainer in ("Google", "Kubernetes", "minikube"):
            OUT.styled(
                "Tip",
                f"{addon} is an addon maintained by {maintainer}. For any concerns contact "
                "minikube on GitHub.\n"
                "You can view the list of minikube maintainers at: https://github.com/kubernetes/minikube/blob/master/OWNERS",
            )
        else:
            OUT.styled(
                "Warning",
                f"{addon} is a 3rd party addon and is not maintained or verified by minikube "
                "maintainers, enable at your own risk.",
            )
            if verified:
                OUT.styled(
                    "Tip",
                    f"{addon} is maintained by {maintainer} for any concerns contact {verified} "
                    "on GitHub.",
                )
            else:
                OUT.styled("Warning", f"{addon} does not currently have an associated maintainer.")
    else:
        exit_error(ADDON_ENABLE, "enable failed", f"run callbacks: {addon} is not a valid addon")
    if prof["state"] == "Running":  # enableOrDisableAddon skips a host that is not running
        addon_using_image_lines(addon)
        if addon == "ingress":
            OUT.step("HealthCheck", "Verifying ingress addon...")
    cfg.setdefault("Addons", {})
    cfg["Addons"] = dict(sorted({**(cfg["Addons"] or {}), addon: True}.items()))
    OUT.step("AddonEnable", f"The '{addon}' addon is enabled")


# --- start: cmd/minikube/cmd/start.go, start_flags.go, pkg/minikube/node/*.go ------------------


def platform_name() -> str:
    """start.go platform(): gopsutil's platform and version, title-cased."""
    try:
        info = dict(
            line.split("=", 1)
            for line in Path("/etc/os-release").read_text().splitlines()
            if "=" in line
        )
        ident = info.get("ID", "").strip('"')
        version = info.get("VERSION_ID", "").strip('"')
        if ident == "debian" and Path("/etc/debian_version").exists():
            version = Path("/etc/debian_version").read_text().strip()
        if ident:
            return f"{ident.title()} {version}".strip()
    except OSError:
        pass
    return sys.platform


def kubernetes_version(ctx: Ctx, old: dict | None) -> str:
    """start.go getKubernetesVersion."""
    param = ctx.flag("kubernetes-version")
    if not param and old is not None:
        param = old["KubernetesConfig"]["KubernetesVersion"]
    if not param or param.lower() == "stable":
        param = DEFAULT_K8S
    elif param.lower() in ("latest", "newest"):
        param = NEWEST_K8S
    bare = param.lower().removeprefix("v")
    if re.fullmatch(r"(0|[1-9]\d*)\.(0|[1-9]\d*)", bare):
        if bare not in LATEST_PATCH:
            exit_message(
                PATCH_NOT_FOUND,
                "Unable to detect the latest patch release for specified major.minor version "
                f"v{bare}",
            )
        bare = LATEST_PATCH[bare]
    try:
        version = Semver.parse(bare)
    except ValueError as e:
        exit_message(USAGE, f'Unable to parse "{param}": {e}')
    return "v" + str(version)


def validate_kubernetes_version(ctx: Ctx, old: dict | None) -> None:
    """start.go validateKubernetesVersion."""
    param = ctx.flag("kubernetes-version").lower().removeprefix("v")
    nvs = Semver.parse(kubernetes_version(ctx, old).removeprefix("v"))
    oldest, default, newest = (
        Semver.parse(v.removeprefix("v")) for v in (OLDEST_K8S, DEFAULT_K8S, NEWEST_K8S)
    )
    if re.fullmatch(r"(0|[1-9]\d*)\.(0|[1-9]\d*)", param) and param in LATEST_PATCH:
        OUT.styled("Workaround", f"Using Kubernetes {nvs} since patch version was unspecified")
    if str(nvs) == "0.0.0":
        return
    force = ctx.flag("force")
    if nvs.major > newest.major:
        OUT.warning_t(
            f"Specified Major version of Kubernetes {nvs.major} is newer than the newest "
            f"supported Major version: {newest.major}"
        )
        if not force:
            OUT.warning_t("You can force an unsupported Kubernetes version via the --force flag")
        exit_if_not_forced(
            ctx, K8S_TOO_NEW, f"Kubernetes {nvs} is not supported by this release of minikube"
        )
    if nvs > newest:
        OUT.warning_t(
            f"Specified Kubernetes version {nvs} is newer than the newest supported version: "
            f"{NEWEST_K8S}. "
            "Use `minikube config defaults kubernetes-version` for details."
        )
        if str(nvs) in NEWER_THAN_NEWEST_LISTED:
            OUT.styled("Check", f"Kubernetes version {nvs} found in version list")
        else:
            OUT.warning_t(
                f"Specified Kubernetes version {nvs} not found in Kubernetes version list"
            )
            OUT.styled("Verifying", "Searching the internet for Kubernetes version...")
            # The stand-in reaches no GitHub: the version counts as not found there.
            if not force:
                OUT.warning_t(
                    "Kubernetes version not found in GitHub version list. You can force a "
                    "Kubernetes version via the --force flag"
                )
                exit_if_not_forced(
                    ctx,
                    K8S_TOO_NEW,
                    f"Kubernetes version {nvs} is not supported by this release of minikube",
                )
    if nvs < oldest:
        OUT.warning_t(
            f"Specified Kubernetes version {nvs} is less than the oldest supported version: "
            f"{OLDEST_K8S}. "
            "Use `minikube config defaults kubernetes-version` for details."
        )
        if not force:
            OUT.warning_t("You can force an unsupported Kubernetes version via the --force flag")
        exit_if_not_forced(
            ctx, K8S_TOO_OLD, f"Kubernetes {nvs} is not supported by this release of minikube"
        )
    if old is None or not old["KubernetesConfig"]["KubernetesVersion"]:
        return
    ovs = Semver.parse(old["KubernetesConfig"]["KubernetesVersion"].removeprefix("v"))
    if nvs < ovs:
        profile_arg = f" -p {old['Name']}" if old["Name"] != DEFAULT_CLUSTER else ""
        exit_message(
            K8S_DOWNGRADE,
            f"Unable to safely downgrade existing Kubernetes v{ovs} cluster to v{nvs}",
            {
                "prefix": "v",
                "new": nvs,
                "old": ovs,
                "profile": profile_arg,
                "suggestedName": old["Name"] + "2",
            },
        )
    if default > nvs:
        OUT.styled(
            "New",
            f"Kubernetes {default} is now available. If you would like to upgrade, specify: "
            f"--kubernetes-version=v{default}",
        )


def container_runtime(ctx: Ctx, old: dict | None) -> str:
    """start.go getContainerRuntime ("cri-o" is stored as "crio": validateRuntime)."""
    rt = ctx.flag("container-runtime")
    if rt == "" and old is not None:
        rt = old["KubernetesConfig"]["ContainerRuntime"]
    if rt == "":
        rt = "docker"
    return "crio" if rt == "cri-o" else rt


def suggest_memory(ctx: Ctx, state: dict) -> int:
    """start.go suggestMemoryAllocation (the docker daemon's limit is the host memory on Linux)."""
    sys_limit = container_limit = host_memory_mb(state)
    fallback, maximum = 3072, 6144
    if fallback > sys_limit:
        return sys_limit
    if fallback > container_limit:
        return container_limit
    maximum = min(maximum, container_limit - 48)
    suggested = int(sys_limit / 400.0) * 100
    if ctx.flag("nodes") > 1:
        suggested //= ctx.flag("nodes")
    return max(min(suggested, maximum), fallback)


def validate_requested_memory(ctx: Ctx, state: dict, req: int) -> None:
    """start.go validateRequestedMemorySize (docker driver, Docker Engine)."""
    sys_limit = host_memory_mb(state)
    if sys_limit < 1800:
        exit_if_not_forced(
            ctx,
            RSRC_INSUFFICIENT_SYS_MEMORY,
            f"System only has {sys_limit}MiB available, less than the required 1800MiB for "
            "Kubernetes",
        )
    if req == 0:
        return
    if req < 1800:
        exit_if_not_forced(
            ctx,
            RSRC_INSUFFICIENT_REQ_MEMORY,
            f"Requested memory allocation {req}MiB is less than the usable minimum of 1800MB",
        )
    if req < 1900:
        warn_reason(
            RSRC_INSUFFICIENT_REQ_MEMORY,
            f"Requested memory allocation ({req}MB) is less than the recommended minimum 1900MB. "
            "Deployments may fail.",
        )
    advised = suggest_memory(ctx, state)
    if req > sys_limit:
        exit_if_not_forced(
            ctx,
            RSRC_OVER_ALLOC_MEM,
            f"Requested memory allocation {req}MB is more than your system limit {sys_limit}MB.",
            {"advised": advised},
        )
    if req > sys_limit - 1024:
        warn_reason(
            RSRC_OVER_ALLOC_MEM,
            f"The requested memory allocation of {req}MiB does not leave room for system overhead "
            f"(total system memory: {sys_limit}MiB). You may face stability issues.",
            {"advised": advised},
        )


def requested_memory(ctx: Ctx, state: dict) -> int:
    mem = ctx.flag("memory")
    if mem == "no-limit":
        return 0
    if mem == "max":
        return host_memory_mb(state)
    try:
        return size_in_mb(mem)
    except ValueError as e:
        exit_if_not_forced(ctx, USAGE, f"Unable to parse memory '{mem}': {e}")
        return 0


def requested_cpus(ctx: Ctx, state: dict) -> int:
    """start_flags.go getCPUCount."""
    cpus = ctx.flag("cpus")
    if cpus == "no-limit":
        return 0
    if cpus == "max":
        return host_cpus(state)
    try:
        return int(cpus)
    except ValueError:
        return 0


def validate_flags(ctx: Ctx, state: dict) -> None:
    """start.go validateFlags for the docker driver."""
    available = host_cpus(state)
    if available < 2:  # validateCPUCount
        exit_if_not_forced(
            ctx,
            RSRC_INSUFFICIENT_CORES,
            "Docker has less than 2 CPUs available, but Kubernetes requires at least 2 to be "
            "available",
        )
    count = requested_cpus(ctx, state)
    if count != 0:  # --cpus=no-limit (0) skips the remaining checks
        if count < 2:
            exit_if_not_forced(
                ctx,
                RSRC_INSUFFICIENT_CORES,
                f"Requested cpu count {count} is less than the minimum allowed of 2",
            )
        if available < count:
            exit_if_not_forced(
                ctx,
                RSRC_INSUFFICIENT_CORES,
                f"Requested cpu count {count} is greater than the available cpus of {available}",
            )
    if "memory" in ctx.changed:
        validate_requested_memory(ctx, state, requested_memory(ctx, state))
    if "ports" in ctx.changed:
        for spec in ctx.flag("ports"):
            for part in spec.split("/")[0].split(":")[-2:]:
                if not part.isdigit():
                    exit_message(
                        USAGE,
                        f"Sorry, one of the ports provided with --ports flag is not valid: {part}",
                    )
                if not 1 <= int(part) <= 65535:
                    exit_message(
                        USAGE,
                        "Sorry, one of the ports provided with --ports flag is outside range: "
                        f"{part}",
                    )
    if "container-runtime" in ctx.changed:
        rt = ctx.flag("container-runtime")
        if rt not in ("", "docker", "containerd", "cri-o", "crio"):
            exit_message(
                USAGE,
                f"Invalid Container Runtime: {rt}. Valid runtimes are: [docker cri-o containerd]",
            )
        if rt not in ("", "docker") and "cni" in ctx.changed and ctx.flag("cni").lower() == "false":
            exit_message(
                USAGE, f'The "{container_runtime(ctx, None)}" container runtime requires CNI'
            )
    if ctx.flag("output") not in ("text", "json"):
        exit_message(
            USAGE,
            "Sorry, please set the --output flag to one of the following valid options: "
            "[text,json]",
        )


def validate_user(ctx: Ctx, state: dict, exists: bool) -> None:
    """start.go validateUser: the docker driver refuses root unless --force."""
    if host_uid(state) != 0:
        return
    OUT.err_t(
        "Stopped",
        'The "docker" driver should not be used with root privileges. If you wish to continue as '
        "root, use --force.",
    )
    OUT.err_t("Tip", "If you are running minikube within a VM, consider using --driver=none:")
    OUT.err_t("Documentation", "  https://minikube.sigs.k8s.io/docs/reference/drivers/none/")
    if exists:
        OUT.err_t(
            "Tip",
            "Tip: To remove this root owned cluster, run: sudo "
            f"{example_cmd(ctx.profile, 'delete')}",
        )
    if not ctx.flag("force"):
        exit_message(DRV_AS_ROOT, 'The "docker" driver should not be used with root privileges.')


def free_subnet_ip(state: dict, name: str) -> str:
    """oci/network_create.go: 192.168.49.0/24 first, then steps of 9; the node is .2."""
    taken = {p.get("node_ip") for n, p in state["profiles"].items() if n != name}
    for third in range(49, 256, 9):
        ip = f"192.168.{third}.2"
        if ip not in taken:
            return ip
    return "192.168.49.2"


def publish_ports(cfg: dict, old: list | None = None) -> list:
    """kic.go Create: random host ports on 127.0.0.1 for the node's ports, plus `-p` per --ports."""
    ports = []
    for container in (
        cfg["APIServerPort"],
        SSH_PORT,
        DOCKER_DAEMON_PORT,
        REGISTRY_ADDON_PORT,
        AUTO_PAUSE_PROXY_PORT,
    ):
        ports.append(
            {
                "container_port": f"{container}/tcp",
                "host_ip": "127.0.0.1",
                "host_port": 0,
                "fixed": False,
            }
        )
    for spec in cfg.get("ExposedPorts") or []:
        proto = "tcp"
        if "/" in spec:
            spec, proto = spec.split("/", 1)
        parts = spec.split(":")
        host_ip, host_port, container = ALL_INTERFACES, 0, parts[-1]
        if len(parts) == 2:
            host_port = int(parts[0]) if parts[0] else 0
        elif len(parts) == 3:
            host_ip, host_port = parts[0] or ALL_INTERFACES, int(parts[1]) if parts[1] else 0
        ports.append(
            {
                "container_port": f"{container}/{proto}",
                "host_ip": host_ip,
                "host_port": host_port,
                "fixed": bool(host_port),
            }
        )
    return roll_ports(ports)


def roll_ports(ports: list) -> list:
    """Docker picks new random host ports for unfixed mappings each time the container starts."""
    for p in ports:
        if not p["fixed"]:
            p["host_port"] = 32768 + int.from_bytes(os.urandom(4), "big") % (60999 - 32768)
    return ports


def new_cluster_config(ctx: Ctx, state: dict, k8s: str, runtime: str) -> dict:
    """start_flags.go generateNewConfigFromFlags, as config.json stores it (types.go order)."""
    name = ctx.profile
    if "memory" in ctx.changed:
        memory = requested_memory(ctx, state)
        if memory > host_memory_mb(state):
            exit_message(
                USAGE,
                f"Docker has only {host_memory_mb(state)}MB memory but you specified {memory}MB",
            )
    else:
        memory = suggest_memory(ctx, state)
        validate_requested_memory(ctx, state, memory)
    wait = ctx.flag("wait")
    if "wait" in ctx.changed:
        keys = [
            "apiserver",
            "system_pods",
            "default_sa",
            "apps_running",
            "node_ready",
            "kubelet",
            "extra",
        ]
        if wait in (["false"], ["none"]):
            verify = dict.fromkeys(keys, False)
        elif wait in (["true"], ["all"]):
            verify = dict.fromkeys(keys, True)
        else:
            verify = {k: k in wait for k in keys}
    else:
        verify = {"apiserver": True, "system_pods": True}
    cni = ctx.flag("cni")
    if ctx.flag("enable-default-cni") and "cni" not in ctx.changed:
        cni = "bridge"
    cfg = {
        "Name": name,
        "KeepContext": ctx.flag("keep-context"),
        "EmbedCerts": ctx.flag("embed-certs"),
        "MinikubeISO": "",
        "KicBaseImage": ctx.flag("base-image"),
        "Memory": memory,
        "CPUs": requested_cpus(ctx, state),
        "DiskSize": size_in_mb(ctx.flag("disk-size")),
        "Driver": "docker",
        "HyperkitVpnKitSock": "",
        "HyperkitVSockPorts": [],
        "DockerEnv": ctx.flag("docker-env") or None,
        "ContainerVolumeMounts": [ctx.flag("mount-string")] if ctx.flag("mount-string") else None,
        "InsecureRegistry": ctx.flag("insecure-registry") or None,
        "RegistryMirror": ctx.flag("registry-mirror"),
        "HostOnlyCIDR": "192.168.59.1/24",
        "HypervVirtualSwitch": "",
        "HypervUseExternalSwitch": False,
        "HypervExternalAdapter": "",
        "KVMNetwork": "default",
        "KVMQemuURI": "qemu:///system",
        "KVMGPU": False,
        "KVMHidden": False,
        "KVMNUMACount": 1,
        "APIServerPort": ctx.flag("apiserver-port"),
        "DockerOpt": ctx.flag("docker-opt") or None,
        "DisableDriverMounts": ctx.flag("disable-driver-mounts"),
        "NFSShare": [],
        "NFSSharesRoot": "/nfsshares",
        "UUID": "",
        "NoVTXCheck": False,
        "DNSProxy": False,
        "HostDNSResolver": True,
        "HostOnlyNicType": "virtio",
        "NatNicType": "virtio",
        "SSHIPAddress": "",
        "SSHUser": "root",
        "SSHKey": "",
        "SSHPort": 22,
        "KubernetesConfig": {
            "KubernetesVersion": k8s,
            "ClusterName": name,
            "Namespace": ctx.flag("namespace"),
            "APIServerHAVIP": "",
            "APIServerName": ctx.flag("apiserver-name"),
            "APIServerNames": ctx.flag("apiserver-names") or None,
            "APIServerIPs": ctx.flag("apiserver-ips") or None,
            "DNSDomain": ctx.flag("dns-domain"),
            "ContainerRuntime": runtime,
            "CRISocket": ctx.flag("cri-socket"),
            "NetworkPlugin": ctx.flag("network-plugin"),
            "FeatureGates": ctx.flag("feature-gates"),
            "ServiceCIDR": ctx.flag("service-cluster-ip-range"),
            "ImageRepository": ctx.flag("image-repository"),
            "LoadBalancerStartIP": "",
            "LoadBalancerEndIP": "",
            "CustomIngressCert": "",
            "RegistryAliases": "",
            "ExtraOptions": extra_options(ctx),
            "ShouldLoadCachedImages": ctx.flag("cache-images"),
            "EnableDefaultCNI": False,
            "CNI": cni,
        },
        "Nodes": [],
        "Addons": None,
        "CustomAddonImages": None,
        "CustomAddonRegistries": None,
        "VerifyComponents": dict(sorted(verify.items())),
        "StartHostTimeout": parse_duration(ctx.flag("wait-timeout")),
        "ScheduledStop": None,
        "ExposedPorts": ctx.flag("ports"),
        "ListenAddress": ctx.flag("listen-address"),
        "Network": ctx.flag("network"),
        "Subnet": ctx.flag("subnet"),
        "MultiNodeRequested": ctx.flag("nodes") > 1 or ctx.flag("ha"),
        "ExtraDisks": ctx.flag("extra-disks"),
        "CertExpiration": parse_duration(ctx.flag("cert-expiration")),
        "MountString": ctx.flag("mount-string"),
        "Mount9PVersion": "9p2000.L",
        "MountGID": "docker",
        "MountIP": "",
        "MountMSize": 262144,
        "MountOptions": [],
        "MountPort": 0,
        "MountType": "9p",
        "MountUID": "docker",
        "BinaryMirror": ctx.flag("binary-mirror"),
        "DisableOptimizations": ctx.flag("disable-optimizations"),
        "DisableMetrics": ctx.flag("disable-metrics"),
        "DisableCoreDNSLog": ctx.flag("disable-coredns-log"),
        "CustomQemuFirmwarePath": "",
        "SocketVMnetClientPath": "",
        "SocketVMnetPath": "",
        "StaticIP": ctx.flag("static-ip"),
        "SSHAuthSock": "",
        "SSHAgentPID": 0,
        "GPUs": ctx.flag("gpus"),
        "AutoPauseInterval": parse_duration(ctx.flag("auto-pause-interval")),
        "Rosetta": False,
    }
    # generateClusterConfig: a CNI that is not disabled sets NetworkPlugin=cni.
    if cni_name(cfg) != "Disabled":
        cfg["KubernetesConfig"]["NetworkPlugin"] = "cni"
    kind = host_kind(state)
    if kind == "rootless":
        OUT.styled("Notice", "Using rootless Docker driver")
        cfg["KubernetesConfig"]["FeatureGates"] = ",".join(
            [g for g in cfg["KubernetesConfig"]["FeatureGates"].split(",") if g]
            + ["KubeletInUserNamespace=true"]
        )
    else:
        full = (
            "Docker Desktop" if kind in ("darwin", "windows", "docker-desktop-linux") else "Docker"
        )
        OUT.styled("Notice", f"Using {full} driver with root privileges")
    if kind == "docker-desktop-linux":
        OUT.warning_t(
            "For an improved experience it's recommended to use Docker Engine instead of Docker "
            "Desktop.\n"
            "Docker Engine installation instructions: https://docs.docker.com/engine/install/#server"
        )
    return cfg


def extra_options(ctx: Ctx) -> list | None:
    """config.ExtraOptionSlice from --extra-config component.key=value."""
    opts = []
    for item in ctx.flag("extra-config"):
        key, _, value = item.partition("=")
        component, _, k = key.partition(".")
        opts.append({"Component": component, "Key": k, "Value": value})
    return opts or None


def update_existing_config(ctx: Ctx, state: dict, existing: dict, k8s: str) -> dict:
    """start_flags.go updateExistingConfigFromFlags: CPUs, memory, disk and nodes stay as is."""
    validate_flags(ctx, state)
    cc = json.loads(json.dumps(existing))
    if "nodes" in ctx.changed:
        OUT.warning_t(
            "You cannot change the number of nodes for an existing minikube cluster. "
            "Please use 'minikube node add' to add nodes to an existing cluster."
        )
    if "apiserver-port" in ctx.changed:
        cc["APIServerPort"] = ctx.flag("apiserver-port")
    if "memory" in ctx.changed and requested_memory(ctx, state) != cc["Memory"]:
        OUT.warning_t(
            "You cannot change the memory size for an existing minikube cluster. Please first "
            "delete the cluster."
        )
    if "cpus" in ctx.changed and requested_cpus(ctx, state) != cc["CPUs"]:
        OUT.warning_t(
            "You cannot change the CPUs for an existing minikube cluster. Please first delete the "
            "cluster."
        )
    validate_requested_memory(ctx, state, cc["Memory"])
    if "disk-size" in ctx.changed and size_in_mb(ctx.flag("disk-size")) != cc["DiskSize"]:
        OUT.warning_t(
            "You cannot change the disk size for an existing minikube cluster. Please first "
            "delete the cluster."
        )
    if "static-ip" in ctx.changed and ctx.flag("static-ip") != cc["StaticIP"]:
        OUT.warning_t(
            "You cannot change the static IP of an existing minikube cluster. Please first delete "
            "the cluster."
        )
    simple = {
        "keep-context": "KeepContext",
        "embed-certs": "EmbedCerts",
        "base-image": "KicBaseImage",
        "network": "Network",
        "wait-timeout": "StartHostTimeout",
        "ports": "ExposedPorts",
        "cert-expiration": "CertExpiration",
        "mount-string": "MountString",
        "binary-mirror": "BinaryMirror",
        "disable-optimizations": "DisableOptimizations",
        "auto-pause-interval": "AutoPauseInterval",
    }
    for flag, key in simple.items():
        if flag in ctx.changed:
            value = ctx.flag(flag)
            cc[key] = (
                parse_duration(value)
                if key in ("StartHostTimeout", "CertExpiration", "AutoPauseInterval")
                else value
            )
    kc = cc["KubernetesConfig"]
    for flag, key in {
        "namespace": "Namespace",
        "apiserver-name": "APIServerName",
        "dns-domain": "DNSDomain",
        "feature-gates": "FeatureGates",
        "cri-socket": "CRISocket",
        "network-plugin": "NetworkPlugin",
        "service-cluster-ip-range": "ServiceCIDR",
        "cache-images": "ShouldLoadCachedImages",
    }.items():
        if flag in ctx.changed:
            kc[key] = ctx.flag(flag)
    if "kubernetes-version" in ctx.changed:
        kc["KubernetesVersion"] = k8s
    if "container-runtime" in ctx.changed:
        kc["ContainerRuntime"] = container_runtime(ctx, existing)
    if "extra-config" in ctx.changed:
        kc["ExtraOptions"] = extra_options(ctx)
    if "cni" in ctx.changed or "enable-default-cni" in ctx.changed:
        kc["CNI"] = ctx.flag("cni") or ("bridge" if ctx.flag("enable-default-cni") else "")
    return cc


def kubectl_skew_check(k8s: str) -> None:
    """start.go showKubectlInfo: kubectl on PATH, and its minor version against the cluster's."""
    import subprocess

    path = _which("kubectl")
    if not path:
        OUT.styled(
            "Tip", "kubectl not found. If you need it, try: 'minikube kubectl -- get pods -A'"
        )
        return
    try:
        proc = subprocess.run(
            [path, "version", "--client", "--output=json"],
            capture_output=True,
            text=True,
            timeout=20,
        )
        git_version = json.loads(proc.stdout)["clientVersion"]["gitVersion"]
        client = Semver.parse(git_version.removeprefix("v"))
    except (OSError, subprocess.SubprocessError, ValueError, KeyError):
        return
    cluster = Semver.parse(k8s.removeprefix("v"))
    if client.major != cluster.major or abs(client.minor - cluster.minor) > 1:
        OUT.ln("")
        OUT.warning_t(
            f"{path} is version {client}, which may have incompatibilities with Kubernetes "
            f"{cluster}."
        )
        OUT.infof(f"Want kubectl {k8s}? Try 'minikube kubectl -- get pods -A'")


def fail_start_if_told(state: dict, name: str, created: bool) -> None:
    """The fail_next_start knob: start exits as minikube's exit.Error does (node provisioning)."""
    knob = state.pop("fail_next_start", None)
    if not knob:
        return
    kind = Kind(
        knob.get("reason", "GUEST_PROVISION"),
        int(knob.get("exitcode", EX_GUEST_ERROR)),
        advice=knob.get("advice", ""),
        new_issue_link=bool(knob.get("issue_link", True)),
    )
    message = knob.get(
        "message",
        "error provisioning guest: Failed to start host: the stand-in was told to fail this start",
    )
    prof = state["profiles"].get(name)
    if prof is not None:
        after = knob.get("state_after")
        if after:
            prof["state"] = after
        elif created:
            prof["state"] = "Nonexistent"
        prof["last_error"] = {"exitcode": kind.exitcode, "time": time.time()}
    exit_message(kind._replace(advice=kind.advice.replace("{", "{{").replace("}", "}}")), message)


def cmd_start(ctx: Ctx, state: dict) -> None:
    """cmd/minikube/cmd/start.go runStart with the docker driver."""
    name = ctx.profile
    OUT.json = ctx.flag("output") == "json"
    for unsupported in ("no-kubernetes", "ha", "download-only"):
        if ctx.flag(unsupported):
            raise UsageError(f"--{unsupported} is not replayed by the stand-in")
    if ctx.flag("nodes") > 1:
        raise UsageError("multi-node clusters are not replayed by the stand-in")
    # displayVersion
    OUT.reg.set_step("Initial Minikube Setup")
    prefix = f"[{name}] " if name != DEFAULT_CLUSTER else ""
    OUT.step("Happy", f"{prefix}minikube {VERSION} on {platform_name()}")
    # displayEnviron
    for key, value in os.environ.items():
        if key.startswith("MINIKUBE_") or key == "KUBECONFIG":
            OUT.infof(f"{key}={value}")
    if ctx.flag("force"):
        OUT.warning_t(
            "minikube skips various validations when --force is supplied; this may lead to "
            "unexpected behavior"
        )
    if not (PROFILE_NAME.fullmatch(name) and len(name) > 1):  # config.ProfileNameValid
        OUT.warning_t(f"Profile name '{name}' is not valid")
        exit_message(
            USAGE,
            "Only alphanumeric and dashes '-' are permitted. Minimum 2 characters, starting with "
            "alphanumeric.",
        )
    prof = state["profiles"].get(name)
    existing = prof["config"] if prof else None
    # validateSpecifiedDriver
    requested = ctx.flag("driver") or ctx.flag("vm-driver")
    if existing is not None and requested and requested != existing["Driver"]:
        exit_message(
            GUEST_DRV_MISMATCH._replace(
                advice=f"Delete the existing '{name}' cluster using: "
                f"'{example_cmd(name, 'delete')}', or start the "
                f"existing '{name}' cluster using: '{example_cmd(name, 'start')} "
                f"--driver={existing['Driver']}'",
            ),
            f'The existing "{name}" cluster was created using the "{existing["Driver"]}" driver, '
            "which is "
            f'incompatible with requested "{requested}" driver.',
        )
    validate_kubernetes_version(ctx, existing)
    # selectDriver
    OUT.reg.set_step("Selecting Driver")
    if existing is not None:
        OUT.step("Sparkle", "Using the docker driver based on existing profile")
    elif requested:
        if requested != "docker":
            raise UsageError(f"the stand-in replays the docker driver only, not {requested!r}")
        OUT.step("Sparkle", "Using the docker driver based on user configuration")
    else:
        OUT.step("Sparkle", "Automatically selected the docker driver")
    # provisionWithDriver: validateDriver
    if not _which("docker"):
        exit_message(
            PROVIDER_DOCKER_NOT_FOUND,
            "The 'docker' provider was not found: exec: \"docker\": executable file not found in "
            "$PATH",
        )
    validate_flags(ctx, state)
    validate_user(ctx, state, existing is not None)
    k8s = kubernetes_version(ctx, existing)
    runtime = container_runtime(ctx, existing)
    if runtime == "docker" and (existing is None or "container-runtime" in ctx.changed):
        OUT.warning_t(RUNTIME_CHANGE_WARNING)
    if existing is not None:
        cfg = update_existing_config(ctx, state, existing, k8s)
        node = (
            dict(cfg["Nodes"][0])
            if cfg["Nodes"]
            else {"Name": "", "IP": "", "Port": cfg["APIServerPort"]}
        )
    else:
        cfg = new_cluster_config(ctx, state, k8s, runtime)
        node = {"Name": "", "IP": "", "Port": cfg["APIServerPort"]}
    # configureNodes: the node carries the cluster's Kubernetes version and runtime.
    node.update(
        {
            "KubernetesVersion": cfg["KubernetesConfig"]["KubernetesVersion"],
            "ContainerRuntime": cfg["KubernetesConfig"]["ContainerRuntime"],
            "ControlPlane": True,
            "Worker": True,
        }
    )
    node = {
        k: node[k]
        for k in (
            "Name",
            "IP",
            "Port",
            "KubernetesVersion",
            "ContainerRuntime",
            "ControlPlane",
            "Worker",
        )
    }
    cfg["Nodes"] = [node]
    if ctx.flag("dry-run"):
        OUT.step("DryRun", "dry-run validation complete!")
        raise Exit(0)
    # node.Provision: the config is saved before the host starts.
    OUT.reg.set_step("Starting Node")
    OUT.step("ThumbsUp", f'Starting "{name}" primary control-plane node in "{name}" cluster')
    OUT.reg.set_step("Pulling Base Image")
    OUT.step("Pulling", f"Pulling base image {KIC_VERSION} ...")
    created = prof is None
    if prof is None:
        prof = state["profiles"][name] = {
            "state": "Nonexistent",
            "node_ip": free_subnet_ip(state, name),
        }
    prof["config"] = cfg
    prof.pop("last_error", None)
    fail_start_if_told(state, name, created)
    # machine/start.go + fix.go: create, update the running, or restart the stopped container.
    previous = prof["state"]
    if previous != "Nonexistent" and os.environ.get("MINIKUBE_ACTIVE_DOCKERD"):
        OUT.styled(
            "Notice", "Noticed you have an activated docker-env on docker driver in this terminal:"
        )
        OUT.warning_t(
            "Please re-eval your docker-env, To ensure your environment variables have updated "
            "ports:\n\n"
            f"\t'minikube -p {name} docker-env'\n\n\t"
        )
    if previous == "Nonexistent":
        OUT.reg.set_step("Creating Container")
        cpus = cfg["CPUs"] or "no-limit"
        memory = f"{cfg['Memory']}MB" if cfg["Memory"] else "no-limit"
        OUT.step("StartingVM", f"Creating docker container (CPUs={cpus}, Memory={memory}) ...")
        prof["published_ports"] = publish_ports(cfg)
    elif previous in ("Running", "Paused"):
        OUT.reg.set_step("Updating Driver")
        OUT.step("Running", f'Updating the running docker "{name}" container ...')
    else:
        OUT.step("Restarting", f'Restarting existing docker container for "{name}" ...')
        prof["published_ports"] = roll_ports(prof.get("published_ports") or publish_ports(cfg))
    prof["node_ip"] = prof.get("node_ip") or free_subnet_ip(state, name)
    node["IP"] = prof["node_ip"]
    # node.Start: configureRuntimes + showVersionInfo.
    OUT.reg.set_step("Preparing Kubernetes")
    runtime = cfg["KubernetesConfig"]["ContainerRuntime"]
    runtime_style = {"docker": "Docker", "containerd": "Containerd", "crio": "CRIO"}[runtime]
    runtime_name = {"docker": "Docker", "containerd": "containerd", "crio": "CRI-O"}[runtime]
    OUT.step(
        runtime_style,
        f"Preparing Kubernetes {k8s} on {runtime_name} {RUNTIME_VERSIONS[runtime]} ...",
    )
    # bootstrapper/kubeadm/kubeadm.go StartCluster: init on a new node, restart otherwise (a paused
    # control plane is unpaused first). Both apply the CNI.
    fresh = previous == "Nonexistent"
    if fresh:
        for sub_step, text in (
            ("Generating certificates", "Generating certificates and keys ..."),
            ("Booting control plane", "Booting up control plane ..."),
            ("Configuring RBAC rules", "Configuring RBAC rules ..."),
        ):
            OUT.reg.set_step(sub_step)
            OUT.step("SubStep", text)
    cni = cni_name(cfg)
    if cni != "Disabled":
        text = f"Configuring {cni} (Container Networking Interface) ..."
        if fresh:
            OUT.reg.set_step("Configuring CNI")
            OUT.step("CNI", text)
        else:
            OUT.styled("CNI", text)
    # The kubeconfig is written before waiting for the node (startPrimaryControlPlane).
    ca, cert, key = install_certs(name)
    host, port = live_endpoint()
    path = kubeconfig_path()
    try:
        kcfg = read_kubeconfig(path)
    except KubeconfigError as e:
        return exit_message(Kind("HOST_KUBECONFIG_UPDATE", 38), f"Failed kubeconfig update: {e}")
    populate_from_settings(
        kcfg,
        {
            "name": name,
            "server": f"https://{host}:{port}",
            "ca": ca,
            "cert": cert,
            "key": key,
            "namespace": cfg["KubernetesConfig"]["Namespace"],
            "keep_context": cfg["KeepContext"],
            "embed": cfg["EmbedCerts"],
            "ext_cluster": True,
            "ext_context": True,
        },
    )
    write_kubeconfig(path, kcfg)
    OUT.reg.set_step("Verifying Kubernetes")
    OUT.step("HealthCheck", "Verifying Kubernetes components...")
    # pkg/addons/addons.go ToEnable + Enable: defaults, existing settings and --addons.
    enabled = {a: spec[0] for a, spec in ADDONS.items()}
    enabled.update(existing.get("Addons") or {} if existing else {})
    for addon in ctx.flag("addons"):
        if addon in ADDONS:
            enabled[addon] = True
    order = ["storage-provisioner", "default-storageclass"]
    names = [a for a in order if enabled.get(a)] + sorted(
        a for a, on in enabled.items() if on and a not in order
    )
    if ctx.flag("install-addons"):
        for addon in names:
            addon_using_image_lines(addon)
        OUT.reg.set_step("Enabling Addons")
        OUT.step("AddonEnable", f"Enabled addons: {', '.join(names)}")
    else:
        names = []
    cfg["Addons"] = dict(
        sorted(
            {
                **(existing.get("Addons") or {} if existing else {}),
                **dict.fromkeys(names, True),
            }.items()
        )
    )
    prof["state"] = "Running"
    kubectl_skew_check(k8s)
    OUT.reg.set_step("Done")
    if cfg["KeepContext"]:
        OUT.step("Kubectl", f"To connect to this cluster, use:  --context={name}")
    else:
        OUT.step(
            "Ready",
            f'Done! kubectl is now configured to use "{name}" cluster and '
            f'"{cfg["KubernetesConfig"]["Namespace"]}" namespace by default',
        )


# --- service: cmd/minikube/cmd/service.go, pkg/minikube/service/service.go --------------------


class ApiError(Exception):
    pass


def api_get(profile: str, path: str) -> dict:
    """GET against the cluster's API with the credentials `start` wrote (client-go's error text)."""
    import http.client
    import ssl

    host, port = live_endpoint()
    url = f"https://{host}:{port}{path}"
    context = ssl.create_default_context()
    with contextlib.suppress(OSError, ssl.SSLError):
        context.load_verify_locations(cafile=str(mini_path() / "ca.crt"))
        context.load_cert_chain(
            str(mini_path() / "profiles" / profile / "client.crt"),
            str(mini_path() / "profiles" / profile / "client.key"),
        )
    conn = http.client.HTTPSConnection(host, port, context=context, timeout=10)
    try:
        conn.request("GET", path, headers={"Accept": "application/json"})
        resp = conn.getresponse()
        body = resp.read()
    except ConnectionRefusedError:
        raise ApiError(
            f'Get "{url}": dial tcp {host}:{port}: connect: connection refused'
        ) from None
    except (OSError, ssl.SSLError) as e:
        raise ApiError(f'Get "{url}": {e}') from None
    finally:
        conn.close()
    if resp.status == 404:
        raise ApiError("not found")
    if resp.status >= 400:
        raise ApiError(f"the server returned {resp.status}: {body[:200]!r}")
    return json.loads(body)


def list_services(state: dict, profile: str, namespace: str) -> list[dict]:
    """The Services of a namespace: the `services` knob first, else the API."""
    knob = state.get("services") or {}
    found = [
        dict(v, name=k.split("/", 1)[1], namespace=k.split("/", 1)[0])
        for k, v in knob.items()
        if k.startswith(namespace + "/")
    ]
    if knob:
        return found
    items = api_get(profile, f"/api/v1/namespaces/{namespace}/services").get("items") or []
    services = []
    for item in items:
        spec = item.get("spec") or {}
        services.append(
            {
                "name": item["metadata"]["name"],
                "namespace": item["metadata"].get("namespace", namespace),
                "type": spec.get("type", "ClusterIP"),
                "clusterIP": spec.get("clusterIP", ""),
                "ports": spec.get("ports") or [],
                "selector": spec.get("selector") or {},
                "from_api": True,
            }
        )
    return services


def service_has_running_pods(profile: str, svc: dict) -> bool:
    """service.go CheckServicePods: NodePort and LoadBalancer services need a Running pod."""
    if svc.get("type") not in ("NodePort", "LoadBalancer"):
        return True
    if not svc.get("from_api"):
        return svc.get("pods_running", True)
    selector = ",".join(f"{k}={v}" for k, v in sorted(svc.get("selector", {}).items()))
    try:
        import urllib.parse

        query = urllib.parse.quote(selector)
        pods = api_get(profile, f"/api/v1/namespaces/{svc['namespace']}/pods?labelSelector={query}")
    except ApiError:
        return False
    return any((p.get("status") or {}).get("phase") == "Running" for p in pods.get("items") or [])


def cmd_service(ctx: Ctx, state: dict, holder: dict) -> None:
    """cmd/minikube/cmd/service.go (--url; the docker driver's tunnel when NeedsPortForward)."""
    if (not ctx.args and not ctx.flag("all")) or (ctx.args and ctx.flag("all")):
        exit_message(USAGE, "You must specify service name(s) or --all")
    if not ctx.flag("url"):
        raise UsageError("`service` is replayed with --url only (the stand-in opens no browser)")
    name = ctx.profile
    namespace = ctx.flag("namespace")
    prof = state["profiles"].get(name)
    machine_status_or_exit(name, prof)  # mustload.Healthy
    if prof["state"] == "Paused":
        OUT.styled("Shrug", f"The control-plane node {name} apiserver is paused")
        exit_tip("unpause", name, EX_CONTROL_PLANE_NOT_RUNNING)
    try:
        services = list_services(state, name, namespace)
    except ApiError as e:
        OUT.err_t(
            "Fatal",
            "Failed to get service URL - check that minikube is running and that you have "
            "specified the correct "
            f"namespace (-n flag) if required: {e}",
        )
        raise Exit(EX_SVC_UNAVAILABLE) from None
    if ctx.args:
        services = [s for s in services if s["name"] in ctx.args]
    if not services and ctx.flag("all"):
        exit_message(
            SVC_NOT_FOUND,
            f"No services were found in the '{namespace}' namespace.\n"
            "You may select another namespace by using 'minikube service --all -n <namespace>'",
        )
    elif not services:
        svc = ctx.args[0]
        exit_message(
            SVC_NOT_FOUND,
            f"Service '{svc}' was not found in '{namespace}' namespace.\nYou may select another "
            "namespace by using "
            f"'minikube service {svc} -n <namespace>'. Or list out all the services using "
            "'minikube service list'",
        )
    import socket
    import threading

    forward = needs_port_forward(state)
    scheme = "https" if ctx.flag("https") else "http"
    no_node_port = []
    for svc in services:
        urls = [
            f"{scheme}://{prof['node_ip']}:{p['nodePort']}"
            for p in svc.get("ports", [])
            if p.get("nodePort")
        ]
        if not urls:
            OUT.styled("Sad", f"service {namespace}/{svc['name']} has no node port")
            no_node_port.append(f"{svc['namespace']}/{svc['name']}")
        elif not forward:
            OUT.string("\n".join(urls) + "\n")
        if not service_has_running_pods(name, svc):
            exit_error(
                SVC_UNREACHABLE,
                "service not available",
                f"no running pod for service {svc['name']} found",
            )
    if no_node_port:
        OUT.warning_t(
            f'Services [{" ".join(no_node_port)}] have type "ClusterIP" not meant to be exposed, '
            "however for local "
            "development minikube allows you to access this !"
        )
    if not forward:
        return
    # startKicServiceTunnel: an ssh -L per service port on a free local port, printed after 1 s.
    listeners = []
    lines = []
    for svc in services:
        urls = []
        for p in svc.get("ports", []):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", 0))
            sock.listen(16)
            target = (svc.get("forward") or {}).get(str(p.get("port")))
            listeners.append((sock, target))
            urls.append(f"{scheme}://127.0.0.1:{sock.getsockname()[1]}")
        lines.append("\n".join(urls))
    # Release the state lock: the tunnel runs until the user interrupts it.
    holder["release"]()
    for sock, target in listeners:
        threading.Thread(target=_serve_tunnel, args=(sock, target), daemon=True).start()
    time.sleep(1)
    for line in lines:
        OUT.string(line + "\n")
    OUT.warning_t(
        f"Because you are using a Docker driver on {goos(state)}, the terminal needs to be open "
        "to run it."
    )
    sys.stdout.flush()
    sys.stderr.flush()
    interrupted = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: interrupted.set())
    while not interrupted.wait(3600):
        pass


def _serve_tunnel(sock, target: str | None) -> None:
    """The local end of the tunnel: forwards to the service's target when a test gives one."""
    while True:
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        if not target:
            conn.close()
            continue
        import socket
        import threading

        host, _, port = target.rpartition(":")
        try:
            upstream = socket.create_connection((host, int(port)), timeout=10)
        except OSError:
            conn.close()
            continue
        for a, b in ((conn, upstream), (upstream, conn)):
            threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


def _pipe(src, dst) -> None:
    import socket

    with contextlib.suppress(OSError):
        while data := src.recv(65536):
            dst.sendall(data)
    with contextlib.suppress(OSError):
        dst.shutdown(socket.SHUT_WR)


COMMANDS = {
    ("version",): cmd_version,
    ("status",): cmd_status,
    ("profile", "list"): cmd_profile_list,
    ("start",): cmd_start,
    ("stop",): cmd_stop,
    ("delete",): cmd_delete,
    ("pause",): cmd_pause,
    ("unpause",): cmd_unpause,
    ("update-context",): cmd_update_context,
    ("ip",): cmd_ip,
    ("docker-env",): cmd_docker_env,
    ("addons", "list"): cmd_addons_list,
    ("addons", "enable"): cmd_addons_enable,
}


def run(argv: list[str]) -> int:
    try:
        ctx = parse_args(argv)
    except UsageError as e:
        # main.go: cobra prints the error; minikube exits with ExProgramUsage.
        sys.stderr.write(f"Error: {e}\n")
        return 14
    OUT.command = ctx.command[0]
    try:
        with locked_state() as holder:
            state = holder["state"]
            apply_stale_knobs(state)
            try:
                if ctx.command == ("service",):
                    cmd_service(ctx, state, holder)
                else:
                    COMMANDS[ctx.command](ctx, state)
            except UsageError as e:
                sys.stderr.write(f"Error: {e}\n")
                return 14
    except Exit as e:
        return e.code
    return 0


def main() -> None:
    argv = sys.argv[1:]
    recorded = []

    def record(rc: int) -> None:
        if not recorded:
            recorded.append(rc)
            replay.record_call("minikube", argv, rc)

    def on_sigterm(signum, _frame):
        # Go's default for SIGTERM: the process dies by the signal.
        record(-signum)
        sys.stdout.flush()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    signal.signal(signal.SIGTERM, on_sigterm)
    rc = run(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    record(rc)
    sys.exit(rc)


if __name__ == "__main__":
    main()
