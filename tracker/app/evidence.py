"""Evidence integrity: the program hashes each file itself (SHA-256 and size, streamed) when
it is recorded, and recomputes them to compare with the register. A hash typed by hand (a
form of old, an import, ``tracker add``) is kept but never counts as verified: only
``hashed_on``, set here, says the program computed it (issue 14)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from tracker.app import pipeline
from tracker.errors import TrackerError
from tracker.store.models import Evidence, Provider, utcnow

CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class EvidenceCheck:
    evidence_id: int
    provider: str
    location: str
    status: str  # ok | typed | missing | changed | no-hash | not-local
    detail: str
    provenance: str = ""  # "hashed by the program on DATE" or "typed, unverified"

    @property
    def failed(self) -> bool:
        return self.status in {"missing", "changed"}


def file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def resolve_location(location: str, base: Path | None) -> Path | None:
    """A local path, relative to the register's folder unless absolute; None for URIs."""
    if "://" in location and not location.startswith("file://"):
        return None
    path = Path(location.removeprefix("file://")).expanduser()
    return path if path.is_absolute() or base is None else base / path


def verify_evidence(session: Session, base: Path | None) -> list[EvidenceCheck]:
    rows = session.exec(select(Evidence, Provider.legal_name)
                        .join(Provider, col(Provider.id) == col(Evidence.provider_id))
                        .where(col(Evidence.archived_at).is_(None))
                        .order_by(col(Evidence.id))).all()
    checks = []
    for evidence, provider in rows:
        assert evidence.id is not None
        path = resolve_location(evidence.location, base)
        origin = provenance(evidence.sha256, evidence.hashed_on)
        if path is None:
            checks.append(EvidenceCheck(evidence.id, provider, evidence.location, "not-local",
                                        "a URI: check it where it is kept", origin))
        elif not path.is_file():
            checks.append(EvidenceCheck(evidence.id, provider, evidence.location, "missing",
                                        f"no file at {path}", origin))
        elif not evidence.sha256:
            checks.append(EvidenceCheck(evidence.id, provider, evidence.location, "no-hash",
                                        "no SHA-256 recorded to compare with: record it with "
                                        "tracker evidence add", origin))
        else:
            digest, size = file_digest(path)
            if digest != evidence.sha256:
                checks.append(EvidenceCheck(
                    evidence.id, provider, evidence.location, "changed",
                    f"SHA-256 is now {digest[:16]}…, recorded {evidence.sha256[:16]}…"
                    f" ({size:,} bytes now)", origin))
            elif evidence.hashed_on is None:
                checks.append(EvidenceCheck(
                    evidence.id, provider, evidence.location, "typed",
                    f"{size:,} bytes, matches a SHA-256 typed by hand (unverified when "
                    "recorded): tracker evidence add records it as hashed by the program",
                    origin))
            else:
                checks.append(EvidenceCheck(evidence.id, provider, evidence.location, "ok",
                                            f"{size:,} bytes, SHA-256 matches", origin))
    return checks


def provenance(sha256: str | None, hashed_on: date | None) -> str:
    """Where a recorded hash came from, as every list and report says it."""
    if not sha256:
        return "no hash recorded"
    if hashed_on is None:
        return "typed, unverified"
    return f"verified by the program on {hashed_on.isoformat()}"


def stored_location(path: Path, base: Path | None) -> str:
    """How the register keeps a file's place: relative to the register's folder when the
    file is inside it (the register and its evidence move together), else absolute."""
    resolved = path.expanduser().resolve()
    if base is not None:
        try:
            return resolved.relative_to(base.resolve()).as_posix()
        except ValueError:
            pass
    return str(resolved)


@dataclass(frozen=True, slots=True)
class EvidenceAdded:
    """What ``tracker evidence add`` did with one file."""

    evidence_id: int | None  # None: a changed file was refused, nothing written
    provider: str
    location: str
    sha256: str
    size: int
    outcome: str  # added | verified | replaced | changed
    previous_sha256: str | None = None

    @property
    def failed(self) -> bool:
        return self.outcome == "changed"


def add_evidence(session: Session, *, provider: Provider, path: Path, base: Path | None,
                 values: Mapping[str, Any], accept_change: bool, actor: str,
                 today: date | None = None) -> EvidenceAdded:
    """Hash ``path`` (streamed) and record it as the provider's evidence through the write
    pipeline, with ``hashed_on`` set. The same file given again (same place, same provider)
    is re-hashed: unchanged, it is verified anew; changed, nothing is written unless
    ``accept_change`` (the audit trail keeps the old hash either way)."""
    if not path.is_file():
        raise TrackerError(f"{path}: no such file (give the evidence file itself)")
    try:
        digest, size = file_digest(path)
    except OSError as err:
        raise TrackerError(f"{path}: cannot be read ({err.strerror or err})") from None
    location = stored_location(path, base)
    when = today or utcnow().date()
    assert provider.id is not None
    existing = session.exec(select(Evidence).where(
        col(Evidence.provider_id) == provider.id, col(Evidence.location) == location,
        col(Evidence.archived_at).is_(None)).order_by(col(Evidence.id))).first()
    given = {k: v for k, v in values.items() if v is not None}
    if existing is None:
        row = pipeline.evidence.create(session=session, data={
            **given, "provider_id": provider.id, "location": location, "sha256": digest,
            "size_bytes": size}, actor=actor, hashed_on=when)
        return EvidenceAdded(row.id, provider.legal_name, location, digest, size, "added")
    previous = existing.sha256
    if previous and previous != digest and not accept_change:
        return EvidenceAdded(existing.id, provider.legal_name, location, digest, size,
                             "changed", previous)
    pipeline.evidence.update(session=session, record_id=int(existing.id or 0), changes={
        **given, "sha256": digest, "size_bytes": size}, expected_version=existing.version,
        actor=actor, hashed_on=when)
    return EvidenceAdded(existing.id, provider.legal_name, location, digest, size,
                         "verified" if previous == digest else "replaced", previous)


def hashed_from_form(values: Mapping[str, Any], base: Path | None,
                     stored: Mapping[str, Any] | None = None
                     ) -> tuple[dict[str, Any], date | None]:
    """A form's (or ``tracker add``'s) evidence values with the SHA-256 and size computed
    from the file its location names, when that is a local file: on creation, when the
    location changes, or when no hash is held yet. A URI or a file not there is kept
    as typed, with no verified hash."""
    location = values.get("location", stored.get("location") if stored else None)
    if not location:
        return dict(values), None
    moved = stored is None or values.get("location", stored.get("location")) \
        != stored.get("location")
    if not moved and stored is not None and stored.get("sha256"):
        return dict(values), None
    path = resolve_location(str(location), base)
    if path is None or not path.is_file():
        return dict(values), None
    digest, size = file_digest(path)
    return {**values, "sha256": digest, "size_bytes": size}, utcnow().date()
