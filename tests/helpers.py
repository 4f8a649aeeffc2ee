"""Helpers shared by the test files: a synthetic corpus, the CLI in a subprocess, waiting,
process groups, HTML inspection, and legacy Windows-1258 bytes.

Imported as ``helpers`` (pytest puts tests/ on the import path).
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import unicodedata
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "webapp" / "templates"
VIETNEWS = ROOT.parent / "shared" / "data" / "vietnews" / "detok_val.jsonl.gz"
CLI = "from webapp.cli import main; main()"
#: A generous sanity bound for one request; timings are recorded, not asserted strictly.
REQUEST_SECONDS = 10.0
#: The five combining tone marks (grave, acute, tilde, hook above, dot below).
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def windows_1258(text: str) -> bytes:
    """Legacy Vietnamese bytes: base letters (â, ơ, ư, ...) precomposed, tone marks combining.

    Python's cp1258 codec cannot encode "ộ" or the NFD form (U+0302 is not in the code page).
    """
    out = []
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        out.append(base + "".join(c for c in parts if c in TONE_MARKS))
    return "".join(out).encode("cp1258")


# --- A synthetic corpus -----------------------------------------------------------------------

SYLLABLES = (
    "học sinh giáo viên trường lớp thi cử năm mới khai giảng đại hội thành phố huyện xã tỉnh "
    "nông dân ruộng lúa mùa vụ mưa bão lũ lụt sông núi biển đảo du lịch văn hóa lễ hội kinh tế "
    "đầu tư doanh nghiệp ngân hàng thị trường giá cả xăng dầu điện nước y tế bệnh viện bác sĩ "
    "sức khỏe cộng đồng an toàn giao thông đường bộ cầu cảng sân bay công nghệ số hóa chuyển đổi "
    "phần mềm dữ liệu mạng điện thoại thanh niên phụ nữ gia đình trẻ em người cao tuổi hội nghị "
    "tổng kết triển khai kế hoạch chính sách pháp luật quy định"
).split()
#: A word every synthetic document has: searching it counts the documents.
EVERY = "tinbai"


def tag(n: int) -> str:
    """A word found in one synthetic document only (letters: digits would be split off)."""
    letters = ""
    for _ in range(5):
        n, r = divmod(n, 26)
        letters += chr(ord("a") + r)
    return "zq" + letters


def synthetic_docs(ids, seed: int = 0, extra: str = "") -> list[dict]:
    """Vietnamese-looking news records, varied enough that segmentation takes real time."""
    r = random.Random(seed)
    docs = []
    for i in ids:
        words = [r.choice(SYLLABLES) for _ in range(r.randint(50, 100))]
        docs.append({
            "id": f"d{i:05d}",
            "title": " ".join(r.choice(SYLLABLES) for _ in range(8)),
            "body": " ".join(words) + f". {EVERY} {tag(i)} {extra}".rstrip(),
            "date": f"20{r.randint(10, 24)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
        })
    return docs


def write_jsonl(path: Path, docs: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return path


# --- The CLI, waiting, process groups --------------------------------------------------------


def cli(*args, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CLI, *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, **kwargs)


def start_cli(*args, **kwargs) -> subprocess.Popen:
    """The CLI in its own process group, so that a test can kill it and all its workers."""
    return subprocess.Popen([sys.executable, "-c", CLI, *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, **kwargs)


def wait_for(predicate, timeout: float, interval: float = 0.01, what: str = "condition"):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def live_group_members(pgid: int) -> list[int]:
    """Pids of the process group that are still running (zombies do not count: nothing reaps
    orphans in some containers, but a zombie holds no file, lock or memory)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(entry))
    return pids


def kill_group(proc: subprocess.Popen) -> None:
    """Clean up after a test: kill what is left of ``proc``'s process group."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.communicate(timeout=10)
    except (subprocess.TimeoutExpired, ValueError):
        pass


def assert_clean_failure(result: subprocess.CompletedProcess, *words: str) -> None:
    """Non-zero exit, one clear message, no traceback."""
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: "), result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


# --- HTML inspection -------------------------------------------------------------------------


class Tags(HTMLParser):
    """Every start tag of a page, with its attributes, as a browser's tokenizer sees them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


#: Every element our templates write; anything else on a page came from data.
TEMPLATE_TAGS = frozenset(
    name for f in TEMPLATES.glob("*.html") for name in re.findall(r"<([a-z][a-z0-9]*)", f.read_text())
) | {"mark"}


def assert_no_live_markup(html: str) -> None:
    """Nothing from a document or a query became an element, an event handler or a script URL."""
    for tag, attrs in Tags(html).tags:
        assert tag in TEMPLATE_TAGS, f"<{tag}> on the page: {attrs}"
        if tag == "script":
            assert attrs == {"src": "/static/search.js", "defer": None}, attrs
        for name, value in attrs.items():
            assert not name.startswith("on"), f"<{tag} {name}=...>"
            if name in ("href", "src", "action") and value:
                scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", value)
                assert scheme is None or scheme.group(1).lower() in ("http", "https"), value
    assert len(re.findall(r"<script\b", html, re.I)) == 1


def assert_marked_text_only(fragment: str) -> None:
    """A title or snippet from the API: escaped text and bare <mark> elements, nothing else."""
    for tag, attrs in Tags(fragment).tags:
        assert tag == "mark" and not attrs, (tag, attrs)
    assert not re.search(r"<(?!/?mark>)", fragment), fragment



# --- Searching: in-process, and over HTTP under load ---------------------------------------------

#: Written beside, inside and under the indexes of the path tests: never served, never opened.
SECRET = "TOP-SECRET-9f2c1e"


def count(index_dir: Path, q: str = EVERY) -> int:
    """How many documents a search for ``q`` finds (through the real search function)."""
    from indexer.config import Config
    from indexer.search import search

    return search(q, index_dir=index_dir, config=Config(), suggest=False).total


def api_total(port: int, q: str) -> int:
    """The total of ``/api/search?q=...`` on a server at ``port``."""
    from urllib.parse import quote

    from bench.speed.load import get

    status, body = get(port, "/api/search?per_page=1&q=" + quote(q), timeout=REQUEST_SECONDS)
    assert status == 200, body[:300]
    return json.loads(body)["total"]


def random_search(r: random.Random, n: int) -> str:
    """A search a reader of the synthetic corpus might make: words, phrases, operators, pages."""
    from urllib.parse import quote

    words = [r.choice(SYLLABLES) for _ in range(r.choice([1, 1, 2, 3]))]
    q = r.choice([" ".join(words), EVERY, tag(r.randrange(1000)), f'"{words[0]} {r.choice(SYLLABLES)}"',
                  "giao duc", "hoc sinh -thi", "nang luong OR dien"])
    params = {"q": q, "per_page": r.choice([1, 5, 10, 20, 50]), "page": r.choice([1, 1, 1, 2, 5])}
    if r.random() < 0.2:
        params["sort"] = "date"
    return "/api/search?" + "&".join(f"{k}={quote(str(v))}" for k, v in params.items())


def consistent_search(path: str, status: int, body: bytes) -> str | None:
    """What is wrong with an /api/search response (None when nothing is): not 200, more hits
    than a page holds, a total below the hits shown, or the same document twice."""
    from urllib.parse import parse_qs, urlsplit

    if status != 200:
        return f"HTTP {status}: {body[:200]!r}"
    per_page = int(parse_qs(urlsplit(path).query)["per_page"][0])
    data = json.loads(body)
    ids = [hit["id"] for hit in data["results"]]
    if not (len(ids) <= per_page == data["per_page"] and data["total"] >= len(ids) and len(set(ids)) == len(ids)):
        return f"inconsistent: total {data['total']}, {len(ids)} results, per_page {data['per_page']}"
    return None


# --- A full disk ---------------------------------------------------------------------------------


@contextmanager
def tmpfs(path: Path, size: str):
    """A small tmpfs at ``path``; skips the test when it cannot be mounted (not root)."""
    path.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs ({mounted.stderr.strip()}); the RLIMIT_FSIZE variant runs instead")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def free_bytes(path: Path) -> int:
    st_ = os.statvfs(path)
    return st_.f_bavail * st_.f_frsize
