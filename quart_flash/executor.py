"""The bounded pools that keep blocking work off the event loop.

Threads: plain ``def`` callbacks and layouts run here.

A sync callback that waits on a database must not stall the event loop, and
must not grow threads without bound either.  Each Quart app gets one pool,
shared by all of its FlashBlueprints, sized by ``QUART_FLASH_MAX_THREADS``
(default 64: callbacks mostly wait on I/O, so threads are cheap and a pool
sized for cores would queue them).  When every thread is busy, further calls
wait their turn.

The pool is :class:`ThreadPool` rather than ``loop.run_in_executor`` on a
``ThreadPoolExecutor``: for a callback that takes microseconds, the hop to a
thread and back *is* the cost, and the standard pair spends it on a
``concurrent.futures.Future`` chained to an asyncio one, a lock, a queue and
a semaphore per call, and a write to the loop's self-pipe per answer.  Here
a call is handed straight to the thread that went idle last (its caches are
warm, and a light load keeps few threads alive), and answers that finish
while the loop is busy are delivered together, with one wake-up.

Processes: CPU-heavy work holds the GIL, so threads do not help; an
``async def`` callback can send it to the app's process pool with
``await run_in_process(func, *args)`` (``QUART_FLASH_PROCESSES`` workers,
default one per core; ``func`` and its arguments must pickle).
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import functools
import os
import threading
import weakref
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from quart import Quart, current_app

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

T = TypeVar("T")

CONFIG_KEY = "QUART_FLASH_MAX_THREADS"
DEFAULT_MAX_THREADS = 64
_EXTENSION_KEY = "quart_flash.executor"
_PROCESS_KEY = "quart_flash.processes"

#: One call: the function, the future it answers, and the loop that awaits it.
_Call = tuple[Callable[[], Any], "asyncio.Future[Any]", "_Inbox"]


class _Inbox:
    """Answers on their way back to one event loop.

    A worker appends its answer, then schedules :meth:`deliver` unless a
    delivery is already pending; :meth:`deliver` clears the flag *before*
    taking answers, so an answer appended at any moment is either taken by
    the pending delivery or schedules the next one.
    """

    __slots__ = ("loop", "answers", "pending")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.answers: collections.deque[tuple[asyncio.Future[Any], Any, BaseException | None]]
        self.answers = collections.deque()
        self.pending = False

    def post(self, future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
        self.answers.append((future, result, error))
        if not self.pending:
            self.pending = True
            try:
                self.loop.call_soon_threadsafe(self.deliver)
            except RuntimeError:  # the loop is closed: nobody is waiting any more
                pass

    def deliver(self) -> None:
        self.pending = False
        answers = self.answers
        while answers:
            future, result, error = answers.popleft()
            if future.done():  # the awaiting request was cancelled
                continue
            if error is None:
                future.set_result(result)
            elif isinstance(error, StopIteration):
                # A future cannot hold StopIteration (asyncio converts it for
                # coroutines the same way).
                future.set_exception(RuntimeError(repr(error)))
            else:
                future.set_exception(error)


class _Worker:
    """One pool thread, and the lock it sleeps on while idle."""

    __slots__ = ("wake",)

    def __init__(self) -> None:
        self.wake = threading.Lock()
        self.wake.acquire()  # held while idle; released to wake the thread


class ThreadPool:
    """At most ``max_workers`` threads; a call waits its turn when all are busy.

    Calls queue in one backlog that every free thread takes from.  At most
    one thread is being woken at a time: a thread woken for a call that it
    has not begun yet would only wait for the GIL beside it, so further
    calls wait in the backlog, and each thread that begins a call wakes (or
    starts) the next one if calls are still waiting.  Calls that block (a
    database, ``time.sleep``) thus get a thread each, within microseconds of
    one another; short ones are run back to back by the threads already
    awake, without a wake-up per call.  Idle threads are kept and woken most
    recently idle first.

    ``shutdown`` drops queued calls (their futures are cancelled) and waits
    for running ones, like ``ThreadPoolExecutor.shutdown(cancel_futures=True)``;
    threads are also stopped at interpreter exit.
    """

    def __init__(self, max_workers: int, thread_name_prefix: str = "quart-flash") -> None:
        if max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")
        self.max_workers = max_workers
        self._prefix = thread_name_prefix
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._backlog: collections.deque[_Call] = collections.deque()
        self._threads: list[threading.Thread] = []
        self._waking = False  # a thread was woken (or started) and has not run yet
        self._inbox: _Inbox | None = None
        self._shutdown = False
        _live_pools.add(self)

    def submit(self, func: Callable[[], T]) -> asyncio.Future[T]:
        """Run ``func()`` in a pool thread; the returned future is the loop's."""
        loop = asyncio.get_running_loop()
        inbox = self._inbox
        if inbox is None or inbox.loop is not loop:
            inbox = self._inbox = _Inbox(loop)
        future: asyncio.Future[T] = loop.create_future()
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new calls after shutdown")
            self._backlog.append((func, future, inbox))
            if not self._waking:
                self._wake_one()
        return future

    def _wake_one(self) -> None:
        """Wake the most recently idle thread, or start one (under the lock)."""
        if self._idle:
            self._idle.pop().wake.release()
        elif len(self._threads) < self.max_workers:
            name = f"{self._prefix}_{len(self._threads)}"
            thread = threading.Thread(target=self._work, args=(_Worker(),), name=name)
            thread.start()
            self._threads.append(thread)
        else:
            return  # every thread is busy: the first to finish takes the call
        self._waking = True

    def _work(self, worker: _Worker) -> None:
        woken = True
        answer: tuple[asyncio.Future[Any], Any, BaseException | None, _Inbox] | None = None
        while True:
            with self._lock:
                if woken:
                    self._waking = woken = False
                if self._backlog:
                    call: _Call | None = self._backlog.popleft()
                    if self._backlog and not self._waking:
                        self._wake_one()
                else:
                    call = None
                    if not self._shutdown:
                        self._idle.append(worker)
            # Answer only now: the loop's next call, sent once it has read
            # this answer, then finds this thread idle instead of starting one.
            if answer is not None:
                answer[3].post(answer[0], answer[1], answer[2])
                answer = None
            if call is None:
                if self._shutdown:
                    return
                worker.wake.acquire()
                woken = True
                continue
            func, future, inbox = call
            del call
            result: Any = None
            error: BaseException | None = None
            if not future.done():  # not cancelled while it waited
                try:
                    result = func()
                except BaseException as exc:  # noqa: BLE001 - handed to the awaiting task
                    error = exc
            answer = (future, result, error, inbox)
            del func, future, result, error, inbox

    def shutdown(self, wait: bool = True) -> None:
        """Cancel queued calls, stop idle threads, and (``wait``) join them all."""
        with self._lock:
            self._shutdown = True
            backlog, self._backlog = self._backlog, collections.deque()
            idle, self._idle = self._idle, []
        for _, future, inbox in backlog:
            try:
                inbox.loop.call_soon_threadsafe(future.cancel)
            except RuntimeError:  # the loop is closed
                pass
        for worker in idle:
            worker.wake.release()
        if wait:
            for thread in list(self._threads):
                if thread is not threading.current_thread():
                    thread.join()


_live_pools: weakref.WeakSet[ThreadPool] = weakref.WeakSet()


def _stop_pools_at_exit() -> None:
    """Let idle pool threads end, so interpreter exit does not wait for them."""
    for pool in list(_live_pools):
        pool.shutdown(wait=True)


# Runs before non-daemon threads are joined.  A private CPython hook (3.9+),
# the one concurrent.futures relies on for the same purpose; without it an
# idle pool thread would keep the interpreter from exiting.
threading._register_atexit(_stop_pools_at_exit)  # type: ignore[attr-defined]


def pool_for(app: Quart) -> ThreadPool:
    """The app's thread pool, created on first use."""
    pool = app.extensions.get(_EXTENSION_KEY)
    if pool is None:
        size = int(app.config.get(CONFIG_KEY, DEFAULT_MAX_THREADS))
        pool = ThreadPool(max_workers=size, thread_name_prefix="quart-flash")
        app.extensions[_EXTENSION_KEY] = pool
    return pool  # type: ignore[no-any-return]


async def run_sync(func: Callable[..., T], *args: Any) -> T:
    """Run ``func(*args)`` in the current app's pool with the context copied.

    Copying the context carries Quart's request and app contexts, Dash's
    callback context and ``dash.get_app()`` into the worker thread.
    """
    pool = pool_for(current_app._get_current_object())  # type: ignore[attr-defined]
    context = contextvars.copy_context()
    return await pool.submit(functools.partial(context.run, func, *args))


async def run_in_process(func: Callable[..., T], *args: Any) -> T:
    """Run ``func(*args)`` in the current app's process pool and await it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    pool: ProcessPoolExecutor | None = app.extensions.get(_PROCESS_KEY)
    if pool is None:
        size = int(app.config.get("QUART_FLASH_PROCESSES", os.cpu_count() or 1))
        # spawn: forking a process that runs threads and an event loop is unsafe.
        context = multiprocessing.get_context("spawn")
        pool = app.extensions[_PROCESS_KEY] = ProcessPoolExecutor(size, mp_context=context)
    return await asyncio.get_running_loop().run_in_executor(pool, func, *args)


async def shutdown(app: Quart) -> None:
    """Drop queued calls, let running ones finish, release threads and processes.

    A thread cannot be stopped from outside, so a call already running (a
    background job, say) runs to its end before the process exits.
    """
    loop = asyncio.get_running_loop()
    threads: ThreadPool | None = app.extensions.pop(_EXTENSION_KEY, None)
    if threads is not None:
        await loop.run_in_executor(None, threads.shutdown)
    processes = app.extensions.pop(_PROCESS_KEY, None)
    if processes is not None:
        await loop.run_in_executor(None, functools.partial(processes.shutdown, cancel_futures=True))
