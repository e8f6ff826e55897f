"""The notice letter (核查结果告知书) sent to a household before any adverse measure, as PDF.

It states the finding, the evidence in plain words, the household's right to state its case
(陈述申辩), the deadline and whom to contact, in the official register. Identity numbers stay
masked: the letter may be seen by others in the household. Rendered with WeasyPrint directly
(cases/ does not use reports/).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from jinja2 import Environment, select_autoescape

from cases.schema import Case
from hecha.labels import FACTS, FIELDS, finding_zh, program_zh, source_zh
from hecha.privacy import mask_id

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_TEMPLATE = _ENV.from_string(
    """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
@page{size:A4;margin:25mm 22mm}
body{font-family:"Noto Serif CJK SC","Noto Sans CJK SC",serif;font-size:12pt;line-height:1.8}
h1{text-align:center;font-size:20pt;letter-spacing:4pt;margin:0 0 4pt}
.no{text-align:center;margin-bottom:16pt}
p{text-indent:2em;margin:6pt 0}
p.to{text-indent:0}
ul{margin:4pt 0 4pt 2em}
.sign{text-align:right;margin-top:28pt}
.small{font-size:10pt;color:#444}
</style></head><body>
<h1>核查结果告知书</h1>
<div class="no">{{ number }}</div>
<p class="to">{{ addressee }}：</p>
<p>根据社会救助对象动态管理和专项核查工作要求，{{ town }}对您家庭享受的{{ program }}情况进行了信息比对核查，发现以下情况：{{ finding }}。</p>
<p>{{ summary }}</p>
{% if facts or records %}<p>核查依据如下：</p><ul>
{% for k, v in facts %}<li>{{ k }}：{{ v }}</li>{% endfor %}
{% for r in records %}<li>{{ r }}</li>{% endfor %}
</ul>{% endif %}
<p>以上情况尚未作出处理决定。根据《社会救助暂行办法》和最低生活保障、特困人员救助供养审核确认的有关规定，您有权就上述情况进行陈述和申辩，并提供相关证明材料。请于 <strong>{{ deadline }}</strong> 前（自告知之日起 {{ days }} 日内）以书面、口头或当面方式向我们提出。逾期未提出的，视为放弃陈述和申辩的权利，我们将依据核查结果依法处理。</p>
<p>经核查，如确属不符合条件的，将依规停发、减发或追回相关救助资金；如属信息有误，将予以更正，不影响您依法享受救助。</p>
<p>联系人：{{ contact }}　联系地址：{{ town }}人民政府（街道办事处）社会救助经办窗口</p>
<p class="small">案件编号：{{ case_id }}　告知方式：{{ method }}　告知日期：{{ notified_on }}</p>
<div class="sign">{{ town }}人民政府（街道办事处）<br>{{ today }}</div>
</body></html>"""
)


def _cn_date(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _record_line(record: dict[str, Any]) -> str:
    source = source_zh(str(record.get("source", "")))
    text = str(record.get("evidence_zh") or "").strip()
    return f"{source}：{text}" if text else f"{source}中有相关记录"


def letter_html(case: Case, notice: dict[str, Any], contact: str, number: str, today: dt.date) -> str:
    """The letter as HTML from the case and its latest notice payload."""
    evidence = case.evidence or {}
    facts = [
        (FACTS.get(k) or FIELDS.get(k, k), mask_id(v) if "id_number" in k else v)
        for k, v in (evidence.get("facts") or {}).items()
        if k not in ("phone",) and not isinstance(v, (list, dict))
    ]
    records = [_record_line(r) for r in evidence.get("records") or [] if isinstance(r, dict)]
    deadline = dt.date.fromisoformat(str(notice["deadline"]))
    notified_on = dt.date.fromisoformat(str(notice["notified_on"]))
    return _TEMPLATE.render(
        number=number,
        addressee=(case.name or "户主") + ("（户）" if not case.id_number else ""),
        town=case.town or "乡镇",
        program=program_zh(case.program) or "社会救助",
        finding=finding_zh(case.finding),
        summary=evidence.get("summary_zh") or "",
        facts=facts,
        records=records,
        deadline=_cn_date(deadline),
        days=(deadline - notified_on).days,
        contact=contact,
        case_id=case.case_id,
        method=notice.get("method_zh") or notice.get("method") or "",
        notified_on=_cn_date(notified_on),
        today=_cn_date(today),
    )


def letter_pdf(html: str) -> bytes:
    """PDF bytes of the letter (WeasyPrint, imported late: it loads pango)."""
    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return bytes(pdf)
