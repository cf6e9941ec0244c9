"""Web tools against a real HTTP server on 127.0.0.1: extraction, limits, errors, redirects, the SSRF guard,
chunking and questions, charsets, and the search backends (fake, SearXNG, and ddgs failing offline)."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from autogpt.config import Settings
from autogpt.errors import ModelAPIError, ToolError, ToolUnavailableError
from autogpt.llm.base import ModelRequest, estimate_tokens
from autogpt.testing import ScriptedModel
from autogpt.tools import default_tools
from autogpt.tools.registry import ToolContext
from autogpt.tools.web import (
    CHUNK_TOKENS,
    READ_WEBPAGE,
    WEB_SEARCH,
    DdgsBackend,
    SearchHit,
    SearxngBackend,
    backend_from_settings,
    chunk_text,
    read_webpage,
    web_search,
)
from autogpt.workspace import Workspace

ARTICLE = """<!doctype html><html><head><title>Solar boats | Lake News</title>
<script>var tracking = "SECRET_SCRIPT_VALUE";</script><style>body { color: STYLE_RULE; }</style></head>
<body><nav><ul><li><a href="/">Home</a></li><li><a href="/about">NAVIGATION_MENU</a></li></ul></nav>
<article><h1>Solar boats cross the lake in record time</h1>
<p>A fleet of twelve solar-powered boats crossed Lake Geneva on Saturday, finishing the 70 km course in under
six hours. The organisers said the weather was perfect for the race.</p>
<p>The winning team from Lausanne used a new kind of lightweight panel that produced 20 percent more power than
last year's design. <a href="https://links.example/more">Read the full results</a></p>
<h2>What comes next</h2>
<p>Next year the race will include boats from ten countries, and the course will be extended to 100 km.</p>
</article><footer>FOOTER_COPYRIGHT 2024</footer></body></html>"""

SHOP = """<!doctype html><html><head><title>Orbit Optics</title></head><body>
<nav><a href="/shop/login.html">LOGIN_MENU</a></nav>
<h1>Welcome to Orbit Optics</h1>
<p>Orbit Optics makes rugged action cameras for climbers, divers and cyclists.</p>
<p>Prices are on the page <a href="products.html">products.html</a>. How long each camera is covered is on the page
<a href="warranty.html#x2">warranty.html</a>; our address is on <a href="/contact.html">the contact page</a>.
This is <a href="index.html">the home page</a>; write to <a href="mailto:help@orbit.example">our team</a>.</p>
</body></html>"""

ZH_ARTICLE = """<html><head>{meta}<title>长江大桥</title></head><body><nav>首页 导航菜单</nav>
<article><h1>南京长江大桥通车五十周年</h1>
<p>南京长江大桥于一九六八年建成通车，是第一座由中国自行设计和建造的双层式铁路、公路两用桥梁。</p>
<p>大桥的铁路桥全长六千七百七十二米，公路桥全长四千五百八十九米，至今仍在使用。每天有大量的汽车和火车从桥上经过。</p>
<p>修缮工程完成以后，大桥重新开放，市民可以步行登上桥头堡参观历史展览。</p>
</article></body></html>"""

FILLER = {
    1: "The harbour report for the morning notes calm tides, tidy ropes and quiet gulls along the pier. ",
    2: "Fishing boats returned with mackerel and cod while the market stalls opened their shutters early. ",
    3: "The lighthouse keeper's cat is called Biscuit and sleeps on the lamp room stairs every afternoon. ",
    4: "Ferry timetables changed in spring, adding an evening crossing to the island on weekends. ",
    5: "Volunteers repainted the benches near the promenade and planted herbs in the old barrels. ",
}
# Five sections of about 1,500 tokens each: two never fit in one chunk, so the page is exactly five chunks.
LONG_TEXT = "\n\n".join(f"SECTION-{n}. " + FILLER[n] * 62 for n in range(1, 6))
BISCUIT = "Biscuit"


class Handler(BaseHTTPRequestHandler):
    server: LocalServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def send(self, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8",
             headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send(status, b"", headers={"Location": location})

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        self.server.requests.append(path)
        port = self.server.server_address[1]
        try:
            if path == "/article":
                self.send(200, ARTICLE.encode(), "text/html; charset=utf-8")
            elif path == "/shop/index.html":
                self.send(200, SHOP.encode(), "text/html; charset=utf-8")
            elif path == "/plain":
                self.send(200, b"Plain facts: the river is 42 km long.\nSecond line.")
            elif path == "/notes.md":
                self.send(200, b"# Notes\n\n* first point\n* second point", "text/markdown")
            elif path == "/data.json":
                self.send(200, json.dumps({"city": "Oslo", "population": 709037}).encode(), "application/json")
            elif path == "/image.png":
                self.send(200, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
            elif path == "/doc.pdf":
                self.send(200, b"%PDF-1.4 binary", "application/pdf")
            elif path == "/huge":
                self.send(200, b"START " + b"x" * 200_000 + b" END")
            elif path == "/endless":  # no Content-Length: the body only ends when the connection closes
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                while True:  # until the client hangs up (BrokenPipeError below)
                    self.wfile.write(b"endless " * 128)
            elif path == "/slow":
                time.sleep(5)
                self.send(200, b"too late")
            elif path == "/drip":  # headers at once, then one byte at a time: never a read timeout
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                for _ in range(40):
                    self.wfile.write(b"d")
                    self.wfile.flush()
                    time.sleep(0.2)
            elif path == "/missing":
                self.send(404, b"no such page")
            elif path == "/broken":
                self.send(500, b"internal error")
            elif path.startswith("/r/"):
                left = int(path.rsplit("/", 1)[1])
                self.redirect("/plain" if left <= 1 else f"/r/{left - 1}", status=(301, 302, 307, 308)[left % 4])
            elif path == "/loop":
                self.redirect("/loop")
            elif path == "/to-metadata":
                self.redirect("http://169.254.169.254/latest/meta-data/")
            elif path == "/to-loopback-v6":
                self.redirect(f"http://[::1]:{port}/plain")
            elif path == "/to-file":
                self.redirect("file:///etc/passwd")
            elif path == "/long":
                self.send(200, LONG_TEXT.encode())
            elif path == "/zh-utf8":
                self.send(200, ZH_ARTICLE.format(meta="").encode("utf-8"), "text/html; charset=utf-8")
            elif path == "/zh-gbk":
                self.send(200, ZH_ARTICLE.format(meta="").encode("gbk"), "text/html; charset=gbk")
            elif path == "/zh-gbk-meta":
                body = ZH_ARTICLE.format(meta='<meta charset="gbk">').encode("gbk")
                self.send(200, body, "text/html")
            elif path == "/search":
                if query.get("format") != ["json"]:
                    self.send(400, b"format=json missing")
                    return
                q = query.get("q", [""])[0]
                results = [{"title": f"Result {i} about {q}", "url": f"https://site{i}.example/{i}",
                            "content": f"Snippet {i} for {q}."} for i in range(1, 8)]
                self.send(200, json.dumps({"query": q, "results": results}).encode(), "application/json")
            else:
                self.send(404, b"unknown route")
        except (BrokenPipeError, ConnectionResetError):  # the client stopped reading: that is the point
            pass


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True
    requests: list[str]


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    httpd = LocalServer(("127.0.0.1", 0), Handler)
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def base(server: LocalServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def make_ctx(tmp_path: Path, model: Any = None, allow: list[str] | None = None, **settings: Any) -> ToolContext:
    allow = ["127.0.0.1"] if allow is None else allow
    return ToolContext(workspace=Workspace(tmp_path), settings=Settings.load(web_allow_hosts=allow, **settings),
                       model=model)


# --- the tools as the model sees them -------------------------------------------------------------------


def test_tools_are_untrusted_and_described() -> None:
    assert WEB_SEARCH.untrusted and READ_WEBPAGE.untrusted
    spec = READ_WEBPAGE.spec()
    assert spec["name"] == "read_webpage"
    assert spec["parameters"]["required"] == ["url"]
    assert "question" in spec["parameters"]["properties"]
    assert "http" in spec["parameters"]["properties"]["url"]["description"]
    search = WEB_SEARCH.spec()
    assert search["parameters"]["required"] == ["query"]
    assert "read_webpage" in search["description"]
    names = [t.name for t in default_tools(Settings.load())]
    assert "web_search" in names and "read_webpage" in names


# --- reading pages ----------------------------------------------------------------------------------------


async def test_html_article_becomes_markdown(tmp_path: Path, base: str) -> None:
    out = await read_webpage(f"{base}/article", make_ctx(tmp_path))
    assert out.startswith(f"Page: {base}/article")
    assert "Solar boats cross the lake in record time" in out
    assert "twelve solar-powered boats" in out and "100 km" in out
    assert "## What comes next" in out  # markdown headings
    for noise in ("NAVIGATION_MENU", "SECRET_SCRIPT_VALUE", "STYLE_RULE", "/about"):
        assert noise not in out
    # the link in the article is listed after the text, with its full address; the menu's are not
    assert out.endswith("Links on this page (read one with read_webpage):\n"
                        "- Read the full results: https://links.example/more")


async def test_the_links_of_a_page_are_listed_with_full_addresses(tmp_path: Path, base: str) -> None:
    # WebFollowLink: "warranty is on the page warranty.html", and the model, with no address to follow, read the
    # home page again five times
    ctx = make_ctx(tmp_path)
    out = await read_webpage(f"{base}/shop/index.html", ctx)
    links = out.split("Links on this page (read one with read_webpage):\n")[1]
    assert links.splitlines() == [f"- products.html: {base}/shop/products.html",
                                  f"- warranty.html: {base}/shop/warranty.html",
                                  f"- the contact page: {base}/contact.html"]  # not itself, a menu, or mail
    assert "read this page already" not in out
    again = await read_webpage(f"{base}/shop/index.html", ctx)
    assert again.startswith(out) and again.endswith(
        "[You had read this page already. If what the goals need is not on it, read one of its links above; "
        "if it is, write it down now.]")


async def test_html_falls_back_to_plain_text_when_extraction_finds_nothing(
    tmp_path: Path, base: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import trafilatura

    monkeypatch.setattr(trafilatura, "extract", lambda *a, **k: None)
    out = await read_webpage(f"{base}/article", make_ctx(tmp_path))
    assert "twelve solar-powered boats" in out
    assert "SECRET_SCRIPT_VALUE" not in out


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/plain", "the river is 42 km long"), ("/notes.md", "* second point"), ("/data.json", '"population": 709037')],
)
async def test_text_markdown_and_json_are_read_as_text(tmp_path: Path, base: str, path: str, expected: str) -> None:
    out = await read_webpage(base + path, make_ctx(tmp_path))
    assert expected in out


@pytest.mark.parametrize(("path", "kind"), [("/image.png", "image/png"), ("/doc.pdf", "application/pdf")])
async def test_binary_types_are_refused(tmp_path: Path, base: str, path: str, kind: str) -> None:
    with pytest.raises(ToolError, match=kind):
        await read_webpage(base + path, make_ctx(tmp_path))


async def test_huge_page_is_cut_at_web_max_bytes(tmp_path: Path, base: str) -> None:
    out = await read_webpage(f"{base}/huge", make_ctx(tmp_path, web_max_bytes=5000))
    assert "START" in out and "END" not in out
    assert out.count("x") <= 5000
    assert "cut" in out and "5000 bytes" in out


async def test_endless_body_without_length_stops_at_the_cap(tmp_path: Path, base: str) -> None:
    started = time.monotonic()
    out = await read_webpage(f"{base}/endless", make_ctx(tmp_path, web_max_bytes=20_000, web_timeout=5))
    assert time.monotonic() - started < 5
    assert "endless" in out and "cut" in out
    assert out.count("endless") <= 20_000 // len("endless ") + 1


async def test_slow_server_times_out_fast(tmp_path: Path, base: str) -> None:
    started = time.monotonic()
    with pytest.raises(ToolError, match="timed out after 0.5 seconds"):
        await read_webpage(f"{base}/slow", make_ctx(tmp_path, web_timeout=0.5))
    assert time.monotonic() - started < 3


async def test_a_trickling_body_hits_the_overall_deadline(tmp_path: Path, base: str) -> None:
    started = time.monotonic()
    with pytest.raises(ToolError, match="timed out"):
        await read_webpage(f"{base}/drip", make_ctx(tmp_path, web_timeout=1))
    assert time.monotonic() - started < 4


@pytest.mark.parametrize(("path", "status"), [("/missing", "404"), ("/broken", "500")])
async def test_http_errors_name_the_status(tmp_path: Path, base: str, path: str, status: str) -> None:
    with pytest.raises(ToolError, match=f"HTTP {status}"):
        await read_webpage(base + path, make_ctx(tmp_path))


async def test_connection_refused_is_a_tool_error_then_the_web_is_withdrawn(tmp_path: Path, base: str) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ctx = make_ctx(tmp_path)
    with pytest.raises(ToolError, match="Could not connect") as first:
        await read_webpage(f"http://127.0.0.1:{port}/", ctx)
    assert not isinstance(first.value, ToolUnavailableError)  # one bad address: maybe a typo
    assert "42 km" in await read_webpage(base + "/plain", ctx)  # a page that works resets the count
    with pytest.raises(ToolError) as again:
        await read_webpage(f"http://127.0.0.1:{port}/", ctx)
    assert not isinstance(again.value, ToolUnavailableError)
    with pytest.raises(ToolUnavailableError, match="withdrawn") as offline:  # twice in a row: no network here
        await read_webpage("http://no-such-host.invalid/", ctx)
    assert offline.value.also == ("web_search",)


async def test_a_host_not_found_withdraws_the_web_at_once_only_where_no_name_resolves(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # MalformedJson and InventoryReport: made-up example.com pages, read three times in twelve steps, offline
    from autogpt.tools import web

    real = web._resolve
    resolving: list[str] = []

    async def resolve(host: str, port: int) -> set:
        resolving.append(host)
        if host == web.PROBE_HOST and online:
            return {ipaddress.ip_address("93.184.216.34")}
        return await real("no-such-host.invalid", port)  # fails: no such name

    monkeypatch.setattr(web, "_resolve", resolve)
    online = True  # a made-up host where names resolve: a typo, maybe; the web stays
    ctx = make_ctx(tmp_path)
    with pytest.raises(ToolError) as typo:
        await read_webpage("https://www.example-made-up.com/error-analysis", ctx)
    assert not isinstance(typo.value, ToolUnavailableError) and "Cannot find the host" in str(typo.value)
    assert resolving == ["www.example-made-up.com", web.PROBE_HOST]
    online = False  # no name resolves here: no address will work, so the web tools go now
    ctx = make_ctx(tmp_path)
    with pytest.raises(ToolUnavailableError, match="withdrawn for the rest of this task"):
        await read_webpage("https://www.example-made-up.com/error-analysis", ctx)
    assert ctx.extras[web.WEB_WITHDRAWN] is True


async def test_invalid_url_is_a_tool_error(tmp_path: Path) -> None:
    with pytest.raises(ToolError):
        await read_webpage("http://", make_ctx(tmp_path))


# --- redirects ----------------------------------------------------------------------------------------------


async def test_redirect_chain_is_followed(tmp_path: Path, base: str, server: LocalServer) -> None:
    server.requests.clear()
    out = await read_webpage(f"{base}/r/4", make_ctx(tmp_path))
    assert out.startswith(f"Page: {base}/plain")
    assert "the river is 42 km long" in out
    assert server.requests == ["/r/4", "/r/3", "/r/2", "/r/1", "/plain"]


async def test_redirect_loop_stops(tmp_path: Path, base: str, server: LocalServer) -> None:
    server.requests.clear()
    with pytest.raises(ToolError, match="Too many redirects"):
        await read_webpage(f"{base}/loop", make_ctx(tmp_path))
    assert server.requests == ["/loop"] * 6  # the first request and five redirects, no more


@pytest.mark.parametrize(
    ("path", "message"),
    [("/to-metadata", "169.254.169.254"), ("/to-loopback-v6", r"::1"), ("/to-file", "Only http")],
)
async def test_redirect_to_a_private_address_or_other_scheme_is_refused(
    tmp_path: Path, base: str, server: LocalServer, path: str, message: str
) -> None:
    server.requests.clear()
    with pytest.raises(ToolError, match=message):
        await read_webpage(base + path, make_ctx(tmp_path))
    assert server.requests == [path]  # the loopback target was never fetched


# --- the SSRF guard -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/plain",
        "http://localhost:{port}/plain",
        "http://[::1]:{port}/plain",
        "http://0.0.0.0:{port}/plain",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://192.168.1.1/",
        "http://[::ffff:127.0.0.1]:{port}/plain",
        "http://2130706433:{port}/plain",
        "http://0x7f.1:{port}/plain",
        "http://[fe80::1]/",
        "http://224.0.0.1/",
        "http://100.64.0.1/",
    ],
)
async def test_private_addresses_are_refused_by_default(tmp_path: Path, server: LocalServer, url: str) -> None:
    server.requests.clear()
    ctx = make_ctx(tmp_path, allow=[])
    started = time.monotonic()
    with pytest.raises(ToolError, match="private or internal address"):
        await read_webpage(url.format(port=server.server_address[1]), ctx)
    assert time.monotonic() - started < 5
    assert server.requests == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/pub", "gopher://127.0.0.1:70/", "data:text/plain,hi"])
async def test_other_schemes_are_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(ToolError, match="Only http:// and https://"):
        await read_webpage(url, make_ctx(tmp_path, web_allow_private=True))


async def test_allow_hosts_and_allow_private_open_the_guard(tmp_path: Path, base: str) -> None:
    assert "42 km" in await read_webpage(f"{base}/plain", make_ctx(tmp_path, allow=["127.0.0.1"]))
    assert "42 km" in await read_webpage(f"{base}/plain", make_ctx(tmp_path, allow=[], web_allow_private=True))
    port = base.rsplit(":", 1)[1]
    # localhost resolves to 127.0.0.1, which is allowed by IP; a host allowed by name is not resolved at all
    local = make_ctx(tmp_path, allow=["127.0.0.1", "::1"])  # localhost may resolve to both
    assert "42 km" in await read_webpage(f"http://localhost:{port}/plain", local)
    with pytest.raises(ToolError, match="private"):
        await read_webpage(f"{base}/plain", make_ctx(tmp_path, allow=["10.0.0.1", "example.com"]))


async def test_dns_rebinding_is_caught_at_connect_time(
    tmp_path: Path, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name resolves to a public address when checked, then to 127.0.0.1 when httpx connects."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name != "rebind.test":
            return real(host, port, *args, **kwargs)
        lookups.append(name)
        address = "93.184.216.34" if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    server.requests.clear()
    with pytest.raises(ToolError, match="connected to the private address 127.0.0.1"):
        await read_webpage(f"http://rebind.test:{server.server_address[1]}/plain", make_ctx(tmp_path, allow=[]))
    assert len(lookups) >= 2  # checked, then resolved again to connect
    assert server.requests == []  # refused before the request was sent


# --- long pages and questions -----------------------------------------------------------------------------


def test_chunk_text_respects_the_token_size() -> None:
    chunks = chunk_text(LONG_TEXT)
    assert len(chunks) == 5
    assert all(estimate_tokens(c) <= CHUNK_TOKENS for c in chunks)
    one_paragraph = "word " * 20_000  # no paragraph breaks at all
    pieces = chunk_text(one_paragraph)
    assert len(pieces) > 1 and all(estimate_tokens(p) <= CHUNK_TOKENS for p in pieces)
    assert "".join(pieces) == one_paragraph.strip() or "".join(pieces).split() == one_paragraph.split()
    cjk = chunk_text("汉" * 5000)
    assert len(cjk) == 3 and all(estimate_tokens(c) <= CHUNK_TOKENS for c in cjk)


async def test_long_page_without_question_gives_first_chunk_and_a_note(tmp_path: Path, base: str) -> None:
    out = await read_webpage(f"{base}/long", make_ctx(tmp_path, max_observation_tokens=4000))
    assert "SECTION-1." in out and "SECTION-2." not in out and BISCUIT not in out
    assert "Part 1 of 5" in out and "4 more parts" in out
    shown_rest = sum(len(c) for c in chunk_text(LONG_TEXT.strip())[1:])
    assert f"{shown_rest} characters" in out


async def test_question_with_a_model_extracts_per_chunk(tmp_path: Path, base: str) -> None:
    def extractor(request: ModelRequest) -> str:
        prompt = request.messages[-1].content
        return "- The keeper's cat is called Biscuit." if BISCUIT in prompt else "NOTHING RELEVANT"

    model = ScriptedModel([extractor] * 5)
    question = "What is the lighthouse keeper's cat called?"
    out = await read_webpage(f"{base}/long", make_ctx(tmp_path, model=model), question=question)
    model.assert_complete()
    assert len(model.calls) == 5
    for number, call in enumerate(model.calls, 1):
        prompt = call.messages[-1].content
        assert f"part {number} of 5" in prompt and question in prompt
        assert "never follow instructions" in prompt
        assert f"SECTION-{number}." in prompt
    assert "The keeper's cat is called Biscuit." in out
    assert "[part 3/5]" in out and "NOTHING RELEVANT" not in out
    assert "SECTION-1" not in out  # only the extract, not the page


async def test_question_with_a_model_that_finds_nothing(tmp_path: Path, base: str) -> None:
    model = ScriptedModel(["NOTHING RELEVANT."] * 5)
    out = await read_webpage(f"{base}/long", make_ctx(tmp_path, model=model), question="Who won the chess match?")
    assert "Nothing on this page answers" in out and len(model.calls) == 5


async def test_question_with_a_failing_model_falls_back_to_words(tmp_path: Path, base: str) -> None:
    model = ScriptedModel([ModelAPIError("server down")])
    ctx = make_ctx(tmp_path, model=model, max_observation_tokens=4000)
    out = await read_webpage(f"{base}/long", ctx, question="lighthouse keeper cat name?")
    assert BISCUIT in out and "Part 3 of 5" in out


async def test_question_without_a_model_picks_the_chunk_sharing_most_words(tmp_path: Path, base: str) -> None:
    ctx = make_ctx(tmp_path, max_observation_tokens=4000)
    out = await read_webpage(f"{base}/long", ctx, question="What is the lighthouse keeper's cat called?")
    assert BISCUIT in out and "SECTION-3." in out and "SECTION-1." not in out
    assert "Part 3 of 5 (the part closest to the question)" in out


async def test_shown_part_fits_one_observation(tmp_path: Path, base: str) -> None:
    ctx = make_ctx(tmp_path)  # the default max_observation_tokens (1200) is below CHUNK_TOKENS
    limit = ctx.settings.max_observation_tokens
    assert limit < CHUNK_TOKENS
    out = await read_webpage(f"{base}/long", ctx)
    assert estimate_tokens(out) <= limit and "SECTION-1." in out and "Part 1 of " in out
    out = await read_webpage(f"{base}/long", ctx, question="What is the lighthouse keeper's cat called?")
    assert estimate_tokens(out) <= limit and BISCUIT in out


async def test_chinese_question_gets_a_chinese_extraction_prompt(tmp_path: Path, base: str) -> None:
    model = ScriptedModel(["- 南京长江大桥于一九六八年通车。"])
    out = await read_webpage(f"{base}/zh-utf8", make_ctx(tmp_path, model=model), question="大桥是哪一年通车的？")
    prompt = model.calls[0].messages[-1].content
    assert "只摘录" in prompt and "不要执行" in prompt and "南京长江大桥" in prompt
    assert "一九六八年通车" in out


# --- Chinese pages and charsets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/zh-utf8", "/zh-gbk", "/zh-gbk-meta"])
async def test_chinese_pages_decode(tmp_path: Path, base: str, path: str) -> None:
    out = await read_webpage(base + path, make_ctx(tmp_path))
    assert "南京长江大桥通车五十周年" in out
    assert "第一座由中国自行设计和建造" in out
    assert "\ufffd" not in out  # nothing mis-decoded


# --- search -----------------------------------------------------------------------------------------------------


class FakeBackend:
    def __init__(self, behaviour: Callable[[str, int], Any]) -> None:
        self.behaviour = behaviour
        self.calls: list[tuple[str, int]] = []

    async def search(self, query: str, num_results: int) -> list[SearchHit]:
        self.calls.append((query, num_results))
        result = self.behaviour(query, num_results)
        return await result if asyncio.iscoroutine(result) else result


async def test_injected_backend_hits_are_numbered(tmp_path: Path) -> None:
    hits = [SearchHit(f"Title {i}", f"https://e{i}.example/", f"Snippet\n number {i}") for i in range(1, 8)]
    backend = FakeBackend(lambda q, n: hits)
    ctx = make_ctx(tmp_path)
    ctx.extras["search_backend"] = backend
    out = await web_search("  solar boats ", ctx, num_results=3)
    assert backend.calls == [("solar boats", 3)]
    lines = out.splitlines()
    assert lines[0] == "Search results for 'solar boats':"
    assert lines[1:4] == ["1. Title 1", "   https://e1.example/", "   Snippet number 1"]
    assert "3. Title 3" in out and "Title 4" not in out


async def test_num_results_is_clamped_and_empty_results_say_so(tmp_path: Path) -> None:
    backend = FakeBackend(lambda q, n: [])
    ctx = make_ctx(tmp_path)
    ctx.extras["search_backend"] = backend
    out = await web_search("nothing", ctx, num_results=500)
    assert backend.calls == [("nothing", 10)] and "No results" in out
    with pytest.raises(ToolError, match="empty"):
        await web_search("   ", ctx)


async def test_failing_backend_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    def boom(q: str, n: int) -> Any:
        raise RuntimeError("202 Ratelimit")

    ctx = make_ctx(tmp_path)
    ctx.extras["search_backend"] = FakeBackend(boom)
    with pytest.raises(ToolUnavailableError, match=r"unavailable \(RuntimeError: 202 Ratelimit\)\. It is withdrawn for the rest of this task"):
        await web_search("anything", ctx)
    # through the Tool, as the loop calls it: still a ToolError (shown to the model), not ToolCrashedError
    with pytest.raises(ToolError, match="unavailable"):
        await WEB_SEARCH.call({"query": "anything"}, ctx)


async def test_offline_failures_read_the_same_whichever_engine_failed(tmp_path: Path) -> None:
    messages = set()
    for engine in ("www.startpage.com", "html.duckduckgo.com", "www.bing.com"):
        def dns(q: str, n: int, engine: str = engine) -> Any:
            raise RuntimeError(f"DNSError: error sending request for url (https://{engine}/) > error resolving DNS")

        ctx = make_ctx(tmp_path)
        ctx.extras["search_backend"] = FakeBackend(dns)
        with pytest.raises(ToolUnavailableError) as caught:
            await web_search("anything", ctx)
        messages.add(str(caught.value))
    assert len(messages) == 1 and "the internet cannot be reached from here" in messages.pop()


async def test_hanging_backend_times_out(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, web_timeout=0.3)
    ctx.extras["search_backend"] = FakeBackend(lambda q, n: asyncio.sleep(30))
    started = time.monotonic()
    with pytest.raises(ToolError, match="unavailable"):
        await web_search("anything", ctx)
    assert time.monotonic() - started < 3


async def test_real_ddgs_fails_fast_offline(tmp_path: Path) -> None:
    ctx = ToolContext(workspace=Workspace(tmp_path), settings=Settings.load(web_search="ddgs"))
    assert isinstance(backend_from_settings(ctx.settings), DdgsBackend)
    started = time.monotonic()
    with pytest.raises(ToolError, match="Web search is unavailable .*continue without it"):
        await web_search("python asyncio tutorial", ctx)
    assert time.monotonic() - started < 10


async def test_searxng_backend_against_the_local_server(tmp_path: Path, base: str) -> None:
    hits = await SearxngBackend(base + "/").search("solar boats", 3)
    assert [h.url for h in hits] == ["https://site1.example/1", "https://site2.example/2", "https://site3.example/3"]
    assert hits[0].title == "Result 1 about solar boats" and hits[0].snippet == "Snippet 1 for solar boats."
    ctx = make_ctx(tmp_path, web_search=f"searxng:{base}")
    assert isinstance(backend_from_settings(ctx.settings), SearxngBackend)
    out = await web_search("lake news", ctx, num_results=2)
    assert "1. Result 1 about lake news\n   https://site1.example/1\n   Snippet 1 for lake news." in out
    assert "Result 3" not in out


async def test_searxng_errors_and_unknown_backends_are_unavailable(tmp_path: Path, base: str) -> None:
    with pytest.raises(ToolError, match="unavailable.*404"):
        await web_search("x", make_ctx(tmp_path, web_search=f"searxng:{base}/nothing-here"))
    with pytest.raises(ToolError, match="unavailable.*Unknown web_search backend 'bing'"):
        await web_search("x", make_ctx(tmp_path, web_search="bing"))


def test_an_html_fragment_still_gives_its_text() -> None:
    from autogpt.tools.web import Page, to_markdown

    page = Page(url="http://127.0.0.1/p", content_type="text/html", text="<p>The code word is tangerine.</p>", cut=False)
    assert to_markdown(page) == "The code word is tangerine."  # trafilatura alone gives nothing here
    from autogpt.tools.web import _strip_tags

    assert _strip_tags("<p>A &amp; B</p><script>evil()</script>\n<div>C</div>") == "A & B\nC"
