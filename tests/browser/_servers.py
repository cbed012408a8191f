"""The Jupyter servers of the browser tests: JupyterLab or Voila on a free loopback port with a random token.

``jupyter_server`` starts one in a temporary folder: a kernel spec for this interpreter, a copy of the notebook
(so that autosave can never write outputs into a committed notebook) and, for JupyterLab, quiet lab settings.
It waits until the server is up, fails with the tail of the server's log when it does not come up, and stops
the server at the end.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

#: the name shown in a failure, and the seconds a cold start may take on a busy machine
APPS = {"lab": ("JupyterLab", 60), "voila": ("Voila", 90)}


@dataclass(frozen=True)
class Server:
    url: str
    token: str
    root: Path  # the folder served, with the copy of the notebook
    log: Path  # the server's output


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_kernel_spec(jupyter_path: Path) -> None:
    """``python3`` runs this interpreter (the venv with the toolkit), whatever kernels the machine has."""
    kernels = jupyter_path / "kernels" / "python3"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (alliance-toolkit venv)", "language": "python"}))


def _write_lab_settings(settings_dir: Path) -> None:
    """Lab settings for a quiet, fully rendered notebook: no news or update checks, no windowing."""
    files = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False},
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    }
    for name, content in files.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content))


def _status_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@contextmanager
def jupyter_server(app: str, tmp: Path, repo_root: Path, notebook: Path) -> Iterator[Server]:
    """Serve a copy of ``notebook`` with JupyterLab (``app="lab"``) or Voila (``app="voila"``, the notebook
    as the dashboard, with the repository's ``offline`` template: no CDN links) from ``tmp``."""
    name, timeout = APPS[app]
    root = tmp / "notebooks"
    root.mkdir()
    shutil.copy(notebook, root / notebook.name)
    _write_kernel_spec(tmp / "jupyter")
    env = dict(os.environ, JUPYTER_PATH=str(tmp / "jupyter"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               JUPYTER_CONFIG_DIR=str(tmp / "config"), PYTHONPATH=str(repo_root), MPLBACKEND="Agg")
    port, token = free_port(), secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}"
    log_path = tmp / f"{app}.log"
    if app == "lab":
        _write_lab_settings(tmp / "lab-settings")
        env.update(JUPYTERLAB_SETTINGS_DIR=str(tmp / "lab-settings"), JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"))
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--LabApp.expose_app_in_browser=True"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")

        def ready() -> bool:
            return _status_ok(f"{url}/api/status?token={token}")
    else:
        env["JUPYTER_PATH"] += os.pathsep + str(repo_root / "notebooks" / "dashboard" / "jupyter")
        cmd = [os.path.join(os.path.dirname(sys.executable), "voila"), str(root / notebook.name),
               "--template=offline", "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}", f"--token={token}",
               "--Voila.port_retries=0", "--show_tracebacks=True"]

        def ready() -> bool:  # when it says so: a request to the page itself would start a kernel
            return "is running at" in log_path.read_text(errors="replace")

    log = log_path.open("w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=tmp)
    try:
        deadline = time.monotonic() + timeout
        while not ready():
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"{name} did not start on port {port} (exit {proc.poll()}):\n"
                            f"{log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.3)
        yield Server(url=url, token=token, root=root, log=log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
