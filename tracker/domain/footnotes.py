"""Footnotes of the reports, kept as data and keyed by topic: where a statement in a document
rests on a secondary source (DOMAIN.md marks it "[check]"), the document says so in a
footnote instead of printing a working mark. Each footnote names the source it rests on and
what remains to be checked against the official text.

``topic_of`` finds a topic from the citation a "[check]" follows (an enum's article, a gap
rule's source), so a rule added elsewhere with a mark still gets a footnote, never the mark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CHECK_MARK = "[check]"


@dataclass(frozen=True, slots=True)
class Footnote:
    topic: str
    text: str
    source: str  # what it was read in


FOOTNOTES: dict[str, Footnote] = {note.topic: note for note in (
    Footnote("tc260",
             "TC260-003-2024, now the recommended national standard GB/T 45654-2025 (in force "
             "2025-11-01): its requirements on sources (no source with more than 5% illegal or "
             "harmful content, collection records, robots.txt) and its sampling figures were "
             "read in secondary summaries; the figures used are settings of the register.",
             "Secondary summaries of TC260-003-2024 / GB/T 45654-2025"),
    Footnote("interim_art8_19",
             "Interim Measures for Generative AI Services (CAC Order 15), Art 8 (labelling "
             "rules, sampling, annotator training) and Art 19 (explaining the source, scale and "
             "type of training data on inspection): wording taken from secondary summaries.",
             "Secondary summaries of CAC Order 15"),
    Footnote("ai_act_large_dataset",
             "The Commission's template (2025-07-24) asks for the large public data sets to be "
             "named; the share that makes a data set 'large' (3% of that modality's public "
             "data) and the share of top domains to list for scraped data (10%; 5% or 1,000 "
             "domains for SMEs) come from secondary copies of the explanatory notice. This "
             "summary names every public data set and every top domain recorded.",
             "Secondary copies of the Commission's explanatory notice"),
    Footnote("pipl_41",
             "PIPL Art 41 (no personal information stored in China to foreign judicial or "
             "law-enforcement bodies without approval) as cited in the checklist source.",
             "PIPL (read in the text, 2026-12)"),
    Footnote("cac_certification",
             "Measures for the Certification of Personal Information Outbound Transfer (CAC/"
             "SAMR Order 20, in force 2026-01-01): scope and the 3-year certificate were read in "
             "secondary summaries.", "Secondary summaries of CAC/SAMR Order 20"),
    Footnote("ccpa",
             "CCPA/CPRA thresholds and the 2026 regulations on risk assessments: read in "
             "secondary summaries; the register approximates applicability by establishment.",
             "Secondary summaries of the CCPA regulations"),
    Footnote("secondary",
             "This statement rests on a secondary summary of the law, not on the official "
             "text; it is to be verified against the official text before it is relied on.",
             "Secondary summary"),
)}

# Which topic a citation belongs to: the first pattern found in the text before the mark.
_TOPIC_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"TC260|45654", re.I), "tc260"),
    (re.compile(r"Interim Measures?\s*(Art\s*)?(8|19)|Interim\s+(8|19)", re.I),
     "interim_art8_19"),
    (re.compile(r"PIPL\s*(Art\s*)?41", re.I), "pipl_41"),
    (re.compile(r"certification", re.I), "cac_certification"),
    (re.compile(r"CCPA|Cal\. Civ\.", re.I), "ccpa"),
    (re.compile(r"53\(1\)\(d\)|large data set|top domains", re.I), "ai_act_large_dataset"),
)


def topic_of(citation: str) -> str:
    """The footnote topic of a citation marked as resting on a secondary source."""
    for pattern, topic in _TOPIC_PATTERNS:
        if pattern.search(citation):
            return topic
    return "secondary"


_MARKED = re.compile(r"\s*\[check(?::[^\]]*)?\]")


def marked_citations(text: str) -> list[tuple[int, int, str]]:
    """(start, end, topic) of each "[check]" mark (also "[check: ...]") in ``text``; the
    topic is read from the text before the mark, back to the previous mark or separator."""
    found = []
    previous = 0
    for match in _MARKED.finditer(text):
        before = text[previous:match.start()]
        clause = re.split(r"[;(]\s*", before)[-1] or before
        found.append((match.start(), match.end(), topic_of(clause + match.group())))
        previous = match.end()
    return found
