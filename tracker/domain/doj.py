"""The US DOJ Data Security Program, 28 CFR Part 202 (in force 2025-04-08; due diligence,
audit and reporting from 2025-10-06), as data: countries of concern, bulk thresholds per
data category, the look-back window, report deadlines and record retention."""

from __future__ import annotations

from tracker.domain.citations import Citation
from tracker.domain.enums import DojDataCategory, DojTransaction

# Countries of concern (28 CFR 202.211) [check]: China incl. Hong Kong and Macau, Cuba,
# Iran, North Korea, Russia, Venezuela.
COUNTRIES_OF_CONCERN = frozenset({"CN", "HK", "MO", "CU", "IR", "KP", "RU", "VE"})
COUNTRIES_OF_CONCERN_CITATION = Citation("28 CFR 202.211", secondary=True)
# Covered persons: entities organised or headquartered in a country of concern, or 50% or
# more owned by one, and their employees and contractors (28 CFR 202.211).
COVERED_PERSON = Citation("28 CFR 202.211")

# Bulk thresholds over the preceding 12 months, summed across transactions with one
# counterparty (28 CFR 202.205): a count ABOVE the number is bulk; government-related data
# is covered at any volume (0: any US person counts).
BULK_MORE_THAN: dict[DojDataCategory, int] = {
    DojDataCategory.HUMAN_GENOMIC: 100,
    DojDataCategory.OTHER_OMIC: 1_000,
    DojDataCategory.BIOMETRIC: 1_000,
    DojDataCategory.PRECISE_GEOLOCATION: 1_000,
    DojDataCategory.PERSONAL_HEALTH: 10_000,
    DojDataCategory.PERSONAL_FINANCIAL: 10_000,
    DojDataCategory.COVERED_IDENTIFIERS: 100_000,
    DojDataCategory.GOVERNMENT_RELATED: 0,
}
BULK = Citation("28 CFR 202.205")
LOOKBACK_MONTHS = 12
# §202.206: anonymised, pseudonymised, de-identified or encrypted data still counts.

PROHIBITED = Citation("28 CFR 202.301")
RESTRICTED = Citation("28 CFR 202.401")
ONWARD_CLAUSE = Citation("28 CFR 202.302")
RESTRICTED_KINDS = frozenset({DojTransaction.VENDOR_AGREEMENT,
                              DojTransaction.EMPLOYMENT_AGREEMENT,
                              DojTransaction.INVESTMENT_AGREEMENT})
# §202.302: known or suspected breaches of the onward clause, and rejected prohibited
# offers, are reported within 14 days.
REPORT_DAYS = 14
REPORT = Citation("28 CFR 202.302; Part 202 reporting")
# Records of covered transactions kept 10 years.
RECORDS_YEARS = 10
RECORDS = Citation("28 CFR 202 recordkeeping")


def is_bulk(category: DojDataCategory, us_persons: int) -> bool:
    """Whether a 12-month count of US persons for one category reaches bulk."""
    limit = BULK_MORE_THAN[category]
    return us_persons > limit if limit else us_persons > 0
