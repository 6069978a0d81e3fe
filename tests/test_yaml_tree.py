"""The positioned YAML tree builder: values, positions, merge keys, duplicates, limits, tags."""

from __future__ import annotations

from vmlint.parsers.yaml_tree import MAX_DEPTH, parse_yaml
from vmlint.source import YMap, YSeq, get, locate


def test_values_follow_the_yaml_1_2_core_schema() -> None:
    docs, problems = parse_yaml("a: 1\nb: 1.5\nc: true\nd: yes\ne: ~\nf: '7'\ng: 0x1f\nh: null\ni: .inf\n")
    assert problems == []
    assert dict(docs[0].root) == {
        "a": 1,
        "b": 1.5,
        "c": True,
        "d": "yes",
        "e": None,
        "f": "7",
        "g": 31,
        "h": None,
        "i": float("inf"),
    }


def test_every_key_and_value_keeps_its_1_based_position() -> None:
    docs, _ = parse_yaml("spec:\n  containers:\n  - name: app\n    image: nginx\n")
    root = docs[0].root
    assert isinstance(root, YMap) and isinstance(root["spec"]["containers"], YSeq)
    assert root.marks["spec"] == (1, 1, 2, 3)
    assert locate(root, ("spec", "containers", 0, "image"), "f.yaml").line == 4
    assert locate(root, ("spec", "containers", 0, "image"), "f.yaml").column == 12
    assert locate(root, ("spec", "containers", 0, "image"), "f.yaml", key=True).column == 5


def test_missing_path_falls_back_to_nearest_existing_ancestor() -> None:
    docs, _ = parse_yaml("spec:\n  containers:\n  - name: app\n")
    position = locate(docs[0].root, ("spec", "containers", 0, "securityContext", "privileged"), "f.yaml")
    assert (position.line, position.column) == (3, 5)


def test_multiple_documents_and_their_start_lines() -> None:
    docs, problems = parse_yaml("a: 1\n---\nb: 2\n---\n")
    assert problems == []
    assert [d.line for d in docs] == [1, 2, 4]
    assert docs[2].root is None


def test_merge_keys_apply_and_point_at_the_anchor() -> None:
    docs, problems = parse_yaml("base: &b\n  x: 1\n  y: 2\nuse:\n  <<: *b\n  y: 3\n")
    assert problems == []
    use = docs[0].root["use"]
    assert dict(use) == {"x": 1, "y": 3}
    assert use.marks["x"][:2] == (2, 3)
    assert use.marks["y"][:2] == (6, 3)


def test_duplicate_key_is_a_located_problem_and_last_value_wins() -> None:
    docs, problems = parse_yaml("a: 1\nb: 2\na: 3\n")
    assert docs[0].root["a"] == 3
    assert [(p.code, p.line, p.column) for p in problems] == [("VM002", 3, 1)]


def test_syntax_error_is_located_and_earlier_documents_survive() -> None:
    docs, problems = parse_yaml("a: 1\n---\nb: [1, 2\nc: 3\n")
    assert [d.root for d in docs] == [{"a": 1}]
    assert [(p.code, p.line) for p in problems] == [("VM001", 4)]


def test_unknown_tags_are_reported_and_never_constructed() -> None:
    docs, problems = parse_yaml("x: !!python/object/apply:os.system ['echo hi']\n")
    assert docs[0].root["x"] == ["echo hi"]
    assert [(p.code, p.line, p.column) for p in problems] == [("VM004", 1, 4)]


def test_alias_bomb_is_stopped_quickly() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        prev, cur = chr(96 + level), chr(97 + level)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    _, problems = parse_yaml("\n".join(lines) + "\n")
    assert [p.code for p in problems] == ["VM006"]


def test_deep_nesting_is_a_problem_not_a_crash() -> None:
    depth = 100_000
    _, problems = parse_yaml("[" * depth + "]" * depth)
    assert [(p.code, p.line) for p in problems] == [("VM006", 1)]
    assert str(MAX_DEPTH) in problems[0].message


def test_line_offset_places_embedded_documents() -> None:
    docs, _ = parse_yaml("users:\n- name: x\n", line_offset=10, column_offset=6)
    assert docs[0].root.marks["users"][:2] == (11, 7)
    assert docs[0].root["users"].marks[0] == (12, 3)


def test_get_walks_paths_and_tolerates_wrong_types() -> None:
    docs, _ = parse_yaml("a:\n  b: [1, 2]\n")
    assert get(docs[0].root, ("a", "b", 1)) == 2
    assert get(docs[0].root, ("a", "b", "c"), "default") == "default"
