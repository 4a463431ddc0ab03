"""Text normalization shared by search and natural keys."""

from __future__ import annotations

import unicodedata


def search_key(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed: "ＡＣＭＥ  Müller" and "acme müller" meet.

    Why NFKC: full-width Latin letters typed with a Chinese input method must match their
    ordinary forms. Why casefold: it folds ß and Turkish dotted I where lower() does not."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())
