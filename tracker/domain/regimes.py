"""Which data-protection regimes apply to a provider's data, by where it is established or
where its data leaves from. A first approximation kept as data: an officer's own analysis
(e.g. GDPR Art 3(2) targeting) can always add a legal basis for another regime."""

from __future__ import annotations

from tracker.domain.enums import Regime

EEA = frozenset({"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU",
                 "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES",
                 "SE", "IS", "LI", "NO", "EU"})

# GDPR Art 3(1); UK GDPR Art 3; PIPL Art 3; CCPA (Cal. Civ. Code 1798.140(d)) [check: applies
# by business thresholds, approximated here by establishment in the US].
REGIME_BY_COUNTRY: dict[str, Regime] = {
    **dict.fromkeys(EEA, Regime.GDPR),
    "GB": Regime.UK_GDPR,
    "CN": Regime.PIPL,
    "US": Regime.CCPA,
}


def regimes_for(countries: set[str | None]) -> set[Regime]:
    return {REGIME_BY_COUNTRY[c] for c in countries if c in REGIME_BY_COUNTRY}


# The legal-basis fields each regime's basis is written in (GDPR Art 6(1) and Art 9(2);
# PIPL Art 13 and the separate consent of Arts 29/39; CCPA 1798.120/1798.135): a form shows
# a regime's own fields only, and a field of another regime is refused by
# tracker.domain.rules.legal_basis_rules.
REGIME_BASIS_FIELDS: dict[Regime, frozenset[str]] = {
    Regime.GDPR: frozenset({"gdpr_art6", "gdpr_art9"}),
    Regime.UK_GDPR: frozenset({"gdpr_art6", "gdpr_art9"}),
    Regime.PIPL: frozenset({"pipl_art13", "separate_consent"}),
    Regime.CCPA: frozenset({"ccpa_disclosure"}),
}
ALL_BASIS_FIELDS = frozenset().union(*REGIME_BASIS_FIELDS.values())


def basis_fields_not_applying(regime: Regime | str | None) -> frozenset[str]:
    """The legal-basis fields another regime's basis is written in: none until a regime is
    chosen, so a new form shows every field it may need."""
    if regime is None:
        return frozenset()
    try:
        chosen = Regime(regime)
    except ValueError:
        return frozenset()
    return ALL_BASIS_FIELDS - REGIME_BASIS_FIELDS[chosen]
