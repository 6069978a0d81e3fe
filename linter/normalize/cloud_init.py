"""cloud-init ``#cloud-config`` user-data: logins, plaintext passwords and the patch step.

Used for standalone files and for user-data embedded in KubeVirt volumes.  Facts carry
paths relative to a ``prefix`` (where the parsed tree hangs in the enclosing document);
``collapse`` points every fact at the prefix itself (base64 user-data has no lines).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ..model import Access, Fact, VmSpec, Workload, unset
from ..parsers.yaml_tree import YamlProblem, parse_yaml
from ..source import Path, YMap, YSeq
from .common import Classifier
from .guest import guest_unit, patches, strings_in
from .reader import Reader, is_unresolved

HEADER = "#cloud-config"
LIST_ENTRIES = "@list"  # chpasswd.list block entries, one located item per line
IDENTITY_KEYS = ("hostname", "fqdn")
_HASH_PREFIXES = ("$1$", "$2a$", "$2b$", "$2y$", "$5$", "$6$", "$y$", "$7$", "$gy$")


@dataclass(frozen=True, slots=True)
class CloudConfig:
    """What a cloud-config says about logins and patching (facts located in the enclosing document)."""

    root: Any
    access: Access
    patch_step: Fact[bool]
    identity: tuple[Fact[str], ...] = ()


def is_cloud_config(text: str) -> bool:
    """User-data that cloud-init reads as cloud-config (the header line decides)."""
    return text.lstrip("\ufeff \t\r\n").startswith(HEADER)


def _is_hash(value: str) -> bool:
    return value.startswith(_HASH_PREFIXES) or value.startswith("!") or value == "*"


class _Analyzer:
    def __init__(self, prefix: Path, collapse: bool, lines: list[str] | None) -> None:
        self.prefix = prefix
        self.collapse = collapse
        self.lines = lines
        self.reader = Reader(yaml_one_one_bools=True)

    def at(self, path: Path) -> Path:
        return self.prefix if self.collapse else self.prefix + path

    def fact(self, fact: Fact[Any]) -> Fact[Any]:
        return Fact(fact.value, self.at(fact.path), fact.explicit)

    def secret(self, value: Any, path: Path, *, hashed_ok: bool) -> list[Fact[str]]:
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            return []
        text = str(value)
        if not text or is_unresolved(text) or text.upper() == "RANDOM" or (hashed_ok and _is_hash(text)):
            return []
        return [Fact(text, self.at(path))]

    def passwords(self, root: dict[str, Any]) -> list[Fact[str]]:
        found = self.secret(root.get("password"), ("password",), hashed_ok=False)
        chpasswd = root.get("chpasswd")
        if isinstance(chpasswd, dict):
            found.extend(self.chpasswd_list(chpasswd, ("chpasswd",)))
            users = chpasswd.get("users")
            if isinstance(users, list):
                for index, user in enumerate(users):
                    if isinstance(user, dict) and str(user.get("type", "hash")).lower() == "text":
                        found.extend(
                            self.secret(user.get("password"), ("chpasswd", "users", index, "password"), hashed_ok=False)
                        )
        users = root.get("users")
        if isinstance(users, list):
            for index, user in enumerate(users):
                if not isinstance(user, dict):
                    continue
                where: Path = ("users", index)
                found.extend(self.secret(user.get("plain_text_passwd"), (*where, "plain_text_passwd"), hashed_ok=False))
                found.extend(self.secret(user.get("passwd"), (*where, "passwd"), hashed_ok=True))
        return found

    def chpasswd_list(self, chpasswd: dict[str, Any], path: Path) -> list[Fact[str]]:
        """``user:password`` entries of ``chpasswd.list``, each located on its own line where the text allows."""
        value = chpasswd.get("list")
        lines: list[tuple[str, Path]] = []
        if isinstance(value, str):
            located = self.entry_lines(chpasswd, value)
            if located is not None:
                lines = [(line, (*path, LIST_ENTRIES, index)) for index, line in enumerate(value.splitlines())]
            else:
                lines = [(line, (*path, "list")) for line in value.splitlines()]
        elif isinstance(value, list):
            lines = [(item, (*path, "list", index)) for index, item in enumerate(value) if isinstance(item, str)]
        found: list[Fact[str]] = []
        for line, where in lines:
            _, sep, secret = line.strip().partition(":")
            if sep:
                found.extend(self.secret(secret, where, hashed_ok=True))
        return found

    def entry_lines(self, chpasswd: dict[str, Any], value: str) -> YSeq | None:
        """For a literal block ``list: |``, hang each entry's secret position under ``@list`` (None: not located).

        The block's lines follow the ``|`` indicator one to one; each raw line must hold exactly its entry.
        """
        if self.collapse or self.lines is None or not isinstance(chpasswd, YMap) or "list" not in chpasswd.marks:
            return None
        mark = chpasswd.marks["list"]
        line = mark[2]
        if not 0 < line <= len(self.lines) or self.lines[line - 1][mark[3] - 1 : mark[3]] != "|":
            return None
        entries = value.splitlines()
        if line + len(entries) > len(self.lines):
            return None
        located = YSeq(line + 1, 1)
        for index, entry in enumerate(entries):
            raw = self.lines[line + index]
            if raw.strip() != entry.strip():
                return None
            start = len(raw) - len(raw.lstrip())
            user, sep, rest = entry.strip().partition(":")
            offset = len(user) + len(sep) + len(rest) - len(rest.lstrip()) if sep else 0
            located.append(entry)
            located.marks.append((line + 1 + index, start + offset + 1))
        chpasswd[LIST_ENTRIES] = located
        chpasswd.marks[LIST_ENTRIES] = mark
        return located

    def patch_step(self, root: dict[str, Any]) -> Fact[bool]:
        read = self.reader
        for key in ("package_upgrade", "apt_upgrade", "package_reboot_if_required"):
            fact = read.boolean(root, (), key, None)
            if fact.value is True:
                return self.fact(Fact(True, (key,)))
        for key in ("runcmd", "bootcmd"):
            commands = root.get(key)
            for command in commands if isinstance(commands, list) else []:
                if patches(" ".join(strings_in(command))):
                    return self.fact(Fact(True, (key,)))
        upgrade = read.boolean(root, (), "package_upgrade", False)
        return Fact(False if upgrade.known else None, self.at(()) if not upgrade.explicit else self.at(upgrade.path))

    def analyse(self, root: Any) -> CloudConfig:
        mapping = root if isinstance(root, dict) else {}
        read = self.reader
        pwauth = read.boolean(mapping, (), "ssh_pwauth", False)
        disable_root = read.boolean(mapping, (), "disable_root", True)
        root_login = Fact(
            None if disable_root.value is None else not disable_root.value, disable_root.path, disable_root.explicit
        )
        access = Access(
            password_auth=self.fact(pwauth),
            root_login=self.fact(root_login),
            plaintext_passwords=tuple(self.passwords(mapping)),
        )
        return CloudConfig(root, access, self.patch_step(mapping), self.identity(mapping))

    def identity(self, root: dict[str, Any]) -> tuple[Fact[str], ...]:
        """A fixed hostname or FQDN: every guest booted from this user-data takes the same name."""
        out = []
        for key in IDENTITY_KEYS:
            fact = self.reader.text(root, (), key)
            if fact.explicit and fact.value:
                out.append(Fact(f"{key} {fact.value}", self.at(fact.path)))
        return tuple(out)


def analyse(root: Any, prefix: Path = (), *, collapse: bool = False, lines: list[str] | None = None) -> CloudConfig:
    """Facts of a parsed cloud-config, located under ``prefix``.

    ``lines`` are the text of the file the tree's marks point into (entries of a ``chpasswd.list`` block are
    located from them).
    """
    return _Analyzer(prefix, collapse, lines).analyse(root)


def parse_embedded(text: str, line_offset: int, column_offset: int) -> tuple[Any, list[YamlProblem]]:
    """The first document of embedded user-data, parsed in the enclosing file's coordinates."""
    documents, problems = parse_yaml(text, line_offset=line_offset, column_offset=column_offset)
    return (documents[0].root if documents else None), problems


def load_cloud_config(text: str, file: str, classifier: Classifier) -> tuple[list[Workload], list[YamlProblem], int]:
    """A standalone ``#cloud-config`` file as one VM workload (its guest's first-boot config)."""
    documents, problems = parse_yaml(text)
    if any(problem.code in ("VM001", "VM006") for problem in problems):
        return [], problems, len(documents)  # a config cloud-init cannot read is reported, not judged
    root = documents[0].root if documents else None
    if root is None:
        root = YMap(1, 1)
    config = analyse(root, lines=text.splitlines())
    return [_workload(root, file, config, classifier)], problems, len(documents)


def _workload(root: Any, file: str, config: CloudConfig, classifier: Classifier) -> Workload:
    name = os.path.basename(file) or "user-data"
    return Workload(
        format="cloud-init",
        kind="cloud-config",
        name=name,
        namespace=None,
        file=file,
        document=root,
        path=(),
        role="vm",
        tier=classifier.tier([(root if isinstance(root, dict) else {}, ())]),
        isolation="vm",
        runtime=unset("cloud-init", ()),
        units=(guest_unit(name, ()),),
        access=config.access,
        vm=VmSpec(cpu_mode=unset(None, ()), guest_init=config, patch_step=config.patch_step),
    )
