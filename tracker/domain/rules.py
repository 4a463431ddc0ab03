"""Cross-field rules every record must satisfy before it is stored.

Plain functions over a dict of field values, so the service layer, the import and the
tests use the same rules. Each returns the problems found, field by field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.domain.enums import AgreementKind, Regime


@dataclass(frozen=True, slots=True)
class FieldError:
    """A problem with one field, phrased so a person can fix it."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


Values = Mapping[str, Any]
Rule = Callable[[Values], list[FieldError]]


def _before(values: Values, earlier: str, later: str, message: str) -> list[FieldError]:
    first, second = values.get(earlier), values.get(later)
    if isinstance(first, date) and isinstance(second, date) and second < first:
        return [FieldError(later, f"{message} ({second.isoformat()} is before "
                                  f"{first.isoformat()})")]
    return []


def agreement_rules(values: Values) -> list[FieldError]:
    errors = _before(values, "effective_on", "expires_on",
                     "the expiry date is before the effective date")
    errors += _before(values, "signed_on", "expires_on",
                      "the expiry date is before the signing date")
    kind, module = values.get("kind"), values.get("scc_module")
    if kind == AgreementKind.EU_SCC and module is None:
        errors.append(FieldError("scc_module",
                                 "EU standard contractual clauses need their module (1-4)"))
    if kind != AgreementKind.EU_SCC and module is not None:
        errors.append(FieldError("scc_module",
                                 "an SCC module only applies to EU standard contractual clauses"))
    return errors


def transfer_rules(values: Values) -> list[FieldError]:
    errors: list[FieldError] = []
    if values.get("mechanism") is None and values.get("exemption") is None:
        # PIPL Art 38 and GDPR Chapter V: every transfer rests on a mechanism or an exemption.
        errors.append(FieldError("mechanism",
                                 "a transfer needs a mechanism or an exemption (PIPL 38; GDPR 44)"))
    origin, destination = values.get("origin_country"), values.get("destination_country")
    if origin and origin == destination:
        errors.append(FieldError("destination_country",
                                 "origin and destination are the same country: not a transfer"))
    counted = (values.get("people_non_sensitive") or 0) + (values.get("people_sensitive") or 0)
    if counted and values.get("count_year") is None:
        errors.append(FieldError("count_year",
                                 "people counts need the year they were counted in "
                                 "(the counter resets on 1 January)"))
    errors += _before(values, "filed_on", "filing_expires_on",
                      "the filing expires before it was filed")
    return errors


_GDPR_REGIMES = (Regime.GDPR, Regime.UK_GDPR)


def legal_basis_rules(values: Values) -> list[FieldError]:
    errors: list[FieldError] = []
    regime = values.get("regime")
    art6, art9, art13 = values.get("gdpr_art6"), values.get("gdpr_art9"), values.get("pipl_art13")
    ccpa = values.get("ccpa_disclosure")
    if regime in _GDPR_REGIMES and art6 is None:
        errors.append(FieldError("gdpr_art6", "a GDPR basis needs its Art 6(1) letter"))
    if regime == Regime.PIPL and art13 is None:
        errors.append(FieldError("pipl_art13", "a PIPL basis needs its Art 13 item"))
    if regime == Regime.CCPA and ccpa is None:
        errors.append(FieldError("ccpa_disclosure", "a CCPA entry must say sale, share or neither"))
    if regime not in _GDPR_REGIMES:
        for name, value in (("gdpr_art6", art6), ("gdpr_art9", art9)):
            if value is not None:
                errors.append(FieldError(name, f"a GDPR letter does not belong to regime {regime}"))
    if regime != Regime.PIPL and art13 is not None:
        errors.append(FieldError("pipl_art13", f"a PIPL item does not belong to regime {regime}"))
    if regime != Regime.CCPA and ccpa is not None:
        errors.append(FieldError("ccpa_disclosure",
                                 f"a CCPA flag does not belong to regime {regime}"))
    return errors


def assessment_rules(values: Values) -> list[FieldError]:
    errors = (_before(values, "assessed_on", "next_review_on",
                      "the next review is before the assessment")
              + _before(values, "assessed_on", "retain_until",
                        "the retain-until date is before the assessment"))
    problem = override_problem(values.get("approval_override"))
    if problem:
        errors.append(FieldError("approval_override", problem))
    return errors


APPROVING = frozenset({"approved", "approved_with_conditions"})
# An override is a reason an auditor can read, not a tick: at least this many characters
# and words (DOMAIN.md checklist; the override is audited with the approval).
OVERRIDE_MIN_CHARS = 15
OVERRIDE_MIN_WORDS = 3


def override_problem(text: Any) -> str | None:
    """Why an approval-override text is not a reason (None: it is one, or it is empty)."""
    from tracker.domain.text import control_problem

    raw = text if isinstance(text, str) else "" if text is None else str(text)
    reason = raw.strip()
    if not reason or control_problem(raw):
        return None  # nothing, or refused as every text is (tracker.domain.text)
    if len(reason) < OVERRIDE_MIN_CHARS or len(reason.split()) < OVERRIDE_MIN_WORDS:
        return (f"name the reason in words (at least {OVERRIDE_MIN_WORDS} words and "
                f"{OVERRIDE_MIN_CHARS} characters): who accepted which risk and why")
    return None


def approval_blockers(values: Values, open_items: list[int],
                      critical_gaps: Sequence[str] = ()) -> list[FieldError]:
    """A due-diligence review cannot be approved while a critical checklist item is open or
    the register holds an open critical gap for the provider, unless an override reason is
    recorded (DOMAIN.md checklist; the override is audited). Every blocker is listed."""
    from tracker.domain.checklists import CHECKLIST_BY_NUMBER

    critical = sorted(n for n in open_items if CHECKLIST_BY_NUMBER[n].critical)
    outcome = values.get("outcome")
    if (not critical and not critical_gaps) or outcome is None \
            or str(getattr(outcome, "value", outcome)) not in APPROVING:
        return []
    override = values.get("approval_override")
    problem = override_problem(override)
    if (override or "").strip() and problem is None:
        return []
    parts = []
    if critical:
        listed = ", ".join(f"{n} ({CHECKLIST_BY_NUMBER[n].text})" for n in critical)
        parts.append(f"critical checklist items are open: {listed}")
    if critical_gaps:
        listed = "; ".join(f"{i}) {gap}" for i, gap in enumerate(critical_gaps, 1))
        parts.append(f"the register holds {len(critical_gaps)} open critical gap"
                     f"{'s' if len(critical_gaps) > 1 else ''} for this provider: {listed}")
    errors = [FieldError("outcome", "cannot approve while " + "; and ".join(parts)
                         + ". Resolve them, or record in approval_override who accepted the "
                           "risk and why")]
    if problem:
        errors.append(FieldError("approval_override", f"not a reason: {problem}"))
    return errors


def supply_rules(values: Values) -> list[FieldError]:
    errors: list[FieldError] = []
    if values.get("contains_sensitive_pi") and not values.get("contains_pi"):
        errors.append(FieldError("contains_pi",
                                 "sensitive PI is personal information: mark contains_pi too"))
    if values.get("contains_minors_data") and not values.get("contains_pi"):
        errors.append(FieldError("contains_pi",
                                 "data of minors is personal information: mark contains_pi too"))
    return errors


def agreement_clause_rules(values: Values) -> list[FieldError]:
    from tracker.domain.checklists import ALL_CLAUSES

    code = values.get("clause")
    if code in ALL_CLAUSES:
        return []
    return [FieldError("clause", f"unknown clause {code!r}; allowed: {', '.join(ALL_CLAUSES)}")]


# An address a message can be sent to: one @, a name before it, a domain with a dot after
# it, no spaces. Not RFC 5322 in full: what a contact e-mail in a register needs.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def provider_rules(values: Values) -> list[FieldError]:
    email = values.get("contact_email")
    if email and not EMAIL.fullmatch(str(email)):
        return [FieldError("contact_email", f"{email!r} is not an e-mail address "
                                            "(name@example.com)")]
    return []


RULES: dict[str, Rule] = {
    "provider": provider_rules,
    "agreement_clause": agreement_clause_rules,
    "agreement": agreement_rules,
    "transfer": transfer_rules,
    "legal_basis": legal_basis_rules,
    "assessment": assessment_rules,
    "supply": supply_rules,
}


def check_record(entity: str, values: Values) -> list[FieldError]:
    """All cross-field problems of one record of ``entity``."""
    rule = RULES.get(entity)
    return rule(values) if rule else []
