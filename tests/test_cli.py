"""The ``vnsearch`` command line (webapp/cli.py): what it prints, and errors as messages, never tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from indexer.store import current_generation, reindex_lock
from webapp.cli import cli

#: Two small documents: one about hồ Gươm, one about a conference of the education department.
SOURCES = {
    "ho-guom.txt": "Nước hồ Gươm đổi màu\n\nNgày 10/03/2023, mặt hồ chuyển màu xanh đậm do tảo phát triển.",
    "hoi-nghi.txt": "Hội nghị tổng kết năm học\n\nSáng 04/07/2024, Sở Giáo dục và Đào tạo tổ chức hội nghị tổng kết.",
}


def vnsearch(*args) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_message_not_traceback(result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), "click's exit, not an uncaught exception"
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output


@pytest.fixture
def folder(tmp_path) -> Path:
    """A source folder: the two documents, plus three files that are skipped and one that is ignored."""
    src = tmp_path / "src"
    src.mkdir()
    for name, text in SOURCES.items():
        (src / name).write_text(text, encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    (src / "blank.txt").write_bytes(b"  \n\n ")
    (src / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (src / "notes.md").write_text("ignored: not a document type", encoding="utf-8")
    return src


@pytest.fixture
def index_dir(folder, tmp_path) -> Path:
    """An index of ``folder``, built by ``vnsearch reindex``."""
    index_dir = tmp_path / "index"
    assert vnsearch("reindex", folder, "--index", index_dir, "--procs", "1").exit_code == 0
    return index_dir


# --- reindex ---------------------------------------------------------------------------------------


def test_reindex_prints_the_summary_with_skipped_reasons(folder, tmp_path):
    index_dir = tmp_path / "index"
    result = vnsearch("reindex", folder, "--index", index_dir, "--procs", "1")
    assert result.exit_code == 0, result.output
    assert "2 added, 0 updated, 0 deleted, 0 unchanged, 3 skipped" in result.stdout
    assert "empty.txt: empty file" in result.stdout and "image.txt: binary file" in result.stdout
    again = vnsearch("reindex", folder, "--index", index_dir, "--procs", "1")
    assert again.exit_code == 0 and again.stdout.startswith("nothing changed")
    full = vnsearch("reindex", folder, "--index", index_dir, "--procs", "1", "--full")
    assert full.exit_code == 0 and full.stdout.startswith("2 added")


def test_reindex_of_a_missing_source_is_a_message(tmp_path):
    missing = tmp_path / "no-such-folder"
    result = vnsearch("reindex", missing, "--index", tmp_path / "index")
    assert_message_not_traceback(result, "source not found", str(missing))
    assert current_generation(tmp_path / "index") is None


def test_reindex_of_a_busy_index_is_a_message(folder, index_dir):
    with reindex_lock(index_dir):
        result = vnsearch("reindex", folder, "--index", index_dir, "--procs", "1")
    assert_message_not_traceback(result, "another reindex")


# --- search ----------------------------------------------------------------------------------------


def test_search_prints_results_and_json(index_dir):
    result = vnsearch("search", "ho", "guom", "--index", index_dir)
    assert result.exit_code == 0, result.output
    assert "1 kết quả" in result.stdout
    assert "1. Nước [hồ Gươm] đổi màu  [2023-03-10]" in result.stdout, "marks as brackets off a terminal"
    assert "mặt [hồ] chuyển màu" in result.stdout

    result = vnsearch("search", "giáo dục", "--json", "--index", index_dir)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"] == 1 and data["results"][0]["id"] == "hoi-nghi.txt"
    assert data["query"] == "giáo dục" and "<mark>" in data["results"][0]["snippet"]

    corrected = vnsearch("search", "guomm", "--index", index_dir)  # a typo is corrected and searched
    assert corrected.exit_code == 0 and "Kết quả cho “gươm”" in corrected.stdout and "[Gươm]" in corrected.stdout
    telex = vnsearch("search", "giaos", "ducj", "--index", index_dir)
    assert "“giáo dục”" in telex.stdout and "Sở [Giáo dục] và Đào tạo" in telex.stdout


def test_search_errors_are_messages(tmp_path, index_dir):
    assert_message_not_traceback(vnsearch("search", "x", "--index", tmp_path / "none"), "vnsearch reindex")
    assert_message_not_traceback(vnsearch("search", "x", "--page", "0", "--index", index_dir),
                                 "page must be between")


# --- Every command ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["reindex"], ["search", "x"], ["serve"]])
def test_a_bad_config_file_is_a_message(tmp_path, command):
    bad = tmp_path / "config.toml"
    bad.write_text("[index\ndir = ", encoding="utf-8")
    assert_message_not_traceback(vnsearch(*command, "--config", bad), "cannot read", str(bad))
    missing = tmp_path / "missing.toml"
    assert_message_not_traceback(vnsearch(*command, "--config", missing), "config file not found")


@pytest.mark.parametrize("toml, named", [("[search]\nper_pag = 5\n", "no such [search] setting: per_pag"),
                                         ("[semantic]\ndepht = 10\n", "no such [semantic] setting: depht"),
                                         ("[serach]\nper_page = 5\n", "no such section [serach]")])
def test_a_misspelt_setting_is_a_message_naming_it_not_a_default_silently_kept(tmp_path, toml, named):
    config = tmp_path / "config.toml"
    config.write_text(toml, encoding="utf-8")
    assert_message_not_traceback(vnsearch("search", "x", "--config", config), named, str(config))


def test_help_lists_the_commands():
    result = vnsearch("--help")
    assert result.exit_code == 0
    for command in ("reindex", "search", "serve"):
        assert command in result.stdout
