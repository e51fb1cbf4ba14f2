"""Main text and metadata of saved HTML pages, via trafilatura; plain text of HTML fragments, via lxml."""

from __future__ import annotations

import logging
import re

from rasid.errors import IngestError

log = logging.getLogger(__name__)

__all__ = ["extract_page", "fragment_text", "looks_like_html"]

MIN_ARTICLE_LETTERS = 40  # what trafilatura returns from a page of links and scripts is shorter than this
_TAG_RE = re.compile(r"<(html|head|body|div|p|span|article|a|br|table|script|meta|!doctype)[\s>/]", re.I)
_BLOCK_BREAK_RE = re.compile(r"(?i)<\s*(br|/p|/div|/li|/h[1-6]|/tr|/blockquote)\s*/?>")


def looks_like_html(text: str) -> bool:
    """Tell whether `text` is HTML markup rather than plain text (a few tags in the first 4 KB).

    Example:
        >>> looks_like_html("<html><body><p>نص</p></body></html>"), looks_like_html("قال <المتحدث> إن")
        (True, False)
    """
    head = text[:4096]
    return len(_TAG_RE.findall(head)) >= 2


def extract_page(html: str, source: str, *, url: str | None = None) -> dict:
    """Extract the article of a saved page: ``{"text", "title", "published", "outlet", "url"}``.

    Raises:
        IngestError: the page holds no article text (navigation, scripts and forms only).
    """
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                          include_tables=False, favor_precision=False)
    except (ValueError, TypeError, AttributeError) as exc:  # malformed markup that lxml cannot build a tree from
        raise IngestError(source, "html", f"HTML could not be parsed ({exc})") from exc
    if doc is None:
        raise IngestError(source, "html-empty", "no article text found in the HTML page")
    data = doc if isinstance(doc, dict) else doc.as_dict()
    text = (data.get("text") or "").strip()
    if sum(ch.isalpha() for ch in text) < MIN_ARTICLE_LETTERS:
        raise IngestError(source, "html-empty", "no article text found in the HTML page")
    return {"text": text, "title": data.get("title") or None, "published": data.get("date") or None,
            "outlet": data.get("sitename") or None, "url": data.get("url") or url}


def fragment_text(html: str) -> str:
    """Return the text of an HTML fragment (a feed summary), one line per block.

    Example:
        >>> fragment_text("<p>سطر أول</p><p>سطر <b>ثان</b></p>")
        'سطر أول\\nسطر ثان'
    """
    import lxml.html
    from lxml.etree import ParserError

    marked = _BLOCK_BREAK_RE.sub(lambda m: m.group(0) + "\n", html)
    try:
        root = lxml.html.fragment_fromstring(marked, create_parent="div")
    except (ParserError, ValueError):
        return re.sub(r"<[^>]+>", " ", html).strip()
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    lines = [" ".join(line.split()) for line in root.text_content().splitlines()]
    return "\n".join(line for line in lines if line)
