import hashlib
import itertools

from matching import Document
from matching.text import split_sentences, strip_boilerplate


def _sentences(n: int) -> list[str]:
    return [
        f"Sentence number {i} describes a lithium battery cell with a ceramic separator "
        f"and a thermal management loop for unmanned vehicles."
        for i in range(n)
    ]


def test_long_text_is_split_into_overlapping_sentence_chunks_that_fit(embedder):
    sentences = _sentences(60)
    chunks = embedder.chunk(Document(id=1, text=" ".join(sentences)))

    assert len(chunks) > 3
    assert [c.field for c in chunks] == ["text"] * len(chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert len(embedder.tokenizer(chunk.text)["input_ids"]) <= 256
        assert chunk.text.endswith("vehicles.")
        assert chunk.content_hash == hashlib.sha256(chunk.text.encode()).hexdigest()
    for previous, current in itertools.pairwise(chunks):
        last_sentence = split_sentences(previous.text)[-1]
        assert split_sentences(current.text)[0] == last_sentence
    covered = {s for c in chunks for s in split_sentences(c.text)}
    assert covered == set(sentences)


def test_sentence_longer_than_the_window_is_cut_to_fit(embedder):
    text = " ".join(f"word{i}" for i in range(900))
    chunks = embedder.chunk(Document(id=1, text=text))

    assert len(chunks) >= 4
    for chunk in chunks:
        assert len(embedder.tokenizer(chunk.text)["input_ids"]) <= 256


def test_title_and_each_statement_get_their_own_chunk(embedder):
    doc = Document(
        id=7,
        title="Hypersonic thermal protection",
        text="We need a coating. It must survive 2000 C.",
        statements=("Ceramic matrix composites", "Arc-jet testing"),
    )
    chunks = embedder.chunk(doc)

    assert [(c.field, c.ordinal, c.text) for c in chunks] == [
        ("title", 0, "Hypersonic thermal protection"),
        ("text", 0, "We need a coating. It must survive 2000 C."),
        ("statement", 0, "Ceramic matrix composites"),
        ("statement", 1, "Arc-jet testing"),
    ]


def test_solicitation_boilerplate_is_stripped():
    text = (
        "Radar Clutter Suppression\n\nTECHNOLOGY AREA(S): SensorsThe technology within this topic "
        "is restricted under the International Traffic in Arms Regulation (ITAR), which controls "
        "exports. OBJECTIVE: Suppress sea clutter in radar returns. PHASE I: Design the filter. "
        "REFERENCES: 1. Smith, J. Radar Handbook, 2001. KEYWORDS: radar, clutter"
    )
    assert strip_boilerplate(text) == (
        "Radar Clutter Suppression\nSuppress sea clutter in radar returns.\n"
        "Design the filter.\nradar, clutter"
    )


def test_chinese_sentences_split_on_chinese_punctuation():
    assert split_sentences("我们需要电池。它必须耐高温！") == ["我们需要电池。", "它必须耐高温！"]
