"""The queue-draining step shared by the tagging thread and the note writer: take every
item waiting, up to a size, dropping items whose request was cancelled before its turn."""

import queue
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Protocol, TypeVar


class Queued(Protocol):
    @property
    def future(self) -> "Future[Any]": ...


Item = TypeVar("Item", bound=Queued)

STOP = object()
"""Put on a queue to end its consumer (after the items before it)."""


def drain(
    items: "queue.SimpleQueue[Any]", limit: int, size: Callable[[Item], int]
) -> tuple[list[Item], bool]:
    """Block for the first item, then take what else is waiting until ``limit`` is reached.
    Returns the items and whether the consumer should stop (only once nothing is left)."""
    taken: list[Item] = []
    total = 0
    block = True
    while total < limit:
        try:
            item = items.get(block=block)
        except queue.Empty:
            break
        if item is STOP:
            if taken:
                items.put(STOP)  # stop after this batch
            return taken, not taken
        if item.future.set_running_or_notify_cancel():
            taken.append(item)
            total += size(item)
            block = False
    return taken, False
