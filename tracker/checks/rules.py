"""Gap rules: each a small function over one provider's records, returning the gaps it
finds with severity, why, the article and the fix. Pure: tests build records in memory."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from tracker.domain.cac_thresholds import ExportCount, classify_export, count_for_year
from tracker.domain.cac_thresholds import mechanism_covers as covers
from tracker.domain.enums import (
    AgreementKind,
    AssessmentKind,
    AssessmentOutcome,
    ClauseStatus,
    IntendedUse,
    ProviderRole,
    ProviderStatus,
    Regime,
    SourceCategory,
)
from tracker.domain.regimes import regimes_for

# TC260-003-2024 [check]: do not use a source with more than 5% illegal or harmful content.
SAMPLING_LIMIT_PCT = 5.0
TRAINING_USES = frozenset({IntendedUse.PRE_TRAINING, IntendedUse.FINE_TUNING})


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}


@dataclass(frozen=True, slots=True)
class Gap:
    rule: str
    severity: Severity
    article: str
    provider_id: int
    provider: str
    subject: str
    why: str
    fix: str
    entity: str = "provider"
    entity_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity.value, "article": self.article,
                "provider_id": self.provider_id, "provider": self.provider,
                "subject": self.subject, "why": self.why, "fix": self.fix,
                "entity": self.entity, "entity_id": self.entity_id}


@dataclass
class ProviderRecords:
    """One provider and what belongs to it, as the rules read them (ORM rows or stand-ins)."""

    provider: Any
    supplies: list[Any] = field(default_factory=list)
    legal_bases: dict[int, list[Any]] = field(default_factory=dict)
    agreements: list[Any] = field(default_factory=list)
    clauses: dict[int, list[Any]] = field(default_factory=dict)
    transfers: list[Any] = field(default_factory=list)
    assessments: list[Any] = field(default_factory=list)
    evidence: list[Any] = field(default_factory=list)
    review_overdue_since: date | None = None
    # Decided reviews with no checklist recorded (history; tracker.domain.derived).
    unrecorded_checklists: set[int] = field(default_factory=set)


Rule = Callable[[ProviderRecords, date], Iterable[Gap]]
RULES: list[tuple[str, Rule]] = []


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(function: Rule) -> Rule:
        RULES.append((name, function))
        return function
    return register


def _gap(r: ProviderRecords, rule_name: str, severity: Severity, article: str, subject: str,
         why: str, fix: str, entity: str = "provider", entity_id: int | None = None) -> Gap:
    p = r.provider
    return Gap(rule_name, severity, article, int(p.id), p.legal_name, subject, why, fix,
               entity, entity_id)


def _supply(s: Any) -> str:
    return f"supply “{s.name}”"


def applicable_regimes(r: ProviderRecords) -> set[Regime]:
    countries = {r.provider.country} | {t.origin_country for t in r.transfers}
    return regimes_for(countries)


@rule("pi-without-legal-basis")
def pi_without_legal_basis(r: ProviderRecords, today: date) -> Iterable[Gap]:
    regimes = applicable_regimes(r)
    for s in r.supplies:
        if not s.contains_pi:
            continue
        held = {b.regime for b in r.legal_bases.get(s.id, [])}
        for regime in sorted(regimes - held - ({Regime.GDPR} if Regime.UK_GDPR in held and
                                                 Regime.GDPR not in regimes else set())):
            yield _gap(r, "pi-without-legal-basis", Severity.CRITICAL, regime.article,
                       _supply(s), f"holds personal information and {regime.label} applies, "
                       f"but no {regime.label} legal basis is recorded",
                       f"record the {regime.label} legal basis with its evidence",
                       "supply", s.id)


@rule("special-category-without-art9")
def special_category_without_art9(r: ProviderRecords, today: date) -> Iterable[Gap]:
    for s in r.supplies:
        if not s.contains_sensitive_pi:
            continue
        for basis in r.legal_bases.get(s.id, []):
            if basis.regime in (Regime.GDPR, Regime.UK_GDPR) and basis.gdpr_art9 is None:
                yield _gap(r, "special-category-without-art9", Severity.CRITICAL,
                           "GDPR Art 9(2)", _supply(s),
                           "holds special-category data but its GDPR basis has no Art 9(2) "
                           "condition", "record the Art 9(2) condition (e.g. explicit consent)",
                           "legal_basis", basis.id)


@rule("sensitive-without-separate-consent")
def sensitive_without_separate_consent(r: ProviderRecords, today: date) -> Iterable[Gap]:
    if Regime.PIPL not in applicable_regimes(r):
        return
    for s in r.supplies:
        if not (s.contains_sensitive_pi or s.contains_minors_data):
            continue
        bases = [b for b in r.legal_bases.get(s.id, []) if b.regime == Regime.PIPL]
        if not any(b.separate_consent for b in bases):
            what = "PI of minors" if s.contains_minors_data else "sensitive PI"
            yield _gap(r, "sensitive-without-separate-consent", Severity.CRITICAL,
                       "PIPL Art 29, 31", _supply(s),
                       f"holds {what} without recorded separate consent"
                       + (" (guardian consent for children under 14)"
                          if s.contains_minors_data else ""),
                       "obtain and record separate (guardian) consent, with its evidence",
                       "supply", s.id)


@rule("outbound-without-notice-and-consent")
def outbound_without_notice(r: ProviderRecords, today: date) -> Iterable[Gap]:
    for t in r.transfers:
        holds_pi = t.people_non_sensitive or t.people_sensitive or any(
            s.contains_pi for s in r.supplies if s.id == t.supply_id) or (
            t.supply_id is None and getattr(r.provider, "holds_personal_info", None))
        if t.origin_country == "CN" and holds_pi and not t.notice_and_consent:
            yield _gap(r, "outbound-without-notice-and-consent", Severity.CRITICAL,
                       "PIPL Art 39", f"transfer {t.origin_country}→{t.destination_country}",
                       "personal information leaves China without the Art 39 notice and "
                       "separate consent recorded",
                       "give the Art 39 notice, obtain separate consent, record both",
                       "transfer", t.id)


@rule("transfer-without-mechanism")
def transfer_without_mechanism(r: ProviderRecords, today: date) -> Iterable[Gap]:
    for t in r.transfers:
        if t.mechanism is None and t.exemption is None:
            yield _gap(r, "transfer-without-mechanism", Severity.CRITICAL,
                       "PIPL Art 38; GDPR Art 44", f"transfer {t.origin_country}→"
                       f"{t.destination_country}", "has neither a mechanism nor an exemption",
                       "record the mechanism or the exemption it relies on", "transfer", t.id)


@rule("transfer-volume-needs-stricter-mechanism")
def transfer_volume(r: ProviderRecords, today: date) -> Iterable[Gap]:
    outbound = [t for t in r.transfers if t.origin_country == "CN"]
    if not outbound:
        return
    totals = [count_for_year(t.count_year, t.people_non_sensitive, t.people_sensitive,
                             today.year) for t in outbound]
    required = classify_export(ExportCount(sum(a for a, _ in totals), sum(b for _, b in totals),
                                           r.provider.is_ciio,
                                           r.provider.handles_important_data))
    if not any(covers(t.mechanism, required) for t in outbound):
        yield _gap(r, "transfer-volume-needs-stricter-mechanism", Severity.CRITICAL,
                   "2024 CAC Provisions Art 7-8", "outbound personal information",
                   f"this year's volume requires {required.label}, which no transfer records",
                   f"put a {required.label} in place before further exports",
                   "transfer", outbound[0].id)


@rule("filing-expired")
def filing_expired(r: ProviderRecords, today: date) -> Iterable[Gap]:
    for t in r.transfers:
        if t.filing_expires_on is not None and t.filing_expires_on < today:
            yield _gap(r, "filing-expired", Severity.CRITICAL,
                       "CAC Security Assessment Measures Art 14",
                       f"transfer {t.origin_country}→{t.destination_country}",
                       f"its filing / approval expired on {t.filing_expires_on.isoformat()}",
                       "renew the filing, or stop the transfer", "transfer", t.id)


PROCESSING_CONTRACTS = {AgreementKind.DPA, AgreementKind.ENTRUSTED_PROCESSING}


@rule("processor-without-contract")
def processor_without_contract(r: ProviderRecords, today: date) -> Iterable[Gap]:
    if r.provider.role != ProviderRole.PROCESSOR:
        return
    contracts = [a for a in r.agreements if a.kind in PROCESSING_CONTRACTS]
    if not contracts:
        yield _gap(r, "processor-without-contract", Severity.HIGH, "GDPR Art 28(3); PIPL Art 21",
                   "processing contract", "a processor / entrusted party with no DPA or "
                   "entrusted-processing contract", "sign a DPA or PIPL Art 21 contract")
    for agreement in contracts:
        missing = [c for c in r.clauses.get(agreement.id, [])
                   if c.status == ClauseStatus.MISSING]
        if missing:
            from tracker.domain.checklists import ALL_CLAUSES

            names = "; ".join(ALL_CLAUSES[c.clause].text for c in missing
                              if c.clause in ALL_CLAUSES)
            yield _gap(r, "contract-missing-clauses", Severity.HIGH,
                       agreement.kind.article, f"{agreement.kind.label} “{agreement.title or ''}”",
                       f"{len(missing)} required clause(s) missing: {names}",
                       "amend the agreement and mark the clauses present", "agreement",
                       agreement.id)


@rule("expired-still-relied-on")
def expired_still_relied_on(r: ProviderRecords, today: date) -> Iterable[Gap]:
    if r.provider.status not in (ProviderStatus.ACTIVE, ProviderStatus.PROSPECTIVE):
        return
    for a in r.agreements:
        if a.expires_on is not None and a.expires_on < today and not a.auto_renewal:
            yield _gap(r, "agreement-expired", Severity.HIGH, a.kind.article,
                       f"{a.kind.label} “{a.title or ''}”",
                       f"expired on {a.expires_on.isoformat()} while the provider is "
                       f"{r.provider.status.label.lower()}",
                       "renew it, or suspend the provider and stop using its data",
                       "agreement", a.id)
    for e in r.evidence:
        if e.valid_until is not None and e.valid_until < today:
            yield _gap(r, "evidence-expired", Severity.MEDIUM, "GDPR Art 42(7)",
                       f"evidence {e.location}", f"valid until {e.valid_until.isoformat()}",
                       "obtain the current certificate or report", "evidence", e.id)


@rule("licence-does-not-cover-training")
def licence_gaps(r: ProviderRecords, today: date) -> Iterable[Gap]:
    for s in r.supplies:
        if s.intended_use in TRAINING_USES and s.licence_training_permitted is False:
            yield _gap(r, "licence-does-not-cover-training", Severity.CRITICAL,
                       "Interim Measures Art 7(2)", _supply(s),
                       "its licence does not permit AI training, yet it is meant for training",
                       "renegotiate the licence or stop using the data for training",
                       "supply", s.id)
        open_source = (s.source_category == SourceCategory.PUBLIC_DATASET
                       or r.provider.role == ProviderRole.OPEN_SOURCE)
        if open_source and not s.licence_name:
            yield _gap(r, "open-source-without-licence", Severity.HIGH,
                       "Interim Measures Art 7(2); TC260-003-2024 [check]", _supply(s),
                       "an open-source or public corpus with no licence recorded",
                       "record the corpus licence and check it allows training",
                       "supply", s.id)


@rule("scraped-without-provenance")
def scraped_without_provenance(r: ProviderRecords, today: date) -> Iterable[Gap]:
    for s in r.supplies:
        if s.source_category == SourceCategory.SCRAPED and (
                not s.provenance_records or s.optout_respected is not True):
            yield _gap(r, "scraped-without-provenance", Severity.HIGH,
                       "TC260-003-2024 [check]; AI Act Art 53(1)(c)", _supply(s),
                       "scraped data without collection records or without opt-outs "
                       "(robots.txt) recorded as respected",
                       "record the collection records and the opt-out handling",
                       "supply", s.id)


@rule("content-sampling")
def content_sampling(r: ProviderRecords, today: date) -> Iterable[Gap]:
    for s in r.supplies:
        if s.intended_use not in TRAINING_USES or s.source_category in (
                SourceCategory.FOUNDATION_MODEL, SourceCategory.SYNTHETIC):
            continue
        if s.sampling_done_on is None or s.sampling_illegal_pct is None:
            yield _gap(r, "content-sampling-not-done", Severity.HIGH, "TC260-003-2024 [check]",
                       _supply(s), "no illegal / harmful content sampling recorded",
                       "sample the content and record the share found", "supply", s.id)
        elif s.sampling_illegal_pct > SAMPLING_LIMIT_PCT:
            yield _gap(r, "content-sampling-over-limit", Severity.CRITICAL,
                       "TC260-003-2024 [check]", _supply(s),
                       f"{s.sampling_illegal_pct:g}% illegal or harmful content in the sample "
                       f"(limit {SAMPLING_LIMIT_PCT:g}%)",
                       "do not use this source until filtered and re-sampled under the limit",
                       "supply", s.id)


@rule("annotation-without-rules")
def annotation_without_rules(r: ProviderRecords, today: date) -> Iterable[Gap]:
    for s in r.supplies:
        if s.source_category == SourceCategory.ANNOTATION_SERVICE and not s.labelling_rules:
            yield _gap(r, "annotation-without-rules", Severity.MEDIUM, "Interim Measures Art 8",
                       _supply(s), "an annotation service with no labelling rules or QA "
                       "sampling recorded", "record the labelling rules and QA sampling",
                       "supply", s.id)


@rule("review-tier-and-date")
def review_tier_and_date(r: ProviderRecords, today: date) -> Iterable[Gap]:
    if r.provider.status == ProviderStatus.OFFBOARDED:
        return
    if r.provider.risk_tier is None:
        yield _gap(r, "no-risk-tier", Severity.MEDIUM, "DOMAIN checklist item 30",
                   "risk tier", "no risk tier set", "set the provider's risk tier")
    reviews = [a for a in r.assessments if a.kind == AssessmentKind.DUE_DILIGENCE]
    if not any(a.next_review_on for a in reviews):
        yield _gap(r, "no-next-review-date", Severity.MEDIUM, "DOMAIN checklist item 30",
                   "next review", "no next review date set",
                   "record a due-diligence review with its next review date")
    if r.review_overdue_since is not None:
        yield _gap(r, "review-overdue", Severity.HIGH, "GDPR Art 28(1); vendor-risk practice",
                   "due-diligence review",
                   f"review overdue since {r.review_overdue_since.isoformat()}",
                   "review the provider now")


@rule("review-checklist-not-recorded")
def review_checklist_not_recorded(r: ProviderRecords, today: date) -> Iterable[Gap]:
    """The latest decided review has no recorded checklist (history entered after the
    fact): nothing shows what was checked, so the next review must record it."""
    if not r.unrecorded_checklists:
        return
    reviews = [a for a in r.assessments if a.kind == AssessmentKind.DUE_DILIGENCE
               and a.outcome != AssessmentOutcome.PENDING]
    if not reviews:
        return
    latest = max(reviews, key=lambda a: (a.assessed_on or date.min, a.id or 0))
    if latest.id in r.unrecorded_checklists:
        when = latest.assessed_on.isoformat() if latest.assessed_on else "undated"
        yield _gap(r, "review-checklist-not-recorded", Severity.HIGH,
                   "GDPR Art 28(1), Art 5(2); DOMAIN due-diligence checklist",
                   f"due-diligence review of {when}",
                   "the review was recorded as decided without its 30-item checklist: "
                   "nothing shows what was checked",
                   "record a new review and answer its checklist",
                   entity="assessment", entity_id=latest.id)


def provider_gaps(records: ProviderRecords, today: date) -> list[Gap]:
    gaps = [gap for _, function in RULES for gap in function(records, today)]
    return sorted(gaps, key=lambda g: (SEVERITY_ORDER[g.severity], g.rule, g.subject))


# issue 18 import: a register's provider-level "holds personal information?" answer.
@rule("personal-info-without-supply")
def personal_info_without_supply(r: ProviderRecords, today: date) -> Iterable[Gap]:
    """The register says the provider holds or receives personal information, but no
    supply of it is recorded as holding any: the legal-basis, consent and transfer rules
    run per supply, so none of them can see that information until it is recorded."""
    if not getattr(r.provider, "holds_personal_info", None) or any(
            s.contains_pi for s in r.supplies):
        return
    yield _gap(r, "personal-info-without-supply", Severity.HIGH, "GDPR Art 6, 30; PIPL Art 13",
               "personal information", "the provider is marked as holding personal "
               "information, but no supply records which (so no legal basis is checked)",
               "record the supply with 'Holds personal information' and its legal basis")
