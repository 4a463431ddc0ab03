"""Bad and hostile files: each gets a clear one-line error (or imports correctly), in
bounded time, never a traceback or a crash, and the register is left as it was."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine

from tracker.cli import main

from .helpers import copy_register
from .sheets_helpers import rewrite_member, write_xlsx

ROWS = [["Supplier name", "Country", "Expiry date", "Agreement type"],
        ["Acme Data", "DE", "2027-01-31", "NDA"]]


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


RunCli = Callable[..., Ran]
Refused = Callable[[Path, str], None]


@pytest.fixture
def register_file(empty_template: Path, tmp_path: Path) -> Path:
    """An empty register at tmp_path/r.sqlite, for the import to be refused by."""
    return copy_register(empty_template, tmp_path / "r.sqlite")


@pytest.fixture
def run_import_cli(register_file: Path, capsys: pytest.CaptureFixture[str]) -> RunCli:
    """``tracker --db tmp_path/r.sqlite import FILE ...`` run in this process (the command's
    own ``main``, as the console script calls it); the process itself is run once, below."""

    def run(file: Path, *extra: str) -> Ran:
        capsys.readouterr()
        started = time.perf_counter()
        code = main(["--db", str(register_file), "import", str(file), *extra])
        assert time.perf_counter() - started < 60
        out, err = capsys.readouterr()
        assert "Traceback" not in err and code in (0, 1, 2), err
        return Ran(code, out, err)

    return run


@pytest.fixture
def refused(run_import_cli: RunCli, tmp_path: Path) -> Refused:
    def check(file: Path, message: str) -> None:
        result = run_import_cli(file)
        assert result.returncode == 2, result.stdout + result.stderr
        assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
        assert result.stdout == ""
        assert stored(tmp_path, "SELECT count(*) FROM provider") == [(0,)]

    return check


def stored(tmp_path: Path, query: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(tmp_path / "r.sqlite")) as connection:
        return connection.execute(query).fetchall()


def test_the_program_refuses_a_hostile_file_in_one_line(tmp_path: Path,
                                                         register_file: Path) -> None:
    """The installed command as a process: exit 2, one line on stderr, no traceback."""
    path = tmp_path / "notes.xlsx"
    path.write_text("just some text, not a workbook")
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--db", str(register_file), "import",
         str(path)], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1 and "not an .xlsx workbook" in result.stderr
    assert "Traceback" not in result.stderr


def test_legacy_xls_renamed(tmp_path: Path, refused: Refused) -> None:
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)
    refused(path, "legacy Excel 97-2003 file")


def test_encrypted_workbook(tmp_path: Path, refused: Refused) -> None:
    path = tmp_path / "secret.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512
                     + "EncryptedPackage".encode("utf-16-le") + b"\0" * 512)
    refused(path, "password-protected")


def test_not_a_zip(tmp_path: Path, refused: Refused) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("just some text, not a workbook")
    refused(path, "not an .xlsx workbook")


def test_truncated_workbook(tmp_path: Path, refused: Refused) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", ROWS)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    refused(path, "damaged or truncated")


@pytest.mark.parametrize("member", ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"])
def test_entity_expansion_and_external_entities(tmp_path: Path, member: str,
                                                 refused: Refused) -> None:
    path = write_xlsx(tmp_path / "e.xlsx", ROWS)
    if member not in zipfile.ZipFile(path).namelist():
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr(member, b'<?xml version="1.0"?><sst/>')
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
           b'<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
    rewrite_member(path, member,
                   lambda data: lol + (data.split(b"?>", 1)[1] if b"?>" in data else data))
    refused(path, "declares a DTD or XML entities")


def test_decompression_bomb(tmp_path: Path, refused: Refused) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", ROWS)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (30 * 1024 * 1024))
    refused(path, "decompression bomb")


def test_cell_at_xfd1048576(tmp_path: Path, refused: Refused) -> None:
    book = Workbook()
    sheet = book.active
    for row in ROWS:
        sheet.append(row)
    sheet["XFD1048576"] = "far away"
    path = tmp_path / "far.xlsx"
    book.save(path)
    refused(path, "has a cell at XFD1048576")


def test_a_million_rows_declared_but_two_present_imports(
        tmp_path: Path, run_import_cli: RunCli) -> None:
    path = write_xlsx(tmp_path / "dim.xlsx", ROWS)
    rewrite_member(path, "xl/worksheets/sheet1.xml",
                   lambda d: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:C1048576"',
                                    d))
    assert b"A1:C1048576" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    result = run_import_cli(path)
    assert result.returncode == 0 and "provider               1 new" in result.stdout
    assert stored(tmp_path, "SELECT legal_name, country FROM provider") == [("Acme Data", "DE")]


def test_a_megabyte_in_one_cell(tmp_path: Path, run_import_cli: RunCli) -> None:
    path = write_xlsx(tmp_path / "big.xlsx", [
        ["Supplier name", "Notes"], ["Acme", "PLACEHOLDER"], ["Fine Co", "ok"]])
    # openpyxl truncates at 32,767 characters, so the megabyte goes into the XML directly
    rewrite_member(path, "xl/worksheets/sheet1.xml",
                   lambda d: d.replace(b"PLACEHOLDER", b"x" * 1_000_000))
    result = run_import_cli(path)
    assert result.returncode == 1
    assert "row 2, column B (Notes)" in result.stdout
    assert "1,000,000 characters" in result.stdout and len(result.stdout) < 5_000
    assert "nothing was written" in result.stderr
    assert stored(tmp_path, "SELECT legal_name FROM provider") == []  # not even Fine Co


def test_control_characters(tmp_path: Path, run_import_cli: RunCli) -> None:
    path = tmp_path / "ctl.csv"
    path.write_text("Supplier name,Country\nBell\x07 Co,DE\nFine Co,FR\n", encoding="utf-8")
    result = run_import_cli(path)
    assert result.returncode == 1
    assert "row 2, column A (Supplier name)" in result.stdout
    assert "control characters" in result.stdout
    assert stored(tmp_path, "SELECT legal_name FROM provider") == []  # not even Fine Co


def test_formula_without_cached_value_is_refused_by_its_cell(tmp_path: Path,
                                                            run_import_cli: RunCli) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", [["Supplier name", "Expiry date", "Agreement type"],
                                            ["Acme", "=DATE(2027,1,1)", "NDA"],
                                            ["Beta", "2027-02-01", "NDA"]])
    result = run_import_cli(path)
    # the cell holds a formula and no value a spreadsheet program computed: it would read
    # as blank, so the import names the cell instead of importing an empty expiry date
    assert result.returncode == 1, result.stdout + result.stderr
    assert "row 2, column B (Expiry date)" in result.stdout
    assert "cell B2 holds a formula" in result.stdout
    assert stored(tmp_path, "SELECT legal_name FROM provider") == []


@pytest.mark.parametrize(("encoding", "bom"), [
    ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("gb18030", b""),
    ("latin-1", b"")])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_encodings_and_delimiters(tmp_path: Path, encoding: str, bom: bytes,
                                      delimiter: str, run_import_cli: RunCli,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    name = "Société Générale Données" if encoding == "latin-1" else "北京数据科技有限公司"
    country = "France" if encoding == "latin-1" else "中国"
    lines = [["供应商名称" if encoding != "latin-1" else "Supplier name", "Country", "Notes"],
             [name, country, "two\nlines, quoted"], ["Ragged Ltd", "GB"]]
    text = "\r\n".join(delimiter.join(f'"{c}"' if ("\n" in c or delimiter in c) else c
                                      for c in row) for row in lines) + "\r\n"
    path = tmp_path / "register.csv"
    path.write_bytes(bom + text.encode(encoding))
    result = run_import_cli(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "provider               2 new" in result.stdout
    code = "FR" if encoding == "latin-1" else "CN"
    assert stored(tmp_path, "SELECT legal_name, country, notes FROM provider ORDER BY id") == [
        (name, code, "two\nlines, quoted"), ("Ragged Ltd", "GB", None)]
    assert main(["--db", str(tmp_path / "r.sqlite"), "providers"]) == 0
    [line] = [row for row in capsys.readouterr().out.splitlines() if name in row]
    assert code in line


def test_binary_file_named_csv(tmp_path: Path, run_import_cli: RunCli) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(bytes(range(256)) * 10)
    result = run_import_cli(path)
    assert result.returncode == 2
    assert result.stderr == "tracker: x.csv holds binary data, not CSV text\n"


def test_the_time_limit_stops_a_slow_import(tmp_path: Path, engine: Engine,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.app import imports as importer
    from tracker.errors import TrackerError
    from tracker.sheets import limits

    path = write_xlsx(tmp_path / "slow.xlsx", ROWS)
    monkeypatch.setattr(importer, "Deadline", lambda: limits.Deadline(0.0))  # budget spent
    with pytest.raises(TrackerError, match="stopped after 0 s, its time limit"):
        importer.run_import(engine, path, profile=None, order=None, dry_run=True)
