"""Starts the real Evidentia window under tauri-driver (WebKitWebDriver) for the desktop tests.

Each session gets its own temp dirs for the workspace, the app's config and data and the
signing-key folder, so a test never reads or writes the user's files.
"""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.options import ArgOptions

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("EVIDENTIA_DESKTOP_BIN", ROOT / "target/debug/evidentia-desktop"))
SHOTS = ROOT / "target/e2e-screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"tauri-driver exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("tauri-driver did not start listening")


class App:
    """One running app window and where its files live."""

    def __init__(self, driver, home: Path, workspace: Path | None):
        self.driver = driver
        self.home = home
        self.workspace = workspace

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        # WebKit paints after the DOM settles; a screenshot taken at once can show the last frame.
        time.sleep(0.6)
        path = SHOTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path


def _launch(tmp: Path, workspace: Path | None, extra_env: dict[str, str] | None = None):
    if not BINARY.is_file():
        pytest.fail(f"{BINARY} is missing: build it with `cargo build -p evidentia-desktop`")
    driver_bin = shutil.which("tauri-driver") or str(Path.home() / ".cargo/bin/tauri-driver")
    env = dict(os.environ)
    env.pop("EVIDENTIA_WORKSPACE", None)
    env.update(
        {
            "XDG_CONFIG_HOME": str(tmp / "config"),
            "XDG_DATA_HOME": str(tmp / "data"),
            "XDG_CACHE_HOME": str(tmp / "cache"),
            # Signing keys (the demo's, and any the tests create) stay in the temp dir too,
            # never in the user's ~/.config/evidentia/keys.
            "EVIDENTIA_KEY_DIR": str(tmp / "keys"),
            # No accessibility bus under Xvfb; without this GTK waits for it on every start.
            "NO_AT_BRIDGE": "1",
            # The acting user entries record: fixed, whoever runs the tests.
            "EVIDENTIA_USER": "e2e-tester",
        }
    )
    if workspace is not None:
        env["EVIDENTIA_WORKSPACE"] = str(workspace)
    env.update(extra_env or {})
    port = _free_port()
    native_port = _free_port()
    proc = subprocess.Popen(
        [driver_bin, "--port", str(port), "--native-port", str(native_port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_port(port, proc)
    options = ArgOptions()
    options.set_capability("browserName", "wry")
    options.set_capability("tauri:options", {"application": str(BINARY)})
    # tauri-driver listens before its WebKitWebDriver does; a session asked for in between is
    # dropped, so ask again for a few seconds.
    for attempt in range(10):
        try:
            driver = webdriver.Remote(command_executor=f"http://127.0.0.1:{port}", options=options)
            break
        except Exception:
            if attempt == 9 or proc.poll() is not None:
                proc.terminate()
                raise
            time.sleep(1)
    driver.set_window_size(1280, 800)
    return proc, driver


@pytest.fixture
def fresh_app(tmp_path):
    """The app on a new, empty workspace named through EVIDENTIA_WORKSPACE."""
    workspace = tmp_path / "e2e.evidentia"
    proc, driver = _launch(tmp_path, workspace)
    try:
        yield App(driver, tmp_path, workspace)
    finally:
        driver.quit()
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def demo_app(tmp_path):
    """The app as on a first start: no workspace named, none opened before, so the demo."""
    proc, driver = _launch(tmp_path, None)
    try:
        yield App(driver, tmp_path, None)
    finally:
        driver.quit()
        proc.terminate()
        proc.wait(timeout=10)
