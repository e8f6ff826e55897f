"""The data checks as people read them offline: a Chinese checks page and GX Data Docs that work offline.

GX builds the ephemeral context's `local_site` in a temporary folder; its pages load Bootstrap,
jQuery, Font Awesome and bootstrap-table from public CDNs, show a newsletter banner, and
its index fills its table with jQuery, so offline it is empty. County machines are often
offline, so the copied pages lose every external tag and the banner, get a small stylesheet
of their own (icons become ✔/✘ marks), and the index gets its table as plain HTML with a
filter that needs no library. Beside them, `checks.html` lists every check in Chinese.
"""

from __future__ import annotations

import ast
import html
import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from checks.report import CheckReport
from hecha.labels import source_zh

CHECKS_PAGE = "checks.html"
_EXTERNAL = re.compile(
    r"<link\b[^>]*\bhref=\"https?://[^\"]*\"[^>]*>"
    r"|<script\b[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>"
    r"|<img\b[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>",
    re.IGNORECASE,
)
_FOOTER = re.compile(r"<footer>.*?</footer>", re.DOTALL | re.IGNORECASE)  # the newsletter banner
_CSS_URL = re.compile(r"url\(['\"]?https?://[^)]*\)", re.IGNORECASE)
_INDEX_TABLE = re.compile(r"<table\s+id=\"([^\"]+)\"[^>]*data-toggle=\"table\"\s*>\s*</table>", re.DOTALL)
_INDEX_DATA = re.compile(r"data: (\[.*?\]),\s*toolbar:", re.DOTALL)
_SCRIPT = re.compile(r"<script>.*?</script>", re.DOTALL)

_STYLE = """<style>
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;margin:0;color:#1f2328;
 background:#f6f8fa;line-height:1.45}
a{color:#0b57d0}.container-fluid,.container{padding:12px 20px}
nav.navbar{background:#fff;border-bottom:1px solid #d0d7de;padding:8px 20px;display:flex;align-items:center;gap:16px}
nav.navbar img{display:none}.navbar-brand::after{content:"数据检查 Data Docs";font-weight:600}
.row{display:flex;flex-wrap:wrap;gap:16px}.col-md-2,.col-md-3{flex:0 0 220px}.col-md-8,.col-md-9,.col-md-10{flex:1}
.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin-bottom:12px}
.card-header{padding:8px 12px;border-bottom:1px solid #d0d7de;font-weight:600}.card-body{padding:8px 12px}
table{border-collapse:collapse;background:#fff;width:100%;margin:6px 0}
td,th{border:1px solid #d0d7de;padding:4px 8px;vertical-align:top;text-align:left}th{background:#eef1f4}
.fas,.fa{font-style:normal;font-weight:700}.fa-check-circle::before{content:"✔"}.fa-times::before{content:"✘"}
.fa-question-circle::before{content:"?"}.text-success{color:#1a7f37}.text-danger{color:#cf222e}
.cooltip .top,.hidden,.d-none,.collapse:not(.show){display:none}.badge{padding:1px 6px;border-radius:8px}
.alert{padding:8px 12px;border-radius:6px;background:#fff8c5;border:1px solid #d4a72c}
ul.nav,ul.list-group{list-style:none;padding-left:0}.list-group-item{padding:3px 0}
.hecha-bar{background:#24292f;color:#fff;padding:6px 20px}.hecha-bar a{color:#fff}
.hecha-filter{margin:8px 0;display:flex;gap:8px}.hecha-filter input,.hecha-filter select{padding:3px 6px}
</style>"""

_FILTER_JS = """<script>
function hechaFilter(table){const q=document.getElementById(table+'-q').value.trim().toLowerCase();
const s=document.getElementById(table+'-s').value;
for(const tr of document.querySelectorAll('#'+table+' tbody tr')){
 const okText=!q||tr.textContent.toLowerCase().includes(q);const okStatus=!s||tr.dataset.status===s;
 tr.style.display=okText&&okStatus?'':'none';}}
</script>"""


def offline_html(page: str, to_checks_page: str = "") -> str:
    """The page without anything fetched from the network or the banner, with its own styles and marks."""
    page = _EXTERNAL.sub("", page)
    page = _FOOTER.sub("", page)
    page = _CSS_URL.sub("none", page)
    page = page.replace("</head>", _STYLE + "</head>", 1)
    if to_checks_page:
        bar = f'<div class="hecha-bar"><a href="{to_checks_page}">← 返回中文检查页 back to the checks page</a></div>'
        page = re.sub(r"(<body[^>]*>)", r"\1" + bar, page, count=1)
    return page


def static_index(page: str) -> str:
    """GX's index table as plain HTML (its rows come from the page's own script data) plus a filter."""
    found_table, found_data = _INDEX_TABLE.search(page), _INDEX_DATA.search(page)
    if not found_table or not found_data:
        return page
    table_id = found_table.group(1)
    rows: list[dict[str, Any]] = ast.literal_eval(found_data.group(1))
    body = []
    for row in rows:
        ok = row.get("_validation_success_text") == "Success"
        mark = '<span class="text-success">✔ 通过</span>' if ok else '<span class="text-danger">✘ 未通过</span>'
        asset = html.escape(str(row.get("asset_name", "")))
        link = html.escape(str(row.get("_table_row_link_path", "")))
        suite = html.escape(str(row.get("_expectation_suite_name_sort", "")))
        body.append(
            f'<tr data-status="{"passed" if ok else "failed"}"><td>{mark}</td>'
            f'<td><a href="{link}">{html.escape(source_zh(asset))} {asset}</a></td>'
            f'<td><a href="expectations/{suite}.html">{suite}</a></td><td>{html.escape(str(row.get("run_time", "")))}</td></tr>'
        )
    table = (
        f'<div class="hecha-filter"><input id="{table_id}-q" placeholder="搜索 search" oninput="hechaFilter(\'{table_id}\')">'
        f'<select id="{table_id}-s" onchange="hechaFilter(\'{table_id}\')"><option value="">全部 all</option>'
        '<option value="failed">未通过 failed</option><option value="passed">通过 passed</option></select></div>'
        f'<table id="{table_id}"><thead><tr><th>状态 status</th><th>数据源 asset</th><th>检查集 suite</th>'
        f"<th>运行时间 run time</th></tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
    page = page[: found_table.start()] + table + page[found_table.end() :]
    page = _SCRIPT.sub("", page)  # bootstrap-table's setup, which needs jQuery
    return page.replace("</body>", _FILTER_JS + "</body>", 1)


def publish_site(site_url: str | None, target: Path) -> Path | None:
    """Copy GX's built site to `target` (replacing an older build) and make its pages work offline."""
    if not site_url:
        return None
    source = Path(unquote(urlparse(site_url).path)).parent
    if not source.is_dir():
        return None
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    if source.is_relative_to(tempfile.gettempdir()):
        shutil.rmtree(source, ignore_errors=True)  # GX's temporary build folder for this context
    for page in target.rglob("*.html"):
        depth = len(page.relative_to(target).parts)  # data_docs/<…>/page.html → checks.html is one level up
        text = offline_html(page.read_text(encoding="utf-8"), "../" * depth + CHECKS_PAGE)
        if page == target / "index.html":
            text = static_index(text)
        page.write_text(text, encoding="utf-8")
    return target / "index.html"


def _validation_pages(docs: Path | None) -> dict[str, str]:
    """Source → its GX validation page, relative to the checks page."""
    if docs is None:
        return {}
    root = docs.parent
    return {
        p.parent.parent.parent.name: p.relative_to(root.parent).as_posix()
        for p in root.glob("validations/*/*/*/*.html")
    }


_MARKS = {
    "passed": '<span class="mark pass">✔ 通过</span>',
    "failed": '<span class="mark fail">✘ 未通过</span>',
    "not_run": '<span class="mark skip">— 未运行</span>',
}
_PAGE_STYLE = """<style>
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;margin:0;background:#f6f8fa;
 color:#1f2328}header{background:#24292f;color:#fff;padding:14px 24px}header h1{margin:0;font-size:22px}
main{padding:16px 24px}.counts{display:flex;gap:12px;margin:8px 0 16px}.count{background:#fff;border:1px solid #d0d7de;
 border-radius:8px;padding:8px 16px;font-size:15px}.count b{font-size:22px;margin-right:4px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #d0d7de;padding:5px 8px;text-align:left;
 vertical-align:top;font-size:14px}th{background:#eef1f4;position:sticky;top:0}.mark{font-weight:700;white-space:nowrap}
.pass{color:#1a7f37}.fail{color:#cf222e}.skip{color:#6e7781}tr.failed td{background:#fff5f5}
.filter{display:flex;gap:8px;margin:8px 0}.filter input,.filter select{padding:4px 8px;font-size:14px}
code{font-size:12px;color:#57606a;word-break:break-all}a{color:#0b57d0}.blocking{color:#9a6700;font-weight:600}
.note{color:#57606a;font-size:13px}td:nth-child(2){white-space:nowrap}td:nth-child(3){min-width:320px}
</style>"""


def write_checks_page(report: CheckReport, target: Path, docs_index: Path | None) -> Path:
    """`checks.html`: every check of the month in Chinese, with ✔/✘ marks, filters and links to Data Docs."""
    pages = _validation_pages(docs_index)
    counts = report.counts
    rows = []
    sources = sorted({r.source for r in report.results})
    for r in sorted(report.results, key=lambda r: ({"failed": 0, "not_run": 1}.get(r.status, 2), r.source)):
        observed = json.dumps(r.observed, ensure_ascii=False, default=str) if r.observed is not None else ""
        observed = observed if len(observed) <= 240 else observed[:237] + "…"
        link = pages.get(r.source)
        docs = f'<a href="{html.escape(link)}">Data Docs</a>' if link else ""
        rows.append(
            f'<tr class="{r.status}" data-status="{r.status}" data-source="{html.escape(r.source)}">'
            f"<td>{_MARKS.get(r.status, html.escape(r.status))}</td>"
            f"<td>{html.escape(source_zh(r.source))}<br><code>{html.escape(r.source)}</code></td>"
            f"<td>{html.escape(r.description)}</td>"
            f"<td>{'<span class=blocking>阻断 blocking</span>' if r.blocking else '提示 warning'}</td>"
            f"<td><code>{html.escape(observed)}</code></td><td>{docs}</td></tr>"
        )
    options = "".join(f'<option value="{s}">{html.escape(source_zh(s))} {s}</option>' for s in sources)
    index_link = (
        f'<a href="{html.escape(docs_index.relative_to(target.parent).as_posix())}">GX Data Docs 首页</a>'
        if docs_index
        else ""
    )
    verdict = "本月数据可用于核查" if report.ok else f"本月数据未通过阻断检查：{html.escape(report.reason)}"
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>数据检查 {report.county} {report.period}</title>{_PAGE_STYLE}</head>
<body><header><h1>数据检查 data checks · {report.county} · {report.period}</h1></header><main>
<p>{verdict}。{index_link}</p>
<div class="counts"><div class="count pass"><b>{counts["passed"]}</b>✔ 通过</div>
<div class="count fail"><b>{counts["failed"]}</b>✘ 未通过</div><div class="count skip"><b>{counts["not_run"]}</b>— 未运行</div>
<div class="count"><b>{counts["blocking_failed"]}</b>阻断项未通过</div></div>
<div class="filter"><input id="q" placeholder="搜索 search" oninput="f()"><select id="s" onchange="f()">
<option value="">全部状态 all</option><option value="failed">✘ 未通过</option><option value="not_run">— 未运行</option>
<option value="passed">✔ 通过</option></select><select id="src" onchange="f()"><option value="">全部数据源 all sources</option>{options}</select></div>
<table id="checks"><thead><tr><th>状态</th><th>数据源</th><th>检查</th><th>类型</th><th>观察值 observed</th><th>明细</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<p class="note">未运行：数据源未提供，相关检查不视为通过。观察值中不含身份证号、姓名等个人信息。</p></main>
<script>function f(){{const q=document.getElementById('q').value.trim().toLowerCase(),s=document.getElementById('s').value,
src=document.getElementById('src').value;for(const tr of document.querySelectorAll('#checks tbody tr')){{
tr.style.display=(!q||tr.textContent.toLowerCase().includes(q))&&(!s||tr.dataset.status===s)&&(!src||tr.dataset.source===src)?'':'none';}}}}</script>
</body></html>"""
    target.write_text(page, encoding="utf-8")
    return target
