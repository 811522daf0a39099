"""Which `arsdocs init` writes a file a project lacks: the hint added to « introuvable ».

Below the families: the table is of folders and file names only (a family's templates and data,
as `arsdocs init --familles` writes them), so that a missing file is told where to come from.
"""

from __future__ import annotations

STARTER_FAMILIES = ("courriers", "statuts", "cpom")
"""What `arsdocs init --familles` accepts, in the order it writes them."""

_WRITTEN_BY = {
    "templates/letters": "courriers", "data/courriers": "courriers", "data/recipients.yaml": "courriers",
    "templates/statuts": "statuts", "data/statuts": "statuts",
    "templates/cpom": "cpom", "data/cpom": "cpom",
    "templates/commun": "courriers", "templates/index.html": "courriers",
}
_EXAMPLE_ONLY = ("data/webinaires.yaml", "data/relances", "templates/letters/relance-dsr.md")


def starter_hint(name: str) -> str:
    """« : arsdocs init … en écrit un modèle » for the project file `name` (relative, with `/`),
    or nothing when no starter writes it."""
    if any(name == prefix or name.startswith(f"{prefix}/") for prefix in _EXAMPLE_ONLY):
        return " ; « arsdocs init NOUVEAU-DOSSIER --exemple » en écrit un exemple, à copier dans ce projet"
    for prefix, family in _WRITTEN_BY.items():
        if name == prefix or name.startswith(f"{prefix}/"):
            return (f" ; « arsdocs init NOUVEAU-DOSSIER --familles {family} » en écrit un modèle, à copier dans "
                    "ce projet")
    return ""
