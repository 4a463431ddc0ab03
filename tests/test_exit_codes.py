"""Each exit status means one thing, and each is produced here by a real situation: 0 fine,
1 findings (overdue, critical gaps, a verification that failed, an import with problems),
2 a user error (bad arguments, no register, a refused write, a rule), 3 a bug. A cron job
that reads 1 as "something is overdue" must never get it from a crash."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracker.app.register import Register
from tracker.cli import exits, main
from tracker.ui.app import TrackerApp

from .helpers import copy_register

README = Path(__file__).resolve().parent.parent / "README.md"
Capsys = pytest.CaptureFixture[str]


@pytest.fixture
def empty(empty_template: Path, tmp_path: Path) -> Path:
    return copy_register(empty_template, tmp_path / "empty.sqlite")


def test_0_when_fine_and_1_for_findings_also_on_a_read_only_copy(
        empty: Path, demo_path: Path, tmp_path: Path) -> None:
    """An auditor's read-only copy gives the same answers as the register itself."""
    assert main(["--db", str(tmp_path / "new.sqlite"), "init"]) == exits.EXIT_OK == 0
    for read_only in ([], ["--read-only"]):
        for args in (["check"], ["reminders"], ["audit", "verify"], ["evidence", "verify"]):
            assert main(["--db", str(empty), *read_only, *args]) == 0, args
        db = ["--db", str(demo_path), *read_only]
        assert main([*db, "check"]) == exits.EXIT_FINDINGS == 1  # critical gaps are open
        assert main([*db, "reminders"]) == 1  # something is overdue
        assert main([*db, "evidence", "verify"]) == 1  # the amended contract
    bad = tmp_path / "bad.csv"
    bad.write_text("Legal name,Country\nAcme Ltd,Atlantis\n", encoding="utf-8")
    assert main(["--db", str(demo_path), "import", str(bad), "--dry-run"]) == 1  # a problem


def test_2_for_what_the_user_can_put_right(empty: Path, tmp_path: Path, capsys: Capsys,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit) as parsed:  # argparse: a bad argument
        main(["--db", str(empty), "report", "nonsense", "--out", "x.md"])
    assert parsed.value.code == exits.EXIT_USER_ERROR == 2
    assert "invalid choice: 'nonsense'" in capsys.readouterr().err
    assert main(["--db", str(tmp_path / "typo.sqlite"), "check"]) == 2  # no register
    assert main(["--db", str(empty), "settings", "set", "colour", "blue"]) == 2  # a rule
    assert main(["--db", str(empty), "--read-only", "add", "provider",
                 "legal_name=X"]) == 2  # a refused write
    assert main(["--db", str(empty), "import", str(tmp_path / "missing.xlsx")]) == 2

    def denied(*_args: object, **_kwargs: object) -> None:  # an OSError one can act on
        raise PermissionError(13, "Permission denied", "/srv/evidence")

    monkeypatch.setattr(Register, "verify_evidence", denied)
    assert main(["--db", str(empty), "evidence", "verify"]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 5 and all(e.startswith("tracker: ") for e in errors)
    assert errors[-1] == "tracker: Permission denied: /srv/evidence"


def test_3_for_a_bug_with_one_line_and_the_traceback_on_request(
        empty: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    def bug(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("gap rule fell over")

    monkeypatch.setattr(Register, "gaps", bug)
    assert main(["--db", str(empty), "check"]) == exits.EXIT_INTERNAL_ERROR == 3
    assert capsys.readouterr().err == ("tracker: internal error: RuntimeError: gap rule fell "
                                       "over (run with --debug for the traceback)\n")
    with pytest.raises(RuntimeError, match="gap rule fell over"):
        main(["--db", str(empty), "--debug", "check"])


def test_3_when_the_terminal_ui_ends_in_a_crash(empty: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual prints the crash itself and ends with return code 1; the command says 3."""
    def crashed(self: TrackerApp) -> None:
        self.exit(return_code=1)

    monkeypatch.setattr(TrackerApp, "run", crashed)
    assert main(["--db", str(empty)]) == 3

    def quit_normally(self: TrackerApp) -> None:
        self.exit()

    monkeypatch.setattr(TrackerApp, "run", quit_normally)
    assert main(["--db", str(empty), "open"]) == 0


def test_the_codes_are_documented_in_help_and_readme(capsys: Capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    shown = capsys.readouterr().out
    assert shown.rstrip().endswith(exits.HELP)
    readme = README.read_text(encoding="utf-8")
    section = readme[readme.index("### Exit status"):]
    section = section[:section.index("\n#", 1)]
    documented = {int(code) for code in re.findall(r"^\| `(\d+)` \|", section, re.M)}
    assert documented == {exits.EXIT_OK, exits.EXIT_FINDINGS, exits.EXIT_USER_ERROR,
                          exits.EXIT_INTERNAL_ERROR, exits.EXIT_INTERRUPTED}
