"""Gap rules: each a small function over one provider's records, returning the gaps it
finds with severity, why, the article and the fix. Pure: tests build records in memory."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any, NamedTuple

from tracker.domain import china, doj
from tracker.domain.cac_thresholds import ExportCount, classify_export, volume_counts
from tracker.domain.cac_thresholds import mechanism_covers as covers
from tracker.domain.citations import Citation
from tracker.domain.dates import shift_months
from tracker.domain.derived import is_sensitive_pi
from tracker.domain.enums import (
    AgreementKind,
    AssessmentKind,
    AssessmentOutcome,
    ClauseStatus,
    DojTransaction,
    EvidenceKind,
    ImportantDataStatus,
    IntendedUse,
    ProviderRole,
    ProviderStatus,
    Regime,
    ReminderKind,
    ScrapedPiHandling,
    SourceCategory,
    TransferExemption,
    TransferMechanism,
)
from tracker.domain.regimes import (
    Facts,
    Law,
    Organisation,
    applicable_laws,
    codes,
    parse_country_list,
)
from tracker.domain.regimes import applicable_regimes as regimes_of
from tracker.domain.text import agreement_subject

# TC260-003-2024 [check]: do not use a source with more than 5% illegal or harmful content.
SAMPLING_LIMIT_PCT = 5.0
TRAINING_USES = frozenset({IntendedUse.PRE_TRAINING, IntendedUse.FINE_TUNING})


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}


class Gap(NamedTuple):
    """One finding. A named tuple, not a frozen dataclass: a register has ~450,000 of them,
    and a frozen dataclass's ``__init__`` (one ``object.__setattr__`` a field) cost 2.5 µs
    a gap against 0.5 µs here (~1 s of `tracker check` at 100,000 providers); it is as
    immutable and hashable, read by attribute the same way."""

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
    # The article was read in a secondary summary (DOMAIN.md "[check]"): reports footnote it.
    secondary_source: bool = False

    @property
    def citation(self) -> Citation:
        return Citation(self.article, self.secondary_source)

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity.value, "article": self.article,
                "secondary_source": self.secondary_source,
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
    # issue 14 rules
    triggers: list[Any] = field(default_factory=list)
    # The provider's overdue reminders (tracker.reminders: China's working days are there),
    # so every legal duty with a date is a gap too (LEGAL_REMINDERS).
    overdue_reminders: list[Any] = field(default_factory=list)
    organisation: Organisation = field(default_factory=Organisation)


Rule = Callable[[ProviderRecords, date], Iterable[Gap]]
RULES: list[tuple[str, Rule]] = []
# The record lists a rule can find a gap in, when it can find one only there (it yields
# nothing while they are all empty): each provider runs only the rules its records can
# trip, where ~29 rules, each a generator, cost ~1 s at 100,000 providers run on every one.
GATED_BY = ("supplies", "transfers", "agreements", "evidence", "triggers", "overdue_reminders")
READS: dict[str, frozenset[str]] = {}


def rule(name: str, *, only_with: tuple[str, ...] = ()) -> Callable[[Rule], Rule]:
    """Register a gap rule; ``only_with``: the lists (``GATED_BY``) outside which it can
    find no gap, so a provider with all of them empty skips it (``test_checks`` holds every
    gated rule to finding nothing on a provider with none)."""
    assert set(only_with) <= set(GATED_BY), only_with

    def register(function: Rule) -> Rule:
        RULES.append((name, function))
        if only_with:
            READS[name] = frozenset(only_with)
        return function
    return register


@cache
def _rules_for(present: tuple[bool, ...]) -> tuple[Rule, ...]:
    """The rules, in their order, that can find a gap in a provider whose ``GATED_BY``
    lists are non-empty where ``present`` says so."""
    held = {name for name, there in zip(GATED_BY, present, strict=True) if there}
    return tuple(function for name, function in RULES
                 if name not in READS or not READS[name].isdisjoint(held))


def _gap(r: ProviderRecords, rule_name: str, severity: Severity, article: str | Citation,
         subject: str, why: str, fix: str, entity: str = "provider",
         entity_id: int | None = None) -> Gap:
    p = r.provider
    cited = article if isinstance(article, Citation) else _cited(article)
    return _new_gap(Gap, (rule_name, severity, cited.article, int(p.id), p.legal_name, subject,
                          why, fix, entity, entity_id, cited.secondary))


# Gap's fields in order, without its generated keyword-taking __new__ (half a gap's cost).
_new_gap = tuple.__new__


@cache
def _cited(article: str) -> Citation:
    """One parse per article text: a register's ~400,000 gaps cite a few dozen."""
    return Citation.of(article)


@cache
def _lookback_start(today: date) -> date:
    return shift_months(today, -doj.LOOKBACK_MONTHS)


def _get(record: Any, name: str, default: Any = None) -> Any:
    """A field the rules of issue 14 read: stand-in records written before it lack it."""
    return getattr(record, name, default)


def _supply(s: Any) -> str:
    return f"supply “{s.name}”"


def facts(r: ProviderRecords, supply: Any | None = None) -> Facts:
    """Both sides of the provider's data (tracker.domain.regimes): the supplier's country and
    where its data leaves from, the company's establishment and markets, and where the data
    subjects are (one supply's, or every supply's)."""
    supplies = [supply] if supply is not None else r.supplies
    subjects: frozenset[str] = frozenset()
    for s in supplies:
        subjects |= parse_country_list(_get(s, "data_subject_countries"))
    return Facts(supplier=codes([r.provider.country]),
                 origin=codes(t.origin_country for t in r.transfers),
                 establishment=r.organisation.established_in,
                 markets=r.organisation.markets, data_subjects=subjects)


def applicable_regimes(r: ProviderRecords, supply: Any | None = None) -> set[Regime]:
    return regimes_of(facts(r, supply))


def laws(r: ProviderRecords, supply: Any | None = None) -> set[Law]:
    return applicable_laws(facts(r, supply))


@rule("pi-without-legal-basis", only_with=("supplies",))
def pi_without_legal_basis(r: ProviderRecords, today: date) -> Iterable[Gap]:
    for s in r.supplies:
        if not s.contains_pi:
            continue
        regimes = applicable_regimes(r, s)
        held = {b.regime for b in r.legal_bases.get(s.id, [])}
        for regime in sorted(regimes - held - ({Regime.GDPR} if Regime.UK_GDPR in held and
                                                 Regime.GDPR not in regimes else set())):
            yield _gap(r, "pi-without-legal-basis", Severity.CRITICAL, regime.article,
                       _supply(s), f"holds personal information and {regime.label} applies, "
                       f"but no {regime.label} legal basis is recorded",
                       f"record the {regime.label} legal basis with its evidence",
                       "supply", s.id)


@rule("special-category-without-art9", only_with=("supplies",))
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


@rule("sensitive-without-separate-consent", only_with=("supplies",))
def sensitive_without_separate_consent(r: ProviderRecords, today: date) -> Iterable[Gap]:
    for s in r.supplies:
        if not is_sensitive_pi(s):
            continue
        if Regime.PIPL not in applicable_regimes(r, s):
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


@rule("outbound-without-notice-and-consent", only_with=("transfers",))
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


@rule("transfer-without-mechanism", only_with=("transfers",))
def transfer_without_mechanism(r: ProviderRecords, today: date) -> Iterable[Gap]:
    for t in r.transfers:
        if t.mechanism is None and t.exemption is None:
            yield _gap(r, "transfer-without-mechanism", Severity.CRITICAL,
                       "PIPL Art 38; GDPR Art 44", f"transfer {t.origin_country}→"
                       f"{t.destination_country}", "has neither a mechanism nor an exemption",
                       "record the mechanism or the exemption it relies on", "transfer", t.id)


@rule("transfer-volume-needs-stricter-mechanism", only_with=("transfers",))
def transfer_volume(r: ProviderRecords, today: date) -> Iterable[Gap]:
    outbound = [t for t in r.transfers if t.origin_country == "CN"]
    if not outbound:
        return
    sensitive = {s.id for s in r.supplies if is_sensitive_pi(s)}
    totals = [volume_counts(t.count_year, t.people_non_sensitive, t.people_sensitive,
                            today.year, exemption=t.exemption,
                            on_negative_list=_get(t, "on_negative_list"),
                            sensitive_data=t.supply_id in sensitive) for t in outbound]
    required = classify_export(ExportCount(sum(a for a, _ in totals), sum(b for _, b in totals),
                                           r.provider.is_ciio, important_data(r)))
    if not any(covers(t.mechanism, required) for t in outbound):
        yield _gap(r, "transfer-volume-needs-stricter-mechanism", Severity.CRITICAL,
                   "2024 CAC Provisions Art 7-8", "outbound personal information",
                   f"this year's volume requires {required.label}, which no transfer records",
                   f"put a {required.label} in place before further exports",
                   "transfer", outbound[0].id)


@rule("filing-expired", only_with=("transfers",))
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


@rule("contract-missing-clauses", only_with=("agreements",))
def contract_missing_clauses(r: ProviderRecords, today: date) -> Iterable[Gap]:
    """Every agreement held to a statutory clause checklist (GDPR Art 28(3), PIPL Art 21,
    NDSMR Art 12) with a clause marked missing."""
    for agreement in r.agreements:
        missing = [c for c in r.clauses.get(agreement.id, [])
                   if c.status == ClauseStatus.MISSING]
        if missing:
            from tracker.domain.checklists import ALL_CLAUSES

            names = "; ".join(ALL_CLAUSES[c.clause].text for c in missing
                              if c.clause in ALL_CLAUSES)
            yield _gap(r, "contract-missing-clauses", Severity.HIGH,
                       agreement.kind.article, agreement_subject(agreement.kind.label,
                                                                 agreement.title),
                       f"{len(missing)} required clause(s) missing: {names}",
                       "amend the agreement and mark the clauses present", "agreement",
                       agreement.id)


@rule("expired-still-relied-on", only_with=("agreements", "evidence"))
def expired_still_relied_on(r: ProviderRecords, today: date) -> Iterable[Gap]:
    if r.provider.status not in (ProviderStatus.ACTIVE, ProviderStatus.PROSPECTIVE):
        return
    for a in r.agreements:
        if a.expires_on is not None and a.expires_on < today and not a.auto_renewal:
            yield _gap(r, "agreement-expired", Severity.HIGH, a.kind.article,
                       agreement_subject(a.kind.label, a.title),
                       f"expired on {a.expires_on.isoformat()} while the provider is "
                       f"{r.provider.status.label.lower()}",
                       "renew it, or suspend the provider and stop using its data",
                       "agreement", a.id)
    for e in r.evidence:
        if e.valid_until is not None and e.valid_until < today:
            yield _gap(r, "evidence-expired", Severity.MEDIUM, "GDPR Art 42(7)",
                       f"evidence {e.location}", f"valid until {e.valid_until.isoformat()}",
                       "obtain the current certificate or report", "evidence", e.id)


@rule("licence-does-not-cover-training", only_with=("supplies",))
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


@rule("scraped-without-provenance", only_with=("supplies",))
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


@rule("content-sampling", only_with=("supplies",))
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


@rule("annotation-without-rules", only_with=("supplies",))
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


# --- issue 14 rules -------------------------------------------------------------------------

def important_data(r: ProviderRecords) -> bool:
    """Important data for the export rules: the provider is recorded as handling it, or a
    supply's data was notified or published as such. A processor's own declaration alone
    does not make data important (NDSMR Art 29, 37)."""
    return bool(r.provider.handles_important_data) or any(
        _get(s, "important_data_status") == ImportantDataStatus.NOTIFIED for s in r.supplies)


def _route(t: Any) -> str:
    return f"transfer {t.origin_country}→{t.destination_country}"


def _holds_pi(r: ProviderRecords, t: Any) -> bool:
    return bool(t.people_non_sensitive or t.people_sensitive or any(
        s.contains_pi for s in r.supplies if s.id == t.supply_id))


def _decided(a: Any) -> bool:
    return a.outcome in (AssessmentOutcome.APPROVED, AssessmentOutcome.APPROVED_WITH_CONDITIONS)


def pipia_triggers(r: ProviderRecords) -> list[str]:
    """The PIPL Art 55 items this provider's data triggers (where PIPL applies)."""
    found: dict[str, None] = {}
    for s in r.supplies:
        if not s.contains_pi or Law.PIPL not in laws(r, s):
            continue
        if is_sensitive_pi(s):
            found["(1) sensitive PI" + (" (minors under 14, Art 28)"
                                        if s.contains_minors_data else "")] = None
        if _get(s, "automated_decisions"):
            found["(2) automated decision-making"] = None
        if r.provider.role == ProviderRole.PROCESSOR:
            found["(3) entrusted processing"] = None
        elif r.provider.role in (ProviderRole.INDEPENDENT_CONTROLLER,
                                 ProviderRole.JOINT_CONTROLLER, ProviderRole.LICENSOR):
            found["(3) PI provided by another processor"] = None
        if _get(s, "public_disclosure"):
            found["(3) public disclosure"] = None
        if _get(s, "significant_impact"):
            found["(5) other processing with significant impact"] = None
    if any(t.origin_country == "CN" and _holds_pi(r, t) for t in r.transfers):
        found["(4) providing PI abroad"] = None
    return sorted(found)


@rule("pipia-missing")
def pipia_missing(r: ProviderRecords, today: date) -> Iterable[Gap]:
    """PIPL Art 55: a PIPIA before sensitive PI, automated decisions, entrusting, providing
    or disclosing PI, providing it abroad, or other significant impact; Art 56: the report is
    kept at least 3 years."""
    triggers = pipia_triggers(r)
    pipias = [a for a in r.assessments if a.kind == AssessmentKind.PIPIA]
    done = [a for a in pipias if a.assessed_on is not None
            and a.outcome != AssessmentOutcome.REJECTED]
    if triggers and not done:
        yield _gap(r, "pipia-missing", Severity.CRITICAL, china.PIPIA_REQUIRED, "PIPIA",
                   "no PI protection impact assessment recorded, while PIPL Art 55 requires "
                   "one for: " + "; ".join(triggers),
                   "carry out the PIPIA before processing, record it with its date and a "
                   "retain-until date at least 3 years on")
    for a in done:
        least = china.plus_years(a.assessed_on, china.PIPIA_RETENTION_YEARS)
        if a.retain_until is None or a.retain_until < least:
            kept = a.retain_until.isoformat() if a.retain_until else "no retain-until date"
            yield _gap(r, "pipia-retention-short", Severity.HIGH, china.PIPIA_RETENTION,
                       f"PIPIA of {a.assessed_on.isoformat()}",
                       f"kept until {kept}; the report must be kept at least 3 years "
                       f"(until {least.isoformat()} or later)",
                       f"set retain-until to {least.isoformat()} or later",
                       "assessment", a.id)


LINKED_AGREEMENT = {TransferMechanism.CN_STANDARD_CONTRACT: AgreementKind.CN_STANDARD_CONTRACT,
                    TransferMechanism.EU_SCC: AgreementKind.EU_SCC}


@rule("transfer-document-missing", only_with=("transfers",))
def transfer_document(r: ProviderRecords, today: date) -> Iterable[Gap]:
    """A transfer whose mechanism is a document (standard contract, SCCs, security
    assessment, certificate) links it; the document's expiry counts."""
    agreements = {a.id: a for a in r.agreements}
    for t in r.transfers:
        m = t.mechanism
        linked_evidence = [e for e in r.evidence if _get(e, "transfer_id") == t.id]
        if m in LINKED_AGREEMENT:
            wanted = LINKED_AGREEMENT[m]
            agreement = agreements.get(_get(t, "agreement_id"))
            if agreement is None or agreement.kind != wanted:
                yield _gap(r, "transfer-document-missing", Severity.CRITICAL, m.article,
                           _route(t), f"relies on a {wanted.label} that is not on file "
                           "(no agreement of that kind linked to the transfer)",
                           f"record the signed {wanted.label} and link it to the transfer",
                           "transfer", t.id)
            elif (agreement.expires_on is not None and agreement.expires_on < today
                  and not agreement.auto_renewal):
                yield _gap(r, "transfer-document-expired", Severity.CRITICAL, m.article,
                           _route(t), f"its {wanted.label} expired on "
                           f"{agreement.expires_on.isoformat()}",
                           "renew the contract, or stop the transfer", "transfer", t.id)
            elif m == TransferMechanism.CN_STANDARD_CONTRACT and t.origin_country == "CN" \
                    and t.effective_on is None and agreement.effective_on is None:
                yield _gap(r, "standard-contract-undated", Severity.MEDIUM,
                           china.STANDARD_CONTRACT_FILING, _route(t),
                           "no date it took effect, so the 10-working-day filing deadline "
                           "cannot be checked", "record the date the contract took effect",
                           "transfer", t.id)
        elif m == TransferMechanism.CAC_SECURITY_ASSESSMENT:
            if not t.filing_number and not linked_evidence:
                yield _gap(r, "transfer-document-missing", Severity.CRITICAL, m.article,
                           _route(t), "relies on a CAC security assessment with no approval "
                           "number and no approval document on file",
                           "record the approval number and its expiry, and add the approval "
                           "as evidence of the transfer", "transfer", t.id)
        elif m == TransferMechanism.PI_CERTIFICATION:
            yield from _certification(r, t, today, linked_evidence)


def _certification(r: ProviderRecords, t: Any, today: date,
                   linked: list[Any]) -> Iterable[Gap]:
    certificates = [e for e in linked if e.kind == EvidenceKind.CERTIFICATE]
    if today < china.CERTIFICATION_IN_FORCE:
        yield _gap(r, "certification-not-in-force", Severity.CRITICAL, china.CERTIFICATION,
                   _route(t), "PI protection certification as a transfer mechanism is in force "
                   f"from {china.CERTIFICATION_IN_FORCE.isoformat()}",
                   "use a standard contract until then", "transfer", t.id)
    elif t.effective_on is not None and t.effective_on < china.CERTIFICATION_IN_FORCE:
        # A mechanism covers transfers from the day it exists: those made between the
        # transfer's start and that day relied on nothing.
        yield _gap(r, "certification-not-in-force", Severity.HIGH, china.CERTIFICATION,
                   _route(t), f"took effect on {t.effective_on.isoformat()}, before PI "
                   "protection certification was a transfer mechanism (in force from "
                   f"{china.CERTIFICATION_IN_FORCE.isoformat()}): the transfers before that "
                   "day had no mechanism", "record the mechanism they relied on (e.g. a filed "
                   "standard contract) or correct the date", "transfer", t.id)
    if r.provider.is_ciio or important_data(r):
        yield _gap(r, "certification-outside-band", Severity.CRITICAL, china.CERTIFICATION,
                   _route(t), "certification is only for non-CIIOs without important data "
                   "(the standard-contract band)", "apply for a CAC security assessment",
                   "transfer", t.id)
    if not certificates:
        yield _gap(r, "transfer-document-missing", Severity.CRITICAL, china.CERTIFICATION,
                   _route(t), "relies on a PI protection certificate that is not on file",
                   "add the certificate as evidence of the transfer, with its validity end "
                   f"({china.CERTIFICATE_VALID_YEARS} years from issue)", "transfer", t.id)
        return
    current = [e for e in certificates if e.valid_until is None or e.valid_until >= today]
    if not current:
        last = max(e.valid_until for e in certificates)
        yield _gap(r, "transfer-document-expired", Severity.CRITICAL, china.CERTIFICATION,
                   _route(t), f"its PI protection certificate expired on {last.isoformat()}",
                   "renew the certification, or stop the transfer", "transfer", t.id)
    elif all(e.valid_until is None for e in current):
        yield _gap(r, "certificate-validity-unknown", Severity.MEDIUM, china.CERTIFICATION,
                   _route(t), "the certificate's validity end is not recorded (certificates "
                   f"are valid {china.CERTIFICATE_VALID_YEARS} years)",
                   "record the certificate's valid-until date", "transfer", t.id)


@rule("transfer-exemption-unsupported", only_with=("transfers",))
def transfer_exemption(r: ProviderRecords, today: date) -> Iterable[Gap]:
    """2024 Provisions Art 6: a free-trade-zone exemption names a zone with a published
    negative list and the edition checked, and the data is not on it."""
    lists = china.negative_lists()
    for t in r.transfers:
        if t.exemption != TransferExemption.FREE_TRADE_ZONE:
            continue
        zone, edition = _get(t, "free_trade_zone"), _get(t, "negative_list_edition")
        on_list = _get(t, "on_negative_list")
        problem = None
        if not zone or zone not in lists.zones:
            problem = (f"names {'no zone' if not zone else 'zone “' + zone + '”'}, not a "
                       "pilot free-trade zone with a published negative list")
        elif not edition:
            problem = "does not record which edition of the zone's negative list was checked"
        elif on_list is None:
            problem = "does not record whether the data is on the zone's negative list"
        elif on_list:
            problem = "the data is on the zone's negative list, so the exemption does not apply"
        if problem:
            yield _gap(r, "transfer-exemption-unsupported", Severity.CRITICAL,
                       Citation(china.FTZ_EXEMPTION.article, lists.secondary), _route(t),
                       f"relies on the free-trade-zone exemption but {problem}",
                       "record the zone, the list edition and the check, or use a mechanism",
                       "transfer", t.id)


@rule("security-assessment-scope", only_with=("transfers",))
def security_assessment_scope(r: ProviderRecords, today: date) -> Iterable[Gap]:
    """NDSMR Art 38: after an approved assessment, outbound data stays within the approved
    purpose, method, scope, categories and scale."""
    for t in r.transfers:
        if t.mechanism != TransferMechanism.CAC_SECURITY_ASSESSMENT or t.origin_country != "CN":
            continue
        approved, scope = _get(t, "approved_people"), _get(t, "approved_scope")
        people = sum(volume_counts(t.count_year, t.people_non_sensitive, t.people_sensitive,
                                   today.year))
        if approved is not None and people > approved:
            yield _gap(r, "security-assessment-scope-exceeded", Severity.CRITICAL,
                       "NDSMR Art 38", _route(t),
                       f"{people:,} people this year, above the {approved:,} the approved "
                       "assessment allows", "stop the excess and apply for a new assessment",
                       "transfer", t.id)
        if _get(t, "within_approved_scope") is False:
            yield _gap(r, "security-assessment-scope-exceeded", Severity.CRITICAL,
                       "NDSMR Art 38", _route(t), "outbound data goes beyond the approved "
                       "purpose, method, scope or categories" + (f" ({scope})" if scope else ""),
                       "bring the transfer back within the approval or apply anew",
                       "transfer", t.id)
        elif t.filing_number and not scope and approved is None:
            yield _gap(r, "security-assessment-scope-unrecorded", Severity.MEDIUM,
                       "NDSMR Art 38", _route(t), "the approval's purpose, scope, categories "
                       "and scale are not recorded, so staying within them cannot be shown",
                       "record the approved scope and scale", "transfer", t.id)


@rule("review-triggered", only_with=("triggers",))
def review_triggered(r: ProviderRecords, today: date) -> Iterable[Gap]:
    """An event recorded as a review trigger (a breach, a new sub-processor...) makes the
    review due at once: a gap from that day until a review dated on or after it."""
    if r.provider.status == ProviderStatus.OFFBOARDED:
        return
    reviews = [a.assessed_on for a in r.assessments if a.kind == AssessmentKind.DUE_DILIGENCE
               and a.assessed_on is not None and a.outcome != AssessmentOutcome.PENDING]
    last = max(reviews, default=None)
    for trigger in r.triggers:
        if trigger.occurred_on > today or (last is not None and last >= trigger.occurred_on):
            continue
        yield _gap(r, "review-triggered", Severity.HIGH, trigger.kind.article,
                   f"review after: {trigger.kind.label.lower()}",
                   f"{trigger.kind.label} on {trigger.occurred_on.isoformat()} makes the "
                   "review due at once; no review recorded since",
                   "review the provider now and record the review")


@rule("training-rights", only_with=("supplies",))
def training_rights(r: ProviderRecords, today: date) -> Iterable[Gap]:
    """Interim Measures Art 7(2); TC260-003: a training use needs a known training right; a
    commercial corpus needs its licence on file."""
    licences = [a for a in r.agreements
                if a.kind in (AgreementKind.DATA_LICENCE, AgreementKind.JOINT_MODELLING)]
    for s in r.supplies:
        if s.intended_use not in TRAINING_USES:
            continue
        if s.licence_training_permitted is None:
            yield _gap(r, "training-right-unknown", Severity.HIGH, "Interim Measures Art 7(2)",
                       _supply(s), "meant for training, but whether its licence permits AI "
                       "training is not recorded", "check the licence and record the answer",
                       "supply", s.id)
        if s.source_category == SourceCategory.LICENSED_PRIVATE and not any(
                a.supply_id in (None, s.id) for a in licences):
            yield _gap(r, "commercial-corpus-without-licence", Severity.CRITICAL,
                       china.COMMERCIAL_CORPUS, _supply(s),
                       "a commercial corpus used for training with no data licence on file",
                       "record the signed data licence (with the supplier's commitments on "
                       "source, quality and security)", "supply", s.id)


ART12_AGREEMENTS = frozenset({AgreementKind.DATA_PROVISION, AgreementKind.ENTRUSTED_PROCESSING,
                              AgreementKind.DPA, AgreementKind.JOINT_MODELLING})
PROVIDING_ROLES = frozenset({ProviderRole.INDEPENDENT_CONTROLLER, ProviderRole.JOINT_CONTROLLER,
                             ProviderRole.LICENSOR})


@rule("ndsmr-provision", only_with=("supplies",))
def ndsmr_provision(r: ProviderRecords, today: date) -> Iterable[Gap]:
    """NDSMR Art 12: providing PI to another processor or entrusting it needs an agreement on
    purpose, method, scope and security obligations, and records of each provision kept at
    least 3 years."""
    if r.provider.role not in PROVIDING_ROLES | {ProviderRole.PROCESSOR}:
        return
    pi = [s for s in r.supplies if s.contains_pi and Law.NDSMR in laws(r, s)]
    if not pi:
        return
    if r.provider.role in PROVIDING_ROLES and not any(
            a.kind in ART12_AGREEMENTS for a in r.agreements):
        yield _gap(r, "ndsmr-provision-without-agreement", Severity.HIGH, "NDSMR Art 12",
                   "PI provision agreement", "PI is provided by another processor with no "
                   "agreement on purpose, method, scope and security obligations",
                   "sign a PI provision agreement and check its NDSMR Art 12 clauses")
    for s in pi:
        until, provided = _get(s, "provision_log_until"), _get(s, "provided_on")
        least = china.plus_years(provided, china.PROVISION_LOG_YEARS) if provided else None
        if until is None or (least is not None and until < least):
            yield _gap(r, "ndsmr-provision-log", Severity.MEDIUM, china.PROVISION_LOG,
                       _supply(s), "no record of the provision kept for 3 years"
                       + (f" (kept until {until.isoformat()}, needs {least.isoformat()})"
                          if until and least else ""),
                       "keep the provision / entrustment records and record until when",
                       "supply", s.id)


@rule("ndsmr-scraped-pi", only_with=("supplies",))
def ndsmr_scraped_pi(r: ProviderRecords, today: date) -> Iterable[Gap]:
    """NDSMR Art 24: PI gathered by automated collection that is unnecessary or lacks
    consent is deleted or anonymised."""
    for s in r.supplies:
        if s.source_category != SourceCategory.SCRAPED or not s.contains_pi:
            continue
        if Law.NDSMR not in laws(r, s):
            continue
        handling = _get(s, "scraped_pi_handling")
        if handling in (None, ScrapedPiHandling.KEPT):
            yield _gap(r, "ndsmr-scraped-pi", Severity.HIGH, "NDSMR Art 24", _supply(s),
                       "scraped data holds PI "
                       + ("kept as collected" if handling else "with no record of its handling")
                       + ": unnecessary or unconsented PI must be deleted or anonymised",
                       "delete or anonymise it and record how", "supply", s.id)


@rule("important-data-outbound", only_with=("supplies",))
def important_data_outbound(r: ProviderRecords, today: date) -> Iterable[Gap]:
    """NDSMR Art 37 and 2024 Provisions Art 7: notified important data leaves China only
    after a security assessment (declared data is not important data until notified)."""
    notified = {s.id for s in r.supplies
                if _get(s, "important_data_status") == ImportantDataStatus.NOTIFIED}
    if not notified:
        return
    for t in r.transfers:
        if t.origin_country != "CN" or (t.supply_id is not None and t.supply_id not in notified):
            continue
        if t.mechanism != TransferMechanism.CAC_SECURITY_ASSESSMENT:
            yield _gap(r, "important-data-outbound", Severity.CRITICAL, "NDSMR Art 37",
                       _route(t), "carries data notified as important data without a CAC "
                       "security assessment", "stop the transfer until a security "
                       "assessment is approved", "transfer", t.id)


@rule("foundation-model-unassessed", only_with=("supplies",))
def foundation_model(r: ProviderRecords, today: date) -> Iterable[Gap]:
    """EDPB Opinion 28/2024: a deployer assesses that a model it uses was not developed by
    unlawfully processing PI; Interim Measures Art 7(1): foundation models from lawful
    sources."""
    models = [s for s in r.supplies if s.source_category == SourceCategory.FOUNDATION_MODEL]
    if not models:
        return
    if not any(a.kind == AssessmentKind.MODEL_LAWFULNESS and _decided(a) and a.assessed_on
               for a in r.assessments):
        for s in models:
            yield _gap(r, "foundation-model-unassessed", Severity.HIGH,
                       "EDPB Opinion 28/2024; Interim Measures Art 7(1)", _supply(s),
                       "no assessment that the model was not developed by unlawfully "
                       "processing PI (its sources, the developer's legal basis, findings "
                       "against it)", "assess the model's development and record it as a "
                       "model-lawfulness assessment", "supply", s.id)


def _doj_applies(r: ProviderRecords) -> bool:
    """28 CFR 202 binds US persons: the company established in the US, or, while the
    company's establishment is not set, any dealing the officer recorded."""
    org = r.organisation.established_in
    return not org or Law.US_DOJ_BULK in laws(r)


def covered_person(provider: Any) -> bool:
    return bool(_get(provider, "covered_person")) or provider.country in \
        doj.COUNTRIES_OF_CONCERN


def doj_bulk_counts(r: ProviderRecords, today: date) -> dict[Any, int]:
    """US persons per data category over the preceding 12 months, summed across this
    counterparty's dealings (28 CFR 202.205)."""
    since = _lookback_start(today)
    totals: dict[Any, int] = {}
    for s in r.supplies:
        category, people = _get(s, "doj_data_category"), _get(s, "us_persons")
        dealing, on = _get(s, "doj_transaction"), _get(s, "doj_transaction_on")
        if category is None or not people or dealing in (None, DojTransaction.NONE):
            continue
        if on is not None and not since < on <= today:
            continue
        totals[category] = totals.get(category, 0) + int(people)
    return totals


@rule("doj-bulk-data", only_with=("supplies",))
def doj_bulk_data(r: ProviderRecords, today: date) -> Iterable[Gap]:
    """28 CFR 202: data brokerage of bulk US sensitive data to a covered person is
    prohibited; vendor, employment and investment access is restricted (CISA requirements);
    brokerage to any foreign person needs the onward clause; records kept 10 years."""
    if not _doj_applies(r):
        return
    bulk = {c for c, n in doj_bulk_counts(r, today).items() if doj.is_bulk(c, n)}
    covered = covered_person(r.provider)
    foreign = r.provider.country != "US"
    for s in r.supplies:
        category, dealing = _get(s, "doj_data_category"), _get(s, "doj_transaction")
        if category not in bulk or dealing in (None, DojTransaction.NONE):
            continue
        what = f"{category.label.lower()} of more than {doj.BULK_MORE_THAN[category]:,} US " \
               f"persons in 12 months"
        if dealing == DojTransaction.DATA_BROKERAGE and covered:
            yield _gap(r, "doj-prohibited-brokerage", Severity.CRITICAL, doj.PROHIBITED,
                       _supply(s), f"data brokerage of bulk US sensitive data ({what}) to a "
                       "covered person or country of concern is prohibited",
                       "stop the transaction; report a rejected offer within 14 days",
                       "supply", s.id)
        elif dealing in doj.RESTRICTED_KINDS and covered and \
                _get(s, "doj_security_requirements") is not True:
            yield _gap(r, "doj-restricted-access", Severity.CRITICAL, doj.RESTRICTED,
                       _supply(s), f"a {dealing.label.lower()} gives a covered person access "
                       f"to bulk US sensitive data ({what}) without CISA's security "
                       "requirements and a compliance programme recorded",
                       "meet the CISA security requirements and record the compliance "
                       "programme, or end the access", "supply", s.id)
        if dealing == DojTransaction.DATA_BROKERAGE and foreign and not covered and \
                _get(s, "doj_onward_clause") is not True:
            yield _gap(r, "doj-onward-clause-missing", Severity.HIGH, doj.ONWARD_CLAUSE,
                       _supply(s), "data brokerage to a foreign person without a clause "
                       "forbidding onward brokerage to countries of concern",
                       "add the §202.302 clause to the contract", "supply", s.id)
        on, until = _get(s, "doj_transaction_on"), _get(s, "doj_records_until")
        least = china.plus_years(on, doj.RECORDS_YEARS) if on else None
        if until is None or (least is not None and until < least):
            yield _gap(r, "doj-records-retention", Severity.MEDIUM, doj.RECORDS, _supply(s),
                       "records of the covered dealing are not kept for 10 years",
                       f"keep them until {least.isoformat() if least else 'ten years on'}",
                       "supply", s.id)


# Reminder kinds that are legal duties: an overdue one is a gap. The value is the rule that
# raises it: a rule of its own (which reads the records directly), or "overdue-duty" below.
LEGAL_REMINDERS: dict[ReminderKind, str] = {
    ReminderKind.AGREEMENT_EXPIRY: "agreement-expired",
    ReminderKind.EVIDENCE_EXPIRY: "evidence-expired",
    ReminderKind.FILING_EXPIRY: "filing-expired",
    ReminderKind.PROVIDER_REVIEW: "review-overdue",
    ReminderKind.REVIEW_TRIGGERED: "review-triggered",
    ReminderKind.VOLUME_CLASS: "transfer-volume-needs-stricter-mechanism",
    ReminderKind.STANDARD_CONTRACT_FILING: "standard-contract-not-filed",
    ReminderKind.DOJ_REPORT: "doj-report-overdue",
    ReminderKind.PI_COMPLIANCE_AUDIT: "pi-compliance-audit-overdue",
    ReminderKind.PI_OFFICER_REPORT: "pi-officer-report-overdue",
}
# Not legal duties: a notice date is a contract's; the extension window opening is a
# reminder (the breach is the expiry, "filing-expired"); retention's end is a decision.
# A questionnaire's due date is the officer's own deadline for the supplier, not a legal one:
# what the answers would show (a missing clause, an unassessed transfer) is a gap of its own.
NOT_LEGAL_REMINDERS = frozenset({ReminderKind.AGREEMENT_NOTICE, ReminderKind.USER,
                                 ReminderKind.CAC_EXTENSION_WINDOW, ReminderKind.RETENTION_END,
                                 ReminderKind.QUESTIONNAIRE_OVERDUE})
# A duty whose start date is not known (never audited, the day 1 million was reached not
# recorded) is due at once: its reminder's uid ends so (tracker.reminders.derive).
NOW_SUFFIX = "-now"
OVERDUE_DUTY_SEVERITY = {ReminderKind.STANDARD_CONTRACT_FILING: Severity.CRITICAL,
                         ReminderKind.DOJ_REPORT: Severity.HIGH,
                         ReminderKind.PI_COMPLIANCE_AUDIT: Severity.HIGH,
                         ReminderKind.PI_OFFICER_REPORT: Severity.HIGH}


def overdue_duty_gap(reminder: Any, provider_id: int, provider: str) -> Gap:
    kind: ReminderKind = reminder.kind
    cited = Citation.of(kind.article)
    return Gap(LEGAL_REMINDERS[kind], OVERDUE_DUTY_SEVERITY[kind], cited.article, provider_id,
               provider, str(reminder.subject),
               f"{kind.label}: due {reminder.due_on.isoformat()}, overdue. {reminder.why}",
               str(reminder.action),
               reminder.entity or ("setting" if provider_id == 0 else "provider"),
               reminder.entity_id,
               cited.secondary)


@rule("overdue-duty", only_with=("overdue_reminders",))
def overdue_duty(r: ProviderRecords, today: date) -> Iterable[Gap]:
    """The overdue reminders of legal duties with no rule of their own: the standard
    contract's filing (10 working days on China's calendar) and the DOJ's 14-day reports."""
    for reminder in r.overdue_reminders:
        if reminder.kind in OVERDUE_DUTY_SEVERITY and reminder.due_on < today:
            yield overdue_duty_gap(reminder, int(r.provider.id), r.provider.legal_name)


def provider_gaps(records: ProviderRecords, today: date) -> list[Gap]:
    r = records
    rules = _rules_for((bool(r.supplies), bool(r.transfers), bool(r.agreements),
                        bool(r.evidence), bool(r.triggers), bool(r.overdue_reminders)))
    gaps = [gap for function in rules for gap in function(records, today)]
    if len(gaps) > 1:
        gaps.sort(key=_gap_order)
    return gaps


def _gap_order(g: Gap) -> tuple[int, str, str]:
    return SEVERITY_ORDER[g.severity], g.rule, g.subject


def organisation_gaps(organisation: Organisation, reminders: Iterable[Any],
                      today: date) -> list[Gap]:
    """The company's own duties (no provider): the PI compliance audit every 2 years above
    10 million people, and the PI protection officer's report within 30 working days of
    reaching 1 million (reminders derive the dates on China's calendar)."""
    name = organisation.name or "The organisation"
    gaps = []
    for reminder in reminders:
        if reminder.kind not in (ReminderKind.PI_COMPLIANCE_AUDIT, ReminderKind.PI_OFFICER_REPORT):
            continue
        if reminder.due_on < today or str(reminder.uid).endswith(NOW_SUFFIX):
            gaps.append(overdue_duty_gap(reminder, 0, name))
    return gaps


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
