"""The build: plan every family, make the out-of-date items in worker processes, then put their
files in place, make the final items, remove what no longer exists, record what was written, and
list every document in out/index.html.

Nothing is put in place until every item of every family has been made: an error in any of them
leaves `out/` as it was. Workers are started with `spawn`, the method Windows and macOS use, so the
build behaves the same everywhere; each renders whole items, so the bytes of a file do not depend on
which worker made it or on what else was built.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ars_docs.build.fingerprint import canonical, digest, files_digest, toolchain
from ars_docs.build.output import Staging, commit, stage, write_atomically
from ars_docs.build.registry import Builder, Item, get_builder
from ars_docs.build.site import write_index
from ars_docs.build.state import BuildState, FileRecord, ItemRecord, prune_empty_folders, remove_output
from ars_docs.source.errors import ArsDocsError, InvalidInput, Location, Problem, warn
from ars_docs.source.project import Project, Settings
from ars_docs.source.safefiles import tree_problems

Progress = Callable[[int], None]
PROJECT_FOLDERS = ("data", "templates")
"""What a build reads besides arsdocs.yaml and the logo (which `Project.open` checks)."""


@dataclass
class Staged:
    """An item made: its files written under temporary names, not yet in place."""

    key: str
    files: dict[str, tuple[Path, str]] = field(default_factory=dict)
    """Output path relative to out/ -> (temporary file, SHA-256)."""


@dataclass
class FamilyPlan:
    builder: Builder
    fingerprint: str
    """The fingerprint of the family's files, settings and tools."""
    items: list[Item]
    fingerprints: dict[str, str]
    state: BuildState
    stale: list[Item]
    staged: list[Staged] = field(default_factory=list)

    @property
    def keys(self) -> set[str]:
        return {item.key for item in self.items}


@dataclass(frozen=True)
class Report:
    label: str
    built: int
    unchanged: int
    removed: int
    files: int
    folder: str

    def __str__(self) -> str:
        return (f"{self.label} : {self.built} construit(s), {self.unchanged} inchangé(s), {self.removed} fichier(s) "
                f"supprimé(s) ; {self.files} fichier(s) écrit(s) dans {self.folder}")


def checked_plans(project: Project, builders: list[Builder],
                  composed: bool = False) -> list[tuple[Builder, list[Item]]]:
    """Each family's items, once every family and the index page are valid: every problem of every
    family at once, before anything is made. `composed` (what `check` checks): every item composed
    too (`Builder.compose`), which a build leaves to its workers, for the items it remakes."""
    from ars_docs.build.registry import ProblemCollector, settings_problems
    from ars_docs.build.site import render_index

    collector = ProblemCollector()
    # what the build reads, of the right kind and inside the project, before any of it is read
    collector.add(list(tree_problems(project.root, PROJECT_FOLDERS)))
    collector.add(settings_problems(project))  # arsdocs.yaml's parts that its components declare
    collector.raise_if_any()
    planned = [(builder, collector.attempt(builder.plan, project)) for builder in builders]
    for builder, items in planned:
        if items is not None:  # what `check` validates, `build` validates: templates and shells too
            collector.attempt(builder.check, project, items)
            if composed:
                collector.attempt(builder.compose, project, items)
        else:  # the shells even so: every missing or broken template said at once, not one per run
            collector.attempt(lambda builder=builder: builder.publisher(project).validate())
    collector.attempt(render_index, project)  # the index page too, written last
    collector.raise_if_any()
    return [(builder, items) for builder, items in planned if items is not None]


def family_fingerprint(project: Project, builder: Builder) -> str:
    return digest({"fichiers": files_digest(project.root, builder.family_files(project)),
                   "reglages": canonical(project.settings), "outils": toolchain()})


def plan_family(project: Project, builder: Builder, items: list[Item], force: bool) -> FamilyPlan:
    family = family_fingerprint(project, builder)
    memo: dict[int, Any] = {}
    fingerprints = {item.key: digest({"famille": family, "entrees": item.fingerprinted}, memo) for item in items}
    state = BuildState(project.out, builder.name)
    stale = [item for item in items
             if force or not state.is_current(item.key, fingerprints[item.key], item.outputs)]
    if not force:
        _refuse_to_unsign(state, {item.key for item in stale} | (set(state.items) - {item.key for item in items}))
    return FamilyPlan(builder, family, items, fingerprints, state, stale)


def _refuse_to_unsign(state: BuildState, keys: set[str]) -> None:
    """A signed file is never rebuilt nor removed silently: that would lose its signature."""
    signed = state.signed(keys)
    if signed:
        listing = "\n  ".join(f"out/{name}" for name in signed)
        raise ArsDocsError(
            f"{len(signed)} fichier(s) signé(s) seraient reconstruits ou supprimés, ce qui invaliderait leur "
            f"signature :\n  {listing}\nRelancez avec --force pour les reconstruire (non signés ; à signer de "
            f"nouveau avec arsdocs sign).")


# --- workers -----------------------------------------------------------------------------------

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
                staged.files[relative] = (stage(project.out / relative, data), _sha256(data))
        except InvalidInput as error:
            result.problems += error.problems
        except ArsDocsError as error:
            result.failure = error.format_message()
            break
    return result


def _sha256(data: bytes) -> str:
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


def _run(project: Project, work: list[tuple[str, Item]], jobs: int, progress: Progress | None) -> list[ChunkResult]:
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


# --- the build -----------------------------------------------------------------------------------

def build(project: Project, planned: list[tuple[Builder, list[Item]]], *, jobs: int, force: bool,
          progress: Callable[[int], Progress | None] | None = None) -> list[Report]:
    """`planned`: each family's builder and items, all valid. `progress(total)` gives the function
    told how many items were just made.

    Each family that changes is made whole in a folder of its own beside out/<family> (`Staging`),
    then swapped with it: a failure (a full disk, an error in the print file, a kill) before the
    swap leaves out/<family> exactly as it was."""
    families = [plan_family(project, builder, items, force) for builder, items in planned]
    for family in families:
        if family.state.damage_message:
            warn(Problem(Location(f"out/{family.state.path.relative_to(project.out).as_posix()}"), "",
                         family.state.damage_message))
    staging = Staging(project.out)
    staging.reset()
    changing = [family for family in families if family.stale or set(family.state.items) - family.keys]
    swapped = {family.builder.name for family in changing}
    staged_project = replace(project, output=staging.root)
    work = [(family.builder.name, item) for family in families for item in family.stale]
    tick = progress(len(work)) if progress else None
    results: list[ChunkResult] = []
    try:
        for family in changing:
            staging.prepare(family.builder.name)
        results = _run(staged_project, work, jobs, tick)
        _raise_failures(results)
        staged = {staged.key: staged for result in results for staged in result.staged}
        for family in families:
            family.staged = [staged[item.key] for item in family.stale]
        reports = [_finish(staged_project if family.builder.name in swapped else project, family, force)
                   for family in families]
        for family in changing:
            staging.swap(family.builder.name)  # the family whole, at once
    except BaseException:
        # what workers staged before an interruption (Ctrl-C) is in no result: the build holds the
        # project's lock (worklock), so everything in the staging folder is this build's
        _discard(results)
        staging.discard()
        raise
    staging.discard()
    for family, report in zip(families, reports, strict=True):
        # a family that did not change keeps its record as it was read (a damaged one is replaced)
        if report.built or report.removed or family.builder.name in swapped or family.state.damage_message:
            family.state.save()
    write_index(project)
    return reports


def _raise_failures(results: list[ChunkResult]) -> None:
    problems = [problem for result in results for problem in result.problems]
    if problems:
        raise InvalidInput(problems)
    failures = [result.failure for result in results if result.failure]
    if failures:
        raise ArsDocsError(failures[0])


def _discard(results: list[ChunkResult]) -> None:
    for result in results:
        for staged in result.staged:
            for temporary, _ in staged.files.values():
                temporary.unlink(missing_ok=True)


def _finish(project: Project, family: FamilyPlan, force: bool) -> Report:
    state, builder = family.state, family.builder
    written = 0
    for staged in family.staged:
        record = _commit_item(project, staged)
        record.fingerprint = family.fingerprints[staged.key]
        state.items[staged.key] = record
        written += len(staged.files)
    finals = builder.finals(project, family.items, family.fingerprints)
    keys = {item.key for item in family.items} | {item.key for item in finals}
    built = len(family.staged)
    hashes = state.hashes()  # of the documents, all in place: what the final items are made from
    for item in finals:
        fingerprint = digest({"famille": family.fingerprint, "entrees": item.fingerprinted})
        if not force and state.is_current(item.key, fingerprint, item.outputs):
            continue
        record = state.items[item.key] = ItemRecord(fingerprint)
        for relative, data in builder.make_final(project, item, hashes).items():
            target = project.out / relative
            write_atomically(target, data)
            record.files[relative] = FileRecord.of(target, _sha256(data))
            written += 1
        built += 1
    outputs = {item.key: item.outputs for item in family.items} | {item.key: item.outputs for item in finals}
    removed = _remove_stale_outputs(project, state, keys, outputs)
    prune_empty_folders(project.out / builder.name)
    total = len(family.items) + len(finals)
    return Report(builder.label, built, total - built, removed, written, f"out/{builder.name}")


def _commit_item(project: Project, staged: Staged) -> ItemRecord:
    record = ItemRecord("")
    for relative, (temporary, sha256) in staged.files.items():
        target = project.out / relative
        commit(temporary, target)
        record.files[relative] = FileRecord.of(target, sha256)
    return record


def _remove_stale_outputs(project: Project, state: BuildState, keys: set[str],
                          outputs: dict[str, tuple[str, ...]]) -> int:
    """Remove the files of items that no longer exist (a recipient deleted from the data), and the
    files an item no longer writes. Only files a build recorded are ever removed."""
    removed = 0
    for key in sorted(set(state.items) - keys):
        for relative in state.items.pop(key).files:
            removed += remove_output(project.out, relative)
    for key, record in state.items.items():
        for relative in sorted(set(record.files) - set(outputs.get(key, ()))):
            del record.files[relative]
            removed += remove_output(project.out, relative)
    return removed


def default_jobs() -> int:
    return os.cpu_count() or 1


# --- verification ----------------------------------------------------------------------------------

def differences(expected: Path, actual: Path, folders: list[str]) -> list[str]:
    """How the files of `actual` differ from those of `expected`, under the given folders of out/
    (the build's records in `.arsdocs/` are not outputs)."""
    lines = []
    for folder in folders:
        wanted = _files_under(expected / folder)
        present = _files_under(actual / folder)
        for name in sorted(wanted | present):
            where = f"out/{folder}/{name}"
            if name not in present:
                lines.append(f"manquant : {where}")
            elif name not in wanted:
                lines.append(f"en trop : {where}")
            elif (expected / folder / name).read_bytes() != (actual / folder / name).read_bytes():
                lines.append(f"différent : {where}")
    return lines


def _files_under(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}
