"""The two set-up commands of the README (``make lab``, ``make test``) and CI's ``.ci/run``.

The Makefile is exercised for real on a copy of it, with a stand-in ``.venv/bin/python``
so that nothing is installed; ``make lab`` is started for real on a free loopback port.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")


def _project_copy(tmp_path: Path, repo_root: Path, fake_python: str | None) -> Path:
    """Copy Makefile, pyproject.toml and .ci/run into tmp_path, with an optional fake venv python."""
    (tmp_path / ".ci").mkdir()
    for name in ("Makefile", "pyproject.toml", ".ci/run"):
        shutil.copy2(repo_root / name, tmp_path / name)
    if fake_python is not None:
        bindir = tmp_path / ".venv" / "bin"
        bindir.mkdir(parents=True)
        python = bindir / "python"
        python.write_text(f'#!/bin/sh\necho "fake python $*"\n{fake_python}\n')
        python.chmod(0o755)
    return tmp_path


def _set_mtime(path: Path, when: float) -> None:
    path.touch()
    os.utime(path, (when, when))


def _env(**extra: str) -> dict[str, str]:
    """This environment without the variables an outer ``make test`` passes to nested makes."""
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}}
    return {**env, **extra}


def _make(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(project), *args],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60, env=env or _env(),
    )


def test_make_test_creates_venv_and_installs_test_extras(tmp_path, repo_root):
    project = _project_copy(tmp_path, repo_root, fake_python=None)
    plan = _make(project, "-n", "test")
    assert plan.returncode == 0, plan.stderr
    assert "-m venv .venv" in plan.stdout
    assert "pip install -e '.[analysis,lab,test]'" in plan.stdout
    assert "-m pytest" in plan.stdout


def test_make_test_reinstalls_only_when_pyproject_changes(tmp_path, repo_root):
    project = _project_copy(tmp_path, repo_root, fake_python="exit 0")
    now = time.time()
    _set_mtime(project / "pyproject.toml", now - 100)
    _set_mtime(project / ".venv" / ".installed-test", now - 50)

    plan = _make(project, "-n", "test")
    assert plan.returncode == 0, plan.stderr
    assert "pip install" not in plan.stdout
    assert "-m venv" not in plan.stdout
    assert "-m pytest" in plan.stdout

    _set_mtime(project / "pyproject.toml", now)
    plan = _make(project, "-n", "test")
    assert "pip install -e '.[analysis,lab,test]'" in plan.stdout
    assert "-m venv" not in plan.stdout


def test_make_lab_is_loopback_without_browser(tmp_path, repo_root):
    project = _project_copy(tmp_path, repo_root, fake_python="exit 0")
    _set_mtime(project / ".venv" / ".installed-lab", time.time() + 10)
    plan = _make(project, "-n", "lab")
    assert plan.returncode == 0, plan.stderr
    assert "pip install" not in plan.stdout
    command = " ".join(plan.stdout.replace("\\\n", " ").split())
    assert "-m jupyterlab --no-browser --ip=127.0.0.1" in command
    assert "--ServerApp.root_dir=notebooks" in command
    assert ("--allow-root" in command) == (os.geteuid() == 0)


def test_make_installs_python3_venv_when_venv_creation_fails(tmp_path, repo_root):
    """Debian without python3-venv: ``python3 -m venv`` fails until apt-get installs it."""
    (tmp_path / "project").mkdir()
    project = _project_copy(tmp_path / "project", repo_root, fake_python=None)
    bin_dir, marker, apt_log = tmp_path / "bin", tmp_path / "python3-venv-installed", tmp_path / "apt.log"
    bin_dir.mkdir()
    (bin_dir / "python3").write_text(
        "#!/bin/sh\n"
        f'if [ ! -f "{marker}" ]; then mkdir -p .venv; echo "ensurepip is not available" >&2; exit 1; fi\n'
        "mkdir -p .venv/bin\n"
        "printf '#!/bin/sh\\necho \"venv python $*\"\\n' > .venv/bin/python\n"
        "chmod +x .venv/bin/python\n"
    )
    (bin_dir / "apt-get").write_text(
        f'#!/bin/sh\necho "apt-get $*" >> "{apt_log}"\n'
        f'case "$*" in *"install"*python3-venv*) touch "{marker}";; esac\n'
    )
    for tool in ("python3", "apt-get"):
        (bin_dir / tool).chmod(0o755)

    run = _make(project, "venv", f"PYTHON={bin_dir / 'python3'}", "APT_GET=apt-get",
                env=_env(PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert apt_log.read_text().splitlines() == ["apt-get update",
                                                "apt-get install -y --no-install-recommends python3-venv"]
    assert "venv python -m pip install --upgrade pip" in run.stdout


@pytest.mark.parametrize(("pytest_status", "ci_fails"), [(0, False), (1, True), (5, True)])
def test_ci_run_fails_when_the_suite_fails_or_collects_nothing(tmp_path, repo_root, pytest_status, ci_fails):
    """``bash .ci/run`` goes through ``make test``; pytest's status 5 (no tests) must fail CI."""
    project = _project_copy(tmp_path, repo_root, fake_python=f"exit {pytest_status}")
    _set_mtime(project / ".venv" / ".installed-test", time.time() + 10)
    run = subprocess.run(
        ["bash", str(project / ".ci" / "run")],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60,
        env=_env(CI="true"),
    )
    assert "fake python -m pytest" in run.stdout
    assert (run.returncode != 0) == ci_fails, run.stdout + run.stderr
    if pytest_status == 5:
        assert "collected no tests" in run.stderr


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return 0


@pytest.mark.slow
def test_make_lab_starts_jupyterlab(tmp_path, repo_root):
    """``make lab`` serves JupyterLab on loopback: /api/status and /lab answer 200 within 60 s.

    Runs the Makefile's own ``lab`` recipe with this interpreter's environment as the venv;
    ``-o`` keeps make from reinstalling anything.
    """
    venv = Path(sys.prefix)
    if not (venv / "bin" / "python").exists():
        pytest.skip("the tests are not running from a venv with bin/python")
    port, token = _free_port(), os.urandom(16).hex()
    log = tmp_path / "lab.log"
    env = _env(
        JUPYTER_TOKEN=token,
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
    )
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["make", "-C", str(repo_root), "-o", f"{venv}/.installed-lab", "lab",
             f"VENV={venv}", f"LAB_PORT={port}"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env, start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        status = 0
        while time.monotonic() < deadline and proc.poll() is None:
            status = _get(f"{base}/api/status", token)
            if status == 200:
                break
            time.sleep(0.5)
        assert status == 200, f"JupyterLab did not answer on {base}:\n{log.read_text()}"
        assert _get(f"{base}/lab", token) == 200
        assert _get(f"{base}/api/status", "wrong-token") == 403
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    printed = log.read_text()
    assert f"{base}/lab?token=" in printed, printed
