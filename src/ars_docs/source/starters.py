"""Which `arsdocs init` writes a file a project lacks: the hint added to « introuvable ».

Below the families: the table is of folders and file names only (a family's templates and data,
as `arsdocs init --familles` writes them), so that a missing file is told where to come from.
"""

from __future__ import annotations

FAMILY_TEMPLATES = {"courriers": "letters", "statuts": "statuts", "cpom": "cpom"}
"""Each family `arsdocs init --familles` accepts, in the order it writes them, and its templates'
folder under `templates/`."""
FAMILY_FILES = {
    "courriers": ("data/courriers", "data/recipients.yaml", "templates/letters"),
    "statuts": ("data/statuts",),
    "cpom": ("data/cpom",),
}
"""The starter's own files (in `modele/`) of each family; its templates are the example's."""
SHARED_FILES = ("templates/commun", "templates/index.html")
"""What every starter writes, whatever its families."""
STARTER_FAMILIES = tuple(FAMILY_TEMPLATES)

_WRITTEN_BY = {
    **{name: family for family, names in FAMILY_FILES.items() for name in names},
    **{f"templates/{folder}": family for family, folder in FAMILY_TEMPLATES.items()},
    **dict.fromkeys(SHARED_FILES, STARTER_FAMILIES[0]),
}
"""Which family's starter writes each file or folder."""
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
