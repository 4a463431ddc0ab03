"""Which column means which field: header synonyms (data in imports/synonyms.json), the
tracker's own field names and descriptions, header-row detection in messy sheets, and named
mapping profiles so next month's import of the same sheet is one command."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from tracker.domain.registry import ENTITIES, IMPORTED, REFERENCES
from tracker.resources import imports_dir, profiles_dir, synonyms_file
from tracker.sheets.values import normalize
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
# Fields the import never takes from a file: links are made from the natural keys.
NOT_IMPORTED = frozenset(REFERENCES)


def header_key(text: Any) -> str:
    """A header as matching sees it: NFKC, case-folded, bracketed notes and punctuation gone."""
    if text is None:
        return ""
    cleaned = re.sub(r"[\(\[（【][^\)\]）】]*[\)\]）】]", " ", str(text))
    cleaned = re.sub(r"[\*:：?？#/\\_.,，;；\-–—]+", " ", cleaned)
    return normalize(cleaned)


@lru_cache(maxsize=1)
def synonyms() -> dict[str, str]:
    """Normalized header -> target, from the data file plus every field's name and label."""
    table: dict[str, str] = {}
    raw = json.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))
    for target, headers in raw.items():
        if target.startswith("_"):
            continue
        for header in headers:
            table[header_key(header)] = target
    return table


def entity_fields(entity: str) -> dict[str, str]:
    """Field name and description -> target, for a sheet known to hold ``entity``."""
    found: dict[str, str] = {}
    for name, info in BASE_MODELS[entity].model_fields.items():
        if name in NOT_IMPORTED:
            continue
        found[header_key(name)] = f"{entity}.{name}"
        if info.description:
            found[header_key(info.description)] = f"{entity}.{name}"
    return found


def all_targets() -> list[str]:
    return [f"{entity}.{name}" for entity in IMPORT_ENTITIES
            for name in BASE_MODELS[entity].model_fields if name not in NOT_IMPORTED]


def sheet_entity(sheet_name: str) -> str | None:
    key = header_key(sheet_name)
    for entity, names in SHEET_NAMES.items():
        if key in {header_key(n) for n in names}:
            return entity
    return None


def target_for(header: str, entity: str | None) -> str | None:
    key = header_key(header)
    if not key:
        return None
    if entity is not None:
        own = entity_fields(entity).get(key)
        if own:
            return own
        if key in {"provider", "provider name", "provider legal name"}:
            return "provider.legal_name"
        if key in {"provider country"}:
            return "provider.country"
    return synonyms().get(key)


@dataclass
class ColumnMapping:
    index: int
    letter: str
    header: str
    target: str | None


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
                   header_row: int | None = None) -> SheetMapping | None:
    """The header row (the one among the first rows whose cells map to most fields, with a
    provider name among them) and each column's target. ``overrides`` (a profile) maps
    header text to a target, or to None to leave a column out."""
    entity = sheet_entity(sheet)
    overrides = {header_key(k): v for k, v in (overrides or {}).items()}
    best: tuple[int, int, list[str | None], list[str]] | None = None
    candidates = [header_row - 1] if header_row else range(min(HEADER_SEARCH_ROWS, len(rows)))
    for index in candidates:
        if index >= len(rows):
            continue
        texts = _headers(rows, index, merged)
        above = _headers(rows, index - 1, merged) if index > 0 else [""] * len(texts)
        targets: list[str | None] = []
        for column, text in enumerate(texts):
            key = header_key(text)
            if key in overrides:
                targets.append(overrides[key])
                continue
            combined = f"{above[column]} {text}" if column < len(above) and above[column] \
                else ""
            targets.append((target_for(combined, entity) if combined else None)
                           or target_for(text, entity))
        score = sum(1 for t in targets if t)
        if "provider.legal_name" in targets and (best is None or score > best[0]):
            best = (score, index, targets, texts)
    if best is None:
        return None
    _, index, targets, texts = best
    columns = [ColumnMapping(i, column_letter(i), texts[i], targets[i])
               for i in range(len(texts)) if texts[i] or targets[i]]
    by_target: dict[str, list[ColumnMapping]] = {}
    for mapped in columns:
        if mapped.target:
            by_target.setdefault(mapped.target, []).append(mapped)
    ambiguous = {t: cs for t, cs in by_target.items() if len(cs) > 1}
    return SheetMapping(sheet=sheet, header_row=index + 1, columns=columns, ambiguous=ambiguous)


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


def save_profile(profile: Profile) -> Path:
    """Keep a mapping as NAME.json among the user's profiles, replacing one of that name.
    The name is a file name, never a path: `--save-profile ../../x` must not write
    outside the profiles folder."""
    from tracker import files
    from tracker.domain.text import CONTROL_CHARACTERS
    from tracker.errors import TrackerError

    name = profile.name
    if (not name.strip() or name.startswith(".") or "/" in name or "\\" in name
            or CONTROL_CHARACTERS.search(name)):
        raise TrackerError(f"{name!r} cannot name a profile: use letters, digits, - or _ "
                           "(no folders, no leading dot)")
    directory = user_profiles_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    files.write_bytes(path, profile.to_json().encode("utf-8"), force=True)
    return path
