"""arsdocs: the official documents of a French regional health agency (its letters, statutes and contract
annexes), in Word and PDF, from data. The agency is the project's (`agence:` in arsdocs.yaml)."""

from ars_docs.api import (
    ArsDocsError,
    BuildResult,
    CheckResult,
    Problem,
    Project,
    Report,
    build_documents,
    check,
    families,
    open_project,
)
from ars_docs.version import __version__

__all__ = ["ArsDocsError", "BuildResult", "CheckResult", "Problem", "Project", "Report", "__version__",
           "build_documents", "check", "families", "open_project"]
