"""The server against a hostile browser page and hostile clients (the red-team findings), over real HTTP:
uvicorn on 127.0.0.1 with scripted models, as in ``test_server.py``.

Each test is one finding: a cross-site page (foreign Host, foreign Origin, simple POSTs), an oversized chunked
body, inputs that used to end in a 500 (huge pages, bad event ids, deep JSON, uploads onto folders and FIFOs,
wrong types), and the token rules. Every refusal must be a JSON ``{"error", "detail"}`` with a 4xx status.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from autogpt import Settings
from autogpt.server.app import create_app
from autogpt.store.base import TaskRecord
from autogpt.testing import ScriptedModel, reply
from live_server import LiveServer

AP = "/ap/v1/agent/tasks"
UPLOAD_HEADER = {"X-AutoGPT": "1"}


class Server(LiveServer):
    """The app under uvicorn in a thread; every task's model finishes at once."""

    def __init__(self, data_dir: Path, **options: Any) -> None:
        self.settings = Settings.load(data_dir=data_dir)
        super().__init__(create_app(self.settings, model_factory=self._model, **options), timeout=10,
                         log_level="critical")

    @staticmethod
    def _model(record: TaskRecord) -> ScriptedModel:
        return ScriptedModel([reply("finish", reason="ok")])

    def create(self, headers: dict[str, str] | None = None) -> str:
        response = self.http.post(AP, json={"input": "Write hello"}, headers=headers)
        assert response.status_code == 200, response.text
        return str(response.json()["task_id"])

    def workspace(self, task_id: str) -> Path:
        return self.settings.workspaces_dir / task_id


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    s = Server(tmp_path / "data")
    yield s
    s.close()


@pytest.fixture
def token_server(tmp_path: Path) -> Iterator[Server]:
    s = Server(tmp_path / "data", token="s3cret")
    yield s
    s.close()


def assert_error(response: httpx.Response, status: int, error: str | None = None) -> dict[str, Any]:
    """``status`` with the JSON error shape (and the ``error`` code, when given)."""
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert set(body) == {"error", "detail"} and isinstance(body["detail"], str) and body["detail"], body
    if error is not None:
        assert body["error"] == error, body
    return body


# --- 1. cross-site requests ----------------------------------------------------------------------------


def test_a_foreign_host_header_is_refused_dns_rebinding(tmp_path: Path) -> None:
    s = Server(tmp_path / "data", allowed_hosts=["agent.lan", "pinned.lan:9000"])
    try:
        for host in ("evil.example", f"evil.example:{s.port}", "127.0.0.1.evil.example", "pinned.lan:9001", ""):
            assert_error(s.http.get(AP, headers={"Host": host}), 403, "bad_host")
            assert_error(s.http.post(AP, json={"input": "x"}, headers={"Host": host}), 403, "bad_host")
        assert_error(s.http.get("/", headers={"Host": "evil.example"}), 403, "bad_host")  # the page too
        for host in (f"127.0.0.1:{s.port}", "127.0.0.1", f"localhost:{s.port}", "LOCALHOST", f"[::1]:{s.port}",
                     "[::1]", "agent.lan", "agent.lan:8443", "pinned.lan:9000"):
            assert s.http.get(AP, headers={"Host": host}).status_code == 200, host
    finally:
        s.close()


def test_a_request_from_a_foreign_origin_is_refused(server: Server) -> None:
    for origin in ("http://evil.example", f"http://evil.example:{server.port}", "null", "file://",
                   f"http://127.0.0.1:{server.port}/path", "ftp://localhost", "http://agent.lan"):
        assert_error(server.http.post(AP, json={"input": "x"}, headers={"Origin": origin}), 403, "bad_origin")
        assert_error(server.http.get(AP, headers={"Origin": origin}), 403, "bad_origin")
    for origin in (f"http://127.0.0.1:{server.port}", f"http://localhost:{server.port}", "https://localhost",
                   f"http://[::1]:{server.port}"):
        assert server.http.post(AP, json={"input": "x"}, headers={"Origin": origin}).status_code == 200, origin
    assert server.http.get(AP).json()["pagination"]["total_items"] == 4  # only the allowed ones made tasks
    # a CORS preflight (what a custom header or a JSON body from another origin needs) is never granted
    preflight = server.http.options(AP, headers={"Origin": f"http://localhost:{server.port}",
                                                 "Access-Control-Request-Method": "POST",
                                                 "Access-Control-Request-Headers": "content-type, x-autogpt"})
    assert preflight.status_code == 405 and not any(h.startswith("access-control-") for h in preflight.headers)


def test_simple_cross_site_posts_text_plain_and_forms_are_refused(server: Server) -> None:
    """What a page of another site can send without asking (no preflight): text/plain, a form, multipart."""
    body = json.dumps({"input": "x"})
    assert_error(server.http.post(AP, content=body, headers={"Content-Type": "text/plain"}), 415,
                 "unsupported_media_type")
    assert_error(server.http.post(AP, data={"input": "x"}), 415, "unsupported_media_type")
    assert_error(server.http.post(AP, files={"input": ("x", b"x")}), 415, "unsupported_media_type")
    tid = server.create()
    for path in (f"{AP}/{tid}/steps", f"{AP}/{tid}/run", f"{AP}/{tid}/stop"):
        assert_error(server.http.post(path, content=b"{}", headers={"Content-Type": "text/plain;charset=UTF-8"}),
                     415, "unsupported_media_type")
    # no content type at all: only from a client that sends no Origin (a browser always sends one)
    same_site = {"Origin": f"http://127.0.0.1:{server.port}"}
    assert_error(server.http.post(f"{AP}/{tid}/stop", headers=same_site), 415, "unsupported_media_type")
    # a multipart upload needs the custom header (it makes a browser ask first, which is never granted)
    assert_error(server.http.post(f"{AP}/{tid}/artifacts", files={"file": ("a.txt", b"a")}), 403, "missing_header")
    assert_error(server.http.post(f"{AP}/{tid}/artifacts", files={"file": ("a.txt", b"a")},
                                  headers={"X-AutoGPT": "yes"}), 403, "missing_header")
    assert_error(server.http.post(f"{AP}/{tid}/artifacts", files={"file": ("a.txt", b"a")},
                                  headers={**UPLOAD_HEADER, "Origin": "http://evil.example"}), 403, "bad_origin")
    assert not (server.workspace(tid) / "a.txt").exists()
    assert server.http.get(AP).json()["pagination"]["total_items"] == 1
    ok = server.http.post(f"{AP}/{tid}/artifacts", files={"file": ("a.txt", b"a")}, headers={**UPLOAD_HEADER, **same_site})
    assert ok.status_code == 200, ok.text
    assert server.http.post(f"{AP}/{tid}/stop", json={}, headers=same_site).status_code == 200


# --- 2. body limits ----------------------------------------------------------------------------------------


def test_a_chunked_body_over_the_limit_is_refused_while_it_arrives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("autogpt.server.app.MAX_UPLOAD", 1_500_000)
    s = Server(tmp_path / "data")
    try:
        def chunks(total: int, first: bytes = b"") -> Iterator[bytes]:  # no Content-Length: Transfer-Encoding: chunked
            yield first
            for _ in range(total // 65536):
                yield b" " * 65536

        response = s.http.post(AP, content=chunks(3_000_000, b'{"input": "x"}'),
                               headers={"Content-Type": "application/json"})
        assert "content-length" not in response.request.headers
        assert_error(response, 413, "too_large")
        assert s.http.get(AP).json()["pagination"]["total_items"] == 0
        tid = s.create()
        boundary = "b0undary"
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode()
        response = s.http.post(f"{AP}/{tid}/artifacts", content=chunks(3_000_000, head),
                               headers={"Content-Type": f"multipart/form-data; boundary={boundary}", **UPLOAD_HEADER})
        assert_error(response, 413, "too_large")
        assert not (s.workspace(tid) / "big.bin").exists()
        assert s.http.get(AP).status_code == 200  # still serving
    finally:
        s.close()


# --- 3. inputs that used to be a 500 ------------------------------------------------------------------------


def test_huge_page_numbers_are_a_4xx(server: Server) -> None:
    tid = server.create()
    for path in (AP, f"{AP}/{tid}/steps", f"{AP}/{tid}/artifacts"):
        for page in (10**20, 2**62, 2**63):
            assert_error(server.http.get(path, params={"page": page}), 422, "invalid_request")
        assert_error(server.http.get(path, params={"page_size": 10**30}), 400, "bad_request")
        assert server.http.get(path, params={"page": 1_000_000}).status_code == 200


def test_a_bad_last_event_id_or_after_is_a_4xx_not_a_dying_stream(server: Server) -> None:
    tid = server.create()
    events = f"{AP}/{tid}/events"
    for bad in ("abc", "-1", "1.5", "9" * 30, "", "١٢".encode()):  # the last: Arabic-Indic digits, in UTF-8
        assert_error(server.http.get(events, headers={"Last-Event-ID": bad}), 400, "bad_request")
    for bad in (10**30, 2**63, -1, "x"):
        assert_error(server.http.get(events, params={"after": bad}), 422, "invalid_request")
    with server.http.stream("GET", events, headers={"Last-Event-ID": "999999999999999999"}) as stream:
        assert stream.status_code == 200
        assert next(stream.iter_lines()) == "event: task"


def test_deeply_nested_json_is_a_400(server: Server) -> None:
    tid = server.create()
    headers = {"Content-Type": "application/json"}
    deep = '{"input": "x", "additional_input": {"a": ' + '{"a": ' * 100_000 + "1" + "}" * 100_000 + "}}"
    for path in (AP, f"{AP}/{tid}/steps"):
        assert_error(server.http.post(path, content="[" * 200_000 + "]" * 200_000, headers=headers), 400, "bad_json")
        assert_error(server.http.post(path, content=deep, headers=headers), 400, "bad_json")
        nested: Any = 1
        for _ in range(200):  # within Python's recursion limit, still far too deep
            nested = [nested]
        assert_error(server.http.post(path, json={"input": "x", "additional_input": {"a": nested}}), 400, "bad_json")
    assert server.http.post(AP, json={"input": "x", "additional_input": {"a": [[[[1]]]]}}).status_code == 200


def test_uploads_over_a_file_or_onto_a_folder(server: Server) -> None:
    tid = server.create()
    workspace = server.workspace(tid)
    upload = f"{AP}/{tid}/artifacts"
    first = server.http.post(upload, files={"file": ("a.txt", b"one")}, headers=UPLOAD_HEADER)
    assert first.status_code == 200, first.text
    again = server.http.post(upload, files={"file": ("a.txt", b"two")}, headers=UPLOAD_HEADER)
    assert again.status_code == 200, again.text  # over an existing file: replaced
    assert (workspace / "a.txt").read_bytes() == b"two"
    download = server.http.get(f"{upload}/{again.json()['artifact_id']}")
    assert download.status_code == 200 and download.content == b"two"
    assert "a.txt" in download.headers["content-disposition"]

    (workspace / "sub").mkdir()
    assert_error(server.http.post(upload, files={"file": ("sub", b"x")}, headers=UPLOAD_HEADER), 409, "conflict")
    assert_error(server.http.post(upload, files={"file": ("b.txt", b"x")}, data={"relative_path": "a.txt"},
                                  headers=UPLOAD_HEADER), 400, "bad_path")  # a file where a folder should be
    assert (workspace / "sub").is_dir()


# --- 4. special files ----------------------------------------------------------------------------------------


def test_an_upload_onto_a_fifo_is_refused_without_hanging_the_server(server: Server) -> None:
    """Agent code can make a FIFO in its workspace; opening it to write would block the whole server."""
    tid = server.create()
    upload = f"{AP}/{tid}/artifacts"
    fifo = server.workspace(tid) / "pipe"
    os.mkfifo(fifo)
    try:
        started = time.monotonic()
        response = server.http.post(upload, files={"file": ("pipe", b"x")}, headers=UPLOAD_HEADER, timeout=5)
        assert_error(response, 409, "conflict")
        listed = server.http.get(upload, timeout=5).json()["artifacts"]
        for artifact in listed:  # the FIFO may be listed; downloading it must not hang either
            if artifact["file_name"] == "pipe":
                got = server.http.get(f"{upload}/{artifact['artifact_id']}", timeout=5)
                assert got.status_code in (404, 409) and set(got.json()) == {"error", "detail"}
        assert time.monotonic() - started < 5
        assert server.http.get(AP, timeout=5).status_code == 200  # the server still answers
    finally:
        with open(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK), "rb"):  # frees a writer blocked on it (old code)
            pass


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"input": "x", "additional_input": [1, 2]}, "additional_input"),
        ({"input": "x", "additional_input": "goals"}, "additional_input"),
        ({"input": "x", "additional_input": 5}, "additional_input"),
        ({"additional_input": {"goals": "Write hello"}}, "goals"),
        ({"additional_input": {"goals": [1, 2]}}, "goals"),
        ({"additional_input": {"goals": [{"goal": "x"}]}}, "goals"),
        ({"input": "x", "additional_input": {"name": ["a"]}}, "name"),
        ({"input": "x", "additional_input": {"role": {"a": 1}}}, "role"),
        ({"input": "x", "additional_input": {"continuous": "false"}}, "continuous"),
        ({"input": "x", "additional_input": {"max_steps": True}}, "max_steps"),
        ({"input": "x", "additional_input": {"max_steps": "5"}}, "max_steps"),
        ({"input": "x", "additional_input": {"model": ["gpt"]}}, "model"),
        ({"input": "x", "additional_input": {"language": ["en"]}}, "language"),
        ({"input": ["x"]}, "input"),
    ],
)
def test_wrong_types_in_additional_input_are_a_422_naming_the_field(server: Server, body: dict[str, Any],
                                                                     field: str) -> None:
    detail = assert_error(server.http.post(AP, json=body), 422, "invalid_request")["detail"]
    assert field in detail, detail
    assert server.http.get(AP).json()["pagination"]["total_items"] == 0


def test_wrong_types_in_a_step_are_a_422(server: Server) -> None:
    tid = server.create()
    for body in ({"additional_input": [1]}, {"additional_input": "x"}, {"input": 5}, {"input": {"a": 1}}):
        detail = assert_error(server.http.post(f"{AP}/{tid}/steps", json=body), 422, "invalid_request")["detail"]
        assert next(iter(body)) in detail, detail


def test_an_unexpected_error_is_still_a_json_500(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """The last resort: a bug in a route answers JSON, without the exception's text."""
    store = server.server.config.app.state.store

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(store, "list_tasks", broken)
    body = assert_error(server.http.get(AP), 500, "internal_error")
    assert "secret internals" not in body["detail"]


# --- 5. the token ------------------------------------------------------------------------------------------


def test_the_token_is_taken_only_as_a_bearer_header(token_server: Server) -> None:
    s = token_server
    bearer = {"Authorization": "Bearer s3cret"}
    tid = s.create(headers=bearer)
    for headers, params in (({"Authorization": "s3cret"}, {}), ({"Authorization": "Basic s3cret"}, {}),
                            ({"Authorization": "Bearer s3cret2"}, {}), ({"Authorization": "Bearer"}, {}),
                            ({}, {"token": "s3cret"}), ({"Authorization": "Bearer wrong"}, {"token": "s3cret"})):
        for method, path in (("GET", AP), ("GET", f"{AP}/{tid}"), ("POST", f"{AP}/{tid}/stop")):
            assert_error(s.http.request(method, path, headers=headers, params=params, json={}), 401, "unauthorized")
    assert s.http.get(AP, headers={"Authorization": "bearer s3cret"}).status_code == 200  # the scheme's case
    # the event stream alone takes ?token= (an EventSource cannot send headers); it is for GET only
    with s.http.stream("GET", f"{AP}/{tid}/events", params={"token": "s3cret"}) as stream:
        assert stream.status_code == 200 and next(stream.iter_lines()) == "event: task"
    assert_error(s.http.get(f"{AP}/{tid}/events", params={"token": "wrong"}), 401, "unauthorized")
    # with the token, any body type may be sent (a page of another site cannot send the header)
    text = s.http.post(AP, content=json.dumps({"input": "x"}), headers={**bearer, "Content-Type": "text/plain"})
    assert text.status_code == 200, text.text
    upload = s.http.post(f"{AP}/{tid}/artifacts", files={"file": ("a.txt", b"a")}, headers=bearer)
    assert upload.status_code == 200, upload.text


def test_docs_and_the_openapi_schema_need_the_token(token_server: Server) -> None:
    s = token_server
    for path in ("/docs", "/openapi.json", "/docs/oauth2-redirect"):
        assert_error(s.http.get(path), 401, "unauthorized")
        assert_error(s.http.get(path, params={"token": "s3cret"}), 401, "unauthorized")
    assert s.http.get("/openapi.json", headers={"Authorization": "Bearer s3cret"}).json()["paths"]
    assert s.http.get("/docs", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert s.http.get("/").status_code == 200  # the web UI's page asks for the token itself
    assert s.http.get("/static/app.js").status_code == 200
