"""The connection to a Valkyr service: base URL, API key, timeouts, pooled HTTP clients.

Every operation module (`valkyr_client.api.<tag>.<operation>`) takes it as
`client=`; the worker SDK (`valkyr_client.worker`) shares its connections.
"""

import ssl
from typing import Any, Self
from urllib.parse import urlsplit

import httpx
from attrs import define, evolve, field

# The spec's `servers[0].url`: the API's path under the service's root URL.
API_PREFIX = "/v1"
# Above the longest long-poll a claim may ask for (`waitSeconds` ≤ 30).
DEFAULT_TIMEOUT = httpx.Timeout(45.0, connect=5.0)


def api_base_url(url: str) -> str:
    """`http://host:8080` and `http://host:8080/v1` both address the API at `/v1`."""
    url = url.rstrip("/")
    return url if urlsplit(url).path.endswith(API_PREFIX) else url + API_PREFIX


@define
class Client:
    """A Valkyr service: `Client("http://127.0.0.1:8080", api_key=KEY)`.

    The key goes out as `Authorization: Bearer <key>`. Keyword arguments: `headers`,
    `cookies`, `timeout` (an `httpx.Timeout`; default 45 s, 5 s to connect),
    `verify_ssl`, `follow_redirects`, `httpx_args` (passed to `httpx.Client` and
    `httpx.AsyncClient`), `raise_on_unexpected_status` (raise
    `errors.UnexpectedStatus` for a status the spec does not list).
    """

    _base_url: str = field(alias="base_url", converter=api_base_url)
    api_key: str | None = field(default=None, kw_only=True, repr=False)
    raise_on_unexpected_status: bool = field(default=False, kw_only=True)
    _cookies: dict[str, str] = field(factory=dict, kw_only=True, alias="cookies")
    _headers: dict[str, str] = field(factory=dict, kw_only=True, alias="headers")
    _timeout: httpx.Timeout | None = field(default=DEFAULT_TIMEOUT, kw_only=True, alias="timeout")
    _verify_ssl: str | bool | ssl.SSLContext = field(default=True, kw_only=True, alias="verify_ssl")
    _follow_redirects: bool = field(default=False, kw_only=True, alias="follow_redirects")
    _httpx_args: dict[str, Any] = field(factory=dict, kw_only=True, alias="httpx_args")
    _client: httpx.Client | None = field(default=None, init=False)
    _async_client: httpx.AsyncClient | None = field(default=None, init=False)

    @property
    def base_url(self) -> str:
        return self._base_url

    def _all_headers(self) -> dict[str, str]:
        auth = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        return {**auth, **self._headers}

    def with_headers(self, headers: dict[str, str]) -> "Client":
        """A new client like this one with more headers."""
        return evolve(self, headers={**self._headers, **headers})

    def with_timeout(self, timeout: httpx.Timeout) -> "Client":
        """A new client like this one with another timeout."""
        return evolve(self, timeout=timeout)

    def _httpx_kwargs(self) -> dict[str, Any]:
        return {
            "base_url": self._base_url,
            "cookies": self._cookies,
            "headers": self._all_headers(),
            "timeout": self._timeout,
            "verify": self._verify_ssl,
            "follow_redirects": self._follow_redirects,
            **self._httpx_args,
        }

    def set_httpx_client(self, client: httpx.Client) -> Self:
        """Use this httpx.Client (its own settings replace this object's)."""
        self._client = client
        return self

    def get_httpx_client(self) -> httpx.Client:
        """The synchronous httpx.Client, made on first use."""
        if self._client is None:
            self._client = httpx.Client(**self._httpx_kwargs())
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Self:
        self.get_httpx_client().__enter__()
        return self

    def __exit__(self, *args: Any, **kwargs: Any) -> None:
        self.get_httpx_client().__exit__(*args, **kwargs)
        self._client = None

    def set_async_httpx_client(self, async_client: httpx.AsyncClient) -> Self:
        """Use this httpx.AsyncClient (its own settings replace this object's)."""
        self._async_client = async_client
        return self

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        """The asynchronous httpx.AsyncClient, made on first use."""
        if self._async_client is None:
            self._async_client = httpx.AsyncClient(**self._httpx_kwargs())
        return self._async_client

    async def aclose(self) -> None:
        if self._async_client is not None:
            await self._async_client.aclose()
            self._async_client = None

    async def __aenter__(self) -> Self:
        await self.get_async_httpx_client().__aenter__()
        return self

    async def __aexit__(self, *args: Any, **kwargs: Any) -> None:
        await self.get_async_httpx_client().__aexit__(*args, **kwargs)
        self._async_client = None


# The operation modules accept either name; with an API key a Client is authenticated.
AuthenticatedClient = Client
