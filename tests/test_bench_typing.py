"""The typing benchmark's completion ceiling, on titles of its own (no ../shared needed)."""

from bench.typing import Case, completion_ceiling

TITLES = ["Quân đội Mỹ ở Thái Lan", "Mỹ ở Thái Bình Dương", "Phóng viên Mỹ ở Thổ Nhĩ Kỳ",
          "Giá xăng hôm nay", "Giá xe hôm qua"]


def case(whole: str, cut: str) -> Case:
    return Case(whole=whole, intended=whole, cut=cut, typo=whole, edit="insert")


def test_the_ceiling_counts_the_likeliest_completion_among_the_titles():
    # ``mỹ ở th`` is ``thái`` twice and ``thổ`` once, with or without diacritics; after
    # ``giá``, ``xăng`` and ``xe`` are as likely: a rule can only guess between them.
    assert completion_ceiling(TITLES, [case("mỹ ở thái", "mỹ ở th")]) == 1.0
    assert completion_ceiling(TITLES, [case("mỹ ở thổ", "mỹ ở th")]) == 0.0
    assert completion_ceiling(TITLES, [case("my o tho", "my o th")]) == 0.0
    assert completion_ceiling(TITLES, [case("giá xe", "giá x")]) == 0.5
    assert completion_ceiling(TITLES, [case("mỹ ở thái", "mỹ ở th"), case("giá xe", "giá x")]) == 0.75
    assert completion_ceiling(TITLES, []) == 0.0
