"""Where the data that ships with the program lives: Alembic's scripts and the import data.

They sit in the repository's top-level ``schema/`` and ``imports/`` folders, which
pyproject.toml maps into the wheel as the packages ``tracker.schema`` and
``tracker.imports``. They are found through ``importlib.resources``, never by climbing up
from ``__file__``, so a wheel install (``pip install .``) finds them as an editable one does.
"""

from __future__ import annotations

import atexit
from contextlib import ExitStack
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path

SCHEMA_PACKAGE = "tracker.schema"
IMPORTS_PACKAGE = "tracker.imports"

# Keeps any extracted copy (a package inside a zip) until the program ends.
_extracted = ExitStack()
atexit.register(_extracted.close)


@cache
def package_dir(package: str) -> Path:
    """A real folder holding ``package``'s files: installed packages are one already; from
    elsewhere (a zip) they are copied out once, since Alembic and the readers need paths."""
    resource = files(package)
    if isinstance(resource, Path):
        return resource
    return _extracted.enter_context(as_file(resource))


def schema_dir() -> Path:
    """Alembic's script location (env.py, script.py.mako, versions/): a filesystem path."""
    return package_dir(SCHEMA_PACKAGE)


def imports_dir() -> Path:
    """The import data: synonyms.json, profiles/, template.xlsx and sample-register.xlsx."""
    return package_dir(IMPORTS_PACKAGE)


def synonyms_file() -> Path:
    """Header synonyms and value aliases (``_values``) that the import matches on."""
    return imports_dir() / "synonyms.json"


def profiles_dir() -> Path:
    """The mapping profiles that ship with the program (the user's own are elsewhere)."""
    return imports_dir() / "profiles"
