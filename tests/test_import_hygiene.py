"""The layers point one way: the domain imports no storage or UI, the store no UI."""

from __future__ import annotations

import subprocess
import sys

import pytest


def pulled_in(package: str, forbidden: tuple[str, ...]) -> str:
    """The modules among ``forbidden`` (or under them) that importing ``package`` in a fresh
    interpreter brings in, comma-separated; empty when none."""
    code = (f"import sys, {package}; "
            f"print(','.join(m for m in sys.modules if m.split('.')[0] in {forbidden!r} "
            f"or any(m.startswith(f) for f in {forbidden!r})))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    return result.stdout.strip()


@pytest.mark.parametrize(("package", "forbidden"), [
    ("tracker.domain.rules", ("textual", "sqlalchemy", "sqlmodel", "tracker.store")),
    ("tracker.domain.checklists", ("textual", "sqlalchemy", "tracker.store")),
    ("tracker.domain.settings", ("textual", "sqlalchemy", "tracker.store")),
    ("tracker.app.pipeline", ("textual", "tracker.ui")),
    ("tracker.app.register", ("textual", "tracker.ui")),
    ("tracker.cli", ("textual", "openpyxl")),
])
def test_layer_does_not_import(package: str, forbidden: tuple[str, ...]) -> None:
    found = pulled_in(package, forbidden)
    assert found == "", f"{package} pulled in {found}"


def test_the_probe_sees_what_a_module_imports() -> None:
    """The check above would pass on a probe that finds nothing: this one must find."""
    ui = pulled_in("tracker.ui.app", ("textual",)).split(",")
    assert {"textual", "textual.app"} <= set(ui)
    app = pulled_in("tracker.app.register", ("tracker.store",)).split(",")
    assert "tracker.store.engine" in app  # a dotted name, matched by its prefix
