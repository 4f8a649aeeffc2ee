"""HTML pages to (title, body) text: the only module that imports bs4."""

from __future__ import annotations

import unicodedata
import warnings

from bs4 import (
    BeautifulSoup,
    MarkupResemblesLocatorWarning,
    ParserRejectedMarkup,
    XMLParsedAsHTMLWarning,
)
from bs4.element import NavigableString, PreformattedString, Tag

from ..errors import DocumentError
from .dates import extract_date
from .records import Document, new_document
from .text import clean_text, first_line_title, one_line

# Page furniture and non-text content: never part of the article body.
_REMOVED_TAGS = frozenset({
    "head", "title", "script", "style", "noscript", "nav", "header", "footer", "aside", "form",
    "template", "iframe", "svg", "canvas", "object", "embed",
})
_BLOCK_TAGS = frozenset({
    "address", "article", "blockquote", "caption", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hgroup", "hr", "li",
    "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
    "body", "html",
})
_CELL_TAGS = frozenset({"td", "th"})
_BLOCK, _BREAK = object(), object()  # markers between text pieces: new paragraph, new line


def _text_pieces(root: Tag, skip: frozenset[int] = frozenset()) -> list[object]:
    """Text strings and _BLOCK/_BREAK markers of `root` in document order.

    Iterative, so deeply nested markup cannot exhaust the recursion limit. `skip` holds
    id()s of elements to leave out (the <h1> already used as the title).
    """
    pieces: list[object] = []
    stack: list[object] = [(root, False)]
    while stack:
        item = stack.pop()
        if item is _BLOCK or item is _BREAK or isinstance(item, str):
            pieces.append(item)
            continue
        node, in_pre = item
        if isinstance(node, NavigableString):
            # Comments, doctypes, CDATA and processing instructions are not text.
            if not isinstance(node, PreformattedString):
                text = str(node)
                pieces.extend(_interleave(text.split("\n"), _BREAK) if in_pre else (text,))
            continue
        if not isinstance(node, Tag) or node.name in _REMOVED_TAGS or id(node) in skip:
            continue
        if node.name == "br":
            pieces.append(_BREAK)
            continue
        around = _BLOCK if node.name in _BLOCK_TAGS else " " if node.name in _CELL_TAGS else None
        if around is not None:
            pieces.append(around)
            stack.append(around)
        in_pre = in_pre or node.name == "pre"
        stack.extend((child, in_pre) for child in reversed(node.contents))
    return pieces


def _interleave(items: list[str], marker: object) -> list[object]:
    """[a, b, c] -> [a, marker, b, marker, c]."""
    out: list[object] = []
    for i, item in enumerate(items):
        if i:
            out.append(marker)
        out.append(item)
    return out


def _join_pieces(pieces: list[object]) -> str:
    """Paragraphs separated by a blank line, lines by "\\n", spaces collapsed as a browser would."""
    paragraphs: list[str] = []
    lines: list[str] = []
    words: list[str] = []
    for piece in [*pieces, _BLOCK]:
        if isinstance(piece, str):
            words.append(piece)
            continue
        line = one_line("".join(words))
        words = []
        if line.strip():
            lines.append(line.strip())
        if piece is _BLOCK and lines:
            paragraphs.append("\n".join(lines))
            lines = []
    return "\n\n".join(paragraphs)


def _in_removed(tag: Tag) -> bool:
    """True for an element inside page furniture (header, nav, ...), which is not shown as text."""
    return any(parent.name in _REMOVED_TAGS for parent in tag.parents)


def _parse_html(html: str) -> BeautifulSoup:
    """Parse with the stdlib parser; bs4's advice warnings are noise for arbitrary files."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        try:
            return BeautifulSoup(html, "html.parser")
        except (ParserRejectedMarkup, RecursionError, AssertionError) as exc:
            raise DocumentError("cannot parse HTML") from exc


def html_to_text(html: str) -> tuple[str, str]:
    """(title, body) of an HTML page, without scripts, styles, navigation and comments.

    Title: <title>, else the first <h1>, else the first line of the text. An <h1> that
    repeats the title is not repeated in the body.
    """
    soup = _parse_html(clean_text(html))
    page_title = next((t for t in soup.find_all("title") if t.find_parent("svg") is None), None)
    title = one_line(page_title.get_text()) if page_title else ""
    h1 = next((h for h in soup.find_all("h1") if not _in_removed(h)), None)
    h1_text = one_line(_join_pieces(_text_pieces(h1))) if h1 else ""
    repeats_title = h1 is not None and (not title or h1_text == title)
    skip = frozenset({id(h1)}) if repeats_title else frozenset()
    title = title or h1_text
    body = unicodedata.normalize("NFC", _join_pieces(_text_pieces(soup, skip)))
    if not title:
        title = first_line_title(body)
    return unicodedata.normalize("NFC", title), body


def document_from_html(doc_id: str, html: str, path: str) -> Document:
    """An .html document; a page with no visible text at all is an error."""
    title, body = html_to_text(html)
    if not title and not body:
        raise DocumentError("no text")
    return new_document(doc_id, title, body, path, date=extract_date(title + "\n" + body))
