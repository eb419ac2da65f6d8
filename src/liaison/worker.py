"""`liaison worker`: the node's background work, as loops that the composition root registers.

A loop is a task built for the node (opening whatever client it needs) and stepped over and over:
one step is one unit of work and returns how much it did. A step that did something runs again
at once; one that found nothing waits its loop's interval. Loops whose steps can block for
minutes (a package of gigabytes on the wire) run on a thread of their own, so they never hold
up the others; the rest share the main thread in turn.

The runner knows no feature: what runs is the list it is given (liaison.composition).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from liaison.config import Settings
from liaison.node import Node

log = logging.getLogger("liaison.worker")
# After a step failed (a bug, the database away), the loop pauses this long before the next one.
FAILURE_PAUSE_SECONDS = 1.0


class Task(Protocol):
    def step(self) -> int:
        """Do one unit of work; how many things were handled (0: nothing was due)."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Loop:
    name: str
    start: Callable[[Node], Task]
    # Seconds to wait after a step that found nothing to do.
    interval: Callable[[Settings], float]
    own_thread: bool = False


class Periodic:
    """A task from a plain function of the node (one transaction of its own), for the scans
    that run every so often: deadlines, retention, expiry, e-mail, checkpoints."""

    def __init__(self, node: Node, run: Callable[[Node], int]) -> None:
        self.node, self.run = node, run

    def step(self) -> int:
        return self.run(self.node)

    def close(self) -> None:
        return None


def periodic(run: Callable[[Node], int]) -> Callable[[Node], Task]:
    return lambda node: Periodic(node, run)


@dataclass
class Report:
    """Per loop: how many things its steps handled, and how many steps failed."""

    done: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str, done: int = 0, failed: int = 0) -> None:
        with self.lock:
            self.done[name] = self.done.get(name, 0) + done
            self.failed[name] = self.failed.get(name, 0) + failed


def _step(name: str, task: Task, report: Report) -> int | None:
    """One step, its outcome counted; None when it raised (logged, never fatal to the loop)."""
    try:
        done = task.step()
    except Exception:
        # A bug or a database outage must not end the worker: log, pause, go on.
        log.exception("%s: step failed", name)
        report.add(name, failed=1)
        return None
    report.add(name, done=done)
    return done


class _Threaded(threading.Thread):
    def __init__(self, loop: Loop, task: Task, node: Node, report: Report) -> None:
        super().__init__(name=f"liaison-{loop.name}", daemon=True)
        self.loop, self.task, self.node, self.report = loop, task, node, report
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            done = _step(self.loop.name, self.task, self.report)
            if done is None:
                self.stopping.wait(FAILURE_PAUSE_SECONDS)
            elif not done:
                self.stopping.wait(self.loop.interval(self.node.settings))

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=30)


def run(
    node: Node,
    loops: Sequence[Loop],
    *,
    once: bool = False,
    stop_after: float | None = None,
    stop: threading.Event | None = None,
) -> Report:
    """Run every loop until stopped (``stop`` set, or ``stop_after`` seconds passed).
    ``once``: one step of each loop, in line, in the order given, then return."""
    report = Report()
    tasks = [(loop, loop.start(node)) for loop in loops]
    threads: list[_Threaded] = []
    try:
        if once:
            for loop, task in tasks:
                _step(loop.name, task, report)
            return report
        shared = []
        for loop, task in tasks:
            if loop.own_thread:
                thread = _Threaded(loop, task, node, report)
                thread.start()
                threads.append(thread)
            else:
                shared.append((loop, task))
        _run_shared(node, shared, report, stop_after=stop_after, stop=stop or threading.Event())
        return report
    finally:
        for thread in threads:
            thread.stop()
        for _loop, task in tasks:
            task.close()


def _run_shared(
    node: Node,
    shared: list[tuple[Loop, Task]],
    report: Report,
    *,
    stop_after: float | None,
    stop: threading.Event,
) -> None:
    """The loops of the main thread in turn, each when due; sleep until the next is due."""
    started = time.monotonic()
    due = dict.fromkeys((loop.name for loop, _task in shared), started)
    while not stop.is_set():
        now = time.monotonic()
        if stop_after is not None and now - started > stop_after:
            return
        for loop, task in shared:
            if due[loop.name] > now:
                continue
            done = _step(loop.name, task, report)
            if done is None:
                due[loop.name] = time.monotonic() + FAILURE_PAUSE_SECONDS
            elif not done:
                due[loop.name] = time.monotonic() + loop.interval(node.settings)
        wait = min(due.values(), default=now + 1.0) - time.monotonic()
        if wait > 0:
            stop.wait(wait if stop_after is None else min(wait, 0.05))
