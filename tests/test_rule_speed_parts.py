"""What makes twenty user rules cheap: copies of only what expressions read give the same results as the whole
documents, and the schema quick check never lets through what jsonschema refuses."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from vmlint.rules import needs as nd
from vmlint.rules.cel import activation, compile_expression
from vmlint.rules.files import _rule_schema
from vmlint.rules.schema_check import conforms

ROOT = Path(__file__).resolve().parent.parent
ROOTS = frozenset({"object", "workload"})

DOCUMENTS: list[Any] = [
    {
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web", "team": "a"}, "annotations": {"a.b/c": "x"}},
        "spec": {
            "replicas": 3,
            "template": {
                "spec": {
                    "containers": [
                        {"name": "web", "image": "docker.io/nginx", "ports": [{"containerPort": 80}]},
                        {"name": "db", "image": "postgres:16", "env": [{"name": "PASSWORD", "value": "x"}]},
                    ],
                    "volumes": [{"name": "h", "hostPath": {"path": "/"}}],
                }
            },
        },
    },
    {"kind": "Service", "metadata": {"name": "svc"}, "spec": {"ports": [{"port": 80, "nodePort": 30080}]}},
    {"kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"k": "v" * 50, "z": ""}},
    {"kind": "Odd", "metadata": [], "spec": "text", "items": [1, 2, 3]},
]

EXPRESSIONS = [
    "object.metadata.name == 'web'",
    "has(object.metadata.labels) && 'team' in object.metadata.labels",
    "object.?spec.?replicas.orValue(1) <= 2",
    "object.spec.template.spec.containers.all(c, !c.image.startsWith('docker.io/'))",
    "object.spec.template.spec.containers[0].image == 'docker.io/nginx'",
    "object.spec.template.spec.containers[1].?env.orValue([]).exists(e, e.name == 'PASSWORD')",
    "object.metadata.labels.all(k, object.metadata.labels[k] != '')",
    "object.metadata.labels.exists(k, k == 'team')",
    "object.metadata.annotations['a.b/c'] == 'x'",
    "object.metadata[?'labels'].hasValue()",
    "size(object.spec.template.spec.containers) == 2",
    "object.spec.template.spec.containers.map(c, c.name).sort() == ['db', 'web']",
    "object.spec.template.spec.containers.all(object, object.name != '')",  # the variable shadows ``object``
    "object.spec.template.spec.containers.all(i, c, i >= 0 && c.name != '')",  # two variables
    "object.spec.ports.all(p, !has(p.nodePort))",
    "has(object.metadata) && !has(object.metadata.zzz) && has(object.spec.template.spec.containers)",
    "has(object.items)",
    "string(object.metadata) != ''",
    "object.data.all(k, object.data[k].size() < 10)",
    "object.items[1] == 2 && object.items.size() == 3",
    "object.spec.template.spec.volumes.exists(v, has(v.hostPath))",
    "[object][0].metadata.name == 'web'",
    "object.kind == 'Odd' ? object.spec == 'text' : object.metadata.name != ''",
]


def _value(expression: str, data: Any) -> Any:
    program = compile_expression(expression, ROOTS)
    value = program.evaluate(activation(program.env, {"object": data}))
    return getattr(value, "message", value)  # errors compare by message


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_a_pruned_copy_gives_what_the_whole_document_gives(expression: str) -> None:
    program = compile_expression(expression, ROOTS)
    read = nd.needs([program.tree], ROOTS)
    for document in DOCUMENTS:
        pruned = nd.prune(document, nd.plan(read["object"]))
        assert _value(expression, pruned) == _value(expression, document), (expression, pruned)


def test_only_the_paths_read_are_copied() -> None:
    trees = [
        compile_expression(text, ROOTS).tree
        for text in (
            "object.metadata.name != ''",
            "object.spec.template.spec.containers.all(c, c.image != '')",
            "object.?spec.?replicas.orValue(1) > 0",
        )
    ]
    pruned = nd.prune(DOCUMENTS[0], nd.plan(nd.needs(trees, ROOTS)["object"]))
    assert pruned == {
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 3,
            "template": {"spec": {"containers": [{"image": "docker.io/nginx"}, {"image": "postgres:16"}]}},
        },
    }


def _rule_documents() -> list[Any]:
    import yaml

    found = []
    for path in [*ROOT.glob("docs/rules/*.yaml"), ROOT / "bench" / "rules" / "twenty.yaml"]:
        found += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return found


def _mutations(document: Any) -> list[Any]:
    out = []
    for path, value in [
        (("metadata", "id"), "org1"),
        (("metadata", "id"), 7),
        (("metadata", "severity"), "fatal"),
        (("metadata", "summary"), ""),
        (("metadata", "extra"), 1),
        (("spec", "validations"), "x"),
        (("spec", "validations", 0, "expression"), ""),
        (("spec", "validations", 0, "messageExpression"), True),
        (("spec", "match", "formats"), []),
        (("spec", "match", "tiers"), ["top"]),
        (("spec", "tests"), [{"file": "a.yaml", "expect": [{"id": "ORG001", "line": 0}]}]),
        (("spec", "tests"), [{"file": "a.yaml", "expect": [{"id": "ORG001", "line": True}]}]),
        (("kind",), "Rule"),
        (("spec", "variables"), [{"name": "1x", "expression": "true"}]),
    ]:
        changed = copy.deepcopy(document)
        node = changed
        for part in path[:-1]:
            node = node.setdefault(part, {}) if isinstance(node, dict) else node[part]
        node[path[-1]] = value
        out.append(changed)
    missing = copy.deepcopy(document)
    del missing["metadata"]["name"]
    return [*out, missing]


def test_the_quick_schema_check_agrees_with_jsonschema() -> None:
    schema = _rule_schema()
    validator = jsonschema.Draft202012Validator(schema)
    documents = _rule_documents()
    assert documents
    for document in documents:
        plain = json.loads(json.dumps(document))
        assert conforms(plain, schema, schema)  # valid files never need jsonschema
        for changed in _mutations(plain):
            if conforms(changed, schema, schema):
                assert validator.is_valid(changed), changed
            else:
                assert not validator.is_valid(changed), changed


VIEW_EXPRESSIONS = [
    "workload.units.all(u, u.privileged != true)",
    "workload.units.all(u, u.image == null || u.image.tag != 'latest')",
    "size(workload.hostPaths) == 0",
    "workload.host.network != true && workload.tier == 'high'",
    "workload.units[0].mounts.all(m, m.readOnly)",
    "workload.units.exists(u, u.env.exists(e, e.name.contains('PASS')))",
    "workload.units.map(u, u).size() > 0",
    "workload.all(k, k != '')",
    "string(workload.units[0]) != ''",
]


@pytest.mark.parametrize("expression", VIEW_EXPRESSIONS)
def test_a_partial_view_gives_what_the_whole_view_gives(expression: str) -> None:
    from vmlint.config import Config
    from vmlint.formats import load
    from vmlint.rules.views import ViewPart, workload_view

    program = compile_expression(expression, ROOTS)
    part = ViewPart.of(nd.needs([program.tree], ROOTS)["workload"])
    for fixture in sorted((ROOT / "docs" / "rules" / "fixtures").iterdir()):
        loaded = load(fixture.read_bytes(), fixture.name, Config(root=ROOT).classifier(), str(fixture))
        for workload in loaded.workloads:
            whole = program.evaluate(activation(program.env, {"workload": workload_view(workload)}))
            partial = program.evaluate(activation(program.env, {"workload": workload_view(workload, part)}))
            assert getattr(partial, "message", partial) == getattr(whole, "message", whole), (expression, fixture)


OBJECTS_EXPRESSIONS = [
    "objects.exists(o, o.kind == 'Service' && o.metadata.name == 'svc')",
    "objects.filter(o, o.kind == 'Deployment').all(d, d.spec.replicas > 1)",
    "objects.map(o, o.metadata).size() == 4",
    "objects[0].metadata.labels.team == 'a'",
    "size(objects) == 4 && objects.exists_one(o, has(o.data))",
]


@pytest.mark.parametrize("expression", OBJECTS_EXPRESSIONS)
def test_the_run_documents_copied_for_a_rule_give_what_the_whole_documents_give(expression: str) -> None:
    from vmlint.rules.evaluate import RunContext

    program = compile_expression(expression, frozenset({"objects"}))
    context = RunContext()
    context.start(copy.deepcopy(DOCUMENTS))
    copied = context.objects_for(nd.plan(nd.needs([program.tree], frozenset({"objects"}))["objects"]))
    whole = program.evaluate(activation(program.env, {"objects": DOCUMENTS}))
    assert program.evaluate(activation(program.env, {"objects": copied})) == whole is True
