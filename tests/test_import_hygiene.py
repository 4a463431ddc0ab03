"""The layers point one way: the domain imports no storage or UI, the store no UI."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(("package", "forbidden"), [
    ("tracker.domain.rules", ("textual", "sqlalchemy", "sqlmodel", "tracker.store")),
    ("tracker.domain.checklists", ("textual", "sqlalchemy", "tracker.store")),
    ("tracker.domain.settings", ("textual", "sqlalchemy", "tracker.store")),
    ("tracker.app.pipeline", ("textual", "tracker.ui")),
    ("tracker.app.register", ("textual", "tracker.ui")),
    ("tracker.cli", ("textual", "openpyxl")),
])
def test_layer_does_not_import(package: str, forbidden: tuple[str, ...]) -> None:
    code = (f"import sys, {package}; "
            f"print(','.join(m for m in sys.modules if m.split('.')[0] in {forbidden!r} "
            f"or any(m.startswith(f) for f in {forbidden!r})))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "", f"{package} pulled in {result.stdout.strip()}"
