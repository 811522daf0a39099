"""`arsdocs sign` for letters: each letter's PDF signed (`writers.signing`), the e-mail that
carries it made again with the signed PDF, and the build records saying which files are signed:
`arsdocs build` then refuses to rebuild them without `--force`."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ars_docs.build.output import commit, stage
from ars_docs.build.registry import Builder, Item
from ars_docs.build.state import FileRecord
from ars_docs.families.letters.items import LetterJob
from ars_docs.source.project import Project
from ars_docs.writers.signing import STAMP_FONT, SigningError, SigningKey, sign_pdf, stamp_font, verify_signed


@dataclass(frozen=True)
class SigningReport:
    signed: int
    already: int


def sign_letters(project: Project, builder: Builder, planned: list[Item], items: list[LetterJob], key: SigningKey,
                 letter: str | None, email: Callable[[Project, LetterJob, bytes], bytes]) -> SigningReport:
    """Sign the PDF of every letter of `items` (the family's, or one letter's mailing, among the
    `planned` items of `builder`) not yet signed, and make its e-mail again with the signed PDF
    (`email`), then the manifest and print file. The letters must be up to date: what is signed is
    what the data says. Every file is written under a temporary name, then all are put in place."""
    from ars_docs.build.engine import build, plan_family
    if not items:
        where = f" pour « {letter} »" if letter else ""
        raise SigningError(f"aucune lettre à signer dans out/{builder.name}{where}")
    plan = plan_family(project, builder, planned, force=False)
    if plan.stale:
        raise SigningError(f"{len(plan.stale)} document(s) de out/{builder.name} ne sont pas à jour (données ou "
                           f"gabarits changés depuis la construction) : lancez d'abord arsdocs build {builder.name}")
    state = plan.state
    scratch = tempfile.TemporaryDirectory(prefix="arsdocs-signature-")
    font = stamp_font(project.templates / STAMP_FONT, Path(scratch.name))
    reason = "Signature du courrier"
    staged: list[tuple[str, str, Path, str, bool]] = []  # (item key, relative, temporary, sha256, signed)
    already = 0
    try:
        for payload in items:
            pdf_name = f"{payload.stem}.pdf"
            if state.items[payload.key].files[pdf_name].signed:
                already += 1
                continue
            pdf = sign_pdf((project.out / pdf_name).read_bytes(), f"out/{pdf_name}", key, font, reason,
                           payload.letter.lieu)
            verify_signed(pdf, f"out/{pdf_name}", key)
            mail = email(project, payload, pdf)
            for relative, data, signed in ((pdf_name, pdf, True), (f"{payload.stem}.eml", mail, False)):
                staged.append((payload.key, relative, stage(project.out / relative, data),
                               hashlib.sha256(data).hexdigest(), signed))
    except BaseException:
        for _, _, temporary, _, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    finally:
        scratch.cleanup()
    for key_, relative, temporary, sha256, signed in staged:
        commit(temporary, project.out / relative)
        state.items[key_].files[relative] = FileRecord.of(project.out / relative, sha256, signed)
    if staged:  # the files made from the letters (manifest, print file): to be made again
        for key_ in set(state.items) - {item.key for item in planned}:
            state.items[key_].fingerprint = ""
    state.save()
    build(project, [(builder, planned)], jobs=1, force=False)  # they follow the signed letters, as the index
    return SigningReport(sum(signed for *_, signed in staged), already)
