#!/usr/bin/env python3
"""Write imports/template.xlsx (the tracker's own layout, blank) and
imports/sample-register.xlsx (a register in the shape officers keep in Excel: a title above
the header, merged group headers, Chinese and English headers, blank rows, extra columns,
a hidden sheet, dates as real dates, serials and text). Run: .venv/bin/python
scripts/make_import_samples.py"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from tracker.sheets.mapping import IMPORT_ENTITIES, NOT_IMPORTED
from tracker.store.models import BASE_MODELS

OUT = Path(__file__).resolve().parent.parent / "imports"
SHEETS = {"provider": "Providers", "supply": "Supplies", "agreement": "Agreements",
          "assessment": "Assessments", "transfer": "Transfers", "evidence": "Evidence"}


def template() -> None:
    book = Workbook()
    book.remove(book.active)
    for entity in IMPORT_ENTITIES:
        sheet = book.create_sheet(SHEETS[entity])
        headers = [] if entity == "provider" else ["provider", "provider_country"]
        headers += [n for n in BASE_MODELS[entity].model_fields if n not in NOT_IMPORTED]
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    book.save(OUT / "template.xlsx")


def sample() -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "供应商台账 Register"
    sheet.append(["数据供应商台账 Data supplier register — FY2026 (confidential)"])
    sheet.merge_cells("A1:L1")
    sheet.append([])
    sheet.append(["供应商 Supplier", None, None, None, "Agreement", None, None, None,
                  "Review", None, None, None])
    sheet.merge_cells("A3:D3")
    sheet.merge_cells("E3:H3")
    sheet.merge_cells("I3:L3")
    sheet.append(["供应商名称", "国家", "风险等级", "Role", "Type", "签署日期", "到期日",
                  "Auto-renew", "Last review", "Next review", "Review outcome", "内部备注"])
    rows = [
        ["北京新闻档案数据有限公司", "中国", "高", "Licensor", "Data licence",
         date(2023, 1, 19), date(2027, 1, 19), "否", date(2026, 1, 29), date(2027, 1, 29),
         "Approved", "国有媒体集团控股"],
        ["WebHarvest Analytics Ltd", "UK", "critical", "Independent controller",
         "data licence", "2025-01-20", "2026-12-20", "yes", "2025-10-21", "2026-10-21",
         "approved with conditions", "Sampling above 3%"],
        [None] * 12,
        ["Aleph Foundation Models GmbH", "Germany", "HIGH", "licensor",
         "Joint-modelling / cooperation agreement", 46198, 47294, "no", "2026-06-28",
         "2027-06-28", "Approved", None],
        ["Nordic Speech AS", "NO", "medium", "processor", "DPA", "3 May 2025",
         "25 May 2027", "no", "1 Oct 2025", "1 Oct 2027", "approved", "DPA lacks audit clause"],
        ["SynthCorpus Inc.", "美国", "low", "licensor", "Data licence", "2025-09-25",
         "2027-09-25", "是", "2025-07-13", "2028-07-13", "Approved", None],
        ["Tokyo Manga Scans KK", "日本", None, None, None, None, None, None, None, None,
         None, "Prospective: rights chain unclear"],
    ]
    for row in rows:
        sheet.append(row)
    for column, width in zip("ABCDEFGHIJKL", (34, 10, 10, 22, 36, 12, 12, 10, 12, 12, 24, 30),
                             strict=True):
        sheet.column_dimensions[column].width = width
    for cell in ("F5", "G5", "F8", "G8"):
        sheet[cell].number_format = "yyyy-mm-dd"
    lookups = book.create_sheet("Lookups")
    lookups.sheet_state = "hidden"
    lookups.append(["Risk tiers", "critical", "high", "medium", "low"])
    book.save(OUT / "sample-register.xlsx")


if __name__ == "__main__":
    template()
    sample()
    print(OUT / "template.xlsx", OUT / "sample-register.xlsx")
