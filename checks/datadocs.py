"""Publishing the GX Data Docs site into the run's output folder, readable offline.

GX builds the ephemeral context's `local_site` in a temporary folder and its pages load
Bootstrap, jQuery, Font Awesome and Vega from public CDNs. County machines are often
offline, so the copied pages lose those tags (the content is server-rendered HTML) and get
a few inline styles instead of hanging on unreachable hosts.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

_EXTERNAL = re.compile(
    r"<link\b[^>]*\bhref=\"https?://[^\"]*\"[^>]*>"
    r"|<script\b[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>"
    r"|<img\b[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>",
    re.IGNORECASE,
)
_OFFLINE_STYLE = (
    "<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top}</style>"
)


def offline_html(html: str) -> str:
    """The page without tags that fetch assets from the network, plus minimal inline styles."""
    html = _EXTERNAL.sub("", html)
    return html.replace("</head>", _OFFLINE_STYLE + "</head>", 1)


def publish_site(site_url: str | None, target: Path) -> Path | None:
    """Copy GX's built site to `target` (replacing an older build) and make its pages offline."""
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
        page.write_text(offline_html(page.read_text(encoding="utf-8")), encoding="utf-8")
    return target / "index.html"
