"""The worker processes of a build: each makes chunks of items, its files written under temporary
names (`Staged`) that the engine puts in place. Workers are started with `spawn`, the method
Windows and macOS use, and hear no Ctrl-C of their own: the command stops them."""

from __future__ import annotations

import hashlib
import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ars_docs.base.builder import Builder, Item
from ars_docs.base.registry import get_builder
from ars_docs.source.errors import ArsDocsError, InvalidInput, Problem
from ars_docs.source.project import Project, Settings
from ars_docs.source.safefiles import stage

Progress = Callable[[int], None]


@dataclass
class Staged:
    """An item made: its files written under temporary names, not yet in place."""

    key: str
    files: dict[str, tuple[Path, str]] = field(default_factory=dict)
    """Output path relative to out/ -> (temporary file, SHA-256)."""



_worker: dict[str, Any] = {}


def _start_worker(root: Path, out: Path, settings: Settings) -> None:
    """In a spawned worker: the project, opened again (nothing is inherited from the parent), with
    the settings of the parent (the command line may have changed some: --moteur-pdf)."""
    _use_project(replace(Project.open(root), output=out, settings=settings))


def _use_project(project: Project) -> None:
    _worker["project"] = project
    _worker["builders"] = {}


def _worker_builder(name: str) -> Builder:
    builders: dict[str, Builder] = _worker["builders"]
    if name not in builders:
        builders[name] = get_builder(name)
    return builders[name]


@dataclass
class ChunkResult:
    staged: list[Staged]
    problems: list[Problem]
    failure: str | None = None
    """An expected error that is not about the input (a file that cannot be written)."""


def _make_chunk(chunk: list[tuple[str, Item]]) -> ChunkResult:
    """Make the items of a chunk; their files are written under temporary names."""
    project: Project = _worker["project"]
    result = ChunkResult([], [])
    for name, item in chunk:
        try:
            files = _worker_builder(name).make(project, item)
            staged = Staged(item.key)
            result.staged.append(staged)
            for relative, data in files.items():
                staged.files[relative] = (stage(project.out / relative, data), sha256_of(data))
        except InvalidInput as error:
            result.problems += error.problems
        except ArsDocsError as error:
            result.failure = error.format_message()
            break
    return result


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _chunks(work: list[tuple[str, Item]], jobs: int) -> Iterator[list[tuple[str, Item]]]:
    """Consecutive items, never splitting a group, about four chunks per worker and at most 8 items each."""
    size = max(1, min(8, len(work) // (jobs * 4)))
    chunk: list[tuple[str, Item]] = []
    for position, (name, item) in enumerate(work):
        chunk.append((name, item))
        following = work[position + 1] if position + 1 < len(work) else None
        same_group = following is not None and item.group and following[1].group == item.group
        if len(chunk) >= size and not same_group:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run(project: Project, work: list[tuple[str, Item]], jobs: int, progress: Progress | None) -> list[ChunkResult]:
    chunks = list(_chunks(work, jobs))
    if jobs <= 1 or len(chunks) <= 1:
        _use_project(project)  # in this process: the project already open
        results = []
        try:
            for chunk in chunks:
                results.append(_make_chunk(chunk))
                if progress:
                    progress(len(chunk))
        finally:
            _worker.clear()  # the builders and their writers (fonts, caches) go now, not at exit
        return results
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker,
                             initargs=(project.root, project.out, project.settings)) as pool:
        futures: dict[Future[ChunkResult], int] = {}
        done: dict[int, ChunkResult] = {}
        pending: set[Future[ChunkResult]] = set()
        try:
            with _deaf_to_ctrl_c():  # the workers start here, on the first submissions
                for index, chunk in enumerate(chunks):
                    futures[pool.submit(_make_chunk, chunk)] = index
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
                for future in finished:
                    done[futures[future]] = future.result()
                    if progress:
                        progress(len(chunks[futures[future]]))
        except KeyboardInterrupt:
            _stop(pool)
            raise
        finally:
            for future in pending:
                future.cancel()
    return [done[index] for index in range(len(chunks))]


@contextmanager
def _deaf_to_ctrl_c() -> Iterator[None]:
    """Workers started with SIGINT blocked, which they keep (a signal mask survives fork and exec):
    Ctrl-C reaches the whole process group, and a worker still importing its modules printed its
    traceback above the French message. The command alone hears Ctrl-C, and stops the workers
    (`_stop`); one pressed while they start waits, blocked, and is delivered when this block ends
    (an ignored one would be lost)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield  # the preview builds in a thread; Windows has no signal mask
        return
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()  # started first: starting it unblocks SIGINT (SIG_UNBLOCK) when done
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Ctrl-C: the workers ended now rather than after the chunks they hold (their files are
    temporary, and removed with the staging folder)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(10)
