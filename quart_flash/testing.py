"""A pytest plugin for testing Flash apps against a real server and browser.

Registered as the ``quart_flash`` pytest11 entry point, so installing
``quart-flash[test]`` gives these fixtures to any test suite:

``flash_server``
    a factory: ``flash_server(app)`` serves a Flash app or any ASGI app
    (a whole Quart app with many FlashBlueprints) under hypercorn on a free
    127.0.0.1 port in a background thread, and returns a :class:`LiveServer`.
``flash_duo``
    a :class:`FlashDuo`: ``flash_duo.start_server(app)`` serves the app and
    opens it in headless Chromium, with Dash-like helpers
    (``wait_for_text_to_equal``, ``find_element``, ``get_logs``, ...).

Unlike ``dash.testing``'s ``dash_duo``, the server is hypercorn on its own
event loop, so async callbacks, websockets and lifespan events all run as
in production.  The browser is the machine's Chromium and chromedriver
(``FLASH_CHROMIUM`` / ``FLASH_CHROMEDRIVER`` override the paths); nothing is
downloaded, and a missing browser fails the test rather than skipping it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from typing import Any, Callable

import pytest

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
)


def listening_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket on ``port`` (default: a free one), held so no one takes it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def wait_until_serving(
    url: str,
    timeout: float = 20.0,
    process: subprocess.Popen[Any] | None = None,
    context: ssl.SSLContext | None = None,
) -> None:
    """Block until ``url`` answers HTTP at all (any status counts)."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before serving")
        try:
            urllib.request.urlopen(url, timeout=2, context=context).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer within {timeout} s") from None
            time.sleep(0.05)


async def subscribe_channels(socket: Any, channels: Sequence[str], timeout: float = 5.0) -> None:
    """Subscribe a channels websocket and wait until the server confirms it.

    ``socket`` is a client connection with ``send``/``recv`` coroutines (the
    ``websockets`` package's, for one).  After this returns, every publish
    to ``channels`` reaches the socket; pushes that arrived before the
    confirmation are skipped.
    """
    await socket.send(json.dumps({"type": "subscribe", "channels": list(channels)}))
    wanted = sorted(set(channels))
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"the server never confirmed the subscription to {wanted}")
        message = json.loads(await asyncio.wait_for(socket.recv(), left))
        if message.get("type") == "subscribed" and message.get("channels") == wanted:
            return


class LiveServer:
    """An ASGI app served by hypercorn in a background thread with its own loop."""

    def __init__(self, app: Any, *, host: str = "127.0.0.1", **config: Any) -> None:
        self.app = app
        self.host = host
        self._config = config
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> LiveServer:
        from hypercorn.config import Config

        self._socket = listening_socket(self.host)
        self.port = self._socket.getsockname()[1]
        config = Config()
        config.bind = [f"fd://{self._socket.fileno()}"]
        config.accesslog = None
        config.errorlog = "-"
        config.graceful_timeout = 2
        for key, value in self._config.items():
            setattr(config, key, value)
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, args=(config, ready), name=f"flash-server-{self.port}", daemon=True
        )
        self._thread.start()
        ready.wait(10)
        wait_until_serving(self.url + "/")
        return self

    def _serve(self, config: Any, ready: threading.Event) -> None:
        from hypercorn.asyncio import serve

        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            ready.set()
            await serve(self.app, config, shutdown_trigger=self._stop.wait)

        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - reported by stop()
            self._error = exc
            ready.set()

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self._stop.set)
            except RuntimeError:
                pass
        if self._thread is not None:
            self._thread.join(15)
        if self._socket is not None:
            # hypercorn adopted the descriptor and closed it when it stopped.
            self._socket.detach()
        if self._error is not None:
            raise RuntimeError("the server thread failed") from self._error


def stop_group(
    process: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 20
) -> bytes:
    """Stop a process started with ``start_new_session=True`` and its children.

    ``sig`` goes to the process group its PID leads (never to processes found
    by name); SIGKILL follows if it lingers past ``timeout``, and then for
    anything left in the group.  Returns what it wrote to a pipe, if any.
    """

    def signal_group(number: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, number)

    signal_group(sig)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        signal_group(signal.SIGKILL)
        output, _ = process.communicate()
    signal_group(signal.SIGKILL)
    return output or b""


class HypercornProcess:
    """``hypercorn`` in a subprocess on a free port, stopped by its PID.

    For what only a separate process shows: several workers, ``quart run``,
    module import paths, SIGTERM handling.
    """

    def __init__(
        self,
        target: str = "",
        *,
        args: Sequence[str] = (),
        cwd: str | None = None,
        env: dict[str, str] | None = None,
        command: Sequence[str] | None = None,
        tls: tuple[str, str] | None = None,
    ) -> None:
        """``tls=(certfile, keyfile)`` serves HTTPS (and HTTP/2 by ALPN)."""
        self.target = target
        self.args = list(args)
        self.tls = tls
        if tls is not None:
            self.args += ["--certfile", tls[0], "--keyfile", tls[1]]
        self.cwd = cwd
        self.env = env
        self.command = command
        self.process: subprocess.Popen[bytes] | None = None
        self._socket: socket.socket | None = None
        self.port = 0

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def ssl_context(self) -> ssl.SSLContext | None:
        """A client context that trusts the server's certificate (with ``tls``)."""
        return ssl.create_default_context(cafile=self.tls[0]) if self.tls else None

    def start(self, ready_path: str = "/") -> HypercornProcess:
        """Start serving; after :meth:`stop`, starting again reuses the same port."""
        self._socket = listening_socket(port=self.port)
        self.port = self._socket.getsockname()[1]
        fd = self._socket.fileno()
        if self.command is not None:
            # A command that binds by itself (``quart run``, ``app.run()``)
            # needs the port free: release it just before starting.
            argv = [part.format(port=self.port) for part in self.command]
            self._socket.close()
            self._socket = None
            pass_fds: tuple[int, ...] = ()
        else:
            argv = [
                sys.executable,
                "-m",
                "hypercorn",
                "--bind",
                f"fd://{fd}",
                *self.args,
                self.target,
            ]
            pass_fds = (fd,)
        env = {**os.environ, **{k: v.format(port=self.port) for k, v in (self.env or {}).items()}}
        # Its own process group: a server may start children (a reloader,
        # workers) that must stop with it.
        self.process = subprocess.Popen(
            argv,
            cwd=self.cwd,
            env=env,
            pass_fds=pass_fds,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_serving(
                self.url + ready_path, timeout=60, process=self.process, context=self.ssl_context
            )
        except BaseException:
            output = self.stop()
            raise RuntimeError(f"{argv} failed to serve:\n{output}") from None
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> str:
        """Stop the process and its children and return what it printed.

        The signal goes to the process group the server was started in (its
        PID), so children such as a reloader's server process stop too.
        """
        output = b"" if self.process is None else stop_group(self.process, sig, timeout)
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        return output.decode(errors="replace")


def _find_executable(env_var: str, *names: str) -> str:
    path = os.environ.get(env_var)
    if path:
        return path
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        f"{names[0]} is not installed: browser tests need Debian's chromium and "
        f"chromium-driver packages (or {env_var}=/path/to/{names[0]})",
        pytrace=False,
    )


class FlashBrowser:
    """Headless Chromium driven through selenium, with Dash-like helpers.

    Each has its own new profile. ``with FlashBrowser(url) as browser:``
    quits it, and deletes that profile, however the block ends.
    """

    def __init__(self, base_url: str = "", wait_timeout: float = 10.0) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = _find_executable("FLASH_CHROMIUM", "chromium", "chromium-browser")
        self._profile = tempfile.TemporaryDirectory(prefix="flash-chromium-")
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self._profile.name}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = Service(executable_path=_find_executable("FLASH_CHROMEDRIVER", "chromedriver"))
        self.driver = webdriver.Chrome(options=options, service=service)
        self.base_url = base_url
        self.wait_timeout = wait_timeout

    def visit(self, path: str = "/", wait_for_app: bool = True) -> None:
        """Open ``path`` and, by default, wait for dash-renderer to draw the app."""
        self.driver.get(self.base_url + path)
        if wait_for_app:
            self.wait_for(
                lambda: self.driver.execute_script(
                    "var e = document.getElementById('react-entry-point');"
                    "return !!e && !e.querySelector('._dash-loading') && e.children.length > 0;"
                ),
                f"the Dash app at {path} to render",
            )

    def wait_for(
        self,
        condition: Callable[[], Any],
        what: str | Callable[[], str],
        timeout: float | None = None,
    ) -> Any:
        """Poll ``condition`` until it is truthy; fail with ``what`` on timeout.

        ``what`` may be a function, called only then, so that the message
        can say what the page showed when the time ran out.
        """
        deadline = time.monotonic() + (timeout or self.wait_timeout)
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            try:
                result = condition()
                if result:
                    return result
            except Exception as exc:  # noqa: BLE001 - stale elements etc.: retry
                last_error = exc
            time.sleep(0.05)
        detail = f" (last error: {last_error!r})" if last_error else ""
        description = what() if callable(what) else what
        raise AssertionError(f"timed out waiting for {description}{detail}")

    def find_element(self, selector: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.wait_for(
            lambda: self.driver.find_element(By.CSS_SELECTOR, selector), f"element {selector}"
        )

    def find_elements(self, selector: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return list(self.driver.find_elements(By.CSS_SELECTOR, selector))

    def text(self, selector: str) -> str:
        return str(self.find_element(selector).text)

    def wait_for_text_to_equal(
        self, selector: str, text: str, timeout: float | None = None
    ) -> None:
        from selenium.webdriver.common.by import By

        self.wait_for(
            lambda: self.driver.find_element(By.CSS_SELECTOR, selector).text == text,
            lambda: f"{selector} to read {text!r} (it reads {self._safe_text(selector)!r})",
            timeout,
        )

    def wait_for_contains_text(
        self, selector: str, text: str, timeout: float | None = None
    ) -> None:
        from selenium.webdriver.common.by import By

        self.wait_for(
            lambda: text in self.driver.find_element(By.CSS_SELECTOR, selector).text,
            lambda: f"{selector} to contain {text!r} (it reads {self._safe_text(selector)!r})",
            timeout,
        )

    def _safe_text(self, selector: str) -> str:
        try:
            return str(self.driver.find_element("css selector", selector).text)
        except Exception:  # noqa: BLE001 - only for the failure message
            return "<missing>"

    def type_into(self, selector: str, text: str, clear: bool = True) -> None:
        element = self.find_element(selector)
        if clear:
            self.driver.execute_script(
                "var e = arguments[0];"
                "var proto = window.HTMLInputElement.prototype;"
                "Object.getOwnPropertyDescriptor(proto, 'value').set.call(e, '');"
                "e.dispatchEvent(new Event('input', {bubbles: true}));",
                element,
            )
        element.send_keys(text)

    def click(self, selector: str) -> None:
        self.find_element(selector).click()

    def get_logs(self) -> list[dict[str, Any]]:
        """Browser console entries of level SEVERE since the last call."""
        entries: list[dict[str, Any]] = self.driver.get_log("browser")  # type: ignore[no-untyped-call]
        return [entry for entry in entries if entry["level"] == "SEVERE"]

    def quit(self) -> None:
        try:
            self.driver.quit()
        finally:
            self._profile.cleanup()

    def __enter__(self) -> FlashBrowser:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.quit()


class FlashDuo:
    """A live server and a browser pointed at it (``dash_duo`` for Flash apps)."""

    def __init__(self, start: Callable[..., LiveServer]) -> None:
        self._start = start
        self._browser: FlashBrowser | None = None
        self.server: LiveServer | None = None

    @property
    def browser(self) -> FlashBrowser:
        if self._browser is None:
            self._browser = FlashBrowser()
        return self._browser

    @property
    def server_url(self) -> str:
        assert self.server is not None, "call start_server(app) first"
        return self.server.url

    def start_server(self, app: Any, path: str = "/", **config: Any) -> None:
        """Serve ``app`` and open ``path`` in the browser."""
        self.server = self._start(app, **config)
        self.browser.base_url = self.server.url
        self.browser.visit(path)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.browser, name)

    def close(self) -> None:
        if self._browser is not None:
            self._browser.quit()


@pytest.fixture
def flash_server() -> Iterator[Callable[..., LiveServer]]:
    servers: list[LiveServer] = []

    def start(app: Any, **config: Any) -> LiveServer:
        server = LiveServer(app, **config).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def flash_duo(flash_server: Callable[..., LiveServer]) -> Iterator[FlashDuo]:
    duo = FlashDuo(flash_server)
    yield duo
    duo.close()
