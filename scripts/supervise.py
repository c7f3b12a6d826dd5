#!/usr/bin/env python3
"""Keep one process running under ``make run``: restart it when it exits, stop it when asked.

honcho (Procfile.dev) restarts nothing: when one of its processes exits it stops
all the others. A Celery worker that gave up on its broker, or beat after a crash,
would so end the whole help desk. This wrapper sits between honcho and the process:

- the child exits by itself (crash, broker gone, code 0 or not): it is started again
  after a pause that doubles from 1 s up to ``--max-backoff`` (back to 1 s once a run
  lasted ``--steady`` seconds), so a broker that is down for a while is not hammered;
- the wrapper gets SIGTERM, SIGINT or SIGHUP (honcho stopping, Ctrl-C): it passes the
  signal on to the child, waits for it, and exits with its code, restarting nothing.
  A child still running after ``--stop-timeout`` seconds is killed with its process
  group, so nothing is left behind: honcho itself kills the wrapper 5 s after its
  SIGTERM, which is why the default is 4 s.

The child runs in a session of its own, so only the wrapper signals it (once: a
Celery worker that received SIGINT twice would shut down cold). On Linux it is also
killed if the wrapper itself dies without cleaning up (SIGKILL).

    scripts/supervise.py --name worker -- .venv/bin/celery -A helpdesk worker

Standard library only, so any Python 3.10+ runs it.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent() -> None:
    """In the child, before exec: the kernel kills it when the wrapper dies (Linux only)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class Supervisor:
    def __init__(
        self,
        command: Sequence[str],
        *,
        name: str,
        max_backoff: float,
        steady: float,
        stop_timeout: float,
    ) -> None:
        self.command = list(command)
        self.name = name
        self.max_backoff = max_backoff
        self.steady = steady
        self.stop_timeout = stop_timeout
        self.child: subprocess.Popen[bytes] | None = None
        self.stop_signal: int | None = None
        self.stopped_at = 0.0  # time.monotonic() of the first stop signal

    def say(self, message: str) -> None:
        print(f"supervise[{self.name}]: {message}", file=sys.stderr, flush=True)

    def on_signal(self, signum: int, _frame: FrameType | None) -> None:
        first = self.stop_signal is None
        self.stop_signal = signum
        if first:
            self.stopped_at = time.monotonic()
            self.say(f"{signal.Signals(signum).name} received: stopping, not restarting")
        if self.child is not None and self.child.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.child.pid, signum)

    def run(self) -> int:
        for signum in STOP_SIGNALS:
            signal.signal(signum, self.on_signal)
        backoff = min(1.0, self.max_backoff)
        while True:
            started = time.monotonic()
            child = self.child = subprocess.Popen(  # noqa: S603 - the command line we were given
                self.command, start_new_session=True, preexec_fn=_die_with_parent
            )
            self.say(f"started pid {child.pid}")
            if self.stop_signal is not None:  # a signal that came while it was starting
                os.kill(child.pid, self.stop_signal)
            code = self.wait_child(child)
            if self.stop_signal is not None:
                return code
            ran = time.monotonic() - started
            if ran >= self.steady:
                backoff = min(1.0, self.max_backoff)
            self.say(f"exited with code {code} after {ran:.1f} s; restarting in {backoff:g} s")
            if self.pause(backoff):
                return code
            backoff = min(backoff * 2, self.max_backoff)

    def wait_child(self, child: subprocess.Popen[bytes]) -> int:
        """Wait for the child; once a stop was asked, for at most ``stop_timeout`` seconds."""
        while True:
            try:
                code = child.wait(timeout=0.1)  # short: a stop's deadline is checked between
                break
            except subprocess.TimeoutExpired:
                if self.stopped_at and time.monotonic() - self.stopped_at > self.stop_timeout:
                    self.say(f"still running {self.stop_timeout:g} s after the stop: killing it")
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(child.pid, signal.SIGKILL)
                    code = child.wait()
                    break
        # Whatever the child left in its group (a Celery pool's processes) goes with it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGKILL)
        return code if code >= 0 else 128 - code

    def pause(self, seconds: float) -> bool:
        """Sleep before the restart; True when a stop signal came meanwhile."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.stop_signal is not None:
                return True
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
        return self.stop_signal is not None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="process", help="shown in the log lines")
    parser.add_argument("--max-backoff", type=float, default=30.0, metavar="SECONDS")
    parser.add_argument("--steady", type=float, default=60.0, metavar="SECONDS")
    parser.add_argument("--stop-timeout", type=float, default=4.0, metavar="SECONDS")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    supervisor = Supervisor(
        command,
        name=args.name,
        max_backoff=args.max_backoff,
        steady=args.steady,
        stop_timeout=args.stop_timeout,
    )
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
