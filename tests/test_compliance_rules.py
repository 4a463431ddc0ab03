"""The rules of issue 14 at their boundaries: the day before, on and after a deadline on
China's calendar (a swapped working weekend inside the span), a threshold minus one and the
threshold; which laws apply from both sides (table-driven); exemptions left out of volumes.

Records are the real models built in memory (no database): the rules are pure."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, TypeVar

import pytest
from sqlmodel import SQLModel

from tracker.app.gaps import attach_reminders
from tracker.checks.rules import (
    LEGAL_REMINDERS,
    NOT_LEGAL_REMINDERS,
    Gap,
    ProviderRecords,
    organisation_gaps,
    pipia_triggers,
    provider_gaps,
)
from tracker.domain.enums import AgreementKind, Regime, ReminderKind, RiskTier, ScrapedPiHandling
from tracker.domain.regimes import (
    APPLICABILITY,
    Facts,
    Law,
    Organisation,
    applicable_laws,
    applicable_regimes,
)
from tracker.reminders.derive import (
    OrganisationDates,
    RegisterDates,
    ReminderPolicy,
    derive_reminders,
)
from tracker.reminders.workdays import add_working_days, is_working_day
from tracker.store.models import (
    BASE_MODELS,
    Agreement,
    Assessment,
    Evidence,
    Provider,
    ReviewTrigger,
    Supply,
    Transfer,
    entity_name,
)

D = date.fromisoformat
RowT = TypeVar("RowT", bound=SQLModel)


def made(model: type[RowT], **values: Any) -> RowT:
    """A record as the pipeline would store it: the values validated by the entity's base
    model (enums and countries parsed), then the row built."""
    base = BASE_MODELS[entity_name(model)]
    ids = {k: v for k, v in values.items() if k not in base.model_fields}
    fields = {k: v for k, v in values.items() if k in base.model_fields}
    return model(**base.model_validate(fields).model_dump(), **ids)
POLICY = ReminderPolicy(cadence_months=dict.fromkeys(RiskTier, 12))
TODAY = D("2026-11-25")
DE = Organisation("Lumina", frozenset({"DE"}), frozenset({"DE"}))


def cn_provider(**values: Any) -> Provider:
    base: dict[str, Any] = {"id": 1, "legal_name": "Acme 数据", "country": "CN",
                            "role": "independent_controller", "status": "active",
                            "risk_tier": "low"}
    return made(Provider, **{**base, **values})


def records(provider: Provider | None = None, **values: Any) -> ProviderRecords:
    r = ProviderRecords(provider=provider or cn_provider(), **values)
    # a recent decided review, so review rules stay quiet
    r.assessments.append(made(Assessment, id=900, provider_id=r.provider.id, kind="due_diligence",
                                    outcome="approved", assessed_on=D("2026-10-01"),
                                    next_review_on=D("2027-10-01")))
    return r


def gaps(r: ProviderRecords, today: date = TODAY) -> list[Gap]:
    """The gaps as `tracker check` computes them: the reminders derived first."""
    r.overdue_reminders, r.review_overdue_since = [], None
    attach_reminders({int(r.provider.id or 0): r}, POLICY, today)
    return provider_gaps(r, today)


def rules(r: ProviderRecords, today: date = TODAY) -> set[str]:
    return {g.rule for g in gaps(r, today)}


# --- which laws apply, from both sides --------------------------------------------------------

@pytest.mark.parametrize(("facts", "expected"), [
    # the case: an EU-established AI company buying from a Chinese vendor
    (Facts(supplier=frozenset({"CN"}), establishment=frozenset({"DE"})),
     {Law.PIPL, Law.NDSMR, Law.GDPR, Law.EU_AI_ACT}),
    # the supplier's side alone, as before
    (Facts(supplier=frozenset({"CN"})), {Law.PIPL, Law.NDSMR}),
    (Facts(supplier=frozenset({"FR"})), {Law.GDPR}),
    (Facts(supplier=frozenset({"GB"})), {Law.UK_GDPR}),
    (Facts(supplier=frozenset({"US"})), {Law.CCPA}),
    # data leaving the EEA through a transfer
    (Facts(supplier=frozenset({"JP"}), origin=frozenset({"IE"})), {Law.GDPR}),
    # the data subjects bring their law in (GDPR Art 3(2), PIPL Art 3(2))
    (Facts(supplier=frozenset({"JP"}), data_subjects=frozenset({"CN", "FR"})),
     {Law.PIPL, Law.NDSMR, Law.GDPR}),
    (Facts(supplier=frozenset({"JP"}), data_subjects=frozenset({"US"})), {Law.CCPA}),
    # markets bring in the laws of placing a model on a market, not GDPR for others' data
    (Facts(supplier=frozenset({"JP"}), markets=frozenset({"DE", "CN"})),
     {Law.EU_AI_ACT, Law.CN_GENAI}),
    # a US company is bound by 28 CFR 202, and CCPA only for US data subjects
    (Facts(supplier=frozenset({"JP"}), establishment=frozenset({"US"})), {Law.US_DOJ_BULK}),
    (Facts(supplier=frozenset({"JP"})), set()),
])
def test_which_laws_apply_from_both_sides(facts: Facts, expected: set[Law]) -> None:
    assert applicable_laws(facts) == expected


def test_every_row_of_the_table_cites_an_article_and_regimes_follow_laws() -> None:
    assert all(row.article.strip() and row.countries for row in APPLICABILITY)
    assert applicable_regimes(Facts(supplier=frozenset({"CN"}),
                                    establishment=frozenset({"DE"}))) == {Regime.PIPL,
                                                                          Regime.GDPR}


def test_an_eu_company_needs_a_gdpr_basis_for_a_chinese_vendors_pi() -> None:
    supply = made(Supply, id=10, provider_id=1, name="Chats", contains_pi=True)
    alone = records(supplies=[supply])
    with_company = records(supplies=[supply], organisation=DE)
    articles = {g.article for g in gaps(with_company) if g.rule == "pi-without-legal-basis"}
    assert articles == {"PIPL Art 13", "GDPR Art 6, Art 9"}
    assert {g.article for g in gaps(alone) if g.rule == "pi-without-legal-basis"} == \
        {"PIPL Art 13"}


# --- PIPIA (PIPL Art 55, 56) ----------------------------------------------------------------

def test_each_art55_trigger_is_named() -> None:
    r = records(cn_provider(role="processor"), supplies=[
        made(Supply, id=10, provider_id=1, name="Kids", contains_pi=True, contains_minors_data=True,
               automated_decisions=True, public_disclosure=True, significant_impact=True)],
        transfers=[made(Transfer, id=30, provider_id=1, supply_id=10, origin_country="CN",
                            destination_country="DE", exemption="collected_abroad")])
    assert pipia_triggers(r) == [
        "(1) sensitive PI (minors under 14, Art 28)", "(2) automated decision-making",
        "(3) entrusted processing", "(3) public disclosure", "(4) providing PI abroad",
        "(5) other processing with significant impact"]
    [gap] = [g for g in gaps(r) if g.rule == "pipia-missing"]
    assert gap.severity == "critical" and gap.article == "PIPL Art 55"


@pytest.mark.parametrize(("kept_until", "gap"), [
    ("2029-06-29", True),   # three years minus a day
    ("2029-06-30", False),  # exactly three years (Art 56: at least 3 years)
    (None, True)])
def test_a_pipia_is_kept_three_years(kept_until: str | None, gap: bool) -> None:
    r = records(supplies=[made(Supply, id=10, provider_id=1, name="S", contains_pi=True)])
    r.assessments.append(made(Assessment, id=41, provider_id=1, kind="pipia", outcome="approved",
                                    assessed_on=D("2026-06-30"),
                                    retain_until=D(kept_until) if kept_until else None))
    found = rules(r)
    assert "pipia-missing" not in found
    assert ("pipia-retention-short" in found) is gap


# --- transfers link their document; filing on China's calendar ----------------------------

# 2026-10-10 is a Saturday China works (the National Day swap); 1-7 October are holidays.
EFFECTIVE = D("2026-09-25")
FILING_DUE = D("2026-10-15")  # 10 working days, the swapped Saturday counted


def test_the_filing_deadline_counts_the_swapped_saturday() -> None:
    assert is_working_day(D("2026-10-10"), "CN")
    assert add_working_days(EFFECTIVE, 10, "CN") == FILING_DUE


def standard_contract_transfer(**values: Any) -> ProviderRecords:
    agreement = made(Agreement, id=50, provider_id=1, kind="cn_standard_contract", title="SC",
                          effective_on=EFFECTIVE, expires_on=D("2028-01-01"))
    transfer = made(Transfer, **{"id": 30, "provider_id": 1, "origin_country": "CN",
                           "destination_country": "DE", "mechanism": "cn_standard_contract",
                           "agreement_id": 50, "effective_on": EFFECTIVE,
                           "notice_and_consent": True, **values})
    return records(agreements=[agreement], transfers=[transfer])


@pytest.mark.parametrize(("today", "overdue"), [
    (FILING_DUE - timedelta(days=1), False), (FILING_DUE, False),
    (FILING_DUE + timedelta(days=1), True)])
def test_an_unfiled_standard_contract_is_a_gap_the_day_after_its_deadline(
        today: date, overdue: bool) -> None:
    found = {g.rule: g for g in gaps(standard_contract_transfer(), today)}
    assert ("standard-contract-not-filed" in found) is overdue
    if overdue:
        assert found["standard-contract-not-filed"].article == \
            "CAC Standard Contract Measures Art 7"
    assert "standard-contract-not-filed" not in rules(
        standard_contract_transfer(filed_on=D("2026-10-12")), today)


def test_a_transfer_names_a_contract_that_must_be_on_file_and_current() -> None:
    unlinked = standard_contract_transfer(agreement_id=None)
    assert "transfer-document-missing" in rules(unlinked, D("2026-10-01"))
    expired = standard_contract_transfer()
    expired.agreements[0].expires_on = D("2026-10-31")
    assert "transfer-document-expired" in rules(expired, D("2026-11-01"))
    assert "transfer-document-expired" not in rules(expired, D("2026-10-31"))
    wrong_kind = standard_contract_transfer()
    wrong_kind.agreements[0].kind = AgreementKind.EU_SCC
    assert "transfer-document-missing" in rules(wrong_kind, D("2026-10-01"))


def certified(valid_until: str | None, effective_on: str | None = None,
              **provider: Any) -> ProviderRecords:
    transfer = made(Transfer, id=30, provider_id=1, origin_country="CN", destination_country="SG",
                        mechanism="pi_certification", notice_and_consent=True,
                        effective_on=D(effective_on) if effective_on else None)
    certificate = made(Evidence, id=60, provider_id=1, kind="certificate", location="c.pdf",
                           transfer_id=30,
                           valid_until=D(valid_until) if valid_until else None)
    return records(cn_provider(**provider), transfers=[transfer], evidence=[certificate])


def test_certification_is_a_dated_mechanism_for_the_standard_contract_band() -> None:
    assert "certification-not-in-force" in rules(certified("2028-01-01"), D("2025-12-31"))
    assert "certification-not-in-force" not in rules(certified("2028-01-01"), D("2026-01-01"))
    assert "certification-outside-band" in rules(certified("2028-01-01", is_ciio=True))
    # judged by the transfer's own start too, not only by today (a reviewer's case)
    assert "certification-not-in-force" in rules(certified("2028-01-01", "2025-12-31"),
                                                 D("2026-12-02"))
    assert "certification-not-in-force" not in rules(certified("2028-01-01", "2026-01-01"),
                                                     D("2026-12-02"))
    assert "transfer-document-expired" in rules(certified("2026-11-24"))
    assert "transfer-document-expired" not in rules(certified("2026-11-25"))
    assert "certificate-validity-unknown" in rules(certified(None))
    no_certificate = certified("2028-01-01")
    no_certificate.evidence = []
    assert "transfer-document-missing" in rules(no_certificate)


def test_an_approved_assessment_bounds_the_scale_and_scope() -> None:
    def assessed(people: int, **values: Any) -> ProviderRecords:
        return records(transfers=[made(Transfer,
            id=30, provider_id=1, origin_country="CN", destination_country="US",
            mechanism="cac_security_assessment", filing_number="CAC-1", count_year=2026,
            people_non_sensitive=people, notice_and_consent=True, **values)])

    assert "security-assessment-scope-exceeded" not in rules(assessed(50_000,
                                                                      approved_people=50_000))
    assert "security-assessment-scope-exceeded" in rules(assessed(50_001,
                                                                  approved_people=50_000))
    assert "security-assessment-scope-exceeded" in rules(assessed(
        10, approved_people=50_000, within_approved_scope=False))
    assert "security-assessment-scope-unrecorded" in rules(assessed(10))


# --- exemptions honoured in the volume --------------------------------------------------------

@pytest.mark.parametrize(("exemption", "extra", "counted"), [
    ("collected_abroad", {}, False),  # 2024 Provisions Art 4
    ("statutory_duty", {}, False),  # NDSMR Art 35(6)
    ("free_trade_zone", {"on_negative_list": False}, False),  # Art 6, not on the list
    ("free_trade_zone", {"on_negative_list": True}, True),
    (None, {"mechanism": "cn_standard_contract", "agreement_id": None}, True)])
def test_exempt_people_are_not_counted_in_the_volume(exemption: str | None,
                                                     extra: dict[str, Any],
                                                     counted: bool) -> None:
    r = records(transfers=[made(Transfer, **{
        "id": 30, "provider_id": 1, "origin_country": "CN", "destination_country": "DE",
        "exemption": exemption, "count_year": 2026, "people_non_sensitive": 2_000_000,
        "notice_and_consent": True, **extra})])
    assert ("transfer-volume-needs-stricter-mechanism" in rules(r)) is counted


def test_minors_people_count_as_sensitive_in_the_volume() -> None:
    """PIPL Art 28: 9,999 people of a minors' supply need a standard contract (sensitive PI
    of any number), though counted as non-sensitive they would be exempt."""
    supply = made(Supply, id=10, provider_id=1, name="Kids", contains_pi=True,
                    contains_minors_data=True)
    r = records(supplies=[supply], transfers=[made(Transfer,
        id=30, provider_id=1, supply_id=10, origin_country="CN", destination_country="DE",
        exemption="under_100k_non_sensitive", count_year=2026, people_non_sensitive=9_999,
        notice_and_consent=True)])
    assert "transfer-volume-needs-stricter-mechanism" in rules(r)


def test_a_free_trade_zone_exemption_names_a_zone_and_its_list_edition() -> None:
    def ftz(**values: Any) -> set[str]:
        return rules(records(transfers=[made(Transfer,
            id=30, provider_id=1, origin_country="CN", destination_country="SG",
            exemption="free_trade_zone", notice_and_consent=True, **values)]))

    zone = "China (Tianjin) Pilot Free Trade Zone"
    assert "transfer-exemption-unsupported" in ftz(free_trade_zone="Atlantis FTZ",
                                                   negative_list_edition="2024",
                                                   on_negative_list=False)
    assert "transfer-exemption-unsupported" in ftz(free_trade_zone=zone, on_negative_list=False)
    assert "transfer-exemption-unsupported" not in ftz(free_trade_zone=zone,
                                                       negative_list_edition="2024",
                                                       on_negative_list=False)


# --- events, training rights, NDSMR, models ------------------------------------------------

def test_a_breach_makes_the_review_due_at_once() -> None:
    r = records(triggers=[made(ReviewTrigger, id=70, provider_id=1, kind="breach",
                                        occurred_on=TODAY)])
    assert "review-triggered" in rules(r)  # on the day itself
    r.triggers[0].occurred_on = D("2026-09-30")  # before the review of 2026-10-01
    assert "review-triggered" not in rules(r)


def test_training_rights_unknown_and_a_commercial_corpus_without_licence() -> None:
    supply = made(Supply, id=10, provider_id=1, name="Corpus", intended_use="pre_training",
                    source_category="licensed_private", licence_training_permitted=None,
                    sampling_done_on=TODAY, sampling_illegal_pct=0.0)
    found = rules(records(supplies=[supply]))
    assert {"training-right-unknown", "commercial-corpus-without-licence"} <= found
    supply.licence_training_permitted = True
    licensed = records(supplies=[supply], agreements=[made(Agreement,
        id=50, provider_id=1, kind="data_licence", supply_id=10)])
    assert not {"training-right-unknown", "commercial-corpus-without-licence"} & \
        rules(licensed)


def test_ndsmr_scraped_pi_provision_records_and_notified_important_data() -> None:
    scraped = made(Supply, id=10, provider_id=1, name="Crawl", source_category="scraped",
                     contains_pi=True, scraped_pi_handling="kept",
                     provided_on=D("2026-01-10"), provision_log_until=D("2029-01-09"))
    r = records(supplies=[scraped])
    assert {"ndsmr-scraped-pi", "ndsmr-provision-log",
            "ndsmr-provision-without-agreement"} <= rules(r)
    scraped.scraped_pi_handling = ScrapedPiHandling.ANONYMISED
    scraped.provision_log_until = D("2029-01-10")  # three years to the day
    r.agreements = [made(Agreement, id=50, provider_id=1, kind="data_provision")]
    assert not {"ndsmr-scraped-pi", "ndsmr-provision-log",
                "ndsmr-provision-without-agreement"} & rules(r)

    def outbound(status: str) -> set[str]:
        return rules(records(supplies=[made(Supply, id=10, provider_id=1, name="Maps",
                                              important_data_status=status)],
                             transfers=[made(Transfer, id=30, provider_id=1, supply_id=10,
                                                 origin_country="CN", destination_country="DE",
                                                 exemption="no_personal_information")]))
    assert "important-data-outbound" in outbound("notified")
    assert "important-data-outbound" not in outbound("declared")  # not important data yet


def test_a_foundation_model_needs_the_deployers_assessment() -> None:
    model = made(Supply, id=10, provider_id=1, name="Base 70B", source_category="foundation_model",
                   intended_use="evaluation")
    r = records(cn_provider(country="US", role="licensor"), supplies=[model])
    [gap] = [g for g in gaps(r) if g.rule == "foundation-model-unassessed"]
    assert gap.article.startswith("EDPB Opinion 28/2024")
    r.assessments.append(made(Assessment, id=42, provider_id=1, kind="model_lawfulness",
                                    outcome="approved", assessed_on=D("2026-11-01")))
    assert "foundation-model-unassessed" not in rules(r)


# --- US DOJ 28 CFR 202 ----------------------------------------------------------------------

def dealing(people: int, category: str = "biometric", kind: str = "data_brokerage",
            on: str = "2026-06-01", **values: Any) -> Supply:
    return made(Supply, id=values.pop("id", 10), provider_id=1, name=f"US {category}",
                  doj_data_category=category, us_persons=people, doj_transaction=kind,
                  doj_transaction_on=D(on), doj_records_until=D("2036-06-01"), **values)


US_COMPANY = Organisation("Lumina", frozenset({"US"}))


@pytest.mark.parametrize(("category", "limit"), [
    ("human_genomic", 100), ("biometric", 1_000), ("personal_health", 10_000),
    ("covered_identifiers", 100_000)])
def test_bulk_starts_above_the_threshold(category: str, limit: int) -> None:
    def hit(people: int) -> bool:
        return "doj-prohibited-brokerage" in rules(records(
            supplies=[dealing(people, category)], organisation=US_COMPANY))
    assert not hit(limit) and hit(limit + 1)


def test_government_related_data_counts_at_any_volume() -> None:
    assert "doj-prohibited-brokerage" in rules(records(
        supplies=[dealing(1, "government_related")], organisation=US_COMPANY))


def test_the_bulk_counter_sums_one_counterparty_over_a_rolling_12_months() -> None:
    two = [dealing(600, id=10, on="2026-01-10"), dealing(401, id=11, on="2025-11-26")]
    assert "doj-prohibited-brokerage" in rules(records(supplies=two,
                                                       organisation=US_COMPANY))
    two[1].doj_transaction_on = D("2025-11-25")  # twelve months ago: out of the window
    assert "doj-prohibited-brokerage" not in rules(records(supplies=two,
                                                           organisation=US_COMPANY))


def test_doj_restricted_access_onward_clause_and_scope() -> None:
    vendor = records(supplies=[dealing(1_001, kind="vendor_agreement")],
                     organisation=US_COMPANY)
    assert "doj-restricted-access" in rules(vendor)
    vendor.supplies[0].doj_security_requirements = True
    assert "doj-restricted-access" not in rules(vendor)
    uk = records(cn_provider(country="GB"), supplies=[dealing(1_001)],
                 organisation=US_COMPANY)
    assert {"doj-onward-clause-missing"} <= rules(uk)
    assert "doj-prohibited-brokerage" not in rules(uk)
    covered = records(cn_provider(country="GB", covered_person=True),
                      supplies=[dealing(1_001)], organisation=US_COMPANY)
    assert "doj-prohibited-brokerage" in rules(covered)
    # a German company is not a US person: 28 CFR 202 does not bind it
    assert not {g for g in rules(records(supplies=[dealing(1_001)], organisation=DE))
                if g.startswith("doj-")}


@pytest.mark.parametrize(("today", "overdue"), [
    (D("2026-11-15"), False), (D("2026-11-16"), True)])
def test_a_rejected_offer_is_reported_within_14_days(today: date, overdue: bool) -> None:
    r = records(cn_provider(country="US"), triggers=[made(ReviewTrigger,
        id=70, provider_id=1, kind="doj_rejected_offer", occurred_on=D("2026-11-01"))])
    assert ("doj-report-overdue" in rules(r, today)) is overdue
    r.triggers[0].reported_on = D("2026-11-10")
    assert "doj-report-overdue" not in rules(r, today)


# --- the company's own duties: compliance audit, PI protection officer -----------------------

def org_rules(dates: OrganisationDates, today: date = TODAY) -> set[str]:
    reminders = derive_reminders(RegisterDates(organisation=dates), POLICY, today)
    return {g.rule for g in organisation_gaps(DE, reminders, today)}


def test_a_compliance_audit_every_two_years_above_ten_million() -> None:
    reported = D("2020-01-01")  # the officer's report, so only the audit is in question
    assert org_rules(OrganisationDates(10_000_000, officer_reported_on=reported)) == set()
    assert "pi-compliance-audit-overdue" in org_rules(OrganisationDates(10_000_001))
    audited = OrganisationDates(10_000_001, audit_last_on=D("2024-11-25"),
                                officer_reported_on=reported)
    assert org_rules(audited, D("2026-11-25")) == set()  # due that day
    assert org_rules(audited, D("2026-11-26")) == {"pi-compliance-audit-overdue"}


# 30 working days from 2026-09-01 span the Sunday 2026-09-20 China works, National Day and
# the Saturday 2026-10-10 China works.
OFFICER_DUE = D("2026-10-19")


@pytest.mark.parametrize(("today", "overdue"), [
    (OFFICER_DUE - timedelta(days=1), False), (OFFICER_DUE, False),
    (OFFICER_DUE + timedelta(days=1), True)])
def test_the_officer_is_reported_within_30_working_days_of_one_million(
        today: date, overdue: bool) -> None:
    assert add_working_days(D("2026-09-01"), 30, "CN") == OFFICER_DUE
    reached = OrganisationDates(1_000_000, million_reached_on=D("2026-09-01"))
    assert ("pi-officer-report-overdue" in org_rules(reached, today)) is overdue
    assert org_rules(OrganisationDates(999_999, million_reached_on=D("2026-09-01")),
                     today) == set()


# --- every legal reminder is a rule ---------------------------------------------------------

def test_every_reminder_kind_is_decided_legal_or_not() -> None:
    assert set(LEGAL_REMINDERS) | NOT_LEGAL_REMINDERS == set(ReminderKind)
    assert not set(LEGAL_REMINDERS) & NOT_LEGAL_REMINDERS


def test_secondary_sources_are_a_flag_not_a_marker() -> None:
    r = records(supplies=[made(Supply, id=10, provider_id=1, name="Crawl",
                               source_category="scraped", intended_use="evaluation")])
    [gap] = [g for g in gaps(r) if g.rule == "scraped-without-provenance"]
    assert "[check]" not in gap.article and gap.secondary_source
    assert gap.as_dict()["secondary_source"] is True
