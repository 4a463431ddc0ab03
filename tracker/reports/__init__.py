"""Regulator-ready reports, written from one document model to Markdown, HTML or xlsx."""
