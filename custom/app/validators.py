"""Request validators for connexion: concise 400 details, and optional bodies that may be absent.

connexion 3.3's stock validators
- answer a missing *optional* JSON body with "Request body must not be empty"
  (a 400 for a request the spec allows), and
- put the whole `str(ValidationError)` (schema, instance, traceback-like text)
  into the problem `detail`.

These subclasses fix both; `create_app()` installs them through `validator_map`. Every
validator here checks formats with our own checker (custom/app/formats.py), never by
changing jsonschema's global one.
A detail reads like `body.steps[0].retry.maxAttempts: must be at most 100` or
`query parameter 'limit': must be of type integer`, and the problem carries the
same in `errors: [{"in", "name"/"path", "message"}]`.
"""

from __future__ import annotations

import copy
import functools
import json
import math
from collections.abc import Iterable
from typing import Any

from connexion.exceptions import BadRequestProblem
from connexion.json_schema import Draft4RequestValidator, Draft4ResponseValidator
from connexion.utils import is_null, is_nullable
from connexion.validators import (
    VALIDATOR_MAP,
    FormDataValidator,
    JSONRequestBodyValidator,
    JSONResponseBodyValidator,
    MultiPartFormDataValidator,
    ParameterValidator,
    TextResponseBodyValidator,
)
from jsonschema import Draft4Validator, ValidationError

from custom.app.formats import FORMAT_CHECKER

MAX_SHOWN = 80  # characters of a rejected value shown back in a detail


class InvalidRequest(BadRequestProblem):
    """A 400 for input that does not match the spec, with a short detail and `errors`."""

    def __init__(self, detail: str, error: dict[str, Any]) -> None:
        super().__init__(detail=detail)
        self.type = "/problems/invalid-request"
        self.ext = {"errors": [error]}


def shown(value: Any) -> str:
    """A rejected value, shortened so a huge input is not echoed back."""
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


def json_path(parts: Iterable[Any]) -> str:
    """`['steps', 0, 'retry']` → `steps[0].retry`."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


COUNTED = {
    "minLength": "must be at least {} characters long",
    "maxLength": "must be at most {} characters long",
    "minItems": "must have at least {} items",
    "maxItems": "must have at most {} items",
    "minProperties": "must have at least {} properties",
    "maxProperties": "must have at most {} properties",
    "multipleOf": "must be a multiple of {}",
}


def describe(error: ValidationError) -> str:
    """One short sentence for a JSON-schema error (no schema dump, value shortened)."""
    kind, limit = str(error.validator), error.validator_value
    if kind in COUNTED:
        message = COUNTED[kind].format(limit)
    elif kind == "type":
        types = [limit] if isinstance(limit, str) else list(limit)
        message = "must be of type " + " or ".join(types)
    elif kind == "format":
        message = f"{shown(error.instance)} is not a valid {limit}"
    elif kind == "enum":
        message = "must be one of " + ", ".join(map(str, limit))
    elif kind == "pattern":
        message = f"{shown(error.instance)} does not match {limit!r}"
    elif kind == "minimum":
        exclusive = error.schema.get("exclusiveMinimum")
        message = f"must be {'above' if exclusive else 'at least'} {limit}"
    elif kind == "maximum":
        exclusive = error.schema.get("exclusiveMaximum")
        message = f"must be {'below' if exclusive else 'at most'} {limit}"
    elif kind == "uniqueItems":
        message = "must not contain duplicates"
    else:
        message = error.message
    return message if len(message) <= 300 else message[:297] + "..."


class ConciseParameterValidator(ParameterValidator):
    """Path, query and header parameters, with short details."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # each parameter's jsonschema validator, built at its first use (one of these
        # objects serves one operation: custom/app/operations.py)
        self._schema_validators: dict[str, Draft4Validator] = {}

    def _schema_validator(self, parameter_type: str, param: dict[str, Any]) -> Draft4Validator:
        key = f"{parameter_type}:{param.get('name')}"
        validator = self._schema_validators.get(key)
        if validator is None:
            schema = copy.deepcopy(param).get("schema", param)
            validator = Draft4Validator(schema, format_checker=FORMAT_CHECKER)
            self._schema_validators[key] = validator
        return validator

    def validate_parameter(
        self,
        parameter_type: str,
        value: Any,
        param: dict[str, Any],
        param_name: str | None = None,
    ) -> str | None:
        name = param_name or param.get("name")
        if is_nullable(param) and is_null(value):
            return None
        if value is None:
            if param.get("required"):
                return f"{parameter_type} parameter '{name}' is required"
            return None
        try:
            self._schema_validator(parameter_type, param).validate(value)
        except ValidationError as exc:
            return f"{parameter_type} parameter '{name}': {describe(exc)}"
        return None

    def validate_request(self, request: Any) -> None:
        try:
            super().validate_request(request)
        except BadRequestProblem as exc:
            if isinstance(exc, InvalidRequest) or type(exc) is not BadRequestProblem:
                raise
            detail = str(exc.detail)
            kind, _, rest = detail.partition(" parameter '")
            name = rest.split("'", 1)[0]
            raise InvalidRequest(detail, {"in": kind, "name": name, "message": detail}) from None


class NonFiniteNumber(ValueError):
    """A number JSON allows but nothing here can hold (NaN, ±Infinity, huge integers)."""


def _no_constant(name: str) -> Any:
    # Python's json reads NaN and ±Infinity; JSON has no such numbers, and a double
    # column would store them and then answer with invalid JSON.
    raise NonFiniteNumber(f"{name} is not a JSON number")


# Python refuses to read integers longer than this (CVE-2020-10735), with a ValueError
# that is not a JSONDecodeError
MAX_INT_DIGITS = 4300


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise NonFiniteNumber(f"an integer has {digits} digits (at most {MAX_INT_DIGITS})")
    return int(text)


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise NonFiniteNumber(f"{shown(text)} is too large for a number")
    return value


def _body_error(detail: str, message: str) -> InvalidRequest:
    return InvalidRequest(detail, {"in": "body", "path": "", "message": message})


class OptionalBodyJSONValidator(JSONRequestBodyValidator):
    """JSON bodies: an absent optional body passes; errors are short and located."""

    async def wrap_receive(self, receive: Any, *, scope: Any) -> Any:
        try:
            return await super().wrap_receive(receive, scope=scope)
        except BadRequestProblem as exc:
            if type(exc) is BadRequestProblem and exc.detail == "RequestBody is required":
                raise _body_error("The request body is required", "required") from None
            raise

    async def _parse(self, stream: Any, scope: Any) -> Any:
        raw = b"".join([chunk async for chunk in stream])
        try:
            text = raw.decode(self._encoding)
        except (UnicodeDecodeError, LookupError):
            raise _body_error("The request body is not valid UTF-8", "not UTF-8") from None
        if not text:
            return None
        try:
            return json.loads(
                text, parse_constant=_no_constant, parse_float=_finite, parse_int=_bounded_int
            )
        except json.JSONDecodeError as exc:
            raise _body_error(f"The request body is not valid JSON: {exc}", str(exc)) from None
        except NonFiniteNumber as exc:
            raise _body_error(f"The request body is not valid JSON: {exc}", str(exc)) from None
        except RecursionError:
            raise _body_error("The request body is nested too deeply", "too deep") from None

    @functools.cached_property
    def _validator(self) -> Any:
        # one per validator object, and custom/app/operations.py keeps those per operation
        return Draft4RequestValidator(self._schema, format_checker=FORMAT_CHECKER)

    def _validate(self, body: Any) -> dict[str, Any] | None:
        if body is None:
            if self._nullable or not self._required:
                return None
            raise InvalidRequest(
                "The request body is required", {"in": "body", "path": "", "message": "required"}
            )
        try:
            self._validator.validate(body)
        except ValidationError as exc:
            path = json_path(exc.absolute_path)
            message = describe(exc)
            where = f"body.{path}" if path and not path.startswith("[") else f"body{path}"
            raise InvalidRequest(
                f"{where}: {message}", {"in": "body", "path": path, "message": message}
            ) from None
        return None


class PrivateFormatsFormValidator(FormDataValidator):
    @functools.cached_property
    def _validator(self) -> Any:
        return Draft4RequestValidator(self._schema, format_checker=FORMAT_CHECKER)


# the stock multipart / text validators with the checker above (it comes first in the MRO)
class PrivateFormatsMultiPartValidator(PrivateFormatsFormValidator, MultiPartFormDataValidator):
    pass


class PrivateFormatsJSONResponseValidator(JSONResponseBodyValidator):
    @property
    def validator(self) -> Any:
        return Draft4ResponseValidator(self._schema, format_checker=FORMAT_CHECKER)


class PrivateFormatsTextResponseValidator(
    PrivateFormatsJSONResponseValidator, TextResponseBodyValidator
):
    pass


def validator_map() -> dict[str, Any]:
    body = copy.copy(VALIDATOR_MAP["body"])
    body["*/*json"] = OptionalBodyJSONValidator
    body["application/x-www-form-urlencoded"] = PrivateFormatsFormValidator
    body["multipart/form-data"] = PrivateFormatsMultiPartValidator
    response = copy.copy(VALIDATOR_MAP["response"])
    response["*/*json"] = PrivateFormatsJSONResponseValidator
    response["text/plain"] = PrivateFormatsTextResponseValidator
    return {"parameter": ConciseParameterValidator, "body": body, "response": response}
