"""`tracker evidence verify`: recomputed SHA-256 against the register."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.cli import main


def test_demo_evidence_is_checked(demo_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(demo_path), "evidence", "verify"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("CHANGED") and "bj-news-licence-2023.pdf" in line
               for line in lines)
    assert any(line.startswith("MISSING") and "pvl-iso27001.pdf" in line for line in lines)
    assert sum(line.startswith("OK") for line in lines) == 2
    lumen = "lumen-cn-standard-contract.pdf"  # its hash was typed from a cover letter
    assert next(line for line in lines if lumen in line).startswith("TYPED")
    assert "typed, unverified" in next(line for line in lines if lumen in line)
    (demo_path.parent / "demo-evidence" / "contracts" / lumen).write_text("tampered",
                                                                         encoding="utf-8")
    assert main(["--db", str(demo_path), "evidence", "verify"]) == 1
    after = capsys.readouterr().out.splitlines()
    assert next(line for line in after if lumen in line).startswith("CHANGED")
    assert sum(line.startswith("OK") for line in after) == 2
