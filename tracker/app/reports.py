"""The reports' content, from the register. Each states when it was made and from which
register; each cites what it answers to."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime

from sqlmodel import Session

from tracker import __version__
from tracker.app.gaps import register_gaps
from tracker.app.queries import grouped, live_rows, provider_file
from tracker.domain.checklists import ALL_CLAUSES, CHECKLIST_BY_NUMBER
from tracker.domain.enums import SourceCategory
from tracker.reports.document import Document
from tracker.store.models import (
    Agreement,
    Assessment,
    Evidence,
    LegalBasis,
    Provider,
    Supply,
    Transfer,
)
from tracker.store.settings import get_setting


def _stamp(session: Session, register: str, today: date) -> list[str]:
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    organisation = get_setting(session, "organisation_name") or "(organisation not set: "\
        "tracker settings set organisation_name ...)"
    return [f"Made {made} (as of {today.isoformat()}) by tracker {__version__} from the "
            f"register {register}.", f"Organisation: {organisation}."]


def basis_text(basis: LegalBasis) -> str:
    """"EU GDPR: (a) consent, (a) explicit consent" — a legal basis as a report states it."""
    parts = [str(x.label) for x in (basis.gdpr_art6, basis.gdpr_art9, basis.pipl_art13,
                                     basis.ccpa_disclosure) if x is not None]
    consent = " (separate consent)" if basis.separate_consent else ""
    return f"{basis.regime.label}: {', '.join(parts)}{consent}"


def ropa(session: Session, *, register: str, today: date) -> Document:
    """GDPR Art 30(1) record of processing activities: one row per supply of personal data."""
    doc = Document("Record of processing activities (GDPR Art 30(1))",
                   _stamp(session, register, today))
    about = doc.section("Controller")
    about.paragraphs.append(
        f"{get_setting(session, 'organisation_name') or 'Not set'}. Data "
        f"protection officer: {get_setting(session, 'organisation_dpo') or 'not set'}. "
        "Art 30(1)(a).")
    providers = {p.id: p for p in live_rows(session, Provider)}
    bases = grouped(live_rows(session, LegalBasis), "supply_id")
    transfers = grouped(live_rows(session, Transfer), "provider_id")
    evidence = grouped(live_rows(session, Evidence), "provider_id")
    retention: dict[int, date] = {}
    for assessment in live_rows(session, Assessment):
        if assessment.retain_until:
            retention[assessment.provider_id] = max(retention.get(assessment.provider_id,
                                                                  date.min),
                                                    assessment.retain_until)
    table = doc.section("Processing activities").tables
    rows = []
    for supply in live_rows(session, Supply):
        provider = providers.get(supply.provider_id)
        if provider is None or not supply.contains_pi:
            continue
        legal = "; ".join(basis_text(b) for b in bases.get(supply.id, [])) or "none recorded"
        categories = ", ".join(c for c, on in (("personal data", True),
                                               ("special-category / sensitive",
                                                supply.contains_sensitive_pi),
                                               ("minors", supply.contains_minors_data)) if on)
        outbound = transfers.get(provider.id, [])
        recipients = "; ".join(f"{t.origin_country}→{t.destination_country}" for t in outbound)
        safeguards = "; ".join(
            (t.mechanism.label if t.mechanism else t.exemption.label if t.exemption else "none")
            for t in outbound)
        security = "; ".join(e.supports or e.kind.label for e in evidence.get(provider.id, [])
                             if e.kind.value in {"certificate", "audit_report"})
        erasure = ", ".join(x for x in (
            "deletion on termination" if supply.deletion_on_termination else "",
            f"records kept until {retention[provider.id].isoformat()}"
            if provider.id in retention else "") if x) or "not recorded"
        rows.append([supply.name, provider.legal_name, provider.country,
                     supply.intended_use.label if supply.intended_use else None,
                     f"{categories}; {supply.modality.label if supply.modality else ''}".strip(
                         "; "), supply.people_concerned, legal, recipients or "none",
                     safeguards or "–", erasure, security or "–"])
    from tracker.reports.document import Table

    table.append(Table(["Processing (supply)", "Source (provider)", "Country",
                        "Purpose (Art 30(1)(b))", "Categories of data (Art 30(1)(c))",
                        "People concerned", "Legal basis", "Recipients / third countries "
                        "(Art 30(1)(d))", "Transfer safeguards (Art 30(1)(e))",
                        "Erasure time limits (Art 30(1)(f))", "Security measures "
                        "(Art 30(1)(g))"], rows))
    return doc


def ai_act_summary(session: Session, *, register: str, today: date) -> Document:
    """EU AI Act Art 53(1)(d): public summary of training content by source category."""
    from tracker.reports.document import Table

    doc = Document("Summary of the content used for training (EU AI Act Art 53(1)(d))",
                   _stamp(session, register, today) + [
                       "Structure follows the source categories of Art 53(1)(d); check it "
                       "against the AI Office template before publishing [check]."])
    providers = {p.id: p for p in live_rows(session, Provider)}
    supplies = [s for s in live_rows(session, Supply) if s.provider_id in providers
                and s.intended_use is not None and s.intended_use.value != "evaluation"]
    by_category: dict[SourceCategory | None, list[Supply]] = defaultdict(list)
    for supply in supplies:
        by_category[supply.source_category].append(supply)
    overview = doc.section("Overview")
    overview.tables.append(Table(["Source category", "Data sets", "Providers", "Modalities"], [
        [category.label if category else "Uncategorised", len(items),
         len({s.provider_id for s in items}),
         ", ".join(sorted({s.modality.label for s in items if s.modality}))]
        for category, items in sorted(by_category.items(),
                                      key=lambda kv: kv[0].label if kv[0] else "~")]))
    for category, items in sorted(by_category.items(),
                                  key=lambda kv: kv[0].label if kv[0] else "~"):
        section = doc.section(category.label if category else "Uncategorised")
        rows = [[s.name, providers[s.provider_id].legal_name, s.modality, s.volume,
                 s.licence_name, s.optout_respected if category == SourceCategory.SCRAPED
                 else None] for s in items]
        section.tables.append(Table(["Data set", "Provider", "Modality", "Volume", "Licence",
                                     "Opt-outs respected"], rows))
        if category == SourceCategory.SCRAPED:
            domains = Counter(d.strip() for s in items for d in (s.top_domains or "").split(",")
                              if d.strip())
            section.paragraphs.append(
                "Top domains of scraped content: " + (", ".join(d for d, _ in
                                                              domains.most_common(20))
                                                    or "not recorded") + ".")
    return doc


def cac_explanation(session: Session, *, register: str, today: date) -> Document:
    """Interim Measures Art 19 [check]: source, scale, type of training data and labelling."""
    from tracker.reports.document import Table

    doc = Document("训练数据来源说明 Explanation of training-data sources "
                   "(Interim Measures for Generative AI Services, Art 7, 8, 19)",
                   _stamp(session, register, today))
    providers = {p.id: p for p in live_rows(session, Provider)}
    supplies = [s for s in live_rows(session, Supply) if s.provider_id in providers]
    bases = grouped(live_rows(session, LegalBasis), "supply_id")
    agreements = grouped(live_rows(session, Agreement), "provider_id")
    doc.section("数据来源 Sources (Art 7(1)-(2))").tables.append(Table(
        ["Data set", "Provider", "Country", "Source category", "Agreement", "Licence allows "
         "training", "Legal basis (PI)"],
        [[s.name, providers[s.provider_id].legal_name, providers[s.provider_id].country,
          s.source_category,
          "; ".join(a.kind.label for a in agreements.get(s.provider_id, [])) or None,
          s.licence_training_permitted,
          "; ".join(basis_text(b) for b in bases.get(s.id, []))
          or ("no PI" if not s.contains_pi else None)]
         for s in supplies]))
    doc.section("规模与类型 Scale and types").tables.append(Table(
        ["Data set", "Modality", "Volume", "People concerned", "Personal information",
         "Sensitive PI", "Intended use"],
        [[s.name, s.modality, s.volume, s.people_concerned, s.contains_pi,
          s.contains_sensitive_pi, s.intended_use] for s in supplies]))
    doc.section("内容抽检 Content sampling (TC260-003-2024 [check])").tables.append(Table(
        ["Data set", "Sampled on", "Illegal / harmful share (%)"],
        [[s.name, s.sampling_done_on, s.sampling_illegal_pct] for s in supplies]))
    labelling = doc.section("标注规则 Labelling rules and quality checks (Art 8)")
    annotated = [s for s in supplies if s.source_category == SourceCategory.ANNOTATION_SERVICE]
    labelling.tables.append(Table(["Data set", "Annotation provider", "Labelling rules and QA"],
                                  [[s.name, providers[s.provider_id].legal_name,
                                    s.labelling_rules or "not recorded"] for s in annotated]))
    return doc


def dossier(session: Session, *, register: str, today: date, provider_id: int) -> Document:
    """A provider's due-diligence file for an auditor or a regulator."""
    from tracker.formatting import audit_diff
    from tracker.reports.document import Table

    found = provider_file(session, provider_id)
    assert found is not None
    p = found.provider
    doc = Document(f"Due-diligence dossier: {p.legal_name}", _stamp(session, register, today))
    doc.section("Provider").tables.append(Table(["Field", "Value"], [
        ["Legal name", p.legal_name], ["Country", p.country], ["Role", p.role],
        ["Risk tier", p.risk_tier], ["Status", p.status], ["Ownership", p.ownership],
        ["State-owned", p.state_owned], ["Foreign-state access exposure",
                                          p.foreign_state_access],
        ["CIIO", p.is_ciio], ["Important data", p.handles_important_data],
        ["Contact", f"{p.contact_name or ''} {p.contact_email or ''}".strip() or None]]))
    doc.section("Supplies and legal bases").tables.append(Table(
        ["Data set", "Category", "PI", "Sensitive", "Minors", "Legal bases"],
        [[s.name, s.source_category, s.contains_pi, s.contains_sensitive_pi,
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
        ["Kind", "Location", "Supports", "Valid until", "Size (bytes)", "SHA-256"],
        [[e.kind, e.location, e.supports, e.valid_until, e.size_bytes, e.sha256]
         for e in found.evidence]))
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
