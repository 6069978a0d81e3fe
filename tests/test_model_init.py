"""The model's frozen dataclasses: Fact's faster constructor behaves as the dataclass one; containers()."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

import vmlint.model as model
from vmlint.model import Fact, Resources, Unit, Workload

CLASSES = [c for c in vars(model).values() if isinstance(c, type) and dataclasses.is_dataclass(c)]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_each_model_class_takes_its_fields_in_order_and_stays_frozen(cls: type) -> None:
    fields = [f for f in dataclasses.fields(cls) if f.init]  # Workload._containers is worked out, not given
    assert list(inspect.signature(cls.__init__).parameters)[1:] == [f.name for f in fields]
    required = [f for f in fields if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    instance = cls(*(object() for _ in required))
    for item in fields:
        if item.default is not dataclasses.MISSING:
            assert getattr(instance, item.name) == item.default
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(instance, fields[0].name, None)


def test_keywords_defaults_and_factories() -> None:
    fact = Fact(1, ("a",), explicit=False)
    assert (fact.value, fact.path, fact.explicit) == (1, ("a",), False)
    assert Fact(path=("b",), value=2) == Fact(2, ("b",), True)
    assert hash(Fact(2, ("b",))) == hash(Fact(2, ("b",), True))
    first = Workload("kubernetes", "Pod", "p", None, "f", {}, (), "service", fact, "container", fact)
    second = dataclasses.replace(first, name="q")
    other = Workload("kubernetes", "Pod", "o", None, "f", {}, (), "service", fact, "container", fact)
    assert first.labels == {} and first.labels is not other.labels  # a fresh dict each time
    assert (second.name, second.units, second.acts_as) == ("q", (), "")
    given = {"app": "web"}
    assert dataclasses.replace(first, labels=given).labels is given
    with pytest.raises(TypeError):
        Fact(1)  # type: ignore[call-arg]


def test_containers_are_the_units_that_are_not_vm_guests() -> None:
    fact = Fact(None, ())

    def unit(name: str, kind: str) -> Unit:
        return Unit(name, kind, (), None, *(fact,) * 5, (), (), (), fact, fact, Resources(*(fact,) * 4), fact, fact)  # type: ignore[arg-type]

    pod = Workload("kubernetes", "Pod", "p", None, "f", {}, (), "service", fact, "container", fact)
    containers = (unit("init", "init"), unit("app", "container"))
    assert dataclasses.replace(pod, units=containers).containers() == containers
    vm = dataclasses.replace(pod, units=(unit("guest", "guest"), *containers, unit("debug", "ephemeral")))
    assert [u.name for u in vm.containers()] == ["init", "app", "debug"]
