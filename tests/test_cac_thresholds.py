"""The 2024 CAC Provisions' volume classes, exactly at their boundaries."""

from __future__ import annotations

import pytest

from tracker.domain.cac_thresholds import (
    ExportCount,
    classify_export,
    count_for_year,
    mechanism_covers,
)
from tracker.domain.enums import ExportClass, TransferMechanism

EXEMPT = ExportClass.EXEMPT
CONTRACT = ExportClass.STANDARD_CONTRACT_OR_CERTIFICATION
ASSESSMENT = ExportClass.SECURITY_ASSESSMENT


@pytest.mark.parametrize(("non_sensitive", "sensitive", "expected"), [
    (0, 0, EXEMPT),
    (99_999, 0, EXEMPT),
    (100_000, 0, CONTRACT),
    (999_999, 0, CONTRACT),
    (1_000_000, 0, ASSESSMENT),
    (0, 1, CONTRACT),
    (0, 9_999, CONTRACT),
    (0, 10_000, ASSESSMENT),
    (99_999, 9_999, CONTRACT),
])
def test_classification_at_the_boundaries(non_sensitive: int, sensitive: int,
                                          expected: ExportClass) -> None:
    assert classify_export(ExportCount(non_sensitive, sensitive)) == expected


def test_important_data_or_a_ciio_exporting_pi_needs_an_assessment() -> None:
    assert classify_export(ExportCount(0, 0, important_data=True)) == ASSESSMENT
    assert classify_export(ExportCount(1, 0, ciio=True)) == ASSESSMENT
    assert classify_export(ExportCount(0, 0, ciio=True)) == EXEMPT


def test_counter_resets_on_1_january() -> None:
    assert count_for_year(2026, 150_000, 20, 2026) == (150_000, 20)
    assert count_for_year(2025, 150_000, 20, 2026) == (0, 0)
    assert count_for_year(None, 150_000, 20, 2026) == (0, 0)


@pytest.mark.parametrize(("mechanism", "required", "covers"), [
    (TransferMechanism.CN_STANDARD_CONTRACT, CONTRACT, True),
    (TransferMechanism.PI_CERTIFICATION, CONTRACT, True),
    (TransferMechanism.CN_STANDARD_CONTRACT, ASSESSMENT, False),
    (TransferMechanism.CAC_SECURITY_ASSESSMENT, CONTRACT, True),
    (TransferMechanism.EU_SCC, CONTRACT, False),
    (None, CONTRACT, False),
    (None, EXEMPT, True),
])
def test_which_mechanism_covers_which_class(mechanism: TransferMechanism | None,
                                            required: ExportClass, covers: bool) -> None:
    assert mechanism_covers(mechanism, required) is covers
