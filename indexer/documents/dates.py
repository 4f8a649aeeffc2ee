"""A document's date: the first full date near the top of its text, or a jsonl "date" field."""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Iterator

DATE_WINDOW_CHARS = 1500
"""extract_date only looks this far into a text: a document's date is near the top."""

_DATE_PATTERNS = (
    # "ngày 04 tháng 07 năm 2024" (administrative style, any case, loose spacing)
    re.compile(r"\bngày\s*(?P<d>\d{1,2})\s*tháng\s*(?P<m>\d{1,2})\s*,?\s*năm\s*(?P<y>\d{4})(?!\d)",
               re.IGNORECASE),
    # 25/04/2014, 25-04-2014, 25.04.2014 (day first, same separator twice). The look-behinds
    # keep "quý 2/2021", "6/2021" and the middle of longer dotted numbers from matching.
    re.compile(r"(?<!\d)(?<!\d[./-])(?P<d>\d{1,2})(?P<sep>[./-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})(?!\d)"),
    # ISO 2024-07-04; "2013-2014" (a school year) has no day and does not match.
    re.compile(r"(?<![\d./-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)"),
)


def _valid_date(year: int, month: int, day: int) -> datetime.date | None:
    """The date if it exists and the year is plausible (1900-2100), else None."""
    if not 1900 <= year <= 2100:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _date_candidates(text: str) -> Iterator[tuple[int, datetime.date | None]]:
    """(position, date or None if impossible) for every full-date-looking match."""
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            yield m.start(), _valid_date(int(m["y"]), int(m["m"]), int(m["d"]))


def extract_date(text: str) -> datetime.date | None:
    """The first valid full date (day, month and year) near the top of `text`, else None.

    A day/month without a year ("Chiều 23/7") or a month/year ("quý 2/2021") is not a date.
    """
    window = unicodedata.normalize("NFC", text[:DATE_WINDOW_CHARS])
    found = sorted((pos, d) for pos, d in _date_candidates(window) if d is not None)
    return found[0][1] if found else None


def date_from_field(value: object) -> datetime.date | None:
    """A jsonl "date" value: ISO first (also the date part of a timestamp), else any form."""
    if not isinstance(value, str):
        return None
    iso = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})(?!\d)", value)
    if iso:
        return _valid_date(int(iso[1]), int(iso[2]), int(iso[3]))
    return extract_date(value)
