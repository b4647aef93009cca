"""Headless Chromium for the report viewer's tests: the DOM of a page after its script ran."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def need_chromium() -> str:
    """The browser's path; without one the test skips (CI sets SAICOT_REQUIRE_CHROMIUM=1 and fails instead)."""
    if CHROMIUM is None:
        if os.environ.get("SAICOT_REQUIRE_CHROMIUM"):
            pytest.fail("chromium is required here (.ci/run installs Debian's chromium)")
        pytest.skip("no chromium on this machine (Debian: apt-get install chromium)")
    return CHROMIUM


def _args(browser: str) -> list[str]:
    # the page inflates its data asynchronously: a virtual-time budget lets that finish before the DOM is read
    return [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--disable-background-networking", "--virtual-time-budget=20000"]


def dom(page: Path, fragment: str = "") -> str:
    """The serialized DOM of `page` (file URL plus ``#fragment``) after its scripts ran."""
    url = page.resolve().as_uri() + (f"#{fragment}" if fragment else "")
    out = subprocess.run([*_args(need_chromium()), "--dump-dom", url], capture_output=True, text=True, timeout=120)
    return out.stdout


def screenshot(page: Path, fragment: str, target: Path, size: str = "1280,900") -> Path:
    url = page.resolve().as_uri() + (f"#{fragment}" if fragment else "")
    subprocess.run([*_args(need_chromium()), f"--screenshot={target}", f"--window-size={size}", url],
                   capture_output=True, timeout=120, check=True)
    return target
