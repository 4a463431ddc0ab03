"""The supplier questionnaire as a workbook: laid out once (``build_layout``), written from
that layout (``write_questionnaire``), and read back (``read_returned``) against the same
description, so the writer and the reader cannot drift apart.

Why a layout first: the workbook's fixed cells (every cell a supplier cannot type in) are
fingerprinted (``fingerprint``) and the fingerprint is stored with the questionnaire before
the file is written; the reader recomputes it from the returned file. A renamed sheet, an
inserted row, an edited question or a moved cell changes it, and the file is refused
instead of its answers being read against the wrong questions.

The sheets are protected and only the answer cells unlocked (and shaded), the workbook's
structure is locked (no sheet added, renamed or removed), typed answers carry Excel data
validation, and a very hidden ``_manifest`` sheet names the register, the provider, the
questionnaire and its version, with the token that ties the file to it. Every text the
tracker writes is formula-safe (tracker.sheets.formula); what a supplier types is read as
text, a formula as the text of the formula, never evaluated.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tracker import files
from tracker.domain.questionnaire import (
    AI_QUESTIONS,
    CHECKLIST_QUESTIONS,
    CHOICES,
    EVIDENCE_ASKED,
    FORM_NAME,
    FORM_VERSION,
    AnswerType,
    bilingual,
    choice_label,
    read_choice,
)
from tracker.errors import QuestionnaireRefused
from tracker.sheets import guard
from tracker.sheets.formula import neutralize
from tracker.sheets.values import parse_date, parse_number

COVER = "Cover 封面"
QUESTIONS = "Questions 问题"
AI = "AI supplier AI供应商"
SUPPLIES = "Supplies 数据供给"
TRANSFERS = "Transfers 出境传输"
EVIDENCE = "Evidence 证明材料"
MANIFEST = "_manifest"
VISIBLE = (COVER, QUESTIONS, AI, SUPPLIES, TRANSFERS, EVIDENCE)
HEADER_ROW = 3  # rows 1-2: the sheet's title and how to answer it
FIRST_ROW = HEADER_ROW + 1
# The columns a supplier types in, per sheet (letters); every other cell is fixed.
ANSWER_COLUMNS: dict[str, tuple[str, ...]] = {
    COVER: ("C",), QUESTIONS: ("C", "E", "F"), AI: ("D", "E"), SUPPLIES: ("E", "F"),
    TRANSFERS: ("E", "F"), EVIDENCE: ("C", "D"),
}
# The cover's rows a supplier fills in (their code in column A).
COVER_ANSWERS = ("answered_by", "answered_role", "answered_on")
ANSWER_FILL = "FFF4C2"
HEADER_FILL = "24476B"
KIND_LABELS: dict[str, tuple[str, str]] = {
    "choice": ("Choose from the list", "从列表中选择"),
    "bool": ("Yes or No", "是或否"),
    "date": ("A date (YYYY-MM-DD)", "日期（年-月-日）"),
    "number": ("A number", "数字"),
    "int": ("A whole number", "整数"),
    "float": ("A number", "数字"),
    "text": ("Text", "文字"),
    "enum": ("One of the register's values", "登记册中的取值"),
    "country": ("Country (ISO code or name)", "国家（代码或名称）"),
}


@dataclass(frozen=True, slots=True)
class HeldDetail:
    """A field of a supply or transfer we hold, as sent for confirmation."""

    entity: str  # supply or transfer
    record_id: int
    record_name: str
    field: str
    label_en: str
    label_zh: str
    held: str  # what the register holds, as text
    kind: str  # bool, int, float, date, text, enum, country
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Prefill:
    """A returning supplier's previous answer, put in the answer cells."""

    answer: Any = None
    detail: Any = None
    comment: str | None = None


@dataclass
class FormContent:
    """Everything the workbook says, gathered by the application layer."""

    register_id: str
    organisation: str
    asked_by: str
    contact: str
    provider_id: int
    provider_name: str
    sent_to: str
    language: str
    sent_on: date
    due_on: date | None
    supplies: list[HeldDetail] = field(default_factory=list)
    transfers: list[HeldDetail] = field(default_factory=list)
    prefill: dict[str, Prefill] = field(default_factory=dict)


@dataclass
class Cell:
    value: Any
    answer: bool = False  # unlocked for the supplier
    validation: str | None = None  # a kind: choice, bool, date, number, int, float
    style: str = ""  # title, note, header


@dataclass
class SheetLayout:
    title: str
    widths: dict[str, float]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)

    def put(self, row: int, column: int, value: Any, **kwargs: Any) -> None:
        if value is None or value == "":
            if kwargs.get("answer"):
                self.cells[(row, column)] = Cell(None, **kwargs)
            return
        if isinstance(value, str):
            value = neutralize(files.shown_in_file(value))
        self.cells[(row, column)] = Cell(value, **kwargs)


def _letter(column: int) -> str:
    return chr(64 + column)


def _number(letter: str) -> int:
    return ord(letter) - 64


def build_layout(content: FormContent) -> list[SheetLayout]:
    """Every visible sheet of the questionnaire, cell by cell."""
    lang = content.language

    def t(en: str, zh: str) -> str:
        return bilingual(en, zh, lang) if lang != "both" else f"{en}\n{zh}"

    sheets = [_cover(content, t), _questions(content, t), _ai(content, t),
              _details(SUPPLIES, content.supplies, content, t,
                       t("Supplies we record for you: confirm, or write the correct value",
                         "我方记录的贵方数据供给：请确认，或填写正确的值")),
              _details(TRANSFERS, content.transfers, content, t,
                       t("Cross-border transfers we record: confirm, or correct",
                         "我方记录的跨境传输：请确认或更正")),
              _evidence(content, t)]
    return sheets


def _header(sheet: SheetLayout, title: str, how: str, headers: list[str]) -> None:
    sheet.put(1, 1, title, style="title")
    sheet.put(2, 1, how, style="note")
    for column, text in enumerate(headers, start=1):
        sheet.put(HEADER_ROW, column, text, style="header")


def _cover(content: FormContent, t: Any) -> SheetLayout:
    sheet = SheetLayout(COVER, {"A": 16, "B": 40, "C": 60})
    _header(sheet, t("Supplier due-diligence questionnaire", "供应商尽职调查问卷"),
            t("Answer in the shaded cells only; the other cells are locked. Save the file "
              "as it is (.xlsx) and send it back by e-mail.",
              "请仅在带底色的单元格中作答，其他单元格已锁定。请按原格式（.xlsx）保存并通过电子邮件发回。"),
            ["Ref", t("Item", "项目"), t("Value", "内容")])
    rows: list[tuple[str, str, Any, bool]] = [
        ("asked_by", t("Who asks", "提问方"),
         content.organisation or content.asked_by, False),
        ("for", t("Addressed to", "致"), content.provider_name, False),
        ("why", t("Why we ask", "提问原因"),
         t("We must check each company that supplies us data or models before and while we "
           "use them (GDPR Art 28(1); PIPL Art 21, 38-40; the Interim Measures for "
           "Generative AI Art 7; EU AI Act Art 53).",
           "我方须在使用前及使用期间审查每一家向我方提供数据或模型的公司（GDPR第28(1)条；"
           "《个人信息保护法》第21、38-40条；《生成式人工智能服务管理暂行办法》第7条；欧盟《人工智能法》第53条）。"),
         False),
        ("sent_on", t("Sent on", "发送日期"), content.sent_on.isoformat(), False),
        ("due_on", t("Please answer by", "请于此日期前回复"),
         content.due_on.isoformat() if content.due_on else "", False),
        ("how", t("How to answer", "如何作答"),
         t("1. Questions: choose Yes, No, Partly or Not applicable; give the detail asked "
           "and a comment where useful. 2. AI supplier: answer each question. 3. Supplies "
           "and Transfers: leave the correction blank when what we hold is right. "
           "4. Evidence: write the name of each file you attach to your reply. Previous "
           "answers are filled in: change only what changed.",
           "1. 问题：选择“是”“否”“部分”或“不适用”，填写所需细节，必要时添加备注。"
           "2. AI供应商：逐项回答。"
           "3. 数据供给与出境传输：如我方记录正确，更正栏留空。"
           "4. 证明材料：填写随回复附上的文件名。"
           "已预填上次的回答：只需修改有变化之处。"), False),
        ("contact", t("Whom to contact", "联系人"), content.contact, False),
        ("answered_by", t("Your name", "您的姓名"), None, True),
        ("answered_role", t("Your role and e-mail", "您的职务及电子邮件"), None, True),
        ("answered_on", t("Date of these answers", "回答日期"), None, True),
    ]
    for offset, (code, label, value, answer) in enumerate(rows):
        row = FIRST_ROW + offset
        sheet.put(row, 1, code)
        sheet.put(row, 2, label)
        if answer:
            prefill = content.prefill.get(f"cover:{code}")
            sheet.put(row, 3, prefill.answer if prefill else None, answer=True,
                      validation="date" if code == "answered_on" else None)
        else:
            sheet.put(row, 3, value)
    return sheet


def _questions(content: FormContent, t: Any) -> SheetLayout:
    sheet = SheetLayout(QUESTIONS, {"A": 7, "B": 70, "C": 22, "D": 30, "E": 30, "F": 40})
    _header(sheet, t("Due-diligence questions", "尽职调查问题"),
            t("Choose an answer in column C; give the detail asked in column E; comment in F.",
              "请在C列选择回答，在E列填写所需细节，在F列填写备注。"),
            ["Ref", t("Question", "问题"), t("Answer", "回答"), t("Detail asked", "所需细节"),
             t("Detail", "细节"), t("Comment", "备注")])
    for offset, question in enumerate(CHECKLIST_QUESTIONS):
        row = FIRST_ROW + offset
        prefill = content.prefill.get(question.code, Prefill())
        sheet.put(row, 1, question.code)
        sheet.put(row, 2, t(question.en, question.zh))
        sheet.put(row, 3, choice_label(prefill.answer, content.language)
                  if prefill.answer else None, answer=True, validation="choice")
        if question.detail:
            sheet.put(row, 4, t(question.detail_en, question.detail_zh))
            sheet.put(row, 5, prefill.detail, answer=True, validation=question.detail)
        sheet.put(row, 6, prefill.comment, answer=True)
    return sheet


def _ai(content: FormContent, t: Any) -> SheetLayout:
    sheet = SheetLayout(AI, {"A": 26, "B": 70, "C": 22, "D": 34, "E": 40})
    _header(sheet, t("Questions for suppliers of AI models and services",
                     "针对人工智能模型及服务供应商的问题"),
            t("Answer in column D as column C says; comment in E.",
              "请按C列说明在D列作答，在E列填写备注。"),
            ["Ref", t("Question", "问题"), t("Answer with", "作答方式"), t("Answer", "回答"),
             t("Comment", "备注")])
    for offset, question in enumerate(AI_QUESTIONS):
        row = FIRST_ROW + offset
        prefill = content.prefill.get(question.code, Prefill())
        answer = prefill.answer
        if question.kind == "choice" and answer:
            answer = choice_label(str(answer), content.language)
        sheet.put(row, 1, question.code)
        sheet.put(row, 2, t(question.en, question.zh))
        sheet.put(row, 3, t(*KIND_LABELS[question.kind]))
        sheet.put(row, 4, answer, answer=True, validation=question.kind)
        sheet.put(row, 5, prefill.comment, answer=True)
    return sheet


def _details(title: str, details: list[HeldDetail], content: FormContent, t: Any,
             heading: str) -> SheetLayout:
    sheet = SheetLayout(title, {"A": 26, "B": 34, "C": 36, "D": 30, "E": 30, "F": 40})
    _header(sheet, heading,
            t("Column D is what we hold. Write the correct value in E only if D is wrong; "
              "comment in F.",
              "D列为我方记录。仅当D列有误时在E列填写正确值；在F列填写备注。"),
            ["Ref", t("Record", "记录"), t("Detail", "项目"), t("What we hold", "我方记录"),
             t("Your correction (blank if right)", "您的更正（正确则留空）"),
             t("Comment", "备注")])
    for offset, detail in enumerate(details):
        row = FIRST_ROW + offset
        code = f"{detail.entity}:{detail.record_id}:{detail.field}"
        sheet.put(row, 1, code)
        sheet.put(row, 2, detail.record_name)
        sheet.put(row, 3, t(detail.label_en, detail.label_zh))
        sheet.put(row, 4, detail.held or t("(nothing recorded)", "（未记录）"))
        kind = {"int": "int", "float": "float", "date": "date", "bool": "bool"}.get(detail.kind)
        sheet.put(row, 5, None, answer=True, validation=kind)
        sheet.put(row, 6, None, answer=True)
    if not details:
        sheet.put(FIRST_ROW, 2, t("We record none for you.", "我方未记录任何条目。"))
    return sheet


def _evidence(content: FormContent, t: Any) -> SheetLayout:
    sheet = SheetLayout(EVIDENCE, {"A": 22, "B": 70, "C": 40, "D": 40})
    _header(sheet, t("Evidence we ask for", "我方要求提供的证明材料"),
            t("Attach the files to your reply and write each file's name in column C.",
              "请将文件随回复附上，并在C列填写文件名。"),
            ["Ref", t("What we ask for", "所需材料"),
             t("File name you attach", "所附文件名"), t("Comment", "备注")])
    for offset, ask in enumerate(EVIDENCE_ASKED):
        row = FIRST_ROW + offset
        prefill = content.prefill.get(ask.code, Prefill())
        sheet.put(row, 1, ask.code)
        sheet.put(row, 2, t(ask.en, ask.zh))
        sheet.put(row, 3, prefill.answer, answer=True)
        sheet.put(row, 4, prefill.comment, answer=True)
    return sheet


# --- the fingerprint of the fixed cells ------------------------------------------------------

def _is_answer_cell(title: str, row: int, column: int, code: Any) -> bool:
    if row < FIRST_ROW or _letter(column) not in ANSWER_COLUMNS.get(title, ()):
        return False
    return code in COVER_ANSWERS if title == COVER else True


def fingerprint(sheets: list[tuple[str, dict[tuple[int, int], Any]]]) -> str:
    """SHA-256 over the sheet titles in order and every fixed cell's position and text."""
    digest = hashlib.sha256()
    for title, cells in sheets:
        codes = {row: value for (row, column), value in cells.items() if column == 1}
        fixed = sorted((row, column, str(value)) for (row, column), value in cells.items()
                       if value not in (None, "")
                       and not _is_answer_cell(title, row, column, codes.get(row)))
        digest.update(json.dumps([title, fixed], ensure_ascii=False).encode())
    return digest.hexdigest()


def layout_fingerprint(layout: list[SheetLayout]) -> str:
    return fingerprint([(s.title, {k: c.value for k, c in s.cells.items()}) for s in layout])


# --- writing -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Manifest:
    register_id: str
    provider_id: int
    questionnaire_id: int
    form_version: int
    token: str
    structure: str
    language: str

    def rows(self) -> list[tuple[str, str]]:
        return [("format", FORM_NAME), ("format_version", str(FORM_VERSION)),
                ("register_id", self.register_id), ("provider_id", str(self.provider_id)),
                ("questionnaire_id", str(self.questionnaire_id)),
                ("form_version", str(self.form_version)), ("token", self.token),
                ("structure", self.structure), ("language", self.language)]


def _validation(kind: str, language: str) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    if kind == "choice":
        labels = ",".join(choice_label(c.code, language) for c in CHOICES)
        return DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True,
                              showErrorMessage=True, errorTitle="Answer",
                              error="Choose an answer from the list")
    if kind == "bool":
        labels = ",".join(choice_label(c, language) for c in ("yes", "no"))
        return DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True,
                              showErrorMessage=True)
    if kind == "date":
        return DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)",
                              formula2="DATE(2100,12,31)", allow_blank=True,
                              showErrorMessage=True, error="A date, e.g. 2026-03-31")
    if kind in {"number", "float"}:
        return DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                              allow_blank=True, showErrorMessage=True,
                              error="A number, 0 or more")
    if kind == "int":
        return DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0",
                              allow_blank=True, showErrorMessage=True,
                              error="A whole number, 0 or more")
    return None


def write_questionnaire(layout: list[SheetLayout], manifest: Manifest, path: Path, *,
                        force: bool = False) -> None:
    """Write the workbook atomically (tracker/files.py); the target is replaced only with
    ``force``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.workbook.protection import WorkbookProtection

    book = Workbook()
    book.remove(book.active)
    # The sheets' password only keeps the structure from being changed by accident; the
    # fingerprint, not the password, is what proves a file unchanged.
    password = secrets.token_hex(8)
    answer_fill = PatternFill("solid", fgColor=ANSWER_FILL)
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    wrap = Alignment(wrap_text=True, vertical="top")
    for sheet in layout:
        ws = book.create_sheet(sheet.title)
        for letter, width in sheet.widths.items():
            ws.column_dimensions[letter].width = width
        validations: dict[str, Any] = {}
        for (row, column), spec in sorted(sheet.cells.items()):
            cell = ws.cell(row=row, column=column)
            if spec.value is not None:
                cell.value = spec.value
                if isinstance(spec.value, date):
                    cell.number_format = "yyyy-mm-dd"
            cell.alignment = wrap
            if spec.style == "title":
                cell.font = Font(bold=True, size=14)
            elif spec.style == "header":
                cell.font = Font(bold=True, color="FFFFFF")
                cell.fill = header_fill
            if spec.answer:
                cell.protection = Protection(locked=False)
                cell.fill = answer_fill
                if spec.validation:
                    if spec.validation not in validations:
                        made = _validation(spec.validation, manifest.language)
                        if made is None:
                            continue
                        validations[spec.validation] = made
                        ws.add_data_validation(made)
                    validations[spec.validation].add(cell.coordinate)
        ws.freeze_panes = f"A{FIRST_ROW}"
        ws.protection.sheet = True
        ws.protection.formatColumns = False  # a supplier may widen a column to read
        ws.protection.formatRows = False
        ws.protection.password = password
    hidden = book.create_sheet(MANIFEST)
    for row, (key, value) in enumerate(manifest.rows(), start=1):
        hidden.cell(row=row, column=1, value=key)
        hidden.cell(row=row, column=2, value=value)
    hidden.protection.sheet = True
    hidden.protection.password = password
    hidden.sheet_state = "veryHidden"
    book.security = WorkbookProtection(workbookPassword=password, lockStructure=True)
    book.active = 0
    with files.replacing(path, force=force) as temporary:
        book.save(temporary)


# --- reading -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AnswerProblem:
    sheet: str
    cell: str
    code: str
    value: str | None
    message: str

    def __str__(self) -> str:
        shown = f" {self.value!r}" if self.value is not None else ""
        return f"{self.sheet}!{self.cell} ({self.code}):{shown} {self.message}"


@dataclass(frozen=True, slots=True)
class ReadAnswer:
    """One answer as read from the returned file, checked for its type."""

    sheet: str
    code: str
    answer: Any = None  # a choice code, a date, a number or a text
    detail: Any = None
    comment: str | None = None
    cell: str = ""


@dataclass
class Returned:
    manifest: dict[str, str]
    structure: str  # recomputed from the file
    answers: dict[str, ReadAnswer] = field(default_factory=dict)
    problems: list[AnswerProblem] = field(default_factory=list)


def _text(value: Any) -> str | None:
    """A cell as text: a formula stays the text of the formula (never evaluated)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()
    return text or None


def _typed(kind: AnswerType | str | None, value: Any, where: tuple[str, str, str],
           problems: list[AnswerProblem]) -> Any:
    """A typed answer from its cell, or None with a located problem."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    sheet, cell, code = where
    if kind == "choice":
        found = read_choice(str(value))
        if found is None:
            problems.append(AnswerProblem(sheet, cell, code, _text(value),
                                          "is not one of Yes, No, Partly, Not applicable"))
        return found
    if kind == "date":
        try:
            return parse_date(value)
        except ValueError:
            problems.append(AnswerProblem(sheet, cell, code, _text(value),
                                          "is not a date (write it as YYYY-MM-DD)"))
            return None
    if kind == "number":
        try:
            number = parse_number(value, whole=False)
        except ValueError:
            number = None
        if number is None or number < 0:
            problems.append(AnswerProblem(sheet, cell, code, _text(value),
                                          "is not a number of 0 or more"))
            return None
        return int(number) if float(number).is_integer() else number
    return _text(value)


def read_returned(path: Path) -> Returned:
    """The manifest, the fixed cells' fingerprint and every answer of a returned file, after
    the same guard as any import; every answer problem located, all at once."""
    try:
        copy = guard.private_copy(path)
    except guard.FileRefused as err:
        raise QuestionnaireRefused(str(err)) from None
    try:  # the guard's checks and openpyxl's read see the same bytes, whatever the file does
        return _read_returned(copy.path)
    finally:
        copy.remove()


def _read_returned(path: Path) -> Returned:
    from openpyxl import load_workbook

    try:
        guard.inspect_xlsx(path)
    except guard.FileRefused as err:
        raise QuestionnaireRefused(str(err)) from None
    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as err:  # openpyxl raises many kinds on a damaged file
        raise QuestionnaireRefused(f"{path.name} cannot be read as a workbook ({err}); save "
                                   "it again as .xlsx") from None
    try:
        if MANIFEST not in book.sheetnames:
            raise QuestionnaireRefused(f"{path.name} is not a questionnaire this tracker sent "
                                       "(it has no questionnaire manifest)")
        manifest = {str(row[0]): str(row[1]) for row in
                    book[MANIFEST].iter_rows(min_col=1, max_col=2, values_only=True)
                    if row and row[0] is not None and row[1] is not None}
        if manifest.get("format") != FORM_NAME:
            raise QuestionnaireRefused(f"{path.name}: its manifest is not a questionnaire's")
        cells: list[tuple[str, dict[tuple[int, int], Any]]] = []
        for title in book.sheetnames:
            if title == MANIFEST:
                continue
            grid: dict[tuple[int, int], Any] = {}
            for r, values in enumerate(book[title].iter_rows(values_only=True), start=1):
                for c, value in enumerate(values, start=1):
                    if value is not None and value != "":
                        grid[(r, c)] = value
            cells.append((title, grid))
    finally:
        book.close()
    returned = Returned(manifest, fingerprint(cells))
    by_title = dict(cells)
    if set(by_title) != set(VISIBLE):
        return returned  # the fingerprint refuses it; nothing to read against
    _read_answers(by_title, returned)
    return returned


def _read_answers(grid: dict[str, dict[tuple[int, int], Any]], out: Returned) -> None:
    problems = out.problems

    def rows(title: str) -> list[tuple[int, str]]:
        return sorted((r, str(v)) for (r, c), v in grid[title].items()
                      if c == 1 and r >= FIRST_ROW)

    def at(title: str, row: int, letter: str) -> Any:
        return grid[title].get((row, _number(letter)))

    for row, code in rows(COVER):
        if code in COVER_ANSWERS:
            kind = "date" if code == "answered_on" else "text"
            value = _typed(kind, at(COVER, row, "C"), (COVER, f"C{row}", code), problems)
            out.answers[f"cover:{code}"] = ReadAnswer(COVER, f"cover:{code}", value,
                                                      cell=f"C{row}")
    by_code = {q.code: q for q in CHECKLIST_QUESTIONS}
    for row, code in rows(QUESTIONS):
        question = by_code.get(code)
        if question is None:
            continue
        out.answers[code] = ReadAnswer(
            QUESTIONS, code,
            _typed("choice", at(QUESTIONS, row, "C"), (QUESTIONS, f"C{row}", code), problems),
            _typed(question.detail or "text", at(QUESTIONS, row, "E"),
                   (QUESTIONS, f"E{row}", code), problems) if question.detail else None,
            _text(at(QUESTIONS, row, "F")), cell=f"C{row}")
    ai_by_code = {q.code: q for q in AI_QUESTIONS}
    for row, code in rows(AI):
        ai = ai_by_code.get(code)
        if ai is None:
            continue
        out.answers[code] = ReadAnswer(
            AI, code, _typed(ai.kind, at(AI, row, "D"), (AI, f"D{row}", code), problems),
            comment=_text(at(AI, row, "E")), cell=f"D{row}")
    for title in (SUPPLIES, TRANSFERS):
        for row, code in rows(title):
            out.answers[code] = ReadAnswer(title, code, _text(at(title, row, "E")),
                                           comment=_text(at(title, row, "F")), cell=f"E{row}")
    for row, code in rows(EVIDENCE):
        out.answers[code] = ReadAnswer(EVIDENCE, code, _text(at(EVIDENCE, row, "C")),
                                       comment=_text(at(EVIDENCE, row, "D")), cell=f"C{row}")
