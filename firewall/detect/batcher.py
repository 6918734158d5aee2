"""Dynamic batching: windows from concurrent results are collected for a few milliseconds (or
until a batch is full) and scored together, off the event loop, one batch at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")


@dataclass
class _Request(Generic[T]):
    items: Sequence[T]
    done: anyio.Event = field(default_factory=anyio.Event)
    scores: list[float] = field(default_factory=list)
    error: BaseException | None = None


class Batcher(Generic[T]):
    """Collects the items of concurrent ``score`` calls into batches of at most ``max_batch`` and
    runs ``score`` on each in a worker thread, one batch at a time."""

    def __init__(
        self, score: Callable[[Sequence[T]], list[float]], *, max_batch: int = 32, max_wait: float = 0.003
    ) -> None:
        self._score = score
        self.max_batch = max_batch
        self.max_wait = max_wait
        self._pending: list[_Request[T]] = []
        self._limiter = anyio.CapacityLimiter(1)  # one inference at a time: it uses every core already
        self.batches: list[int] = []
        """Sizes of the batches run (for tests and benchmarks)."""

    async def score(self, items: Sequence[T]) -> list[float]:
        """The scores of these items, in order, once the batch holding them has run; raises what
        the scoring function raised."""
        if not items:
            return []
        request: _Request[T] = _Request(items)
        self._pending.append(request)
        if sum(len(r.items) for r in self._pending) < self.max_batch:
            with anyio.move_on_after(self.max_wait):
                await request.done.wait()
        if not request.done.is_set():
            await self._flush()
        await request.done.wait()
        if request.error is not None:
            raise request.error
        return request.scores

    async def _flush(self) -> None:
        async with self._limiter:
            taken, self._pending = self._pending, []
            if not taken:
                return
            items = [item for request in taken for item in request.items]
            for start in range(0, len(items), self.max_batch):
                self.batches.append(len(items[start : start + self.max_batch]))
            try:
                scores: list[float] = []
                for start in range(0, len(items), self.max_batch):
                    scores += await anyio.to_thread.run_sync(
                        self._score, items[start : start + self.max_batch]
                    )
            except BaseException as exc:  # every waiter must wake, with the error
                for request in taken:
                    request.error = exc
                    request.done.set()
                raise
            position = 0
            for request in taken:
                request.scores = scores[position : position + len(request.items)]
                position += len(request.items)
                request.done.set()
