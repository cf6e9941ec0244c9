"""The HTTP server: the Agent Protocol v1 at ``/ap/v1``, a few routes beyond it, and the web UI at ``/``.

See ``docs/server.md`` for every route and shape. Bad requests get a 4xx with ``{"error", "detail"}``,
never a 500; binding beyond loopback needs a bearer token (checked in :func:`create_app`'s middleware).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from autogpt.config import Settings
from autogpt.errors import AutoGPTError, ConfigError, NotFoundError, WorkspacePathError
from autogpt.server.tasks import ConflictError, ModelFactory, TaskManager, artifact_json
from autogpt.store.base import ArtifactRecord, ProtocolStep
from autogpt.store.sqlite import SQLiteStore
from autogpt.tools.workspace import Workspace

STATIC = Path(__file__).parent / "static"
MAX_BODY = 1_000_000  # JSON bodies
MAX_UPLOAD = 50_000_000  # artifact uploads


class TaskIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    input: str | None = Field(None, max_length=20_000)
    additional_input: dict[str, Any] | None = None


class StepIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    input: str | None = Field(None, max_length=20_000)
    additional_input: dict[str, Any] | None = None


class ApiError(Exception):
    def __init__(self, status: int, error: str, detail: str) -> None:
        self.status, self.error, self.detail = status, error, detail


def _error(status: int, error: str, detail: str) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status)


def _error_handler(status: int, error: str) -> Any:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        return _error(status, error, str(exc))

    return handle


def _page_size(page_size: int | None, page_size_alias: int | None) -> int:
    size = next((v for v in (page_size_alias, page_size) if v is not None), 10)
    if not 1 <= size <= 100:
        raise ApiError(400, "bad_request", "page_size must be between 1 and 100.")
    return size


def _pagination(total: int, page: int, size: int) -> dict[str, int]:
    return {"total_items": total, "total_pages": max(math.ceil(total / size), 1) if total else 0,
            "current_page": page, "page_size": size}


def is_loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1")


def create_app(settings: Settings, *, model_factory: ModelFactory | None = None, token: str | None = None,
               resume: bool = True) -> FastAPI:
    """The FastAPI app; ``autogpt serve`` runs it with uvicorn. ``model_factory(task)`` gives each task its model
    (default: the configured model, shared)."""
    store = SQLiteStore(settings.data_dir / "autogpt.db")
    manager = TaskManager(settings, store, model_factory)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if resume:
            manager.resume_continuous()
        yield
        await manager.shutdown()
        store.close()

    app = FastAPI(title="autogpt", version="1", lifespan=lifespan, docs_url="/docs", redoc_url=None)
    app.state.manager, app.state.store = manager, store

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        if token is not None and request.url.path.startswith("/ap/"):
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            given = given or request.query_params.get("token", "")
            if not secrets.compare_digest(given.encode(), token.encode()):
                return _error(401, "unauthorized", "Send 'Authorization: Bearer TOKEN' (the server's --token).")
        length = request.headers.get("content-length")
        limit = MAX_UPLOAD if request.url.path.endswith("/artifacts") else MAX_BODY
        if length is not None and (not length.isdigit() or int(length) > limit):
            return _error(413, "too_large", f"The request body is larger than {limit} bytes.")
        return await call_next(request)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.error, exc.detail)

    # Our exceptions as JSON errors; the most specific class wins (Starlette looks handlers up along the MRO).
    for kind, status, error in ((NotFoundError, 404, "not_found"), (ConflictError, 409, "conflict"),
                                (ConfigError, 400, "bad_request"), (WorkspacePathError, 400, "bad_path"),
                                (AutoGPTError, 500, "agent_error")):
        app.add_exception_handler(kind, _error_handler(status, error))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        return _error(422, "invalid_request", problems or "The request is not valid.")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        names = {404: "not_found", 405: "method_not_allowed"}
        return _error(exc.status_code, names.get(exc.status_code, "http_error"), str(exc.detail))

    api = APIRouter(prefix="/ap/v1")

    async def _json_body(request: Request, model: type[BaseModel]) -> Any:
        raw = await request.body()
        if not raw.strip():
            return model()
        try:
            data = json.loads(raw)
        except ValueError:
            raise ApiError(400, "bad_json", "The body is not valid JSON.") from None
        if data is None:
            return model()
        if not isinstance(data, dict):
            raise ApiError(400, "bad_request", "The body must be a JSON object.")
        try:
            return model.model_validate(data)
        except ValueError as exc:
            raise ApiError(422, "invalid_request", str(exc).splitlines()[0]) from None

    @api.post("/agent/tasks")
    async def create_task(request: Request) -> JSONResponse:
        body: TaskIn = await _json_body(request, TaskIn)
        extra = body.additional_input or {}
        goals = extra.get("goals")
        if goals is not None and (not isinstance(goals, list) or not all(isinstance(g, str) for g in goals)):
            raise ApiError(422, "invalid_request", "additional_input.goals must be a list of strings.")
        if not (body.input or "").strip() and not any((g or "").strip() for g in goals or []):
            raise ApiError(422, "invalid_request", "Give the task an input (the goal) or additional_input.goals.")
        max_steps = extra.get("max_steps")
        if max_steps is not None and (not isinstance(max_steps, int) or not 1 <= max_steps <= 1000):
            raise ApiError(422, "invalid_request", "additional_input.max_steps must be an integer from 1 to 1000.")
        if extra.get("language") not in (None, "", "auto", "en", "zh"):
            raise ApiError(422, "invalid_request", "additional_input.language must be 'auto', 'en' or 'zh'.")
        goal = (body.input or "").strip() or "; ".join(g for g in goals or [] if g.strip())
        record = manager.create(goal, extra)
        return JSONResponse(_jsonable(manager.task_json(record)))

    @api.get("/agent/tasks")
    async def list_tasks(page: int = Query(1, ge=1), page_size: int | None = Query(None),
                         pageSize: int | None = Query(None)) -> JSONResponse:  # noqa: N803 - the protocol's name
        size = _page_size(page_size, pageSize)
        tasks, total = store.list_tasks(page, size)
        return JSONResponse(_jsonable({"tasks": [manager.task_json(t) for t in tasks],
                                       "pagination": _pagination(total, page, size)}))

    @api.get("/agent/tasks/{task_id}")
    async def get_task(task_id: str) -> JSONResponse:
        return JSONResponse(_jsonable(manager.task_json(store.get_task(task_id))))

    @api.post("/agent/tasks/{task_id}/steps")
    async def execute_step(task_id: str, request: Request) -> JSONResponse:
        store.get_task(task_id)
        body: StepIn = await _json_body(request, StepIn)
        step = await manager.step(task_id, body.input, body.additional_input or {})
        return JSONResponse(_jsonable(step_json(step)))

    @api.get("/agent/tasks/{task_id}/steps")
    async def list_steps(task_id: str, page: int = Query(1, ge=1), page_size: int | None = Query(None),
                         pageSize: int | None = Query(None)) -> JSONResponse:  # noqa: N803
        store.get_task(task_id)
        size = _page_size(page_size, pageSize)
        steps, total = store.list_protocol_steps(task_id, page, size)
        return JSONResponse(_jsonable({"steps": [step_json(s) for s in steps],
                                       "pagination": _pagination(total, page, size)}))

    @api.get("/agent/tasks/{task_id}/steps/{step_id}")
    async def get_step(task_id: str, step_id: str) -> JSONResponse:
        return JSONResponse(_jsonable(step_json(store.get_protocol_step(task_id, step_id))))

    @api.get("/agent/tasks/{task_id}/artifacts")
    async def list_artifacts(task_id: str, page: int = Query(1, ge=1), page_size: int | None = Query(None),
                             pageSize: int | None = Query(None)) -> JSONResponse:  # noqa: N803
        store.get_task(task_id)
        manager.sync_artifacts(task_id)
        size = _page_size(page_size, pageSize)
        artifacts, total = store.list_artifacts(task_id, page, size)
        return JSONResponse(_jsonable({"artifacts": [artifact_json(a) for a in artifacts],
                                       "pagination": _pagination(total, page, size)}))

    @api.post("/agent/tasks/{task_id}/artifacts")
    async def upload_artifact(task_id: str, file: Annotated[UploadFile, File()],
                              relative_path: Annotated[str, Form()] = "") -> JSONResponse:
        record = store.get_task(task_id)
        name = Path(file.filename or "").name
        if not name or name in (".", ".."):
            raise ApiError(422, "invalid_request", "The uploaded file needs a file name.")
        workspace = Workspace(record.workspace)
        folder = relative_path.strip().strip("/")
        if folder == name or folder.endswith(f"/{name}"):  # a full path (as artifacts list them), not a folder
            folder = folder[: -len(name)].rstrip("/")
        target = workspace.resolve(f"{folder}/{name}" if folder else name)
        data = await file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise ApiError(413, "too_large", f"The file is larger than {MAX_UPLOAD} bytes.")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        artifact = store.add_artifact(ArtifactRecord(task_id=task_id, file_name=name, relative_path=folder,
                                                     agent_created=False))
        return JSONResponse(_jsonable(artifact_json(artifact)))

    @api.get("/agent/tasks/{task_id}/artifacts/{artifact_id}")
    async def download_artifact(task_id: str, artifact_id: str) -> Response:
        record = store.get_task(task_id)
        artifact = store.get_artifact(task_id, artifact_id)
        path = Workspace(record.workspace).resolve(artifact.path)
        if not path.is_file():
            raise ApiError(404, "not_found", f"{artifact.path} is no longer in the workspace.")
        return FileResponse(path, filename=artifact.file_name, media_type="application/octet-stream")

    # --- beyond the protocol ----------------------------------------------------------------------------

    @api.get("/agent/tasks/{task_id}/events")
    async def events(task_id: str, request: Request, after: int = Query(0, ge=0)) -> StreamingResponse:
        store.get_task(task_id)
        session = manager.session(task_id)
        queue: asyncio.Queue[tuple[int, str, dict[str, Any]]] = asyncio.Queue(maxsize=10_000)
        session.listeners.add(queue)
        last = int(request.headers.get("last-event-id") or after or 0)

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

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @api.post("/agent/tasks/{task_id}/run")
    async def run_task(task_id: str, wait: bool = Query(False)) -> JSONResponse:
        record = store.get_task(task_id)
        if not record.resumable:
            raise ConflictError(f"Task {task_id} has ended ({record.status}).")
        record = await manager.run(task_id, wait)
        return JSONResponse(_jsonable(manager.task_json(record)))

    @api.post("/agent/tasks/{task_id}/stop")
    async def stop_task(task_id: str) -> JSONResponse:
        return JSONResponse(_jsonable(manager.task_json(manager.stop(task_id))))

    app.include_router(api)

    @app.get("/", include_in_schema=False)
    async def index() -> Response:
        page = STATIC / "index.html"
        if not page.is_file():
            return _error(404, "not_found", "The web UI is not installed.")
        return FileResponse(page, media_type="text/html")

    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


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
