"""Reading words typed in Telex or VNI without an input method."""

import pytest

from indexer.analysis import typed_without_ime


@pytest.mark.parametrize("typed, word", [
    ("giaos", "giáo"),
    ("ducj", "dục"),
    ("ho6i", "hôi"),
    ("nghi5", "nghị"),
    ("dduwowngf", "đường"),
    ("vieetj", "việt"),
    ("tieengs", "tiếng"),
    ("hoaf", "hoà"),  # tone placed canonically
    ("d9i", "đi"),
    ("GIAOS", "giáo"),
])
def test_typed_without_ime(typed, word):
    assert typed_without_ime(typed) == word


@pytest.mark.parametrize("typed", ["hello", "nam", "2024", "", "giáo", "a", "xin", "ho12", "abc-def"])
def test_not_telex_or_vni(typed):
    assert typed_without_ime(typed) is None
