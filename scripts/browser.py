#!/usr/bin/env python3
"""Make sure headless Chromium and its chromedriver are here, for the browser test of
`tracker serve` (tests/test_serve.py). Standard library only.

    python3 scripts/browser.py     # prints the chromium path on success, exits 1 if none

Installs Debian's `chromium` and `chromium-driver` packages when they are missing and we
are root with apt-get (CI runs as root on a clean machine); never downloads a browser build
of its own. Elsewhere it only looks, and says why the browser test will be skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

PACKAGES = ["chromium", "chromium-driver"]


def found() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def ensure() -> tuple[str, str] | None:
    have = found()
    if have is not None:
        return have
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print("chromium or chromedriver is missing and cannot be installed here (not root "
              "with apt-get): install the chromium and chromium-driver packages",
              file=sys.stderr)
        return None
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # A fresh machine may have empty package lists: update them once and retry.
    for attempt in ([], ["apt-get", "update", "-qq"]):
        if attempt:
            subprocess.run(attempt, check=False, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *PACKAGES], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        have = found()
        if have is not None:
            return have
    print("apt-get could not install chromium and chromium-driver", file=sys.stderr)
    return None


if __name__ == "__main__":
    result = ensure()
    if result is None:
        sys.exit(1)
    print(result[0])
