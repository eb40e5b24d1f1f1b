"""The operator console at `/`: the built single-page app of `ui/`, beside the API.

Everything under `/v1` goes to the API untouched. Other GET/HEAD requests get the
console: `/assets/<file>` (content-hashed names, cached for good), and every other
path its `index.html` (the app routes in the browser: a shared link to
`/executions/<id>` opens that view), never cached, so a rebuilt console is seen at
the next load. The build is looked for on every request, so `make console` while
the service runs needs no restart; without one, `/` answers a page that says how to
build it, and the API serves as always.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from generated.operations import BASE_PATH

FOREVER = "public, max-age=31536000, immutable"  # asset names change with their content
ASSET = re.compile(r"^/assets/([A-Za-z0-9][A-Za-z0-9._-]*)$")
# what the console may load: only itself (styles inline: Mantine sets CSS variables)
HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Valkyr console not built</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem}}
code{{background:#f1f3f5;padding:.1rem .3rem;border-radius:3px}}</style></head>
<body><h1>The operator console is not built</h1>
<p>The API is up at <a href="{base}/health"><code>{base}</code></a> (Swagger UI at
<a href="{base}/ui/"><code>{base}/ui/</code></a>), but no build of the console was found in
<code>{dist}</code>.</p>
<p>Build it with <code>make console</code> (it needs Node.js 20.19 or newer with npm:
<code>npm ci</code> then <code>vite build</code> in <code>ui/</code>, about 20 seconds), then
reload this page. <code>make run</code> builds it by itself on first use when Node.js is
installed.</p></body></html>
"""


class ConsoleApp:
    """`/v1/*` → the API; any other GET/HEAD → the console (or how to build it)."""

    def __init__(self, api: ASGIApp, dist: Path) -> None:
        self.api = api
        self.dist = dist
        self._console = GZipMiddleware(self._serve, minimum_size=1024)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or path == BASE_PATH
            or path.startswith(BASE_PATH + "/")
            or scope["method"] not in ("GET", "HEAD")
        ):
            await self.api(scope, receive, send)
            return
        await self._console(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = self._response(scope["path"])
        response.headers.update(HEADERS)
        await response(scope, receive, send)

    def _response(self, path: str) -> Response:
        index = self.dist / "index.html"
        if not index.is_file():
            page = NOT_BUILT.format(base=BASE_PATH, dist=html.escape(str(self.dist)))
            return HTMLResponse(page, headers={"cache-control": "no-cache"})
        asset = ASSET.match(path)
        if asset:
            file = self.dist / "assets" / asset.group(1)
            if not file.is_file():
                return PlainTextResponse("no such asset (the console was rebuilt?)", 404)
            return FileResponse(file, headers={"cache-control": FOREVER})
        if path.startswith("/assets/"):
            return PlainTextResponse("no such asset", 404)
        return FileResponse(index, headers={"cache-control": "no-cache"})
