"""The images role's tag function (roles/images/library/images_context_hash.py), without Ansible.

- Which files a tag covers is decided by BuildKit's ignore-file rules: checked against the
  real BuildKit (a `docker buildx build` that exports its context) on tricky ignore files.
- The tag never reads as a number (or any YAML non-string), for Helm's YAML reader included.
- What builds, tests, editors and the OS leave in the real services does not change their tags;
  a source change does.
"""

from __future__ import annotations

import ast
import importlib.util
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import BIN, REPO, docker

LIBRARY = REPO / "roles" / "images" / "library" / "images_context_hash.py"
DOCKER_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")


def load_module():
    spec = importlib.util.spec_from_file_location("images_context_hash", LIBRARY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


hashing = load_module()


# --- the module stands on the standard library -------------------------------------------------


def test_the_module_imports_only_the_standard_library_and_ansible_basic() -> None:
    """A community.docker update (its module_utils are private) cannot change the tags."""
    tree = ast.parse(LIBRARY.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    foreign = {
        name
        for name in imported
        if name.split(".")[0] not in sys.stdlib_module_names
        and name != "ansible.module_utils.basic"
    }
    assert foreign == set()


# --- BuildKit's ignore-file rules, checked against BuildKit ------------------------------------

TREE = [
    "README.md",
    "debug.log",
    "UPPER.LOG",
    "a/b",
    "a/c.txt",
    "app/main.py",
    "app/__pycache__/main.cpython-313.pyc",
    "app/deep/er/cache/x.bin",
    "app/deep/keep.txt",
    "build/out.js",
    "build/sub/out.map",
    "cache/junk.bin",
    "docs/guide.md",
    "docs/internal/notes.md",
    "file1.txt",
    "fileA.txt",
    "a+b (1).txt",
    "star*name",
    "x/y/z/deep.txt",
    "src/.DS_Store",
    "src/index.ts",
    "src/.index.ts.swp",
    "src/index.ts~",
]
LINKS = {"link-to-app": "app", "dangling": "nowhere"}

IGNORE_FILES = {
    "case-sensitive": "*.LOG\n",
    # A directory's per-pattern results carry to its children: BuildKit excludes a/b here,
    # although matching every pattern against a/b and its parents would keep it.
    "parent-results": "*/b\n!a\n",
    "python-service": "*\n!app/\n!src/index.ts\n**/__pycache__\n**/*.py[co]\n**/cache/\n",
    "wildcard-exception": "*\n!**/*.txt\n",
    "comments-and-spaces": (
        "\ufeff# a comment\n  # not a comment, a pattern\n   README.md   \n/docs/internal/\n"
        "! docs/internal/notes.md\n\n"
    ),
    "double-star": "**/cache\nbuild/**\nx/**/deep.txt\n",
    "classes-and-specials": "file[0-9].txt\n?.txt\na+b (1).txt\nstar\\*name\nlink-*\n",
    "editor-leftovers": "**/.DS_Store\n**/.*.sw?\n**/*~\n",
    "everything-but": "**\n!docs\n",
}


def make_tree(root: Path) -> None:
    for relative in TREE:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{relative}\n")
    (root / "empty-dir").mkdir()
    for name, target in LINKS.items():
        (root / name).symlink_to(target)


def buildkit_context(context: Path, ignore: str, work: Path) -> set[str]:
    """Every path BuildKit sends for `context` with this ignore file (COPY . / of it)."""
    work.mkdir(parents=True)
    dockerfile = work / "Dockerfile"
    dockerfile.write_text("FROM scratch\nCOPY . /\n")
    (work / "Dockerfile.dockerignore").write_bytes(ignore.encode())
    out = work / "out"
    docker(
        "buildx",
        "build",
        "--quiet",
        "--file",
        str(dockerfile),
        "--output",
        f"type=local,dest={out}",
        str(context),
    )
    return {
        str(Path(dirpath, name).relative_to(out))
        for dirpath, dirnames, filenames in os.walk(out)
        for name in dirnames + filenames
    }


def hashed_context(context: Path, ignore: str, work: Path) -> set[str]:
    """The paths the module hashes, plus the directories BuildKit sends to hold them."""
    ignore_file = work / "ignore"
    ignore_file.write_bytes(ignore.encode())
    entries = {
        path
        for path, _ in hashing.context_entries(
            str(context), hashing.read_ignore_file(str(ignore_file))
        )
    }
    parents = {
        str(parent) for path in entries for parent in Path(path).parents if str(parent) != "."
    }
    return entries | parents


def test_the_hashed_files_are_the_files_buildkit_sends(tmp_path: Path) -> None:
    context = tmp_path / "context"
    make_tree(context)
    mismatches = {}
    for name, ignore in IGNORE_FILES.items():
        sent = buildkit_context(context, ignore, tmp_path / name)
        hashed = hashed_context(context, ignore, tmp_path / name)
        if sent != hashed:
            mismatches[name] = {
                "only BuildKit": sorted(sent - hashed),
                "only hashed": sorted(hashed - sent),
            }
    assert mismatches == {}
    # The cases do decide something: each ignore file leaves out a different set.
    sets = {
        name: frozenset(hashed_context(context, i, tmp_path / name))
        for name, i in IGNORE_FILES.items()
    }
    assert len(set(sets.values())) == len(sets)


def test_an_ignore_file_is_read_as_buildkit_reads_it(tmp_path: Path) -> None:
    # The cases of moby/patternmatcher's ignorefile_test.go, plus a BOM and indentation.
    ignore = tmp_path / ".dockerignore"
    ignore.write_bytes(
        b"\xef\xbb\xbftest1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n"
        b"! /inverted/abs/path\n  # indented\n  spaced/  \n"
    )
    assert hashing.read_ignore_file(str(ignore)) == [
        "test1",
        "test2",
        "a/file/here",
        "lastfile",
        "!inverted/abs/path",
        "# indented",
        "spaced",
    ]
    assert hashing.read_ignore_file(str(tmp_path / "missing")) == []


REFUSED = ["!", "[abc", "foo\\", "[]", "[a-]"]


@pytest.mark.parametrize("pattern", REFUSED)
def test_a_pattern_buildkit_refuses_is_refused(tmp_path: Path, pattern: str) -> None:
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "Dockerfile").write_text("FROM scratch\nCOPY . /\n")  # COPY: the context is read
    (context / ".dockerignore").write_text(f"ok.txt\n{pattern}\n")
    with pytest.raises(hashing.IgnorePatternError):
        hashing.context_hash(str(context), "Dockerfile", {})
    # buildx 0.13 sometimes ends the session first and reports only "context canceled" for the
    # same refusal (seen on loaded machines): ask again, up to 3 times, for BuildKit's own reason.
    for _ in range(3):
        build = docker(
            "buildx", "build", "--quiet", "--output", "type=cacheonly", str(context), check=False
        )
        if "invalid excludepatterns" in build.stderr or "context canceled" not in build.stderr:
            break
    assert build.returncode != 0
    assert "invalid excludepatterns" in build.stderr, build.stderr


def test_a_refused_pattern_fails_the_module_naming_the_ignore_file(tmp_path: Path) -> None:
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "Dockerfile").write_text("FROM scratch\n")
    (context / ".dockerignore").write_text("ok.txt\n[abc\n")
    (tmp_path / "ansible.cfg").write_text("[defaults]\n")
    run = subprocess.run(
        [
            str(BIN / "ansible"),
            *("localhost", "-c", "local", "-m", "images_context_hash"),
            *("-a", json.dumps({"path": str(context), "repository": "x"})),
            *("-e", f"ansible_python_interpreter={sys.executable}"),
        ],
        cwd=tmp_path,
        env={
            **os.environ,
            "ANSIBLE_CONFIG": str(tmp_path / "ansible.cfg"),
            "ANSIBLE_LIBRARY": str(LIBRARY.parent),
            "ANSIBLE_NOCOLOR": "1",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode != 0
    assert f"{context}/.dockerignore: invalid pattern '[abc'" in run.stdout
    assert "BuildKit would refuse it too" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


# --- tags that stay strings ----------------------------------------------------------------------

# Hex digests whose first 16 characters are all digits: about one in 1,800. With a leading 0
# and an 8 or 9 PyYAML writes them unquoted and Helm reads a number; so does digits-e-digits.
NUMERIC_DIGESTS = [
    "0123456789012345" + "a" * 48,
    "0000000000000009" + "b" * 48,
    "1234567890123456" + "c" * 48,
    "00000000000012e5" + "d" * 48,
    "1e10000000000000" + "e" * 48,
]


@pytest.mark.parametrize("digest", NUMERIC_DIGESTS)
def test_a_tag_is_a_string_to_yaml_whatever_the_digest(digest: str) -> None:
    tag = hashing.tag_for(digest, 16)
    assert tag.endswith(digest[:16])
    assert DOCKER_TAG.fullmatch(tag)
    assert tag[0].isalpha()
    # Unquoted, as PyYAML writes it and as Helm's YAML reader meets it: still this string.
    assert yaml.safe_load(tag) == tag
    assert yaml.safe_load(yaml.dump({"tag": tag})) == {"tag": tag}


def test_content_whose_hash_is_all_digits_gets_a_tag_helm_reads_as_a_string(tmp_path: Path) -> None:
    """Search a build argument value until the context's hash starts with a 0 and 15 digits
    including an 8 or 9 (the kind Helm took for a number), then render the chart with the tag
    written as kubernetes.core.helm writes values (PyYAML's yaml.dump)."""
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "Dockerfile").write_text("FROM scratch\n")
    numeric = re.compile(r"0(?=[0-9]*[89])[0-9]{15}")
    # N=37638 is the first hit for today's hashing; the search finds another if that changes.
    for n in itertools.chain([37638], range(300_000)):
        digest, _ = hashing.context_hash(str(context), "Dockerfile", {"N": str(n)})
        if numeric.fullmatch(digest[:16]):
            break
    else:
        pytest.fail("no all-digit digest in 300,000 tries (expected about one in 19,000)")
    tag = hashing.tag_for(digest, 16)
    assert yaml.safe_load(yaml.dump({"tag": tag})) == {"tag": tag}

    helm = Path(os.environ.get("HELM_BIN") or REPO / ".cache" / "bin" / "helm")
    if not helm.exists():
        pytest.skip(f"helm not at {helm} (scripts/install-helm.sh installs it; make test does)")
    values = tmp_path / "values.yaml"
    images = {"repository": "todo-backend", "tag": tag, "pullPolicy": "IfNotPresent"}
    with values.open("w") as out:
        yaml.dump(
            {"existingSecret": "s", "backend": {"image": images}}, out, default_flow_style=False
        )
    render = subprocess.run(
        [str(helm), "template", "todo-app", str(REPO / "charts" / "todo-app"), "-f", str(values)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert render.returncode == 0, render.stderr
    assert f"image: todo-backend:{tag}" in render.stdout
    assert tag == "ctx-" + digest[:16]


# --- the real services: leftovers do not change a tag, sources do -------------------------------


def real_services(root: Path) -> dict[str, tuple[str, str]]:
    """The role's default images_services, pointed at a copy of services/ (without the
    frontend's installed dependencies and build output): name -> (context, dockerfile)."""
    skip = shutil.ignore_patterns("node_modules", ".next", "test-results")
    shutil.copytree(REPO / "services", root / "services", ignore=skip, symlinks=True)
    defaults = yaml.safe_load((REPO / "roles" / "images" / "defaults" / "main.yml").read_text())
    services = {}
    for name, spec in defaults["images_services"].items():
        context = spec["context"].replace("{{ images_project_dir }}", str(root))
        services[name] = (context, spec.get("dockerfile", "Dockerfile"))
    return services


def tags(services: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {
        name: hashing.tag_for(hashing.context_hash(context, dockerfile, {})[0], 16)
        for name, (context, dockerfile) in services.items()
    }


# What `next build`, the test runners, linters, editors and the OS leave behind, by service dir.
# "{src}" is each directory whose files the image takes.
EDITORS_AND_OS = [
    "{src}/.DS_Store",
    "{src}/Thumbs.db",
    "{src}/.main.swp",
    "{src}/.main.swo",
    "{src}/main~",
    "{src}/.#main",  # emacs lock (a dangling symlink)
]
PYTHON = [
    "{src}/__pycache__/main.cpython-313.pyc",
    "{src}/main.pyo",
    "{src}/.pytest_cache/v/cache/nodeids",
    "{src}/.mypy_cache/3.13/main.meta.json",
    "{src}/.ruff_cache/0.9.0/123",
    "{src}/.hypothesis/examples/x",
    "{src}/.coverage",
]
LEFTOVERS = {
    "frontend": {
        "src": ["services/frontend", "services/frontend/app", "services/frontend/public"],
        "files": [
            "services/frontend/next-env.d.ts",
            "services/frontend/tsconfig.tsbuildinfo",
            "services/frontend/coverage/lcov.info",
            "services/frontend/playwright-report/index.html",
            "services/frontend/blob-report/report.zip",
            "services/frontend/.eslintcache",
            "services/frontend/.idea/workspace.xml",
            "services/frontend/.vscode/settings.json",
            *EDITORS_AND_OS,
        ],
    },
    "backend": {
        "src": ["services/backend/todo_backend", "services/backend/todo_backend/api"],
        "files": [*PYTHON, *EDITORS_AND_OS],
    },
    "ai_agent": {"src": ["services/ai-agent/todo_agent"], "files": [*PYTHON, *EDITORS_AND_OS]},
    "shared": {"src": ["services/python-common/todo_common"], "files": [*PYTHON, *EDITORS_AND_OS]},
}
CASES = [
    (owner, file.replace("{src}", src))
    for owner, spec in LEFTOVERS.items()
    for file in spec["files"]
    for src in (spec["src"] if "{src}" in file else spec["src"][:1])
]


@pytest.fixture(scope="module")
def services_copy(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("project")
    services = real_services(root)
    return root, services, tags(services)


@pytest.mark.parametrize(("owner", "leftover"), CASES, ids=[f"{o}:{f}" for o, f in CASES])
def test_what_builds_editors_and_the_os_leave_behind_does_not_change_a_tag(
    services_copy, owner: str, leftover: str
) -> None:
    root, services, before = services_copy
    path = root / leftover
    created = [p for p in [path, *path.parents] if not p.exists() and root in p.parents]
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if path.name.startswith(".#"):
            path.symlink_to("user@host.1234:1700000000")
        else:
            path.write_bytes(b"left behind\n")
        assert tags(services) == before
    finally:
        for made in created:  # deepest first
            if made.is_symlink() or made.is_file():
                made.unlink()
            elif made.is_dir():
                shutil.rmtree(made)


@pytest.mark.parametrize(
    ("change", "retagged"),
    [
        ("services/frontend/app/page.tsx", {"frontend"}),
        ("services/frontend/app/new-page.tsx", {"frontend"}),
        ("services/backend/todo_backend/models.py", {"backend"}),
        ("services/ai-agent/todo_agent/tools.py", {"ai_agent"}),
        ("services/python-common/todo_common/logs.py", {"backend", "ai_agent"}),
        ("services/backend/requirements.txt", {"backend"}),
    ],
)
def test_a_source_change_changes_the_tags_of_the_images_that_hold_it(
    services_copy, change: str, retagged: set[str]
) -> None:
    root, services, before = services_copy
    path = root / change
    original = path.read_bytes() if path.exists() else None
    try:
        path.write_bytes((original or b"") + b"\n// changed\n")
        after = tags(services)
        assert {name for name in after if after[name] != before[name]} == retagged
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_bytes(original)
    assert tags(services) == before
