"""A real headless Chromium (Debian's chromium and chromium-driver) driven by Selenium.

scripts/browser.sh installs both when the tests run as root; a missing browser is a clear
failure, never a skip. Selenium calls block: call them in a thread while the service runs on
the test's event loop.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service as DriverService

T = TypeVar("T")
SHOTS = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else None
FLAGS = (
    "--headless=new",
    "--no-sandbox",  # we run as root in CI
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--window-size=412,915",  # a phone's viewport: the page must work there
)


def find_browser() -> tuple[str, str]:
    """Paths of chromium and chromedriver, or AssertionError saying what to install."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    assert browser and driver, (
        "the browser tests need Debian's chromium and chromium-driver: run scripts/browser.sh "
        "as root (test.sh does), or apt-get install chromium chromium-driver"
    )
    return browser, driver


@contextmanager
def chromium(downloads: Path) -> Iterator[webdriver.Chrome]:
    """A headless Chromium, quit at the end."""
    browser, driver_path = find_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={downloads / 'profile'}")
    driver = webdriver.Chrome(options=options, service=DriverService(executable_path=driver_path))
    try:
        yield driver
    finally:
        driver.quit()


def poll(check: Callable[[], T | None], limit_s: float, what: str) -> T:
    """Call check() until it returns something truthy (the deadline only guards a hang)."""
    deadline = time.monotonic() + limit_s
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: $SCREENSHOT_DIR, else the test's folder."""
    folder = SHOTS or tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    """Headless Chromium (a phone-sized window)."""
    with chromium(tmp_path) as driver:
        yield driver
