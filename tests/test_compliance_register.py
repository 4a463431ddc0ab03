"""Issue 14 through the register: `tracker check` finds every new kind of gap in the demo
(built to hold one of each) with its article and no alarm on the compliant providers;
every overdue legal-duty reminder is a gap; the approval gate reads the register; answers
record who and when; the company's side is a setting."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tracker.app import pipeline as svc
from tracker.app.gaps import register_gaps
from tracker.app.reminders import current_reminders
from tracker.checks.rules import LEGAL_REMINDERS
from tracker.cli import main
from tracker.domain.enums import ReminderStatus
from tracker.errors import ValidationFailed
from tracker.store.engine import session_scope
from tracker.store.migrate import open_register
from tracker.store.models import AuditEvent, Provider

from .conftest import TODAY

# Each kind of gap issue 14 adds, with the article it must cite. (certification-not-in-force
# is tested in test_compliance_rules: a register checked after 2025 cannot hold it.)
NEW_KINDS: dict[str, set[str]] = {
    "pipia-missing": {"PIPL Art 55"},
    "pipia-retention-short": {"PIPL Art 56"},
    "transfer-document-missing": {"PIPL Art 38(1)(3)", "GDPR Art 46(2)(c)",
                                  "PI Outbound Certification Measures (CAC/SAMR Order 20)"},
    "transfer-document-expired": {"PIPL Art 38(1)(3)"},
    "standard-contract-not-filed": {"CAC Standard Contract Measures Art 7"},
    "standard-contract-undated": {"CAC Standard Contract Measures Art 7"},
    "certification-outside-band": {"PI Outbound Certification Measures (CAC/SAMR Order 20)"},
    "certificate-validity-unknown": {"PI Outbound Certification Measures (CAC/SAMR Order 20)"},
    "transfer-exemption-unsupported": {"2024 CAC Provisions Art 6"},
    "security-assessment-scope-exceeded": {"NDSMR Art 38"},
    "security-assessment-scope-unrecorded": {"NDSMR Art 38"},
    "review-triggered": {"GDPR Art 33; PIPL Art 57",
                         "28 CFR 202 reporting (rejected prohibited transactions)"},
    "training-right-unknown": {"Interim Measures Art 7(2)"},
    "commercial-corpus-without-licence": {"Interim Measures Art 7(2); TC260-003-2024"},
    "ndsmr-provision-without-agreement": {"NDSMR Art 12"},
    "ndsmr-provision-log": {"NDSMR Art 12"},
    "ndsmr-scraped-pi": {"NDSMR Art 24"},
    "important-data-outbound": {"NDSMR Art 37"},
    "foundation-model-unassessed": {"EDPB Opinion 28/2024; Interim Measures Art 7(1)"},
    "doj-prohibited-brokerage": {"28 CFR 202.301"},
    "doj-restricted-access": {"28 CFR 202.401"},
    "doj-onward-clause-missing": {"28 CFR 202.302"},
    "doj-records-retention": {"28 CFR 202 recordkeeping"},
    "doj-report-overdue": {"28 CFR 202.302"},
    "pi-compliance-audit-overdue": {"PI Protection Compliance Audit Measures"},
    "pi-officer-report-overdue": {"PI Protection Compliance Audit Measures"},
}
COMPLIANT = ("SynthCorpus Inc.", "Kunming Return Processing Co.")


@pytest.fixture(scope="module")
def checked(demo_template: Path, tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[int, list[dict[str, object]]]:
    """`tracker check --json` on the demo, run once for the module."""
    import contextlib
    import io

    from .helpers import copy_demo

    path = copy_demo(demo_template, tmp_path_factory.mktemp("check"))
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["--db", str(path), "check", "--json", "--today", TODAY.isoformat()])
    return code, json.loads(buffer.getvalue())


def test_check_finds_every_new_kind_with_its_article(
        checked: tuple[int, list[dict[str, object]]]) -> None:
    code, gaps = checked
    assert code == 1  # critical findings
    found: dict[str, set[str]] = {}
    for gap in gaps:
        found.setdefault(str(gap["rule"]), set()).add(str(gap["article"]))
        assert "[check]" not in str(gap["article"])  # secondary sources are a flag
    for rule, articles in NEW_KINDS.items():
        assert rule in found, rule
        assert articles <= found[rule], (rule, found[rule])


def test_compliant_providers_raise_no_alarm(
        checked: tuple[int, list[dict[str, object]]]) -> None:
    """Data collected abroad and sent back (2,000,000 people, not counted: Provisions
    Art 4) and US biometric data of exactly 1,000 people (not bulk) raise nothing."""
    _, gaps = checked
    assert [g for g in gaps if g["provider"] in COMPLIANT] == []


def test_every_overdue_legal_reminder_is_a_gap(demo_path: Path) -> None:
    """Parity: what `tracker reminders` shows as overdue and legally required is a gap of
    the rule LEGAL_REMINDERS names, for the same provider (0: the company's own duty)."""
    engine = open_register(f"sqlite:///{demo_path}")
    try:
        with session_scope(engine, write=False) as session:
            reminders = [r for r in current_reminders(session, TODAY)
                         if r.status == ReminderStatus.OVERDUE and r.kind in LEGAL_REMINDERS]
            gaps = {(g.provider_id, g.rule) for g in register_gaps(session, TODAY)}
    finally:
        engine.dispose()
    kinds = {r.kind for r in reminders}
    assert len(kinds) >= 6  # the demo holds overdue duties of many kinds
    missing = [(r.provider_name, r.kind.value, r.subject) for r in reminders
               if (r.provider_id or 0, LEGAL_REMINDERS[r.kind]) not in gaps]
    assert missing == []


def _critical_provider(session: Session) -> Provider:
    provider = svc.providers.create(session=session, actor="officer", data={
        "legal_name": "Minors Annotation 数据", "country": "CN", "role": "processor",
        "risk_tier": "high", "status": "active"})
    svc.supplies.create(session=session, actor="officer", data={
        "provider_id": provider.id, "name": "Children's speech", "contains_pi": True,
        "contains_minors_data": True, "intended_use": "evaluation"})
    return provider


def _answered_review(session: Session, provider_id: int) -> int:
    review = svc.assessments.create(session=session, actor="officer", data={
        "provider_id": provider_id, "kind": "due_diligence", "assessed_on": date.today(),
        "outcome": "pending", "next_review_on": date(date.today().year + 1, 1, 1)})
    for answer in svc.checklist_answers.list(session=session, assessment_id=review.id):
        svc.checklist_answers.update(session=session, record_id=int(answer.id or 0),
                                     changes={"status": "satisfied"},
                                     expected_version=answer.version, actor="officer")
    return int(review.id or 0)


def test_approval_is_refused_while_the_register_holds_a_critical_gap(
        session: Session) -> None:
    provider = _critical_provider(session)
    review_id = _answered_review(session, int(provider.id or 0))
    review = svc.assessments.get(session=session, record_id=review_id)
    with pytest.raises(ValidationFailed) as refused:
        svc.assessments.update(session=session, record_id=review_id,
                               changes={"outcome": "approved"},
                               expected_version=review.version, actor="officer")
    message = str(refused.value)
    assert "open critical gap" in message
    for needed in ("PIPL Art 55", "PIPL Art 13", "PIPL Art 29, 31"):  # listed in full
        assert needed in message
    with pytest.raises(ValidationFailed, match="name the reason in words"):
        svc.assessments.update(session=session, record_id=review_id,
                               changes={"outcome": "approved", "approval_override": "ok"},
                               expected_version=review.version, actor="officer")
    reason = "Evaluation only; the DPO accepts the risk until the PIPIA is done"
    svc.assessments.update(session=session, record_id=review_id,
                           changes={"outcome": "approved", "approval_override": reason},
                           expected_version=review.version, actor="dpo")
    event = session.exec(select(AuditEvent).where(col(AuditEvent.entity) == "assessment")
                         .order_by(col(AuditEvent.id).desc())).first()
    assert event is not None and event.actor == "dpo"
    assert json.loads(event.after or "{}")["approval_override"] == reason


def test_a_new_approved_review_is_refused_by_the_same_gate(session: Session) -> None:
    provider = _critical_provider(session)
    with pytest.raises(ValidationFailed, match="open critical gap"):
        svc.assessments.create(session=session, actor="officer", data={
            "provider_id": provider.id, "kind": "due_diligence", "assessed_on": date.today(),
            "outcome": "approved"})


def test_every_answer_records_who_and_when(session: Session) -> None:
    provider = svc.providers.create(session=session, actor="officer",
                                    data={"legal_name": "Acme", "country": "DE"})
    review_id = svc.assessments.create(session=session, actor="officer", data={
        "provider_id": provider.id, "kind": "due_diligence"}).id
    first, second = svc.checklist_answers.list(session=session, assessment_id=review_id)[:2]
    assert first.answered_by is None
    answered = svc.checklist_answers.update(session=session, record_id=int(first.id or 0),
                                            changes={"status": "satisfied"},
                                            expected_version=first.version, actor="li.wei")
    assert (answered.answered_by, answered.answered_on) == ("li.wei", date.today())
    # a questionnaire names the supplier who answered, and that is kept
    svc.checklist_answers.update(session=session, record_id=int(second.id or 0),
                                 changes={"note": "see annex", "answered_by": "Supplier QA",
                                          "answered_on": date(2026, 11, 2)},
                                 expected_version=second.version, actor="li.wei")
    assert (second.answered_by, second.answered_on) == ("Supplier QA", date(2026, 11, 2))


def test_the_companys_side_is_a_setting(db_path: Path, engine: object,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db_path), "settings", "set", "organisation_established_in",
                 "de, FR"]) == 0
    assert main(["--db", str(db_path), "settings", "set", "organisation_markets",
                 "Narnia"]) == 2
    capsys.readouterr()
    assert main(["--db", str(db_path), "settings", "get", "organisation_established_in"]) == 0
    out = capsys.readouterr().out
    assert "DE" in out and "FR" in out


def test_a_restore_that_approves_the_review_meets_the_same_gate(engine: Engine,
                                                                 tmp_path: Path) -> None:
    """The tracker's own export, edited to approve the review, restored: refused, naming
    the provider's open critical gaps, and nothing written."""
    import openpyxl

    from tracker.app.register import Register

    with session_scope(engine) as session:
        provider = _critical_provider(session)
        _answered_review(session, int(provider.id or 0))
    register = Register(engine)
    out = register.export(tmp_path / "register.xlsx").path
    book = openpyxl.load_workbook(out)
    sheet = book["Assessments"]
    headers = [c.value for c in sheet[1]]
    column = next(i for i, h in enumerate(headers, 1) if str(h).startswith("Outcome"))
    sheet.cell(row=2, column=column).value = "approved"
    book.save(out)
    report = register.import_file(out, profile=None, order=None, dry_run=False)
    assert not report.written
    assert any("open critical gap" in str(p) and "PIPL Art 55" in str(p)
               for p in report.problems), report.problems
