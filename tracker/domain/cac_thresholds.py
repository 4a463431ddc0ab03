"""The 2024 CAC Provisions on Promoting and Regulating Cross-Border Data Flows (in force
2024-03-22): which mechanism a year's outbound personal information requires. Counted per
exporter since 1 January of the current year. The numbers sit here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.domain.enums import ExportClass, TransferExemption, TransferMechanism

# Art 7: security assessment at or above these counts (or any important data, or a CIIO
# exporting any PI).
SECURITY_ASSESSMENT_NON_SENSITIVE = 1_000_000
SECURITY_ASSESSMENT_SENSITIVE = 10_000
# Art 8: standard contract or certification from this count of non-sensitive PI, or for any
# sensitive PI under 10,000 people. Art 5(4): exempt below it.
STANDARD_CONTRACT_NON_SENSITIVE = 100_000

STRICTNESS: dict[ExportClass, int] = {
    ExportClass.EXEMPT: 0,
    ExportClass.STANDARD_CONTRACT_OR_CERTIFICATION: 1,
    ExportClass.SECURITY_ASSESSMENT: 2,
}

# The mechanisms that satisfy each class; a stricter mechanism satisfies a laxer class.
SATISFIES: dict[TransferMechanism, ExportClass] = {
    TransferMechanism.CAC_SECURITY_ASSESSMENT: ExportClass.SECURITY_ASSESSMENT,
    TransferMechanism.CN_STANDARD_CONTRACT: ExportClass.STANDARD_CONTRACT_OR_CERTIFICATION,
    TransferMechanism.PI_CERTIFICATION: ExportClass.STANDARD_CONTRACT_OR_CERTIFICATION,
}


@dataclass(frozen=True, slots=True)
class ExportCount:
    """People whose PI one exporter sent abroad since 1 January."""

    non_sensitive: int
    sensitive: int
    ciio: bool = False
    important_data: bool = False


def classify_export(count: ExportCount) -> ExportClass:
    if (count.important_data or (count.ciio and (count.non_sensitive or count.sensitive))
            or count.non_sensitive >= SECURITY_ASSESSMENT_NON_SENSITIVE
            or count.sensitive >= SECURITY_ASSESSMENT_SENSITIVE):
        return ExportClass.SECURITY_ASSESSMENT
    if count.non_sensitive >= STANDARD_CONTRACT_NON_SENSITIVE or count.sensitive > 0:
        return ExportClass.STANDARD_CONTRACT_OR_CERTIFICATION
    return ExportClass.EXEMPT


def mechanism_covers(mechanism: TransferMechanism | None, required: ExportClass) -> bool:
    """Whether a recorded mechanism is enough for the class the volume requires."""
    if required == ExportClass.EXEMPT:
        return True
    held = SATISFIES.get(mechanism) if mechanism is not None else None
    return held is not None and STRICTNESS[held] >= STRICTNESS[required]


def count_for_year(count_year: int | None, non_sensitive: int, sensitive: int,
                   year: int) -> tuple[int, int]:
    """The counter resets on 1 January: counts recorded for another year count as zero."""
    return (non_sensitive, sensitive) if count_year == year else (0, 0)


# Transfers whose people are not counted in the year's volume: 2024 Provisions Art 4 (PI
# collected abroad, processed in China and sent back), Art 5(1)-(3) (contract with the
# person, cross-border HR, emergencies), Art 3 (no PI), Art 6 (a pilot free-trade zone's
# data not on its negative list) and NDSMR Art 35(6) (a statutory duty). Art 5(4), under
# 100,000 people, is a count, not a kind of transfer: those people still count.
NOT_COUNTED = frozenset({
    TransferExemption.COLLECTED_ABROAD, TransferExemption.CONTRACT_WITH_INDIVIDUAL,
    TransferExemption.CROSS_BORDER_HR, TransferExemption.EMERGENCY,
    TransferExemption.NO_PERSONAL_INFORMATION, TransferExemption.STATUTORY_DUTY,
    TransferExemption.FREE_TRADE_ZONE})


def counts_toward_volume(exemption: TransferExemption | None,
                         on_negative_list: bool | None = None) -> bool:
    """Whether a transfer's people count in the exporter's volume for the year. A
    free-trade-zone transfer counts unless its data is recorded as not on the list."""
    if exemption == TransferExemption.FREE_TRADE_ZONE:
        return on_negative_list is not False
    return exemption not in NOT_COUNTED


def volume_counts(count_year: int | None, non_sensitive: int, sensitive: int, year: int, *,
                  exemption: TransferExemption | None = None,
                  on_negative_list: bool | None = None,
                  sensitive_data: bool = False) -> tuple[int, int]:
    """(non-sensitive, sensitive) people a transfer adds to this year's volume. PI of minors
    under 14 is sensitive PI (PIPL Art 28): when the supply holds sensitive PI or minors'
    data and the transfer counts no one as sensitive, its people count as sensitive (a
    split the officer recorded is kept)."""
    if not counts_toward_volume(exemption, on_negative_list):
        return 0, 0
    non_sensitive, sensitive = count_for_year(count_year, non_sensitive, sensitive, year)
    if sensitive_data and not sensitive:
        return 0, non_sensitive + sensitive
    return non_sensitive, sensitive
