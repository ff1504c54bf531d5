"""Starting the dashboard and waiting for it in a browser: shared by the e2e tests and
scripts/screenshots.py (so this module does not depend on pytest).

The server runs on a free port with a database of its own and writes its output to a file.
The browser is Debian's Chromium; nothing is ever downloaded.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_SECONDS = 120
LOAD_TIMEOUT_MS = 60_000


@dataclass(frozen=True)
class Server:
    """A running dashboard: its base URL, database and log file."""

    url: str
    db: Path
    log: Path


def find_chromium() -> str | None:
    """Return the path of Debian's Chromium, or None when it is not installed."""
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except OSError:
        return False


@contextmanager
def streamlit_server(db: Path, log: Path) -> Iterator[Server]:
    """Run `streamlit run dashboard.py` on db until the block ends; RuntimeError if it won't start."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "dashboard.py",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
    ]
    env = {**os.environ, "PIPELINE_DB": str(db)}
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(url):
            if process.poll() is not None:
                raise RuntimeError(
                    f"streamlit exited with {process.returncode}:\n{log.read_text()}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"streamlit was not healthy after {STARTUP_SECONDS} s:\n{log.read_text()}"
                )
            time.sleep(0.3)
        yield Server(url, db, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_app(page) -> None:
    """Wait until the page is connected, its script has run to the end and nothing is loading."""
    from playwright.sync_api import expect

    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute(
        "data-test-connection-state", "CONNECTED", timeout=LOAD_TIMEOUT_MS
    )
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=LOAD_TIMEOUT_MS)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=LOAD_TIMEOUT_MS)
    # Right after the page loads, the app may read "notRunning" before its first run has
    # started; a spinner (the sample data loading on a first start) shows that run is still on.
    expect(page.get_by_test_id("stSpinner")).to_have_count(0, timeout=LOAD_TIMEOUT_MS)


# Text inside a KPI tile (label, value or delta line) that is wider than its box: the browser
# shows it cut off behind an ellipsis.
_CUT_TILE_TEXT = """() => [...document.querySelectorAll('[data-testid="stMetric"] *')]
    .filter(el => (el.innerText || '').trim() && el.scrollWidth > el.clientWidth + 1)
    .map(el => el.innerText.trim())"""


def cut_tile_text(page) -> list[str]:
    """Return the texts of KPI tiles that the browser cuts off for lack of room."""
    return sorted(set(page.evaluate(_CUT_TILE_TEXT)))
