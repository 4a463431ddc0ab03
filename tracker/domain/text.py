"""Text normalization shared by search and natural keys."""

from __future__ import annotations

import re
import unicodedata


def search_key(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed: "ＡＣＭＥ  Müller" and "acme müller" meet.

    Why NFKC: full-width Latin letters typed with a Chinese input method must match their
    ordinary forms. Why casefold: it folds ß and Turkish dotted I where lower() does not."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# C0 controls other than tab, line feed and carriage return, and DEL: no register text needs
# them, XML (so xlsx) cannot hold most of them, and they hide text on a terminal.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str | None:
    """Stored text as every writer leaves it: line ends as \\n (spreadsheets and XML turn
    \\r\\n into \\n anyway, so a stored \\r could never survive an export), no surrounding
    whitespace, and an empty text is no text. Raises ValueError on control characters."""
    if CONTROL_CHARACTERS.search(text):
        raise ValueError("contains control characters")
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None
