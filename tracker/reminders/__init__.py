"""Reminders: working days, cadences and the derivation of every date someone must act on."""
