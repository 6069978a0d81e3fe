"""``vmlint check --fix/--diff``: golden before/after files per fixable policy and format, idempotence, refusals.

Each ``tests/fixes/<ID>/<format>`` file is fixed in a temporary copy with ``--fix --unsafe-fixes --select ID``;
the result must equal its ``.fixed`` golden file (``pytest --update-golden`` rewrites them for review), a second
run must change nothing, no finding of the policy may be left and no finding the file did not have may appear,
every comment and blank line stays, and only the lines the fixes name change.
"""

from __future__ import annotations

import difflib
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from vmlint.cli import main
from vmlint.policy import load_policies

FIXES = Path(__file__).parent / "fixes"
BEFORE = sorted(p for p in FIXES.rglob("*") if p.is_file() and ".fixed" not in p.name)


# Findings a fix rightly uncovers: a pod taken off the host network is subject to NetworkPolicies (VM124).
UNCOVERED = {"VM107": {"VM124"}}


def golden(before: Path) -> Path:
    return before.with_name(before.stem + ".fixed" + before.suffix) if before.suffix else before.with_suffix(".fixed")


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def findings(path: str) -> list[dict]:
    code, out, _ = run("check", "--format", "json", path)
    assert code in (0, 1), out
    return json.loads(out)["findings"]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" -"))


def named_lines(text: str, lines: set[int]) -> set[int]:
    """The lines a fix may rewrite: a finding's line, the entry it opens (deeper lines after it), its parent key."""
    source = text.splitlines()
    named: set[int] = set()
    for line in lines:
        named.add(line)
        depth = _indent(source[line - 1])
        for after in range(line + 1, len(source) + 1):
            body = source[after - 1].strip()
            if body and not body.startswith("#") and _indent(source[after - 1]) <= depth:
                break
            named.add(after)
        for before in range(line - 1, 0, -1):
            body = source[before - 1].strip()
            if body and not body.startswith("#") and _indent(source[before - 1]) < depth:
                named.add(before)
                break
    return named


def kept_lines(text: str) -> Counter[str]:
    """Full-line comments, blank lines and document markers: a fix never removes one."""
    return Counter(
        line.rstrip("\r")
        for line in text.split("\n")
        if not line.strip() or line.lstrip().startswith("#") or line.strip() in ("---", "...")
    )


def fixable_ids() -> set[str]:
    return {p.id for p in load_policies() if p.fix is not None}


def test_every_fixable_policy_has_golden_fixtures() -> None:
    covered = {path.relative_to(FIXES).parts[0] for path in BEFORE}
    assert covered == fixable_ids()
    assert len(covered) >= 20
    assert all(golden(path).exists() for path in BEFORE)


@pytest.mark.parametrize("before", BEFORE, ids=lambda p: str(p.relative_to(FIXES)))
def test_fix_matches_golden_and_is_idempotent(
    before: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    policy = before.relative_to(FIXES).parts[0]
    monkeypatch.chdir(tmp_path)
    shutil.copyfile(before, before.name)
    original = before.read_text(encoding="utf-8")
    had = findings(before.name)
    fixable = [f for f in had if f["policy"] == policy]
    assert fixable

    code, _, err = run("check", "--fix", "--unsafe-fixes", "--select", policy, before.name)
    fixed = Path(before.name).read_text(encoding="utf-8")
    if update_golden:
        golden(before).write_text(fixed, encoding="utf-8")
    assert fixed == golden(before).read_text(encoding="utf-8")
    assert code == 0, err
    assert re.search(r"vmlint: [1-9][0-9]* fixed, 0 remaining", err), err

    # Idempotence: nothing left to fix, nothing changes.
    code, _, err = run("check", "--fix", "--unsafe-fixes", "--select", policy, before.name)
    assert Path(before.name).read_text(encoding="utf-8") == fixed
    assert "vmlint: 0 fixed, 0 remaining" in err

    # None of the fixed findings is left, and no finding appears that the file did not have (but UNCOVERED ones).
    after = findings(before.name)
    assert [f for f in after if f["policy"] == policy] == []
    seen = {(f["policy"], f["message"], json.dumps(f["object"])) for f in had}
    new = [f for f in after if (f["policy"], f["message"], json.dumps(f["object"])) not in seen]
    assert [f for f in new if f["policy"] not in UNCOVERED.get(policy, set())] == []

    # Comments, blank lines and markers stay; only the named lines change.
    assert kept_lines(original) - kept_lines(fixed) == Counter()
    allowed = named_lines(original, {f["line"] for f in fixable})
    matcher = difflib.SequenceMatcher(a=original.splitlines(), b=fixed.splitlines(), autojunk=False)
    for tag, start, end, _, _ in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            assert set(range(start + 1, end + 1)) <= allowed, (tag, start + 1, end)


KUBERNETES = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app:1.2
    securityContext:
      privileged: true
"""


def _project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str = KUBERNETES) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "pod.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_diff_prints_the_fixes_and_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _project(tmp_path, monkeypatch)
    code, out, err = run("check", "--diff", "--select", "VM102,VM103", "pod.yaml")
    assert path.read_text(encoding="utf-8") == KUBERNETES
    assert code == 1
    assert out == (
        "--- a/pod.yaml\n+++ b/pod.yaml\n@@ -8,3 +8,4 @@\n     image: app:1.2\n     securityContext:\n"
        "       privileged: true\n+      allowPrivilegeEscalation: false\n"
    )
    assert "vmlint: 1 would be fixed, 1 would remain (1 more with --unsafe-fixes)" in err


def test_diff_with_nothing_to_fix_exits_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path, monkeypatch)
    code, out, err = run("check", "--diff", "--select", "VM105", "pod.yaml")
    assert (code, out) == (0, "")
    assert "vmlint: 0 would be fixed, 0 would remain" in err


def test_safe_fixes_only_without_unsafe_fixes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _project(tmp_path, monkeypatch)
    code, out, err = run("check", "--fix", "--select", "VM102,VM103", "pod.yaml")
    assert code == 1
    assert "allowPrivilegeEscalation: false" in path.read_text(encoding="utf-8")
    assert "privileged: true" in path.read_text(encoding="utf-8")
    assert out.startswith("pod.yaml:10:19: VM102 [error] container app runs privileged")
    assert "vmlint: 1 fixed, 1 remaining (1 more with --unsafe-fixes)" in err


def test_overlapping_fixes_are_applied_in_rounds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Removing the only key of securityContext and adding one beside it: two rounds, one valid result."""
    path = _project(tmp_path, monkeypatch)
    code, _, err = run("check", "--fix", "--unsafe-fixes", "--select", "VM102,VM103", "pod.yaml")
    assert code == 0
    assert path.read_text(encoding="utf-8") == KUBERNETES.replace("privileged: true", "allowPrivilegeEscalation: false")
    assert "vmlint: 2 fixed, 0 remaining" in err


def test_unsafe_fixes_needs_fix_or_diff() -> None:
    code, _, err = run("check", "--unsafe-fixes", ".")
    assert code == 2
    assert "--unsafe-fixes needs --fix or --diff" in err


def test_crlf_and_bom_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _project(tmp_path, monkeypatch)
    path.write_bytes(b"\xef\xbb\xbf" + KUBERNETES.replace("\n", "\r\n").encode())
    code, _, _ = run("check", "--fix", "--unsafe-fixes", "--select", "VM102,VM103", "pod.yaml")
    assert code == 0
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == data.count(b"\n") == KUBERNETES.count("\n")
    assert b"      allowPrivilegeEscalation: false\r\n" in data


def test_mode_is_kept_and_no_temporary_file_is_left(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _project(tmp_path, monkeypatch)
    path.chmod(0o640)
    run("check", "--fix", "--select", "VM103", "pod.yaml")
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pod.yaml"]


def test_refused_files_are_never_modified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    tree.mkdir()
    outside.mkdir()
    (outside / "pod.yaml").write_text(KUBERNETES, encoding="utf-8")
    (tree / "link.yaml").symlink_to(outside / "pod.yaml")
    (tree / "read-only.yaml").write_text(KUBERNETES, encoding="utf-8")
    (tree / "read-only.yaml").chmod(0o444)
    templated = KUBERNETES.replace("name: p", "name: '{{ .Values.name }}'")
    (tree / "templated.yaml").write_text(templated, encoding="utf-8")
    (tree / "pod.json").write_text(json.dumps({"apiVersion": "v1", "kind": "Pod", "spec": {"hostPID": True}}))

    code, out, _ = run("check", "--fix", "--unsafe-fixes", "--select", "VM102,VM105", "tree", "tree/link.yaml")
    assert code == 1
    privileged = "VM102 [error] container app runs privileged (fix not applied:"
    assert f"tree/read-only.yaml:10:19: {privileged} read-only file: not rewritten)" in out
    assert "(fix not applied: holds templates ({{ }}): not rewritten)" in out
    assert "(fix not applied: only YAML files are rewritten" in out
    assert f"tree/link.yaml:10:19: {privileged} a symbolic link to a file outside the linted paths" in out
    assert (outside / "pod.yaml").read_text(encoding="utf-8") == KUBERNETES
    assert (tree / "read-only.yaml").read_text(encoding="utf-8") == KUBERNETES
    assert (tree / "templated.yaml").read_text(encoding="utf-8") == templated

    code, out, _ = run("check", "--fix", "--unsafe-fixes", "--select", "VM102", "-", stdin=KUBERNETES)
    assert code == 1
    assert "(fix not applied: read from standard input: not rewritten)" in out


def test_settings_shared_through_an_anchor_are_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = KUBERNETES.replace("    securityContext:\n", "    securityContext: &shared\n") + (
        "  - name: side\n    image: side:1.0\n    securityContext: *shared\n"
    )
    path = _project(tmp_path, monkeypatch, text)
    code, out, _ = run("check", "--fix", "--unsafe-fixes", "--select", "VM102", "pod.yaml")
    assert code == 1
    assert path.read_text(encoding="utf-8") == text
    assert "(fix not applied: the setting is shared through a YAML anchor and alias; edit it by hand)" in out


def test_compose_fixes_go_to_the_file_that_wrote_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    base = "services:\n  web:\n    image: web:1.2   # base\n"
    override = "services:\n  web:\n    privileged: true\n    environment: [A=1]\n"
    Path("compose.yaml").write_text(base, encoding="utf-8")
    Path("compose.override.yaml").write_text(override, encoding="utf-8")
    code, _, err = run("check", "--fix", "--unsafe-fixes", "--select", "VM102,VM103", ".")
    assert code == 0, err
    assert Path("compose.override.yaml").read_text(encoding="utf-8") == ("services:\n  web:\n    environment: [A=1]\n")
    assert Path("compose.yaml").read_text(encoding="utf-8") == base + (
        "    security_opt:\n    - no-new-privileges:true\n"
    )


def test_policies_and_explain_say_how_a_policy_fixes() -> None:
    _, out, _ = run("policies")
    assert re.search(r"^VM102 +privileged-container +isolation +error +unsafe ", out, re.M)
    assert re.search(r"^VM603 +service-account-token-automount +security +warning +unsafe ", out, re.M)
    assert re.search(r"^VM301 +image-tag-mutable +portability +warning +- ", out, re.M)
    _, out, _ = run("explain", "VM103")
    assert "  vmlint check --fix sets `allowPrivilegeEscalation: false`" in out
    _, out, _ = run("policies", "--format", "json")
    by_id = {p["id"]: p for p in json.loads(out)["policies"]}
    assert by_id["VM113"]["fix"] == {
        "applicability": "safe",
        "description": "adds NET_RAW to `capabilities.drop` (Compose: `cap_drop`)",
    }
    assert by_id["VM301"]["fix"] is None


def test_write_is_atomic_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that fails leaves the file as it was and says so."""
    path = _project(tmp_path, monkeypatch)

    def fail(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    code, out, _ = run("check", "--fix", "--select", "VM103", "pod.yaml")
    assert code == 1
    assert path.read_text(encoding="utf-8") == KUBERNETES
    assert "(fix not applied: cannot write: No space left on device)" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pod.yaml"]


# Keys the built-in fixes write: a corpus file may differ from its original only under them.
FIXED_KEYS = {
    *("privileged", "allowPrivilegeEscalation", "runAsNonRoot", "readOnlyRootFilesystem", "securityContext"),
    *("hostPID", "hostIPC", "hostNetwork", "hostPort", "nodeName", "automountServiceAccountToken"),
    *("capabilities", "add", "drop", "seccompProfile", "appArmorProfile", "imagePullPolicy"),
    *("security_opt", "cap_add", "cap_drop", "read_only", "pid", "ipc", "network_mode", "userns_mode"),
    *("ports", "host_ip", "restart", "model", "evictionStrategy", "ssh_pwauth", "disable_root"),
}
FIXED_ANNOTATIONS = ("seccomp.security.alpha.kubernetes.io/", "container.apparmor.security.beta.kubernetes.io/")


def _differences(before: object, after: object, path: tuple = ()) -> list[tuple]:
    if isinstance(before, dict) and isinstance(after, dict):
        out = [(*path, key) for key in before.keys() ^ after.keys()]
        for key in before.keys() & after.keys():
            out += _differences(before[key], after[key], (*path, key))
        return out
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [d for i, (b, a) in enumerate(zip(before, after, strict=True)) for d in _differences(b, a, (*path, i))]
    return [] if before == after else [path]


def _fixed_path(path: tuple) -> bool:
    keys = [part for part in path if isinstance(part, str)]
    if not keys:
        return False
    if keys[-1] == "type" and len(keys) > 1:
        keys = keys[:-1]
    return keys[-1] in FIXED_KEYS or keys[-1].startswith(FIXED_ANNOTATIONS)


def _corpus_problems(changed: list[tuple[Path, bytes]]) -> list[str]:
    """What is wrong with each fixed corpus file: parse problems, lost comment lines, changes outside fixes."""
    from vmlint.fix.verify import plain
    from vmlint.parsers.yaml_tree import parse_yaml

    out = []
    for path, original in changed:
        before, after = original.decode("utf-8-sig"), path.read_text(encoding="utf-8-sig")
        old_documents, old_problems = parse_yaml(before)
        new_documents, new_problems = parse_yaml(after)
        old = plain([d.root for d in old_documents])
        new = plain([d.root for d in new_documents])
        if path.suffix in (".json", ".hcl", ".xml"):
            out.append(f"{path}: not a YAML file")
        if not Counter(p.code for p in new_problems) <= Counter(p.code for p in old_problems):
            out.append(f"{path}: new problems")
        if kept_lines(before) - kept_lines(after):
            out.append(f"{path}: lost {kept_lines(before) - kept_lines(after)}")
        if len(old) != len(new):
            out.append(f"{path}: {len(old)} documents became {len(new)}")
        unexplained = [d for d in _differences(old, new) if not _fixed_path(d)]
        if unexplained:
            out.append(f"{path}: changed outside the fixed paths at {unexplained[:3]}")
    return out


def _subprocess_fix() -> tuple[int, str]:
    """``vmlint check --fix --unsafe-fixes .`` in a process of its own (the test process stays small)."""
    command = [sys.executable, "-m", "vmlint", "check", "--fix", "--unsafe-fixes", "--format", "json", "."]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    return done.returncode, done.stderr


@pytest.mark.corpus
def test_fixing_the_real_corpus_keeps_every_file_meaning_and_comment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import SHARED

    real = SHARED / "corpus" / "real"
    copy = tmp_path / "real"
    shutil.copytree(real, copy)
    for path in [copy, *copy.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    originals = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    monkeypatch.chdir(copy)

    code, err = _subprocess_fix()
    assert code in (0, 1), err
    fixed = int(re.search(r"vmlint: (\d+) fixed", err).group(1))
    assert fixed > 1000

    changed = [p for p, data in originals.items() if p.read_bytes() != data]
    assert len(changed) > 150
    # Parsed in a forked child: the trees never raise this process's peak RSS, which its subprocesses inherit.
    with multiprocessing.get_context("fork").Pool(1) as pool:
        problems = pool.apply(_corpus_problems, ([(p, originals[p]) for p in changed],))
    assert problems == []

    # A second run finds nothing more to fix and changes nothing.
    now = {p: p.read_bytes() for p in changed}
    code, err = _subprocess_fix()
    assert "vmlint: 0 fixed" in err
    assert all(p.read_bytes() == data for p, data in now.items())


def test_files_without_fixable_findings_are_never_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import vmlint.fix.run as fix_run

    _project(tmp_path, monkeypatch)
    (tmp_path / "clean.yaml").write_text(KUBERNETES.replace("privileged: true", "privileged: false"))
    opened: list[str] = []
    real_open = fix_run.open_for_fix

    def recording(display: str, *args: object) -> object:
        opened.append(display)
        return real_open(display, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(fix_run, "open_for_fix", recording)
    code, _, err = run("check", "--diff", "--unsafe-fixes", "--select", "VM102", ".")
    assert code == 1, err
    assert opened == ["pod.yaml"]


def test_a_pack_policy_offers_a_fix_as_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fixes are data: a third-party policy's ``fix`` edits, relative to its hit, apply like the built-ins'."""
    from vmlint.config import Config
    from vmlint.engine import Engine
    from vmlint.fix.run import Fixer
    from vmlint.fixes import Fix, set_
    from vmlint.policy import Hit, policy

    @policy(
        id="ACME001",
        name="team-label",
        tradeoff="management",
        severity="warning",
        summary="Pods carry a team label.",
        rationale="Owners must be reachable.",
        remediation="Add metadata.labels.team.",
        formats=("kubernetes",),
        fix=Fix("safe", "labels the pod `team: unknown`", (set_(("labels", "team"), "unknown"),)),
    )
    def team_label(workload, settings):
        if "team" not in workload.labels:
            yield Hit(("metadata",), "no team label", key=True)

    path = _project(tmp_path, monkeypatch)
    engine = Engine(Config(), [team_label])
    lint = engine.lint_files(["pod.yaml"], fixes=True)
    fixer = Fixer(
        lint.candidates, lint.results, lint.rendered, ["pod.yaml"], unsafe=False, write=True, max_size=1 << 20
    )
    outcome = fixer.run(engine.relint, engine.report)
    assert outcome.applied == 1
    assert path.read_text(encoding="utf-8") == KUBERNETES.replace(
        "  name: p\n", "  name: p\n  labels:\n    team: unknown\n"
    )
    assert outcome.report is not None and outcome.report.findings == ()


def test_fixing_keeps_every_field_of_the_hit() -> None:
    # policies._facts.fixing builds the Hit field by field for speed: a field added to Hit must be carried too.
    from dataclasses import fields, replace

    from policies._facts import fixing
    from vmlint.fixes import Fix, set_
    from vmlint.policy import Hit

    values = {
        "path": ("spec", "containers", 0),
        "message": "m",
        "unit": "app",
        "key": True,
        "unless": (("fact",),),
        "needs": ("need",),
        "severity": "error",
        "once": ("ns",),
        "policy": "VM020",
        "fix": Fix("safe", "old"),
    }
    assert set(values) == {f.name for f in fields(Hit)}
    found = Hit(**values)
    fix = Fix("unsafe", "sets it")
    edit = set_(("spec", "containers", 0, "x"), 1)
    assert fixing(found, fix, edit) == replace(found, fix=fix.at(found.path, edit))
