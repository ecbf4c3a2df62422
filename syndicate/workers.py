"""Render on every core: worker processes forked from the run, fed chunks of work in order.

Only rendering happens in a worker: the run's own process reads the index, sends each worker a
chunk of items (pickled, through a pipe), gets the rendered bytes back in the order it sent
them, and publishes them itself. So the bytes, the report and the crash guarantees of a run do
not depend on how many processes rendered: a worker never writes a file, never opens the
index (whose transaction the run commits only after publishing), and never holds the run's
lock. Right after the fork a worker closes every descriptor it inherited but its two pipe ends
(the lock's among them); and when the run ends, or dies (SIGKILL), its end of the pipe closes,
the worker reads end-of-file and exits.

Each worker has at most one chunk in flight, so memory stays flat whatever the size of the run
and neither side can block the other on a full pipe: the run writes to a worker only when it has
read that worker's last answer.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import IO, Any, Generic, TypeVar

from .errors import BuildError

# Fewer items than this render in the run's own process: a cron run that renders a handful of
# articles pays for no fork. Tests lower it to use workers on a small site.
THRESHOLD = 256
CHUNK_MAX = 200  # items per chunk: a few hundred KB through the pipe each way
CHUNK_MIN = 16
_PROTOCOL = pickle.HIGHEST_PROTOCOL

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@contextmanager
def rendering(function: Callable[[T], R], items: Iterable[T], *, jobs: int,
              count: int) -> Iterator[Iterator[R]]:
    """`function(item)` for each item, in order: in this process when `jobs` is 1 or there are
    fewer than THRESHOLD items (`count` says how many), else computed by `jobs` worker
    processes. The workers stop when the block ends, however it ends.

    :raises BuildError: a worker died (killed, out of memory) before answering.
    Any exception `function` raises in a worker is raised again here, with the worker's
    traceback as its cause.
    """
    if jobs <= 1 or count < THRESHOLD:
        yield (function(item) for item in items)
        return
    size = max(CHUNK_MIN, min(CHUNK_MAX, count // (jobs * 8)))
    pool = _Pool(function, min(jobs, -(-count // size)))
    try:
        yield pool.map(items, size)
    finally:
        pool.stop()


class _Pool(Generic[T, R]):
    def __init__(self, function: Callable[[T], R], jobs: int) -> None:
        self.workers: list[_Worker] = []
        # The objects of this process go to the collector's permanent generation while it forks:
        # a worker's collections then never walk them, which would copy every page they sit on.
        gc.freeze()
        try:
            for _ in range(jobs):
                self.workers.append(_Worker(function))
        except BaseException:
            self.stop()
            raise
        finally:
            gc.unfreeze()

    def map(self, items: Iterable[T], size: int) -> Iterator[R]:
        chunks = _chunks(items, size)
        busy: deque[_Worker] = deque()
        for worker in self.workers:
            chunk = next(chunks, None)
            if chunk is None:
                break
            worker.send(chunk)
            busy.append(worker)
        while busy:
            worker = busy.popleft()
            results = worker.receive()
            chunk = next(chunks, None)
            if chunk is not None:  # at once, so that it renders while the results publish
                worker.send(chunk)
                busy.append(worker)
            yield from results

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()


class _Worker:
    """One forked process and its two pipes; the process renders what it reads until EOF."""

    def __init__(self, function: Callable[[Any], Any]) -> None:
        inbox_read, inbox_write = os.pipe()
        outbox_read, outbox_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: never returns into the caller's code
            status = 1
            try:
                _serve(function, inbox_read, outbox_write)
                status = 0
            finally:
                os._exit(status)
        os.close(inbox_read)
        os.close(outbox_write)
        self.pid = pid
        self.busy = False  # a chunk sent, its results not yet read
        self.inbox: IO[bytes] | None = os.fdopen(inbox_write, "wb")
        self.outbox: IO[bytes] | None = os.fdopen(outbox_read, "rb")

    def send(self, chunk: list[Any]) -> None:
        assert self.inbox is not None
        try:
            pickle.dump(chunk, self.inbox, _PROTOCOL)
            self.inbox.flush()
            self.busy = True
        except BrokenPipeError:
            raise self._died() from None

    def receive(self) -> list[Any]:
        assert self.outbox is not None
        try:
            done, value = pickle.load(self.outbox)
        except EOFError:
            raise self._died() from None
        self.busy = False
        if not done:
            error, remote = value
            raise error from _RemoteTraceback(remote)
        return value

    def stop(self) -> None:
        """Close its pipes (it exits at EOF, or on EPIPE if it was still rendering) and reap it;
        one still at work when the run failed is killed rather than waited for."""
        for handle in (self.inbox, self.outbox):
            if handle is not None:
                with suppress(OSError):  # a worker that died leaves unflushed bytes behind
                    handle.close()
        self.inbox = self.outbox = None
        if self.pid:
            if self.busy:
                _kill_quietly(self.pid)
            os.waitpid(self.pid, 0)
            self.pid = 0

    def _died(self) -> BuildError:
        pid, status = os.waitpid(self.pid, 0)
        self.pid = 0
        self.inbox = self.outbox = None
        how = (f"killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
               else f"exit status {os.waitstatus_to_exitcode(status)}")
        return BuildError(f"a renderer process (pid {pid}) ended before its work was done "
                          f"({how}); the files not yet renamed into place keep their old bytes")


def _serve(function: Callable[[Any], Any], inbox: int, outbox: int) -> None:
    """The worker's loop: render each chunk read from `inbox`, write the results to `outbox`;
    exit at end of file. Ctrl-C is the run's to handle: the worker ends with its pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    low, high = sorted((inbox, outbox))
    os.closerange(3, low)  # the lock, the index, the other workers' pipes
    os.closerange(low + 1, high)
    os.closerange(high + 1, _max_fd())
    with os.fdopen(inbox, "rb") as reader, os.fdopen(outbox, "wb") as writer:
        while True:
            try:
                chunk = pickle.load(reader)
            except EOFError:
                return
            try:
                reply: tuple[bool, Any] = (True, [function(item) for item in chunk])
            except Exception as exc:  # the run raises it again, as if it had rendered itself
                reply = (False, (_portable(exc), "".join(traceback.format_exception(exc))))
            pickle.dump(reply, writer, _PROTOCOL)
            writer.flush()


class _RemoteTraceback(Exception):
    """Where a worker's exception was raised: its traceback, as the cause of the one raised."""

    def __init__(self, text: str) -> None:
        super().__init__(text)

    def __str__(self) -> str:
        return f"\nin a renderer process:\n{self.args[0]}"


def _portable(exc: Exception) -> Exception:
    """The exception itself when it survives pickling, else one with its type name and text."""
    try:
        return pickle.loads(pickle.dumps(exc, _PROTOCOL))  # type: ignore[no-any-return]
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _max_fd() -> int:
    try:
        return os.sysconf("SC_OPEN_MAX")
    except (ValueError, OSError):
        return 65536


def _kill_quietly(pid: int) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


__all__ = ["THRESHOLD", "default_jobs", "rendering"]
