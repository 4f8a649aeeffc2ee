"""Hostile paths and methods: no URL reads a file outside the index, no method writes.
See docs/RELIABILITY.md."""

from __future__ import annotations

import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

from helpers import ROOT, SECRET
from indexer.build import reindex
from indexer.store import current_generation, index_version


@pytest.fixture(scope="module")
def guarded(tmp_path_factory, make_app):
    """An index with secrets beside it, inside it and in its source folder (not indexed)."""
    base = tmp_path_factory.mktemp("guarded")
    source = base / "docs"
    source.mkdir()
    (source / "hue.txt").write_text("Huế\n\nKinh thành Huế.\n", encoding="utf-8")
    (source / "secret.md").write_text(SECRET, encoding="utf-8")  # unsupported type: not indexed
    (source / ".secret.txt").write_text(SECRET, encoding="utf-8")  # hidden: not indexed
    index_dir = base / "index"
    reindex([source], index_dir, procs=1)
    (base / "secret.txt").write_text(SECRET, encoding="utf-8")
    (index_dir / "secret.txt").write_text(SECRET, encoding="utf-8")
    (current_generation(index_dir) / "secret.txt").write_text(SECRET, encoding="utf-8")
    return base, index_dir, make_app(index_dir)


class FileOpens:
    """Every file the process opens while ``active`` (a CPython audit hook: it cannot be removed,
    so it stays registered, idle, after the test)."""

    installed: "FileOpens | None" = None

    def __init__(self):
        self.active = False
        self.paths: list[str] = []

    @classmethod
    def get(cls) -> "FileOpens":
        if cls.installed is None:
            cls.installed = FileOpens()
            sys.addaudithook(cls.installed._hook)
        return cls.installed

    def _hook(self, event, args):
        if self.active and event == "open" and isinstance(args[0], (str, bytes)):
            self.paths.append(os.fsdecode(args[0]))

    @contextmanager
    def recording(self):
        self.paths, self.active = [], True
        try:
            yield self.paths
        finally:
            self.active = False


def hostile_paths(base: Path, index_dir: Path) -> list[str]:
    gen = current_generation(index_dir)
    absolute = [str(base / "secret.txt"), str(index_dir / "secret.txt"), str(gen / "secret.txt"),
                str(base / "docs" / "secret.md"), "/etc/passwd", str(ROOT / "pyproject.toml")]
    relative = ["../secret.txt", "../../secret.txt", "secret.txt", "docs/secret.md", "../docs/secret.md",
                ".secret.txt", "../index/secret.txt", f"{gen.name}/secret.txt", "current/secret.txt",
                "../" * 12 + "etc/passwd"]
    urls = []
    for path in relative + [p.lstrip("/") for p in absolute]:
        urls += [f"/doc/{path}", f"/doc/{quote(path, safe='')}", "/doc/" + path.replace("/", "%2F"),
                 "/doc/" + path.replace(".", "%2e").replace("/", "%2f"), "/doc/" + path.replace("/", "%5C"),
                 f"/doc/{path}%00", f"/doc/{path}%00.txt", f"/doc/{path}\x00.txt".replace("\x00", "%00"),
                 "/doc/" + path.replace("../", "..%c0%af"), "/doc/" + path.replace("../", "....//")]
    urls += [f"/doc/{p}" for p in absolute] + [f"/doc//{p}" for p in absolute]
    urls += ["/doc/%00", "/doc/%ED%A0%80", "/doc/%FF%FE", "/doc/nonexistent.txt", "/doc/hue.txt/..",
             "/doc/hue.txt/../secret.txt", "/doc/./hue.txt", "/doc/~root", "/doc/" + "a" * 5000,
             "/static/../secret.txt", "/static/..%2F..%2F..%2Fpyproject.toml", "/static/%2e%2e/app.py",
             "/static//etc/passwd", "/static/..%5capp.py", "/api/../secret.txt", "/..%2Fsecret.txt"]
    return urls


def test_hostile_document_paths_are_404_and_read_nothing(guarded):
    base, index_dir, app = guarded
    client = app.test_client()
    urls = hostile_paths(base, index_dir)
    before = index_version(index_dir)
    opens = FileOpens.get()
    with opens.recording() as opened:
        for url in urls:
            response = client.get(url, follow_redirects=True)
            assert response.status_code == 404, (url, response.status_code)
            assert SECRET not in response.get_data(as_text=True), url
            assert "root:" not in response.get_data(as_text=True), url
    secrets = {str(p) for p in (base / "secret.txt", index_dir / "secret.txt",
                                current_generation(index_dir) / "secret.txt", base / "docs" / "secret.md",
                                base / "docs" / ".secret.txt")} | {"/etc/passwd"}
    assert not secrets & {os.path.realpath(p) for p in opened}, "a secret file was opened"
    outside = [p for p in opened if p.startswith(str(base)) and not p.startswith(str(index_dir))]
    assert outside == [], "files outside the index were opened"
    assert client.get("/doc/hue.txt").status_code == 200, "the real document is still served"
    assert index_version(index_dir) == before
    print(f"\nhostile paths: {len(urls)} URLs, all 404, {len(opened)} files opened, none outside the index")


def _route_urls(app) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        url = re.sub(r"<(?:[a-z]+:)?doc_id>", "hue.txt", rule.rule)
        urls.append(re.sub(r"<(?:[a-z]+:)?filename>", "style.css", url))
    return urls


def test_every_route_refuses_writes_and_nothing_changes_the_index(guarded):
    base, index_dir, app = guarded
    client = app.test_client()
    urls = _route_urls(app)
    assert {"/", "/api/search", "/healthz", "/doc/hue.txt", "/static/style.css"} <= set(urls)
    before = index_version(index_dir)
    files_before = {p: p.stat().st_mtime_ns for p in index_dir.rglob("*") if p.is_file()}
    requests = 0
    for url in urls:
        for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND", "TRACE"):
            for body in (None, b"q=x", b'{"q": "x"}'):
                with client.open(url, method=method, data=body) as response:
                    assert response.status_code == 405, (method, url, response.status_code)
                    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
                requests += 1
        for method in ("GET", "HEAD"):
            with client.open(url, method=method) as response:
                assert response.status_code == 200, (method, url)
            requests += 1
    for url in hostile_paths(base, index_dir)[:40]:
        with client.get(url):
            requests += 1
    assert index_version(index_dir) == before
    assert {p: p.stat().st_mtime_ns for p in index_dir.rglob("*") if p.is_file()} == files_before
    assert client.get("/healthz").get_json() == {"ok": True, "documents": 1}
    print(f"\nmethods: {requests} requests on {len(urls)} routes, every write method 405, index unchanged")

