"""The data-checks pages offline in headless Chromium: styled, with pass/fail marks, nothing fetched off the machine."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from checks.expectations import run_checks
from checks.ingest import load_dataset
from hecha.policy import load_policy
from sample import generate_county

pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="module")
def checks_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One month's checks of a generated county, with a roll row of another month (a failed check)."""
    root = tmp_path_factory.mktemp("incoming")
    folder = generate_county(root, "429006", "2026-10", households=400, seed=3)
    dataset = load_dataset(folder, "429006", "2026-10")
    out = tmp_path_factory.mktemp("run") / "checks"
    report = run_checks(dataset, load_policy().checks, out)
    assert report.counts["passed"] > 0
    return out


@pytest.fixture(scope="module")
def site(checks_dir: Path) -> Iterator[str]:
    """The run's checks folder served as plain files on 127.0.0.1 (as a bureau's file share would be)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(checks_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture()
def browse(site: str, tmp_path: Path, chromium: dict[str, Any]) -> Iterator[tuple[object, list[str]]]:
    """A page whose every request is recorded; anything not on 127.0.0.1 is refused and listed."""
    from playwright.sync_api import sync_playwright

    outside: list[str] = []

    def guard(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if urlparse(url).hostname == "127.0.0.1":
            route.continue_()  # type: ignore[attr-defined]
        else:
            outside.append(url)
            route.abort()  # type: ignore[attr-defined]

    with sync_playwright() as pw:
        browser = pw.chromium.launch(**chromium)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
        context.route("**/*", guard)
        yield context.new_page(), outside
        context.close()
        browser.close()


def _shot(page: object, name: str, tmp_path: Path) -> Path:
    folder = Path(os.environ.get("HECHA_SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    assert path.stat().st_size > 10_000
    return path


def test_the_chinese_checks_page_is_styled_marks_and_filters(
    browse: tuple[object, list[str]], site: str, tmp_path: Path
) -> None:
    """checks.html: styled table, ✔ and ✘ marks in colour, the failed filter shows only failures, links to Data Docs."""
    page, outside = browse
    page.goto(f"{site}/checks.html")  # type: ignore[attr-defined]
    passed = page.locator("#checks tbody tr[data-status=passed]")  # type: ignore[attr-defined]
    failed = page.locator("#checks tbody tr[data-status=failed]")  # type: ignore[attr-defined]
    assert passed.count() > 10 and failed.count() >= 1
    mark = page.locator("#checks .mark.pass").first  # type: ignore[attr-defined]
    assert mark.inner_text() == "✔ 通过"
    assert mark.evaluate("e => getComputedStyle(e).color") == "rgb(26, 127, 55)"
    assert page.locator("#checks").evaluate("e => getComputedStyle(e).borderCollapse") == "collapse"  # type: ignore[attr-defined]
    assert page.locator(".mark.fail").first.inner_text() == "✘ 未通过"  # type: ignore[attr-defined]
    _shot(page, "checks-page.png", tmp_path)
    page.select_option("#s", "failed")  # type: ignore[attr-defined]
    visible = page.locator("#checks tbody tr:visible")  # type: ignore[attr-defined]
    assert visible.count() == failed.count()
    assert page.locator("#checks a", has_text="Data Docs").count() > 0  # type: ignore[attr-defined]
    assert outside == []


def test_gx_data_docs_work_offline(browse: tuple[object, list[str]], site: str, tmp_path: Path) -> None:
    """GX's index lists every validation with its mark (not empty), validation pages show ✔/✘, no banner, all local."""
    page, outside = browse
    page.goto(f"{site}/data_docs/index.html")  # type: ignore[attr-defined]
    rows = page.locator("table tbody tr")  # type: ignore[attr-defined]
    assert rows.count() >= 10, "the index table must not be empty offline"
    assert page.locator("text=✘ 未通过").count() >= 1  # type: ignore[attr-defined]
    assert "newsletter" not in page.content().lower()  # type: ignore[attr-defined]
    _shot(page, "datadocs-index.png", tmp_path)
    page.fill("input[placeholder='搜索 search']", "household")  # type: ignore[attr-defined]
    assert page.locator("table tbody tr:visible").count() == 1  # type: ignore[attr-defined]
    page.fill("input[placeholder='搜索 search']", "")  # type: ignore[attr-defined]
    page.locator("select").first.select_option("failed")  # type: ignore[attr-defined]
    assert 1 <= page.locator("table tbody tr:visible").count() < rows.count()  # type: ignore[attr-defined]

    page.locator("table tbody tr:visible a").first.click()  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    assert "/validations/" in page.url  # type: ignore[attr-defined]
    icon = page.locator(".fa-check-circle").first  # type: ignore[attr-defined]
    assert icon.evaluate("e => getComputedStyle(e, '::before').content") == '"✔"'
    assert icon.evaluate("e => getComputedStyle(e).color") == "rgb(26, 127, 55)"
    assert page.locator(".fa-times").count() >= 1  # type: ignore[attr-defined]
    _shot(page, "datadocs-validation.png", tmp_path)
    page.click("text=返回中文检查页")  # type: ignore[attr-defined]
    assert page.url.endswith("/checks.html")  # type: ignore[attr-defined]
    assert outside == []
