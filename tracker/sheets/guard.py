"""Inspect a workbook before any parser touches it.

python-calamine aborts the whole process (a Rust panic, not an exception) on some hostile
files, and openpyxl trusts a sheet's declared dimension (MEASURED.md). So the archive is
checked first, with the standard library, streaming: what kind of file it really is, the
declared sizes and compression ratios of its members (decompression bombs), DTDs in its XML
(entity expansion, external entities), and how far its cells really reach (a cell at
XFD1048576, a million rows). Reading a member is capped at its declared size by zipfile.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from tracker.sheets import limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
ROW_TAG = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"")
WIDE_CELL = re.compile(rb"\br=\"([A-Z]{3})(\d+)\"")
DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
DATE1904 = re.compile(rb"date1904=\"(1|true)\"", re.IGNORECASE)
CHUNK = 1024 * 1024


class FileRefused(ValueError):
    """The file is not something the import will read; the message says why and what to do."""


@dataclass
class WorkbookFacts:
    date1904: bool = False
    sheet_rows: dict[str, int] = field(default_factory=dict)  # member name -> last row


def column_number(letters: bytes | str) -> int:
    number = 0
    for char in letters if isinstance(letters, str) else letters.decode():
        number = number * 26 + (ord(char) - 64)
    return number


def check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > limits.MAX_FILE_BYTES:
        raise FileRefused(f"{path.name} is {size / 1e6:.0f} MB; the import reads files up to "
                          f"{limits.MAX_FILE_BYTES / 1e6:.0f} MB")
    if size == 0:
        raise FileRefused(f"{path.name} is empty")


def inspect_xlsx(path: Path, deadline: limits.Deadline | None = None) -> WorkbookFacts:
    check_size(path)
    deadline = deadline or limits.Deadline()
    with path.open("rb") as handle:
        head = handle.read(8)
        if head.startswith(OLE_MAGIC):
            body = head + handle.read(limits.MAX_FILE_BYTES)
            if ENCRYPTED_MARK in body:
                raise FileRefused(f"{path.name} is password-protected (encrypted); open it in "
                                  "Excel, remove the password and save it as .xlsx")
            raise FileRefused(f"{path.name} is a legacy Excel 97-2003 file (.xls), whatever its "
                              "name says; open it in Excel and save it as .xlsx")
    if not head.startswith(b"PK"):
        raise FileRefused(f"{path.name} is not an .xlsx workbook (not a zip archive)")
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as err:
        raise FileRefused(f"{path.name} is damaged or truncated ({err}); save it again from "
                          "Excel") from None
    with archive:
        return _inspect_members(path, archive, deadline)


def _inspect_members(path: Path, archive: zipfile.ZipFile,
                     deadline: limits.Deadline) -> WorkbookFacts:
    members = archive.infolist()
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise FileRefused(f"{path.name} is a zip archive but not an Excel workbook")
    total = sum(m.file_size for m in members)
    if total > limits.MAX_UNCOMPRESSED_BYTES:
        raise FileRefused(f"{path.name} would expand to {total / 1e9:.1f} GB; the import "
                          f"reads at most {limits.MAX_UNCOMPRESSED_BYTES / 1e9:.1f} GB")
    for member in members:
        if member.file_size > 1024 * 1024 and member.compress_size and \
                member.file_size / member.compress_size > limits.MAX_COMPRESSION_RATIO:
            raise FileRefused(f"{path.name}: {member.filename} is compressed "
                              f"{member.file_size // member.compress_size}:1, the mark of a "
                              "decompression bomb; refused")
    facts = WorkbookFacts()
    try:
        for member in members:
            if not member.filename.endswith((".xml", ".rels")):
                continue
            if member.filename.startswith("xl/worksheets/"):
                facts.sheet_rows[member.filename] = _scan_sheet(path, archive, member, deadline)
            else:
                text = _read_capped(archive, member)
                if DTD.search(text[:4096]):
                    raise FileRefused(f"{path.name}: {member.filename} declares a DTD or XML "
                                      "entities, which workbooks never need; refused")
                if member.filename == "xl/workbook.xml" and DATE1904.search(text):
                    facts.date1904 = True
    except (zipfile.BadZipFile, EOFError, OSError) as err:
        raise FileRefused(f"{path.name} is damaged or truncated ({err}); save it again from "
                          "Excel") from None
    return facts


def _read_capped(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    with archive.open(member) as stream:
        return stream.read(min(member.file_size, 64 * CHUNK))


def _scan_sheet(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo,
                deadline: limits.Deadline) -> int:
    """The last row number, refusing DTDs and cells beyond the limits, in 1 MB chunks."""
    last_row = 0
    tail = b""
    first = True
    with archive.open(member) as stream:
        while chunk := stream.read(CHUNK):
            deadline.check(f"{path.name}: {member.filename}")
            data = tail + chunk
            if first and DTD.search(data[:4096]):
                raise FileRefused(f"{path.name}: {member.filename} declares a DTD or XML "
                                  "entities; refused")
            first = False
            wide = WIDE_CELL.search(data)
            if wide and column_number(wide[1]) > limits.MAX_COLUMNS:
                raise FileRefused(
                    f"{path.name}: {member.filename} has a cell at {wide[1].decode()}"
                    f"{wide[2].decode()}, column {column_number(wide[1]):,}; the import reads "
                    f"at most {limits.MAX_COLUMNS} columns")
            rows = ROW_TAG.findall(data)
            if rows:
                last_row = max(last_row, int(rows[-1]))
                if last_row > limits.MAX_ROWS:
                    raise FileRefused(
                        f"{path.name}: {member.filename} has rows up to {last_row:,}; the "
                        f"import reads at most {limits.MAX_ROWS:,} rows in a sheet")
            tail = data[-64:]
    return last_row
