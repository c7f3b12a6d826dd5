"""Test-only tasks, loaded by a worker started with ``tests.crash_settings``.

``crash_the_worker`` stands for a task that kills the process running it every
time (memory exhaustion on one input, a crash in a C library): it notes each
start in a file, then SIGKILLs its own process. ``note`` is ordinary work.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from celery import shared_task


@shared_task(name="tests.crash_tasks.crash_the_worker", ignore_result=True)
def crash_the_worker(starts_file: str) -> None:
    with Path(starts_file).open("a") as starts:
        starts.write(f"{os.getpid()}\n")
    os.kill(os.getpid(), signal.SIGKILL)


@shared_task(name="tests.crash_tasks.note", ignore_result=True)
def note(path: str, text: str) -> None:
    Path(path).write_text(text)
