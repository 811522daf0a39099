"""Another agency's project, as its officer writes it: `arsdocs init --familles courriers,statuts,cpom`,
then settings and data only (under templates/, only the letter's own text). The release gate knows
every starter value, at its line, until it is replaced; once replaced, every family builds with each
engine and nothing of the example's agency, places or people is in any output (PDF text and
metadata, Word XML, HTML, e-mail, invitation, manifests)."""

from __future__ import annotations

import email
import email.policy
import re
import zipfile
from pathlib import Path

import pikepdf
import pytest

from helpers.project import ENGINES, run, use_engine
from helpers.readback import pdf_pages

pytestmark = pytest.mark.slow  # end to end: builds through the CLI (see docs/contribuer/tests.md)

DOMAIN = "hopitaux-occitanie-essai.fr"
FORBIDDEN = re.compile(r"grand[\s-]?est|nancy|reims|strasbourg|metz\b|mulhouse|colmar|troyes|épinal|"
                       r"defolie|hellmann|poli-merol|poirier|lefèvre|exemple|example", re.IGNORECASE)
"""The example's region, towns and people, and the starter's own stand-ins."""

# Each starter value, in the order the file has them, and the officer's own (str.replace once).
OWN = {
    "arsdocs.yaml": [
        ("logo: templates/commun/bloc-marque-provisoire.png", "logo: templates/commun/bloc-marque.png"),
        ("!a-remplacer République française — Agence régionale de santé",
         "République française — Agence régionale de santé Occitanie"),
        ("nom: !a-remplacer Agence régionale de santé", "nom: Agence régionale de santé Occitanie"),
        ("!a-remplacer ARS", "ARS Occitanie"),
        ("[!a-remplacer Agence régionale de santé, !a-remplacer 1 place de la République, "
         "!a-remplacer 00000 VILLE]",
         "[ARS Occitanie, 26-28 parc Club du Millénaire, 1025 rue Henri Becquerel, 34067 MONTPELLIER CEDEX 2]"),
        ("!a-remplacer 00 00 00 00 00", "04 67 07 20 07"),
        ("!a-remplacer www.agence.example", "www.occitanie.ars.sante.fr"),
        ("!a-remplacer dpd@agence.example", f"ars-oc-dpd@{DOMAIN}"),
    ],
    "data/courriers/premier-courrier.yaml": [
        ("!a-remplacer Ville", "Montpellier"),
        ("!a-remplacer Objet du courrier, sur une ou deux lignes", "Création du dispositif régional d'appui"),
        ("!a-remplacer Direction", "Direction de l'offre de soins"),
        ("!a-remplacer Service", "Pôle parcours"),
        ("!a-remplacer Prénom", "Anne"), ("!a-remplacer Nom", "Roux"),
        ("!a-remplacer agent@agence.example", f"anne.roux@{DOMAIN}"),
        ("!a-remplacer 00 00 00 00 00", "04 67 07 20 10"),
        ("!a-remplacer Prénom", "Jean"), ("!a-remplacer Nom", "Dupuy"),
        ("!a-remplacer Le directeur général", "Le directeur général"),
        ("!a-remplacer Agence régionale de santé", "Agence régionale de santé Occitanie"),
        ("!a-remplacer reponses@agence.example", f"reponses@{DOMAIN}"),
        ("!a-remplacer Agence régionale de santé", "ARS Occitanie"),
        ("!a-remplacer expediteur@agence.example", f"offre-de-soins@{DOMAIN}"),
    ],
    "data/statuts/association/v1.yaml": [
        ("!a-remplacer Nom de l'association", "Dispositif régional d'appui d'Occitanie"),
        ("!a-remplacer SIGLE", "DRA Occitanie"),
        ("[!a-remplacer Nom du lieu, !a-remplacer 1 rue de l'Exemple]", "[Hôpital Purpan, Place du Docteur Baylac]"),
        ('!a-remplacer "00000"', '"31300"'), ("!a-remplacer Commune", "Toulouse"),
        ("!a-remplacer 2027-01-15", "2027-02-01"), ("!a-remplacer Commune", "Toulouse"),
        ("!a-remplacer Prénom", "Sophie"), ("!a-remplacer NOM", "Garcia"),
        ("!a-remplacer Prénom", "Marc"), ("!a-remplacer NOM", "Bernard"),
        ("texte: !a-remplacer |", "texte: |"),
        ("« Nom de l'association »", "« Dispositif régional d'appui d'Occitanie »"),
        ("texte: !a-remplacer |", "texte: |"),
        ("décrire ici, en quelques phrases, ce que fait l'association et pour qui",
         "coordonner l'appui aux établissements de santé de la région Occitanie"),
        ("texte: !a-remplacer |", "texte: |"),
        ("au 1 rue de l'Exemple, 00000 Commune", "à l'hôpital Purpan, place du Docteur Baylac, 31300 Toulouse"),
    ],
    "data/cpom/contrat.yaml": [
        ("!a-remplacer Association « Nom de l'association »",
         "Association « Dispositif régional d'appui d'Occitanie »"),
        ("!a-remplacer 2027-01-15", "2027-02-15"),
        ("!a-remplacer La première mission, telle que le texte en vigueur la dit", "Coordonner les établissements"),
        ("!a-remplacer La deuxième mission, telle que le texte en vigueur la dit", "Rendre l'offre lisible"),
        ("!a-remplacer Intitulé de l'orientation stratégique", "Coordonner l'offre régionale"),
        ("!a-remplacer Intitulé de l'objectif", "Publier l'annuaire régional"),
        ("!a-remplacer Fonction du pilote de l'action", "Coordinatrice du dispositif"),
        ("[!a-remplacer Partenaire de l'action]", "[Établissements membres]"),
        ("!a-remplacer Ce qui est fait en 2027", "Recueil des données"),
        ("!a-remplacer Ce qui est fait en 2028", "Publication"),
        ("!a-remplacer Ce qui est fait en 2029", "Mise à jour"),
        ("!a-remplacer Ce qui est fait en 2030", "Évaluation"),
        ("!a-remplacer Livrable de l'action", "Annuaire en ligne"),
        ("!a-remplacer Libellé de l'indicateur", "Établissements décrits dans l'annuaire"),
        ("!a-remplacer Ce que l'indicateur compte, et à quelle date", "Nombre au 31 décembre"),
        ("!a-remplacer Source de la donnée", "Annuaire"),
        ("code: à confirmer", "code: MI1-6-3"),
        ("!a-remplacer Libellé de la ligne de financement", "Dispositifs régionaux d'appui"),
    ],
}

RECIPIENTS = f"""\
etablissements:
  - id: chu-toulouse
    nom: CHU de Toulouse
    adresse: [Hôpital Purpan, Place du Docteur Baylac]
    code_postal: "31059"
    ville: Toulouse Cedex 9
    destinataires:
      - civilite: Madame
        titre: Pr
        prenom: Claire
        nom: Vidal
        fonction: president_cme
        email: claire.vidal@{DOMAIN}
      - civilite: Monsieur
        prenom: Luc
        nom: Fabre
        fonction: {{feminin: Médecin référente, masculin: Médecin référent}}
        email: luc.fabre@{DOMAIN}
  - id: clinique-pasteur
    nom: Clinique Pasteur
    statut: prive
    adresse: [45 avenue de Lombez]
    code_postal: "31300"
    ville: Toulouse
    destinataires:
      - civilite: Monsieur
        prenom: Paul
        nom: Martin
        fonction: president_cme
        email: paul.martin@{DOMAIN}
"""

WEBINARS = f"""\
webinaires:
  - id: presentation-dra
    titre: Présentation du dispositif régional d'appui
    date: 2027-01-20
    debut: "14:00"
    fin: "15:00"
    fuseau: Europe/Paris
    lien: https://visio.{DOMAIN}/presentation-dra
    organisateur:
      nom: ARS Occitanie — Pôle parcours
      email: offre-de-soins@{DOMAIN}
"""

LETTER = """\
L'Agence régionale de santé Occitanie crée un dispositif régional d'appui aux établissements de santé.

Nous vous remercions de bien vouloir nous indiquer, **avant le {{ courrier.reponse.date_limite | date_longue }}**, \
les référents de l'établissement {{ etablissement.nom }}, au moyen du formulaire joint, à l'adresse \
{{ courrier.reponse.adresse | courriel }}.

Nous vous prions d'agréer, {{ destinataire.appel }}, l'expression de nos salutations distinguées.
"""


def _own(project: Path) -> None:
    """What the officer replaces: every starter value, the brand block, the recipients, the letter's text."""
    from PIL import Image

    Image.new("RGB", (600, 300), "white").save(project / "templates/commun/bloc-marque.png")
    for name, replacements in OWN.items():
        path = project / name
        text = path.read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text, (name, old)
            text = text.replace(old, new, 1)
        path.write_text(text, encoding="utf-8")
    (project / "data/recipients.yaml").write_text(RECIPIENTS, encoding="utf-8")
    (project / "data/webinaires.yaml").write_text(WEBINARS, encoding="utf-8")
    letter = project / "data/courriers/premier-courrier.yaml"
    letter.write_text(letter.read_text(encoding="utf-8") + "webinaire: presentation-dra\n", encoding="utf-8")
    (project / "templates/letters/premier-courrier.md").write_text(LETTER, encoding="utf-8")


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("occitanie") / "projet"
    result = run(folder.parent, "init", str(folder), "--familles", "courriers,statuts,cpom")
    assert result.exit_code == 0, result.output
    return folder


def test_the_starter_builds_and_the_gate_lists_each_value_to_replace(started: Path) -> None:
    assert run(started, "check").exit_code == 0
    result = run(started, "check", "--definitif")
    assert result.exit_code == 1
    located = [line for line in result.output.splitlines() if "(!a-remplacer)" in line]
    marks = sum(len(re.findall(r"(?<!« )!a-remplacer ", line.split(" #")[0]))
                for path in [started / "arsdocs.yaml", *(started / "data").rglob("*.yaml")]
                for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#"))
    assert len(located) == marks > 60, result.output
    assert all(re.match(r"  (arsdocs\.yaml|data/[\w/.-]+\.yaml):\d+:\d+ : ", line) for line in located)
    assert "  templates/letters/premier-courrier.md:5:4 : texte du projet de départ (a_remplacer) : écrivez le " \
           "vôtre à la place" in result.output.splitlines()


@pytest.mark.parametrize("engine", ENGINES)
def test_another_agencys_project_names_nothing_of_the_example(tmp_path: Path, started: Path, engine: str) -> None:
    import shutil

    project = tmp_path / "projet"
    shutil.copytree(started, project)
    _own(project)
    use_engine(project, engine)
    result = run(project, "check", "--definitif")
    assert result.exit_code == 0, result.output
    assert "Tout est valide et prêt à partir : 3 courriers, 1 statuts, 5 annexes de CPOM." in result.output
    assert run(project, "build", "all").exit_code == 0
    texts = dict(_output_texts(project / "out"))
    assert {Path(name).suffix for name in texts} >= {".pdf", ".docx", ".html", ".eml", ".ics", ".csv"}
    found = {name: sorted({match.group(0) for match in FORBIDDEN.finditer(text)}) for name, text in texts.items()}
    assert not {name: words for name, words in found.items() if words}
    letter = _flat(texts["letters/premier-courrier/chu-toulouse--claire-vidal.pdf"])
    assert "Madame la Professeure," in letter and "Pr Claire VIDAL" in letter
    assert "Monsieur le Médecin référent," in _flat(texts["letters/premier-courrier/chu-toulouse--luc-fabre.pdf"])
    clinic = _flat(texts["letters/premier-courrier/clinique-pasteur--paul-martin.pdf"])
    assert "conférence médicale d'établissement" in clinic and "commission médicale" not in clinic
    for name, text in texts.items():  # the agency's postal address on every letter and form
        if name.startswith("letters/") and name.endswith(".pdf") and "impression" not in name:
            assert "34067 MONTPELLIER CEDEX 2" in _flat(text), name
    assert "Jean DUPUY" in letter and "délégation" not in letter  # the director general signs in his own name


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'").split())


def _output_texts(out: Path):  # type: ignore[no-untyped-def]
    """Each output's text as its reader gets it: the PDF's words and metadata, the Word package's
    XML parts, the e-mail's decoded parts, the rest as text."""
    for path in sorted(out.rglob("*")):
        if not path.is_file() or ".arsdocs" in path.parts:
            continue
        name = path.relative_to(out).as_posix()
        if path.suffix == ".pdf":
            with pikepdf.open(path) as pdf:
                meta = " ".join(str(value) for value in pdf.docinfo.values())
                xmp = pdf.Root.Metadata.read_bytes().decode("utf-8", "replace") if "/Metadata" in pdf.Root else ""
            yield name, "\n".join(pdf_pages(path)) + meta + xmp
        elif path.suffix == ".docx":
            with zipfile.ZipFile(path) as package:
                yield name, "\n".join(package.read(part).decode("utf-8", "replace")
                                      for part in package.namelist() if part.endswith((".xml", ".rels")))
        elif path.suffix == ".eml":
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            parts = [str(message)]
            for part in message.walk():
                payload = part.get_payload(decode=True)
                if payload and (part.get_content_maintype() == "text" or part.get_content_type() == "application/ics"):
                    parts.append(payload.decode("utf-8", "replace"))
            yield name, "\n".join(parts)
        elif path.suffix in (".html", ".ics", ".csv", ".json", ".txt"):
            yield name, path.read_text(encoding="utf-8")


def test_init_refuses_an_unknown_family_in_french(tmp_path: Path) -> None:
    result = run(tmp_path, "init", str(tmp_path / "projet"), "--familles", "courriers,lettres")
    assert result.exit_code == 1
    assert result.output == ("Erreur : --familles « courriers,lettres » : familles possibles, séparées par des "
                             "virgules : courriers, statuts, cpom\n")
    assert not (tmp_path / "projet").exists()


def test_a_missing_template_says_which_init_writes_it(tmp_path: Path) -> None:
    project = tmp_path / "projet"
    assert run(tmp_path, "init", str(project), "--familles", "courriers,statuts").exit_code == 0
    (project / "templates/statuts/statuts.html").unlink()
    result = run(project, "check")
    assert result.exit_code == 1
    assert ("  templates/statuts/statuts.html : coquille HTML introuvable ; « arsdocs init NOUVEAU-DOSSIER --familles "
            "statuts » en écrit un modèle, à copier dans ce projet") in result.output.splitlines(), result.output
