"""Countries as ISO 3166-1 alpha-2 codes, the one form the register stores."""

from __future__ import annotations

from functools import lru_cache

import pycountry

# Codes the ISO list lacks but registers use: the EU as a destination bloc, and the UK's
# common alias.
EXTRA_CODES = {"EU": "European Union", "UK": "United Kingdom (alias of GB)"}


@lru_cache(maxsize=512)
def country_name(code: str) -> str | None:
    """English short name for a code, or None when the code is not a country."""
    code = code.upper()
    if code in EXTRA_CODES:
        return EXTRA_CODES[code]
    found = pycountry.countries.get(alpha_2=code)
    return str(found.name) if found is not None else None


def check_country_code(value: str) -> str:
    """Return the canonical upper-case code, or raise ValueError naming the problem."""
    code = value.strip().upper()
    if code == "UK":
        return "GB"
    if len(code) != 2 or country_name(code) is None:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code (e.g. CN, DE, US)")
    return code
