"""The build: plan every family, make the out-of-date items in worker processes, then put their
files in place, make the final items, remove what no longer exists, record what was written, and
list every document in out/index.html.

Nothing is put in place until every item of every family has been made: an error in any of them
leaves `out/` as it was. Workers are started with `spawn`, the method Windows and macOS use, so the
build behaves the same everywhere; each renders whole items, so the bytes of a file do not depend on
which worker made it or on what else was built.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ars_docs.base.builder import Builder, Item
from ars_docs.base.state import BuildState, FileRecord, ItemRecord, prune_empty_folders, remove_output
from ars_docs.pipeline.fingerprint import canonical, digest, files_digest, toolchain
from ars_docs.pipeline.site import write_index
from ars_docs.pipeline.workers import ChunkResult, Progress, Staged, run, sha256_of
from ars_docs.source.errors import ArsDocsError, InvalidInput, Location, Problem, warn
from ars_docs.source.project import Project
from ars_docs.source.safefiles import Staging, commit, tree_problems, write_atomically

PROJECT_FOLDERS = ("data", "templates")
"""What a build reads besides arsdocs.yaml and the logo (which `Project.open` checks)."""


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
    from ars_docs.base.registry import settings_problems
    from ars_docs.pipeline.site import render_index
    from ars_docs.source.errors import ProblemCollector

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
        results = run(staged_project, work, jobs, tick)
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
            record.files[relative] = FileRecord.of(target, sha256_of(data))
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
