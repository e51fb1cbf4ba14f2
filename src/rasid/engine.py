"""Engines that map the per-document work (cleaning, entities, events) over several processes.

A run's corpus passes (outlet templates, duplicates, story assignment, linking, views) stay in the
process that owns the store; only pure per-document functions are mapped. Such a function is a
*task*: a picklable recipe (the data files it is built from) with ``load()``, which builds its
models once, and ``__call__(batch) -> list``, one result per item, in order.

- :class:`LocalEngine` (the default; it also embeds story leads for the story pass) forks
  ``workers`` processes *after* the task's models are loaded in the parent, so model weights are
  shared copy-on-write rather than loaded again, and sets each worker's torch to one intra-op
  thread so the workers do not fight over the cores. With one worker the task runs in-process.
  Results come back in input order, and one writer (the caller) stores them.
- :class:`RayEngine` maps the same tasks with Ray Data: an actor pool of ``workers`` actors, each
  of which builds the task's models once (``pip install rasid[ray]``). Without an address it starts
  a local Ray; with one (``ray://host:10001`` or ``host:6379``) it joins that cluster, whose nodes
  need Rasid installed.

Both give the same results as running the task in one process.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from rasid.errors import RasidError

__all__ = ["DocumentTask", "LocalEngine", "RayEngine", "default_workers", "make_engine", "release_memory", "run_and_release"]

log = logging.getLogger(__name__)

MAX_DEFAULT_WORKERS = 4  # each worker holds a copy of whatever a model writes; more rarely pays on a laptop
PENDING_PER_WORKER = 3  # batches queued per worker: enough to keep each busy while the writer stores results
RAY_INSTALL_HINT = "pip install 'rasid[ray]'"
RAY_BATCHES_PER_DATASET = 200  # batches held by the driver at once; each dataset starts its actors (models load)


class DocumentTask(Protocol):
    """A per-document function with models: built from data files, loaded once per worker."""

    def load(self) -> None:
        """Build the models (a second call does nothing)."""

    def __call__(self, batch: list) -> list:
        """One result per item of `batch`, in order."""


def default_workers() -> int:
    """The cores this process may use (at most ``MAX_DEFAULT_WORKERS``): the default ``--workers``.

    Example:
        >>> 1 <= default_workers() <= MAX_DEFAULT_WORKERS
        True
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # (not Linux)
        cores = os.cpu_count() or 1
    return max(1, min(MAX_DEFAULT_WORKERS, cores))


def make_engine(name: str = "local", *, workers: int | None = None, address: str | None = None):
    """The engine called `name` (``local`` or ``ray``) with `workers` processes (default: the cores).

    Raises:
        RasidError: an unknown engine, fewer than one worker, or ``ray`` without Ray installed.
    """
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise RasidError(f"--workers is at least 1, got {workers}")
    if name == "local":
        if address:
            raise RasidError("--ray-address is for --engine ray")
        return LocalEngine(workers)
    if name == "ray":
        return RayEngine(workers, address=address)
    raise RasidError(f"unknown engine {name!r}: use 'local' or 'ray'")


TRIM_INTERVAL = 2.0  # seconds between returns of freed heap to the system (a trim costs ~10 ms)
_last_trim = 0.0
_libc: Any = None


def release_memory(*, collect: bool = False) -> bool:
    """Give the free pages of this process's heap back to the system (glibc's ``malloc_trim``), at most
    once every ``TRIM_INTERVAL`` seconds unless `collect`, which first collects garbage and always
    trims; return whether it trimmed (False where the C library has no ``malloc_trim``).

    The tagger's batches free hundreds of MB of tensors that glibc keeps in its heap: without a
    trim a worker's resident memory keeps the high-water mark of its largest batch.
    """
    import time

    global _last_trim, _libc
    now = time.monotonic()
    if not collect and now - _last_trim < TRIM_INTERVAL:
        return False
    _last_trim = now
    if collect:
        import gc

        gc.collect()
    if _libc is None:
        import ctypes
        import ctypes.util

        try:
            _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            _libc.malloc_trim  # noqa: B018  (glibc only)
        except (OSError, AttributeError):
            _libc = False
    if not _libc:
        return False
    _libc.malloc_trim(0)
    return True


def run_and_release(task, batch: list) -> list:
    """``task(batch)``, then :func:`release_memory` (at most every ``TRIM_INTERVAL`` seconds)."""
    try:
        return task(batch)
    finally:
        release_memory()


_WORKER_TASK: Any = None


def _init_local_worker(threads: int) -> None:
    import sys

    if "torch" in sys.modules:  # (a task without torch does not import it)
        sys.modules["torch"].set_num_threads(threads)


def _run_local_task(batch: list) -> list:
    if _WORKER_TASK is None:
        raise RuntimeError("worker process started without a task")
    return run_and_release(_WORKER_TASK, batch)


class LocalEngine:
    """Map tasks over forked worker processes on this machine (in-process with one worker).

    Example:
        >>> engine = LocalEngine(1)
        >>> with engine.mapping(_Double()) as run:
        ...     list(run([[1, 2], [3]]))
        [[2, 4], [6]]
    """

    name = "local"

    def __init__(self, workers: int = 1, *, threads_per_worker: int = 1):
        self.workers = max(1, workers)
        self.threads_per_worker = threads_per_worker

    def __repr__(self) -> str:
        return f"LocalEngine(workers={self.workers})"

    @contextmanager
    def mapping(self, task) -> Iterator[Callable[[Iterable[list]], Iterator[list]]]:
        """Load `task`, start the workers, and give a function mapping batches to results in order.

        The batches are drawn lazily in the calling thread (so they may be read from a store that
        belongs to it), at most ``PENDING_PER_WORKER`` per worker ahead of the results consumed.
        """
        task.load()
        if self.workers <= 1 or not hasattr(os, "fork"):
            yield lambda batches: (run_and_release(task, b) for b in batches)
            return
        import multiprocessing

        global _WORKER_TASK
        _WORKER_TASK = task  # inherited by the forked workers: models loaded once, pages shared
        # the objects loaded so far go to the collector's permanent generation: its passes in the
        # workers then do not write to them, and their pages stay shared with this process
        gc.collect()
        gc.freeze()
        try:
            pool = multiprocessing.get_context("fork").Pool(self.workers, initializer=_init_local_worker,
                                                            initargs=(self.threads_per_worker,))
        finally:
            _WORKER_TASK = None
            gc.unfreeze()
        try:
            yield lambda batches: _ordered(pool, batches, self.workers * PENDING_PER_WORKER)
        finally:
            pool.terminate()
            pool.join()

    def close(self) -> None:
        """Nothing to release (pools live only inside :meth:`mapping`)."""


def _ordered(pool, batches: Iterable[list], max_pending: int) -> Iterator[list]:
    pending: deque = deque()
    for batch in batches:
        pending.append(pool.apply_async(_run_local_task, (batch,)))
        if len(pending) >= max_pending:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


class _Double:
    """A task for the examples and tests: doubles numbers."""

    def load(self) -> None:
        pass

    def __call__(self, batch: list) -> list:
        return [2 * x for x in batch]


class RayEngine:
    """Map tasks with Ray Data over an actor pool; each actor loads the task's models once.

    Raises:
        RasidError: Ray is not installed (the message names ``pip install 'rasid[ray]'``).
    """

    name = "ray"

    def __init__(self, workers: int = 2, *, address: str | None = None):
        try:
            import ray
            import ray.data  # noqa: F401  (the [data] extra)
        except ImportError as exc:
            raise RasidError(f"--engine ray needs Ray: {RAY_INSTALL_HINT} (it was not found: {exc})") from exc
        self.workers = max(1, workers)
        self.address = address
        self._ray = ray
        self._started = False

    def __repr__(self) -> str:
        return f"RayEngine(workers={self.workers}, address={self.address!r})"

    def _start(self) -> None:
        ray = self._ray
        if ray.is_initialized():
            return
        try:
            if self.address:
                ray.init(address=self.address, logging_level=logging.WARNING, log_to_driver=False)
            else:
                ray.init(num_cpus=self.workers, include_dashboard=False, logging_level=logging.WARNING,
                         log_to_driver=False, configure_logging=False)
        except Exception as exc:  # (ConnectionError, RuntimeError, ValueError: Ray's own kinds)
            where = self.address or "a local Ray"
            raise RasidError(f"cannot start or join {where}: {type(exc).__name__}: {exc}") from exc
        self._started = True
        from ray.data import DataContext

        context = DataContext.get_current()
        context.execution_options.preserve_order = True
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        # Ray Data logs each dataset's start and end (and that its bars are off); failures still raise
        logging.getLogger("ray.data").setLevel(logging.ERROR)

    @contextmanager
    def mapping(self, task) -> Iterator[Callable[[Iterable[list]], Iterator[list]]]:
        """Give a function mapping batches to results in order, through a Ray Data actor pool.

        Each batch is one dataset row (its items pickled together), so a batch's items are done by
        one actor as one call of the task: the same batching as the local engine.
        """
        self._start()
        yield lambda batches: self._map(task, batches)

    def _map(self, task, batches: Iterable[list]) -> Iterator[list]:
        recipe = pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL)
        chunk: list[list] = []
        for batch in batches:
            chunk.append(batch)
            if len(chunk) >= RAY_BATCHES_PER_DATASET:
                yield from self._map_dataset(recipe, chunk)
                chunk = []
        if chunk:
            yield from self._map_dataset(recipe, chunk)

    def _map_dataset(self, recipe: bytes, batches: list[list]) -> Iterator[list]:
        import numpy as np
        import ray.data

        rows = [{"i": i, "batch": pickle.dumps(b, protocol=pickle.HIGHEST_PROTOCOL)} for i, b in enumerate(batches)]
        dataset = ray.data.from_items(rows, override_num_blocks=min(len(rows), self.workers * 4))
        pool = ray.data.ActorPoolStrategy(size=min(self.workers, len(rows)))
        mapped = dataset.map_batches(_RayActor, fn_constructor_args=(recipe,), batch_size=1, compute=pool,
                                     num_cpus=1, batch_format="numpy")
        results: dict[int, list] = {}
        want = 0
        for out in mapped.iter_batches(batch_size=None, batch_format="numpy", prefetch_batches=1):
            for i, blob in zip(np.asarray(out["i"]).tolist(), out["result"], strict=True):
                results[int(i)] = pickle.loads(bytes(blob))
            while want in results:
                yield results.pop(want)
                want += 1
        if want != len(rows):
            raise RasidError(f"the Ray engine returned {want} of {len(rows)} batches")

    def close(self) -> None:
        """Shut down the local Ray this engine started (a joined cluster keeps running)."""
        if self._started and self._ray.is_initialized():
            self._ray.shutdown()
        self._started = False


class _RayActor:
    """One Ray Data actor: unpickles the task recipe and loads its models once."""

    def __init__(self, recipe: bytes):
        _init_local_worker(1)
        self.task = pickle.loads(recipe)
        self.task.load()
        _init_local_worker(1)  # (loading may have imported torch)

    def __call__(self, rows: dict) -> dict:
        import numpy as np

        out = [pickle.dumps(run_and_release(self.task, pickle.loads(bytes(b))), protocol=pickle.HIGHEST_PROTOCOL)
               for b in rows["batch"]]
        return {"i": np.asarray(rows["i"]), "result": np.array(out, dtype=object)}
