"""Turn a folder (or one file) of .txt, .html and .jsonl(.gz) files into Document records.

Data flows through ``walk`` (the folder walk and file limits), ``decoding`` (bytes to
text), then ``text``, ``html`` (the only bs4 user) or ``jsonl`` per format, with ``dates``
for each document's date; ``records`` holds what comes out. Loading never stops on a bad
file: every per-file problem comes out of ``iter_documents`` as a ``Skipped`` with a short
reason.
"""

from .dates import extract_date
from .decoding import decode_text
from .html import document_from_html, html_to_text
from .jsonl import document_from_record
from .records import MAX_FILE_BYTES, Document, Skipped, content_hash
from .text import document_from_text
from .walk import file_kind, iter_documents

__all__ = [
    "MAX_FILE_BYTES",
    "Document",
    "Skipped",
    "content_hash",
    "decode_text",
    "document_from_html",
    "document_from_record",
    "document_from_text",
    "extract_date",
    "file_kind",
    "html_to_text",
    "iter_documents",
]
