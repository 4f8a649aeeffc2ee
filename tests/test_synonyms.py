"""Abbreviations and their expansions (indexer/synonyms.py): the file format and matching."""

from __future__ import annotations

import pytest

from indexer.errors import ConfigError
from indexer.synonyms import expansions, load_synonyms, parse_synonyms
from search_helpers import CONFIG


def test_synonyms_off():
    assert load_synonyms(None) == ()


def test_parse_synonyms():
    groups = parse_synonyms("# comment\nGD&ĐT, GDĐT, giáo dục và đào tạo  # trailing\n\nlone\nA, a\n")
    assert groups == [(("gd&đt",), ("gdđt",), ("giáo", "dục", "và", "đào", "tạo"))]


def test_expansions_match_folded_and_prefer_the_longest():
    groups = parse_synonyms("TP, thành phố\nTP.HCM, TPHCM, thành phố Hồ Chí Minh")
    words = ["thanh", "pho", "ho", "chi", "minh", "va", "tp"]
    found = expansions(words, groups)
    assert found == [(0, 5, [("tp", "hcm"), ("tphcm",)]), (6, 7, [("thành", "phố")])]


def test_unreadable_synonyms_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="synonyms"):
        load_synonyms(tmp_path / "missing.txt")


def test_project_synonyms_file_parses():
    groups = load_synonyms(CONFIG.synonyms)
    assert len(groups) >= 20
    assert any(("thpt",) in group for group in groups)
