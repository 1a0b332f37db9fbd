"""Text handling shared by the embedder, the lexical scorer and the evidence.

Boilerplate stripping, sentence splitting, and the tokeniser of the lexical side (English words
stemmed with PyStemmer and stopwords dropped; Chinese segmented with jieba, imported lazily, its
stop words from stopwordsiso).
"""

from __future__ import annotations

import re
from functools import cache

# Section headers of solicitation-style texts (SBIR topics and the like). A section runs from its
# header to the next one. These sections carry administrative text (export control, contacts,
# citations) rather than the technical need, so they are dropped before matching.
_SECTION = re.compile(
    r"(TECHNOLOGY AREA\(S\)|OBJECTIVE|DESCRIPTION|PHASE I{1,3}(?: DUAL[ -]USE APPLICATIONS)?"
    r"|REFERENCES|KEYWORDS|CONTACT\(S\)|ACQUISITION PROGRAM|PROPOSALS ACCEPTED"
    r"|COMMERCIALIZATION|DUAL USE APPLICATIONS)\s*:"
)
DROPPED_SECTIONS = frozenset(
    {"REFERENCES", "CONTACT(S)", "ACQUISITION PROGRAM", "PROPOSALS ACCEPTED"}
)
# Export-control notices (ITAR/EAR) are pasted into many topics verbatim.
_NOTICE = re.compile(
    r"International Traffic in Arms|\bITAR\b|Export Administration Regulation|foreign nationals?",
    re.IGNORECASE,
)


def strip_boilerplate(text: str) -> str:
    """Remove export-control notices and administrative sections; keep the technical text."""
    parts = _SECTION.split(text)
    kept = [parts[0]]
    for header, body in zip(parts[1::2], parts[2::2], strict=True):
        if header not in DROPPED_SECTIONS:
            kept.append(body)
    lines = []
    for part in kept:
        sentences = [s for s in split_sentences(part) if not _NOTICE.search(s)]
        if sentences:
            lines.append(" ".join(sentences))
    return "\n".join(lines)


# A sentence ends at . ! ? ; (or their CJK forms) followed by space and an upper-case letter,
# digit or quote, at a line break, or where two sentences were glued ("Phase II.Most").
_SENTENCE_END = re.compile(
    r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9])|(?<=[。！？；])|\n+|(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])"
)


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``, stripped, empty ones dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+")
# Snowball's English stopword list plus words that every proposal or challenge uses.
_EN_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "also",
        "may",
        "must",
        "use",
        "used",
        "using",
        "within",
        "without",
        "via",
        "etc",
        "e",
        "g",
        "ie",
        "eg",
    ]
)


@cache
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("porter")


@cache
def _cjk_stopwords() -> frozenset[str]:
    import stopwordsiso

    return frozenset(stopwordsiso.stopwords("zh"))


@cache
def _general_idf() -> dict[str, float]:
    """Inverse document frequencies of Chinese words in jieba's general corpus."""
    _jieba()
    import jieba.analyse

    return jieba.analyse.default_tfidf.idf_freq


# Chinese words this common in general text (jieba's IDF: 实现 4.7, 提供 4.7, 技术 4.7, 系统
# 5.0; 算法 8.7, 电池 7.5) say nothing when two documents share them.
GENERIC_IDF = 5.0


def is_evidence_term(token: str) -> bool:
    """Whether a shared lexical token may be shown as evidence: not a number, and for Chinese
    not a single character, a stop word or a word too common in general Chinese."""
    if token.isdigit():
        return False
    if CJK_RUN.fullmatch(token):
        return (
            len(token) > 1
            and token not in _cjk_stopwords()
            and _general_idf().get(token, float("inf")) >= GENERIC_IDF
        )
    return True


@cache
def _jieba():
    import jieba

    jieba.setLogLevel(60)
    return jieba


def cjk_share(text: str) -> float:
    """Share of the non-space characters of ``text`` that are Chinese (CJK ideographs)."""
    letters = sum(1 for ch in text if not ch.isspace())
    return sum(len(run) for run in CJK_RUN.findall(text)) / letters if letters else 0.0


def chinese_words(run: str) -> list[str]:
    return [w for w in _jieba().lcut(run) if w.strip() and w not in _cjk_stopwords()]


def tokenize(text: str) -> list[str]:
    """Lexical tokens: stemmed English words without stopwords, jieba words for Chinese runs."""
    text = text.lower()
    tokens: list[str] = []
    position = 0
    for match in CJK_RUN.finditer(text):
        tokens.extend(_english_words(text[position : match.start()]))
        tokens.extend(chinese_words(match.group()))
        position = match.end()
    tokens.extend(_english_words(text[position:]))
    return tokens


def _english_words(text: str) -> list[str]:
    words = [w for w in _WORD.findall(text) if w not in _EN_STOPWORDS and len(w) > 1]
    return _stemmer().stemWords(words) if words else []


def surface_terms(text: str) -> dict[str, str]:
    """Each lexical token of ``text`` mapped to the first word that produced it (for display)."""
    surfaces: dict[str, str] = {}
    lowered = text.lower()
    position = 0
    for match in CJK_RUN.finditer(lowered):
        _add_english_surfaces(text[position : match.start()], surfaces)
        for word in chinese_words(match.group()):
            surfaces.setdefault(word, word)
        position = match.end()
    _add_english_surfaces(text[position:], surfaces)
    return surfaces


def _add_english_surfaces(text: str, surfaces: dict[str, str]) -> None:
    words = re.findall(r"[A-Za-z0-9]+", text)
    kept = [w for w in words if w.lower() not in _EN_STOPWORDS and len(w) > 1]
    for word, stem in zip(kept, _stemmer().stemWords([w.lower() for w in kept]), strict=True):
        surfaces.setdefault(stem, word)
