"""Which laws apply to a provider's data, decided from both sides: the supplier (where it is
established, where its data leaves from) and the company (where it is established, which
markets it serves), and where the data subjects are.

The decision is one table, ``APPLICABILITY``: a law applies when any of its rows matches.
Each row names the side that brings the law in, the countries, and the article that says
so. The table is data (README "Compliance rules" prints it); an officer's own analysis can
always add a legal basis for another regime.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from tracker.domain.enums import Regime

EEA = frozenset({"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU",
                 "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES",
                 "SE", "IS", "LI", "NO", "EU"})
CHINA = frozenset({"CN"})  # mainland; Hong Kong and Macau have laws of their own
UK = frozenset({"GB"})
US = frozenset({"US"})


class Law(StrEnum):
    """The laws the gap rules apply. The first four are the data-protection regimes a
    legal basis is recorded under (``Regime``); the others carry duties without one."""

    GDPR = "gdpr"
    UK_GDPR = "uk_gdpr"
    PIPL = "pipl"
    CCPA = "ccpa"
    NDSMR = "ndsmr"  # Network Data Security Management Regulations (Decree 790)
    CN_GENAI = "cn_genai"  # Interim Measures for Generative AI Services (CAC Order 15)
    EU_AI_ACT = "eu_ai_act"
    US_DOJ_BULK = "us_doj_bulk"  # 28 CFR Part 202

    @property
    def regime(self) -> Regime | None:
        """The legal-basis regime of this law, if it is one."""
        return REGIME_OF_LAW.get(self)


REGIME_OF_LAW = {Law.GDPR: Regime.GDPR, Law.UK_GDPR: Regime.UK_GDPR, Law.PIPL: Regime.PIPL,
                 Law.CCPA: Regime.CCPA}


class Side(StrEnum):
    """Who brings a law in."""

    SUPPLIER = "supplier's establishment"
    ORIGIN = "where the data leaves from"
    ESTABLISHMENT = "company's establishment"
    MARKET = "company's markets"
    DATA_SUBJECTS = "data subjects' location"


@dataclass(frozen=True, slots=True)
class Applies:
    law: Law
    side: Side
    countries: frozenset[str]
    article: str
    secondary: bool = False  # read in a secondary summary, not the official text


APPLICABILITY: tuple[Applies, ...] = (
    # GDPR Art 3(1): processing in the context of an establishment in the Union (the
    # supplier's, or the company's own); Art 3(2): the data of people in the Union, by a
    # company offering them goods or services or monitoring them; Chapter V follows data
    # leaving the EEA. Serving the EU market alone does not bring GDPR to the data of
    # people outside the Union (Art 3(2) is about data subjects in the Union), so a
    # company's markets bring in only the laws about placing a model on a market.
    Applies(Law.GDPR, Side.SUPPLIER, EEA, "GDPR Art 3(1)"),
    Applies(Law.GDPR, Side.ORIGIN, EEA, "GDPR Art 44"),
    Applies(Law.GDPR, Side.ESTABLISHMENT, EEA, "GDPR Art 3(1)"),
    Applies(Law.GDPR, Side.DATA_SUBJECTS, EEA, "GDPR Art 3(2)"),
    Applies(Law.UK_GDPR, Side.SUPPLIER, UK, "UK GDPR Art 3(1)"),
    Applies(Law.UK_GDPR, Side.ORIGIN, UK, "UK GDPR Art 44"),
    Applies(Law.UK_GDPR, Side.ESTABLISHMENT, UK, "UK GDPR Art 3(1)"),
    Applies(Law.UK_GDPR, Side.DATA_SUBJECTS, UK, "UK GDPR Art 3(2)"),
    # PIPL Art 3: processing within China; outside China, the PI of people in China, for
    # providing them products or services or analysing their behaviour.
    Applies(Law.PIPL, Side.SUPPLIER, CHINA, "PIPL Art 3(1)"),
    Applies(Law.PIPL, Side.ORIGIN, CHINA, "PIPL Art 3(1), Art 38"),
    Applies(Law.PIPL, Side.ESTABLISHMENT, CHINA, "PIPL Art 3(1)"),
    Applies(Law.PIPL, Side.DATA_SUBJECTS, CHINA, "PIPL Art 3(2)"),
    # NDSMR Art 2: network data processing in China, and outside China processing the PI
    # of people in China.
    Applies(Law.NDSMR, Side.SUPPLIER, CHINA, "NDSMR Art 2"),
    Applies(Law.NDSMR, Side.ORIGIN, CHINA, "NDSMR Art 2"),
    Applies(Law.NDSMR, Side.ESTABLISHMENT, CHINA, "NDSMR Art 2"),
    Applies(Law.NDSMR, Side.DATA_SUBJECTS, CHINA, "NDSMR Art 2"),
    # Interim Measures Art 2: generative-AI services offered to the public in China.
    Applies(Law.CN_GENAI, Side.MARKET, CHINA, "Interim Measures Art 2"),
    Applies(Law.CN_GENAI, Side.ESTABLISHMENT, CHINA, "Interim Measures Art 2"),
    # AI Act Art 2(1)(a): providers placing models on the Union market, wherever established.
    Applies(Law.EU_AI_ACT, Side.MARKET, EEA, "AI Act Art 2(1)(a)"),
    Applies(Law.EU_AI_ACT, Side.ESTABLISHMENT, EEA, "AI Act Art 2(1)(b)"),
    # CCPA: the PI of California consumers held by a business doing business there;
    # approximated by a US supplier and by US data subjects (a US company's establishment
    # alone does not bring it to the data of people elsewhere).
    Applies(Law.CCPA, Side.SUPPLIER, US, "Cal. Civ. Code 1798.140(d)", secondary=True),
    Applies(Law.CCPA, Side.DATA_SUBJECTS, US, "Cal. Civ. Code 1798.140(d)", secondary=True),
    # 28 CFR 202: binds US persons (the company established in the US); the data it protects
    # is US persons' (the count on the supply decides whether a dealing is covered).
    Applies(Law.US_DOJ_BULK, Side.ESTABLISHMENT, US, "28 CFR 202.256"),
)


@dataclass(frozen=True, slots=True)
class Facts:
    """The countries on each side of one provider's data."""

    supplier: frozenset[str] = frozenset()
    origin: frozenset[str] = frozenset()
    establishment: frozenset[str] = frozenset()
    markets: frozenset[str] = frozenset()
    data_subjects: frozenset[str] = frozenset()
    by_side: dict[Side, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_side", {
            Side.SUPPLIER: self.supplier, Side.ORIGIN: self.origin,
            Side.ESTABLISHMENT: self.establishment, Side.MARKET: self.markets,
            Side.DATA_SUBJECTS: self.data_subjects})


def codes(values: Iterable[str | None]) -> frozenset[str]:
    return frozenset(v for v in values if v)


def why_applies(facts: Facts) -> dict[Law, list[Applies]]:
    """Each applicable law with the rows of the table that bring it in."""
    found: dict[Law, list[Applies]] = {}
    for row in APPLICABILITY:
        if facts.by_side[row.side] & row.countries:
            found.setdefault(row.law, []).append(row)
    return found


def applicable_laws(facts: Facts) -> set[Law]:
    return set(_laws_of(facts))


@functools.lru_cache(maxsize=4096)
def _laws_of(facts: Facts) -> frozenset[Law]:
    """The gap rules ask ~280,000 times at 100,000 providers (per provider and per supply,
    in several rules), and a register's providers share a few combinations of countries:
    each combination is worked out once (``Facts`` hashes by its five sets)."""
    return frozenset(why_applies(facts))


def applicable_regimes(facts: Facts) -> set[Regime]:
    """The data-protection regimes a supply holding PI needs a legal basis under."""
    return {regime for law in applicable_laws(facts) if (regime := law.regime) is not None}


def parse_country_list(text: str | None) -> frozenset[str]:
    """A stored comma-separated list of codes (a supply's data subjects)."""
    if not text:
        return frozenset()
    return frozenset(c.strip().upper() for c in text.split(",") if c.strip())


@dataclass(frozen=True, slots=True)
class Organisation:
    """The company's own side (settings ``organisation_*``): where it is established and the
    markets it serves. Empty when not set: the supplier's side alone then decides."""

    name: str = ""
    established_in: frozenset[str] = frozenset()
    markets: frozenset[str] = frozenset()


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
