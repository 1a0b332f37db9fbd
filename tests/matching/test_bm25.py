from matching import LexicalIndex
from matching.text import tokenize


def test_tokenizer_stems_english_drops_stopwords_and_segments_chinese():
    assert tokenize("The batteries are charging") == ["batteri", "charg"]
    assert tokenize("锂电池的快速充电") == ["锂电池", "快速", "充电"]


def test_chinese_query_finds_the_chinese_document():
    index = LexicalIndex()
    index.add(1, "Machine learning for satellite image recognition")
    index.add(2, "锂离子电池的快速充电与热管理技术")
    index.add(3, "深度学习图像识别算法")
    index.add(4, "Fast charging of lithium-ion batteries")

    keys, scores = index.scores("电池快速充电")

    assert keys[int(scores.argmax())] == 2
    assert scores[keys.index(1)] == 0.0


def test_stemming_matches_word_forms_and_allow_list_restricts():
    index = LexicalIndex()
    index.add("a", "A battery cell charged quickly")
    index.add("b", "Radar clutter filtering")
    index.add("c", "Charging stations for batteries")

    keys, scores = index.scores("batteries charging", allow=["b", "c"])

    assert keys == ["b", "c"]
    assert scores[0] == 0.0
    assert scores[1] > 0.0


def test_add_replaces_and_remove_forgets():
    index = LexicalIndex()
    index.add(1, "radar")
    index.add(2, "sonar")
    index.add(1, "sonar arrays")
    index.remove(2)

    keys, scores = index.scores("sonar")

    assert keys == [1]
    assert scores[0] > 0.0
    assert len(index) == 1
    assert index.idf("radar") == 0.0


def test_a_corpus_without_a_single_word_matches_nothing():
    """Documents of stop words, single digits and control characters only: bm25s cannot
    index them, and a query scores zero on each instead of failing."""
    index = LexicalIndex()
    index.add(1, "0")
    index.add(2, "\x07\x1b the a")

    keys, scores = index.scores("battery 0")

    assert keys == [1, 2]
    assert scores.tolist() == [0.0, 0.0]
    index.add(3, "battery cells")
    keys, scores = index.scores("battery")
    assert keys[int(scores.argmax())] == 3
