"""The register as the reports read it: plain data, loaded once by the application layer
(tracker.app.reports), so every report is a pure function of it and is tested without a
database or a screen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tracker.store.models import (
    Agreement,
    AiModel,
    Evidence,
    LegalBasis,
    Provider,
    Supply,
    Transfer,
)


@dataclass(frozen=True, slots=True)
class Organisation:
    """The company the register belongs to: the controller of GDPR Art 30(1)(a) and the
    provider of its AI models (AI Act summary 1.1), from the register's settings."""

    name: str = ""
    contact: str = ""
    established_in: tuple[str, ...] = ()  # ISO codes (setting organisation_established_in)
    representative: str = ""  # in the Union (GDPR Art 27; AI Act Art 54)
    dpo: str = ""
    security_measures: str = ""


@dataclass
class RegisterData:
    organisation: Organisation
    register: str  # the register's name (its file's name, or its database's), never a path
    made: str  # when the report was made, e.g. "2026-12-02 05:10 UTC"
    today: date
    version: str = ""  # the tracker's
    providers: dict[int, Provider] = field(default_factory=dict)
    supplies: list[Supply] = field(default_factory=list)
    legal_bases: dict[int, list[LegalBasis]] = field(default_factory=dict)  # by supply
    agreements: dict[int, list[Agreement]] = field(default_factory=dict)  # by provider
    transfers: dict[int, list[Transfer]] = field(default_factory=dict)  # by provider
    evidence: dict[int, list[Evidence]] = field(default_factory=dict)  # by provider
    models: list[AiModel] = field(default_factory=list)
    # the domains each supply's top-domains file lists (None: the file could not be read)
    top_domains: dict[int, list[str] | None] = field(default_factory=dict)

    def stamp(self) -> list[str]:
        organisation = self.organisation.name or "not set"
        return [f"Made {self.made} (as of {self.today.isoformat()}) by tracker "
                f"{self.version} from the register \u201c{self.register}\u201d.",
                f"Organisation: {organisation}."]
