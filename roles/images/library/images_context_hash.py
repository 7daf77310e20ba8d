#!/usr/bin/python
"""Content hash of a Docker build context, honouring the ignore file as BuildKit does.

Only the standard library and ansible.module_utils.basic: the ignore-file rules are written
here from BuildKit's own (moby/patternmatcher patternmatcher.go and ignorefile/ignorefile.go,
tonistiigi/fsutil filter.go), so a collection update cannot change which files a tag covers.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import stat
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: images_context_hash
short_description: Hash a Docker build context (the files sent to the builder)
description:
  - Walks the build context, leaves out what the ignore file excludes (BuildKit's pattern
    rules: comments only at the start of a line, C(!) exceptions, C(**), a pattern that matches
    a directory excludes everything under it, matching is case-sensitive), and hashes each
    remaining entry's path, type, executable bit and content, the Dockerfile, the ignore file
    and the build arguments.
  - The ignore file is the one BuildKit uses, C(<Dockerfile>.dockerignore) next to the
    Dockerfile when it exists, else C(.dockerignore) at the root of the context. So services
    sharing one context (the Python services build from C(services/) for the shared package)
    each hash exactly the files their own image receives.
  - The result is stable across machines and runs (only the executable bit of the permissions
    counts, as git keeps only that), so it works as an image tag.
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
    description: Number of hex characters of the hash in the tag (after the C(ctx-) prefix).
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
  description: Number of files (and links) hashed.
  type: int
  returned: success
ref:
  description:
    - The image reference, C({repository, tag}). The tag is C(ctx-) and the shortened hash: it
      starts with a letter, so no YAML or JSON reader takes it for a number.
  type: dict
  returned: success
build_args:
  description: The build arguments hashed (strings), to pass to the build unchanged.
  type: dict
  returned: success
"""

# A letter first: a bare hex prefix is all digits about once in 1,800 tags, and some of those
# (a leading 0 with an 8 or 9, or digits-e-digits) PyYAML writes unquoted while Helm's YAML
# reader takes them for numbers.
TAG_PREFIX = "ctx-"
# fsutil filter.go: a pattern holding one of these cannot be a plain path prefix.
PATTERN_CHARS = "*[]?^\\"
# patternmatcher.go shouldEscape: regexp specials that are plain characters in a pattern.
REGEXP_SPECIALS = ".+()|{}$"


class IgnorePatternError(ValueError):
    """A pattern BuildKit would refuse too."""


def tag_for(digest: str, length: int) -> str:
    """The image tag of a content digest: a fixed letter prefix, then `length` hex characters."""
    return TAG_PREFIX + digest[: max(length, 0)]


def clean(path: str) -> str:
    """Go's filepath.Clean for '/' paths (posixpath.normpath, but '//x' becomes '/x')."""
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def read_ignore_file(ignore_file: str) -> list[str]:
    """Patterns of an ignore file, read as BuildKit reads them (moby/patternmatcher ignorefile).

    A UTF-8 BOM on the first line is dropped; a line is a comment only when '#' is its first
    character; whitespace around a pattern (and after '!') is trimmed; a pattern is cleaned and a
    leading '/' dropped, so '/foo/bar/' means 'foo/bar'.
    """
    if not os.path.exists(ignore_file):
        return []
    with open(ignore_file, "rb") as handle:
        data = handle.read()
    data = data.removeprefix(b"\xef\xbb\xbf")
    patterns = []
    for line in data.decode("utf-8", errors="surrogateescape").splitlines():
        if line.startswith("#"):
            continue
        pattern = line.strip()
        if not pattern:
            continue
        invert = pattern.startswith("!")
        if invert:
            pattern = pattern[1:].strip()
        if pattern:
            pattern = clean(pattern)
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        patterns.append("!" + pattern if invert else pattern)
    return patterns


@dataclass
class Pattern:
    """One pattern, matched as patternmatcher.go's Pattern.match does."""

    text: str
    exclusion: bool
    kind: str  # exact | prefix | suffix | regexp
    regexp: re.Pattern | None

    @classmethod
    def compile(cls, text: str, exclusion: bool) -> Pattern:
        regex = "^"
        kind = "exact"
        i, n = 0, len(text)
        first = True
        while i < n:
            ch = text[i]
            i += 1
            if ch == "*":
                if i < n and text[i] == "*":
                    i += 1
                    if i < n and text[i] == "/":  # '**/' is '**'
                        i += 1
                    if i >= n:  # trailing '**' takes everything
                        if kind == "exact":
                            kind = "prefix"
                        else:
                            regex += ".*"
                            kind = "regexp"
                    else:
                        regex += "(.*/)?"
                        kind = "regexp"
                    if first:
                        kind = "suffix"
                else:
                    regex += "[^/]*"
                    kind = "regexp"
            elif ch == "?":
                regex += "[^/]"
                kind = "regexp"
            elif ch in REGEXP_SPECIALS:
                regex += "\\" + ch
            elif ch == "\\":
                if i < n:
                    regex += "\\" + text[i]
                    i += 1
                    kind = "regexp"
                else:  # refused by check_syntax before
                    regex += "\\\\"
            elif ch in "[]":
                regex += ch
                kind = "regexp"
            else:
                regex += ch
            first = False
        compiled = None
        if kind == "regexp":
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    # \Z, not $: Go's $ matches only at the very end (Python's also before a
                    # final newline); and '.' does not match a newline in either.
                    compiled = re.compile(regex + r"\Z")
            except re.error as exc:
                raise IgnorePatternError(f"invalid pattern {text!r}: {exc}") from None
        return cls(text, exclusion, kind, compiled)

    def match(self, path: str) -> bool:
        if self.kind == "exact":
            return path == self.text
        if self.kind == "prefix":
            return path.startswith(self.text[:-2])
        if self.kind == "suffix":
            suffix = self.text[2:]
            if path.endswith(suffix):
                return True
            return suffix.startswith("/") and path == suffix[1:]
        assert self.regexp is not None
        return self.regexp.match(path) is not None

    def without_trailing_glob(self) -> str:
        return self.text.removesuffix("/**").removesuffix("/*")


def check_syntax(text: str) -> None:
    """The errors Go's filepath.Match reports, which patternmatcher.New turns into a refusal:
    a trailing backslash, an unterminated or empty character class, a range missing an end."""

    def escaped(i: int) -> int:
        """Index after one class character (lo or hi of a range) starting at i."""
        if i >= len(text) or text[i] in "-]":
            raise IgnorePatternError(f"invalid pattern {text!r}: bad character class")
        if text[i] == "\\":
            i += 1
            if i >= len(text):
                raise IgnorePatternError(f"invalid pattern {text!r}: trailing backslash")
        if i + 1 >= len(text):
            raise IgnorePatternError(f"invalid pattern {text!r}: unterminated character class")
        return i + 1

    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 >= len(text):
                raise IgnorePatternError(f"invalid pattern {text!r}: trailing backslash")
            i += 2
        elif ch == "[":
            i += 1
            if i < len(text) and text[i] == "^":
                i += 1
            ranges = 0
            while True:
                if i < len(text) and text[i] == "]" and ranges > 0:
                    i += 1
                    break
                i = escaped(i)
                if text[i] == "-":
                    i = escaped(i + 1)
                ranges += 1
        else:
            i += 1


class Matcher:
    """patternmatcher.New and MatchesUsingParentResults, as fsutil's walk applies them: the last
    matching pattern decides, and a directory's per-pattern results carry to its children."""

    def __init__(self, patterns: list[str]) -> None:
        self.patterns: list[Pattern] = []
        for raw in patterns:
            text = raw.strip()
            if not text:
                continue
            text = clean(text)
            exclusion = text.startswith("!")
            if exclusion:
                if len(text) == 1:
                    raise IgnorePatternError('illegal exclusion pattern: "!"')
                text = text[1:]
            check_syntax(text)
            self.patterns.append(Pattern.compile(text, exclusion))
        self.exclusions = any(p.exclusion for p in self.patterns)
        # fsutil filter.go: with only plain-path exceptions an excluded directory can be
        # skipped unless an exception lies inside it.
        self.only_prefix_exceptions = not any(
            p.exclusion and any(c in p.without_trailing_glob() for c in PATTERN_CHARS)
            for p in self.patterns
        )

    def excluded(self, path: str, parent: list[bool] | None) -> tuple[bool, list[bool]]:
        """Whether `path` is excluded, and the per-pattern results its children inherit.

        `parent` is the parent directory's result (None at the top of the context). Without it
        a pattern is also tried on each ancestor; with it, the ancestors' results are used.
        """
        matched = False
        results = [False] * len(self.patterns)
        ancestors = path.split("/")[:-1]
        for index, pattern in enumerate(self.patterns):
            match = bool(parent) and parent[index]
            if not match:
                if pattern.exclusion != matched:
                    continue
                match = pattern.match(path)
                if not match and not parent:
                    match = any(
                        pattern.match("/".join(ancestors[: i + 1])) for i in range(len(ancestors))
                    )
            results[index] = match
            if match:
                matched = not pattern.exclusion
        return matched, results

    def may_include_below(self, directory: str) -> bool:
        """Whether an excluded directory must still be walked (fsutil's skip optimisation)."""
        if not self.only_prefix_exceptions:
            return True
        if not self.exclusions:
            return False
        prefix = directory + "/"
        return any(
            p.exclusion and (p.without_trailing_glob() + "/").startswith(prefix)
            for p in self.patterns
        )


def context_entries(root: str, patterns: list[str]) -> Iterator[tuple[str, os.stat_result]]:
    """(path relative to root, lstat) of every entry BuildKit sends, directories included.

    Symbolic links are entries of their own and never followed, as fsutil sends them.
    """
    matcher = Matcher(patterns)

    def walk(
        directory: str, relative: str, parent: list[bool] | None
    ) -> Iterator[tuple[str, os.stat_result]]:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
        for entry in entries:
            path = f"{relative}/{entry.name}" if relative else entry.name
            info = entry.stat(follow_symlinks=False)
            is_dir = stat.S_ISDIR(info.st_mode)
            excluded, results = matcher.excluded(path, parent)
            if excluded:
                if is_dir and matcher.may_include_below(path):
                    yield from walk(entry.path, path, results)
                continue
            yield path, info
            if is_dir:
                yield from walk(entry.path, path, results)

    return walk(root, "", None)


def ignore_file_for(path: str, dockerfile_path: str) -> str:
    """As BuildKit picks it: <Dockerfile>.dockerignore beside the Dockerfile, else the context's."""
    specific = dockerfile_path + ".dockerignore"
    return specific if os.path.exists(specific) else os.path.join(path, ".dockerignore")


def file_digest(full_path: str) -> str:
    digest = hashlib.sha256()
    with open(full_path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def context_hash(path: str, dockerfile: str, build_args: dict) -> tuple[str, int]:
    dockerfile_path = dockerfile if os.path.isabs(dockerfile) else os.path.join(path, dockerfile)
    ignore_file = ignore_file_for(path, dockerfile_path)
    patterns = read_ignore_file(ignore_file)
    total = hashlib.sha256()
    count = 0
    for relative, info in context_entries(path, patterns):
        mode = info.st_mode
        full = os.path.join(path, relative)
        if stat.S_ISDIR(mode):
            entry = f"{relative}/\0dir"
        elif stat.S_ISLNK(mode):
            entry = f"{relative}\0link\0{os.readlink(full)}"
            count += 1
        elif stat.S_ISREG(mode):
            entry = f"{relative}\0{int(bool(mode & stat.S_IXUSR))}\0{file_digest(full)}"
            count += 1
        else:  # sockets, FIFOs, devices: their presence, never their (endless) content
            entry = f"{relative}\0special\0{stat.S_IFMT(mode)}"
        total.update(entry.encode("utf-8", errors="surrogateescape") + b"\n")
    # The Dockerfile and the ignore file count even when they are outside the context or
    # excluded from it: they decide what the image is made of.
    total.update(b"dockerfile\0" + file_digest(dockerfile_path).encode() + b"\n")
    ignore_digest = file_digest(ignore_file) if os.path.exists(ignore_file) else "none"
    total.update(b"ignore\0" + ignore_digest.encode() + b"\n")
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
    try:
        digest, count = context_hash(path, dockerfile, build_args)
    except IgnorePatternError as exc:
        ignore_file = ignore_file_for(path, dockerfile_path)
        module.fail_json(msg=f"{ignore_file}: {exc} (BuildKit would refuse it too)")
    tag = tag_for(digest, module.params["tag_length"])
    ref = {"repository": module.params["repository"], "tag": tag}
    module.exit_json(changed=False, hash=digest, files=count, ref=ref, build_args=build_args)


if __name__ == "__main__":
    main()
