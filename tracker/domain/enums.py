"""Every enumeration of the register, each value cited to where it comes from.

Values are stored as their lowercase string; ``label`` is what a person reads, ``article``
is the source a compliance officer can look up. Marks of "[check]" come from DOMAIN.md:
the rule was read in a secondary summary, not the official text.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class CitedEnum(StrEnum):
    """A string enum whose members carry a human label and the article they come from."""

    label: str
    article: str

    def __new__(cls, value: str, label: str = "", article: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value.replace("_", " ")
        member.article = article
        return member

    @classmethod
    def allowed(cls) -> str:
        """The allowed values, as an error message lists them."""
        return ", ".join(m.value for m in cls)


class ProviderRole(CitedEnum):
    PROCESSOR = ("processor", "Processor / entrusted party", "GDPR Art 28; PIPL Art 21")
    INDEPENDENT_CONTROLLER = ("independent_controller", "Independent controller",
                              "GDPR Art 4(7); PIPL Art 23")
    JOINT_CONTROLLER = ("joint_controller", "Joint controller", "GDPR Art 26; PIPL Art 20")
    LICENSOR = ("licensor", "Licensor", "Interim Measures Art 7(2)")
    OPEN_SOURCE = ("open_source", "Open-source or public source", "TC260-003-2024 [check]")


class RiskTier(CitedEnum):
    CRITICAL = ("critical", "Critical", "Vendor-risk practice (DOMAIN.md review cadence)")
    HIGH = ("high", "High", "Vendor-risk practice (DOMAIN.md review cadence)")
    MEDIUM = ("medium", "Medium", "Vendor-risk practice (DOMAIN.md review cadence)")
    LOW = ("low", "Low", "Vendor-risk practice (DOMAIN.md review cadence)")


class ProviderStatus(CitedEnum):
    PROSPECTIVE = ("prospective", "Prospective", "Due-diligence before collection (TC260)")
    ACTIVE = ("active", "Active", "")
    SUSPENDED = ("suspended", "Suspended", "")
    OFFBOARDED = ("offboarded", "Offboarded", "GDPR Art 28(3)(g); PIPL Art 21")


class Modality(CitedEnum):
    TEXT = ("text", "Text", "")
    IMAGE = ("image", "Image", "")
    AUDIO = ("audio", "Audio", "")
    VIDEO = ("video", "Video", "")
    CODE = ("code", "Source code", "")
    TABULAR = ("tabular", "Tabular", "")
    MULTIMODAL = ("multimodal", "Multimodal", "")
    MODEL = ("model", "Model weights", "Interim Measures Art 7(1)")


class SourceCategory(CitedEnum):
    """Source categories of the AI Act training-content summary, plus two supply kinds."""

    LICENSED_PRIVATE = ("licensed_private", "Licensed private data", "AI Act Art 53(1)(d)")
    PUBLIC_DATASET = ("public_dataset", "Public data set", "AI Act Art 53(1)(d)")
    SCRAPED = ("scraped", "Scraped data", "AI Act Art 53(1)(d); TC260-003-2024 [check]")
    USER_DATA = ("user_data", "User data", "AI Act Art 53(1)(d); Interim Measures Art 11")
    SYNTHETIC = ("synthetic", "Synthetic data", "AI Act Art 53(1)(d)")
    ANNOTATION_SERVICE = ("annotation_service", "Annotation service", "Interim Measures Art 8")
    FOUNDATION_MODEL = ("foundation_model", "Foundation model", "Interim Measures Art 7(1)")


class IntendedUse(CitedEnum):
    PRE_TRAINING = ("pre_training", "Pre-training", "AI Act Art 10(2)")
    FINE_TUNING = ("fine_tuning", "Fine-tuning", "AI Act Art 10(2)")
    EVALUATION = ("evaluation", "Evaluation", "AI Act Art 10(1)")


class SizeBand(CitedEnum):
    """The size bands of the Commission's template for the public summary of training
    content (2025-07-24, section 1.3), per modality; the band's meaning depends on the
    supply's modality (``SIZE_BAND_TEXT`` in tracker.domain.ai_act)."""

    SMALL = ("small", "Lowest band (text < 1 billion tokens; images < 1 million; audio or "
             "video < 10,000 hours)", "AI Act Art 53(1)(d); Commission template 1.3")
    MEDIUM = ("medium", "Middle band (text 1 billion to 10 trillion tokens; images 1 million "
              "to 1 billion; audio or video 10,000 to 1 million hours)",
              "AI Act Art 53(1)(d); Commission template 1.3")
    LARGE = ("large", "Highest band (text > 10 trillion tokens; images > 1 billion; audio or "
             "video > 1 million hours)", "AI Act Art 53(1)(d); Commission template 1.3")


class Regime(CitedEnum):
    GDPR = ("gdpr", "EU GDPR", "GDPR Art 6, Art 9")
    UK_GDPR = ("uk_gdpr", "UK GDPR", "UK GDPR Art 6, Art 9")
    PIPL = ("pipl", "China PIPL", "PIPL Art 13")
    CCPA = ("ccpa", "California CCPA/CPRA", "Cal. Civ. Code 1798.100 ff.")


class GdprArt6Basis(CitedEnum):
    CONSENT = ("a_consent", "(a) consent", "GDPR Art 6(1)(a)")
    CONTRACT = ("b_contract", "(b) contract", "GDPR Art 6(1)(b)")
    LEGAL_OBLIGATION = ("c_legal_obligation", "(c) legal obligation", "GDPR Art 6(1)(c)")
    VITAL_INTERESTS = ("d_vital_interests", "(d) vital interests", "GDPR Art 6(1)(d)")
    PUBLIC_TASK = ("e_public_task", "(e) public task", "GDPR Art 6(1)(e)")
    LEGITIMATE_INTERESTS = ("f_legitimate_interests", "(f) legitimate interests",
                            "GDPR Art 6(1)(f)")


class GdprArt9Condition(CitedEnum):
    EXPLICIT_CONSENT = ("a_explicit_consent", "(a) explicit consent", "GDPR Art 9(2)(a)")
    EMPLOYMENT = ("b_employment_social_security", "(b) employment / social security law",
                  "GDPR Art 9(2)(b)")
    VITAL_INTERESTS = ("c_vital_interests", "(c) vital interests, cannot consent",
                       "GDPR Art 9(2)(c)")
    NOT_FOR_PROFIT = ("d_not_for_profit", "(d) not-for-profit body", "GDPR Art 9(2)(d)")
    MADE_PUBLIC = ("e_manifestly_public", "(e) manifestly made public by the person",
                   "GDPR Art 9(2)(e)")
    LEGAL_CLAIMS = ("f_legal_claims", "(f) legal claims", "GDPR Art 9(2)(f)")
    PUBLIC_INTEREST = ("g_substantial_public_interest", "(g) substantial public interest",
                       "GDPR Art 9(2)(g)")
    HEALTH_CARE = ("h_health_social_care", "(h) health or social care", "GDPR Art 9(2)(h)")
    PUBLIC_HEALTH = ("i_public_health", "(i) public health", "GDPR Art 9(2)(i)")
    RESEARCH = ("j_archiving_research_statistics", "(j) archiving, research or statistics",
                "GDPR Art 9(2)(j)")


class PiplArt13Basis(CitedEnum):
    CONSENT = ("1_consent", "(1) consent", "PIPL Art 13(1)")
    CONTRACT_OR_HR = ("2_contract_or_hr", "(2) contract with the individual / HR management",
                      "PIPL Art 13(2)")
    STATUTORY_DUTY = ("3_statutory_duty", "(3) statutory duty", "PIPL Art 13(3)")
    EMERGENCY = ("4_emergency", "(4) public health emergency / life, health, property",
                 "PIPL Art 13(4)")
    NEWS = ("5_news_reporting", "(5) news reporting / public-opinion supervision",
            "PIPL Art 13(5)")
    DISCLOSED = ("6_lawfully_disclosed", "(6) PI disclosed by the person or lawfully disclosed",
                 "PIPL Art 13(6)")
    OTHER_LAW = ("7_other_laws", "(7) other laws and regulations", "PIPL Art 13(7)")


class CcpaDisclosure(CitedEnum):
    NEITHER = ("neither", "Neither sale nor share", "Cal. Civ. Code 1798.140")
    SALE = ("sale", "Sale", "Cal. Civ. Code 1798.140(ad)")
    SHARE = ("share", "Share (cross-context behavioural advertising)",
             "Cal. Civ. Code 1798.140(ah)")
    SALE_AND_SHARE = ("sale_and_share", "Sale and share", "Cal. Civ. Code 1798.140")


class AgreementKind(CitedEnum):
    DPA = ("dpa", "Data processing agreement", "GDPR Art 28(3)")
    ENTRUSTED_PROCESSING = ("entrusted_processing", "Entrusted-processing contract",
                            "PIPL Art 21")
    DATA_LICENCE = ("data_licence", "Data licence", "Interim Measures Art 7(2)")
    JOINT_MODELLING = ("joint_modelling", "Joint-modelling / cooperation agreement",
                       "Interim Measures Art 7(1)")
    CN_STANDARD_CONTRACT = ("cn_standard_contract", "China standard contract",
                            "PIPL Art 38(1)(3); CAC Standard Contract Measures")
    EU_SCC = ("eu_scc", "EU standard contractual clauses", "GDPR Art 46(2)(c)")
    NDA = ("nda", "Non-disclosure agreement", "")
    # issue 14 rules
    DATA_PROVISION = ("data_provision", "PI provision agreement (to another processor)",
                      "PIPL Art 23; NDSMR Art 12")


class SccModule(CitedEnum):
    C2C = ("module_1", "Module 1: controller to controller", "Decision (EU) 2021/914")
    C2P = ("module_2", "Module 2: controller to processor", "Decision (EU) 2021/914")
    P2P = ("module_3", "Module 3: processor to processor", "Decision (EU) 2021/914")
    P2C = ("module_4", "Module 4: processor to controller", "Decision (EU) 2021/914")


class ClauseStatus(CitedEnum):
    PRESENT = ("present", "Present", "")
    MISSING = ("missing", "Missing", "")
    NOT_APPLICABLE = ("not_applicable", "Not applicable", "")


class TransferMechanism(CitedEnum):
    CAC_SECURITY_ASSESSMENT = ("cac_security_assessment", "CAC security assessment",
                               "PIPL Art 38(1)(1), Art 40")
    PI_CERTIFICATION = ("pi_certification", "PI protection certification",
                        "PIPL Art 38(1)(2)")
    CN_STANDARD_CONTRACT = ("cn_standard_contract", "China standard contract",
                            "PIPL Art 38(1)(3)")
    CAC_OTHER_CONDITIONS = ("cac_other_conditions", "Other CAC-specified conditions",
                            "PIPL Art 38(1)(4)")
    TREATY = ("treaty", "International treaty or agreement", "PIPL Art 38(2)")
    EU_ADEQUACY = ("eu_adequacy", "Adequacy decision", "GDPR Art 45")
    EU_PUBLIC_BODY_INSTRUMENT = ("eu_public_body_instrument", "Public-body instrument",
                                 "GDPR Art 46(2)(a)")
    EU_BCR = ("eu_bcr", "Binding corporate rules", "GDPR Art 46(2)(b), Art 47")
    EU_SCC = ("eu_scc", "Commission standard contractual clauses", "GDPR Art 46(2)(c)")
    EU_AUTHORITY_SCC = ("eu_authority_scc", "Authority standard clauses", "GDPR Art 46(2)(d)")
    EU_CODE_OF_CONDUCT = ("eu_code_of_conduct", "Approved code of conduct", "GDPR Art 46(2)(e)")
    EU_CERTIFICATION = ("eu_certification", "Approved certification", "GDPR Art 46(2)(f)")
    EU_AD_HOC_CLAUSES = ("eu_ad_hoc_clauses", "Ad-hoc contractual clauses (authorised)",
                         "GDPR Art 46(3)(a)")
    EU_ADMIN_ARRANGEMENT = ("eu_admin_arrangement", "Administrative arrangement (authorised)",
                            "GDPR Art 46(3)(b)")
    EU_DEROGATION = ("eu_derogation", "Derogation for a specific situation",
                     "GDPR Art 49(1)(a)-(g)")
    EU_COMPELLING_INTERESTS = ("eu_compelling_interests", "Compelling legitimate interests",
                               "GDPR Art 49(1) second subparagraph")


class TransferExemption(CitedEnum):
    """Exemptions of the 2024 CAC Provisions on Promoting and Regulating Cross-Border Data Flows."""

    UNDER_100K_NON_SENSITIVE = ("under_100k_non_sensitive",
                                "Non-sensitive PI of under 100,000 people this year",
                                "2024 CAC Provisions Art 5(4)")
    NO_PERSONAL_INFORMATION = ("no_personal_information",
                               "Trade / academic / production data without PI",
                               "2024 CAC Provisions Art 3")
    COLLECTED_ABROAD = ("collected_abroad", "PI collected abroad and sent back",
                        "2024 CAC Provisions Art 4")
    CONTRACT_WITH_INDIVIDUAL = ("contract_with_individual",
                                "Necessary for a contract with the individual",
                                "2024 CAC Provisions Art 5(1)")
    CROSS_BORDER_HR = ("cross_border_hr", "Cross-border HR management",
                       "2024 CAC Provisions Art 5(2)")
    EMERGENCY = ("emergency", "Emergency to protect life, health or property",
                 "2024 CAC Provisions Art 5(3)")
    # issue 14 rules
    STATUTORY_DUTY = ("statutory_duty", "Necessary to perform a statutory duty",
                      "NDSMR Art 35(6)")
    FREE_TRADE_ZONE = ("free_trade_zone",
                       "Pilot free-trade zone exporter, data not on the zone's negative list",
                       "2024 CAC Provisions Art 6")


class AssessmentKind(CitedEnum):
    DUE_DILIGENCE = ("due_diligence", "Due-diligence review", "GDPR Art 28(1); TC260")
    PIPIA = ("pipia", "PI protection impact assessment", "PIPL Art 55-56")
    DPIA = ("dpia", "Data protection impact assessment", "GDPR Art 35")
    TIA = ("tia", "Transfer impact assessment", "EDPB Recommendations 01/2020")
    # issue 14 rules
    MODEL_LAWFULNESS = ("model_lawfulness",
                        "Assessment that a model was not developed unlawfully",
                        "EDPB Opinion 28/2024")


class AssessmentOutcome(CitedEnum):
    PENDING = ("pending", "Pending", "")
    APPROVED = ("approved", "Approved", "")
    APPROVED_WITH_CONDITIONS = ("approved_with_conditions", "Approved with conditions", "")
    REJECTED = ("rejected", "Rejected", "")


class ChecklistStatus(CitedEnum):
    OPEN = ("open", "Open", "")
    SATISFIED = ("satisfied", "Satisfied", "")
    NOT_APPLICABLE = ("not_applicable", "Not applicable", "")


class EvidenceKind(CitedEnum):
    SIGNED_CONTRACT = ("signed_contract", "Signed contract", "")
    CERTIFICATE = ("certificate", "Certificate", "GDPR Art 42; PIPL Art 38(1)(2)")
    AUDIT_REPORT = ("audit_report", "Audit report", "GDPR Art 28(3)(h)")
    CONSENT_RECORDS = ("consent_records", "Consent records", "GDPR Art 7(1); PIPL Art 14")
    COLLECTION_RECORDS = ("collection_records", "Collection / provenance records",
                          "TC260-003-2024 [check]; AI Act Art 10(2)(b)")
    SAMPLING_REPORT = ("sampling_report", "Content sampling report", "TC260-003-2024 [check]")
    FILING_RECEIPT = ("filing_receipt", "Filing or approval receipt",
                      "CAC Standard Contract Measures Art 7")
    OTHER = ("other", "Other", "")


class ReminderState(CitedEnum):
    OPEN = ("open", "Open", "")
    SNOOZED = ("snoozed", "Snoozed", "")
    DONE = ("done", "Done", "")


class AuditAction(CitedEnum):
    INSERT = ("insert", "Insert", "")
    UPDATE = ("update", "Update", "")
    ARCHIVE = ("archive", "Archive", "")
    RESTORE = ("restore", "Restore", "")
    DELETE = ("delete", "Delete", "")


class ReviewTriggerKind(CitedEnum):
    """Events that make a provider's review due at once (DOMAIN.md review cadence)."""

    NEW_PURPOSE = ("new_purpose", "New purpose", "GDPR Art 5(1)(b), 35; PIPL Art 14")
    NEW_DATA_TYPE = ("new_data_type", "New data type", "GDPR Art 35; PIPL Art 55")
    NEW_SUBPROCESSOR = ("new_subprocessor", "New sub-processor", "GDPR Art 28(2); PIPL Art 21")
    BREACH = ("breach", "Breach", "GDPR Art 33; PIPL Art 57")
    OWNERSHIP_CHANGE = ("ownership_change", "Change of ownership", "GDPR Art 28(1); PIPL Art 38")
    DESTINATION_LAW_CHANGE = ("destination_law_change", "Change in the destination's law",
                              "EDPB Recommendations 01/2020 step 6")
    ADEQUACY_DECISION = ("adequacy_decision", "Adequacy decision adopted or withdrawn",
                         "GDPR Art 45(5)")
    VOLUME_THRESHOLD = ("volume_threshold", "Transfer-volume threshold crossed",
                        "2024 CAC Provisions Art 7-8")
    ASSESSMENT_EXPIRED = ("assessment_expired", "Assessment expired", "PIPL Art 56")
    FILING_EXPIRED = ("filing_expired", "Filing or approval expired",
                      "CAC Security Assessment Measures Art 14")
    CERTIFICATE_EXPIRED = ("certificate_expired", "Certificate expired", "GDPR Art 42(7)")
    AGREEMENT_EXPIRED = ("agreement_expired", "Agreement expired", "GDPR Art 28(3)")
    # issue 14 rules
    DOJ_ONWARD_BREACH = ("doj_onward_breach",
                         "Known or suspected breach of the onward-brokerage clause",
                         "28 CFR 202.302")
    DOJ_REJECTED_OFFER = ("doj_rejected_offer", "Rejected a prohibited data-brokerage offer",
                          "28 CFR 202 reporting (rejected prohibited transactions)")


class ReminderKind(CitedEnum):
    AGREEMENT_EXPIRY = ("agreement_expiry", "Agreement expires", "GDPR Art 28(3); PIPL Art 21")
    AGREEMENT_NOTICE = ("agreement_notice", "Last day to give notice", "Contract terms")
    PROVIDER_REVIEW = ("provider_review", "Provider review due",
                       "Vendor-risk practice; GDPR Art 28(1)")
    REVIEW_TRIGGERED = ("review_triggered", "Review due at once", "DOMAIN.md review events")
    EVIDENCE_EXPIRY = ("evidence_expiry", "Evidence validity ends", "GDPR Art 42(7)")
    FILING_EXPIRY = ("filing_expiry", "Filing / approval expires",
                     "CAC Security Assessment Measures Art 14")
    CAC_EXTENSION_WINDOW = ("cac_extension_window",
                            "CAC security-assessment extension window opens",
                            "CAC Security Assessment Measures Art 14; CAC guide (3rd ed.)")
    STANDARD_CONTRACT_FILING = ("standard_contract_filing", "File the standard contract",
                                "CAC Standard Contract Measures Art 7")
    RETENTION_END = ("retention_end", "Retention period ends: decide",
                     "PIPL Art 56; AI Act Art 18")
    VOLUME_CLASS = ("volume_class", "Transfer volume needs a stricter mechanism",
                    "2024 CAC Provisions Art 7-8")
    QUESTIONNAIRE_OVERDUE = ("questionnaire_overdue", "Supplier questionnaire unanswered",
                             "Vendor-risk practice; GDPR Art 28(1)")  # issue 15
    USER = ("user", "Reminder", "")
    # issue 14 rules
    PI_COMPLIANCE_AUDIT = ("pi_compliance_audit", "PI protection compliance audit due",
                           "PI Protection Compliance Audit Measures [check]")
    PI_OFFICER_REPORT = ("pi_officer_report", "Report the PI protection officer",
                         "PI Protection Compliance Audit Measures [check]")
    DOJ_REPORT = ("doj_report", "Report to the DOJ within 14 days", "28 CFR 202.302")


class ReminderStatus(CitedEnum):
    UPCOMING = ("upcoming", "Upcoming", "")
    DUE = ("due", "Due", "")
    OVERDUE = ("overdue", "Overdue", "")
    SNOOZED = ("snoozed", "Snoozed", "")
    DONE = ("done", "Done", "")


class ExportClass(CitedEnum):
    """What the 2024 CAC Provisions require for a year's outbound personal information."""

    EXEMPT = ("exempt", "Exempt", "2024 CAC Provisions Art 5(4)")
    STANDARD_CONTRACT_OR_CERTIFICATION = (
        "standard_contract_or_certification", "Standard contract or PI certification",
        "2024 CAC Provisions Art 8")
    SECURITY_ASSESSMENT = ("security_assessment", "CAC security assessment",
                           "2024 CAC Provisions Art 7; PIPL Art 40")


# --- issue 14 rules -----------------------------------------------------------------------

class ImportantDataStatus(CitedEnum):
    """NDSMR Art 29, 37: data is important data once the authorities notify or publish it
    as such; the processor's own declaration alone does not make it so."""

    NOT_ASSESSED = ("not_assessed", "Not assessed", "NDSMR Art 29")
    ASSESSED_NONE = ("assessed_none", "Assessed: no important data", "NDSMR Art 29")
    DECLARED = ("declared", "Declared to the authorities (not yet notified)", "NDSMR Art 29")
    NOTIFIED = ("notified", "Notified or published as important data", "NDSMR Art 29, 37")


class ScrapedPiHandling(CitedEnum):
    """NDSMR Art 24: PI gathered by automated collection that is unnecessary or lacks
    consent is deleted or anonymised."""

    KEPT = ("kept", "Kept as collected", "NDSMR Art 24")
    DELETED = ("deleted", "Unnecessary / unconsented PI deleted", "NDSMR Art 24")
    ANONYMISED = ("anonymised", "Unnecessary / unconsented PI anonymised", "NDSMR Art 24")
    NECESSARY_WITH_CONSENT = ("necessary_with_consent", "Only necessary PI with consent kept",
                              "NDSMR Art 24")


class DojDataCategory(CitedEnum):
    """Categories of sensitive personal data of 28 CFR 202 (thresholds in tracker.domain.doj)."""

    HUMAN_GENOMIC = ("human_genomic", "Human genomic data", "28 CFR 202 Subpart B")
    OTHER_OMIC = ("other_omic", "Other human 'omic data", "28 CFR 202 Subpart B")
    BIOMETRIC = ("biometric", "Biometric identifiers", "28 CFR 202 Subpart B")
    PRECISE_GEOLOCATION = ("precise_geolocation", "Precise geolocation data",
                           "28 CFR 202 Subpart B")
    PERSONAL_HEALTH = ("personal_health", "Personal health data", "28 CFR 202 Subpart B")
    PERSONAL_FINANCIAL = ("personal_financial", "Personal financial data", "28 CFR 202 Subpart B")
    COVERED_IDENTIFIERS = ("covered_identifiers", "Covered personal identifiers",
                           "28 CFR 202 Subpart B")
    GOVERNMENT_RELATED = ("government_related", "Government-related data", "28 CFR 202 Subpart B")


class DojTransaction(CitedEnum):
    """What the company's dealing with a counterparty gives it (28 CFR 202 Subparts C, D)."""

    NONE = ("none", "No access to US sensitive data", "")
    DATA_BROKERAGE = ("data_brokerage", "Data brokerage (selling or licensing access)",
                      "28 CFR 202.301")
    VENDOR_AGREEMENT = ("vendor_agreement", "Vendor agreement giving access",
                        "28 CFR 202.401")
    EMPLOYMENT_AGREEMENT = ("employment_agreement", "Employment agreement giving access",
                            "28 CFR 202.401")
    INVESTMENT_AGREEMENT = ("investment_agreement", "Investment agreement giving access",
                            "28 CFR 202.401")
# --- issue 15 questionnaires ---------------------------------------------------------------

class QuestionnaireStatus(CitedEnum):
    """Where a supplier questionnaire stands. Only ``sent`` and ``answered`` are stored;
    ``reviewed`` (its review decided) and ``overdue`` (sent, due date passed) are derived
    (tracker.domain.questionnaire.status_of), so they cannot drift from the records."""

    SENT = ("sent", "Sent", "")
    ANSWERED = ("answered", "Answered", "")
    REVIEWED = ("reviewed", "Reviewed", "")
    OVERDUE = ("overdue", "Overdue", "")


class QuestionnaireLanguage(CitedEnum):
    EN = ("en", "English", "")
    ZH = ("zh", "Chinese (中文)", "")
    BOTH = ("both", "English and Chinese", "")


class ResponseSection(CitedEnum):
    CHECKLIST = ("checklist", "Due-diligence question", "DOMAIN.md due-diligence checklist")
    AI = ("ai", "AI-supplier question", "AI Act Art 53; Interim Measures Art 7")
    SUPPLY = ("supply", "Supply detail", "GDPR Art 30; PIPL Art 55")
    TRANSFER = ("transfer", "Transfer detail", "PIPL Art 38-40; GDPR Art 44")
    EVIDENCE = ("evidence", "Evidence asked for", "GDPR Art 28(3)(h)")


class CorrectionDecision(CitedEnum):
    PENDING = ("pending", "Pending", "")
    ACCEPTED = ("accepted", "Accepted", "")
    REJECTED = ("rejected", "Rejected", "")
