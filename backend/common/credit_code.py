"""The unified social credit code (统一社会信用代码) of a Chinese organisation, GB 32100-2015.

Eighteen characters from a 31-character alphabet (no I, O, Z, S, V, which read like digits);
the last is a check character over the first seventeen.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def normalize_credit_code(code: str) -> str:
    """As people type it: spaces dropped, letters in upper case."""
    return "".join(code.split()).upper()


def check_character(first_seventeen: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first_seventeen, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    """Whether `code` (already normalised) has 18 characters of the alphabet and the right check
    character."""
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return False
    return check_character(code[:17]) == code[17]
