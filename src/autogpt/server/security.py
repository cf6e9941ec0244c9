"""The server's request guard: one ASGI middleware in front of every route (see ``docs/server.md``).

In order, a request must pass:

1. **Host** (DNS rebinding): the ``Host`` header names an allowed host: ``localhost``, ``127.0.0.1``,
   ``[::1]``, the address the connection came in on, or one of ``allowed_hosts``; any port.
2. **Origin** (cross-site requests): when the header is there, it is ``http(s)://ALLOWED-HOST[:PORT]``.
3. **Token**: with a token set, every route but the web UI's page and files needs
   ``Authorization: Bearer TOKEN``; only the event stream (``GET .../events``) also takes ``?token=``
   (a browser's ``EventSource`` cannot send headers).
4. **Content type** of a state-changing request (POST, PUT, PATCH, DELETE) without a valid token:
   ``application/json``; or none at all from a client that sends no ``Origin`` (curl, scripts: a browser
   sends ``Origin`` with every such request); or, for an artifact upload only, ``multipart/form-data`` with
   ``X-AutoGPT: 1`` (a custom header makes a browser ask first, a CORS preflight this server never grants).
   A cross-site ``<form>`` or ``text/plain`` ``fetch`` therefore never reaches a route.
5. **Body size**, counted as the body arrives (``Content-Length`` is not trusted, a chunked body has none):
   413 once it passes the limit.

Each refusal is a JSON ``{"error", "detail"}`` with a 4xx status.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
CSRF_HEADER, CSRF_VALUE = "X-AutoGPT", "1"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PUBLIC_PREFIXES = ("/static/",)  # the web UI's files: the page itself asks for the token
PUBLIC_PATHS = frozenset({"/", "/favicon.ico"})


class BodyTooLarge(HTTPException):
    """The request body passed its limit while it was being received (turned into a 413 JSON error)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")
        self.limit = limit


@dataclass(frozen=True)
class HostRule:
    """One allowed host name (lower case, IPv6 without brackets), with a port or any port (``None``)."""

    name: str
    port: int | None = None

    @classmethod
    def parse(cls, text: str) -> HostRule:
        """``name``, ``name:port``, ``[v6]`` or ``[v6]:port``; ``ValueError`` for anything else."""
        split = split_host(text)
        if split is None or not split[0]:
            raise ValueError(f"{text!r} is not a host name, address or host:port.")
        return cls(*split)

    def matches(self, name: str, port: int | None) -> bool:
        return name == self.name and (self.port is None or port == self.port)


def split_host(value: str) -> tuple[str, int | None] | None:
    """``(name, port)`` of a ``Host`` header (or an authority): lower case, IPv6 without brackets; ``None``
    when it is not of that form."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1:]
    else:
        name, colon, port = value.partition(":")
        rest = colon + port
    if rest and (not rest.startswith(":") or not rest[1:].isdigit() or len(rest) > 6 or int(rest[1:]) > 65535):
        return None
    if not name or any(c in name for c in "/\\@?# \t"):
        return None
    return name, int(rest[1:]) if rest else None


def bearer_token(authorization: str) -> str | None:
    """The token of an ``Authorization: Bearer TOKEN`` header (the scheme in any case), else ``None``."""
    scheme, _, value = authorization.strip().partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def same_secret(given: str | None, token: str) -> bool:
    return given is not None and secrets.compare_digest(given.encode("utf-8", "surrogateescape"),
                                                        token.encode("utf-8", "surrogateescape"))


def error_response(status: int, error: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The server's one error shape: ``{"error": code, "detail": sentence}`` with ``status``."""
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=headers)


class RequestGuard:
    """The ASGI middleware described in this module's docstring.

    ``is_upload(method, path)`` says which requests are artifact uploads (multipart allowed, ``max_upload``
    bytes); ``is_event_stream(method, path)`` which ones may carry the token as ``?token=``; ``routed(scope)``
    whether a route takes the request (one that none takes goes on unchecked to its 404 or 405: it runs no
    route's code).
    """

    def __init__(self, app: ASGIApp, *, token: str | None, allowed_hosts: Iterable[str] = (), max_body: int,
                 max_upload: int, is_upload: Callable[[str, str], bool],
                 is_event_stream: Callable[[str, str], bool], routed: Callable[[Scope], bool] = lambda scope: True,
                 ) -> None:
        self.app = app
        self.token = token or None
        self.rules = [HostRule(name) for name in LOOPBACK_HOSTS] + [HostRule.parse(h) for h in allowed_hosts]
        self.max_body, self.max_upload = max_body, max_upload
        self.is_upload, self.is_event_stream, self.routed = is_upload, is_event_stream, routed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"].upper(), scope["path"]
        upload = self.is_upload(method, path)
        refusal = self.refusal(scope, Headers(scope=scope), method, path, upload)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self._limited(scope, receive, send, self.max_upload if upload else self.max_body)

    # --- the checks -----------------------------------------------------------------------------------------

    def refusal(self, scope: Scope, headers: Headers, method: str, path: str, upload: bool) -> JSONResponse | None:
        """The error response for a request that may not go on, or ``None``."""
        host = headers.get("host")
        if host is None or not self.host_allowed(host, scope):
            return error_response(403, "bad_host", f"The Host header {host!r} is not a name this server answers to "
                                           "(localhost, 127.0.0.1, [::1], its own address, or an allowed host).")
        origin = headers.get("origin")
        if origin is not None and not self.origin_allowed(origin, scope):
            return error_response(403, "bad_origin", f"Requests from the web page at {origin!r} are refused: only this "
                                             "server's own pages may call it.")
        authorized = False
        if self.token is not None:
            given = bearer_token(headers.get("authorization", ""))
            if given is None and "authorization" not in headers and self.is_event_stream(method, path):
                given = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))).get("token")
            authorized = same_secret(given, self.token)
            if not authorized and not self._public(path):
                return error_response(401, "unauthorized", "Send 'Authorization: Bearer TOKEN' (the server's --token).")
        if method in STATE_CHANGING and not authorized and self.routed(scope):
            return self._content_type_refusal(headers, upload)
        return self._declared_size_refusal(headers, upload)

    def host_allowed(self, host: str, scope: Scope) -> bool:
        split = split_host(host)
        if split is None:
            return False
        name, port = split
        if any(rule.matches(name, port) for rule in self.rules):
            return True
        server = scope.get("server")  # the address the connection came in on (the bound address)
        return bool(server) and isinstance(server[0], str) and name == server[0].strip("[]").lower()

    def origin_allowed(self, origin: str, scope: Scope) -> bool:
        try:
            parts = urlsplit(origin.strip())
        except ValueError:
            return False
        if parts.scheme not in ("http", "https") or parts.path or parts.query or parts.fragment:
            return False
        if parts.username is not None or parts.password is not None:
            return False
        return self.host_allowed(parts.netloc, scope)

    def _content_type_refusal(self, headers: Headers, upload: bool) -> JSONResponse | None:
        content_type = headers.get("content-type")
        media = (content_type or "").split(";", 1)[0].strip().lower()
        if media == "application/json":
            return self._declared_size_refusal(headers, upload)
        if content_type is None and "origin" not in headers:
            return self._declared_size_refusal(headers, upload)
        if upload and media == "multipart/form-data":
            if headers.get(CSRF_HEADER) != CSRF_VALUE:
                return error_response(403, "missing_header", f"An upload needs the header '{CSRF_HEADER}: {CSRF_VALUE}' "
                                                     "(or the bearer token): a web page of another site cannot "
                                                     "send it.")
            return self._declared_size_refusal(headers, upload)
        wanted = "application/json or multipart/form-data" if upload else "application/json"
        return error_response(415, "unsupported_media_type",
                      f"Send the body as {wanted} (Content-Type {content_type!r} is refused: a web page of "
                      "another site can send it).")

    def _declared_size_refusal(self, headers: Headers, upload: bool) -> JSONResponse | None:
        limit = self.max_upload if upload else self.max_body
        length = headers.get("content-length")
        if length is not None and not length.strip().isdigit():
            return error_response(400, "bad_request", f"Content-Length {length!r} is not a number of bytes.")
        if length is not None and int(length) > limit:
            return error_response(413, "too_large", f"The request body is larger than {limit} bytes.")
        return None

    @staticmethod
    def _public(path: str) -> bool:
        return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)

    # --- the streaming body limit ---------------------------------------------------------------------------

    async def _limited(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge as exc:  # raised where no exception handler turned it into a response
            if started:
                raise
            await error_response(413, "too_large", str(exc.detail))(scope, receive, send)
