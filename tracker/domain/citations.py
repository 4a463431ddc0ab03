"""A citation as the rules and reports carry it: the article, and whether it was read in a
secondary summary rather than the official text (DOMAIN.md's "[check]"), so a report can
footnote it instead of printing a marker."""

from __future__ import annotations

from dataclasses import dataclass

SECONDARY_MARK = "[check]"


@dataclass(frozen=True, slots=True)
class Citation:
    article: str
    secondary: bool = False

    @classmethod
    def of(cls, text: str, secondary: bool = False) -> Citation:
        """From an article text that may still carry the "[check]" mark."""
        if SECONDARY_MARK in text:
            text = " ".join(text.replace(SECONDARY_MARK, " ").split()).replace(" ;", ";")
            secondary = True
        return cls(text.strip(), secondary)

    def __str__(self) -> str:
        return self.article
