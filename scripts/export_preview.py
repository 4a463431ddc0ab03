"""Look at an export as a spreadsheet program shows it: write the demo register's export,
convert it to PDF with LibreOffice (headless) and each page to a PNG.

    python3 scripts/export_preview.py [OUT_DIR]     # default: build/export-preview

Needs LibreOffice and poppler-utils; as root on Debian it installs them
(libreoffice-calc-nogui, poppler-utils, fonts-noto-cjk for the Chinese names).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["libreoffice-calc-nogui", "poppler-utils", "fonts-noto-cjk"]


def ensure_tools() -> None:
    if shutil.which("soffice") and shutil.which("pdftoppm"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit("needs LibreOffice (soffice) and pdftoppm: install "
                 + " ".join(PACKAGES))
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *PACKAGES],
                   check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "export-preview"
    out.mkdir(parents=True, exist_ok=True)
    ensure_tools()
    python = ROOT / ".venv" / "bin" / "python"
    db = out / "demo.sqlite"
    for stale in out.iterdir():  # a previous preview, the demo's evidence folder among it
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    code = ("from datetime import date; from pathlib import Path; "
            "from tracker.app.demo import write_demo; from tracker.store.migrate import "
            "open_register; from tracker.app.exports import run_export; "
            f"write_demo(Path({str(db)!r}), "
            f"today=date.fromisoformat({date.today().isoformat()!r})); "
            f"run_export(open_register('sqlite:///{db}'), Path({str(out / 'demo.xlsx')!r}))")
    subprocess.run([str(python), "-c", code], check=True)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out),
                    str(out / "demo.xlsx")], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(out / "demo.pdf"), str(out / "page")],
                   check=True)
    pages = sorted(out.glob("page-*.png"))
    print(f"{out / 'demo.pdf'}: {len(pages)} pages, rendered as {out}/page-*.png")


if __name__ == "__main__":
    main()
