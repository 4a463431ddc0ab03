"""Read a workbook or CSV file into sheets of rows, with Excel row numbers kept, after the
guard has passed the file."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from tracker.domain.text import CONTROL_CHARACTERS
from tracker.sheets import limits
from tracker.sheets.guard import (
    FileRefused,
    check_size,
    check_size_of,
    inspect_xlsx,
    private_copy,
)
from tracker.sheets.text_encoding import describe, guess_code_page

CONTROL = CONTROL_CHARACTERS


class _HeadKeptRows(Sequence[list[Any]]):
    """Rows made a pass at a time (``__iter__``), of a known length, the first ``HEAD``
    kept (where a header is looked for, with its samples): indexing among them is free,
    any other index or slice walks the sheet. ``_past_end``: what a row the pass does not
    reach gives, as ``next``'s default (none: the pass ends the lookup)."""

    HEAD = 200
    head: list[list[Any]]
    _length: int
    _past_end: tuple[list[Any], ...] = ()

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._length)
            if stop <= len(self.head) or start >= stop:
                return self.head[index]
            return list(islice(iter(self), start, stop, step))
        position = index + self._length if index < 0 else index
        if 0 <= position < len(self.head):
            return self.head[position]
        if not 0 <= position < self._length:
            raise IndexError(index)
        return next(islice(iter(self), position, None), *self._past_end)


class SheetRows(_HeadKeptRows):
    """A workbook sheet's rows made a row at a time from the reader's own copy of the
    sheet, as ``to_python(skip_empty_area=False)`` would give them all at once (padded
    from A1). Why: at 100,000 rows x 15 columns the Python rows of a whole sheet are
    ~150 MB, held while the import plans; a pass over the rows here holds one."""

    def __init__(self, sheet: Any) -> None:
        self._sheet = sheet
        start, end = sheet.start, sheet.end
        self._pad: list[Any] = [""] * start[1] if start else []
        self._length = end[0] + 1 if end else 0
        self.head = list(islice(iter(self), self.HEAD))

    def __iter__(self) -> Iterator[list[Any]]:
        pad = self._pad
        for row in self._sheet.iter_rows():
            yield pad + row if pad else row


class PieceRows(_HeadKeptRows):
    """A workbook sheet's rows made from its XML in pieces of a few thousand rows
    (``PieceReader``), numbered as Excel numbers them: a row the XML leaves out is a blank
    row. Why: ``SheetRows`` reads from calamine's copy of the whole sheet, a dense grid of
    every cell (~85 MB at 100,000 rows x 15 columns) held while the import plans; a piece
    holds a few MB. Each row is padded from column A to its piece's last column (a blank
    past it is not read: rows of different pieces may differ in width, as ragged rows do).

    The first rows are kept (the header search and its samples). The length is the sheet's
    last row as the guard found it; rows past the last one holding a cell are blank."""

    _past_end = ([],)

    def __init__(self, pieces: PieceReader, name: str, last_row: int) -> None:
        self._pieces, self._name, self._length = pieces, name, last_row
        self.head = list(islice(iter(self), self.HEAD))
        if len(self.head) < self.HEAD:
            self._length = len(self.head)

    def __iter__(self) -> Iterator[list[Any]]:
        expected = 1
        for number, row in self._pieces.rows(self._name):
            while expected < number:  # rows the XML leaves out (or holds empty)
                yield [""] * len(row)
                expected += 1
            yield row
            expected = number + 1



@dataclass
class Sheet:
    name: str
    rows: Sequence[list[Any]]  # a list, or a workbook's SheetRows (read a row at a time)
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
    # Numbers written 75.000,50: a CSV saved by Excel with ";" between fields is from a
    # locale whose list separator is ";" because its decimal separator is "," (de, fr, ...).
    decimal_comma: bool = False
    # Per sheet, cells holding a formula with no cached result (found by the guard).
    formula_cells: dict[str, list[str]] = field(default_factory=dict)
    # Per sheet, cells holding a number shown as a percentage (found by the guard).
    percent_cells: dict[str, list[str]] = field(default_factory=dict)


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

    def workbook(self, streamed: bool = False) -> Workbook:
        """``streamed``: rows may be read a row at a time (a workbook's; a CSV file is
        decoded whole anyway)."""
        return Workbook(path=self.path, sheets=list(self.sheets()))

    def rows(self, name: str) -> Iterator[list[Any]]:
        """A sheet's rows one at a time, row 1 first."""
        found = self.sheet(name)
        return iter(found.rows if found is not None else [])

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
    """A workbook read from one private copy, taken once and checked by the guard: every
    later pass (calamine's, the pieces', a failure's diagnosis) reads that copy. Why: the
    sheet is read in several passes, and a file saved again meanwhile would otherwise be
    read unchecked, its rows a mix of two files. ``path`` is the copy (named as the file,
    so messages name the file), ``origin`` the file given; the copy goes with ``close``."""

    def __init__(self, path: Path, deadline: limits.Deadline | None = None) -> None:
        self.origin = path
        self._private = private_copy(path)
        try:
            self._open(self._private.path, deadline)
        except BaseException:
            self._private.remove()
            raise

    def _open(self, path: Path, deadline: limits.Deadline | None) -> None:
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

    def sheet(self, name: str, streamed: bool = False) -> Sheet | None:
        """``streamed``: the rows as ``SheetRows`` (one pass at a time) instead of a list."""
        meta = self.metadata.get(name)
        if meta is None:
            return None
        calamine = self._calamine
        hidden = str(meta.visible) != str(type(meta.visible).Visible)
        if streamed:
            member = next((m for m, sheet in self.facts.sheet_members.items()
                           if sheet == meta.name), None)
            pieces = None if member is None else PieceReader.open(self, member)
            if pieces is not None and member is not None:
                return Sheet(name=meta.name, rows=PieceRows(
                    pieces, meta.name, self.facts.sheet_rows.get(member, 0)), hidden=hidden,
                    merged=list(self.facts.merged.get(member, [])))
        try:
            sheet = self._within_limits(meta.name)
            rows: Sequence[list[Any]] = (SheetRows(sheet) if streamed else
                                         sheet.to_python(skip_empty_area=False))
            return Sheet(name=meta.name, rows=rows, hidden=hidden,
                         merged=list(sheet.merged_cell_ranges or []))
        except (calamine.CalamineError, calamine.XmlError, calamine.ZipError) as err:
            raise FileRefused(self._unreadable(meta.name, err)) from None

    def rows(self, name: str) -> Iterator[list[Any]]:
        """As ``sheet`` reads them, without building the whole sheet as Python lists."""
        meta = self.metadata.get(name)
        if meta is None:
            return iter([])
        calamine = self._calamine
        try:
            sheet = self._within_limits(meta.name)
            if sheet.start not in (None, (0, 0)):  # iter_rows would skip the empty area
                return iter(sheet.to_python(skip_empty_area=False))
            return iter(sheet.iter_rows())
        except (calamine.CalamineError, calamine.XmlError, calamine.ZipError) as err:
            raise FileRefused(self._unreadable(meta.name, err)) from None

    def numbered_rows(self, name: str) -> Iterator[tuple[int, list[Any]]]:
        """A sheet's rows with their Excel numbers, read in pieces of a few thousand rows
        (``PieceReader``): calamine holds a sheet as a dense grid of every cell, ~190 MB
        for a 100,000-row, 60-column sheet, where a piece holds a few MB. The rows and
        values are calamine's own, as ``rows`` gives them (padded from column A)."""
        member = next((m for m, sheet in self.facts.sheet_members.items() if sheet == name),
                      None)
        pieces = None if member is None else PieceReader.open(self, member)
        if pieces is None:
            return enumerate(self.rows(name), start=1)
        return pieces.rows(name)

    def _within_limits(self, name: str) -> Any:
        """The calamine sheet, refused before any row is read when its used area is beyond
        the import limits (a cell at XFD1048576 would otherwise make a million-row pad)."""
        sheet = self.book.get_sheet_by_name(name)
        if sheet.total_width > limits.MAX_COLUMNS or sheet.total_height > limits.MAX_ROWS:
            raise FileRefused(f"{self.path.name}: sheet {name!r} spans "
                              f"{sheet.total_height:,} rows x {sheet.total_width:,} columns,"
                              " beyond the import limits")
        return sheet

    def _unreadable(self, sheet: str, err: Exception) -> str:
        """A reader's failure in the tracker's words, located where it can be."""
        text = str(err)
        if "shared string" in text.lower():
            where = shared_string_fault(self.path, self.facts.sheet_members, sheet)
            return (f"{self.path.name}: sheet {sheet!r}"
                    + (f", cell {where[0]}, refers to text entry {where[1]}" if where else
                       " refers to a text entry")
                    + " that the workbook's shared-strings part does not hold: the file is "
                    "damaged; open it in Excel or LibreOffice and save it again")
        return (f"{self.path.name}: sheet {sheet!r} could not be read: the file is damaged "
                "or not a workbook Excel wrote; open it in Excel or LibreOffice and save it "
                "again")

    def workbook(self, streamed: bool = False) -> Workbook:
        """``streamed``: every sheet's rows read a row at a time (``SheetRows``)."""
        sheets = [found for name in self.names()
                  if (found := self.sheet(name, streamed)) is not None]
        book = Workbook(path=self.origin, sheets=sheets)
        book.date1904 = self.facts.date1904
        book.formula_cells = self.facts.formula_cells()
        book.percent_cells = self.facts.percent_cells_of()
        return book

    def close(self) -> None:
        try:
            self.book.close()
        finally:
            self._private.remove()


class CsvFileSource(SheetSource):
    def __init__(self, path: Path) -> None:
        self.path = path

    def names(self) -> list[str]:
        return [self.path.stem]

    def sheet(self, name: str) -> Sheet | None:
        return read_csv(self.path).sheets[0] if name == self.path.stem else None

    def workbook(self, streamed: bool = False) -> Workbook:
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

    def workbook(self, streamed: bool = False) -> Workbook:
        return Workbook(path=self.path, sheets=list(self.sheets()), encoding="utf-8")


_WORKSHEET = re.compile(rb"<(?:(\w+):)?worksheet\b[^>]*>")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b[^>]*>")
_ROW_NUMBER = re.compile(rb"\sr\s*=\s*[\"']\d+[\"']")


class PieceReader:
    """One worksheet's XML cut at row boundaries into pieces, each read by calamine as a
    workbook of its own that carries the file's styles and shared strings (so dates,
    numbers and texts come out as calamine reads the whole file). Only after the guard has
    passed the file: its sizes and each cell's row and column are within the limits."""

    PIECE_BYTES = 2 << 20
    PIECE_ROWS = 5000  # a piece's grid is at most this many rows of MAX_COLUMNS cells

    def __init__(self, source: XlsxSource, member: str, head: bytes, prefix: bytes,
                 parts: dict[str, bytes]) -> None:
        self.source, self.member, self.head, self.parts = source, member, head, parts
        self.close_row = b"</" + prefix + b"row>"
        self.tail = b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
        self.open_data = b"<" + prefix + b"sheetData>"

    @classmethod
    def open(cls, source: XlsxSource, member: str) -> PieceReader | None:
        """None when the worksheet is not laid out as expected (then it is read whole)."""
        import zipfile

        with zipfile.ZipFile(source.path) as archive:
            names = set(archive.namelist())
            if member not in names:
                return None
            with archive.open(member) as stream:
                start = stream.read(1 << 16)
            parts: dict[str, bytes] = {name: archive.read(name) for name in ("xl/styles.xml",
                                                           "xl/sharedStrings.xml")
                     if name in names}
        found = _WORKSHEET.search(start)
        if found is None or not start.lstrip().startswith((b"<?xml", b"<")):
            return None
        prefix = found[1] + b":" if found[1] else b""
        head = start[:found.end()]  # the declaration and the namespaces
        if b"<" + prefix + b"sheetData" not in start and len(start) < (1 << 16):
            return None  # no rows, or an unusual layout: the whole-sheet read decides
        first = _ROW_TAG.search(start)
        if first is not None and _ROW_NUMBER.search(first[0]) is None:
            return None  # rows without their numbers: a piece could not tell its own
        return cls(source, member, head, prefix, parts)

    def rows(self, name: str) -> Iterator[tuple[int, list[Any]]]:
        for piece in self._pieces():
            yield from self._read(name, piece)

    def _pieces(self) -> Iterator[bytes]:
        """The <row> elements, a piece at a time (what precedes the first row and follows
        the last is left out: the used range is the rows' own)."""
        import zipfile

        opening = self.open_data[:-1]
        with zipfile.ZipFile(self.source.path) as archive, \
                archive.open(self.member) as stream:
            data = b""
            while (at := data.find(opening)) < 0:
                more = stream.read(self.PIECE_BYTES)
                if not more:
                    return
                data = data[-len(opening):] + more
            at = data.find(b">", at)
            while at < 0:
                more = stream.read(self.PIECE_BYTES)
                if not more:
                    return
                data += more
                at = data.find(b">", data.find(opening))
            if data[at - 1:at] == b"/":
                return  # <sheetData/>
            data = data[at + 1:]
            ended = False
            while True:
                if not ended and len(data) < self.PIECE_BYTES:
                    more = stream.read(self.PIECE_BYTES)
                    ended = not more
                    data += more
                cut = self._cut(data)
                if cut <= 0:
                    if ended:
                        return  # </sheetData> and what follows, or nothing
                    more = stream.read(self.PIECE_BYTES)  # a row longer than a piece
                    ended = not more
                    data += more
                    continue
                yield data[:cut]
                data = data[cut:]

    def _cut(self, data: bytes) -> int:
        """Where a piece ends: after the last whole row within the size and row count."""
        end = data.rfind(self.close_row, 0, self.PIECE_BYTES)
        if end < 0:
            end = data.rfind(self.close_row)
        if end < 0:
            return 0
        end += len(self.close_row)
        if data.count(self.close_row, 0, end) > self.PIECE_ROWS:
            end = 0
            for _ in range(self.PIECE_ROWS):
                end = data.index(self.close_row, end) + len(self.close_row)
        return end

    def _read(self, name: str, piece: bytes) -> Iterator[tuple[int, list[Any]]]:
        import io
        import zipfile

        calamine = self.source._calamine
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as book:
            for part, text in _PIECE_BOOK.items():
                book.writestr(part, text.replace(
                    "DATE1904", "1" if self.source.facts.date1904 else "0"))
            for part, data in self.parts.items():
                book.writestr(part, data)
            book.writestr("xl/worksheets/sheet1.xml",
                          self.head + self.open_data + piece + self.tail)
        first = _ROW_TAG.search(piece)
        if first is not None and _ROW_NUMBER.search(first[0]) is None:
            raise FileRefused(f"{self.source.path.name}: sheet {name!r} has rows without "
                              "their numbers after rows with them; open it in Excel or "
                              "LibreOffice and save it again")
        del piece
        buffer.seek(0)
        try:
            workbook = calamine.CalamineWorkbook.from_filelike(buffer)
            sheet = workbook.get_sheet_by_index(0)
            start, end = sheet.start, sheet.end
            if start is None or end is None:
                return
            if end[1] + 1 > limits.MAX_COLUMNS or end[0] + 1 > limits.MAX_ROWS:
                raise FileRefused(f"{self.source.path.name}: sheet {name!r} spans "
                                  f"{end[0] + 1:,} rows x {end[1] + 1:,} columns, beyond "
                                  "the import limits")
            # the piece's own area (iter_rows would pad every row above it)
            rows = sheet.to_python(skip_empty_area=True)
        except (calamine.CalamineError, calamine.XmlError, calamine.ZipError) as err:
            raise FileRefused(self.source._unreadable(name, err)) from None
        pad: list[Any] = [""] * start[1]
        for number, row in enumerate(rows, start=start[0] + 1):
            yield number, pad + row if pad else row


_PIECE_BOOK = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schem'
        'as.openxmlformats.org/package/2006/content-types"><Default Extension="rels" Content'
        'Type="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension'
        '="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" Content'
        'Type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxml'
        'formats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="htt'
        'p://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDoc'
        'ument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://s'
        'chemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlf'
        'ormats.org/officeDocument/2006/relationships"><workbookPr date1904="DATE1904"/><sh'
        'eets><sheet name="piece" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="htt'
        'p://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/workshee'
        't" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.ope'
        'nxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Rel'
        'ationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/rel'
        'ationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
}


SHARED_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,3}\d+)\"[^>]*?\bt=\"s\"[^>]*>\s*"
                         rb"<(?:\w+:)?v>\s*(\d+)\s*</")
SHARED_CELL_T_FIRST = re.compile(rb"<(?:\w+:)?c\b[^>]*?\bt=\"s\"[^>]*?\br=\"([A-Z]{1,3}\d+)\""
                                 rb"[^>]*>\s*<(?:\w+:)?v>\s*(\d+)\s*</")


def shared_string_fault(path: Path, members: dict[str, str],
                        sheet: str) -> tuple[str, int] | None:
    """The first cell of ``sheet`` pointing past the end of the shared-strings table: read
    only when a reader has already failed on it (the guard has passed the file)."""
    import zipfile

    member = next((m for m, name in members.items() if name == sheet), None)
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            strings = archive.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in names \
                else b""
            count = len(re.findall(rb"<(?:\w+:)?si[\s>/]", strings))
            if member is None or member not in names:
                return None
            data = archive.read(member)
    except (OSError, zipfile.BadZipFile, KeyError):
        return None
    for pattern in (SHARED_CELL, SHARED_CELL_T_FIRST):
        for ref, index in pattern.findall(data):
            if int(index) >= count:
                return ref.decode(), int(index)
    return None


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            return raw[2:].decode(encoding), encoding
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        _refuse_broken_utf8(raw, err, name)
    page = guess_code_page(raw)
    if page is None:
        raise FileRefused(f"{name}: the text encoding could not be recognised; save it as "
                          "UTF-8 CSV")
    try:
        return raw.decode(page), page
    except UnicodeDecodeError as err:
        raise FileRefused(f"{name}: not valid {describe(page)} text at byte {err.start};"
                          " save it as UTF-8 CSV") from None


UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|"
                            rb"[\xf0-\xf4][\x80-\xbf]{3}")


def _refuse_broken_utf8(raw: bytes, err: UnicodeDecodeError, name: str) -> None:
    """A file that is UTF-8 everywhere but in a few bytes is broken UTF-8, not another
    encoding: decoding it as one would turn every 中 and ü into mojibake. Refused at the
    line of the first bad byte. A file with no UTF-8 sequence at all (cp1252, GB18030) is
    left to the encoding detector."""
    sample = raw[: 4 * 1024 * 1024]
    valid = len(UTF8_MULTIBYTE.findall(sample))
    invalid = sample.decode("utf-8", errors="replace").count("\ufffd")
    if valid == 0 or invalid > valid:
        return
    line = raw.count(b"\n", 0, err.start) + 1
    bad = raw[err.start:err.start + 4].hex(" ")
    raise FileRefused(f"{name}: line {line} holds bytes that are not UTF-8 (byte {err.start:,}:"
                      f" {bad}), while the rest of the file is UTF-8: the file is damaged or "
                      "two files were joined; fix that line or save the file again as UTF-8 "
                      "CSV")


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
    with path.open("rb") as handle:  # one read: what the size check passed is what is parsed
        raw = handle.read(limits.MAX_FILE_BYTES + 1)
    if len(raw) > limits.MAX_FILE_BYTES or not raw:
        check_size_of(path.name, len(raw))
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        if raw[1:2] == b"\x00" or raw[0:1] == b"\x00":
            text, encoding = _decode_utf16_without_bom(raw, path.name)
        else:
            raise FileRefused(f"{path.name} holds binary data, not CSV text")
    else:
        text, encoding = _decode(raw, path.name)
    delimiter = delimiter or _delimiter(text[: limits.CSV_SNIFF_BYTES])
    rows: list[list[Any]] = []
    # A cell longer than Excel's limit is the plan's located problem, not the csv module's
    # "field larger than field limit": the reader only stops at the file's own size.
    csv.field_size_limit(max(csv.field_size_limit(), limits.MAX_FILE_BYTES))
    # strict: a quote out of place is the file's ambiguity to refuse, never a guess
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    started = 1  # the line the row being read starts on
    try:
        for row in reader:
            started = reader.line_num + 1
            if len(rows) >= limits.MAX_ROWS:
                raise FileRefused(f"{path.name} has more than {limits.MAX_ROWS:,} rows")
            if len(row) > limits.MAX_COLUMNS:
                raise FileRefused(f"{path.name}: row {reader.line_num} has {len(row)} columns;"
                                  f" the import reads at most {limits.MAX_COLUMNS}")
            rows.append(row)
    except csv.Error as err:
        ended = "unexpected end of data" in str(err)  # the cell opened where its row starts
        line = started if ended else reader.line_num
        raise FileRefused(f"{path.name}: line {line}: {_csv_problem(err)}") from None
    width = max((len(r) for r in rows), default=0)
    for row in rows:
        row.extend([""] * (width - len(row)))  # ragged rows
    return Workbook(path=path, sheets=[Sheet(name=path.stem, rows=rows)], encoding=encoding,
                    delimiter=delimiter, decimal_comma=delimiter == ";")


def _csv_problem(err: csv.Error) -> str:
    """The csv module's complaint in the tracker's words."""
    text = str(err)
    if "field larger than field limit" in text:
        return (f"a cell is larger than {limits.MAX_FILE_BYTES:,} characters; a cell holds at "
                f"most {limits.MAX_CELL_CHARS:,}")
    if "new-line character seen in unquoted field" in text:
        return ("a line break inside a cell that is not in quotes; save the file again from "
                "Excel, which quotes such cells")
    if "NUL" in text:
        return "a NUL character, which a text file never holds"
    if "unexpected end of data" in text or "EOF" in text:
        return ("a quoted cell starting on this line is never closed: the file ends inside "
                "it (a missing closing quote)")
    if "expected after" in text:
        return ('a quote inside a quoted cell that is not doubled ("" in CSV), so where the '
                "cell ends is unknown; save the file again from Excel, or double the quote")
    return "the line cannot be read as CSV (quotes or separators out of place)"


def _decode_utf16_without_bom(raw: bytes, name: str) -> tuple[str, str]:
    encoding = "utf-16-le" if raw[1:2] == b"\x00" else "utf-16-be"
    try:
        return raw.decode(encoding), encoding
    except UnicodeDecodeError:
        raise FileRefused(f"{name} holds binary data, not CSV text") from None
