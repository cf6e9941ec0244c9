"""Tools from Model Context Protocol servers, beside the built-in ones.

    async with MCPServers([MCPServerConfig.model_validate("python examples/mcp/notes_server.py")]) as servers:
        tools = servers.tools()          # Tool objects: the server's own JSON schemas, validated before a call
        servers.problems                 # "MCP server 'x' did not start: ..." for each server that failed

Each server is held open by a task of its own (the SDK's connections must be closed by the task that opened
them), so tools can be called from any task of the loop. A server that fails to start is left out with a
clear problem; one that dies during the run withdraws its tools (:class:`ToolUnavailableError`); a call that
takes longer than the server's ``timeout`` is an error the model sees. Results are text for the model, marked
untrusted like web pages: a server is outside code. Needs the ``mcp`` extra.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
import sys
import tempfile
from collections.abc import Iterable
from typing import Any

from autogpt._version import __version__
from autogpt.config import MCPServerConfig
from autogpt.errors import ConfigError, MCPServerError, ToolArgumentError, ToolError, ToolUnavailableError
from autogpt.tools.registry import Tool, ToolContext, _strip_titles

#: A tool's description in the prompt, at most (a server may describe a tool at length; the prompt is fixed).
DESCRIPTION_CHARS = 400
_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "array": "list",
          "object": "dict", "null": "None"}


def require_sdk() -> None:
    try:
        import mcp  # noqa: F401
    except ImportError:
        raise ConfigError("MCP servers need the mcp package: pip install 'autogpt[mcp]'.") from None


class MCPConnection:
    """One server: started by :meth:`start`, held open by its own task until :meth:`close`."""

    def __init__(self, config: MCPServerConfig) -> None:
        self.config = config
        self.listed: list[Any] = []  # the server's tools (mcp.types.Tool)
        self.error = ""  # why it stopped, once it has
        self.registered: list[str] = []  # its tools' names in the run (maybe prefixed: see MCPServers.tools)
        self._client: Any = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")

    @property
    def alive(self) -> bool:
        return self._client is not None and not self.error

    async def start(self) -> None:
        """Start (or connect to) the server and list its tools; :class:`MCPServerError` says why it could not."""
        require_sdk()
        started: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._hold(started), name=f"mcp:{self.config.name}")
        try:
            await asyncio.wait_for(asyncio.shield(started), self.config.start_timeout)
        except TimeoutError:
            await self.close()
            raise MCPServerError(self._problem(f"did not answer within {self.config.start_timeout:g} s")) from None
        except MCPServerError:
            await self.close()
            raise

    async def _hold(self, started: asyncio.Future[None]) -> None:
        from mcp import Client, Implementation

        try:
            async with Client(self._transport(), read_timeout_seconds=self.config.timeout,
                              client_info=Implementation(name="autogpt", version=__version__)) as client:
                self.listed = await _list_tools(client)
                self._client = client
                started.set_result(None)
                await self._stop.wait()
        except Exception as exc:  # the SDK raises what its transport met, often in an exception group
            if not started.done():
                started.set_exception(MCPServerError(self._problem(_describe(exc))))
            else:
                self.error = self.error or _describe(exc)
        finally:
            self._client = None
            if not started.done():  # cancelled while starting
                started.set_exception(MCPServerError(self._problem("was stopped while starting")))

    def _transport(self) -> Any:
        from mcp import StdioServerParameters
        from mcp.client.stdio import stdio_client

        cfg = self.config
        if cfg.url:
            from mcp.client.streamable_http import streamable_http_client

            if not cfg.headers:
                return streamable_http_client(cfg.url)
            import httpx2

            headers = {k: v.get_secret_value() for k, v in cfg.headers.items()}
            return streamable_http_client(cfg.url, http_client=httpx2.AsyncClient(headers=headers,
                                                                                   timeout=cfg.timeout))
        program = cfg.command[0]
        if program in ("python", "python3"):  # the Python autogpt runs on, which has the mcp package
            program = sys.executable
        params = StdioServerParameters(command=program, args=cfg.command[1:], cwd=cfg.cwd,
                                       env={k: v.get_secret_value() for k, v in cfg.env.items()} or None)
        return stdio_client(params, errlog=self._stderr)

    async def call(self, name: str, args: dict[str, Any]) -> Any:
        """``tools/call``; the server's own error result is returned, a dead or silent server raises."""
        import anyio
        from mcp import MCPError
        from mcp.types import CONNECTION_CLOSED, REQUEST_TIMEOUT

        if not self.alive:
            raise self._gone()
        try:
            return await self._client.call_tool(name, args, read_timeout_seconds=self.config.timeout)
        except MCPError as exc:
            if exc.code == REQUEST_TIMEOUT:
                raise ToolError(f"The MCP server {self.config.name!r} did not answer {name} within "
                                f"{self.config.timeout:g} s.") from None
            if exc.code == CONNECTION_CLOSED:
                self.error = "its connection closed"
                raise self._gone() from None
            raise ToolError(f"The MCP server {self.config.name!r} refused {name}: {exc}") from None
        except (OSError, EOFError, RuntimeError, anyio.ClosedResourceError, anyio.BrokenResourceError,
                anyio.EndOfStream) as exc:  # the transport broke under the call
            self.error = _describe(exc)
            raise self._gone() from None

    def _gone(self) -> ToolUnavailableError:
        return ToolUnavailableError(self._problem(f"stopped ({self.error}); its tools are gone for this run"),
                                    also=tuple(self.registered))

    def _problem(self, what: str) -> str:
        """``MCP server 'notes' (python notes.py) <what>``, with the end of what it wrote to stderr."""
        text = f"MCP server {self.config.name!r} ({self.config.describe()}) {what}."
        with contextlib.suppress(OSError, ValueError):
            self._stderr.flush()
            self._stderr.seek(0)
            tail = [line for line in self._stderr.read()[-4000:].splitlines() if line.strip()][-6:]
            if tail:
                text += " It wrote: " + " | ".join(line.strip()[:300] for line in tail).rstrip(".") + "."
        return text

    async def close(self) -> None:
        self._stop.set()
        if self._task is not None and not self._task.done():
            try:
                await asyncio.wait_for(self._task, 10)
            except (TimeoutError, asyncio.CancelledError):
                self._task.cancel()
                with contextlib.suppress(BaseException):
                    await self._task
        with contextlib.suppress(OSError):
            self._stderr.close()


class MCPTool(Tool):
    """A server's tool: described and validated by the JSON schema the server gives, called over MCP."""

    def __init__(self, connection: MCPConnection, listed: Any, name: str) -> None:
        self.connection, self.remote_name = connection, listed.name
        server = connection.config.name
        description = " ".join((listed.description or listed.title or f"The {listed.name} tool").split())
        if len(description) > DESCRIPTION_CHARS:
            description = description[:DESCRIPTION_CHARS - 3].rstrip() + "..."
        self.schema = _model_schema(listed.input_schema)
        super().__init__(_call_placeholder, name=name, description=f"{description} (MCP server {server})",
                         untrusted=True, available_if=lambda _ctx: connection.alive)

    def spec(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "parameters": copy.deepcopy(self.schema)}

    def signature(self) -> str:
        props, required = self.schema.get("properties", {}), set(self.schema.get("required", []))
        parts = []
        for arg, prop in props.items():
            kind = _type_name(prop)
            parts.append(f"{arg}: {kind}" if arg in required else f"{arg}: {kind} = {prop.get('default')!r}")
        return f"{self.name}({', '.join(parts)})"

    def read_target(self, args: dict[str, Any]) -> str | None:
        return None

    def validate(self, args: dict[str, Any]) -> dict[str, Any]:
        import jsonschema

        validator = jsonschema.Draft202012Validator(self.schema)
        errors = sorted(validator.iter_errors(args), key=lambda e: list(e.path))[:5]
        if errors:
            problems = "; ".join(f"{'.'.join(map(str, e.path)) or 'args'}: {e.message}" for e in errors)
            raise ToolArgumentError(f"Bad arguments for {self.signature()}: {problems}.")
        return dict(args)

    async def call(self, args: dict[str, Any], ctx: ToolContext) -> str:
        result = await self.connection.call(self.remote_name, self.validate(args))
        text = render_content(result)
        if result.is_error:
            raise ToolError(text or f"{self.name} failed (the server gave no reason).")
        return text or "Done (the server returned nothing)."


class MCPServers:
    """The servers of a run: started together, those that fail left out with a problem, closed together."""

    def __init__(self, configs: Iterable[MCPServerConfig]) -> None:
        self.configs = list(configs)
        self.connections: list[MCPConnection] = []
        self.problems: list[str] = []

    async def __aenter__(self) -> MCPServers:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        names = [c.name for c in self.configs]
        duplicate = next((n for n in names if names.count(n) > 1), None)
        if duplicate:
            raise ConfigError(f"Two MCP servers are named {duplicate!r}; give one a name: of its own.")
        connections = [MCPConnection(c) for c in self.configs]
        outcomes = await asyncio.gather(*(c.start() for c in connections), return_exceptions=True)
        for connection, outcome in zip(connections, outcomes, strict=True):
            if isinstance(outcome, MCPServerError):
                self.problems.append(str(outcome))
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                self.connections.append(connection)

    def tools(self, taken: Iterable[str] = ()) -> list[MCPTool]:
        """Every server's tools; a name already ``taken`` (ours, or another server's) gets the server's name
        in front (``notes_read_file``)."""
        used, tools = set(taken), []
        for connection in self.connections:
            for listed in connection.listed:
                name = _identifier(listed.name)
                if name in used:
                    name = _identifier(f"{connection.config.name}_{listed.name}")
                if name in used:
                    continue  # the same tool offered twice: the first one stays
                used.add(name)
                connection.registered.append(name)
                tools.append(MCPTool(connection, listed, name))
        return tools

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self.connections), return_exceptions=True)
        self.connections.clear()


async def describe_servers(configs: Iterable[MCPServerConfig]) -> list[dict[str, Any]]:
    """Each server, started and stopped again: ``{"name", "server", "error", "tools": [{"name", "signature",
    "description"}]}`` (``autogpt mcp list``)."""
    rows = []
    for config in configs:
        row: dict[str, Any] = {"name": config.name, "server": config.describe(), "error": "", "tools": []}
        async with MCPServers([config]) as servers:
            row["error"] = " ".join(servers.problems)
            row["tools"] = [{"name": t.name, "signature": t.signature(), "description": t.description}
                            for t in servers.tools()]
        rows.append(row)
    return rows


def render_content(result: Any) -> str:
    """A ``CallToolResult`` as text: text blocks as they are, embedded text resources with their address,
    other blocks (images, audio, binary resources) named with their type and size; structured content when
    there is no text."""
    parts: list[str] = []
    for block in result.content or []:
        kind = getattr(block, "type", "")
        if kind == "text":
            parts.append(block.text)
        elif kind == "resource":
            res = block.resource
            body = getattr(res, "text", None)
            parts.append(f"[{res.uri}]\n{body}" if body is not None else
                         f"[{res.uri}: {res.mime_type or 'binary'} data, {len(getattr(res, 'blob', '') or '') * 3 // 4} bytes]")
        elif kind == "resource_link":
            parts.append(f"[resource {block.name}: {block.uri}]")
        elif kind in ("image", "audio"):
            parts.append(f"[{kind}: {block.mime_type}, {len(block.data or '') * 3 // 4} bytes, not shown]")
        else:
            parts.append(f"[{kind or 'unknown'} content]")
    if not parts and result.structured_content is not None:
        parts.append(json.dumps(result.structured_content, ensure_ascii=False, indent=2, default=str))
    return "\n".join(parts)


async def _list_tools(client: Any) -> list[Any]:
    tools, cursor = [], None
    for _ in range(100):  # pages
        page = await client.list_tools(cursor=cursor)
        tools += page.tools
        cursor = page.next_cursor
        if not cursor:
            break
    return tools


def _model_schema(schema: dict[str, Any] | None) -> dict[str, Any]:
    """The server's input schema as the model and the grammar see it: references inlined (the reply's
    grammar resolves ``$ref`` against its own root), titles and ``$schema`` dropped, always an object."""
    schema = copy.deepcopy(schema or {})
    defs = {**schema.pop("definitions", {}), **schema.pop("$defs", {})}
    schema = _inline(schema, defs, depth=0)
    schema.pop("$schema", None)
    _strip_titles(schema)
    if schema.get("type") != "object":
        schema = {"type": "object", "properties": {}, "required": []}
    schema.setdefault("properties", {})
    schema.setdefault("required", [])
    return schema


def _inline(node: Any, defs: dict[str, Any], depth: int) -> Any:
    if isinstance(node, list):
        return [_inline(item, defs, depth) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        target = defs.get(ref.rsplit("/", 1)[-1])
        if target is None or depth > 8:  # unknown or recursive: anything
            return {k: v for k, v in node.items() if k != "$ref"}
        return _inline({**target, **{k: v for k, v in node.items() if k != "$ref"}}, defs, depth + 1)
    return {key: _inline(value, defs, depth) for key, value in node.items()}


def _type_name(prop: dict[str, Any]) -> str:
    kind = prop.get("type")
    if isinstance(kind, list):
        return " | ".join(_TYPES.get(k, str(k)) for k in kind)
    if "enum" in prop:
        return "Literal[" + ", ".join(repr(v) for v in prop["enum"]) + "]"
    if kind == "array" and isinstance(prop.get("items"), dict) and "type" in prop["items"]:
        return f"list[{_type_name(prop['items'])}]"
    if "anyOf" in prop:
        return " | ".join(_type_name(p) for p in prop["anyOf"] if isinstance(p, dict))
    return _TYPES.get(kind, "Any") if isinstance(kind, str) or kind is None else "Any"


def _identifier(name: str) -> str:
    """A tool name the model can write: letters, digits and ``_``, at most 64."""
    name = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_") or "tool"
    return (name if re.match(r"[A-Za-z_]", name) else f"t_{name}")[:64]


def _describe(exc: BaseException) -> str:
    """The innermost real error of an exception (group), as one line."""
    while getattr(exc, "exceptions", None):  # an exception group: its first
        exc = exc.exceptions[0]  # type: ignore[attr-defined]
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if text == "Connection closed":  # the SDK's MCPError when the process exits or the stream ends
        return "closed the connection (the process exited, or it does not speak MCP on stdout)"
    if isinstance(exc, FileNotFoundError):
        return f"could not be started: {exc.filename or text} was not found"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _call_placeholder() -> None:
    """Called over MCP."""


__all__ = ["MCPConnection", "MCPServers", "MCPTool", "describe_servers", "render_content", "require_sdk"]
