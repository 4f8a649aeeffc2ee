"""Diacritics put back into a question typed without them, before it is embedded: from the
text of its top hits, and where they do not hold a word, as the index spells it."""

from indexer.restore import restore_diacritics
from indexer.store import open_index
from indexer.vocabulary import Vocabulary
from search_helpers import make_index

HIT = "Trường học ở Huế\nTrường Quốc Học Huế được xây dựng năm 1896."


def test_words_are_written_as_the_hits_write_them_and_a_capital_is_kept():
    assert restore_diacritics("Truong quoc hoc hue", [HIT]) == "Trường quốc học huế"


def test_a_pair_the_hits_hold_wins_over_each_word_alone():
    texts = ["Thì thôi, thì thế, thì vậy. Thi tốt nghiệp năm nay."]  # ``thì`` alone is likelier
    assert restore_diacritics("thi tot nghiep", texts) == "thi tốt nghiệp"


def test_without_the_index_a_word_the_hits_lack_stays_as_typed():
    assert restore_diacritics("truong quoc hoc o dau", [HIT]).endswith("ở dau")


def index_of(tmp_path):
    docs = {f"hoi-{i}.txt": f"Hỏi đáp {i}\nNhà văn hóa ở đâu? Hỏi ở đâu cũng được. Đầu năm học mới." for i in range(3)}
    docs["dau-tu.txt"] = "Đầu tư\nĐầu tư công, đầu tư tư nhân, đầu năm, đầu tháng. Bao nhiêu người?"
    return make_index(tmp_path, docs)


def test_a_word_the_hits_lack_is_spelt_as_the_index_spells_it_beside_its_neighbours(tmp_path):
    with open_index(index_of(tmp_path)).searcher() as searcher:
        vocab = Vocabulary(searcher.reader())
        # ``dau`` alone is most often ``đầu`` in this index; after ``ở`` it is ``đâu``.
        assert restore_diacritics("truong quoc hoc o dau", [HIT], vocab) == "trường quốc học ở đâu"
        assert restore_diacritics("dau nam", [], vocab) == "đầu năm"
        # Beside no neighbour the index knows, a word takes its most frequent spelling.
        assert restore_diacritics("tu xyzw", [], vocab) == "tư xyzw"


def test_beside_its_neighbours_the_index_wins_over_the_hits_spelling_of_a_word_alone(tmp_path):
    hit = "Nhiều người đến\nNhiều người dân đến xem, nhiều nhà văn."
    assert restore_diacritics("bao nhieu", [hit]) == "bao nhiều"
    with open_index(index_of(tmp_path)).searcher() as searcher:
        assert restore_diacritics("bao nhieu", [hit], Vocabulary(searcher.reader())) == "bao nhiêu"


def test_a_plain_spelling_is_counted_though_its_accented_forms_share_its_documents(tmp_path):
    # Each of six documents holds ``năm``, ``nằm`` and ``nắm``; four hold ``Nam``. The folded
    # syllable ``nam`` is in ten documents, fewer than its accented forms' 18 together, yet
    # ``nam`` as written is a fifth of its occurrences, and counts.
    docs = {f"nam-{i}.txt": f"Miền Nam {i}\nTin miền Nam." for i in range(4)}
    docs |= {f"nam-nay-{i}.txt": f"Năm nay {i}\nNăm nay nằm viện, nắm tay." for i in range(6)}
    with open_index(make_index(tmp_path, docs)).searcher() as searcher:
        forms = Vocabulary(searcher.reader()).forms("nam")
    assert forms["năm"] == forms["nằm"] == forms["nắm"] == 6
    assert 1 <= forms["nam"] <= 4
