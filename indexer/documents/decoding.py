"""A file's bytes to text: BOM, UTF-8 (even slightly damaged), UTF-16, Windows-1258, or a reason not to.

A file that is not text raises DocumentError with the reason a user is shown.
"""

from __future__ import annotations

import re

from ..errors import DocumentError
from .text import clean_text

_CANNOT_DECODE = "cannot decode (not UTF-8/UTF-16/Windows-1258)"
# C0/C1 control characters other than tab, newline, carriage return and form feed.
_CONTROL_CHAR = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
#: Above this share of control characters decoded "text" is binary: real text has almost none.
_MAX_CONTROL_SHARE = 0.05

_BINARY_MAGIC = (
    b"\x89PNG", b"%PDF-", b"PK\x03\x04", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"\x1f\x8b",
    b"\x7fELF", b"Rar!", b"7z\xbc\xaf", b"\xd0\xcf\x11\xe0", b"RIFF", b"OggS", b"\xfd7zXZ",
)


def _control_ratio(text: str) -> float:
    """Share of characters that are control codes; text files have almost none."""
    return len(_CONTROL_CHAR.findall(text)) / max(len(text), 1)


def _looks_utf16le(data: bytes) -> bool:
    """BOM-less UTF-16 LE: NUL high bytes at odd offsets, rarely at even ones.

    Spaces, digits and unaccented letters are over 80% of Vietnamese text, so half is safe.
    """
    if len(data) < 8 or len(data) % 2:
        return False
    half = len(data) // 2
    return data[1::2].count(0) >= 0.5 * half and data[0::2].count(0) <= 0.05 * half


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few damaged bytes (common in crawled pages), decoded with U+FFFD for them.

    Windows-1258 Vietnamese almost never forms valid multi-byte sequences, so a high share
    of valid ones means the file is UTF-8 and falling back to cp1258 would garble all of it.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    valid = len(text) - len(text.encode("ascii", "ignore")) - bad
    return text if valid >= 20 * bad else None


def _decode_bytes(data: bytes) -> tuple[str, str]:
    """Raw decoding by BOM, then shape: returns (text, reason to give if it is not text)."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                       (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec), "binary file"
            except UnicodeDecodeError:
                raise DocumentError(_CANNOT_DECODE) from None
    if data.startswith(_BINARY_MAGIC):
        raise DocumentError("binary file")
    if _looks_utf16le(data):
        try:
            return data.decode("utf-16-le"), "binary file"
        except UnicodeDecodeError:
            raise DocumentError("binary file") from None
    if b"\x00" in data:
        raise DocumentError("binary file")
    try:
        return data.decode("utf-8"), "binary file"
    except UnicodeDecodeError:
        pass
    text = _mostly_utf8(data)
    if text is not None:
        return text, "binary file"
    try:
        # Legacy Vietnamese: tone marks are combining characters here; NFC joins them later.
        return data.decode("cp1258"), _CANNOT_DECODE
    except UnicodeDecodeError:
        raise DocumentError(_CANNOT_DECODE) from None


def decode_text(data: bytes) -> str:
    """Decode a file's bytes (UTF-8 ±BOM, UTF-16, Windows-1258) to NFC text with "\\n" newlines.

    Raises DocumentError("empty file" / "binary file" / "cannot decode ...").
    """
    if not data.strip():
        raise DocumentError("empty file")
    text, not_text_reason = _decode_bytes(data)
    text = clean_text(text)
    if not text.strip():
        raise DocumentError("empty file")
    if _control_ratio(text) > _MAX_CONTROL_SHARE:
        raise DocumentError(not_text_reason)
    return text
