"""Step input references resolve whole-string ${...} values with their JSON type."""

import pytest

from custom.workflows.references import (
    InputReferenceError,
    referenced_steps,
    resolve_inputs,
)

INPUTS = {"amount": 42, "customer": {"id": "c1", "tags": ["a", "b"]}, "flag": False, "n": None}
OUTPUTS = {"charge": {"id": "ch_1", "lines": [{"sku": "x"}]}, "plain": 7}


def test_input_reference_keeps_json_type() -> None:
    template = {"amount": "${inputs.amount}", "flag": "${inputs.flag}", "n": "${inputs.n}"}
    assert resolve_inputs(template, INPUTS, OUTPUTS) == {"amount": 42, "flag": False, "n": None}


def test_nested_paths_objects_and_list_indices() -> None:
    template = {
        "customer": "${inputs.customer}",
        "id": "${inputs.customer.id}",
        "tag": "${inputs.customer.tags.1}",
        "list": ["${inputs.amount}", {"deep": "${steps.charge.output.lines.0.sku}"}],
    }
    assert resolve_inputs(template, INPUTS, OUTPUTS) == {
        "customer": INPUTS["customer"],
        "id": "c1",
        "tag": "b",
        "list": [42, {"deep": "x"}],
    }


def test_step_output_reference_whole_and_path() -> None:
    assert resolve_inputs("${steps.charge.output}", INPUTS, OUTPUTS) == OUTPUTS["charge"]
    assert resolve_inputs("${steps.plain.output}", INPUTS, OUTPUTS) == 7
    assert resolve_inputs("${steps.charge.output.id}", INPUTS, OUTPUTS) == "ch_1"


def test_non_reference_values_are_taken_as_is() -> None:
    template = {
        "text": "amount is ${inputs.amount}",
        "prefix": "${inputs.amount} dollars",
        "unclosed": "${inputs.amount",
        "other_root": "${env.HOME}",
        "dollar": "$inputs.amount",
        "num": 1.5,
        "none": None,
        "bool": True,
    }
    assert resolve_inputs(template, INPUTS, OUTPUTS) == template


def test_resolve_does_not_mutate_template() -> None:
    template = {"a": ["${inputs.amount}"]}
    resolve_inputs(template, INPUTS, OUTPUTS)
    assert template == {"a": ["${inputs.amount}"]}


@pytest.mark.parametrize(
    "ref",
    [
        "${inputs.missing}",
        "${inputs.customer.missing}",
        "${inputs.customer.tags.5}",
        "${inputs.customer.tags.x}",
        "${inputs.amount.x}",
        "${steps.unknown.output}",
        "${steps.charge.output.nope}",
        "${steps.charge}",
        "${steps.charge.result}",
    ],
)
def test_missing_path_raises_input_reference_error(ref: str) -> None:
    with pytest.raises(InputReferenceError) as info:
        resolve_inputs({"x": ref}, INPUTS, OUTPUTS)
    assert isinstance(info.value, ValueError)
    assert info.value.reference == ref
    assert info.value.reason


def test_referenced_steps_collects_every_step_key() -> None:
    template = {
        "a": "${steps.charge.output.id}",
        "b": ["${steps.receipt.output}", {"c": "${inputs.x}"}],
        "d": "text ${steps.ignored.output}",
    }
    assert referenced_steps(template) == {"charge", "receipt"}
    assert referenced_steps("${inputs.a}") == set()
