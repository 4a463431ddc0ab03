"""The reports' content, from the register. Each states when it was made and from which
register; each cites what it answers to."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import Session

from tracker import __version__
from tracker.app.evidence import provenance, resolve_location
from tracker.app.gaps import register_gaps
from tracker.app.queries import grouped, live_rows, provider_file
from tracker.domain.checklists import ALL_CLAUSES, CHECKLIST_BY_NUMBER
from tracker.domain.derived import is_sensitive_pi
from tracker.reports import ai_act as summary
from tracker.reports import records
from tracker.reports.document import Document, document_location
from tracker.reports.records import basis_text
from tracker.reports.register_data import Organisation, RegisterData
from tracker.store.models import (
    Agreement,
    AiModel,
    Evidence,
    LegalBasis,
    Provider,
    Supply,
    Transfer,
)
from tracker.store.settings import get_setting

# At most this many domains are read: the template's cap for SMEs (secondary copies of the
# explanatory notice; tracker.domain.footnotes 'ai_act_large_dataset').
TOP_DOMAINS_READ = 1000
_DOMAIN_HEADERS = frozenset({"domain", "domains", "top domain", "top domains", "域名"})


def read_top_domains(path: Path | None) -> list[str] | None:
    """The domains a top-domains file lists, in its order (the first column of a CSV or one
    a line; a header row is skipped), at most ``TOP_DOMAINS_READ``; None when it cannot be
    read."""
    if path is None or not path.is_file():
        return None
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            domains: list[str] = []
            for row in csv.reader(handle):
                if not row or not row[0].strip():
                    continue
                value = row[0].strip()
                if not domains and value.casefold() in _DOMAIN_HEADERS:
                    continue
                domains.append(value)
                if len(domains) >= TOP_DOMAINS_READ:
                    break
            return domains
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


def load(session: Session, *, register: str, today: date,
         base: Path | None = None) -> RegisterData:
    """The register as the reports read it (tracker.reports.register_data): live records,
    the organisation from the settings, and the domains the supplies' top-domains files list
    (paths relative to ``base``, the register's folder)."""
    def text(key: str) -> str:
        return str(get_setting(session, key) or "")

    organisation = Organisation(
        name=text("organisation_name"), contact=text("organisation_contact"),
        established_in=tuple(get_setting(session, "organisation_established_in") or ()),
        representative=text("eu_representative"),
        dpo=text("organisation_dpo"), security_measures=text("security_measures"))
    providers = {int(p.id): p for p in live_rows(session, Provider)}
    data = RegisterData(
        organisation=organisation, register=register,
        made=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), today=today,
        version=__version__, providers=providers,
        supplies=[s for s in live_rows(session, Supply) if s.provider_id in providers],
        legal_bases=grouped(live_rows(session, LegalBasis), "supply_id"),
        agreements=grouped(live_rows(session, Agreement), "provider_id"),
        transfers=grouped(live_rows(session, Transfer), "provider_id"),
        evidence=grouped(live_rows(session, Evidence), "provider_id"),
        models=live_rows(session, AiModel))
    for supply in data.supplies:
        if supply.top_domains_file and supply.id is not None:
            data.top_domains[supply.id] = read_top_domains(
                resolve_location(supply.top_domains_file, base))
    return data


def ropa(session: Session, *, register: str, today: date) -> Document:
    """GDPR Art 30(1) record of processing activities (tracker.reports.records)."""
    return records.ropa(load(session, register=register, today=today))


def ai_act_summary(session: Session, *, register: str, today: date,
                   model: str | None = None, base: Path | None = None) -> Document:
    """EU AI Act Art 53(1)(d): the public summary of training content, per the Commission's
    template (tracker.reports.ai_act)."""
    return summary.ai_act_summary(load(session, register=register, today=today, base=base),
                                  model)


def cac_explanation(session: Session, *, register: str, today: date) -> Document:
    """The explanation of training-data sources for a CAC filing (tracker.reports.records)."""
    return records.cac_explanation(load(session, register=register, today=today))


def dossier(session: Session, *, register: str, today: date, provider_id: int) -> Document:
    """A provider's due-diligence file for an auditor or a regulator."""
    from tracker.formatting import audit_diff
    from tracker.reports.document import Table

    found = provider_file(session, provider_id)
    assert found is not None
    p = found.provider
    doc = Document(f"Due-diligence dossier: {p.legal_name}",
                   load(session, register=register, today=today).stamp())
    doc.section("Provider").tables.append(Table(["Field", "Value"], [
        ["Legal name", p.legal_name], ["Country", p.country], ["Role", p.role],
        ["Risk tier", p.risk_tier], ["Status", p.status], ["Ownership", p.ownership],
        ["State-owned", p.state_owned], ["Foreign-state access exposure",
                                          p.foreign_state_access],
        ["CIIO", p.is_ciio], ["Important data", p.handles_important_data],
        ["Contact", f"{p.contact_name or ''} {p.contact_email or ''}".strip() or None]]))
    doc.section("Supplies and legal bases").tables.append(Table(
        ["Data set", "Category", "PI", "Sensitive", "Minors", "Legal bases"],
        [[s.name, s.source_category, s.contains_pi, is_sensitive_pi(s),
          s.contains_minors_data,
          "; ".join(basis_text(b) for b in found.legal_bases.get(s.id or 0, [])) or None]
         for s in found.supplies]))
    agreements = doc.section("Agreements and clause checklists")
    agreements.tables.append(Table(["Kind", "Title", "Signed", "Effective", "Expires",
                                    "Notice (days)", "Auto-renews", "Governing law"],
                                   [[a.kind, a.title, a.signed_on, a.effective_on, a.expires_on,
                                     a.notice_period_days, a.auto_renewal, a.governing_law]
                                    for a in found.agreements]))
    clause_rows = [[a.title or a.kind.label, ALL_CLAUSES[c.clause].text
                    if c.clause in ALL_CLAUSES else c.clause,
                    ALL_CLAUSES[c.clause].article if c.clause in ALL_CLAUSES else None, c.status]
                   for a in found.agreements for c in found.clauses.get(a.id or 0, [])]
    if clause_rows:
        agreements.tables.append(Table(["Agreement", "Clause", "Article", "Status"],
                                       clause_rows))
    doc.section("Cross-border transfers").tables.append(Table(
        ["Route", "Mechanism / exemption", "Year", "People (non-sensitive)",
         "People (sensitive)", "Filing / approval", "Expires", "PIPL 39 notice & consent"],
        [[f"{t.origin_country}→{t.destination_country}",
          t.mechanism or t.exemption, str(t.count_year) if t.count_year else None,
          t.people_non_sensitive, t.people_sensitive,
          t.filing_number, t.filing_expires_on, t.notice_and_consent] for t in found.transfers]))
    assessments = doc.section("Assessments and the due-diligence checklist")
    assessments.tables.append(Table(["Kind", "Date", "Reviewer", "Outcome", "Override reason",
                                     "Next review", "Retain until", "Findings"],
                                    [[a.kind, a.assessed_on, a.reviewer, a.outcome,
                                      a.approval_override, a.next_review_on, a.retain_until,
                                      a.findings] for a in found.assessments]))
    latest = next((a for a in sorted(found.assessments,
                                     key=lambda a: (a.assessed_on or date.min), reverse=True)
                   if found.checklist.get(a.id or 0)), None)
    if latest is not None:
        assessments.paragraphs.append(f"Checklist of the review of {latest.assessed_on}:")
        assessments.tables.append(Table(["#", "Item", "Sources", "Status", "Answered by",
                                         "Answered on", "Note"], [
            [c.item, CHECKLIST_BY_NUMBER[c.item].text, CHECKLIST_BY_NUMBER[c.item].sources,
             c.status, c.answered_by, c.answered_on, c.note]
            for c in found.checklist[latest.id or 0]]))
    doc.section("Evidence").tables.append(Table(
        ["Kind", "Location", "Supports", "Valid until", "Size (bytes)", "SHA-256", "Hash"],
        [[e.kind, document_location(e.location), e.supports, e.valid_until, e.size_bytes,
          e.sha256, provenance(e.sha256, e.hashed_on)] for e in found.evidence]))
    _questionnaire_section(doc, session, provider_id, today)  # issue 15 questionnaires
    gaps = register_gaps(session, today, provider_id)
    doc.section(f"Open gaps ({len(gaps)})").tables.append(Table(
        ["Severity", "About", "Why", "Fix", "Source"],
        [[g.severity.value, g.subject, g.why, g.fix, g.article] for g in gaps]))
    doc.section("History (audit trail)").tables.append(Table(
        ["When", "Who", "Action", "Record", "Change"],
        [[e.at, e.actor, e.action, f"{e.entity} {e.entity_id}",
          audit_diff(e.before, e.after)] for e in found.history]))
    return doc


# --- issue 15 questionnaires -----------------------------------------------------------------

def _questionnaire_section(doc: Document, session: Session, provider_id: int,
                           today: date) -> None:
    """The questionnaires sent to the provider, and every answer in the supplier's words,
    with who answered and when."""
    from tracker.app.questionnaires import questionnaire_views, response_lines
    from tracker.reports.document import Table

    sent = questionnaire_views(session, today, provider_id)
    if not sent:
        return
    section = doc.section("Supplier questionnaires")
    section.tables.append(Table(
        ["#", "Status", "Sent", "Due", "Answered by", "Answered on", "Received", "Review"],
        [[q.id, q.status, q.sent_on, q.due_on, q.answered_by, q.answered_on, q.received_on,
          q.assessment_id] for q in sent]))
    lines = response_lines(session, provider_id)
    if lines:
        section.tables.append(Table(
            ["#", "Section", "Question", "Answer", "Detail", "Comment", "Answered by",
             "Answered on", "Correction"],
            [[r.questionnaire_id, r.section, r.question, r.answer, r.detail, r.comment,
              r.answered_by, r.answered_on, r.decision] for r in lines]))
