#!/usr/bin/python
"""Content hash of a Docker build context, honouring the ignore file like BuildKit does."""

from __future__ import annotations

import hashlib
import json
import os
import stat

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.community.docker.plugins.module_utils._api.utils.build import (
    exclude_paths,
)

DOCUMENTATION = r"""
module: images_context_hash
short_description: Hash a Docker build context (the files sent to the builder)
description:
  - Walks the build context, leaves out what the ignore file excludes (Docker's own pattern
    rules, from community.docker's vendored docker-py code), and hashes each remaining file's
    path, executable bit and content, the Dockerfile and the build arguments.
  - The ignore file is the one BuildKit uses, C(<Dockerfile>.dockerignore) next to the
    Dockerfile when it exists, else C(.dockerignore) at the root of the context. So services
    sharing one context (the Python services build from C(services/) for the shared package)
    each hash exactly the files their own image receives.
  - The result is stable across machines and runs, so it works as an image tag.
options:
  path:
    description: Build context directory.
    type: path
    required: true
  dockerfile:
    description: Dockerfile, relative to O(path) or absolute.
    type: str
    default: Dockerfile
  build_args:
    description: Build arguments passed to the build (part of the hash).
    type: dict
    default: {}
  repository:
    description: Image repository the tag is for (returned in RV(ref)).
    type: str
    required: true
  tag_length:
    description: Number of hex characters of the hash used as the tag.
    type: int
    default: 16
author: todo-app team
"""

RETURN = r"""
hash:
  description: sha256 hex digest of the context.
  type: str
  returned: success
files:
  description: Number of files hashed.
  type: int
  returned: success
ref:
  description: The image reference, C({repository, tag}), the tag being the shortened hash.
  type: dict
  returned: success
build_args:
  description: The build arguments hashed (strings), to pass to the build unchanged.
  type: dict
  returned: success
"""


def ignore_file_for(path: str, dockerfile_path: str) -> str:
    """As BuildKit picks it: <Dockerfile>.dockerignore beside the Dockerfile, else the context's."""
    specific = dockerfile_path + ".dockerignore"
    return specific if os.path.exists(specific) else os.path.join(path, ".dockerignore")


def read_dockerignore(ignore_file: str) -> list[str]:
    """Patterns of an ignore file, as the Docker CLI reads them (comments and blanks dropped)."""
    if not os.path.exists(ignore_file):
        return []
    with open(ignore_file, encoding="utf-8") as handle:
        lines = [line.strip() for line in handle.read().splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def file_digest(full_path: str) -> str:
    if os.path.islink(full_path):
        return "link:" + os.readlink(full_path)
    digest = hashlib.sha256()
    with open(full_path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def context_hash(path: str, dockerfile: str, build_args: dict) -> tuple[str, int]:
    dockerfile_path = dockerfile if os.path.isabs(dockerfile) else os.path.join(path, dockerfile)
    relative_dockerfile = os.path.relpath(dockerfile_path, path)
    patterns = read_dockerignore(ignore_file_for(path, dockerfile_path))
    included = exclude_paths(path, patterns, dockerfile=relative_dockerfile)
    total = hashlib.sha256()
    count = 0
    for relative in sorted(included):
        full = os.path.join(path, relative)
        mode = os.lstat(full).st_mode
        if stat.S_ISDIR(mode):
            continue
        executable = bool(mode & stat.S_IXUSR)
        total.update(f"{relative}\0{int(executable)}\0{file_digest(full)}\n".encode())
        count += 1
    # The Dockerfile counts even when it lives outside the context or is ignored there.
    total.update(b"dockerfile\0" + file_digest(dockerfile_path).encode() + b"\n")
    total.update(b"args\0" + json.dumps(build_args, sort_keys=True).encode())
    return total.hexdigest(), count


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "dockerfile": {"type": "str", "default": "Dockerfile"},
            "build_args": {"type": "dict", "default": {}},
            "repository": {"type": "str", "required": True},
            "tag_length": {"type": "int", "default": 16},
        },
        supports_check_mode=True,
    )
    path = module.params["path"]
    if not os.path.isdir(path):
        module.fail_json(msg=f"build context {path} is not a directory")
    dockerfile = module.params["dockerfile"]
    dockerfile_path = dockerfile if os.path.isabs(dockerfile) else os.path.join(path, dockerfile)
    if not os.path.isfile(dockerfile_path):
        module.fail_json(msg=f"Dockerfile {dockerfile_path} does not exist")
    build_args = {key: str(value) for key, value in module.params["build_args"].items()}
    digest, count = context_hash(path, dockerfile, build_args)
    ref = {"repository": module.params["repository"], "tag": digest[: module.params["tag_length"]]}
    module.exit_json(changed=False, hash=digest, files=count, ref=ref, build_args=build_args)


if __name__ == "__main__":
    main()
