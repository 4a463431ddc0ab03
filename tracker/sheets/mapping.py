"""Which column means which field: header synonyms (data in imports/synonyms.json), the
tracker's own field names and descriptions, header-row detection in messy sheets, and named
mapping profiles so next month's import of the same sheet is one command."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from tracker.domain.registry import ENTITIES, IMPORTED, REFERENCES
from tracker.resources import imports_dir, profiles_dir, synonyms_file
from tracker.sheets.values import SCALES, normalize
from tracker.store.models import BASE_MODELS

# Shipped in the package (tracker.imports), found through importlib.resources.
IMPORTS_DIR = imports_dir()
SYNONYMS_FILE = synonyms_file()
PROFILES_DIR = profiles_dir()
HEADER_SEARCH_ROWS = 30
# The entities an import fills, and which sheet names mean each (the export's names too).
IMPORT_ENTITIES = IMPORTED
SHEET_NAMES: dict[str, tuple[str, ...]] = {name: ENTITIES[name].sheet_names
                                           for name in IMPORT_ENTITIES}
# Fields the import never takes from a file: links are made from the natural keys, and
# the day evidence was hashed is set only by the use case that hashed the file
# (tracker.app.pipeline.typed_evidence drops it from every other door): a column offered
# for it would be a column silently thrown away.
NOT_IMPORTED = frozenset(REFERENCES) | {"hashed_on"}


def header_key(text: Any) -> str:
    """A header as matching sees it: NFKC, case-folded, bracketed notes and punctuation gone."""
    if text is None:
        return ""
    cleaned = BRACKETED.sub(" ", str(text))
    cleaned = re.sub(r"[\*:：?？#/\\_.,，;；\-–—'’\"“”!！|]+", " ", cleaned)
    return normalize(cleaned)


BRACKETED = re.compile(r"[\(\[（【〔{<《]([^\)\]）】〕}>》]*)[\)\]）】〕}>》]")
# Where one header holds several names of one column: "Supplier / 供应商名称", "Land | Country".
PART_BREAK = re.compile(r"\s*(?:/|\||\\|\n|;|；|、|／)\s*")
# Han, kana and hangul runs: "Country 国家" is two parts, one per script.
CJK_RUN = re.compile(r"[\u2e80-\u2fff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                     r"\uac00-\ud7af\U00020000-\U0002fa1f]+")



def header_parts(text: Any) -> tuple[list[str], list[str]]:
    """A header's parts as matching sees them, and the notes in its brackets: "Supplier /
    供应商名称" -> (["supplier", "供应商名称"], []); "涉及人数（万人）" -> (["涉及人数"],
    ["万人"]); "Country 国家" -> (["country", "国家"], [])."""
    if text is None:
        return [], []
    raw = unicodedata.normalize("NFKC", str(text))
    notes = [normalize(n) for n in BRACKETED.findall(raw) if n.strip()]
    parts: list[str] = []
    for chunk in PART_BREAK.split(BRACKETED.sub(" ", raw)):
        pieces = CJK_RUN.findall(chunk)
        latin = CJK_RUN.sub(" ", chunk)
        for piece in [latin, *pieces] if pieces else [chunk]:
            key = fold_words(header_key(piece))
            if key and key not in parts:
                parts.append(key)
    return parts, notes


@lru_cache(maxsize=1)
def _abbreviations() -> dict[str, str]:
    raw = json.loads(SYNONYMS_FILE.read_text(encoding="utf-8")).get("_abbreviations", {})
    return {normalize(k): normalize(v) for k, v in raw.items() if not k.startswith("_")}


def _singular(word: str) -> str:
    if not word.isascii() or len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


@lru_cache(maxsize=65536)
def fold_words(key: str) -> str:
    """Each word's usual abbreviation spelled out and its plural folded ("Contract exp dt"
    -> "contract expiry date", "Suppliers" -> "supplier", "licences" -> "license")."""
    abbreviations = _abbreviations()
    words: list[str] = []
    for word in key.split():
        word = abbreviations.get(word, word)
        word = abbreviations.get(_singular(word), _singular(word)) if " " not in word else word
        words.extend(word.split())
    return " ".join(words)


@lru_cache(maxsize=1)
def _row_labels() -> dict[str, frozenset[str]]:
    raw = json.loads(SYNONYMS_FILE.read_text(encoding="utf-8")).get("_row_labels", {})
    return {kind: frozenset(normalize(w) for w in words)
            for kind, words in raw.items() if not kind.startswith("_")}


def row_label(text: Any) -> str | None:
    """What a provider-name cell says of its row when it is no provider's name: "totals"
    (``Total``, ``合计:``) or "notes" (``Notes: figures as of ...``, ``Source: ...``, a
    footnote ``* required``), from ``_row_labels`` in the synonyms file; None for a name."""
    if not isinstance(text, str):
        return None
    key = normalize(text)
    if key[:1] in {"*", "※", "†"}:
        return "notes"
    head, colon, _ = key.partition(":")
    head = head.strip()
    labels = _row_labels()
    if head in labels.get("totals", ()) and (colon or head == key):
        return "totals"
    if colon and head in labels.get("notes", ()):
        return "notes"
    return None


@lru_cache(maxsize=1)
def synonyms() -> dict[str, str]:
    """Folded header -> target, from the data file."""
    table: dict[str, str] = {}
    raw = json.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))
    for target, headers in raw.items():
        if target.startswith("_"):
            continue
        for header in headers:
            table[header_key(header)] = target
            table.setdefault(fold_words(header_key(header)), target)
    return table


@cache
def entity_fields(entity: str) -> dict[str, str]:
    """Field name and description -> target, for a sheet known to hold ``entity``."""
    found: dict[str, str] = {}
    for name, info in BASE_MODELS[entity].model_fields.items():
        if name in NOT_IMPORTED:
            continue
        for text in (name, info.description or ""):
            key = header_key(text)
            if key:
                found.setdefault(key, f"{entity}.{name}")
                found.setdefault(fold_words(key), f"{entity}.{name}")
    return found


@lru_cache(maxsize=1)
def field_labels() -> dict[str, str]:
    """Every imported field's name and label -> target, across entities; a label two
    entities share ("Kind", "Notes") is left out: it names no one field on its own."""
    table: dict[str, str] = {}
    shared: set[str] = set()
    for entity in IMPORT_ENTITIES:
        for key, target in entity_fields(entity).items():
            if " " not in key:
                # one word ("Location", "Title", "Volume") says too little outside its own
                # entity's sheet: a register's "Location" is a city, not evidence's path.
                # The single words that do mean a field are listed in the synonyms.
                continue
            if table.setdefault(key, target) != target:
                shared.add(key)
            entity_name = f"{entity.replace('_', ' ')} {key}"
            table.setdefault(entity_name, target)
    for key in shared:
        table.pop(key, None)
    return table


def all_targets() -> list[str]:
    return [f"{entity}.{name}" for entity in IMPORT_ENTITIES
            for name in BASE_MODELS[entity].model_fields if name not in NOT_IMPORTED]


def target_label(target: str) -> str:
    """A target as a person reads it: "agreement: Expires on"."""
    entity, name = target.split(".")
    info = BASE_MODELS[entity].model_fields[name]
    return f"{entity.replace('_', ' ')}: {info.description or name.replace('_', ' ')}"


def sheet_entity(sheet_name: str) -> str | None:
    key = header_key(sheet_name)
    for entity, names in SHEET_NAMES.items():
        if key in {header_key(n) for n in names}:
            return entity
    return None


def _lookup(key: str, entity: str | None) -> str | None:
    if not key:
        return None
    if entity is not None:
        own = entity_fields(entity).get(key)
        if own:
            return own
        if key in {"provider", "provider name", "provider legal name", "supplier"}:
            return "provider.legal_name"
        if key in {"provider country"}:
            return "provider.country"
        # On the entity's own sheet a header need not say whose field it is: "Type" on
        # an Agreements sheet is the agreement type, "目的地" on 跨境传输 the 出境目的地.
        for word, whose in ENTITY_WORDS.items():
            if whose != entity:
                continue
            joined = f"{word}{key}" if not word.isascii() else f"{word} {key}"
            own = synonyms().get(joined) or field_labels().get(joined)
            if own and own.startswith(f"{entity}."):
                return own
    found = synonyms().get(key) or field_labels().get(key)
    if found is None and " " in key:
        # "Contract expiry date", "Supplier country": the entity's word before a field's
        # header says which record the column belongs to; the rest says which field.
        first, rest = key.split(" ", 1)
        entity_word = ENTITY_WORDS.get(first)
        if entity_word is not None:
            found = _lookup(rest, entity_word)
    return found


# Provider-level answers that mean the data set's own when the sheet names data sets.
PER_SUPPLY = {"provider.holds_personal_info": "supply.contains_pi"}
# Words that open a header to say whose field it is ("Contract end", "Vendor country").
ENTITY_WORDS = {"contract": "agreement", "agreement": "agreement", "vertrag": "agreement",
                "contrat": "agreement", "合同": "agreement", "supplier": "provider",
                "provider": "provider", "company": "provider", "lieferant": "provider",
                "fournisseur": "provider", "review": "assessment", "audit": "assessment",
                "dataset": "supply", "data": "supply", "transfer": "transfer",
                "供应商": "provider", "审查": "assessment", "数据": "supply",
                "出境": "transfer"}


@dataclass(frozen=True)
class HeaderMatch:
    """What a header matched: its target, or why not (its parts disagree), and the closest
    field to suggest when nothing matched."""

    target: str | None
    disagree: tuple[str, ...] = ()
    suggestion: str | None = None
    scale: int | None = None


def match_header(header: str, entity: str | None, *, suggest: bool = True) -> HeaderMatch:
    """A header read as a person would: the whole text first, then each of its parts
    (split at "/", brackets, scripts); the parts that match must agree on one field. The
    bracketed notes are tried only when the main parts match nothing (a unit such as
    "(days)" matches no field; "Supplier (供应商)" does)."""
    parts, notes = header_parts(header)
    scale = next((SCALES[n] for n in notes if n in SCALES), None)
    whole = header_key(header)
    found = _lookup(whole, entity) or _lookup(fold_words(whole), entity)
    if found:
        return HeaderMatch(found, scale=scale)
    for group in (parts, notes):
        targets = [t for t in (_lookup(p, entity) for p in group) if t]
        distinct = tuple(dict.fromkeys(targets))
        if len(distinct) == 1:
            return HeaderMatch(distinct[0], scale=scale)
        if len(distinct) > 1:
            return HeaderMatch(None, disagree=distinct, scale=scale)
    return HeaderMatch(None, suggestion=closest_field(tuple(parts), entity) if suggest
                       else None, scale=scale)


def target_for(header: str, entity: str | None) -> str | None:
    return match_header(header, entity).target


@lru_cache(maxsize=4096)
def closest_field(parts: tuple[str, ...], entity: str | None) -> str | None:
    """The field a header that matches nothing most likely means (suggested, never applied):
    the closest known header or label to any of its parts, or to a word of one."""
    import difflib

    table = {**synonyms(), **field_labels(), **(entity_fields(entity) if entity else {})}
    keys = list(table)
    best: tuple[float, str] | None = None
    for part in parts:
        candidates = [part, *part.split()] if " " in part else [part]
        for candidate in candidates:
            if len(candidate) < 2:
                continue
            for close in difflib.get_close_matches(candidate, keys, n=3, cutoff=0.6):
                ratio = difflib.SequenceMatcher(None, candidate, close).ratio()
                if candidate != part:
                    ratio -= 0.1  # a word of the header says less than the whole part
                if best is None or ratio > best[0]:
                    best = (ratio, table[close])
    return best[1] if best else None


@dataclass
class ColumnMapping:
    index: int
    letter: str
    header: str
    target: str | None
    suggestion: str | None = None  # the closest field, for a header that matched none
    disagree: tuple[str, ...] = ()  # the fields its parts named, when they differ
    scale: int | None = None  # a unit in its brackets multiplies its numbers (万 = 10,000)
    chosen: bool = False  # set by a profile or the person, not matched
    samples: tuple[str, ...] = ()  # a few of its values, to show beside the choice
    reason: str | None = None  # why the target is not the header's (its values said so)


@dataclass
class SheetMapping:
    sheet: str
    header_row: int  # 1-based, as Excel shows it
    columns: list[ColumnMapping]
    ambiguous: dict[str, list[ColumnMapping]] = field(default_factory=dict)

    @property
    def mapped(self) -> list[ColumnMapping]:
        return [c for c in self.columns if c.target and c.target not in self.ambiguous]

    @property
    def unmapped(self) -> list[ColumnMapping]:
        return [c for c in self.columns if c.header and not c.target]

    def has(self, target: str) -> bool:
        return any(c.target == target for c in self.mapped)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _headers(rows: Sequence[Sequence[Any]], row_index: int,
             merged: Sequence[tuple[tuple[int, int], tuple[int, int]]]) -> list[str]:
    """Header texts of one row; a cell covered by a merged range takes the range's text, and
    a group label merged across the row above is tried as a prefix."""
    row = rows[row_index]
    texts = ["" if v is None else str(v).strip() for v in row]
    for (top, left), (bottom, right) in merged:
        if top <= row_index <= bottom and 0 <= left < len(texts):
            label = "" if rows[top][left] is None else str(rows[top][left]).strip()
            for column in range(left, min(right + 1, len(texts))):
                if not texts[column]:
                    texts[column] = label
    return texts


def detect_mapping(sheet: str, rows: Sequence[Sequence[Any]],
                   merged: Sequence[tuple[tuple[int, int], tuple[int, int]]] = (),
                   overrides: dict[str, str | None] | None = None,
                   header_row: int | None = None,
                   require_name: bool = True) -> SheetMapping | None:
    """The header row (the one among the first rows whose cells map to most fields, with a
    provider name among them) and each column's target. ``overrides`` (a profile) maps
    header text to a target, or to None to leave a column out."""
    entity = sheet_entity(sheet)
    overrides = {header_key(k): v for k, v in (overrides or {}).items()}
    best: tuple[int, int, list[HeaderMatch], list[str]] | None = None
    candidates = [header_row - 1] if header_row else range(min(HEADER_SEARCH_ROWS, len(rows)))
    for index in candidates:
        if index >= len(rows):
            continue
        texts = _headers(rows, index, merged)
        above = _headers(rows, index - 1, merged) if index > 0 else [""] * len(texts)
        matches: list[HeaderMatch] = []
        for column, text in enumerate(texts):
            key = header_key(text)
            if key in overrides:
                matches.append(HeaderMatch(overrides[key], scale=match_header(
                    text, entity).scale))
                continue
            combined = f"{above[column]} {text}" if column < len(above) and above[column] \
                and text else ""
            # suggestions (slow: difflib over every known header) only for the candidate
            # shown when no row has a name column, and for the chosen row's columns below
            found = match_header(combined, entity, suggest=False) if combined else None
            if found is not None and not found.target:
                # the group label read after the column's: "Review" over "Last" is the
                # last review
                found = match_header(f"{text} {above[column]}", entity, suggest=False)
            matches.append(found if found is not None and found.target
                           else match_header(text, entity, suggest=not require_name)
                           if text else HeaderMatch(None))
        # distinct fields: a group row ("Provider" merged over three columns) repeats its
        # one field in every column it spans, and is not the header below it
        score = len({m.target for m in matches if m.target})
        if not require_name:  # a candidate to show: a name-like header counts too
            score += sum(2 for m in matches if m.suggestion == "provider.legal_name")
        named = any(m.target == "provider.legal_name" for m in matches)
        if (named or (not require_name and score)) and (best is None or score > best[0]):
            best = (score, index, matches, texts)
    if best is None:
        return None
    _, index, matches, texts = best
    matches = [match_header(texts[i], entity) if not m.target and texts[i]
               and header_key(texts[i]) not in overrides else m
               for i, m in enumerate(matches)]
    chosen = {i for i, t in enumerate(texts) if header_key(t) in overrides}
    columns = [ColumnMapping(i, column_letter(i), texts[i], matches[i].target,
                             suggestion=matches[i].suggestion, disagree=matches[i].disagree,
                             scale=matches[i].scale, chosen=i in chosen)
               for i in range(len(texts)) if texts[i] or matches[i].target]
    for each in columns:
        each.samples = _samples(rows, index + 1, each.index)
    if any(c.target == "supply.name" for c in columns):
        # Beside a data set's name, "Personal information?" is about that data set (as a
        # person reads the row), not the provider as a whole.
        for each in columns:
            if each.target in PER_SUPPLY and not each.chosen:
                each.target = PER_SUPPLY[each.target]
    _let_values_name_the_field(columns, rows, index + 1)
    by_target: dict[str, list[ColumnMapping]] = {}
    for mapped in columns:
        if mapped.target:
            by_target.setdefault(mapped.target, []).append(mapped)
    ambiguous = {t: cs for t, cs in by_target.items() if len(cs) > 1}
    return SheetMapping(sheet=sheet, header_row=index + 1, columns=columns, ambiguous=ambiguous)


def first_row_mapping(sheet: str, rows: Sequence[Sequence[Any]]) -> SheetMapping | None:
    """The sheet's first non-blank row as its header, no column mapped: what the import
    screen shows for a file whose headers match nothing, so the person can map them (the
    alternative was advice to write a JSON profile)."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        texts = ["" if v is None else str(v).strip() for v in row]
        if any(texts):
            columns = [ColumnMapping(i, column_letter(i), text, None,
                                     samples=_samples(rows, index + 1, i))
                       for i, text in enumerate(texts) if text]
            return SheetMapping(sheet=sheet, header_row=index + 1, columns=columns)
    return None


def _samples(rows: Sequence[Sequence[Any]], start: int, index: int) -> tuple[str, ...]:
    """Up to three different values of a column under its header (from its first rows)."""
    found: list[str] = []
    for row in rows[start:start + SAMPLE_ROWS]:
        value = row[index] if index < len(row) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = value.isoformat() if hasattr(value, "isoformat") else str(value).strip()
        text = " ".join(text.split())[:24]
        if text not in found:
            found.append(text)
            if len(found) == 3:
                break
    return tuple(found)


SAMPLE_ROWS = 50

# A header that names one field while every value it holds is plainly another's: "Contact"
# over e-mail addresses is the contact's e-mail, as a person reading the column sees.
# header's field -> (the values' field, what the values look like, the test of one value)
EMAIL_VALUE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
VALUES_NAME_THE_FIELD: dict[str, tuple[str, str, re.Pattern[str]]] = {
    "provider.contact_name": ("provider.contact_email", "e-mail addresses", EMAIL_VALUE),
}


def _let_values_name_the_field(columns: list[ColumnMapping], rows: Sequence[Sequence[Any]],
                               start: int) -> None:
    """Move a matched (not chosen) column to the field its values are, when every value
    among its first rows is one and no other column holds that field; say why."""
    held = {c.target for c in columns if c.target}
    for column in columns:
        moved = VALUES_NAME_THE_FIELD.get(column.target or "")
        if moved is None or column.chosen or moved[0] in held:
            continue
        target, looks, pattern = moved
        values = [str(row[column.index]).strip() for row in rows[start:start + SAMPLE_ROWS]
                  if column.index < len(row) and row[column.index] is not None
                  and str(row[column.index]).strip()]
        if values and all(pattern.fullmatch(v) for v in values):
            column.reason = f"its values are {looks}, not what the header names"
            column.target = target
            held.add(target)


# --- profiles ----------------------------------------------------------------------------

@dataclass
class Profile:
    name: str
    columns: dict[str, str | None]
    sheet: str | None = None
    header_row: int | None = None
    day_first: bool | None = None

    def to_json(self) -> str:
        data: dict[str, Any] = {"name": self.name, "columns": self.columns}
        for key in ("sheet", "header_row", "day_first"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def user_profiles_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path("tracker", appauthor=False) / "profiles"


def load_profile(name: str) -> Profile:
    from tracker.errors import TrackerError

    candidates = [Path(name)] if name.endswith(".json") else []
    candidates += [user_profiles_dir() / f"{name}.json", PROFILES_DIR / f"{name}.json"]
    for path in candidates:
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                columns = data["columns"]
                if not isinstance(columns, dict):
                    raise TypeError("columns must map header text to a field")
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise TrackerError(f"profile {path} is not valid: {err}") from None
            known = set(all_targets())
            unknown = sorted(str(t) for t in columns.values() if t is not None and t not in known)
            if unknown:
                raise TrackerError(f"profile {path} maps to unknown fields: "
                                   f"{', '.join(unknown)}")
            return Profile(name=str(data.get("name", name)), columns=columns,
                           sheet=data.get("sheet"), header_row=data.get("header_row"),
                           day_first=data.get("day_first"))
    raise TrackerError(f"no mapping profile {name!r} (looked in {user_profiles_dir()} and "
                       f"{PROFILES_DIR})")


def check_profile_name(name: str) -> None:
    """The name is a file name, never a path: `--save-profile ../../x` must not write
    outside the profiles folder."""
    from tracker.domain.text import CONTROL_CHARACTERS
    from tracker.errors import TrackerError

    if (not name.strip() or name.startswith(".") or "/" in name or "\\" in name
            or CONTROL_CHARACTERS.search(name)):
        raise TrackerError(f"{name!r} cannot name a profile: use letters, digits, - or _ "
                           "(no folders, no leading dot)")


def refuse_to_replace(name: str, started_from: str | None) -> None:
    """An existing profile is replaced only by a mapping that started from it (next month's
    file, a column changed): saving another file's mapping under its name would silently
    turn every later import that uses it into another mapping. Checked before the import
    reads the file, so a refusal writes nothing."""
    from tracker.errors import TrackerError

    check_profile_name(name)
    path = user_profiles_dir() / f"{name}.json"
    if path.is_file() and started_from not in {name, str(path)}:
        raise TrackerError(
            f"a mapping profile named {name!r} exists ({path}): to change it, start from it "
            f"(--profile {name}, or the import screen's profile field) and save again; or "
            "choose another name")


def save_profile(profile: Profile) -> Path:
    """Keep a mapping as NAME.json among the user's profiles, replacing one of that name
    (``refuse_to_replace`` has said the import started from it)."""
    from tracker import files

    name = profile.name
    check_profile_name(name)
    directory = user_profiles_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    files.write_bytes(path, profile.to_json().encode("utf-8"), force=True)
    return path
