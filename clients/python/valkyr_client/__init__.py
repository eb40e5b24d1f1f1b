"""A client library for accessing Valkyr Workflow Engine.

`Client` is the connection; `valkyr_client.api.<tag>.<operation>` has one module per
operation of the spec (`sync`, `sync_detailed`, `asyncio`, `asyncio_detailed`);
`valkyr_client.models` the request and response types; `valkyr_client.worker` the
worker SDK. The version is the spec's.
"""

from .client import AuthenticatedClient, Client

__version__ = "0.1.0"

__all__ = (
    "AuthenticatedClient",
    "Client",
)
