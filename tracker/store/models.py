"""The register's entities, one family each: ``XBase`` (the fields a person or an import
supplies, validated by pydantic) and ``X(XBase, table=True)`` (plus id, version, timestamps).

Enums are stored as their readable string value (VARCHAR, no native enum type) so the same
schema runs on SQLite and PostgreSQL and a raw SQL reader sees words, not numbers.
Every foreign key is ON DELETE RESTRICT: nothing is cascaded away silently.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from tracker.domain.countries import check_country_code
from tracker.domain.enums import (
    AgreementKind,
    AssessmentKind,
    AssessmentOutcome,
    AuditAction,
    CcpaDisclosure,
    ChecklistStatus,
    ClauseStatus,
    CorrectionDecision,
    DojDataCategory,
    DojTransaction,
    EvidenceKind,
    GdprArt6Basis,
    GdprArt9Condition,
    ImportantDataStatus,
    IntendedUse,
    Modality,
    PiplArt13Basis,
    ProviderRole,
    ProviderStatus,
    QuestionnaireLanguage,
    QuestionnaireStatus,
    Regime,
    ReminderState,
    ResponseSection,
    ReviewTriggerKind,
    RiskTier,
    SccModule,
    ScrapedPiHandling,
    SizeBand,
    SourceCategory,
    TransferExemption,
    TransferMechanism,
)
from tracker.domain.text import SEARCH_EXTRA_LENGTH


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_type(enum_cls: type[Enum]) -> sa.Enum:
    """A VARCHAR column that stores the enum's value and reads back the member."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=40,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def _country(value: str | None) -> str | None:
    return None if value is None or value == "" else check_country_code(value)


class RecordMeta(SQLModel):
    """Bookkeeping every stored row carries; ``version`` drives optimistic concurrency."""

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(default=1, ge=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class Archivable(SQLModel):
    """Archiving is the normal way out of the register: the row stays, hidden from lists."""

    archived_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


# --- Provider -------------------------------------------------------------------------

class ProviderBase(SQLModel):
    legal_name: str = Field(min_length=1, max_length=300, index=True,
                            description="Legal name")
    country: str | None = Field(default=None, max_length=2,
                                description="Country of establishment (ISO 3166-1 alpha-2)")
    ownership: str | None = Field(default=None, max_length=2000,
                                  description="Ownership (shareholders, parent group)")
    state_owned: bool = Field(default=False, description="State-owned or state-controlled")
    foreign_state_access: bool = Field(
        default=False, description="Exposed to foreign-government access (GDPR 48; PIPL 41)")
    role: ProviderRole | None = Field(default=None, sa_type=enum_type(ProviderRole),
                                      description="Role")
    contact_name: str | None = Field(default=None, max_length=200, description="Contact name")
    contact_email: str | None = Field(default=None, max_length=320, description="Contact email")
    dpo_contact: str | None = Field(default=None, max_length=320,
                                    description="Provider's DPO / PI protection officer")
    risk_tier: RiskTier | None = Field(default=None, sa_type=enum_type(RiskTier), index=True,
                                       description="Risk tier")
    status: ProviderStatus = Field(default=ProviderStatus.PROSPECTIVE,
                                   sa_type=enum_type(ProviderStatus), index=True,
                                   description="Status")
    is_ciio: bool = Field(default=False,
                          description="Critical information infrastructure operator (PIPL 40)")
    handles_important_data: bool = Field(default=False,
                                         description="Handles important data (DSL 21; PIPL 40)")
    notes: str | None = Field(default=None, max_length=20000, description="Notes")
    # issue 14 rules
    covered_person: bool = Field(
        default=False, description="US DOJ covered person: 50%+ owned from, or employee / "
                                   "contractor of, a country of concern (28 CFR 202)")

    @field_validator("country")
    @classmethod
    def _check_country(cls, value: str | None) -> str | None:
        return _country(value)

    @field_validator("legal_name")
    @classmethod
    def _strip_name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("a provider needs a legal name")
        return value

    # issue 18 import: facts officers' registers keep about a provider that had nowhere to
    # go. A register's "Personal info?" column is answered per provider before any supply
    # is recorded; None is "not answered", which the gap rules tell apart from "no".
    holds_personal_info: bool | None = Field(
        default=None, description="Holds or receives personal information")
    registration_number: str | None = Field(
        default=None, max_length=100,
        description="Company registration number (e.g. unified social credit code)")
    website: str | None = Field(default=None, max_length=500, description="Website")
    services: str | None = Field(default=None, max_length=4000,
                                 description="Services or data provided")
    internal_owner: str | None = Field(default=None, max_length=200,
                                       description="Internal owner (business contact)")
    # issue 17: the other names a provider goes by (an English name for a Chinese one and
    # the reverse, a former or trading name), one per line or separated by ";". The
    # providers filter searches them (tracker.domain.text.provider_search_extra).
    aliases: str | None = Field(default=None, max_length=2000,
                                description="Other names (aliases; one per line or ;)")


class Provider(ProviderBase, RecordMeta, Archivable, table=True):
    __tablename__ = "provider"
    # Case-folded copy of legal_name: SQLite's LIKE folds ASCII only (MEASURED.md), so
    # searches for "müller" or mixed-script names run against this column.
    search_name: str = Field(default="", max_length=300, index=True)
    # The same for the aliases, registration number and website (migration 0011): the
    # filter finds "hangzhou" in a Chinese provider's English alias.
    search_extra: str = Field(default="", max_length=SEARCH_EXTRA_LENGTH)


# --- Supply ---------------------------------------------------------------------------

class SupplyBase(SQLModel):
    provider_id: int = Field(foreign_key="provider.id", ondelete="RESTRICT", index=True)
    name: str = Field(min_length=1, max_length=300, description="Name of the data set or model")
    description: str | None = Field(default=None, max_length=20000, description="Description")
    modality: Modality | None = Field(default=None, sa_type=enum_type(Modality),
                                      description="Modality")
    source_category: SourceCategory | None = Field(
        default=None, sa_type=enum_type(SourceCategory), description="Source category")
    volume: str | None = Field(default=None, max_length=200,
                               description="Volume (e.g. 2 TB, 40M documents)")
    contains_pi: bool = Field(default=False, description="Holds personal information")
    contains_sensitive_pi: bool = Field(
        default=False, description="Sensitive PI / special-category data (PIPL 28; GDPR 9)")
    contains_minors_data: bool = Field(default=False,
                                       description="Data of minors (PIPL 31: under 14)")
    people_concerned: int | None = Field(default=None, ge=0,
                                         description="Number of people concerned")
    intended_use: IntendedUse | None = Field(default=None, sa_type=enum_type(IntendedUse),
                                             description="Intended use")
    licence_name: str | None = Field(default=None, max_length=200,
                                     description="Licence (e.g. CC-BY-4.0, commercial)")
    licence_training_permitted: bool | None = Field(default=None,
                                                    description="Licence permits AI training")
    licence_sublicensing: bool | None = Field(default=None,
                                              description="Sublicensing permitted")
    licence_term: str | None = Field(default=None, max_length=200, description="Licence term")
    deletion_on_termination: bool | None = Field(default=None,
                                                 description="Deletion on termination")
    optout_respected: bool | None = Field(default=None,
                                          description="Opt-outs / robots.txt respected")
    provenance_records: str | None = Field(default=None, max_length=2000,
                                           description="Collection / provenance records")
    top_domains: str | None = Field(default=None, max_length=4000,
                                    description="Top domains, for scraped data (AI Act 53)")
    labelling_rules: str | None = Field(default=None, max_length=4000,
                                        description="Labelling rules and QA sampling (Interim 8)")
    sampling_done_on: date | None = Field(default=None,
                                          description="Content sampling done on")
    sampling_illegal_pct: float | None = Field(
        default=None, ge=0, le=100, description="Illegal / harmful content found in sample (%)")
    # issue 14 rules
    data_subject_countries: str | None = Field(
        default=None, max_length=400,
        description="Where the data subjects are (ISO codes, comma-separated)")
    automated_decisions: bool = Field(
        default=False, description="Used for automated decision-making (PIPL 55(2))")
    public_disclosure: bool = Field(
        default=False, description="PI disclosed publicly (PIPL 25, 55(3))")
    significant_impact: bool = Field(
        default=False, description="Other processing with significant impact (PIPL 55(5))")
    important_data_status: ImportantDataStatus = Field(
        default=ImportantDataStatus.NOT_ASSESSED, sa_type=enum_type(ImportantDataStatus),
        description="Important data (NDSMR 29, 37)")
    scraped_pi_handling: ScrapedPiHandling | None = Field(
        default=None, sa_type=enum_type(ScrapedPiHandling),
        description="Scraped PI handling (NDSMR 24)")
    provided_on: date | None = Field(
        default=None, description="Last provided / entrusted on (NDSMR 12)")
    provision_log_until: date | None = Field(
        default=None, description="Provision records kept until (NDSMR 12: 3 years)")
    doj_data_category: DojDataCategory | None = Field(
        default=None, sa_type=enum_type(DojDataCategory),
        description="US sensitive data category (28 CFR 202)")
    us_persons: int | None = Field(default=None, ge=0,
                                   description="US persons whose data the counterparty gets")
    doj_transaction: DojTransaction | None = Field(
        default=None, sa_type=enum_type(DojTransaction),
        description="What the dealing gives the counterparty (28 CFR 202)")
    doj_transaction_on: date | None = Field(default=None,
                                            description="Date of the covered dealing")
    doj_onward_clause: bool | None = Field(
        default=None, description="Clause forbidding onward brokerage (28 CFR 202.302)")
    doj_security_requirements: bool | None = Field(
        default=None, description="CISA security requirements and compliance programme met")
    doj_records_until: date | None = Field(
        default=None, description="DOJ records kept until (10 years)")


    @field_validator("data_subject_countries")
    @classmethod
    def _check_subject_countries(cls, value: str | None) -> str | None:
        """Each code checked like a provider's country; stored upper-case, comma-separated."""
        if value is None or not value.strip():
            return None
        codes = [c.strip() for c in value.replace(";", ",").split(",") if c.strip()]
        return ", ".join(dict.fromkeys(check_country_code(c) for c in codes))
    # --- issue 14 reports: GDPR Art 30(1) and the AI Act public summary's fields -----------
    data_subject_categories: str | None = Field(
        default=None, max_length=2000,
        description="Categories of data subjects (GDPR 30(1)(c)), e.g. adult speakers, children")
    personal_data_categories: str | None = Field(
        default=None, max_length=2000,
        description="Categories of personal data (GDPR 30(1)(c)), e.g. voice, age band")
    recipients: str | None = Field(
        default=None, max_length=2000,
        description="Categories of recipients (GDPR 30(1)(d)), e.g. annotation vendor, cloud host")
    retention_period: str | None = Field(
        default=None, max_length=1000,
        description="Erasure time limit (GDPR 30(1)(f)), e.g. deleted 24 months after collection")
    model_names: str | None = Field(
        default=None, max_length=2000,
        description="AI models trained on it (names, comma-separated; blank: every model)")
    size_band: SizeBand | None = Field(default=None, sa_type=enum_type(SizeBand),
                                       description="Size band (AI Act summary 1.3)")
    content_types: str | None = Field(
        default=None, max_length=2000,
        description="Content types (AI Act summary 1.3), e.g. news, fiction, forum posts")
    dataset_link: str | None = Field(
        default=None, max_length=2000, description="Link to the data set (AI Act summary 2.1)")
    collection_start: date | None = Field(default=None,
                                          description="Collection began on (AI Act summary 2.3)")
    collection_end: date | None = Field(
        default=None, description="Latest data collected on (AI Act summary 1.3, 2.3)")
    crawler_names: str | None = Field(
        default=None, max_length=1000, description="Crawler names (AI Act summary 2.3)")
    crawler_purposes: str | None = Field(
        default=None, max_length=2000, description="What the crawlers collect for (2.3)")
    crawler_behaviour: str | None = Field(
        default=None, max_length=4000,
        description="Crawler behaviour: robots.txt, captchas, paywalls (AI Act summary 2.3)")
    top_domains_file: str | None = Field(
        default=None, max_length=2000,
        description="File listing the top domains by volume (AI Act summary 2.3)")
    generating_model: str | None = Field(
        default=None, max_length=300,
        description="Model that generated it, for synthetic data (AI Act summary 2.5)")
    generating_provider: str | None = Field(
        default=None, max_length=300, description="Provider of the generating model")
    implicit_labels_kept: bool | None = Field(
        default=None, description="AI-generated content's implicit labels kept (GB 45438-2025)")
    tdm_optout_measures: str | None = Field(
        default=None, max_length=4000,
        description="TDM opt-outs honoured and how (Directive 2019/790 Art 4(3); summary 3.1)")
    illegal_content_removal: str | None = Field(
        default=None, max_length=4000,
        description="Measures removing illegal content (AI Act summary 3.2)")
    # --- end issue 14 reports ---------------------------------------------------------------


class Supply(SupplyBase, RecordMeta, Archivable, table=True):
    __tablename__ = "supply"


# --- Evidence -------------------------------------------------------------------------

class EvidenceBase(SQLModel):
    provider_id: int = Field(foreign_key="provider.id", ondelete="RESTRICT", index=True)
    kind: EvidenceKind = Field(default=EvidenceKind.OTHER, sa_type=enum_type(EvidenceKind),
                               description="Kind")
    location: str = Field(min_length=1, max_length=2000, description="Path or URI")
    sha256: str | None = Field(default=None, min_length=64, max_length=64,
                               description="SHA-256 of the file")
    size_bytes: int | None = Field(default=None, ge=0, description="Size in bytes")
    supports: str | None = Field(default=None, max_length=2000,
                                 description="What it supports")
    valid_until: date | None = Field(default=None, index=True, description="Valid until")
    supply_id: int | None = Field(default=None, foreign_key="supply.id", ondelete="RESTRICT")
    agreement_id: int | None = Field(default=None, foreign_key="agreement.id",
                                     ondelete="RESTRICT")
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id",
                                      ondelete="RESTRICT")
    transfer_id: int | None = Field(default=None, foreign_key="transfer.id",
                                    ondelete="RESTRICT")
    # --- issue 14 reports: a hash is verified only when the program computed it ---------
    hashed_on: date | None = Field(
        default=None, description="SHA-256 and size computed by the program on (UTC)")
    # --- end issue 14 reports ---------------------------------------------------------------

    @field_validator("sha256")
    @classmethod
    def _hex(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.lower()
        if any(c not in "0123456789abcdef" for c in value):
            raise ValueError("a SHA-256 is 64 hexadecimal characters")
        return value


class Evidence(EvidenceBase, RecordMeta, Archivable, table=True):
    __tablename__ = "evidence"
    added_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


# --- Legal basis ----------------------------------------------------------------------

class LegalBasisBase(SQLModel):
    supply_id: int = Field(foreign_key="supply.id", ondelete="RESTRICT", index=True)
    regime: Regime = Field(sa_type=enum_type(Regime), description="Regime")
    gdpr_art6: GdprArt6Basis | None = Field(default=None, sa_type=enum_type(GdprArt6Basis),
                                            description="GDPR Art 6(1) basis")
    gdpr_art9: GdprArt9Condition | None = Field(
        default=None, sa_type=enum_type(GdprArt9Condition),
        description="GDPR Art 9(2) condition (special categories)")
    pipl_art13: PiplArt13Basis | None = Field(default=None, sa_type=enum_type(PiplArt13Basis),
                                              description="PIPL Art 13 basis")
    separate_consent: bool = Field(
        default=False, description="Separate consent obtained (PIPL 23/25/26/29/39)")
    ccpa_disclosure: CcpaDisclosure | None = Field(
        default=None, sa_type=enum_type(CcpaDisclosure), description="CCPA sale / share")
    evidence_id: int | None = Field(default=None, foreign_key="evidence.id",
                                    ondelete="RESTRICT", description="Evidence")
    evidence_note: str | None = Field(default=None, max_length=2000, description="Evidence note")
    verified_by: str | None = Field(default=None, max_length=200, description="Verified by")
    verified_on: date | None = Field(default=None, description="Verified on")


class LegalBasis(LegalBasisBase, RecordMeta, Archivable, table=True):
    __tablename__ = "legal_basis"


# --- Agreement ------------------------------------------------------------------------

class AgreementBase(SQLModel):
    provider_id: int = Field(foreign_key="provider.id", ondelete="RESTRICT", index=True)
    supply_id: int | None = Field(default=None, foreign_key="supply.id", ondelete="RESTRICT")
    kind: AgreementKind = Field(sa_type=enum_type(AgreementKind), description="Kind")
    title: str | None = Field(default=None, max_length=300, description="Title")
    scc_module: SccModule | None = Field(default=None, sa_type=enum_type(SccModule),
                                         description="SCC module")
    signed_on: date | None = Field(default=None, description="Signed on")
    effective_on: date | None = Field(default=None, description="Effective on")
    expires_on: date | None = Field(default=None, index=True, description="Expires on")
    notice_period_days: int | None = Field(default=None, ge=0, le=3650,
                                           description="Notice period (days)")
    auto_renewal: bool = Field(default=False, description="Renews automatically")
    governing_law: str | None = Field(default=None, max_length=200, description="Governing law")
    signed_copy_location: str | None = Field(default=None, max_length=2000,
                                             description="Where the signed copy is")


class Agreement(AgreementBase, RecordMeta, Archivable, table=True):
    __tablename__ = "agreement"


class AgreementClauseBase(SQLModel):
    agreement_id: int = Field(foreign_key="agreement.id", ondelete="RESTRICT", index=True)
    clause: str = Field(max_length=60, description="Clause")
    status: ClauseStatus = Field(default=ClauseStatus.MISSING, sa_type=enum_type(ClauseStatus),
                                 description="Status")
    note: str | None = Field(default=None, max_length=2000, description="Note")


class AgreementClause(AgreementClauseBase, RecordMeta, table=True):
    __tablename__ = "agreement_clause"
    __table_args__ = (sa.UniqueConstraint("agreement_id", "clause"),)


# --- Assessment -----------------------------------------------------------------------

class AssessmentBase(SQLModel):
    provider_id: int = Field(foreign_key="provider.id", ondelete="RESTRICT", index=True)
    kind: AssessmentKind = Field(default=AssessmentKind.DUE_DILIGENCE,
                                 sa_type=enum_type(AssessmentKind), description="Kind")
    assessed_on: date | None = Field(default=None, index=True, description="Date")
    reviewer: str | None = Field(default=None, max_length=200, description="Reviewer")
    outcome: AssessmentOutcome = Field(default=AssessmentOutcome.PENDING,
                                       sa_type=enum_type(AssessmentOutcome),
                                       description="Outcome")
    findings: str | None = Field(default=None, max_length=20000, description="Findings")
    next_review_on: date | None = Field(default=None, index=True,
                                        description="Next review date")
    retain_until: date | None = Field(default=None, index=True, description="Retain until")
    approval_override: str | None = Field(
        default=None, max_length=2000,
        description="Why it is approved with critical checklist items open")


class Assessment(AssessmentBase, RecordMeta, Archivable, table=True):
    __tablename__ = "assessment"


class ChecklistAnswerBase(SQLModel):
    assessment_id: int = Field(foreign_key="assessment.id", ondelete="RESTRICT", index=True)
    item: int = Field(ge=1, le=30, description="Checklist item")
    status: ChecklistStatus = Field(default=ChecklistStatus.OPEN,
                                    sa_type=enum_type(ChecklistStatus), description="Status")
    note: str | None = Field(default=None, max_length=4000, description="Note")
    evidence_id: int | None = Field(default=None, foreign_key="evidence.id",
                                    ondelete="RESTRICT", description="Evidence")
    answered_by: str | None = Field(default=None, max_length=200, description="Answered by")
    answered_on: date | None = Field(default=None, description="Answered on")


class ChecklistAnswer(ChecklistAnswerBase, RecordMeta, table=True):
    __tablename__ = "checklist_answer"
    __table_args__ = (sa.UniqueConstraint("assessment_id", "item"),)


# --- Transfer -------------------------------------------------------------------------

class TransferBase(SQLModel):
    provider_id: int = Field(foreign_key="provider.id", ondelete="RESTRICT", index=True)
    supply_id: int | None = Field(default=None, foreign_key="supply.id", ondelete="RESTRICT")
    origin_country: str = Field(max_length=2, description="Origin country")
    destination_country: str = Field(max_length=2, description="Destination country")
    mechanism: TransferMechanism | None = Field(
        default=None, sa_type=enum_type(TransferMechanism), description="Mechanism")
    exemption: TransferExemption | None = Field(
        default=None, sa_type=enum_type(TransferExemption), description="Exemption")
    count_year: int | None = Field(default=None, ge=2000, le=2100,
                                   description="Year the people counts are for")
    people_non_sensitive: int = Field(default=0, ge=0,
                                      description="People (non-sensitive PI) since 1 January")
    people_sensitive: int = Field(default=0, ge=0,
                                  description="People (sensitive PI) since 1 January")
    effective_on: date | None = Field(default=None, description="Took effect on")
    filing_number: str | None = Field(default=None, max_length=200,
                                      description="Filing / approval number")
    filed_on: date | None = Field(default=None, description="Filed on")
    filing_expires_on: date | None = Field(default=None, index=True,
                                           description="Filing / approval expires on")
    notice_and_consent: bool = Field(default=False,
                                     description="PIPL 39 notice and separate consent given")
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id",
                                      ondelete="RESTRICT", description="Backing assessment")
    # issue 14 rules
    agreement_id: int | None = Field(default=None, foreign_key="agreement.id",
                                     ondelete="RESTRICT",
                                     description="Standard contract / SCCs it relies on")
    approved_people: int | None = Field(
        default=None, ge=0, description="Approved scale: people (NDSMR 38)")
    approved_scope: str | None = Field(
        default=None, max_length=4000,
        description="Approved purpose, method, scope and categories (NDSMR 38)")
    within_approved_scope: bool | None = Field(
        default=None, description="Stays within the approved purpose, scope, categories")
    free_trade_zone: str | None = Field(default=None, max_length=200,
                                        description="Pilot free-trade zone of the exporter")
    negative_list_edition: str | None = Field(
        default=None, max_length=200, description="Zone's negative list edition checked")
    on_negative_list: bool | None = Field(
        default=None, description="Data is on the zone's negative list")

    @field_validator("origin_country", "destination_country")
    @classmethod
    def _check_country(cls, value: str) -> str:
        return check_country_code(value)


class Transfer(TransferBase, RecordMeta, Archivable, table=True):
    __tablename__ = "transfer"


# --- Reminder (the user's own; derived reminders are computed, not stored) ------------

class ReminderBase(SQLModel):
    provider_id: int | None = Field(default=None, foreign_key="provider.id",
                                    ondelete="RESTRICT", index=True)
    title: str = Field(min_length=1, max_length=300, description="What is due")
    due_on: date = Field(index=True, description="Due on")
    notes: str | None = Field(default=None, max_length=4000, description="Notes")


class Reminder(ReminderBase, RecordMeta, table=True):
    """Snoozing and completing go through ``reminder_action``, as for derived reminders."""

    __tablename__ = "reminder"


# --- Review triggers: events that make a review due at once ---------------------------

class ReviewTriggerBase(SQLModel):
    provider_id: int = Field(foreign_key="provider.id", ondelete="RESTRICT", index=True)
    kind: ReviewTriggerKind = Field(sa_type=enum_type(ReviewTriggerKind), description="Event")
    occurred_on: date = Field(index=True, description="Occurred on")
    note: str | None = Field(default=None, max_length=4000, description="What happened")
    # issue 14 rules
    reported_on: date | None = Field(default=None,
                                     description="Reported to the authority on")


class ReviewTrigger(ReviewTriggerBase, RecordMeta, table=True):
    __tablename__ = "review_trigger"


# --- What the user did with a derived reminder (snoozed or done) --------------------

class ReminderAction(SQLModel, table=True):
    """Keyed by the derived reminder's key, which includes its due date: when the date
    moves (an agreement renewed), the old snooze or completion no longer applies."""

    __tablename__ = "reminder_action"
    key: str = Field(primary_key=True, max_length=200)
    state: ReminderState = Field(sa_type=enum_type(ReminderState))
    until: date | None = None
    reason: str | None = Field(default=None, max_length=2000)
    version: int = Field(default=1, ge=1)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


# --- issue 14 reports: the AI model a training-content summary covers -----------------

class AiModelBase(SQLModel):
    """A general-purpose AI model the organisation places on the Union market: the scope of
    one public summary of training content (AI Act Art 53(1)(d); Commission template 1.2,
    2.6, 3.1-3.3). Its provider is the organisation (settings); ``provider_id`` names the
    supplier of the model it modifies, when that one is in the register."""

    name: str = Field(min_length=1, max_length=300, description="Model name")
    model_version: str | None = Field(default=None, max_length=200, description="Version(s)")
    provider_id: int | None = Field(
        default=None, foreign_key="provider.id", ondelete="RESTRICT", index=True,
        description="Supplier of the model it modifies")
    modifies_model: str | None = Field(
        default=None, max_length=300, description="Model it modifies (dependency)")
    modifies_model_summary: str | None = Field(
        default=None, max_length=2000, description="Link to that model's public summary")
    placed_on_market_on: date | None = Field(
        default=None, description="Placed on the Union market on")
    training_continues: bool | None = Field(
        default=None, description="Training continues on new data after placing on market")
    code_of_practice_signatory: bool | None = Field(
        default=None, description="Signatory of the GPAI Code of Practice (copyright)")
    optout_protocols: str | None = Field(
        default=None, max_length=4000,
        description="Opt-out protocols honoured (robots.txt, TDMRep, ...; summary 3.1)")
    illegal_content_measures: str | None = Field(
        default=None, max_length=4000,
        description="Removal of illegal content across the training data (summary 3.2)")
    other_sources: str | None = Field(
        default=None, max_length=4000, description="Other sources of training data (2.6)")
    other_processing: str | None = Field(
        default=None, max_length=4000, description="Other information on processing (3.3)")
    notes: str | None = Field(default=None, max_length=20000, description="Notes")


class AiModel(AiModelBase, RecordMeta, Archivable, table=True):
    __tablename__ = "ai_model"


# --- Settings and the audit trail ----------------------------------------------------

class Setting(SQLModel, table=True):
    __tablename__ = "setting"
    key: str = Field(primary_key=True, max_length=200)
    value: str = Field(max_length=20000)  # JSON
    version: int = Field(default=1, ge=1)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class AuditEvent(SQLModel, table=True):
    """One change, chained to the one before by ``prev_hash`` so edits show."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=sa.DateTime(timezone=True), index=True)
    actor: str = Field(max_length=300)
    action: AuditAction = Field(sa_type=enum_type(AuditAction))
    entity: str = Field(max_length=60, index=True)
    entity_id: str = Field(max_length=200, index=True)
    before: str | None = Field(default=None, sa_type=sa.Text)  # JSON
    after: str | None = Field(default=None, sa_type=sa.Text)  # JSON
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The newest event's hash and count: without it, deleting the last events would leave
    a chain that still verifies. Writers lock this row, which also serializes the chain."""

    __tablename__ = "audit_head"
    id: int = Field(default=1, primary_key=True)
    last_id: int = 0
    last_hash: str = Field(default="", max_length=64)
    count: int = 0


# --- issue 15 questionnaires ------------------------------------------------------------

class QuestionnaireBase(SQLModel):
    """A supplier questionnaire sent as a workbook. ``token`` and ``structure_sha256`` tie a
    returned file to this questionnaire and to the workbook exactly as it was sent."""

    provider_id: int = Field(foreign_key="provider.id", ondelete="RESTRICT", index=True)
    status: QuestionnaireStatus = Field(default=QuestionnaireStatus.SENT,
                                        sa_type=enum_type(QuestionnaireStatus),
                                        description="Status")
    language: QuestionnaireLanguage = Field(default=QuestionnaireLanguage.BOTH,
                                            sa_type=enum_type(QuestionnaireLanguage),
                                            description="Language")
    form_version: int = Field(default=1, ge=1, description="Questionnaire version")
    sent_on: date = Field(index=True, description="Sent on")
    due_on: date | None = Field(default=None, index=True, description="Answers due on")
    sent_to: str | None = Field(default=None, max_length=320, description="Sent to")
    token: str = Field(min_length=16, max_length=64,
                       description="Token tying the returned workbook to it")
    structure_sha256: str = Field(min_length=64, max_length=64,
                                  description="Fingerprint of the workbook's fixed cells")
    answered_by: str | None = Field(default=None, max_length=300, description="Answered by")
    answered_on: date | None = Field(default=None, description="Answered on")
    received_on: date | None = Field(default=None, description="Answers received on")
    answers_sha256: str | None = Field(default=None, min_length=64, max_length=64,
                                       description="Fingerprint of the answers received")
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id",
                                      ondelete="RESTRICT", description="Review it feeds")


class Questionnaire(QuestionnaireBase, RecordMeta, Archivable, table=True):
    __tablename__ = "questionnaire"


class QuestionnaireResponseBase(SQLModel):
    """One answer a supplier gave: to a question (kept as they wrote it, with their comment),
    a correction of a detail we hold (``decision`` pending until the officer accepts or
    rejects it), or the file they attach for a piece of evidence."""

    questionnaire_id: int = Field(foreign_key="questionnaire.id", ondelete="RESTRICT",
                                  index=True)
    section: ResponseSection = Field(sa_type=enum_type(ResponseSection),
                                     description="Section")
    code: str = Field(min_length=1, max_length=80, description="Question")
    answer: str | None = Field(default=None, max_length=4000, description="Answer")
    detail: str | None = Field(default=None, max_length=4000, description="Detail")
    comment: str | None = Field(default=None, max_length=4000, description="Comment")
    target_entity: str | None = Field(default=None, max_length=40,
                                      description="Record corrected")
    target_id: int | None = Field(default=None, ge=1, description="Record corrected ID")
    target_field: str | None = Field(default=None, max_length=60,
                                     description="Field corrected")
    held_value: str | None = Field(default=None, max_length=4000,
                                   description="What the register held when sent")
    received: bool | None = Field(default=None, description="Evidence file received")
    decision: CorrectionDecision | None = Field(default=None,
                                                sa_type=enum_type(CorrectionDecision),
                                                description="Decision on the correction")
    decided_by: str | None = Field(default=None, max_length=300, description="Decided by")
    decided_on: date | None = Field(default=None, description="Decided on")


class QuestionnaireResponse(QuestionnaireResponseBase, RecordMeta, table=True):
    __tablename__ = "questionnaire_response"
    __table_args__ = (sa.UniqueConstraint("questionnaire_id", "code"),)

# --- end issue 15 questionnaires --------------------------------------------------------


ENTITY_MODELS: dict[str, type[SQLModel]] = {
    "provider": Provider,
    "supply": Supply,
    "legal_basis": LegalBasis,
    "agreement": Agreement,
    "agreement_clause": AgreementClause,
    "transfer": Transfer,
    "assessment": Assessment,
    "checklist_answer": ChecklistAnswer,
    "evidence": Evidence,
    "reminder": Reminder,
    "review_trigger": ReviewTrigger,
    "ai_model": AiModel,  # issue 14 reports
    # issue 15 questionnaires
    "questionnaire": Questionnaire,
    "questionnaire_response": QuestionnaireResponse,
}

BASE_MODELS: dict[str, type[SQLModel]] = {
    "provider": ProviderBase,
    "supply": SupplyBase,
    "legal_basis": LegalBasisBase,
    "agreement": AgreementBase,
    "agreement_clause": AgreementClauseBase,
    "transfer": TransferBase,
    "assessment": AssessmentBase,
    "checklist_answer": ChecklistAnswerBase,
    "evidence": EvidenceBase,
    "reminder": ReminderBase,
    "review_trigger": ReviewTriggerBase,
    "ai_model": AiModelBase,  # issue 14 reports
    # issue 15 questionnaires
    "questionnaire": QuestionnaireBase,
    "questionnaire_response": QuestionnaireResponseBase,
}


def table_of(entity: str) -> sa.Table:
    """The Core table of an entity, for the bulk paths (import, export, restore)."""
    table: sa.Table = getattr(ENTITY_MODELS[entity], "__table__")
    return table


def entity_name(model: type[SQLModel] | SQLModel) -> str:
    cls = model if isinstance(model, type) else type(model)
    return str(cls.__tablename__)


def row_values(row: SQLModel) -> dict[str, Any]:
    """A row's columns as JSON-ready values, for the audit trail and for diffs."""
    return row.model_dump(mode="json")
