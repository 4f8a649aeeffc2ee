"""How the templates write dates, numbers, page links, sources and titles for a Vietnamese reader."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

SITE_TITLE = "vnsearch: tìm kiếm tài liệu tiếng Việt"


def page_title(name: str = "") -> str:
    """A page's ``<title>``: ``name – vnsearch``, or the site's title when there is no name."""
    return f"{name} – vnsearch" if name else SITE_TITLE


def vn_date(iso: str | None) -> str:
    """``2024-07-04`` as Vietnamese write it: ``04/07/2024``."""
    if not iso:
        return ""
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def vn_number(n: int) -> str:
    """Thousands separated by dots, as in Vietnamese: ``12.345``."""
    return f"{n:,}".replace(",", ".")


def page_window(page: int, pages: int, radius: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and ``radius`` around the current; None for a gap."""
    shown = sorted({1, pages, *range(max(1, page - radius), min(pages, page + radius) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


def safe_url(url: str) -> str | None:
    """A document's source URL if it is http(s), so that no ``javascript:`` link is ever rendered."""
    return url if url and urlsplit(url).scheme in ("http", "https") else None


def source_label(path: str, doc_id: str) -> str:
    """Where a document came from, without the server's directories: a relative path, else the id."""
    return path if path and not Path(path).is_absolute() else doc_id


#: The template filters and globals, by the names the templates use.
FILTERS = {"vn_date": vn_date, "vn_number": vn_number}
GLOBALS = {"page_title": page_title, "page_window": page_window, "safe_url": safe_url, "source_label": source_label}
