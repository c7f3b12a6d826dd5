"""``make run`` keeps the worker and beat up: scripts/supervise.py restarts them and stops them.

A stand-in child (a few lines of Python) writes its pid to a file each time it starts,
then either exits at once (a worker that gave up on its broker) or runs until told to
stop. The wrapper is a real process, signalled as honcho or Ctrl-C would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.polling import wait_for

SUPERVISE = Path(__file__).resolve().parent.parent / "scripts" / "supervise.py"

CHILD = """
import os, signal, sys, time
with open(sys.argv[1], "a") as pids:
    pids.write(f"{os.getpid()}\\n")
mode = sys.argv[2]
if mode == "crash":
    sys.exit(3)
if mode == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if mode == "polite":
    def stop(signum, frame):
        with open(sys.argv[1] + ".stopped", "a") as note:
            note.write(f"{signal.Signals(signum).name}\\n")
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
while True:
    time.sleep(0.05)
"""

# Any database: the wrapper and a stand-in child are plain processes, with no database
# at all. CI runs it once, on PostgreSQL (.ci/run).
pytestmark = [pytest.mark.database_agnostic, pytest.mark.timeout(60)]


def pids(path: Path) -> list[int]:
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def running(pid: int) -> bool:
    """Alive and not a zombie waiting for its parent to reap it."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def supervise(tmp_path: Path, mode: str, *options: str) -> tuple[subprocess.Popen[str], Path]:
    pid_file = tmp_path / "pids"
    child = [sys.executable, "-c", CHILD, str(pid_file), mode]
    wrapper = subprocess.Popen(  # noqa: S603 - our script, fixed arguments
        [sys.executable, str(SUPERVISE), "--name", "worker", *options, "--", *child],
        stderr=subprocess.PIPE,
        text=True,
    )
    return wrapper, pid_file


@pytest.fixture(autouse=True)
def _linux_only():
    if not Path("/proc/self/status").exists():
        pytest.skip("reads process states from /proc")


def test_a_worker_that_exits_is_started_again_with_a_growing_pause(tmp_path):
    wrapper, pid_file = supervise(tmp_path, "crash", "--max-backoff", "0.4")
    try:
        wait_for(lambda: len(pids(pid_file)) >= 3, "the child started three times", timeout=20)
        assert wrapper.poll() is None, "the wrapper keeps going"
    finally:
        wrapper.send_signal(signal.SIGTERM)
        _, log = wrapper.communicate(timeout=20)
    assert "exited with code 3" in log
    assert "restarting in 0.4 s" in log  # the pause doubled up to the bound
    assert not any(running(pid) for pid in pids(pid_file))


def test_sigterm_stops_the_worker_and_the_wrapper_and_nothing_is_restarted(tmp_path):
    wrapper, pid_file = supervise(tmp_path, "polite")
    wait_for(lambda: pids(pid_file), "the child started", timeout=20)
    (child,) = pids(pid_file)

    wrapper.send_signal(signal.SIGTERM)
    _, log = wrapper.communicate(timeout=20)

    assert wrapper.returncode == 0  # the child's own exit code
    assert (tmp_path / "pids.stopped").read_text() == "SIGTERM\n"  # passed on, once
    assert not running(child)
    time.sleep(0.5)
    assert pids(pid_file) == [child], "not started again"
    assert "SIGTERM received: stopping, not restarting" in log


def test_ctrl_c_reaches_the_worker_once(tmp_path):
    wrapper, pid_file = supervise(tmp_path, "polite")
    wait_for(lambda: pids(pid_file), "the child started", timeout=20)
    (child,) = pids(pid_file)
    # The terminal signals honcho's whole process group; the child has its own
    # session, so only the wrapper's forwarded signal reaches it.
    wrapper.send_signal(signal.SIGINT)
    wrapper.communicate(timeout=20)
    assert not running(child)


def test_a_worker_that_ignores_sigterm_is_killed_after_the_stop_timeout(tmp_path):
    wrapper, pid_file = supervise(tmp_path, "stubborn", "--stop-timeout", "1")
    wait_for(lambda: pids(pid_file), "the child started", timeout=20)
    (child,) = pids(pid_file)

    started = time.monotonic()
    wrapper.send_signal(signal.SIGTERM)
    _, log = wrapper.communicate(timeout=20)

    assert time.monotonic() - started < 10
    assert wrapper.returncode == 128 + signal.SIGKILL
    assert "killing it" in log
    assert not running(child)


def test_sigterm_during_the_pause_before_a_restart_ends_the_wrapper_at_once(tmp_path):
    wrapper, pid_file = supervise(tmp_path, "crash", "--max-backoff", "30")
    wait_for(lambda: len(pids(pid_file)) >= 2, "the restart after 1 s", timeout=20)
    # Now in the 2 s pause (or about to enter it): a stop is honoured without a new start.
    wrapper.send_signal(signal.SIGTERM)
    wrapper.communicate(timeout=5)
    started = len(pids(pid_file))
    time.sleep(2.5)
    assert len(pids(pid_file)) == started


def test_a_wrapper_killed_outright_takes_its_worker_with_it(tmp_path):
    wrapper, pid_file = supervise(tmp_path, "polite")
    wait_for(lambda: pids(pid_file), "the child started", timeout=20)
    (child,) = pids(pid_file)
    os.kill(wrapper.pid, signal.SIGKILL)
    wrapper.communicate(timeout=20)
    wait_for(lambda: not running(child), "the orphan to be killed", timeout=10)
