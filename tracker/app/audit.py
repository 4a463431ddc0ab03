"""Verifying the audit trail, and the anchors it is checked against.

``verify_trail`` is the whole check behind ``tracker audit verify``: the hash chain and its
head (``tracker.store.audit``), an empty trail on a register that holds records, the replay
of every event against the records (``tracker.store.replay``), and the anchors kept
elsewhere (``tracker.store.anchors``): one given with ``--anchor FILE``, and those of this
register found in the default backups directory.

Why the backups directory is searched by default: ``tracker backup`` writes there, and
every backup made since anchors exist holds its origin's anchor (older ones are byte copies
whose own head is one), so the cut-the-newest-events attack is caught with no step a person
must remember, at the cost of opening each backup file (immutable: nothing is written beside
it) to read two rows. It is weak evidence against someone who can also rewrite that
directory (it sits beside the register); an anchor kept elsewhere (``tracker audit anchor
--out``, an export sent away) is the strong kind. Files there that are not registers, or
are another register's, are passed over: they say nothing about this one.

What a backup found there can prove, and what not: a plain file copy of a register (``cp``)
shares its identity, and once both are changed their trails go separate ways from the event
where they forked. A backup of such a sibling disagrees with this register exactly as a
backup made before the trail was cut and patched does: the same events up to some point,
then others, or fewer. Nothing in the trails tells the two apart; which file a backup was
taken of does. So an anchor found there that was taken of this very file (``Anchor.file``)
binds: a disagreement is a broken trail, or this file was replaced by another copy, both a
finding. One taken of another file, or of a file it does not name (a byte copy), is a
note, not a problem: it may be a diverged copy's. An anchor a person names with
``--anchor`` always binds: they vouch that it is this register's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from tracker.errors import TrackerError
from tracker.store.anchors import (
    Anchor,
    FileAnchors,
    anchor_mismatch,
    anchor_says,
    anchors_of_register_file,
    check_anchor,
    current_anchor,
)
from tracker.store.audit import AuditProblem, walk_chain
from tracker.store.replay import DEFAULT_LIMIT, register_holds_anything, replay_register
from tracker.store.settings import register_id

ANCHOR_FORMAT = "tracker-audit-anchor"
ANCHOR_FORMAT_VERSION = 1
EXPORT_SUFFIXES = {".xlsx", ".xlsm", ".csv"}


@dataclass(frozen=True, slots=True)
class KeptAnchor:
    """An anchor and where it was found, as a person names it. A ``binding`` anchor is
    known to be of this register's own trail (named with ``--anchor``, or a backup taken of
    this very file): a disagreement is a problem. Any other may be a diverged copy's: a
    disagreement is a note (see the module's docstring)."""

    source: str
    anchor: Anchor
    binding: bool = True
    path: Path | None = None  # the file it was found in


@dataclass
class TrailVerdict:
    events: int  # events in the chain
    records: int  # records, settings and marks compared with the trail
    anchors: list[str] = field(default_factory=list)  # the anchors checked, by source
    problems: list[AuditProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # anchors found that may be another copy's


def verify_trail(session: Session, anchors: list[KeptAnchor], *,
                 limit: int = DEFAULT_LIMIT) -> TrailVerdict:
    """Every check of the trail, in one read transaction (one consistent view)."""
    walk = walk_chain(session, positions=[kept.anchor.count for kept in anchors])
    verdict = TrailVerdict(walk.checked, 0, problems=list(walk.problems))
    held = register_holds_anything(session) if walk.checked == 0 else {}
    if held:
        listed = ", ".join(f"{count:,} {name}" for name, count in held.items())
        verdict.problems.append(AuditProblem(
            None, f"the register holds records ({listed}) but its audit trail is empty: the "
                  "trail was wiped, or the records were written without it"))
    else:
        replayed = replay_register(session, limit=limit)
        verdict.records = replayed.records
        verdict.problems += replayed.problems
    for kept in anchors:
        if kept.binding:
            verdict.anchors.append(kept.source)
            verdict.problems += check_anchor(walk, kept.anchor, kept.source)
        elif (mismatch := anchor_mismatch(walk, kept.anchor)) is None:
            verdict.anchors.append(kept.source)
        else:
            verdict.notes.append(_not_binding(kept, mismatch))
    return verdict


def _not_binding(kept: KeptAnchor, mismatch: str) -> str:
    """Why a disagreeing backup found in the backups directory is not counted as a problem,
    and how to count it when it is one."""
    anchor = kept.anchor
    if anchor.file is not None:
        whose = (f"it is a backup of {anchor.file}, another file with this register's "
                 "identity: most likely a plain copy of this register changed on its own, "
                 "whose trail went its own way (or this register was moved from there)")
    else:
        whose = (f"either the trail was cut or rewritten after {anchor.at}, or it comes from "
                 "another file with this register's identity (a plain copy changed on its "
                 "own), and it does not name the file it was taken of")
    check = str(kept.path) if kept.path is not None else "FILE"
    return (f"{kept.source} does not match this register's trail "
            f"({anchor_says(anchor, 'it')}, but {mismatch}): {whose}; not counted as a "
            f"problem. If it is a backup of this register, check against it: tracker audit "
            f"verify --anchor {check}")


# --- where anchors are kept ------------------------------------------------------------------

def anchor_json(anchor: Anchor) -> bytes:
    document = {"format": ANCHOR_FORMAT, "format_version": ANCHOR_FORMAT_VERSION,
                **anchor.as_dict()}
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_anchor_file(session: Session, target: Path, *, force: bool) -> Anchor:
    """The register's anchor as a small JSON file to keep elsewhere (atomically, 0600)."""
    from tracker.files import write_bytes

    anchor = current_anchor(session)
    write_bytes(target, anchor_json(anchor), force=force)
    return anchor


def anchors_for(register: str, path: Path) -> list[KeptAnchor]:
    """The anchors of register ``register`` that ``path`` holds: a backup or any copy of a
    register (its stored origin anchor, or its own head if it is this register), an export
    (.xlsx or a CSV directory: its manifest) or an anchor file (.json). A file that is
    not one of these, or that holds only another register's anchors, is refused."""
    if not path.exists():
        raise TrackerError(f"{path}: no such file or directory")
    if path.is_dir() or path.suffix.lower() in EXPORT_SUFFIXES:
        found = [KeptAnchor(f"the export {path.name}", _export_anchor(path), path=path)]
    elif path.suffix.lower() == ".json":
        found = [KeptAnchor(f"the anchor file {path.name}", _json_anchor(path), path=path)]
    else:  # named by the person: binding, whichever file it was taken of
        found = _register_file_anchors(anchors_of_register_file(path), path, named=True)
    mine = [kept for kept in found if kept.anchor.register_id == register]
    if not mine:
        others = ", ".join(sorted({kept.anchor.register_id for kept in found}))
        raise TrackerError(f"{path} holds no anchor of this register ({register}), only of "
                           f"register {others}")
    return mine


def _register_file_anchors(anchors: FileAnchors, path: Path, *, named: bool,
                           itself: Path | None = None) -> list[KeptAnchor]:
    """A register file's anchors: its own head, and its origin's if it is a backup. Binding
    when the person ``named`` the file, else only when taken of the register file
    ``itself`` (a byte copy's own head names no file)."""
    def binds(anchor: Anchor) -> bool:
        return named or (itself is not None and anchor.taken_of(itself))

    found = [KeptAnchor(f"the register file {path.name}", anchors.head,
                        binding=binds(anchors.head), path=path)]
    if anchors.copied_from is not None:
        found.append(KeptAnchor(f"the backup {path.name}", anchors.copied_from,
                                binding=binds(anchors.copied_from), path=path))
    return found


def _export_anchor(path: Path) -> Anchor:
    from tracker.sheets.guard import FileRefused
    from tracker.sheets.layout import MANIFEST_SHEET
    from tracker.sheets.native import manifest_of
    from tracker.sheets.readers import open_source

    try:
        with open_source(path) as source:
            manifest = manifest_of(source.sheet(MANIFEST_SHEET))
    except FileRefused as err:
        raise TrackerError(str(err)) from None
    if manifest is None:
        raise TrackerError(f"{path} is not an export of the tracker (it has no "
                           f"{MANIFEST_SHEET} sheet)")
    if not manifest.get("audit_head_hash"):
        raise TrackerError(f"{path} was exported by a tracker that wrote no audit anchor")
    exported = manifest.get("exported_at") or ""
    return Anchor.from_values({"register_id": manifest.get("register_id"),
                               "count": manifest.get("audit_event_count"),
                               "hash": manifest.get("audit_head_hash"),
                               "at": f"{exported} UTC" if exported else None}, str(path))


def _json_anchor(path: Path) -> Anchor:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise TrackerError(f"{path} cannot be read as an anchor file ({err})") from None
    if not isinstance(document, dict) or document.get("format") != ANCHOR_FORMAT:
        raise TrackerError(f"{path} is not an anchor file (`tracker audit anchor --out` "
                           "writes one)")
    return Anchor.from_values(document, str(path))


def backup_anchors(register: str, directory: Path, *,
                   itself: Path | None = None) -> list[KeptAnchor]:
    """This register's anchors in the backups ``directory``, binding only those taken of
    the register file ``itself``; anything else there (another register's backups, a file
    that is not a register, one being written, the register ``itself`` when it is opened
    from there) is passed over."""
    if not register or not directory.is_dir():
        return []
    kept: list[KeptAnchor] = []
    for path in sorted(directory.glob("*.sqlite")):
        if path.name.startswith(".") or not path.is_file():
            continue  # a backup still being written (tracker/files.py temporaries)
        if itself is not None and itself.exists() and path.samefile(itself):
            continue
        try:
            found = anchors_of_register_file(path)
        except TrackerError:
            continue
        kept += [k for k in _register_file_anchors(found, path, named=False, itself=itself)
                 if k.anchor.register_id == register]
    return kept


def this_register(session: Session) -> str:
    return register_id(session)
