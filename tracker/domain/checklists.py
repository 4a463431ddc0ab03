"""The clause checklists for agreements and the 30-item due-diligence checklist, as data.

Sources: GDPR Art 28(3) and PIPL Art 21 for clauses; DOMAIN.md "Due-diligence checklist
for a provider" for the 30 items, each tagged with where it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.domain.enums import AgreementKind


@dataclass(frozen=True, slots=True)
class ClauseItem:
    """One clause an agreement of a given kind must contain."""

    code: str
    text: str
    article: str


GDPR_ART28_CLAUSES: tuple[ClauseItem, ...] = (
    ClauseItem("gdpr28_subject_duration", "Subject-matter and duration", "GDPR Art 28(3)"),
    ClauseItem("gdpr28_nature_purpose", "Nature and purpose", "GDPR Art 28(3)"),
    ClauseItem("gdpr28_data_types", "Type of personal data", "GDPR Art 28(3)"),
    ClauseItem("gdpr28_subject_categories", "Categories of data subjects", "GDPR Art 28(3)"),
    ClauseItem("gdpr28_controller_rights", "Controller's obligations and rights",
               "GDPR Art 28(3)"),
    ClauseItem("gdpr28_a_instructions", "Documented instructions, incl. transfers",
               "GDPR Art 28(3)(a)"),
    ClauseItem("gdpr28_b_confidentiality", "Confidentiality of authorised persons",
               "GDPR Art 28(3)(b)"),
    ClauseItem("gdpr28_c_security", "Art 32 security measures", "GDPR Art 28(3)(c)"),
    ClauseItem("gdpr28_d_subprocessors", "Sub-processor conditions", "GDPR Art 28(3)(d)"),
    ClauseItem("gdpr28_e_rights", "Help with data-subject rights", "GDPR Art 28(3)(e)"),
    ClauseItem("gdpr28_f_assist", "Help with Arts 32-36", "GDPR Art 28(3)(f)"),
    ClauseItem("gdpr28_g_deletion", "Deletion or return at the end", "GDPR Art 28(3)(g)"),
    ClauseItem("gdpr28_h_audits", "Information and audits", "GDPR Art 28(3)(h)"),
)

PIPL_ART21_CLAUSES: tuple[ClauseItem, ...] = (
    ClauseItem("pipl21_purpose", "Purpose of processing", "PIPL Art 21"),
    ClauseItem("pipl21_duration", "Duration", "PIPL Art 21"),
    ClauseItem("pipl21_method", "Method of processing", "PIPL Art 21"),
    ClauseItem("pipl21_pi_types", "Types of personal information", "PIPL Art 21"),
    ClauseItem("pipl21_protection", "Protection measures", "PIPL Art 21"),
    ClauseItem("pipl21_rights_obligations", "Rights and obligations of both parties",
               "PIPL Art 21"),
    ClauseItem("pipl21_supervision", "Supervision by the controller", "PIPL Art 21"),
    ClauseItem("pipl21_within_purpose", "Processor stays within purpose and method",
               "PIPL Art 21"),
    ClauseItem("pipl21_return_delete", "Return or delete on termination, keep nothing",
               "PIPL Art 21"),
    ClauseItem("pipl21_no_subentrustment", "No sub-entrustment without consent",
               "PIPL Art 21"),
)

# issue 14 rules: NDSMR Art 12, providing PI or important data to another processor.
NDSMR_ART12_CLAUSES: tuple[ClauseItem, ...] = (
    ClauseItem("ndsmr12_purpose", "Purpose of the provision", "NDSMR Art 12"),
    ClauseItem("ndsmr12_method", "Method of processing", "NDSMR Art 12"),
    ClauseItem("ndsmr12_scope", "Scope (PI categories, volume)", "NDSMR Art 12"),
    ClauseItem("ndsmr12_security", "Security protection obligations", "NDSMR Art 12"),
    ClauseItem("ndsmr12_supervision", "Supervision of the recipient", "NDSMR Art 12"),
    ClauseItem("ndsmr12_records", "Records of each provision kept at least 3 years",
               "NDSMR Art 12"),
)

ALL_CLAUSES: dict[str, ClauseItem] = {
    c.code: c for c in GDPR_ART28_CLAUSES + PIPL_ART21_CLAUSES + NDSMR_ART12_CLAUSES}

# Which checklist an agreement kind is held to. A DPA answers to GDPR Art 28(3); an
# entrusted-processing contract to PIPL Art 21. Other kinds carry no statutory checklist.
CLAUSES_BY_AGREEMENT_KIND: dict[AgreementKind, tuple[ClauseItem, ...]] = {
    AgreementKind.DPA: GDPR_ART28_CLAUSES,
    AgreementKind.ENTRUSTED_PROCESSING: PIPL_ART21_CLAUSES,
    AgreementKind.DATA_PROVISION: NDSMR_ART12_CLAUSES,
}


def clauses_for(kind: AgreementKind) -> tuple[ClauseItem, ...]:
    """The clauses an agreement of this kind is checked against (empty when none apply)."""
    return CLAUSES_BY_AGREEMENT_KIND.get(kind, ())


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One item of the provider due-diligence checklist."""

    number: int
    text: str
    sources: str
    critical: bool


# "critical": an item that blocks approval while open (issue 8 adds the override).
DUE_DILIGENCE_CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem(1, "Legal entity, ownership, foreign-state access exposure",
                  "GDPR 28(1); PIPL 38", True),
    ChecklistItem(2, "Role: processor, entrusted party, independent or joint controller",
                  "GDPR 28; PIPL 21/23", True),
    ChecklistItem(3, "Data inventory: categories, sensitive, minors, people counted",
                  "GDPR 30; PIPL 28/31", True),
    ChecklistItem(4, "Provider's legal basis per supply", "GDPR 6/9; PIPL 13; Interim 7(3)",
                  True),
    ChecklistItem(5, "Consent and separate-consent evidence", "PIPL 23/29/39", True),
    ChecklistItem(6, "Provenance, collection records, opt-outs respected",
                  "TC260; AI Act 10, 53(1)(c)", True),
    ChecklistItem(7, "Licence covers AI training, sublicensing, term; open-source licence",
                  "Interim 7(2)", True),
    ChecklistItem(8, "Supplier's written commitments and proof on source, quality, security",
                  "TC260", False),
    ChecklistItem(9, "Illegal-content sampling at or under 5% before and after collection",
                  "TC260", True),
    ChecklistItem(10, "Quality and bias review", "Interim 7(4); AI Act 10", False),
    ChecklistItem(11, "Annotation vendor: rules, QA sampling, training", "Interim 8", False),
    ChecklistItem(12, "Foundation-model provenance and licence for joint-modelling partners",
                  "Interim 7(1)", False),
    ChecklistItem(13, "Agreement with all required clauses", "GDPR 28(3); PIPL 21", True),
    ChecklistItem(14, "Sub-processors and re-entrustment", "GDPR 28(2)/(4); PIPL 21", False),
    ChecklistItem(15, "Security measures and certifications", "GDPR 32; PIPL 51", False),
    ChecklistItem(16, "Breach notification terms", "GDPR 33; PIPL 57", False),
    ChecklistItem(17, "Data-subject rights support", "GDPR 28(3)(e); Interim 11", False),
    ChecklistItem(18, "Return or deletion at the end", "GDPR 28(3)(g); PIPL 21", False),
    ChecklistItem(19, "Storage locations, remote access, onward transfers",
                  "GDPR 30(1)(e), 44", False),
    ChecklistItem(20, "Transfer mechanism and yearly people counter",
                  "PIPL 38-40; 2024 Provisions; GDPR 45-49", True),
    ChecklistItem(21, "TIA / PIPIA done, retain-until set", "PIPL 55-56; EDPB 01/2020", True),
    ChecklistItem(22, "PIPL 39 notice and separate consent for outbound data", "PIPL 39", True),
    ChecklistItem(23, "Standard-contract filing within 10 working days; assessment or "
                      "certification expiry", "2024 Provisions; Standard Contract Measures",
                  False),
    ChecklistItem(24, "Important-data and CIIO localisation check", "PIPL 40", True),
    ChecklistItem(25, "Foreign-authority access requests", "GDPR 48; PIPL 41 [check]", False),
    ChecklistItem(26, "Record of processing updated", "GDPR 30; PIPL 55", False),
    ChecklistItem(27, "AI Act training-content summary fields captured", "AI Act 53(1)(d)",
                  False),
    ChecklistItem(28, "Filing-ready explanation of source, scale, type, labelling rules",
                  "Interim 17/19", False),
    ChecklistItem(29, "DPIA / PIPIA triggers: sensitive data, automated decisions",
                  "GDPR 35; PIPL 55", False),
    ChecklistItem(30, "Risk tier and next review date set", "Vendor-risk practice", False),
)

CHECKLIST_BY_NUMBER: dict[int, ChecklistItem] = {i.number: i for i in DUE_DILIGENCE_CHECKLIST}
