"""connexion's per-operation work done once per operation instead of once per request.

connexion 3.3 rebuilds, on every request, things that depend only on the operation:
- `AsyncOperation.fn` wraps the handler in its parameter and response decorators
  again, and the parameter decorator calls `inspect.signature` on the handler;
- the parameter decorator turns each parameter's name into a Python one (several
  regular expressions per name);
- the decorator builds a URI parser from the operation's parameters;
- the security handlers call `inspect.signature` on the key check (twice) to see
  which keywords it takes;
- `RequestValidationOperation` builds a URI parser, a parameter validator and a body
  validator (and so a jsonschema validator) from the operation's schemas.

None of them keeps per-request state (the request travels in the call's arguments and
connexion's context variables), so here they are built at the first request of an
operation and reused. Validation itself, its rules and its errors stay connexion's
and custom/app/validators.py's: only the construction moves.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from connexion import AsyncApp
from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.context import _operation as current_operation
from connexion.context import receive as current_receive
from connexion.context import scope as current_scope
from connexion.decorators import StarletteDecorator
from connexion.decorators.parameter import AsyncParameterDecorator
from connexion.middleware.main import ConnexionMiddleware
from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
)
from connexion.middleware.request_validation import (
    logger as validation_logger,
)
from connexion.security import SECURITY_HANDLERS, AbstractSecurityHandler
from connexion.utils import is_nullable
from starlette.types import Receive, Scope, Send

# body validators kept per operation: one per (media type, charset) a client sent that
# the operation accepts; a client choosing odd charsets gets fresh ones past this
MAX_BODY_VALIDATORS = 8


# names turned into Python ones: the spec's, and whatever query names clients send
SANITIZED_NAMES = 1024


class OnceParameterDecorator(AsyncParameterDecorator):
    """connexion's parameter binding, remembering what each name became."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sanitize_fn = functools.lru_cache(maxsize=SANITIZED_NAMES)(self.sanitize_fn)


class OnceDecorator(StarletteDecorator):
    """Decorates the handler once and builds each operation's URI parser once."""

    @property
    def _parameter_decorator_cls(self) -> type[AsyncParameterDecorator]:
        return OnceParameterDecorator

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._parser: tuple[Any, Any] = (None, None)  # (operation, its URI parser)

    @property
    def uri_parser(self) -> Any:
        # one decorator serves one routed operation; the check keeps it right if not
        op = current_operation.get()
        if self._parser[0] is not op:
            cls = self.uri_parser_class or op.uri_parser_class
            self._parser = (op, cls(op.parameters, op.body_definition()))
        return self._parser[1]

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        decorated = self.decorate(function)

        @functools.wraps(function)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            request = self.framework.get_request(
                uri_parser=self.uri_parser, scope=current_scope, receive=current_receive
            )
            return await decorated(request)

        return wrapper


class OnceOperation(AsyncOperation):
    @functools.cached_property
    def fn(self) -> Callable[..., Any]:
        decorator = OnceDecorator(pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)
        return decorator(self._fn)


class OnceApi(AsyncApi):
    def make_operation(self, operation: Any) -> AsyncOperation:
        return OnceOperation.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )


class OnceValidationOperation(RequestValidationOperation):
    """connexion's request validation with its validators built once per operation."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._body_validators: dict[tuple[str, str], Any] = {}

    @functools.cached_property
    def _parameter_validator(self) -> Any:
        op = self._operation
        return self._validator_map["parameter"](
            op.parameters,
            uri_parser=op._uri_parser_class(op.parameters, op.body_definition()),
            strict_validation=self.strict_validation,
            security_query_params=self.security_query_params,
        )

    def _body_validator(self, mime_type: str, encoding: str) -> Any:
        key = (mime_type, encoding)
        if key in self._body_validators:
            return self._body_validators[key]
        validator = self._new_body_validator(mime_type, encoding)
        if len(self._body_validators) < MAX_BODY_VALIDATORS:
            self._body_validators[key] = validator
        return validator

    def _new_body_validator(self, mime_type: str, encoding: str) -> Any:
        """What connexion's `__call__` builds for a body of this type (None: no check)."""
        op = self._operation
        schema = op.body_schema(mime_type)
        if not schema:
            return None
        try:
            body_validator = self._validator_map["body"][mime_type]
        except KeyError:
            validation_logger.info(
                f"Skipping validation. No validator registered for content type: {mime_type}."
            )
            return None
        return body_validator(
            schema=schema,
            required=op.request_body.get("required", False),
            nullable=is_nullable(op.body_definition(mime_type)),
            encoding=encoding,
            strict_validation=self.strict_validation,
            uri_parser=op.uri_parser_class(op.parameters, op.body_definition()),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._parameter_validator.validate(scope)
        mime_type, encoding = self.extract_content_type(scope["headers"])
        self.validate_mime_type(mime_type)
        validator = self._body_validator(mime_type, encoding)
        if validator is not None:
            receive, scope = await validator.wrap_receive(receive, scope=scope)
        await self.next_app(scope, receive, send)


class OnceValidationApi(RequestValidationAPI):
    def make_operation(self, operation: Any) -> RequestValidationOperation:
        return OnceValidationOperation(
            self.next_app,
            operation=operation,
            strict_validation=self.strict_validation,
            validator_map=self.validator_map,
        )


class OnceValidationMiddleware(RequestValidationMiddleware):
    api_cls = OnceValidationApi


def middlewares() -> list[Any]:
    """connexion's default stack with request validation that builds once."""
    return [
        OnceValidationMiddleware if m is RequestValidationMiddleware else m
        for m in ConnexionMiddleware.default_middlewares
    ]


# whether a key check takes `required_scopes` / `request`: its signature does not change
_accepts_kwarg = functools.lru_cache(maxsize=64)(AbstractSecurityHandler._accepts_kwarg)


def security_map() -> dict[str, type[AbstractSecurityHandler]]:
    """connexion's security handlers, each reading a check's signature once."""
    return {
        scheme: type(
            f"Once{cls.__name__}", (cls,), {"_accepts_kwarg": staticmethod(_accepts_kwarg)}
        )
        for scheme, cls in SECURITY_HANDLERS.items()
    }


class OnceApp(AsyncApp):
    """connexion's AsyncApp whose operations decorate their handler once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("middlewares", middlewares())
        kwargs.setdefault("security_map", security_map())
        super().__init__(*args, **kwargs)
        # the inner app makes its APIs from this class when the middleware stack is built
        self._middleware_app.api_cls = OnceApi  # type: ignore[assignment]
