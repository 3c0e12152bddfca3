"""Headless Chromium with networking off, for the HTML pages (Data Docs, scores page, health page)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OFFLINE_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # networking off: every host resolves to nothing, any proxied request goes to a closed port
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
]


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Chromium with a fresh profile under tmp_path; skips the test when Chromium is not installed."""
    if not Path(CHROMIUM).exists():
        pytest.skip("headless Chromium is not installed (make browser)")
    profile = tmp_path / f"chromium-profile-{len(list(tmp_path.glob('chromium-profile-*')))}"
    return subprocess.run(
        [CHROMIUM, *OFFLINE_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def chromium_output(tmp_path: Path, url: str, *extra: str) -> str:
    """stdout of Chromium on url (e.g. with --dump-dom); fails the test when Chromium fails."""
    result = run_chromium(tmp_path, *extra, url)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout
