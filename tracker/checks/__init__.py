"""Compliance gaps: small rules over the register, each citing its article."""
