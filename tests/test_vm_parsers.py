"""The HCL and XML parsers: positioned trees, located syntax errors, and XML that is never expanded or fetched."""

from __future__ import annotations

import hcl2
from hcl2.utils import SerializationOptions

from vmlint.parsers.hcl import LABELS, parse_hcl
from vmlint.parsers.xml import TEXT, parse_xml, root_tag
from vmlint.source import locate

HCL = """variable "pw" {
  default = "x"
}

source "qemu" "ubuntu" {
  iso_url  = "https://example.org/a.iso"
  qemuargs = [["-cpu", "host"]]
  tags     = { "vmlint.io/security-tier" = "high" }
  memory   = 2048
  headless = true
  ssh_password = var.pw
}
"""


def at(root, path, *, key=False) -> tuple[int, int]:
    position = locate(root, path, "f", key=key)
    return position.line, position.column


def test_python_hcl2_with_meta_gives_no_line_numbers_so_positions_come_from_its_rule_tree() -> None:
    # The reason for parsers/hcl.py walking the Lark rule tree (docs/decisions/0006).
    data = hcl2.loads(HCL, serialization_options=SerializationOptions(with_meta=True))
    assert "__start_line__" not in str(data)


def test_hcl_blocks_attributes_and_nested_values_keep_positions() -> None:
    body, problems = parse_hcl(HCL)
    assert problems == []
    assert body is not None
    source = body["source"][0]
    assert source[LABELS] == ["qemu", "ubuntu"]
    assert source["iso_url"] == "https://example.org/a.iso"
    assert source["memory"] == 2048
    assert source["headless"] is True
    assert source["ssh_password"] == "${var.pw}"
    assert source["tags"] == {"vmlint.io/security-tier": "high"}
    assert at(body, ("source", 0)) == (5, 1)
    assert at(body, ("source", 0, "iso_url"), key=True) == (6, 3)
    assert at(body, ("source", 0, "iso_url")) == (6, 14)
    assert at(body, ("source", 0, "qemuargs", 0, 1)) == (7, 24)
    assert at(body, ("source", 0, "tags", "vmlint.io/security-tier")) == (8, 44)
    assert at(body, ("source", 0, "missing")) == (5, 1)
    assert body["variable"][0][LABELS] == ["pw"]


def test_hcl_syntax_error_is_located() -> None:
    body, problems = parse_hcl('source "qemu" "x" {\n  iso_url = \n}\n')
    assert body is None
    assert [(p.code, p.line) for p in problems] == [("VM001", 2)]


def test_hcl_unclosed_block_is_located_at_end() -> None:
    body, problems = parse_hcl("build {\n  sources = []\n")
    assert body is None
    assert [(p.code, p.line, p.column) for p in problems] == [("VM001", 3, 1)]


def test_xml_elements_and_attributes_are_located() -> None:
    text = "<domain type='kvm'>\n  <name>x</name>\n  <disk type='file'\n        device=\"disk\"/>\n</domain>\n"
    root, problems = parse_xml(text)
    assert problems == []
    assert root is not None
    assert root["name"][0][TEXT] == "x"
    assert at(root, ("name", 0)) == (2, 3)
    assert at(root, ("disk", 0, "@device")) == (4, 17)
    assert at(root, ("disk", 0, "@device"), key=True) == (4, 9)
    assert root_tag("<?xml version='1.0'?>\n<!-- c -->\n<domain/>") == "domain"


def test_xml_entity_expansion_is_refused() -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n<domain>&lol2;</domain>\n'
    )
    root, problems = parse_xml(bomb)
    assert root is None
    assert [(p.code, p.line) for p in problems] == [("VM001", 2)]
    assert "DTDForbidden" in problems[0].message


def test_xml_external_entity_is_never_read(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    text = f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>\n<domain>&x;</domain>\n'
    root, problems = parse_xml(text)
    assert root is None
    assert problems and problems[0].code == "VM001"
    assert "TOP-SECRET" not in problems[0].message


def test_xml_syntax_error_is_located_without_a_second_position_in_the_message() -> None:
    root, problems = parse_xml("<domain>\n  <name>x</nam>\n</domain>\n")
    assert root is None
    assert [(p.code, p.line, p.column) for p in problems] == [("VM001", 2, 12)]
    assert problems[0].message == "XML syntax error: mismatched tag"


def test_xml_nesting_limit() -> None:
    root, problems = parse_xml("<a>" * 600 + "</a>" * 600)
    assert root is None
    assert [p.code for p in problems] == ["VM006"]


def test_domains_written_one_after_another_are_a_sequence_of_domains() -> None:
    from vmlint.formats import load
    from vmlint.normalize.common import Classifier

    phase = "<domain type='kvm'>\n  <name>{name}</name>\n  <devices>\n    <graphics type='vnc' listen='0.0.0.0'/>\n"
    phase += "  </devices>\n</domain>\n"
    text = phase.format(name="install") + "<!-- boot -->\n" + phase.format(name="boot")
    loaded = load(text.encode(), "vm.xml", Classifier())
    assert loaded.problems == []
    assert [(w.name, w.exposure[0].path) for w in loaded.workloads] == [
        ("install", ("devices", 0, "graphics", 0, "@listen")),
        ("boot", ("devices", 0, "graphics", 0, "@listen")),
    ]
    assert loaded.documents == 2
    broken = load((text + "<domain><name>x</nam></domain>\n").encode(), "vm.xml", Classifier())
    assert [w.name for w in broken.workloads] == ["install", "boot"]
    assert [(p.code, p.position.line) for p in broken.problems] == [("VM001", 14)]


def test_building_the_hcl_grammar_is_not_charged_to_the_first_packer_file(monkeypatch, tmp_path) -> None:
    # A fresh install builds python-hcl2's tables on first use (1.6 s of CPU measured): inside the first
    # file's budget that made it VM006 on a busy machine. The engine builds them before any file's budget.
    import time

    import hcl2.api
    import hcl2.parser

    from vmlint.config import load_config
    from vmlint.engine import Engine
    from vmlint.policy import load_policies

    real, built = hcl2.parser.parser, []

    def first_build_is_slow():
        if not built:
            start = time.process_time()
            while time.process_time() - start < 0.8:
                pass
            built.append(real())
        return built[0]

    monkeypatch.setattr(hcl2.parser, "parser", first_build_is_slow)
    monkeypatch.setattr(hcl2.api, "_get_parser", first_build_is_slow)
    (tmp_path / "box.pkr.hcl").write_text('source "null" "x" {\n  communicator = "none"\n}\n')
    policies = load_policies()
    engine = Engine(load_config(None, policies), policies)
    engine.file_cpu_seconds = 0.5
    report = engine.lint([str(tmp_path)], jobs=1)
    assert built, "the parser was built"
    assert [f.policy for f in report.findings if f.policy == "VM006"] == []
    assert report.summary.files == 1
