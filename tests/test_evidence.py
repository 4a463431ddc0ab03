"""`tracker evidence verify`: recomputed SHA-256 against the register."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.cli import main

from .test_cli import write_demo_register


def test_demo_evidence_is_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo.sqlite"
    write_demo_register(path)
    capsys.readouterr()
    assert main(["--db", str(path), "evidence", "verify"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("CHANGED") and "bj-news-licence-2023.pdf" in line
               for line in lines)
    assert any(line.startswith("MISSING") and "pvl-iso27001.pdf" in line for line in lines)
    assert sum(line.startswith("OK") for line in lines) == 3
    contract = tmp_path / "demo-evidence" / "contracts" / "lumen-cn-standard-contract.pdf"
    contract.write_text("tampered", encoding="utf-8")
    assert main(["--db", str(path), "evidence", "verify"]) == 1
    assert "CHANGED" in next(line for line in capsys.readouterr().out.splitlines()
                             if "lumen-cn-standard-contract" in line)
