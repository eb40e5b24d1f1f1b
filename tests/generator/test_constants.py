"""generated/constants.py: the spec's facts (enums, `x-constant`, `x-engine`) as Python.

Functional: the small spec's constants module is generated, imported and used;
spec mistakes about facts are SpecErrors naming the place. (Its golden record is
tests/generator/golden/constants.py, compared by test_generator.py.)
"""

from __future__ import annotations

import copy
import importlib.util
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from templates.generate import generate
from templates.parser import SpecError, parse

SPEC = Path(__file__).parent / "spec_small.yaml"


def small_spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC.read_text())


@pytest.fixture(scope="module")
def constants(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    out = tmp_path_factory.mktemp("constants") / "generated"
    generate(SPEC, out, models=False)
    found = importlib.util.spec_from_file_location("small_constants", out / "constants.py")
    assert found is not None and found.loader is not None
    module = importlib.util.module_from_spec(found)
    found.loader.exec_module(module)
    return module


def test_string_enums_become_str_enums(constants: ModuleType) -> None:
    color = constants.Color
    assert [m.value for m in color] == ["red", "green", "3d-grey"]
    assert color.RED == "red" and color("3d-grey") is color._3D_GREY
    assert f"{color.GREEN}" == "green"  # formats as its value: usable in SQL parameters and JSON
    assert color.__doc__ == "A widget's colour"


def test_x_constant_on_a_property_exports_its_facts(constants: ModuleType) -> None:
    pattern = re.compile(constants.WIDGET_NAME_PATTERN)
    assert pattern.match("blue-1") and not pattern.match("-blue")
    assert (constants.WIDGET_NAME_MIN_LENGTH, constants.WIDGET_NAME_MAX_LENGTH) == (1, 40)


def test_x_constant_on_a_schema_exports_defaults_and_bounds(constants: ModuleType) -> None:
    assert dict(constants.WIDGET_DEFAULTS) == {"count": 0, "fragile": False}
    assert dict(constants.WIDGET_MINIMUMS) == {"weight": 0}
    assert dict(constants.WIDGET_MAXIMUMS) == {"weight": 1000.5}
    with pytest.raises(TypeError):
        constants.WIDGET_DEFAULTS["count"] = 1  # read-only: nobody changes a fact by accident


def test_x_engine_facts_are_named_in_screaming_snake_case(constants: ModuleType) -> None:
    assert constants.EVENT_CHANNEL == "gen_widget_events"
    assert constants.MAX_POLISHES == 3 and isinstance(constants.MAX_POLISHES, int)


def _broken(change: Any) -> dict[str, Any]:
    spec = copy.deepcopy(small_spec())
    change(spec)
    return spec


def _schemas(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["components"]["schemas"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            lambda s: _schemas(s)["Owner"]["properties"]["name"].update(
                {"x-constant": "WIDGET_NAME", "maxLength": 50}
            ),
            "Widget/properties/name maxLength: WIDGET_NAME_MAX_LENGTH = 40 disagrees with "
            "#/components/schemas/Owner/properties/name maxLength (50)",
        ),
        (
            lambda s: _schemas(s)["Widget"].update({"x-constant": "widget"}),
            "'widget_DEFAULTS' is not a SCREAMING_SNAKE constant name",
        ),
        (
            lambda s: _schemas(s)["Color"].update(enum=["a-b", "a_b"]),
            "Color: enum values ['a-b', 'a_b'] do not give distinct member names",
        ),
        (
            lambda s: s["x-engine"].update(eventChannel=["a", "b"]),
            "['a', 'b'] is not a scalar",
        ),
    ],
    ids=["same-name-other-value", "lowercase-name", "enum-member-clash", "x-engine-list"],
)
def test_fact_mistakes_are_spec_errors(change: Any, words: str) -> None:
    with pytest.raises(SpecError) as err:
        parse(_broken(change))
    assert words in str(err.value)


def test_the_same_fact_stated_twice_alike_is_one_constant() -> None:
    spec = _broken(
        lambda s: _schemas(s)["Owner"]["properties"]["name"].update(
            {
                "x-constant": "WIDGET_NAME",
                "minLength": 1,
                "maxLength": 40,
                "pattern": "^[a-z0-9][a-z0-9-]*$",
            }
        )
    )
    names = [c.name for c in parse(spec).constants.values]
    assert names.count("WIDGET_NAME_PATTERN") == 1
