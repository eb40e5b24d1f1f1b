"""Workflow step validation: defaults, DAG rules, retry sanity, reference scope."""

import math
from typing import Any

import pytest

from custom.workflows.dag import CycleError, find_cycle, ready_steps, topological_order
from custom.workflows.validation import WorkflowValidationError, validate_steps


def step(key: str, *deps: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "module": "noop", "dependsOn": list(deps), **extra}


def invalid(steps: list[dict[str, Any]]) -> WorkflowValidationError:
    with pytest.raises(WorkflowValidationError) as info:
        validate_steps(steps)
    return info.value


def test_defaults_are_filled_and_input_not_mutated() -> None:
    raw = [{"key": "a", "module": "noop"}]
    [out] = validate_steps(raw)
    assert out == {
        "key": "a",
        "module": "noop",
        "config": {},
        "inputs": {},
        "dependsOn": [],
        "retry": {
            "maxAttempts": 3,
            "initialBackoffSeconds": 1,
            "backoffMultiplier": 2,
            "maxBackoffSeconds": 300,
            "jitter": True,
        },
        "timeoutSeconds": 300,
        "circuitBreaker": None,
        "rateLimit": None,
    }
    assert raw == [{"key": "a", "module": "noop"}]


def test_partial_retry_is_merged_with_defaults() -> None:
    [out] = validate_steps([step("a", retry={"maxAttempts": 5, "jitter": False})])
    assert out["retry"]["maxAttempts"] == 5
    assert out["retry"]["jitter"] is False
    assert out["retry"]["maxBackoffSeconds"] == 300


def test_design_example_is_valid() -> None:
    steps = [
        {
            "key": "charge",
            "module": "http",
            "config": {"method": "POST", "url": "https://payments.example/charges"},
            "inputs": {"amount": "${inputs.amount}", "customer": "${inputs.customer}"},
            "retry": {
                "maxAttempts": 5,
                "initialBackoffSeconds": 1,
                "backoffMultiplier": 2,
                "maxBackoffSeconds": 60,
            },
            "timeoutSeconds": 30,
            "circuitBreaker": "payments",
        },
        {
            "key": "receipt",
            "module": "transform",
            "dependsOn": ["charge"],
            "inputs": {"chargeId": "${steps.charge.output.id}"},
        },
        {
            "key": "email",
            "module": "mailer.send",
            "dependsOn": ["receipt"],
            "inputs": {"to": "${inputs.email}", "chargeId": "${steps.receipt.output.chargeId}"},
        },
    ]
    out = validate_steps(steps)
    assert [s["key"] for s in out] == ["charge", "receipt", "email"]
    assert out[0]["circuitBreaker"] == "payments"


def test_duplicate_step_key() -> None:
    err = invalid([step("a"), step("a")])
    assert err.step_key == "a" and err.field == "key"
    assert "'a'" in str(err)


@pytest.mark.parametrize(
    ("steps", "bad_step", "fragment"),
    [
        ([step("a", "zzz")], "a", "unknown"),
        ([step("a", "a")], "a", "itself"),
        ([step("a"), step("b", "a", "a")], "b", "twice"),
    ],
)
def test_bad_depends_on(steps: list[dict[str, Any]], bad_step: str, fragment: str) -> None:
    err = invalid(steps)
    assert err.step_key == bad_step and err.field == "dependsOn"
    assert fragment in str(err)


def test_cycle_names_a_step_and_the_path() -> None:
    err = invalid([step("a", "c"), step("b", "a"), step("c", "b"), step("d")])
    assert err.field == "dependsOn"
    assert err.step_key in {"a", "b", "c"}
    message = str(err)
    assert "cycle" in message
    for key in ("a", "b", "c"):
        assert key in message
    assert "d ->" not in message


def test_cycle_path_follows_depends_on() -> None:
    # a depends on c, c on b, b on a: read along dependsOn, from the first step declared
    err = invalid([step("a", "c"), step("b", "a"), step("c", "b")])
    assert "dependency cycle: a -> c -> b -> a" in str(err)
    assert err.step_key == "a"
    assert find_cycle([step("x"), step("y", "x", "z"), step("z", "y")]) == ["y", "z", "y"]
    assert find_cycle([step("a"), step("b", "a"), step("c", "a", "b")]) is None


@pytest.mark.parametrize(
    ("retry", "field"),
    [
        ({"maxAttempts": 0}, "retry.maxAttempts"),
        ({"maxAttempts": 101}, "retry.maxAttempts"),
        ({"maxAttempts": 2.5}, "retry.maxAttempts"),
        ({"maxAttempts": True}, "retry.maxAttempts"),
        ({"initialBackoffSeconds": -1}, "retry.initialBackoffSeconds"),
        ({"initialBackoffSeconds": math.nan}, "retry.initialBackoffSeconds"),
        ({"maxBackoffSeconds": math.inf}, "retry.maxBackoffSeconds"),
        ({"maxBackoffSeconds": -5}, "retry.maxBackoffSeconds"),
        ({"backoffMultiplier": 0.5}, "retry.backoffMultiplier"),
        ({"backoffMultiplier": "2"}, "retry.backoffMultiplier"),
        ({"initialBackoffSeconds": 10, "maxBackoffSeconds": 5}, "retry.initialBackoffSeconds"),
        ({"jitter": "yes"}, "retry.jitter"),
        ({"bogus": 1}, "retry"),
    ],
)
def test_bad_retry(retry: dict[str, Any], field: str) -> None:
    err = invalid([step("a", retry=retry)])
    assert err.step_key == "a"
    assert err.field == field


@pytest.mark.parametrize("timeout", [0, -1, math.nan, math.inf, "10"])
def test_bad_timeout(timeout: Any) -> None:
    err = invalid([step("a", timeoutSeconds=timeout)])
    assert err.step_key == "a" and err.field == "timeoutSeconds"


def test_reference_to_transitive_ancestor_is_allowed() -> None:
    validate_steps([step("a"), step("b", "a"), step("c", "b", inputs={"x": "${steps.a.output.x}"})])


@pytest.mark.parametrize(
    "ref", ["${steps.b.output}", "${steps.c.output.x}", "${steps.nope.output}"]
)
def test_reference_to_non_ancestor_is_rejected(ref: str) -> None:
    # b is a sibling of c (not an ancestor); c references itself; nope does not exist.
    err = invalid([step("a"), step("b", "a"), step("c", "a", inputs={"deep": [{"v": ref}]})])
    assert err.step_key == "c"
    assert err.field == "inputs.deep.0.v"


def test_malformed_step_reference_is_rejected() -> None:
    err = invalid([step("a"), step("b", "a", inputs={"x": "${steps.a.result}"})])
    assert err.step_key == "b"


@pytest.mark.parametrize(
    "bad",
    [
        {"module": "noop"},
        {"key": "", "module": "noop"},
        {"key": "a.b", "module": "noop"},
        {"key": "a", "module": ""},
        {"key": "a", "module": "noop", "inputs": []},
        {"key": "a", "module": "noop", "config": "x"},
        {"key": "a", "module": "noop", "dependsOn": "b"},
        {"key": "a", "module": "noop", "circuitBreaker": ""},
        "not-an-object",
    ],
)
def test_malformed_steps(bad: Any) -> None:
    invalid([bad])


def test_topological_order_is_stable_and_respects_dependencies() -> None:
    steps = validate_steps([step("d", "b", "c"), step("b", "a"), step("c", "a"), step("a")])
    assert topological_order(steps) == ["a", "b", "c", "d"]
    assert topological_order([step("x"), step("y"), step("z")]) == ["x", "y", "z"]


def test_topological_order_raises_on_cycle() -> None:
    with pytest.raises(CycleError) as info:
        topological_order([step("a", "b"), step("b", "a")])
    assert info.value.cycle[0] == info.value.cycle[-1]


def test_ready_steps() -> None:
    steps = validate_steps([step("a"), step("b", "a"), step("c", "a"), step("d", "b", "c")])
    keys = lambda done, started: [s["key"] for s in ready_steps(steps, done, started)]  # noqa: E731
    assert keys(set(), set()) == ["a"]
    assert keys(set(), {"a"}) == []
    assert keys({"a"}, {"a"}) == ["b", "c"]
    assert keys({"a", "b"}, {"a", "b", "c"}) == []
    assert keys({"a", "b", "c"}, {"a", "b", "c"}) == ["d"]
    assert keys({"a", "b", "c", "d"}, {"a", "b", "c", "d"}) == []


def test_long_chain_does_not_hit_recursion_limit() -> None:
    steps = [step("s0")] + [step(f"s{i}", f"s{i - 1}") for i in range(1, 3000)]
    steps[-1]["inputs"] = {"root": "${steps.s0.output}"}
    assert topological_order(validate_steps(steps))[-1] == "s2999"
