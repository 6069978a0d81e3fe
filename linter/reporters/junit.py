"""JUnit XML for CI test views (GitLab, Jenkins, Azure): one testsuite per file.

Suites per file match how findings get fixed, file by file.  Every finding is a testcase named by
policy and object (``VM102 privileged-container Pod/prod/web nginx``), never by line, so a line shift
elsewhere is not a new test; it has a ``failure`` when its severity is at or above ``fail_on`` and
passes otherwise (the finding in its ``system-out``).  Suppressed findings are ``skipped`` testcases;
internal errors are testcases with an ``error``.  A clean run is one passing testcase, so CI shows a
green test instead of none.  Only element and attribute names of the
common JUnit schema (Jenkins ``junit-10.xsd``) are used.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

from ..findings import SEVERITY_RANK, Finding, Report
from .escape import escape_line

# Characters XML 1.0 cannot carry, and lone surrogates (undecodable file names), become escapes.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    """A one-line value: line breaks and controls escaped (escape.py), then what XML cannot carry."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", escape_line(text))


def _line(f: Finding) -> str:
    suffix = f" ({f.object.describe()})" if f.object else ""
    return f"{f.file}:{f.line}:{f.column}: {f.policy} [{f.severity}] {f.message}{suffix}"


class _Suite:
    def __init__(self, name: str) -> None:
        self.element = ET.Element("testsuite", name=_clean(name))
        self.tests = self.failures = self.errors = self.skipped = 0

    def case(self, name: str, classname: str) -> ET.Element:
        self.tests += 1
        return ET.SubElement(self.element, "testcase", name=_clean(name), classname=_clean(classname), time="0")

    def close(self) -> ET.Element:
        for key in ("tests", "failures", "errors", "skipped"):
            self.element.set(key, str(getattr(self, key)))
        self.element.set("time", "0")
        return self.element


def _fails(f: Finding, fail_on: str) -> bool:
    return fail_on != "never" and SEVERITY_RANK.get(f.severity, 2) >= SEVERITY_RANK[fail_on]


def render(report: Report, color: bool = False, *, fail_on: str = "warning") -> str:
    remediation = {p.id: p.remediation for p in report.policies}
    suites: dict[str, _Suite] = {}
    names: Counter[tuple[str, str]] = Counter()

    def suite(file: str) -> _Suite:
        return suites.setdefault(file, _Suite(file))

    def case_name(f: Finding) -> str:
        name = f"{f.policy} {f.name} {f.object.describe()}" if f.object else f"{f.policy} {f.name}"
        names[f.file, name] += 1  # the same policy twice on one object: numbered, in file order
        return name if names[f.file, name] == 1 else f"{name} #{names[f.file, name]}"

    for f in report.findings:
        s = suite(f.file)
        fix = f"\nFix: {remediation[f.policy]}" if f.policy in remediation else ""
        case = s.case(case_name(f), f.file)
        if _fails(f, fail_on):
            s.failures += 1
            failure = ET.SubElement(case, "failure", message=_clean(f.message), type=f.severity)
            failure.text = _clean(_line(f)) + fix
        else:
            ET.SubElement(case, "system-out").text = _clean(_line(f)) + fix
    for sup in report.suppressions:
        f = sup.finding
        s = suite(f.file)
        s.skipped += 1
        why = f"suppressed ({sup.via})" + (f": {sup.justification}" if sup.justification else "")
        skipped = ET.SubElement(s.case(case_name(f), f.file), "skipped")
        skipped.set("message", _clean(why))
    for e in report.errors:
        s = suite(e.file)
        s.errors += 1
        who = f" {e.policy}" if e.policy else ""
        error = ET.SubElement(s.case(f"{e.file} internal error{who}", e.file), "error", type="internal-error")
        error.set("message", _clean(e.message))
    if not suites:
        suite("vmlint").case("no findings", "vmlint")
    root = ET.Element("testsuites", name="vmlint")
    totals = dict.fromkeys(("tests", "failures", "errors"), 0)
    for name in sorted(suites):
        element = suites[name].close()
        root.append(element)
        for key in totals:
            totals[key] += int(element.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
