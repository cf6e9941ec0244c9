"""The web UI in a real browser: Playwright drives Chromium against the real server (``create_app``) with a
scripted model, in a uvicorn server on a free local port.

Needs the ``playwright`` package (dev extra) and a Chromium binary (the ``chromium`` system package);
``playwright install`` is never needed.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from autogpt import Settings
from autogpt.server.app import create_app
from autogpt.store.base import TaskRecord
from autogpt.testing import ScriptedModel, reply

TIMEOUT_MS = 15_000
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

expect.set_options(timeout=TIMEOUT_MS)


def chromium_path() -> str:
    for candidate in (os.environ.get("AUTOGPT_TEST_CHROMIUM"), shutil.which("chromium"),
                      shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail("No Chromium found: install the 'chromium' system package (or set AUTOGPT_TEST_CHROMIUM).")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def script() -> list[dict]:
    return [
        reply("write_file", path="hello.txt", content="hello"),
        reply("write_file", path="b.txt", content="b"),
        reply("finish", reason="done"),
    ]


# --- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """The real app on 127.0.0.1:PORT; every task gets a fresh scripted model."""
    settings = Settings.load(data_dir=tmp_path / "data")
    models: list[ScriptedModel] = []

    def model_factory(task: TaskRecord) -> ScriptedModel:
        model = ScriptedModel(script(), delay=0.2)
        models.append(model)
        return model

    yield from serving(create_app(settings, model_factory=model_factory))


def serving(app: object) -> Iterator[str]:
    """``app`` under uvicorn on 127.0.0.1:PORT in a thread, its base URL yielded until the fixture ends."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on",
                            timeout_graceful_shutdown=5)
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, name="webui-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not uv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("The test server did not start.")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(15)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class Tab:
    """A page in a fresh browser context that records JavaScript errors (each test asserts there were none)."""

    def __init__(self, browser: Browser, **options: object) -> None:
        self.context: BrowserContext = browser.new_context(accept_downloads=True, **options)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def close(self) -> None:
        self.context.close()  # closes the event streams before the server shuts down


@pytest.fixture
def tabs(browser: Browser) -> Iterator[list[Tab]]:
    opened: list[Tab] = []
    yield opened
    for tab in opened:
        tab.close()
    errors = [e for tab in opened for e in tab.errors]
    assert not errors, f"JavaScript errors on the page: {errors}"


def open_tab(browser: Browser, tabs: list[Tab], **options: object) -> Page:
    tab = Tab(browser, **options)
    tabs.append(tab)
    return tab.page


def no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: scrollWidth {widths[0]} > clientWidth {widths[1]}"


# --- tests ------------------------------------------------------------------------------------------------


def test_new_task_approve_each_step_until_finished_and_download(server: str, browser: Browser, tabs: list[Tab]) -> None:
    page = open_tab(browser, tabs, locale="en-US", viewport=DESKTOP)
    page.goto(server + "/")
    page.get_by_test_id("new-task").click()
    page.get_by_test_id("goal-input").fill("Write hello to hello.txt and b to b.txt")
    expect(page.get_by_test_id("continuous-toggle")).not_to_be_checked()  # approval is the default
    page.get_by_test_id("submit-task").click()

    # The model's first proposal arrives over the event stream and waits for approval.
    status = page.get_by_test_id("status-badge")
    proposal = page.get_by_test_id("proposal")
    expect(proposal).to_be_visible()
    expect(proposal).to_have_attribute("data-step", "1")
    expect(proposal).to_contain_text("Running write_file.")
    expect(proposal).to_contain_text("hello.txt")
    expect(status).to_have_attribute("data-status", "waiting")
    expect(status).to_have_text("Needs approval")
    step1 = page.locator('[data-testid="timeline-entry"][data-step="1"]')
    expect(step1).to_contain_text("Running write_file.")
    expect(page.get_by_test_id("task-item")).to_have_count(1)
    expect(page.get_by_test_id("task-badge")).to_have_attribute("data-status", "waiting")

    page.get_by_test_id("approve").click()
    expect(proposal).to_have_attribute("data-step", "2")
    expect(proposal).to_contain_text("b.txt")
    expect(step1.get_by_test_id("result")).to_have_attribute("data-ok", "true")
    expect(page.get_by_test_id("artifact-link").filter(has_text="hello.txt")).to_be_visible()

    page.get_by_test_id("approve").click()
    # finish is a command too: approve it when the loop asks (the run ends when it has run).
    expect(page.locator('[data-testid="status-badge"][data-status="finished"], '
                        '[data-testid="proposal"][data-step="3"]:visible')).to_be_visible()
    if proposal.is_visible():
        expect(proposal).to_contain_text("finish")
        page.get_by_test_id("approve").click()

    expect(status).to_have_attribute("data-status", "finished")
    expect(status).to_have_text("Finished")
    expect(page.get_by_test_id("control")).to_be_hidden()
    expect(page.get_by_test_id("task-badge")).to_have_attribute("data-status", "finished")
    expect(page.locator('[data-testid="timeline-entry"][data-kind="run_finished"]')).to_be_visible()
    expect(page.locator('[data-testid="timeline-entry"][data-step="2"]').get_by_test_id("result")).to_have_attribute(
        "data-ok", "true")

    link = page.get_by_test_id("artifact-link").filter(has_text="hello.txt")
    expect(page.get_by_test_id("artifact-link").filter(has_text="b.txt")).to_be_visible()
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "hello.txt"
    assert Path(download.path()).read_bytes() == b"hello"

    # a text artifact can be read in the page too
    page.get_by_test_id("artifact-link").filter(has_text="b.txt").locator("xpath=..").get_by_test_id(
        "artifact-view").click()
    expect(page.get_by_test_id("artifact-viewer")).to_contain_text("b")


def test_language_follows_the_browser_and_switches_without_reload(server: str, browser: Browser,
                                                                  tabs: list[Tab]) -> None:
    httpx.post(f"{server}/ap/v1/agent/tasks", json={"input": "Write hello to hello.txt"}, timeout=10).raise_for_status()

    page = open_tab(browser, tabs, locale="en-US", viewport=DESKTOP)
    page.goto(server + "/")
    expect(page.get_by_test_id("status-badge")).to_have_attribute("data-status", "created")
    expect(page.get_by_test_id("status-badge")).to_have_text("Not started")
    expect(page.get_by_test_id("new-task")).to_have_text("New task")
    page.evaluate("window.__notReloaded = true")

    page.get_by_test_id("lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_test_id("new-task")).to_have_text("新建任务")
    expect(page.get_by_test_id("status-badge")).to_have_text("未开始")
    expect(page.get_by_test_id("task-badge")).to_have_text("未开始")
    expect(page.get_by_test_id("start")).to_have_text("开始")
    page.get_by_test_id("new-task").click()
    expect(page.get_by_test_id("submit-task")).to_have_text("开始任务")
    assert page.evaluate("window.__notReloaded") is True

    page.get_by_test_id("lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("submit-task")).to_have_text("Start task")
    expect(page.get_by_test_id("new-task")).to_have_text("New task")

    # The choice is remembered; without one, a Chinese browser gets Chinese.
    page.get_by_test_id("lang-switch").click()
    page.reload()
    expect(page.get_by_test_id("new-task")).to_have_text("新建任务")
    chinese = open_tab(browser, tabs, locale="zh-CN", viewport=DESKTOP)
    chinese.goto(server + "/#/new")
    expect(chinese.get_by_test_id("submit-task")).to_have_text("开始任务")
    expect(chinese.get_by_test_id("lang-switch")).to_have_text("English")


def test_phone_layout_has_no_horizontal_scroll_and_shows_model_text_as_text(server: str, browser: Browser,
                                                                          tabs: list[Tab]) -> None:
    goal = "Write <b>hello</b> to a_file_with_a_rather_long_name_that_should_wrap_somewhere_on_a_phone.txt " * 2
    created = httpx.post(f"{server}/ap/v1/agent/tasks", json={"input": goal.strip()}, timeout=10)
    created.raise_for_status()
    task_id = created.json()["task_id"]

    page = open_tab(browser, tabs, locale="en-US", viewport=PHONE, is_mobile=True, has_touch=True,
                    device_scale_factor=2)
    page.goto(f"{server}/#/task/{task_id}")
    expect(page.get_by_test_id("status-badge")).to_have_attribute("data-status", "created")
    goals = page.get_by_test_id("task-goals")
    expect(goals).to_contain_text("<b>hello</b>")  # shown as text, not as markup
    assert goals.locator("b").count() == 0
    no_horizontal_scroll(page)

    # The task list is a collapsible section at the top.
    items = page.get_by_test_id("task-item")
    expect(items).to_have_count(1)
    expect(items.first).to_be_hidden()
    page.get_by_test_id("task-list-toggle").click()
    expect(items.first).to_be_visible()
    no_horizontal_scroll(page)

    page.get_by_test_id("new-task").click()
    expect(page.get_by_test_id("goal-input")).to_be_visible()
    page.get_by_test_id("mode-detailed").click()
    page.get_by_test_id("add-goal").click()
    expect(page.get_by_test_id("goal-row-input")).to_have_count(2)
    no_horizontal_scroll(page)


@pytest.fixture
def delegating_server(tmp_path: Path) -> Iterator[str]:
    """The real app whose tasks delegate a sub-goal to a helper (delegate_depth 1)."""
    settings = Settings.load(data_dir=tmp_path / "data", delegate_depth=1)

    def model_factory(task: TaskRecord) -> ScriptedModel:
        return ScriptedModel([
            reply("delegate", goal="Write hi to hi.txt", role="a writer"),
            reply("write_file", path="hi.txt", content="hi"),
            reply("finish", reason="Wrote hi.txt."),
            reply("finish", reason="The helper wrote hi."),
        ], delay=0.1)

    yield from serving(create_app(settings, model_factory=model_factory))


def test_a_helper_run_shows_nested_in_the_step_that_delegated(delegating_server: str, browser: Browser,
                                                                tabs: list[Tab]) -> None:
    page = open_tab(browser, tabs, locale="en-US", viewport=DESKTOP)
    page.goto(delegating_server + "/")
    page.get_by_test_id("new-task").click()
    page.get_by_test_id("goal-input").fill("Get hi written")
    page.get_by_test_id("continuous-toggle").check(force=True)
    page.get_by_test_id("submit-task").click()
    expect(page.get_by_test_id("status-badge")).to_have_attribute("data-status", "finished")
    helper = page.locator('[data-testid="timeline-entry"][data-step="1"]').get_by_test_id("helper")
    expect(helper).to_have_count(1)
    expect(helper).to_have_attribute("data-status", "finished")
    expect(helper).to_contain_text("Write hi to hi.txt")
    expect(helper).to_contain_text("write_file")
    expect(helper).to_contain_text("Wrote hi.txt.")
    # the helper's steps are not mixed into the task's own timeline
    expect(page.locator('[data-testid="timeline-entry"][data-kind="step"]')).to_have_count(2)
    expect(page.get_by_test_id("artifact-link").filter(has_text="hi.txt")).to_be_visible()
