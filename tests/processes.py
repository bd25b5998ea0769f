"""Real processes and a real SMTP server for the tests of delivery and of the scheduler.

``SMTPServer`` is aiosmtpd on loopback, collecting every message it accepts. ``hub_process`` starts the
``hub`` command in a process of its own against the test database, the way an installation runs it.
"""

from __future__ import annotations

import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from email.policy import default as default_policy
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    """An SMTP server on 127.0.0.1 that keeps every message it accepted; start() and stop() at will.

    ``delay``: seconds it takes over each message before it answers (a slow server)."""

    def __init__(self, port: int | None = None, *, delay: float = 0):
        self.port = port or free_port()
        self.delay = delay
        self.messages: list[email.message.EmailMessage] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        with self._lock:
            self.messages.append(message)
        return "250 OK"

    def start(self) -> SMTPServer:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def received(self) -> list[email.message.EmailMessage]:
        with self._lock:
            return list(self.messages)

    def wait_for(self, count: int, timeout: float = 90) -> list[email.message.EmailMessage]:
        """Wait until at least ``count`` messages arrived (or the time is up); return all of them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.received()) < count:
            time.sleep(0.1)
        return self.received()


def hub_env(app, **settings) -> dict[str, str]:
    """The environment of a ``hub`` process on the test app's database and instance folder."""
    env = {
        **os.environ,
        "HUB_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "HUB_INSTANCE_PATH": app.instance_path,
        "HUB_SECRET_KEY": app.config["SECRET_KEY"],
        "HUB_BASE_URL": app.config["BASE_URL"],
        "PYTHONPATH": str(ROOT),
    }
    env.update({f"HUB_{key}": str(value) for key, value in settings.items()})
    return env


def hub_process(app, *args: str, **settings) -> subprocess.Popen:
    """Start ``hub <args>`` in its own process (output kept for a failing test's message)."""
    return subprocess.Popen(
        [sys.executable, "-c", "from hub.core.cli import main; main()", *args],
        cwd=ROOT,
        env=hub_env(app, **settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(process: subprocess.Popen, timeout: float = 30) -> tuple[int, str]:
    """SIGTERM, then wait: (exit code, everything it printed)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    return finish(process, timeout)


def finish(process: subprocess.Popen, timeout: float = 120) -> tuple[int, str]:
    """Wait for a process to end by itself: (exit code, everything it printed)."""
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        return -9, output
    return process.returncode, output
