"""Shared by the dashboard tests: serve a store on a free loopback port for a real browser."""

import socket
import threading
import time

import pytest


@pytest.fixture(scope="module")
def serve():
    """Return a function that serves a store (read-only dashboard) and gives its URL; all stop at the end."""
    import uvicorn

    from rasid.web.app import create_app

    running = []

    def start(db_path) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        srv = uvicorn.Server(uvicorn.Config(create_app(db_path), host="127.0.0.1", port=port, log_level="warning"))
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
