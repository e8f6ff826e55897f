"""The real pages in headless Chromium (Debian's /usr/bin/chromium) against a live uvicorn server.

Install the browser and CJK fonts with scripts/setup.sh --dev. Set HECHA_SCREENSHOT
to a .png path to keep a screenshot of the case page for a visual check of the Chinese.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select
from webseed import CASE_A, CASE_B, CASE_KIN, PASSWORD, build_store

from cases.web.app import create_app

pytestmark = [pytest.mark.browser]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def server(sqlite_url: str, tmp_path: Path) -> Iterator[str]:
    """The workspace served by uvicorn in a thread on a free local port."""
    engine = build_store(sqlite_url)
    app = create_app(sqlite_url, secret_key="browser-test", attachments_dir=tmp_path / "attachments")
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
def page(server: str, chromium: dict[str, Any]) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(**chromium)
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
    form.locator("select[name=decision]").select_option("cleared")
    form.locator("textarea[name=reason]").fill("火化记录属同名他人")
    form.locator("button[type=submit]").click()
    expect(page.locator("#status")).to_have_text("排除（误报）")
    expect(page.locator("#events")).to_contain_text("核查结论")
    expect(page.locator("#events")).to_contain_text("火化记录属同名他人")


def test_inspector_of_other_town_cannot_see_or_open(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    _login(page, "inspector_b")
    expect(page.locator("#queue")).to_contain_text(CASE_B)
    expect(page.locator("#queue")).not_to_contain_text(CASE_A)
    response = page.goto(f"/cases/{CASE_A}")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("未找到")


DOCS = Path(__file__).resolve().parents[2] / "docs"


def _logout(page: object) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.click("header form button[type=submit]")
    page.wait_for_url("**/login")


def _days_ago(days: int) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8) - dt.timedelta(days=days)).date().isoformat()


def _notice_and_propose(page: object, case: str, action: str, amount_field: str, amount: str) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(f"/cases/{case}")
    notice = page.locator("#form-notice")
    notice.locator("input[name=notified_on]").fill(_days_ago(12))
    notice.locator("select[name=method]").select_option("letter")
    notice.locator("button[type=submit]").click()
    expect(page.locator("#stage")).to_contain_text("可提出处理意见")
    propose = page.locator("#form-propose")
    propose.locator("select[name=action]").select_option(action)
    propose.locator(f"input[name={amount_field}]").fill(amount)
    propose.locator("textarea[name=reason]").fill("经入户核实属实")
    propose.locator("button[type=submit]").click()
    expect(page.locator("#stage")).to_have_text("待县级审核")


def _approve(page: object, case: str) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    _login(page, "supervisor")
    page.goto(f"/cases/{case}")
    expect(page.locator("#proposal")).to_contain_text("提出人")
    page.click("#form-approve button[type=submit]")
    expect(page.locator("#status")).to_have_text("核实属实")
    expect(page.locator("#stage")).to_have_text("已生效")
    _logout(page)


def test_wrong_case_walks_notice_letter_response_proposal_approval(page: object, sqlite_url: str) -> None:
    """Stop payment is refused before notice (in Chinese); then notice, letter PDF, response, proposal,
    approval by a supervisor (never the proposer): the recovery takes effect. Screenshots go to docs/."""
    from playwright.sync_api import Page, expect

    from cases.db import make_engine, session_scope
    from cases.letters import letter_html
    from cases.schema import Case, CaseEvent

    assert isinstance(page, Page)
    _login(page, "inspector_a2")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(DOCS / "workbench-queue.png"))
    page.goto(f"/cases/{CASE_A}")
    propose = page.locator("#form-propose")
    propose.locator("select[name=action]").select_option("stop_payment")
    propose.locator("input[name=monthly_amount_stopped]").fill("650")
    propose.locator("button[type=submit]").click()
    expect(page.locator("#error")).to_contain_text("尚未告知当事人：停发、追回或减发前，须先告知当事人")
    notice = page.locator("#form-notice")
    notice.locator("input[name=notified_on]").fill(_days_ago(2))
    notice.locator("select[name=method]").select_option("letter")
    notice.locator("button[type=submit]").click()
    expect(page.locator("#stage")).to_contain_text("陈述申辩期内")
    page.locator("#form-propose select[name=action]").select_option("stop_payment")
    page.locator("#form-propose input[name=monthly_amount_stopped]").fill("650")
    page.click("#form-propose button[type=submit]")
    expect(page.locator("#error")).to_contain_text("届满；期满或当事人已陈述申辩后，方可提出")
    letter = page.request.get(f"/cases/{CASE_A}/letter.pdf")
    assert letter.status == 200 and letter.body().startswith(b"%PDF")
    response = page.locator("#form-response")
    response.locator("textarea[name=response]").fill("家属称老人已去世，同意退回多领的钱")
    response.locator("button[type=submit]").click()
    expect(page.locator("#stage")).to_have_text("可提出处理意见")
    page.locator("#form-propose select[name=action]").select_option("recover")
    page.locator("#form-propose input[name=amount_to_recover]").fill("4550")
    page.click("#form-propose button[type=submit]")
    expect(page.locator("#stage")).to_have_text("待县级审核")
    expect(page.locator("#form-approve")).to_have_count(0)
    own = page.request.post(f"/cases/{CASE_A}/approve", form={"csrf_token": "x", "version": "1"})
    assert own.status == 403
    page.screenshot(path=str(DOCS / "workbench-case.png"))
    _logout(page)
    _approve(page, CASE_A)
    _login(page, "inspector_a2")
    page.goto(f"/cases/{CASE_A}")
    expect(page.locator("#events")).to_contain_text("追回资金")
    expect(page.locator("#events")).to_contain_text("supervisor")
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        case = session.get_one(Case, CASE_A)
        notice_payload = session.scalars(
            select(CaseEvent.payload).where(CaseEvent.case_id == CASE_A, CaseEvent.kind == "notified")
        ).one()
        html = letter_html(
            case, notice_payload, "inspector_a2（乡镇核查员）", "告知书编号：2026-10-000001", dt.date.today()
        )
    engine.dispose()
    page.set_viewport_size({"width": 794, "height": 1123})
    page.set_content(html)
    expect(page.locator("h1")).to_have_text("核查结果告知书")
    page.screenshot(path=str(DOCS / "workbench-notice-letter.png"))


def test_false_positive_stop_then_reinstatement_with_back_pay(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    _login(page, "inspector_b")
    _notice_and_propose(page, CASE_B, "stop_payment", "monthly_amount_stopped", "650")
    _logout(page)
    _approve(page, CASE_B)
    _login(page, "inspector_b")
    page.goto(f"/cases/{CASE_B}")
    expect(page.locator("#back-pay-proposal")).to_contain_text("建议补发 650.00 元")
    form = page.locator("#form-decide")
    form.locator("select[name=decision]").select_option("reinstated")
    assert form.locator("input[name=back_pay]").input_value() == "650.0"
    form.locator("textarea[name=reason]").fill("车辆已于核查前过户，属误报")
    form.locator("button[type=submit]").click()
    expect(page.locator("#status")).to_have_text("排除（误报）")
    expect(page.locator("#events")).to_contain_text("恢复发放并补发")
    expect(page.locator("#events")).to_contain_text("补发：650.00")
    _logout(page)
    _login(page, "supervisor")
    page.goto("/dashboard")
    expect(page.locator("#dashboard")).to_contain_text("全县合计")
    expect(page.locator("#dashboard")).to_contain_text("乙镇")
    page.set_viewport_size({"width": 1280, "height": 500})
    page.screenshot(path=str(DOCS / "workbench-dashboard.png"))


def test_conflicted_inspector_never_sees_the_case_and_queue_fits_a_phone(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, "inspector_a")
    expect(page.locator("#cards")).to_be_visible()
    expect(page.locator("#cards")).to_contain_text("2026-10-")
    assert CASE_KIN not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(DOCS / "workbench-queue-phone.png"))
    response = page.goto(f"/cases/{CASE_KIN}")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("未找到")
