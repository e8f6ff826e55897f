"""The real pages in headless Chromium (Debian's /usr/bin/chromium) against a live uvicorn server.

Install the browser and CJK fonts with scripts/setup.sh --dev. Set HECHA_SCREENSHOT
to a .png path to keep a screenshot of the case page for a visual check of the Chinese.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from webseed import CASE_A, CASE_B, PASSWORD, build_store

from cases.web.app import create_app

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [pytest.mark.browser]


@pytest.fixture(autouse=True)
def _need_chromium() -> None:
    """CI installs Debian's Chromium (scripts/setup.sh --dev), so there a missing browser is a failure."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} missing in CI: scripts/setup.sh --dev should have installed it")
        pytest.skip(f"{CHROMIUM} missing: run scripts/setup.sh --dev")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def server(sqlite_url: str) -> Iterator[str]:
    """The workspace served by uvicorn in a thread on a free local port."""
    engine = build_store(sqlite_url)
    app = create_app(sqlite_url, secret_key="browser-test")
    port = _free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()
    engine.dispose()


@pytest.fixture()
def page(server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(base_url=server, locale="zh-CN", viewport={"width": 1400, "height": 1000})
        yield context.new_page()
        context.close()
        browser.close()


def _login(page: object, username: str) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/cases")


def test_inspector_filters_opens_decides_and_sees_history(page: object) -> None:
    """Log in, filter by finding, open the case, record a confirmed decision and find it in the history."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    _login(page, "inspector_a2")
    expect(page.locator("h1")).to_have_text("案件队列")
    page.select_option("select[name=finding]", "DECEASED_PAID")
    page.click("#filters button[type=submit]")
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(1)
    assert "王秀英" not in page.url and "DECEASED_PAID" in page.url
    page.click(f"a[href='/cases/{CASE_A}']")
    expect(page.locator("#summary")).to_contain_text("火化")
    shot = os.environ.get("HECHA_SCREENSHOT")
    if shot:
        page.screenshot(path=shot, full_page=True)
    form = page.locator("#form-decide")
    form.locator("select[name=decision]").select_option("confirmed")
    form.locator("select[name=action]").select_option("recover")
    form.locator("input[name=amount_to_recover]").fill("4550")
    form.locator("button[type=submit]").click()
    expect(page.locator("#status")).to_have_text("核实属实")
    expect(page.locator("#events")).to_contain_text("核查结论")
    expect(page.locator("#events")).to_contain_text("追回资金")


def test_inspector_of_other_town_cannot_see_or_open(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    _login(page, "inspector_b")
    expect(page.locator("#queue")).to_contain_text(CASE_B)
    expect(page.locator("#queue")).not_to_contain_text(CASE_A)
    response = page.goto(f"/cases/{CASE_A}")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("未找到")
