"""Reports written from the demo register: what a regulator or auditor reads in them."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from tracker.cli import main

from .conftest import TODAY


@pytest.fixture
def demo(demo_path: Path) -> Path:
    return demo_path


def report(demo: Path, tmp_path: Path, kind: str, name: str, *extra: str) -> Path:
    out = tmp_path / name
    assert main(["--db", str(demo), "report", kind, "--out", str(out), "--today",
                 TODAY.isoformat(), *extra]) == 0
    return out


def test_ropa_workbook(demo: Path, tmp_path: Path) -> None:
    book = load_workbook(report(demo, tmp_path, "ropa", "ropa.xlsx"), read_only=True)
    about = [row[0] for row in book["About"].iter_rows(values_only=True)]
    assert about[0].startswith("Record of processing activities (GDPR Art 30(1))")
    assert "Lumina Models Ltd (demo)" in about[2]
    assert any("Data protection officer: Li Wei" in line for line in about)
    sheet = book[book.sheetnames[1]]
    rows = list(sheet.iter_rows(values_only=True))
    assert "Recipients / third countries (Art 30(1)(d))" in rows[0]
    by_supply = {row[0]: row for row in rows[1:]}
    speech = by_supply["Read speech with speaker metadata"]
    assert "FR→CN" in speech[7] and "Commission standard contractual clauses" in speech[8]
    assert "(a) explicit consent" in speech[6]
    assert "Synthetic dialogues v3" not in by_supply  # no personal data, not in the record
    book.close()


def test_ai_act_summary(demo: Path, tmp_path: Path) -> None:
    text = report(demo, tmp_path, "ai-act-summary", "summary.md").read_text(encoding="utf-8")
    assert text.startswith("# Summary of the content used for training (EU AI Act Art 53(1)(d))")
    assert "| Scraped data | 1 | 1 | Text |" in text
    assert "Top domains of scraped content: wikipedia.org, reddit.com, stackexchange.com." in text
    assert "as of 2026-11-25" in text and "from the register" in text
    html = report(demo, tmp_path, "ai-act-summary", "summary.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<th>Source category</th>" in html


def test_cac_explanation(demo: Path, tmp_path: Path) -> None:
    text = report(demo, tmp_path, "cac-explanation", "cac.md").read_text(encoding="utf-8")
    assert "训练数据来源说明" in text and "Labelling rules" in text
    assert "Transcription guide v4, 5% double-keyed QA" in text
    assert "| Street-scene images with faces | 2026-10-26 | 6.5 |" in text


def test_dossier(demo: Path, tmp_path: Path) -> None:
    html = report(demo, tmp_path, "dossier", "lumen.html", "--provider",
                  "lumen").read_text(encoding="utf-8")
    assert "Due-diligence dossier: 杭州流明互动科技有限公司 Hangzhou Lumen Interactive" in html
    for heading in ("Supplies and legal bases", "Agreements and clause checklists",
                    "Cross-border transfers", "Assessments and the due-diligence checklist",
                    "Evidence", "Open gaps (5)", "History (audit trail)"):
        assert f"<h2>{heading}</h2>" in html
    assert "Approved by the DPO pending the guardian-consent flow" in html
    assert html.count('class="mono"') >= 2  # SHA-256 of the evidence files
    assert main(["--db", str(demo), "report", "dossier", "--out",
                 str(tmp_path / "x.html")]) == 2


def test_unknown_format_is_refused(demo: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(demo), "report", "ropa", "--out", str(tmp_path / "r.pdf")]) == 2
    assert "write reports as .md, .html or .xlsx" in capsys.readouterr().err
