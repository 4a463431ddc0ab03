"""Answer a questionnaire as the supplier would, in their spreadsheet (the README's round trip).

Writes shanghai-answers.xlsx and, beside it, the certificate the answers name
(ISO27001-2026.pdf, a stand-in), so receiving finds the evidence attached."""
from datetime import date
from pathlib import Path

import openpyxl

book = openpyxl.load_workbook("shanghai-questionnaire.xlsx")

def row(sheet, code):
    return next(c.row for c in sheet["A"] if c.value == code)

cover, q = book["Cover 封面"], book["Questions 问题"]
cover[f"C{row(cover, 'answered_by')}"] = "张敏"
cover[f"C{row(cover, 'answered_role')}"] = "合规经理 zhang.min@biaozhu.example.cn"
cover[f"C{row(cover, 'answered_on')}"] = date.today()
q[f"C{row(q, 'dd11')}"] = "是"
q[f"F{row(q, 'dd11')}"] = "标注规则见附件，质检抽样比例10%"
q[f"C{row(q, 'dd14')}"] = "部分"
q[f"E{row(q, 'dd14')}"] = "=阿里云 (CN)"            # looks like a formula
q[f"C{row(q, 'dd16')}"] = "Yes"
q[f"E{row(q, 'dd16')}"] = 48
q[f"C{row(q, 'dd25')}"] = None                       # skipped
ai = book["AI supplier AI供应商"]
ai[f"D{row(ai, 'ai_train_on_our_data')}"] = "否"
ai[f"D{row(ai, 'ai_retention_days')}"] = 90
s = book["Supplies 数据供给"]
people = next(c.row for c in s["A"] if str(c.value).endswith(":people_concerned"))
s[f"E{people}"] = 120000
s[f"F{people}"] = "2026年新增标注员"
e = book["Evidence 证明材料"]
e[f"C{row(e, 'ev_certificate')}"] = "ISO27001-2026.pdf"
book.save("shanghai-answers.xlsx")
Path("ISO27001-2026.pdf").write_bytes(b"%PDF-1.7\n% stand-in for the supplier's certificate\n")
