"""Shared test fixtures: the real-data folder and a headless Chromium (Playwright).

Tests that need ``../shared/data/real`` take the ``real_data_dir`` fixture: it skips when
the folder is missing, except on CI (``CI=true``), where it fails.

The browser is Debian's ``/usr/bin/chromium`` (installed by ``.ci/run``), driven by the
Python ``playwright`` package with ``executable_path`` — never a browser downloaded by
``playwright install``.  Without it the browser tests fail on CI (``CI=true``) with a clear
message and are skipped elsewhere.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _real_data_dir() -> Path:
    env = os.environ.get("CORTEXKIT_REAL_DATA")
    if env:
        return Path(env)
    return REPO.parent / "shared" / "data" / "real"


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    """Folder of the shared real recordings (``../shared/data/real``), never copied here."""
    path = _real_data_dir()
    if not path.is_dir():
        reason = f"real-data folder {path} not found (set CORTEXKIT_REAL_DATA)"
        if _on_ci():  # CI has ../shared beside the clone: a missing folder is a failure
            pytest.fail(f"{reason}: CI must run the real-data tests", pytrace=False)
        pytest.skip(reason)
    return path


def _on_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def chromium_path() -> str | None:
    """Path of the system Chromium, or None."""
    for candidate in (os.environ.get("CORTEXKIT_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _no_browser(reason: str) -> None:
    if _on_ci():
        pytest.fail(f"{reason}: the browser tests need Debian's chromium on CI "
                    "(`apt-get install -y chromium`, which .ci/run does)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A headless Chromium context with a fresh user data dir, shared by the session."""
    exe = chromium_path()
    if exe is None:
        _no_browser("no Chromium found at /usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev extra installs it
        _no_browser("the playwright package is not installed")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=exe, headless=True, args=CHROMIUM_ARGS,
        )
        try:
            yield context
        finally:
            context.close()


class PageWatch:
    """A page plus every console error, page error and request it made."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.console_errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc}"))
        page.on("request", lambda req: self.requests.append(req.url))

    def _on_console(self, msg: Any) -> None:
        if msg.type in ("error", "assert"):
            self.console_errors.append(f"console.{msg.type}: {msg.text}")


@pytest.fixture
def watched_page(browser_context: Any) -> Iterator[PageWatch]:
    """A fresh page in the shared Chromium that records console errors and requests."""
    page = browser_context.new_page()
    try:
        yield PageWatch(page)
    finally:
        page.close()


# ---------------------------------------------------------------- explorer server process
def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class ExplorerProcess:
    """A running ``cortexkit serve`` subprocess."""

    def __init__(self, proc: Any, port: int, lines: list[str]) -> None:
        self.proc = proc
        self.port = port
        self.lines = lines
        self.url = f"http://127.0.0.1:{port}/"

    @property
    def stderr(self) -> str:
        return "".join(self.lines)


@contextlib.contextmanager
def run_explorer(*args: str, port: int | None = None, ready_timeout: float = 180.0,
                 env: dict[str, str] | None = None) -> Iterator[ExplorerProcess]:
    """Start ``python -m cortexkit serve ARGS --port P``, wait until it listens, stop it after.

    The server is always stopped (SIGINT, then kill) when the block ends, also on failure.
    """
    port = free_port() if port is None else port
    cmd = [sys.executable, "-m", "cortexkit", "serve", *args, "--port", str(port)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=str(REPO))
    lines: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        for line in proc.stderr:
            lines.append(line)
            if "listening on" in line:
                ready.set()
        ready.set()  # process ended: stop waiting

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        ready.wait(ready_timeout)
        if proc.poll() is not None or not any("listening on" in ln for ln in lines):
            pytest.fail(f"`{' '.join(cmd)}` did not start (exit code {proc.poll()}):\n"
                        + "".join(lines), pytrace=False)
        yield ExplorerProcess(proc, port, lines)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=20)
        reader.join(timeout=5)


@pytest.fixture(scope="module")
def explorer_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExplorerProcess]:
    """``cortexkit serve`` on the bundled data (seed 0) on a free port, for one test module.

    Its model cache goes to a temporary folder, never the user's cache.
    """
    cache = tmp_path_factory.mktemp("cortexkit-cache")
    with run_explorer("--seed", "0", env={"CORTEXKIT_CACHE_DIR": str(cache)}) as server:
        yield server


@pytest.fixture
def start_explorer() -> Any:
    """``start_explorer(*args)``: context manager running ``cortexkit serve ARGS``."""
    return run_explorer
