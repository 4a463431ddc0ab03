"""The Commission's template for the public summary of the content used to train a
general-purpose AI model (AI Act Art 53(1)(d); template of 2025-07-24, structure confirmed
in three independent copies, DOMAIN.md "Added 2026-12"), as data: its sections in order,
the size bands per modality, and who counts as established in the Union."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.domain.enums import Modality, SizeBand


@dataclass(frozen=True, slots=True)
class TemplateSection:
    number: str
    title: str


TEMPLATE_DATE = "2025-07-24"
TEMPLATE_SECTIONS: tuple[TemplateSection, ...] = (
    TemplateSection("1.1", "Provider identification"),
    TemplateSection("1.2", "Model identification"),
    TemplateSection("1.3", "Modalities, overall training data size and other characteristics"),
    TemplateSection("2.1", "Publicly available datasets"),
    TemplateSection("2.2.1", "Datasets commercially licensed by rightsholders or their "
                             "representatives"),
    TemplateSection("2.2.2", "Private datasets obtained from other third parties"),
    TemplateSection("2.3", "Data crawled and scraped from online sources"),
    TemplateSection("2.4", "User data"),
    TemplateSection("2.5", "Synthetic data"),
    TemplateSection("2.6", "Other sources of data"),
    TemplateSection("3.1", "Respect of reservation of rights from text and data mining "
                           "exception or limitation"),
    TemplateSection("3.2", "Removal of illegal content"),
    TemplateSection("3.3", "Other information"),
)
SECTION_TITLES = {s.number: s.title for s in TEMPLATE_SECTIONS}

# The template's modalities, and which of the register's modalities each covers (source code
# is text to a tokenizer; tabular data, multimodal sets and model weights are "other").
TEMPLATE_MODALITY: dict[Modality, str] = {
    Modality.TEXT: "Text", Modality.CODE: "Text", Modality.IMAGE: "Images",
    Modality.AUDIO: "Audio", Modality.VIDEO: "Video", Modality.TABULAR: "Other",
    Modality.MULTIMODAL: "Other", Modality.MODEL: "Other",
}
MODALITY_ORDER = ("Text", "Images", "Audio", "Video", "Other")

# Template 1.3: the size band of each modality's training data.
SIZE_BANDS: dict[str, dict[SizeBand, str]] = {
    "Text": {SizeBand.SMALL: "Less than 1 billion tokens",
             SizeBand.MEDIUM: "1 billion to 10 trillion tokens",
             SizeBand.LARGE: "More than 10 trillion tokens"},
    "Images": {SizeBand.SMALL: "Less than 1 million images",
               SizeBand.MEDIUM: "1 million to 1 billion images",
               SizeBand.LARGE: "More than 1 billion images"},
    "Audio": {SizeBand.SMALL: "Less than 10,000 hours",
              SizeBand.MEDIUM: "10,000 to 1 million hours",
              SizeBand.LARGE: "More than 1 million hours"},
    "Video": {SizeBand.SMALL: "Less than 10,000 hours",
              SizeBand.MEDIUM: "10,000 to 1 million hours",
              SizeBand.LARGE: "More than 1 million hours"},
    "Other": {SizeBand.SMALL: "Lowest band", SizeBand.MEDIUM: "Middle band",
              SizeBand.LARGE: "Highest band"},
}
BAND_RANK = {SizeBand.SMALL: 0, SizeBand.MEDIUM: 1, SizeBand.LARGE: 2}

# AI Act Art 54: a provider established in a third country appoints, by written mandate, an
# authorised representative established in the Union. The 27 Member States (the AI Act is
# not yet part of the EEA Agreement, so Iceland, Liechtenstein and Norway are not listed).
EU_MEMBER_STATES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"})
AUTHORISED_REPRESENTATIVE_ARTICLE = "AI Act Art 54(1)"
