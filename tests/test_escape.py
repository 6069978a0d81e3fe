"""Output forgery (issue 9, class 5): no file name or value breaks a line or drives a terminal in
the text, GitHub and JUnit reports — checked for every code point Python itself treats as a line
break or a control, not for a list of examples."""

from __future__ import annotations

import sys
import unicodedata
import xml.etree.ElementTree as ET

import pytest

from vmlint.findings import Finding, InternalError, ObjectRef, Report, Summary
from vmlint.reporters import github, junit, text_reporter
from vmlint.reporters.escape import escape_line

BREAKING = [
    chr(code)
    for code in range(sys.maxunicode + 1)
    if len(f"a{chr(code)}b".splitlines()) > 1 or unicodedata.category(chr(code)) in {"Cc", "Zl", "Zp"}
]


def test_the_forgers_are_all_there() -> None:
    assert {"\n", "\r", "\x0b", "\x1c", "\x85", "\x9b", "\u2028", "\u2029", "\x1b", "\x7f"} <= set(BREAKING)


def test_escape_line_leaves_no_breaking_character() -> None:
    escaped = escape_line("".join(BREAKING) + "\u202e")
    assert escaped.isascii()
    assert len(f"a{escaped}b".splitlines()) == 1
    assert escape_line("plain ünïcode 名前.yaml") == "plain ünïcode 名前.yaml"


def _report(name: str) -> Report:
    finding = Finding(
        name, 1, 1, "VM102", "privileged-container", "error", "isolation", f"container c{name} runs privileged",
        object=ObjectRef("kubernetes", "Pod", f"p{name}", unit="c"),
    )  # fmt: skip
    error = InternalError(name, f"boom{name}")
    return Report((finding,), (error,), Summary(files=1, findings=1))


@pytest.mark.parametrize("reporter", [text_reporter, github], ids=["text", "github"])
def test_line_reports_keep_one_line_per_finding(reporter: object) -> None:
    name = "x" + "".join(BREAKING) + "y.yaml"
    out = reporter.render(_report(name))  # type: ignore[attr-defined]
    assert len(out.splitlines()) == 3  # the finding, the internal error, the summary
    assert all(ch not in out.rstrip("\n") for ch in BREAKING if ch != "\n")
    assert out.count("\n") == 3


def test_junit_values_stay_on_one_line() -> None:
    name = "x" + "".join(BREAKING) + "y.yaml"
    root = ET.fromstring(junit.render(_report(name)))
    for element in root.iter():
        for value in [*element.attrib.values(), element.text or ""]:
            first = value.split("\nFix:")[0].strip()  # the remediation is ours, on a line of its own
            assert all(ch not in first for ch in BREAKING), (element.tag, value[:80])
