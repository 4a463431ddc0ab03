"""Reports written from the demo register: what a regulator or auditor reads in them."""

from __future__ import annotations

import json
import re
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from tracker.app.register import Register
from tracker.cli import main
from tracker.reports.document import Document, Table, to_markdown

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
    headers = list(rows[0])
    assert "Recipients, incl. in third countries (d)" in headers
    by_supply = {row[0]: dict(zip(headers, row, strict=True)) for row in rows[1:]}
    speech = by_supply["Read speech with speaker metadata"]
    assert "in CN: Paris Voice Lab SAS" in speech["Recipients, incl. in third countries (d)"]
    assert "FR→CN: Commission standard contractual clauses" in speech[
        "Transfers to third countries and safeguards (e)"]
    assert "(a) explicit consent" in speech["Legal basis"]
    assert speech["Time limits for erasure (f)"] == "deleted 36 months after collection"
    assert "Synthetic dialogues v3" not in by_supply  # no personal data, not in the record
    book.close()


def test_ai_act_summary(demo: Path, tmp_path: Path) -> None:
    text = report(demo, tmp_path, "ai-act-summary", "summary.md", "--model",
                  "lumina-chat").read_text(encoding="utf-8")
    assert text.startswith("# Public summary of training content (EU AI Act Art 53(1)(d)): "
                           "Lumina-Chat 2.1")
    # the top domains as the supply's top-domains file lists them, not its short list
    assert "| Multilingual web crawl 2025 | wikipedia.org, reddit.com, stackexchange.com, " \
           "arxiv.org, github.com, gutenberg.org | demo-evidence/ai-act/web-crawl-2025-" \
           "top-domains.csv |" in text
    assert "as of 2026-11-25" in text and "from the register “demo.sqlite”" in text
    html = report(demo, tmp_path, "ai-act-summary", "summary.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<h2>Lumina-Vision 0.9: 1.1 Provider " \
                                                  "identification</h2>" in html


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
                    "Evidence", "History (audit trail)"):
        assert f"<h2>{heading}</h2>" in html
    # issue 14 added rules (PIPIA, GDPR by the company's establishment, linked contract...)
    found = re.search(r"<h2>Open gaps \((\d+)\)</h2>", html)
    assert found and int(found.group(1)) >= 5
    assert "Approved by the DPO pending the guardian-consent flow" in html
    assert html.count('class="mono"') >= 2  # SHA-256 of the evidence files
    assert main(["--db", str(demo), "report", "dossier", "--out",
                 str(tmp_path / "x.html")]) == 2


def test_unknown_format_is_refused(demo: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(demo), "report", "ropa", "--out", str(tmp_path / "r.pdf")]) == 2
    assert "write reports as .md, .html, .xlsx or .json" in capsys.readouterr().err


# --- data is never markup, and no control character breaks a writer -----------------------

SCRIPT = "<script>alert(1)</script>"
SVG = "<svg onload=alert(1)>"
CLIPBOARD = "\x1b]52;c;SGVsbG8=\x07"  # OSC 52: a terminal showing the file sets the clipboard
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@pytest.fixture
def hostile(demo: Path) -> Iterator[Register]:
    """The demo register after raw SQL (old data, or an edit behind the program's back)
    planted HTML and terminal escapes in a setting, every provider's name and every supply's."""
    connection = sqlite3.connect(demo)
    connection.execute("UPDATE setting SET value = ? WHERE key = 'organisation_name'",
                       (json.dumps(f"{SCRIPT} Lumina & Co {CLIPBOARD}"),))
    connection.execute("UPDATE provider SET legal_name = ? || legal_name || ?", (SVG, CLIPBOARD))
    connection.execute("UPDATE supply SET name = name || ?", (f" {SCRIPT}\x07\x00",))
    connection.commit()
    connection.close()
    register = Register.open(f"sqlite:///{demo}")
    yield register
    register.close()


REPORTS = [("ropa", None), ("ai-act-summary", None), ("cac-explanation", None),
           ("dossier", 4)]


@pytest.mark.parametrize(("kind", "provider"), REPORTS)
@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_text_reports_escape_html_and_show_control_characters(
        hostile: Register, tmp_path: Path, kind: str, provider: int | None,
        suffix: str) -> None:
    out = hostile.write_report(kind, tmp_path / f"{kind}{suffix}", TODAY, provider)
    text = out.read_text(encoding="utf-8")
    assert "<script" not in text.lower() and "<svg" not in text.lower()
    assert "&lt;script&gt;" in text or "&lt;svg onload=alert(1)&gt;" in text
    assert not CONTROL.search(text), CONTROL.search(text)
    assert re.search(r"\\+x1b\\*\]52", text)  # shown, visibly (\\x1b), where the escape was
    if kind == "ropa":
        assert "Lumina &amp; Co" in text


@pytest.mark.parametrize(("kind", "provider"), REPORTS)
def test_workbook_reports_carry_control_characters_visibly(
        hostile: Register, tmp_path: Path, kind: str, provider: int | None) -> None:
    out = hostile.write_report(kind, tmp_path / f"{kind}.xlsx", TODAY, provider)
    book = load_workbook(out, read_only=True)
    cells = [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
             for v in row if v is not None]
    book.close()
    assert not any(CONTROL.search(c) for c in cells)
    assert any("\\x1b]52" in c for c in cells)


def test_the_calendar_carries_control_characters_visibly(hostile: Register,
                                                         tmp_path: Path) -> None:
    out = tmp_path / "reminders.ics"
    count = hostile.write_calendar(out, TODAY)
    data = out.read_bytes()
    assert count and not CONTROL.search(data.decode("utf-8").replace("\r\n", "\n"))
    assert b"\\x1b]52" in data
    assert len(Calendar.from_ical(data).walk("VEVENT")) == count


def test_markdown_is_data_not_markup() -> None:
    doc = Document("# not a heading <b>", ["*stamp* [link](javascript:alert(1))"])
    doc.section("1. not a list").paragraphs.append("- not an item | `code` _under_ ~s~ \\")
    doc.sections[0].tables.append(Table(["a|b"], [["<img src=x onerror=alert(1)>"]]))
    text = to_markdown(doc)
    assert text.splitlines()[0] == "# \\# not a heading &lt;b&gt;"
    assert "*\\*stamp\\* \\[link\\](javascript:alert(1))*" in text
    assert "## 1\\. not a list" in text
    assert "\\- not an item \\| \\`code\\` \\_under\\_ \\~s\\~ \\\\" in text
    assert "| a\\|b |" in text and "| &lt;img src=x onerror=alert(1)&gt; |" in text


def test_a_second_report_to_the_same_file_is_refused_without_force(
        demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = report(demo, tmp_path, "ropa", "ropa.md")
    first = out.read_bytes()
    capsys.readouterr()
    assert main(["--db", str(demo), "report", "ai-act-summary", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{out} already exists; pass --force" in err
    assert out.read_bytes() == first
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert main(["--db", str(demo), "report", "ai-act-summary", "--out", str(out),
                 "--force"]) == 0
    assert out.read_text(encoding="utf-8").startswith("# Public summary of training content")
