"""Evidence integrity: recompute each file's SHA-256 and compare it with the register."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from tracker.store.models import Evidence, Provider

CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class EvidenceCheck:
    evidence_id: int
    provider: str
    location: str
    status: str  # ok | missing | changed | no-hash | not-local
    detail: str

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
        if path is None:
            checks.append(EvidenceCheck(evidence.id, provider, evidence.location, "not-local",
                                        "a URI: check it where it is kept"))
        elif not path.is_file():
            checks.append(EvidenceCheck(evidence.id, provider, evidence.location, "missing",
                                        f"no file at {path}"))
        elif not evidence.sha256:
            checks.append(EvidenceCheck(evidence.id, provider, evidence.location, "no-hash",
                                        "no SHA-256 recorded to compare with"))
        else:
            digest, size = file_digest(path)
            if digest != evidence.sha256:
                checks.append(EvidenceCheck(
                    evidence.id, provider, evidence.location, "changed",
                    f"SHA-256 is now {digest[:16]}…, recorded {evidence.sha256[:16]}…"
                    f" ({size:,} bytes now)"))
            else:
                checks.append(EvidenceCheck(evidence.id, provider, evidence.location, "ok",
                                            f"{size:,} bytes, SHA-256 matches"))
    return checks
