"""Spreadsheet import and export: readers, guards, value parsing, column mapping."""
