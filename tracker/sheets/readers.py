"""Read a workbook or CSV file into sheets of rows, with Excel row numbers kept, after the
guard has passed the file."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.domain.text import CONTROL_CHARACTERS
from tracker.sheets import limits
from tracker.sheets.guard import FileRefused, check_size, inspect_xlsx

CONTROL = CONTROL_CHARACTERS


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]
    hidden: bool = False
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    source: str | None = None  # the file a sheet of a CSV directory came from


@dataclass
class Workbook:
    path: Path
    sheets: list[Sheet]
    date1904: bool = False
    encoding: str | None = None
    delimiter: str | None = None


def read_workbook(path: Path, deadline: limits.Deadline | None = None) -> Workbook:
    with open_source(path, deadline) as source:
        return source.workbook()


class SheetSource:
    """A file's sheets, read one at a time on request: the import of the tracker's own
    export holds one sheet's raw cells at a time instead of the whole workbook's."""

    path: Path

    def names(self) -> list[str]:
        raise NotImplementedError

    def sheet(self, name: str) -> Sheet | None:
        raise NotImplementedError

    def sheets(self) -> Iterator[Sheet]:
        for name in self.names():
            found = self.sheet(name)
            if found is not None:
                yield found

    def workbook(self) -> Workbook:
        return Workbook(path=self.path, sheets=list(self.sheets()))

    def close(self) -> None:
        return None

    def __enter__(self) -> SheetSource:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def open_source(path: Path, deadline: limits.Deadline | None = None) -> SheetSource:
    """The sheets of an .xlsx file, a CSV file or a directory of CSV files (the export's
    --csv layout); an xlsx file is checked by the guard before any parser sees it."""
    if path.is_dir():
        return CsvDirectorySource(path)
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt", ".tsv"}:
        return CsvFileSource(path)
    if suffix in {".xlsx", ".xlsm"}:
        return XlsxSource(path, deadline)
    if suffix == ".xls":
        raise FileRefused(f"{path.name} is a legacy .xls file; open it in Excel and save it as "
                          ".xlsx")
    raise FileRefused(f"{path.name}: the import reads .xlsx and .csv files")


class XlsxSource(SheetSource):
    def __init__(self, path: Path, deadline: limits.Deadline | None = None) -> None:
        self.path = path
        self.facts = inspect_xlsx(path, deadline)
        import python_calamine

        self._calamine = python_calamine
        try:
            self.book = python_calamine.CalamineWorkbook.from_path(str(path))
        except python_calamine.PasswordError:
            raise FileRefused(f"{path.name} is password-protected; remove the password") \
                from None
        except (python_calamine.CalamineError, python_calamine.ZipError,
                python_calamine.XmlError, ValueError, OSError) as err:
            raise FileRefused(f"{path.name} could not be read as a workbook ({err})") from None
        try:
            metadata = list(self.book.sheets_metadata)
        except (python_calamine.CalamineError, python_calamine.XmlError,
                python_calamine.ZipError) as err:
            self.book.close()
            raise FileRefused(f"{path.name} could not be read ({err})") from None
        if len(metadata) > limits.MAX_SHEETS:
            self.book.close()
            raise FileRefused(f"{path.name} has {len(metadata)} sheets; the import reads at "
                              f"most {limits.MAX_SHEETS}")
        # chart sheets hold no rows
        self.metadata = {m.name: m for m in metadata
                         if str(m.typ) == str(type(m.typ).WorkSheet)}

    def names(self) -> list[str]:
        return list(self.metadata)

    def sheet(self, name: str) -> Sheet | None:
        meta = self.metadata.get(name)
        if meta is None:
            return None
        calamine = self._calamine
        try:
            sheet = self.book.get_sheet_by_name(meta.name)
            if sheet.total_width > limits.MAX_COLUMNS or sheet.total_height > limits.MAX_ROWS:
                raise FileRefused(f"{self.path.name}: sheet {meta.name!r} spans "
                                  f"{sheet.total_height:,} rows x {sheet.total_width:,} columns,"
                                  " beyond the import limits")
            rows = sheet.to_python(skip_empty_area=False)
            return Sheet(name=meta.name, rows=rows,
                         hidden=str(meta.visible) != str(type(meta.visible).Visible),
                         merged=list(sheet.merged_cell_ranges or []))
        except (calamine.CalamineError, calamine.XmlError, calamine.ZipError) as err:
            raise FileRefused(f"{self.path.name} could not be read ({err})") from None

    def workbook(self) -> Workbook:
        book = super().workbook()
        book.date1904 = self.facts.date1904
        return book

    def close(self) -> None:
        self.book.close()


class CsvFileSource(SheetSource):
    def __init__(self, path: Path) -> None:
        self.path = path

    def names(self) -> list[str]:
        return [self.path.stem]

    def sheet(self, name: str) -> Sheet | None:
        return read_csv(self.path).sheets[0] if name == self.path.stem else None

    def workbook(self) -> Workbook:
        return read_csv(self.path)


class CsvDirectorySource(SheetSource):
    """A directory of CSV files (the tracker's --csv export), one sheet per file, each named
    by the sheet title the file was written from."""

    def __init__(self, path: Path) -> None:
        from tracker.sheets.layout import title_of_file

        self.path = path
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
        if not files:
            raise FileRefused(f"{path} holds no .csv files")
        if len(files) > limits.MAX_SHEETS:
            raise FileRefused(f"{path} holds {len(files)} CSV files; the import reads at most "
                              f"{limits.MAX_SHEETS}")
        self.files = {title_of_file(file.name) or file.stem: file for file in files}

    def names(self) -> list[str]:
        return list(self.files)

    def sheet(self, name: str) -> Sheet | None:
        file = self.files.get(name)
        if file is None:
            return None
        # The tracker writes its CSV files with commas, and Excel saves them again with its
        # locale's separator (";" in most of the EU). The header line holds only the
        # layout's column names, so it tells the separator; sniffing the whole file could
        # take a note's many semicolons for it.
        found = read_csv(file, delimiter=header_delimiter(file)).sheets[0]
        found.name, found.source = name, file.name
        return found

    def workbook(self) -> Workbook:
        return Workbook(path=self.path, sheets=list(self.sheets()), encoding="utf-8")


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            return raw[2:].decode(encoding), encoding
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw[: 4 * 1024 * 1024]).best()
    if best is None:
        raise FileRefused(f"{name}: the text encoding could not be recognised; save it as "
                          "UTF-8 CSV")
    encoding = best.encoding
    if encoding in {"gbk", "gb2312", "hz"}:
        encoding = "gb18030"  # the superset: GBK files are valid GB18030
    try:
        return raw.decode(encoding), encoding
    except UnicodeDecodeError as err:
        raise FileRefused(f"{name}: not valid {encoding} text at byte {err.start}") from None


def header_delimiter(path: Path) -> str:
    """The separator of a CSV file whose first line is a header of plain column names: the
    one that appears most outside quotes (a comma when none does)."""
    with path.open("rb") as handle:
        first = handle.readline(64 * 1024)
    line = re.sub(r'"[^"]*"', "", first.decode("utf-8", errors="replace"))
    counts = {d: line.count(d) for d in ",;\t|"}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ",;\t|"}
        return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def read_csv(path: Path, delimiter: str | None = None) -> Workbook:
    check_size(path)
    raw = path.read_bytes()
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        if raw[1:2] == b"\x00" or raw[0:1] == b"\x00":
            text, encoding = _decode_utf16_without_bom(raw, path.name)
        else:
            raise FileRefused(f"{path.name} holds binary data, not CSV text")
    else:
        text, encoding = _decode(raw, path.name)
    delimiter = delimiter or _delimiter(text[: limits.CSV_SNIFF_BYTES])
    rows: list[list[Any]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            if len(rows) >= limits.MAX_ROWS:
                raise FileRefused(f"{path.name} has more than {limits.MAX_ROWS:,} rows")
            if len(row) > limits.MAX_COLUMNS:
                raise FileRefused(f"{path.name}: row {reader.line_num} has {len(row)} columns;"
                                  f" the import reads at most {limits.MAX_COLUMNS}")
            rows.append(row)
    except csv.Error as err:
        raise FileRefused(f"{path.name}: line {reader.line_num}: {err}") from None
    width = max((len(r) for r in rows), default=0)
    for row in rows:
        row.extend([""] * (width - len(row)))  # ragged rows
    return Workbook(path=path, sheets=[Sheet(name=path.stem, rows=rows)], encoding=encoding,
                    delimiter=delimiter)


def _decode_utf16_without_bom(raw: bytes, name: str) -> tuple[str, str]:
    encoding = "utf-16-le" if raw[1:2] == b"\x00" else "utf-16-be"
    try:
        return raw.decode(encoding), encoding
    except UnicodeDecodeError:
        raise FileRefused(f"{name} holds binary data, not CSV text") from None
