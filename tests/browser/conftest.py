"""Browser tests: the app with the demo data served on a free port, driven by Playwright in Debian's Chromium.

The browser is the system's /usr/bin/chromium (never a downloaded build). When
it or Playwright is missing the tests are skipped, unless
FAREBRIDGE_REQUIRE_SERVICES=1 (set by .ci/run) makes that a failure.

``live_server`` is one server process for the whole run (its data accumulates
across tests); each test gets a fresh browser context (no cookies) in ``page``.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench.processes import stop_processes
from tests.conftest import REQUIRE_SERVICES

CHROMIUM = Path(os.environ.get("FAREBRIDGE_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# `make screenshots` writes them to docs/screenshots (shown in the README); a plain test run keeps the tree clean
SCREENSHOTS = Path(os.environ.get("FAREBRIDGE_SCREENSHOT_DIR")
                   or Path(__file__).resolve().parents[2] / "var" / "screenshots")
DEMO_PASSWORD = "farebridge-demo"
ADMIN_EMAIL = "demo-admin@farebridge.example"
PASSENGER_EMAIL = "demo-passenger@farebridge.example"


def operator_email(operator_id: str) -> str:
    return f"demo-operator-{operator_id.lower()}@farebridge.example"


def _missing(what: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(what)
    pytest.skip(what)


@dataclass(frozen=True)
class LiveServer:
    url: str
    env: dict[str, str]

    def __call__(self, path: str = "/") -> str:
        return self.url + path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, limit_s: float = 60) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/api/v1/health", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {limit_s} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`farebridge serve` in its own process on a temporary SQLite database with the demo loaded."""
    home = tmp_path_factory.mktemp("live")
    env = {**os.environ,
           "FAREBRIDGE_INSTANCE_DIR": str(home / "instance"),
           "FAREBRIDGE_DATABASE_URL": f"sqlite:///{home / 'farebridge.db'}",
           "FAREBRIDGE_STATEMENTS_DIR": str(home / "statements"),
           "FAREBRIDGE_BROKER_URL": "",
           "FAREBRIDGE_FORCE_HTTPS": "0",
           "FAREBRIDGE_LOGIN_RATE_LIMIT": "1000/minute"}  # the tests log in often; tests/webapp checks the limit
    command = [sys.executable, "-m", "webapp.cli"]
    for step in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run(command + step, env=env, check=True, capture_output=True)
    port = _free_port()
    log = home / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command + ["serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                                   stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield LiveServer(url, env)
    finally:
        stop_processes([process], timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        _missing(f"Playwright is not installed: {error}")
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh context (no cookies, English) on the live server; `page.goto("/login")` works."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def log_in(page: Any, email: str, password: str = DEMO_PASSWORD) -> None:
    """Fill and send the login form; the caller checks where it landed."""
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.fixture
def login() -> Callable[..., None]:
    return log_in


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    """``screenshot(page, "booking-options")`` saves booking-options.png (the full page) in SCREENSHOTS."""

    def take(page: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
