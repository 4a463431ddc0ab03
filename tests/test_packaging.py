"""A non-editable install works: the wheel ships schema/ and imports/ inside the package, and
the installed program runs from a folder that is not the repository.

Fast on purpose: the wheel goes into a fresh venv with ``--no-deps``, and a ``.pth`` file there
makes the dev venv's dependencies visible. A folder added by a ``.pth`` line is not scanned for
``.pth`` files itself, so the dev venv's editable install of the repository does not leak in
(asserted below)."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What the build reads from the repository; copied so the build leaves nothing behind here.
SOURCES = ("pyproject.toml", "README.md", "tracker", "schema", "imports")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


def _build_in_place() -> bool:
    """Whether the dev venv's setuptools can build the wheel without an isolated build env:
    it must meet pyproject's requirement and make wheels itself (70.1+) or have ``wheel``."""
    try:
        setuptools_version = _version(importlib.metadata.version("setuptools"))
    except importlib.metadata.PackageNotFoundError:
        return False
    if setuptools_version < (68,):
        return False
    try:
        importlib.metadata.version("wheel")
    except importlib.metadata.PackageNotFoundError:
        return setuptools_version >= (70, 1)
    return True


def _copy_sources(target: Path) -> Path:
    target.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy2(source, target / name)
    return target


def _build_wheel(tmp_path: Path) -> Path:
    source = _copy_sources(tmp_path / "src")
    dist = tmp_path / "dist"
    isolation = ["--no-build-isolation"] if _build_in_place() else []
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", *isolation,
                    "--wheel-dir", str(dist), str(source)], check=True)
    (wheel,) = dist.glob("tracker-*.whl")
    return wheel


def _fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    """A venv holding only the wheel; the dev venv's site-packages supplies the rest."""
    root = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(root)
    python = root / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                    "--no-deps", "--no-index", "--quiet", str(wheel)], check=True)
    purelib = subprocess.run([str(python), "-c",
                              "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    dev = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (Path(purelib) / "_dev_dependencies.pth").write_text("".join(f"{p}\n" for p in dev),
                                                          encoding="utf-8")
    return root


def _clean_env(tmp_path: Path) -> dict[str, str]:
    """No TRACKER_DB, no PYTHONPATH; home and data folders inside tmp_path."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
           "HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "TRACKER_USER": "packaging-test"}
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The built wheel and the fresh venv it is installed in."""
    tmp_path = tmp_path_factory.mktemp("packaging")
    wheel = _build_wheel(tmp_path)
    return wheel, _fresh_venv(tmp_path, wheel)


def test_every_package_under_tracker_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
                 ["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(ROOT).parts)
             for init in (ROOT / "tracker").rglob("__init__.py")}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert {"tracker.schema", "tracker.schema.versions", "tracker.imports"} <= listed


def test_the_wheel_ships_the_schema_and_the_import_data(installed: tuple[Path, Path]) -> None:
    wheel, _ = installed
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    migrations = {f"tracker/schema/versions/{path.name}"
                  for path in (ROOT / "schema" / "versions").glob("*.py")
                  if path.name != "__init__.py"}
    assert migrations and migrations <= names
    assert {"tracker/schema/env.py", "tracker/schema/script.py.mako",
            "tracker/imports/synonyms.json", "tracker/imports/template.xlsx",
            "tracker/imports/sample-register.xlsx",
            "tracker/imports/profiles/example-register.json",
            "tracker/ui/tracker.tcss"} <= names


def test_the_installed_program_runs_outside_the_repository(
        installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, root = installed
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = _clean_env(tmp_path)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), cwd=elsewhere, env=env, capture_output=True,
                              text=True, timeout=120)

    where = run(str(root / "bin" / "python"), "-c",
                "import tracker, tracker.resources as r; "
                "print(tracker.__file__); print(r.schema_dir()); print(r.synonyms_file())")
    assert where.returncode == 0, where.stderr
    for line in where.stdout.splitlines():
        assert Path(line).is_relative_to(root), f"{line} is not from the installed wheel"

    tracker = str(root / "bin" / "tracker")
    demo = run(tracker, "demo", "--no-open", "--db", "demo.sqlite")
    assert demo.returncode == 0, demo.stderr
    info = run(tracker, "--db", "demo.sqlite", "info")
    assert info.returncode == 0, info.stderr
    assert "schema:" in info.stdout and "providers:" in info.stdout

    shutil.copy2(ROOT / "imports" / "sample-register.xlsx", elsewhere / "sample-register.xlsx")
    assert run(tracker, "--db", "register.sqlite", "import", "x.xlsx").returncode == 2
    created = run(tracker, "--db", "register.sqlite", "init")
    assert created.returncode == 0, created.stderr
    imported = run(tracker, "--db", "register.sqlite", "import", "sample-register.xlsx")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "imported 6 rows" in imported.stdout + imported.stderr
