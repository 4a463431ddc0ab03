"""The command line: help for every command, one-line errors, the demo register."""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from tracker import __version__
from tracker.cli import build_parser, main
from tracker.domain.enums import TransferMechanism
from tracker.store.engine import session_scope
from tracker.store.migrate import open_register
from tracker.store.models import Agreement, Provider, Transfer

from .conftest import TODAY
from .helpers import copy_register, register_id_of

EU = {"AT", "BE", "DE", "DK", "ES", "FI", "FR", "IE", "IT", "NL", "PL", "PT", "SE"}


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"tracker {__version__}"


def test_every_command_has_help() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(subparsers.choices) >= {"open", "demo", "backup", "settings", "audit", "info"}
    for name, sub in subparsers.choices.items():
        assert sub.description, f"{name} has no help text"
        for action in sub._actions:
            if action.dest not in {"help"} and action.option_strings:
                assert action.help, f"{name} {action.option_strings} has no help text"


def test_user_errors_are_one_line_without_traceback(tmp_path: Path,
                                                    empty_template: Path) -> None:
    register = copy_register(empty_template, tmp_path / "r.sqlite")
    result = subprocess.run([sys.executable, "-m", "tracker", "--db", str(register),
                             "settings", "set", "colour", "blue"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("tracker: unknown setting 'colour'")


def test_demo_register_is_realistic(demo_path: Path) -> None:
    engine = open_register(f"sqlite:///{demo_path}")
    with session_scope(engine) as session:
        providers = session.exec(select(Provider)).all()
        agreements = session.exec(select(Agreement)).all()
        transfers = session.exec(select(Transfer)).all()
    engine.dispose()
    assert len(providers) >= 12
    countries = {p.country for p in providers}
    assert {"CN", "GB", "US"} <= countries and countries & EU
    soon = [a for a in agreements
            if a.expires_on and TODAY <= a.expires_on <= TODAY + timedelta(days=90)]
    expired = [a for a in agreements if a.expires_on and a.expires_on < TODAY]
    # the case-law licence, and the standard contract a transfer still names (issue 14)
    assert len(soon) >= 2 and len(expired) == 2
    routes = {(t.origin_country, t.destination_country, t.mechanism) for t in transfers}
    assert any(o == "CN" and d in EU and m == TransferMechanism.CN_STANDARD_CONTRACT
               for o, d, m in routes)
    assert any(o in EU and d == "CN" for o, d, _ in routes)


def test_demo_refuses_to_overwrite_a_real_register(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    real = tmp_path / "real.sqlite"
    assert main(["--db", str(real), "init"]) == 0
    assert main(["--db", str(real), "settings", "set", "review_cadence_months.low", "24"]) == 0
    assert main(["demo", "--db", str(real), "--no-open"]) == 2
    assert "is not a demo register" in capsys.readouterr().err
    with sqlite3.connect(real) as connection:
        assert connection.execute("SELECT count(*) FROM provider").fetchone() == (0,)


def test_demo_can_be_rewritten(demo_path: Path) -> None:
    """A demo register already there (the session's demo, copied: writing one costs
    seconds, and test_packaging writes one from nothing) is written anew in its place."""
    path = demo_path
    first = register_id_of(path)
    assert main(["demo", "--db", str(path), "--no-open"]) == 0
    assert register_id_of(path) != first  # a new register was written in its place
    engine = open_register(f"sqlite:///{path}")
    with session_scope(engine) as session:
        names = session.exec(select(Provider.legal_name)).all()
        assert len(names) == len(set(names))
        newest = session.exec(select(Agreement).order_by(col(Agreement.expires_on).desc())).first()
    engine.dispose()
    assert newest is not None and newest.expires_on and newest.expires_on > date.today()


def test_providers_command_filters(demo_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(demo_path), "providers", "上海"]) == 0
    out = capsys.readouterr().out
    assert "Shanghai Biaozhu" in out and out.count("\n") == 1


def test_providers_list_columns_line_up_with_chinese_names(engine: Engine,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    """Columns are padded by terminal cells: a Chinese character takes two."""
    from rich.cells import cell_len

    from tracker.app.register import Register

    register = Register.open(str(engine.url))
    for name in ("北京星云数据科技有限公司", "Acme GmbH",
                 "上海语料标注有限公司上海语料标注有限公司上海语料标注有限公司"):
        register.create("provider", {"legal_name": name, "country": "CN"})
    capsys.readouterr()
    assert main(["--db", str(engine.url.database), "providers"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if " CN " in line]
    assert len(rows) == 3
    assert len({cell_len(line.split(" CN ")[0]) for line in rows}) == 1, rows
    assert any("…" in line for line in rows)  # the longest name cut to its column
