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
