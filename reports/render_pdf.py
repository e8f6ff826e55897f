"""PDF from the report's HTML with WeasyPrint (pango; Noto Sans CJK subsets embedded).

WeasyPrint honours the print CSS (A4, page numbers, repeated table headers), so the PDF
and the printed HTML look the same. System deps: scripts/install_report_deps.sh.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


def html_to_pdf(html: str, path: Path) -> Path:
    from weasyprint import HTML  # imported late: it loads pango, which only reports need

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    HTML(string=html).write_pdf(path)
    return path
