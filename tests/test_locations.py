"""Paths as shown in a prefilled field and read back when the officer confirms it."""

from __future__ import annotations

from pathlib import Path

from tracker.locations import exports_dir, given_path, shown_path


def test_a_path_under_home_is_shown_from_tilde_and_read_back_to_the_same_file(
        tmp_path: Path) -> None:
    # the hermetic fixture makes tmp_path the home folder and puts the data folder in it
    default = exports_dir() / "register-2026-11-25.xlsx"
    shown = shown_path(default)
    assert shown == str(Path("~") / "xdg-data" / "tracker" / "exports"
                        / "register-2026-11-25.xlsx")
    assert given_path(shown, option="the path") == default.parent.resolve() / default.name


def test_a_path_outside_home_is_shown_whole(tmp_path: Path) -> None:
    outside = Path("/srv/registers/export.xlsx")
    assert shown_path(outside) == "/srv/registers/export.xlsx"
