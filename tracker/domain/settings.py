"""The register's shared settings: their defaults, and how a typed value is checked.

Cadences and lead times are settings, not constants (DOMAIN.md "Review cadence and
reminders": common vendor-risk practice, each tier's cadence a setting).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tracker.domain.countries import check_country_code
from tracker.domain.enums import RiskTier
from tracker.domain.text import control_problem, visible


class SettingError(ValueError):
    """A setting name or value that cannot be accepted."""


def _months(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 120:
        raise SettingError("must be a whole number of months from 1 to 120")
    return value


def _lead_days(value: Any) -> list[int]:
    if (not isinstance(value, list) or not value
            or any(isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 3650
                   for v in value)):
        raise SettingError("must be a list of whole numbers of days, e.g. [90, 30, 7]")
    return sorted(set(value), reverse=True)


def _register_kind(value: Any) -> str:
    if value not in ("live", "demo"):
        raise SettingError("must be live or demo")
    return str(value)


def _one_line(value: str) -> str:
    """A setting's text is one line with no control character (tracker.domain.text): it is
    printed in report headers, the export's Summary and every audit line."""
    problem = control_problem(value, one_line=True)
    if problem:
        raise SettingError(problem)
    return value.strip()


def _text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 500:
        raise SettingError("must be text of at most 500 characters")
    return _one_line(value)


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise SettingError("must be a non-empty name of at most 200 characters")
    return _one_line(value)


def _countries(value: Any) -> list[str]:
    """A list of ISO codes, typed as JSON (["DE", "FR"]) or as text ("DE, FR")."""

    if isinstance(value, str):
        value = [v for v in value.replace(";", ",").split(",") if v.strip()]
    if not isinstance(value, list) or any(not isinstance(v, str) for v in value):
        raise SettingError("must be a list of country codes, e.g. DE, FR or [\"DE\", \"FR\"]")
    try:
        return sorted({check_country_code(v) for v in value})
    except ValueError as err:
        raise SettingError(str(err)) from None


def _people(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SettingError("must be a whole number of people (or empty: counted from supplies)")
    return value


def _day(value: Any) -> str | None:
    """A date, stored as ISO text (settings are JSON)."""
    from datetime import date

    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise SettingError("must be a date as YYYY-MM-DD (or empty)") from None


@dataclass(frozen=True, slots=True)
class SettingSpec:
    key: str
    default: Any
    check: Callable[[Any], Any]
    help: str


SETTINGS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec("review_cadence_months.critical", 12, _months,
                    "Months between reviews of a critical provider (stricter shops: 6)"),
        SettingSpec("review_cadence_months.high", 12, _months,
                    "Months between reviews of a high-risk provider"),
        SettingSpec("review_cadence_months.medium", 24, _months,
                    "Months between reviews of a medium-risk provider"),
        SettingSpec("review_cadence_months.low", 36, _months,
                    "Months between reviews of a low-risk provider"),
        SettingSpec("reminder_lead_days", [90, 30, 7], _lead_days,
                    "Days ahead of a due date at which a reminder shows"),
        SettingSpec("organisation_name", "", _text,
                    "The controller named in reports (GDPR Art 30(1)(a))"),
        SettingSpec("organisation_dpo", "", _text,
                    "The DPO / PI protection officer named in reports (GDPR Art 30(1)(a))"),
        # --- issue 14 reports: what the documents an authority receives must name -------
        SettingSpec("organisation_contact", "", _text,
                    "The controller's / provider's address and contact in reports "
                    "(GDPR Art 30(1)(a); AI Act summary 1.1)"),
        SettingSpec("eu_representative", "", _text,
                    "The representative in the Union, if established outside it (GDPR Art 27; "
                    "AI Act Art 54 authorised representative): name and contact"),
        SettingSpec("security_measures", "", _text,
                    "General description of the technical and organisational security "
                    "measures (GDPR Art 30(1)(g), Art 32(1))"),
        # --- end issue 14 reports ----------------------------------------------------------
        SettingSpec("register_kind", "live", _register_kind,
                    "demo marks a register `tracker demo` may overwrite; live is real data"),
        # issue 14 rules: the company's side of which laws apply (tracker.domain.regimes)
        SettingSpec("organisation_established_in", [], _countries,
                    "Countries where the company is established (GDPR 3(1); PIPL 3(1))"),
        SettingSpec("organisation_markets", [], _countries,
                    "Markets the company's models or services are offered in (AI Act 2(1); "
                    "Interim Measures 2)"),
        SettingSpec("pi_people_processed", None, _people,
                    "People whose PI the company processes (empty: the sum over supplies); "
                    "PI Protection Compliance Audit Measures"),
        SettingSpec("pi_compliance_audit_last_on", None, _day,
                    "Date of the last PI protection compliance audit (every 2 years above "
                    "10 million people)"),
        SettingSpec("pi_million_reached_on", None, _day,
                    "Date the company reached PI of 1 million people (officer report due "
                    "30 working days later)"),
        SettingSpec("pi_officer_reported_on", None, _day,
                    "Date the PI protection officer was reported to the authority"),
    )
}

# Display names are per OS user ("display_name.<os user>") so one shared register can name
# each officer in its audit trail.
DISPLAY_NAME_PREFIX = "display_name."


def spec_for(key: str) -> SettingSpec:
    if key.startswith(DISPLAY_NAME_PREFIX) and len(key) > len(DISPLAY_NAME_PREFIX):
        return SettingSpec(key, None, _name, "The name recorded in the audit trail for this user")
    try:
        return SETTINGS[key]
    except KeyError:
        known = ", ".join([*SETTINGS, DISPLAY_NAME_PREFIX + "<os user>"])
        raise SettingError(f"unknown setting {key!r}; known settings: {known}") from None


def parse_setting(key: str, text: str) -> Any:
    """Turn the command-line text of a value into a checked value for ``key``. A display
    name's key holds a user name, which is refused like the actor (tracker.store.audit)."""
    problem = control_problem(key, one_line=True)
    if problem:
        raise SettingError(f"the setting name '{visible(key)}' {problem}")
    spec = spec_for(key)
    try:
        value: Any = json.loads(text)
    except json.JSONDecodeError:
        value = text
    if spec.check is _lead_days and isinstance(value, int):
        value = [value]
    try:
        return spec.check(value)
    except SettingError as err:
        raise SettingError(f"{key} {err}") from None


def cadence_key(tier: RiskTier) -> str:
    return f"review_cadence_months.{tier.value}"
