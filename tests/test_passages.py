"""Passages for embedding: whole sentences, exact offsets, every sentence kept, same output each run."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.passages import passage_at, sentence_spans, split_passages, syllable_spans, tiled_passages

BODY = (
    "Sáng 1/12, Bộ Giáo dục và Đào tạo công bố đề án mới. Đề án áp dụng từ năm học 2027!\n"
    "Theo đó, học sinh lớp 10 sẽ học ít môn hơn… Phụ huynh hỏi: “Có thi lại không?” "
    "Bộ trả lời rằng không."
)


def test_offsets_point_at_the_sentences_in_the_body():
    for p in split_passages("Đề án mới", BODY, size=12):
        assert p.text == "Đề án mới\n" + " ".join(BODY[p.start:p.end].split())
        assert not BODY[p.start].isspace() and not BODY[p.end - 1].isspace()


def test_sentences_end_at_stops_and_line_breaks():
    sentences = [BODY[s:e] for s, e in sentence_spans(BODY)]
    assert sentences == [
        "Sáng 1/12, Bộ Giáo dục và Đào tạo công bố đề án mới.",
        "Đề án áp dụng từ năm học 2027!",
        "Theo đó, học sinh lớp 10 sẽ học ít môn hơn…",
        "Phụ huynh hỏi: “Có thi lại không?”",
        "Bộ trả lời rằng không.",
    ]


def test_passages_hold_whole_sentences_near_the_size():
    passages = split_passages("T", BODY, size=12)
    assert [BODY[p.start:p.end] for p in passages] == [
        "Sáng 1/12, Bộ Giáo dục và Đào tạo công bố đề án mới.",
        "Đề án áp dụng từ năm học 2027!",
        "Theo đó, học sinh lớp 10 sẽ học ít môn hơn…",
        "Phụ huynh hỏi: “Có thi lại không?” Bộ trả lời rằng không.",
    ]
    one = split_passages("T", BODY, size=200)
    assert len(one) == 1 and (one[0].start, one[0].end) == (0, len(BODY))


def test_a_sentence_without_stops_is_cut_into_runs_of_the_size():
    body = " ".join(f"từ{i}" for i in range(250))
    passages = split_passages("Điều 5", body, size=60)
    counts = [len(syllable_spans(body, p.start, p.end)) for p in passages]
    assert counts == [60, 60, 60, 60, 10]
    assert passages[0].start == 0 and passages[-1].end == len(body)


def test_a_document_without_body_is_its_title():
    assert [tuple(p) for p in split_passages("Chỉ có tiêu đề", "  \n ")] == [("Chỉ có tiêu đề", 0, 0)]


def test_size_must_be_positive():
    with pytest.raises(ValueError):
        split_passages("t", "b", size=0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("aăđê ờ.!?\n…,") + ["Hà Nội", "  "]), max_size=200).map("".join),
       st.sampled_from([1, 5, 40, 60, 100]))
def test_every_syllable_is_in_exactly_one_passage_and_the_split_is_deterministic(body, size):
    passages = split_passages("Tiêu đề", body, size)
    assert passages == split_passages("Tiêu đề", body, size)
    covered = [s for p in passages for s in syllable_spans(body, p.start, p.end)]
    assert covered == syllable_spans(body, 0, len(body))
    assert all(a.end <= b.start for a, b in zip(passages, passages[1:]))
    # The snippet's best passage, found without splitting the rest, is the same passage.
    assert [passage_at("Tiêu đề", body, (size,), i) for i in range(len(passages) + 1)] == [*passages, None]


def test_a_second_tiling_follows_the_first_and_leaves_out_the_passages_it_repeats():
    tiled = list(tiled_passages("T", BODY, (30, 12)))
    first, second = split_passages("T", BODY, 30), split_passages("T", BODY, 12)
    assert tiled[:len(first)] == [(30, p) for p in first]
    assert tiled[len(first):] == [(12, p) for p in second if p not in first] and len(second) > len(first)
    assert [passage_at("T", BODY, (30, 12), i) for i in range(len(tiled) + 1)] == [p for _, p in tiled] + [None]
    short = "Một câu."
    assert list(tiled_passages("T", short, (60, 40))) == [(60, split_passages("T", short, 60)[0])], "embedded once"
