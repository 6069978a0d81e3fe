"""Formats recognised by content on stdin, without --stdin-filename (issue 10 item 3)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.conftest import REPO
from vmlint.cli import main

CLOUD_CONFIG = "#cloud-config\nssh_pwauth: true\nchpasswd: {expire: false}\npassword: hunter2\n"
TERRAFORM = 'resource "aws_instance" "web" {\n  ami = "ami-123"\n}\n'


def stdin(text: str) -> dict:
    result = CliRunner().invoke(main, ["check", "--format", "json", "-"], input=text, catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            (REPO / "examples" / "vm" / "packer" / "ubuntu.pkr.hcl").read_text(),
            [("VM650", 11, 22), ("VM654", 9, 22), ("VM655", 8, 22), ("VM830", 20, 3)],
        ),
        (
            (REPO / "examples" / "vm" / "libvirt" / "build-agent.xml").read_text(),
            [("VM150", 18, 19), ("VM330", 9, 14), ("VM653", 16, 59), ("VM881", 12, 47)],
        ),
        (CLOUD_CONFIG, [("VM650", 4, 11), ("VM651", 2, 13), ("VM830", 2, 1)]),
    ],
    ids=["packer-hcl", "libvirt-xml", "cloud-init"],
)
def test_vm_formats_on_stdin_are_detected_by_content(text: str, expected: list[tuple[str, int, int]]) -> None:
    report = stdin(text)
    assert sorted((f["policy"], f["line"], f["column"]) for f in report["findings"]) == expected
    assert {f["file"] for f in report["findings"]} == {"<stdin>"}
    assert (report["summary"]["files"], report["summary"]["skipped"]) == (1, 0)


def test_other_hcl_on_stdin_is_still_not_a_manifest() -> None:
    report = stdin(TERRAFORM)
    assert report["findings"] == []
    assert (report["summary"]["files"], report["summary"]["skipped"]) == (0, 1)
