"""Shared by the dashboard tests: serve a store on a free loopback port, and a real headless Chromium
(Debian's, driven by Playwright; `make test` installs it; without it the browser tests are skipped)."""

import shutil
import socket
import threading
import time

import pytest


@pytest.fixture(scope="module")
def serve():
    """Return a function that serves a store (read-only, or reviewing with `review=True`) and gives its
    URL; all stop at the end."""
    import uvicorn

    from rasid.web.app import create_app

    running = []

    def start(db_path, *, review: bool = False) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        srv = uvicorn.Server(uvicorn.Config(create_app(db_path, review=review), host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=srv.run, daemon=True)
        thread.start()
        for _ in range(100):
            if srv.started:
                break
            time.sleep(0.05)
        running.append((srv, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for srv, thread in running:
        srv.should_exit = True
        thread.join(5)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for the module's tests (they are skipped when it is not installed)."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
