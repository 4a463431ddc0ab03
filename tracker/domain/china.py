"""China's dated duties the gap rules and reminders apply, each number in one place and
cited. Cross-border volume bands are in ``tracker.domain.cac_thresholds``.

Marked secondary: read in a secondary summary (DOMAIN.md "[check]"); reports footnote them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files

from tracker.domain.citations import Citation

# PIPL Art 56: the PIPIA report and processing records are kept at least 3 years.
PIPIA_RETENTION_YEARS = 3
PIPIA_RETENTION = Citation("PIPL Art 56")
# PIPL Art 55: the PIPIA is made before the processing.
PIPIA_REQUIRED = Citation("PIPL Art 55")
# NDSMR Art 12: records of each provision or entrustment kept at least 3 years.
PROVISION_LOG_YEARS = 3
PROVISION_LOG = Citation("NDSMR Art 12")

# Certification of PI outbound transfer (CAC/SAMR Order 20): in force 2026-01-01; the
# certificate is valid 3 years; for the standard-contract band only (non-CIIO, no
# important data).
CERTIFICATION_IN_FORCE = date(2026, 1, 1)
CERTIFICATE_VALID_YEARS = 3
CERTIFICATION = Citation("PI Outbound Certification Measures (CAC/SAMR Order 20)",
                         secondary=True)

# CAC Standard Contract Measures Art 7: filed within 10 working days of taking effect.
STANDARD_CONTRACT_FILING_WORKING_DAYS = 10
STANDARD_CONTRACT_FILING = Citation("CAC Standard Contract Measures Art 7")

# PI Protection Compliance Audit Measures (in force 2025-05-01): above 10 million people an
# audit at least every 2 years; on reaching 1 million people the PI protection officer is
# reported within 30 working days (and each change within 30 working days).
COMPLIANCE_AUDIT_ABOVE_PEOPLE = 10_000_000
COMPLIANCE_AUDIT_EVERY_YEARS = 2
OFFICER_REPORT_FROM_PEOPLE = 1_000_000
OFFICER_REPORT_WORKING_DAYS = 30
COMPLIANCE_AUDIT = Citation("PI Protection Compliance Audit Measures", secondary=True)

# NDSMR Art 28: processors of the PI of 10 million people or more take on important-data
# duties (Arts 30, 32).
IMPORTANT_DATA_DUTIES_FROM_PEOPLE = 10_000_000

# TC260-003-2024 (GB/T 45654-2025): commercial corpora need a valid contract.
COMMERCIAL_CORPUS = Citation("Interim Measures Art 7(2); TC260-003-2024", secondary=True)

FTZ_FILE = "ftz_negative_lists.json"
FTZ_EXEMPTION = Citation("2024 CAC Provisions Art 6")


@dataclass(frozen=True, slots=True)
class NegativeLists:
    zones: dict[str, tuple[str, ...]]
    secondary: bool


@cache
def negative_lists() -> NegativeLists:
    """The pilot free-trade zones with a published negative list, and the editions known."""
    raw = json.loads(files("tracker.domain").joinpath(FTZ_FILE).read_text(encoding="utf-8"))
    return NegativeLists({name: tuple(editions) for name, editions in raw["zones"].items()},
                         bool(raw.get("secondary_source")))


def plus_years(day: date, years: int) -> date:
    """The same day ``years`` later (29 February -> 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
