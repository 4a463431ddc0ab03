"""`tracker serve`: the TUI in a real headless Chromium (issue 16).

The page draws the terminal on a canvas (xterm.js), so its text is not in the DOM: the
test reads what the server sends the page instead (a script the browser runs before the
page's own records every websocket frame), which is exactly what the canvas draws. Chromium
and chromedriver are Debian's (scripts/browser.py, run by `scripts/dev.py test`, installs
them); without them the test is skipped, saying so.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

BROWSER, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    BROWSER is None or DRIVER is None,
    reason="no chromium and chromedriver: scripts/browser.py installs Debian's packages "
           "where it can (root with apt-get)")

# Runs in the page before its own scripts: keeps the text of every frame the server sends.
RECORD_FRAMES = """
window.__frames = [];
const Native = window.WebSocket;
window.WebSocket = function (...args) {
  const ws = new Native(...args);
  ws.addEventListener('message', (event) => {
    const data = event.data;
    if (typeof data === 'string') { window.__frames.push(data); }
    else if (data instanceof ArrayBuffer) {
      window.__frames.push(new TextDecoder().decode(data));
    } else if (data && data.text) { data.text().then((t) => window.__frames.push(t)); }
  });
  return ws;
};
window.WebSocket.prototype = Native.prototype;
Object.assign(window.WebSocket, Native);
"""
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[\]P][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(demo_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`tracker serve` on a free port, started (the test starts the browser meanwhile)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker", "serve", "--db", str(demo_path), "--port",
         str(port)], env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)  # its signals and its tabs' TUIs stay out of pytest's group
    try:
        yield f"http://127.0.0.1:{port}/", process
    finally:  # the server and the TUI each tab started; nothing of theirs to keep
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def answering(url: str, process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                assert answer.status == 200
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("tracker serve did not answer: " + (
                    process.stderr.read().decode() if process.stderr else "")) from None
            time.sleep(0.1)


def screen_text(driver: Any) -> str:
    frames = driver.execute_script("return window.__frames.join('')")
    return ANSI.sub("", str(frames))


def wait_for(driver: Any, words: str, since: int = 0, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = screen_text(driver)[since:]
        if words in text:
            return text
        time.sleep(0.1)
    raise AssertionError(f"{words!r} never appeared; the page showed: "
                         f"{screen_text(driver)[since:][-600:]!r}")


def test_the_dashboard_renders_in_a_browser_and_a_key_navigates(
        served: tuple[str, subprocess.Popen[bytes]], tmp_path: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = str(BROWSER)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--window-size=1280,900", f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(DRIVER)), options=options)
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                               {"source": RECORD_FRAMES})
        url, process = served
        answering(url, process)
        driver.get(url)
        # The page's own start button (textual-serve) opens the app in the page.
        driver.find_element(By.TAG_NAME, "body")
        dashboard = wait_for(driver, "Dashboard")
        assert "Recent changes" in wait_for(driver, "Recent changes")
        assert "demo.sqlite" in dashboard  # the title bar names the register served
        before = len(screen_text(driver))
        # xterm.js takes keys through a hidden textarea. Chromium may judge it not
        # interactable (it sits under the canvas, zero-sized), so the test focuses it as
        # a click on the terminal does and types into the focused element, as a user's
        # keyboard does.
        from selenium.webdriver.common.action_chains import ActionChains

        terminal = driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
        driver.execute_script("arguments[0].focus()", terminal)
        ActionChains(driver).send_keys("p").perform()
        providers = wait_for(driver, "Providers", since=before)
        assert "Medilex" in wait_for(driver, "Medilex", since=before), providers[-400:]
        driver.save_screenshot(str(tmp_path / "providers.png"))
    finally:
        driver.quit()
