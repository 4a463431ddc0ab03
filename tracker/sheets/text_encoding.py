"""The encoding of a CSV file that is not UTF-8: which legacy code page its author's
spreadsheet program wrote.

Why not the detector's first answer: on a register's few hundred bytes charset_normalizer
ranks code pages no spreadsheet program saves CSV in (a German 'Gültig bis' came out as
DOS cp775, 'G³ltig bis'; a Portuguese 'São' as Big5) and breaks ties between Windows pages
by chance ('España' read as Central European 'Espańa'). Excel and LibreOffice save "CSV"
in the system's ANSI code page, so the guess is made among those only, and a tie goes to
the page more registers are written in. The reader names the page it used in the import's
notes: a guess the officer can see is one they can correct by saving as CSV UTF-8.
"""

from __future__ import annotations

import re

# The ANSI code pages of Windows (Excel's "CSV" save) and the CJK pages of the same role,
# most widely used first: the order breaks a tie between pages that read the file equally
# well (Microsoft, "Code Page Identifiers"; the CJK pages are the GB 18030, Big5,
# Shift_JIS and Unified Hangul supersets Windows maps 936, 950, 932 and 949 to).
SPREADSHEET_CODE_PAGES: tuple[str, ...] = (
    "cp1252",   # Western European (Latin-1 superset), Excel's default outside Asia
    "gb18030",  # Simplified Chinese (GBK / cp936 superset)
    "cp1250",   # Central European
    "cp1251",   # Cyrillic
    "big5",     # Traditional Chinese (cp950)
    "cp932",    # Japanese (Shift_JIS)
    "cp949",    # Korean
    "cp1254",   # Turkish
    "cp1253",   # Greek
    "cp1257",   # Baltic
    "cp1255",   # Hebrew
    "cp1256",   # Arabic
    "cp1258",   # Vietnamese
    "cp874",    # Thai
)

# Human names for the notes, keyed as Python spells the codecs.
CODE_PAGE_NAMES: dict[str, str] = {
    "cp1252": "Windows-1252 (Western European)", "gb18030": "GB18030 (Simplified Chinese)",
    "cp1250": "Windows-1250 (Central European)", "cp1251": "Windows-1251 (Cyrillic)",
    "big5": "Big5 (Traditional Chinese)", "cp932": "Shift_JIS (Japanese)",
    "cp949": "Windows-949 (Korean)", "cp1254": "Windows-1254 (Turkish)",
    "cp1253": "Windows-1253 (Greek)", "cp1257": "Windows-1257 (Baltic)",
    "cp1255": "Windows-1255 (Hebrew)", "cp1256": "Windows-1256 (Arabic)",
    "cp1258": "Windows-1258 (Vietnamese)", "cp874": "Windows-874 (Thai)",
    "utf-16-le": "UTF-16", "utf-16-be": "UTF-16",
}

# The detector's names for a page whose superset is read instead (GBK files are valid
# GB18030; Shift_JIS files valid cp932, Windows' own extension of it).
SUPERSETS: dict[str, str] = {"gbk": "gb18030", "gb2312": "gb18030", "hz": "gb18030",
                             "shift_jis": "cp932", "euc_kr": "cp949", "big5hkscs": "big5"}

# Letters of one small language each (Icelandic, Faroese) and combining diacritics: a
# reading that holds them is more likely another page's letters in the wrong page.
UNLIKELY = re.compile("[þÞðÐýÝ\u0300-\u036f]")

# How close two pages' scores must be to count as a tie (charset_normalizer's chaos and
# coherence are ratios in [0, 1]; equal readings of the same letters score exactly equal).
TIE = 0.02

# What the guess reads: enough text to see the file's letters, bounded for a 100 MB file.
SAMPLE_BYTES = 4 * 1024 * 1024


def guess_code_page(raw: bytes) -> str | None:
    """The spreadsheet code page that reads ``raw`` best, None when none reads it.
    Least chaos first (undefined bytes, letters out of place), then fewest unlikely
    letters, then the most coherent language; a tie on all goes to the earlier page of
    ``SPREADSHEET_CODE_PAGES``."""
    from charset_normalizer import from_bytes

    sample = raw[:SAMPLE_BYTES]
    if len(raw) > SAMPLE_BYTES:  # whole lines: a cut inside a two-byte CJK character
        sample = sample[:sample.rfind(b"\n") + 1] or sample  # reads as no page at all
    readings = list(from_bytes(sample, cp_isolation=list(SPREADSHEET_CODE_PAGES)))
    if not readings:
        return None
    least_chaos = min(r.chaos for r in readings)
    calm = [r for r in readings if r.chaos <= least_chaos + TIE]
    # Then the readings holding fewest letters a register is unlikely to hold (Turkish ş ğ
    # read in Windows-1252 are Icelandic þ ð; in Windows-1258, combining tone marks), which
    # the detector's language scores miss on a short file.
    odd = {id(r): _unlikely(sample.decode(r.encoding, errors="replace")) for r in calm}
    fewest = min(odd.values())
    plain = [r for r in calm if odd[id(r)] == fewest]
    most_coherent = max(r.coherence for r in plain)
    best = [r for r in plain if r.coherence >= most_coherent - TIE]
    # A reading stands for every page that decodes the sample to the same text.
    pages = {SUPERSETS.get(page, page)
             for r in best for page in (r.encoding, *r.could_be_from_charset)}
    return next((page for page in SPREADSHEET_CODE_PAGES if page in pages), None)


def _unlikely(text: str) -> int:
    """How many letters of ``text`` a register is unlikely to hold: the Icelandic ones, and
    combining diacritics (Excel writes precomposed letters; Windows-1258's tone marks turn
    up when another page's letters are read in it). Counted by a regex: the sample may be
    4 MB."""
    return len(UNLIKELY.findall(text))


def describe(encoding: str) -> str:
    return CODE_PAGE_NAMES.get(encoding, encoding)
