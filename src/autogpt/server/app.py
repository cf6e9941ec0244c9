"""The HTTP server: the Agent Protocol v1 at ``/ap/v1``, a few routes beyond it, and the web UI at ``/``.

See ``docs/server.md`` for every route and shape. Every request first passes :class:`RequestGuard`
(``security.py``: Host and Origin checks, the bearer token, the content types a state-changing request may
use, a streaming body-size limit). Bad requests get a 4xx with ``{"error", "detail"}``, never a 500; an
unexpected exception is still a JSON 500 (and a bug to fix).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, BinaryIO, Literal
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
)
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from autogpt.config import Settings
from autogpt.errors import AutoGPTError, ConfigError, ModelUnavailableError, NotFoundError, WorkspacePathError
from autogpt.server.security import CSRF_HEADER, CSRF_VALUE, LOOPBACK_HOSTS, RequestGuard, error_response
from autogpt.server.tasks import ConflictError, Executor, ModelFactory, TaskManager, artifact_json
from autogpt.store import create_store
from autogpt.store.base import ArtifactRecord, ProtocolStep
from autogpt.tracing import TraceContextMiddleware
from autogpt.workspace import Workspace

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
MAX_BODY = 1_000_000  # JSON bodies
MAX_UPLOAD = 50_000_000  # artifact uploads (the whole multipart body)
MAX_JSON_DEPTH = 32  # nesting of a JSON body: deeper is refused before anything walks it
MAX_PAGE = 1_000_000
MAX_SEQ = 10**18 - 1  # event numbers (SQLite integers); 18 digits at most
CHUNK = 64 * 1024
API = "/ap/v1"
UPLOAD_PATH = re.compile(rf"^{API}/agent/tasks/[^/]+/artifacts/?$")
EVENTS_PATH = re.compile(rf"^{API}/agent/tasks/[^/]+/events/?$")


# --- what the routes take ------------------------------------------------------------------------------------


class TaskOptions(BaseModel):
    """``additional_input`` of a new task: every field optional; other keys are kept as given."""

    model_config = ConfigDict(extra="allow", strict=True)
    name: StrictStr | None = Field(None, max_length=1000, description="The agent's name.")
    role: StrictStr | None = Field(None, max_length=10_000, description="The agent's role.")
    goals: list[Annotated[StrictStr, Field(max_length=20_000)]] | None = Field(
        None, max_length=100, description="The goals, instead of `input`.")
    continuous: StrictBool | None = Field(None, description="Run without asking for approval.")
    max_steps: StrictInt | None = Field(None, ge=1, le=1000, description="Stop after this many steps.")
    max_seconds: StrictInt | StrictFloat | None = Field(None, gt=0, le=7 * 86400,
                                                        description="Stop after this many seconds.")
    language: Literal["auto", "en", "zh", ""] | None = Field(None, description="The language the agent answers in.")
    model: StrictStr | None = Field(None, max_length=500, description="A model id (see `autogpt models`).")


class TaskIn(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)
    input: StrictStr | None = Field(None, max_length=20_000, description="The goal, as one text.")
    additional_input: TaskOptions | None = None


class StepIn(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)
    input: StrictStr | None = Field(None, max_length=20_000,
                                    description="'' or 'y' approves the pending command, 'n' stops, other text is feedback.")
    additional_input: dict[str, Any] | None = None


# --- what the routes answer (documented in /openapi.json; the routes build the JSON themselves) ------------


class ErrorOut(BaseModel):
    error: str = Field(description="A short code: not_found, bad_request, invalid_request, too_large, ...")
    detail: str = Field(description="What was wrong, for a person.")


class Pagination(BaseModel):
    total_items: int
    total_pages: int
    current_page: int
    page_size: int


class ArtifactOut(BaseModel):
    artifact_id: str
    agent_created: bool
    file_name: str
    relative_path: str = Field(description="The file's path in the workspace, file name included.")
    created_at: str


class PendingOut(BaseModel):
    step: int
    thoughts: dict[str, Any]
    command: dict[str, Any]


class TaskOut(BaseModel):
    task_id: str
    input: str | None
    additional_input: dict[str, Any]
    created_at: str
    modified_at: str
    artifacts: list[ArtifactOut]
    name: str
    role: str
    goals: list[str]
    status: str
    continuous: bool
    plan: list[dict[str, Any]]
    pending: PendingOut | None
    steps: int
    tokens: int
    cost: float
    summary: str | None


class StepOut(BaseModel):
    step_id: str
    task_id: str
    name: str
    input: str | None
    additional_input: dict[str, Any]
    status: Literal["created", "running", "completed"]
    output: str | None
    additional_output: dict[str, Any]
    artifacts: list[str]
    is_last: bool
    created_at: str
    modified_at: str


class TaskList(BaseModel):
    tasks: list[TaskOut]
    pagination: Pagination


class StepList(BaseModel):
    steps: list[StepOut]
    pagination: Pagination


class ArtifactList(BaseModel):
    artifacts: list[ArtifactOut]
    pagination: Pagination


ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": description, "content": ERROR_CONTENT} for status, description in (
        (400, "A bad request (bad JSON, a bad path, a bad parameter)."),
        (401, "The server has a token and the request did not carry it."),
        (403, "Refused: a foreign Host or Origin, or an upload without its header."),
        (404, "No such task, step or artifact."),
        (409, "The task cannot do that now (it has ended, a step is running, a folder is in the way)."),
        (413, "The body is too large."),
        (415, "The body's content type is not accepted."),
        (422, "The request's fields are not valid."),
    )
}
TASK_LINKS = {
    name: {"operationId": operation, "parameters": {"task_id": "$response.body#/task_id"}}
    for name, operation in (("GetTask", "getAgentTask"), ("ExecuteStep", "executeAgentTaskStep"),
                            ("ListSteps", "listAgentTaskSteps"), ("ListArtifacts", "listAgentTaskArtifacts"),
                            ("UploadArtifact", "uploadAgentTaskArtifacts"), ("RunTask", "runAgentTask"),
                            ("StopTask", "stopAgentTask"), ("StreamEvents", "streamAgentTaskEvents"))
}
STEP_LINKS = {"GetStep": {"operationId": "getAgentTaskStep",
                          "parameters": {"task_id": "$response.body#/task_id", "step_id": "$response.body#/step_id"}}}
ARTIFACT_LINKS = {"DownloadArtifact": {"operationId": "downloadAgentTaskArtifact",
                                       "parameters": {"task_id": "$request.path.task_id",
                                                      "artifact_id": "$response.body#/artifact_id"}}}


# One server-sent event (OpenAPI 3.1: the schema of an event stream describes each event).
SSE_EVENT = {
    "type": "object", "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "minLength": 1, "description": "task, run_started, proposed, ..."},
        "id": {"type": "string", "pattern": "^[0-9]+$", "description": "The event's number (stored events)."},
        "data": {"type": "string", "contentMediaType": "application/json", "contentSchema": {"type": "object"}},
    },
}


def _json_request_body(model: type[BaseModel], example: dict[str, Any]) -> dict[str, Any]:
    """``openapi_extra`` documenting a JSON body the route reads itself (so it can answer bad JSON its way);
    no body, or ``null``, is the same as ``{}``."""
    schema = {"anyOf": [{"$ref": f"#/components/schemas/{model.__name__}"}, {"type": "null"}]}
    return {"requestBody": {"required": False, "content": {"application/json": {"schema": schema, "example": example}}}}


PageParam = Annotated[int, Query(ge=1, le=MAX_PAGE, description="The page, from 1.")]
# Checked by the route (a 400, as before), documented here.
SizeParam = Annotated[int | None, Query(description="Items per page: 1 to 100 (default 10).",
                                        json_schema_extra={"minimum": 1, "maximum": 100})]


class EventStreamResponse(StreamingResponse):
    media_type = "text/event-stream"


class ApiError(Exception):
    def __init__(self, status: int, error: str, detail: str) -> None:
        self.status, self.error, self.detail = status, error, detail


def _error_handler(status: int, error: str) -> Any:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        return error_response(status, error, str(exc))

    return handle


def _problems(errors: list[Any]) -> str:
    """Pydantic's errors as one line: ``additional_input.goals.0: Input should be a valid string; ...``."""
    parts = []
    for e in errors[:5]:
        where = ".".join(str(p) for p in e.get("loc", ()) if p != "body")
        message = "Input should be a JSON object" if e.get("type") in ("model_type", "dict_type") else e.get("msg")
        parts.append(f"{where}: {message}" if where else str(message))
    return "; ".join(parts) or "The request is not valid."


def _page_size(page_size: int | None, page_size_alias: int | None) -> int:
    given = [v for v in (page_size_alias, page_size) if v is not None]
    if any(not 1 <= v <= 100 for v in given):  # both spellings checked: one bad value is never ignored
        raise ApiError(400, "bad_request", "page_size must be between 1 and 100.")
    return given[0] if given else 10


def _pagination(total: int, page: int, size: int) -> dict[str, int]:
    return {"total_items": total, "total_pages": max(math.ceil(total / size), 1) if total else 0,
            "current_page": page, "page_size": size}


def _depth(value: Any) -> int:
    """How deeply ``value`` (parsed JSON) nests, walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level <= MAX_JSON_DEPTH:
                stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


async def _json_body(request: Request, model: type[BaseModel]) -> Any:
    raw = await request.body()
    if not raw.strip():
        return model()
    try:
        data = json.loads(raw)
    except RecursionError:
        raise ApiError(400, "bad_json", f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels.") from None
    except ValueError:  # UnicodeDecodeError included
        raise ApiError(400, "bad_json", "The body is not valid JSON.") from None
    if data is None:
        return model()
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", "The body must be a JSON object.")
    if _depth(data) > MAX_JSON_DEPTH:
        raise ApiError(400, "bad_json", f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(422, "invalid_request", _problems(exc.errors())) from None


def _in_the_way(workspace: Workspace, path: str) -> bool:
    """Whether something is at ``path`` (looked up with the workspace's own walk, which follows no link); only
    used to pick the status of an error :meth:`Workspace.open_file` already raised: 409 rather than 400/404."""
    try:
        names = workspace.parts(path)
        return bool(names) and any(entry[0] == names[-1] for entry in workspace.list_dir("/".join(names[:-1]) or "."))
    except WorkspacePathError:
        return False


def _read_chunks(handle: BinaryIO, size: int) -> Iterator[bytes]:
    """The file's first ``size`` bytes (its size when opened: what Content-Length said, even if it grows)."""
    try:
        while size > 0 and (chunk := handle.read(min(CHUNK, size))):
            size -= len(chunk)
            yield chunk
    finally:
        handle.close()


def _attachment(name: str) -> str:
    """A ``Content-Disposition`` for ``name``: plain ASCII (no quotes, no control characters) plus RFC 5987 UTF-8."""
    plain = "".join(c for c in name if c.isascii() and c.isprintable() and c not in '"\\') or "download"
    return f"attachment; filename=\"{plain}\"; filename*=utf-8''{quote(name, safe='')}"


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS


def create_app(settings: Settings, *, model_factory: ModelFactory | None = None, token: str | None = None,
               resume: bool = True, allowed_hosts: list[str] | None = None,
               executor: Executor | None = None) -> FastAPI:
    """The FastAPI app; ``autogpt serve`` runs it with uvicorn. ``model_factory(task)`` gives each task its model
    (default: the configured model, shared). ``allowed_hosts``: more names the ``Host`` header may carry (and
    web pages at ``http(s)://`` those names may call the API), beside localhost, 127.0.0.1, [::1] and the
    address the server is reached at; ``name`` or ``name:port``. ``executor``: where continuous tasks run
    (e.g. a :class:`~autogpt.cluster.raycluster.RayExecutor`); tasks that wait for approval run here."""
    store = create_store(settings)
    manager = TaskManager(settings, store, model_factory, executor)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        watcher = None
        if resume:
            manager.resume_continuous()
            watcher = asyncio.create_task(manager.watch_abandoned())  # another server's, once it is gone
        yield
        if watcher is not None:
            watcher.cancel()
        await manager.shutdown()
        if executor is not None:
            executor.shutdown()
        store.close()

    app = FastAPI(title="autogpt", version="1", lifespan=lifespan, docs_url="/docs", redoc_url=None)
    app.state.manager, app.state.store = manager, store
    app.add_middleware(TraceContextMiddleware)  # a request's traceparent: the runs it starts join the caller's trace
    app.add_middleware(
        RequestGuard, token=token, allowed_hosts=allowed_hosts or [], max_body=MAX_BODY, max_upload=MAX_UPLOAD,
        is_upload=lambda method, path: method == "POST" and bool(UPLOAD_PATH.match(path)),
        is_event_stream=lambda method, path: method in ("GET", "HEAD") and bool(EVENTS_PATH.match(path)),
        routed=lambda scope: any(route.matches(scope)[0] is Match.FULL for route in app.router.routes),
    )

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.error, exc.detail)

    # Our exceptions as JSON errors; the most specific class wins (Starlette looks handlers up along the MRO).
    # A model the task names that cannot be used here (no API key, no package) is the client's to change.
    for kind, status, error in ((NotFoundError, 404, "not_found"), (ConflictError, 409, "conflict"),
                                (ConfigError, 400, "bad_request"), (WorkspacePathError, 400, "bad_path"),
                                (ModelUnavailableError, 400, "model_unavailable"), (AutoGPTError, 500, "agent_error")):
        app.add_exception_handler(kind, _error_handler(status, error))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", _problems(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        names = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
        return error_response(exc.status_code, names.get(exc.status_code, "http_error"), str(exc.detail),
                      headers=dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        """The last resort (a bug): still JSON, with the cause in the log, not in the answer."""
        log.error("Unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal_error", f"The server failed unexpectedly ({type(exc).__name__}); "
                                             "see its log.")

    api = APIRouter(prefix=API, responses=ERROR_RESPONSES)

    @api.post("/agent/tasks", operation_id="createAgentTask", response_model=TaskOut,
              responses={200: {"links": TASK_LINKS}},
              openapi_extra=_json_request_body(TaskIn, {"input": "Write hello to hello.txt"}))
    async def create_task(request: Request) -> JSONResponse:
        body: TaskIn = await _json_body(request, TaskIn)
        options = body.additional_input or TaskOptions()
        goals = options.goals
        if not (body.input or "").strip() and not any(g.strip() for g in goals or []):
            raise ApiError(422, "invalid_request", "Give the task an input (the goal) or additional_input.goals.")
        extra = options.model_dump(exclude_unset=True)
        extra.pop("origin", None)  # where a task came from is ours to say
        goal = (body.input or "").strip() or "; ".join(g for g in goals or [] if g.strip())
        record = manager.create(goal, extra)
        return JSONResponse(_jsonable(manager.task_json(record)))

    @api.get("/agent/tasks", operation_id="listAgentTasks", response_model=TaskList)
    async def list_tasks(page: PageParam = 1, page_size: SizeParam = None,
                         pageSize: SizeParam = None) -> JSONResponse:  # noqa: N803 - the protocol's name
        size = _page_size(page_size, pageSize)
        tasks, total = store.list_tasks(page, size)
        return JSONResponse(_jsonable({"tasks": [manager.task_json(t) for t in tasks],
                                       "pagination": _pagination(total, page, size)}))

    @api.get("/agent/tasks/{task_id}", operation_id="getAgentTask", response_model=TaskOut)
    async def get_task(task_id: str) -> JSONResponse:
        return JSONResponse(_jsonable(manager.task_json(store.get_task(task_id))))

    @api.post("/agent/tasks/{task_id}/steps", operation_id="executeAgentTaskStep", response_model=StepOut,
              responses={200: {"links": STEP_LINKS}}, openapi_extra=_json_request_body(StepIn, {"input": "y"}))
    async def execute_step(task_id: str, request: Request) -> JSONResponse:
        store.get_task(task_id)
        body: StepIn = await _json_body(request, StepIn)
        step = await manager.step(task_id, body.input, body.additional_input or {})
        return JSONResponse(_jsonable(step_json(step)))

    @api.get("/agent/tasks/{task_id}/steps", operation_id="listAgentTaskSteps", response_model=StepList)
    async def list_steps(task_id: str, page: PageParam = 1, page_size: SizeParam = None,
                         pageSize: SizeParam = None) -> JSONResponse:  # noqa: N803
        store.get_task(task_id)
        size = _page_size(page_size, pageSize)
        steps, total = store.list_protocol_steps(task_id, page, size)
        return JSONResponse(_jsonable({"steps": [step_json(s) for s in steps],
                                       "pagination": _pagination(total, page, size)}))

    @api.get("/agent/tasks/{task_id}/steps/{step_id}", operation_id="getAgentTaskStep", response_model=StepOut)
    async def get_step(task_id: str, step_id: str) -> JSONResponse:
        return JSONResponse(_jsonable(step_json(store.get_protocol_step(task_id, step_id))))

    @api.get("/agent/tasks/{task_id}/artifacts", operation_id="listAgentTaskArtifacts", response_model=ArtifactList)
    async def list_artifacts(task_id: str, page: PageParam = 1, page_size: SizeParam = None,
                             pageSize: SizeParam = None) -> JSONResponse:  # noqa: N803
        store.get_task(task_id)
        manager.sync_artifacts(task_id)
        size = _page_size(page_size, pageSize)
        artifacts, total = store.list_artifacts(task_id, page, size)
        return JSONResponse(_jsonable({"artifacts": [artifact_json(a) for a in artifacts],
                                       "pagination": _pagination(total, page, size)}))

    upload_header = {"name": CSRF_HEADER, "in": "header", "required": True, "schema": {"type": "string", "enum": [CSRF_VALUE]},
                     "description": "Needed for an upload without the bearer token (a cross-site form cannot send it)."}

    last_event_id_header = {"name": "Last-Event-ID", "in": "header", "required": False,
                            "schema": {"type": "string", "pattern": "^[0-9]{1,18}$"},
                            "description": "Sent by a reconnecting EventSource: replay after this event (wins over `after`)."}

    @api.post("/agent/tasks/{task_id}/artifacts", operation_id="uploadAgentTaskArtifacts", response_model=ArtifactOut,
              responses={200: {"links": ARTIFACT_LINKS}}, openapi_extra={"parameters": [upload_header]})
    async def upload_artifact(task_id: str, file: Annotated[UploadFile, File()],
                              relative_path: Annotated[str, Form(max_length=4096)] = "") -> JSONResponse:
        record = store.get_task(task_id)
        name = Path(file.filename or "").name
        if not name or name in (".", ".."):
            raise ApiError(422, "invalid_request", "The uploaded file needs a file name.")
        folder = relative_path.strip().strip("/")
        if folder == name or folder.endswith(f"/{name}"):  # a full path (as artifacts list them), not a folder
            folder = folder[: -len(name)].rstrip("/")
        target = f"{folder}/{name}" if folder else name
        with Workspace(record.workspace) as workspace:
            try:
                await asyncio.to_thread(_save_upload, workspace, target, file.file)
            except (WorkspacePathError, OSError) as exc:  # a folder, a FIFO, a link... where the file would go
                detail = str(exc) if isinstance(exc, WorkspacePathError) else f"Cannot write {target!r}: {exc}."
                if _in_the_way(workspace, target):
                    raise ApiError(409, "conflict", detail) from None
                raise ApiError(400, "bad_path", detail) from None
        artifact = store.add_artifact(ArtifactRecord(task_id=task_id, file_name=name, relative_path=folder,
                                                     agent_created=False))
        return JSONResponse(_jsonable(artifact_json(artifact)))

    @api.get("/agent/tasks/{task_id}/artifacts/{artifact_id}", operation_id="downloadAgentTaskArtifact",
             response_class=Response,
             responses={200: {"description": "The file's bytes.",
                              "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
    async def download_artifact(task_id: str, artifact_id: str) -> Response:
        record = store.get_task(task_id)
        artifact = store.get_artifact(task_id, artifact_id)
        with Workspace(record.workspace) as workspace:
            try:
                handle = await asyncio.to_thread(workspace.open_file, artifact.path, "rb")
            except (WorkspacePathError, OSError) as exc:  # gone, or no longer a regular file (a FIFO, a link...)
                if _in_the_way(workspace, artifact.path):
                    raise ApiError(409, "conflict", f"{artifact.path} cannot be downloaded: {exc}") from None
                raise ApiError(404, "not_found", f"{artifact.path} is no longer in the workspace.") from None
        size = os.fstat(handle.fileno()).st_size
        return StreamingResponse(_read_chunks(handle, size), media_type="application/octet-stream",
                                 headers={"Content-Disposition": _attachment(artifact.file_name),
                                          "Content-Length": str(size)})

    # --- beyond the protocol ----------------------------------------------------------------------------

    @api.get("/agent/tasks/{task_id}/events", operation_id="streamAgentTaskEvents", response_class=EventStreamResponse,
             responses={200: {"description": "Server-sent events: `id: SEQ`, `event: TYPE`, `data: JSON`.",
                              "content": {"text/event-stream": {"schema": SSE_EVENT}}}},
             openapi_extra={"parameters": [last_event_id_header]})
    async def events(task_id: str, request: Request,
                     after: int = Query(0, ge=0, le=MAX_SEQ, description="Replay the events after this one.")
                     ) -> StreamingResponse:
        store.get_task(task_id)
        last = after
        last_event_id = request.headers.get("last-event-id")
        if last_event_id is not None:
            text = last_event_id.strip()
            if not (text.isascii() and text.isdigit() and len(text) <= 18):
                raise ApiError(400, "bad_request", f"Last-Event-ID must be an event number from 0 to {MAX_SEQ}.")
            last = int(text)
        session = manager.session(task_id)
        queue: asyncio.Queue[tuple[int, str, dict[str, Any]]] = asyncio.Queue(maxsize=10_000)
        session.listeners.add(queue)

        async def stream() -> AsyncIterator[str]:
            nonlocal last
            try:
                yield _sse(0, "task", manager.task_json(store.get_task(task_id)))
                for seq, data in store.events(task_id, last):
                    last = seq
                    yield _sse(seq, data.get("type", "event"), data)
                while True:
                    try:
                        seq, kind, data = await asyncio.wait_for(queue.get(), timeout=15)
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    if seq and seq <= last:
                        continue  # already replayed
                    last = max(last, seq)
                    yield _sse(seq, kind, data)
            finally:
                session.listeners.discard(queue)

        return EventStreamResponse(stream(), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @api.post("/agent/tasks/{task_id}/run", operation_id="runAgentTask", response_model=TaskOut)
    async def run_task(task_id: str, wait: bool = Query(False)) -> JSONResponse:
        record = store.get_task(task_id)
        if not record.resumable:
            raise ConflictError(f"Task {task_id} has ended ({record.status}).")
        record = await manager.run(task_id, wait)
        return JSONResponse(_jsonable(manager.task_json(record)))

    @api.post("/agent/tasks/{task_id}/stop", operation_id="stopAgentTask", response_model=TaskOut)
    async def stop_task(task_id: str) -> JSONResponse:
        return JSONResponse(_jsonable(manager.task_json(manager.stop(task_id))))

    app.include_router(api)

    @app.get("/", include_in_schema=False)
    async def index() -> Response:
        page = STATIC / "index.html"
        if not page.is_file():
            return error_response(404, "not_found", "The web UI is not installed.")
        return FileResponse(page, media_type="text/html")

    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def openapi() -> dict[str, Any]:
        """FastAPI's schema, plus the JSON bodies the routes read themselves (TaskIn, StepIn)."""
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in (TaskIn, StepIn, ErrorOut):
                body = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(body.pop("$defs", {}))
                components[model.__name__] = body
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _save_upload(workspace: Workspace, path: str, source: BinaryIO) -> None:
    """Copy an upload into the workspace: :meth:`Workspace.open_file` refuses folders, FIFOs, devices and
    links on the way, and never blocks (an existing regular file is overwritten)."""
    source.seek(0)
    with workspace.open_file(path, "wb") as target:
        while chunk := source.read(CHUNK):
            target.write(chunk)


def step_json(step: ProtocolStep) -> dict[str, Any]:
    return step.model_dump(mode="json")


def _sse(seq: int, kind: str, data: dict[str, Any]) -> str:
    head = f"id: {seq}\n" if seq else ""
    return f"{head}event: {kind}\ndata: {json.dumps(_jsonable(data), ensure_ascii=False)}\n\n"


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=_default, ensure_ascii=False))


def _default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    with contextlib.suppress(Exception):
        return str(value)
    return None
