"""Requests at the same moment: threads against the real database, with the interleaving pinned.

The threads run real requests through test clients of their own (each its own session and
connection). Where a race needs a particular order, a step of the code under test is made to wait
for the others, so the test never depends on timing; the timeouts only keep a broken run from hanging.
"""

from __future__ import annotations

import threading

WAIT_SECONDS = 30


def in_background(call):
    """Start a call in a thread of its own; the returned function waits for it and gives its result."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = call()
        except BaseException as exc:  # re-raised in the test's own thread
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()

    def result():
        thread.join(WAIT_SECONDS * 2)
        assert not thread.is_alive(), "the request is still running"
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]

    return result


def at_once(*calls) -> list:
    """Run every call in a thread of its own, all started together; their results in the order of the calls."""
    running = [in_background(call) for call in calls]
    return [result() for result in running]


def all_pass_before_any_goes_on(monkeypatch, owner, name: str, parties: int) -> None:
    """Make ``owner.<name>`` wait, once it has run, until ``parties`` callers have run it.

    Say, every request has checked for duplicates before any of them writes.
    """
    barrier = threading.Barrier(parties, timeout=WAIT_SECONDS)
    original = getattr(owner, name)

    def step(*args, **kwargs):
        result = original(*args, **kwargs)
        barrier.wait()
        return result

    monkeypatch.setattr(owner, name, step)


class Pause:
    """The first call of a function waits before it runs, until the test lets it go on."""

    def __init__(self, monkeypatch, owner, name: str):
        self.reached, self._resume = threading.Event(), threading.Event()
        original, first = getattr(owner, name), threading.Lock()

        def step(*args, **kwargs):
            if first.acquire(blocking=False):
                self.reached.set()
                assert self._resume.wait(WAIT_SECONDS), "the test did not let the paused call go on"
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, step)

    def wait_until_reached(self) -> None:
        assert self.reached.wait(WAIT_SECONDS), "the paused call was never made"

    def resume(self) -> None:
        self._resume.set()


def in_processes(worker, arguments: list[tuple], *, timeout: int = 120) -> list:
    """Run ``worker(*args, barrier)`` in a spawned process of its own per entry of ``arguments``.

    Each process builds its own app and connections; the barrier lets them start their work on one
    signal (a worker that failed to start breaks it instead of hanging). Their results in order.
    """
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(len(arguments))
        with context.Pool(len(arguments)) as pool:
            return pool.starmap_async(worker, [(*args, barrier) for args in arguments]).get(timeout=timeout)
