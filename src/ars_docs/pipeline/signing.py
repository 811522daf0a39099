"""`arsdocs sign`: the PDFs a family says are to be signed (`Builder.signable`), signed
(`writers.signing`), the files that carry them made again (`Builder.resigned`: a letter's e-mail),
and the build records saying which files are signed: `arsdocs build` then refuses to rebuild them
without `--force`."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ars_docs.base.builder import Builder
from ars_docs.base.state import FileRecord
from ars_docs.pipeline.engine import build, plan_family
from ars_docs.source.project import Project
from ars_docs.source.safefiles import commit, stage
from ars_docs.writers.signing import STAMP_FONT, SigningError, SigningKey, sign_pdf, stamp_font, verify_signed


@dataclass(frozen=True)
class SigningReport:
    signed: int
    already: int


def sign(project: Project, builder: Builder, key: SigningKey, only: str | None) -> SigningReport:
    """Sign every PDF of the family (or of one mailing, `only`) not yet signed, and make again the
    files that carry it, then the manifest and print file. The documents must be up to date: what
    is signed is what the data says. Every file is written under a temporary name, then all are put
    in place."""
    planned = builder.plan(project)
    to_sign = builder.signable(planned, only)
    if not to_sign:
        where = f" pour « {only} »" if only else ""
        raise SigningError(f"aucune lettre à signer dans out/{builder.name}{where}")
    plan = plan_family(project, builder, planned, force=False)
    if plan.stale:
        raise SigningError(f"{len(plan.stale)} document(s) de out/{builder.name} ne sont pas à jour (données ou "
                           f"gabarits changés depuis la construction) : lancez d'abord arsdocs build {builder.name}")
    state = plan.state
    scratch = tempfile.TemporaryDirectory(prefix="arsdocs-signature-")
    font = stamp_font(project.templates / STAMP_FONT, Path(scratch.name))
    staged: list[tuple[str, str, Path, str, bool]] = []  # (item key, relative, temporary, sha256, signed)
    already = 0
    try:
        for document in to_sign:
            if state.items[document.item.key].files[document.pdf].signed:
                already += 1
                continue
            pdf = sign_pdf((project.out / document.pdf).read_bytes(), f"out/{document.pdf}", key, font,
                           builder.signing_reason, document.place)
            verify_signed(pdf, f"out/{document.pdf}", key)
            files = {document.pdf: pdf, **builder.resigned(project, document.item, pdf)}
            for relative, data in files.items():
                staged.append((document.item.key, relative, stage(project.out / relative, data),
                               hashlib.sha256(data).hexdigest(), relative == document.pdf))
    except BaseException:
        for _, _, temporary, _, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    finally:
        scratch.cleanup()
    for key_, relative, temporary, sha256, signed in staged:
        commit(temporary, project.out / relative)
        state.items[key_].files[relative] = FileRecord.of(project.out / relative, sha256, signed)
    if staged:  # the files made from the signed ones (manifest, print file): to be made again
        for key_ in set(state.items) - {item.key for item in planned}:
            state.items[key_].fingerprint = ""
    state.save()
    build(project, [(builder, planned)], jobs=1, force=False)  # they follow the signed letters, as the index
    return SigningReport(sum(signed for *_, signed in staged), already)
