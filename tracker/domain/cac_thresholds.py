"""The 2024 CAC Provisions on Promoting and Regulating Cross-Border Data Flows (in force
2024-03-22): which mechanism a year's outbound personal information requires. Counted per
exporter since 1 January of the current year. The numbers sit here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.domain.enums import ExportClass, TransferMechanism

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
