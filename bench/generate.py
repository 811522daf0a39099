"""Synthetic recipients for the benchmark: a copy of the example project whose
data/recipients.yaml lists N recipients (realistic names, functions and addresses of Grand Est),
three or four per establishment. The same N always gives the same file.

    python bench/generate.py 1000 /tmp/arsdocs-bench-1000
"""

from __future__ import annotations

import argparse
import random
import shutil
import unicodedata
from pathlib import Path

import yaml

REPOSITORY = Path(__file__).resolve().parents[1]


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words("""
Camille Claire Hélène Agnès Sophie Nathalie Isabelle Céline Aurélie Élodie Anne Marie Julie Laure
Catherine Sandrine Véronique Chloé Léa Manon Inès Zoé Éloïse Margaux Pierre Jean Nicolas Stéphane
Julien Thomas François Philippe Laurent Olivier Éric Frédéric Sébastien Mathieu Guillaume Antoine
Hugo Lucas Théo Rémi Benoît Jérôme Cédric Yannick Karim Mehdi Youssef Amina Fatima Nadia Samir Lina
Grégoire""")
LAST_NAMES = _words("""
Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefèvre Leroy
Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Muller
Lefebvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand Gauthier Garcia
Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Gautier Masson Marchand Duval Denis Dumont
Marie Lemaire Noël Meyer Dufour Meunier Brun Blanchard Giraud Joly Rivière Lucas Brunet Gaillard
Barbier Arnaud Martinez Gérard Roche Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre
Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc Payet
Rolland Leclercq Guillaume Lecomte Lopez Jean Dupuy Guillot Hubert Berger Carpentier Sanchez Dupuis
Moulin Louis Deschamps Huet Vasseur Perez Boucher Fleury Royer Klein Jacquet Adam Paris Poirier
Marty Aubry Guyot Carré Charles Renault Charpentier Ménard Maillard Baron Bertin Bailly Hervé
Schneider Fernandez Le-Gall Collet Léger Bouvier Julien Prévost Millet Perrot Daniel Le-Roux Cousin
Germain Breton Besson Langlois Rémy Le-Goff Pelletier Lévêque Perrier Leblanc Barré Lebrun Marchal
Weber Mallet Hamon Boulanger Jacob Monnier Michaud Rodriguez Guichard Gillet Étienne Grondin Poulain
Tessier Chevallier Collin Chauvin Da-Silva Bouchet Gay Lemaître Bénard Marécha Humbert Reynaud
Antoine Hoarau Perret Barthélemy Cordier Pichon Lejeune Gilbert Lamy Delaunay Pasquier Carlier
Laporte Haas Kieffer Wagner Zimmermann Hoffmann Koch Bauer Kremer Schaeffer""")
CITIES = [("Strasbourg", "67"), ("Mulhouse", "68"), ("Colmar", "68"), ("Metz", "57"), ("Thionville", "57"),
          ("Forbach", "57"), ("Sarreguemines", "57"), ("Nancy", "54"), ("Lunéville", "54"), ("Toul", "54"),
          ("Épinal", "88"), ("Saint-Dié-des-Vosges", "88"), ("Remiremont", "88"), ("Reims", "51"),
          ("Châlons-en-Champagne", "51"), ("Épernay", "51"), ("Troyes", "10"), ("Romilly-sur-Seine", "10"),
          ("Charleville-Mézières", "08"), ("Sedan", "08"), ("Chaumont", "52"), ("Saint-Dizier", "52"),
          ("Langres", "52"), ("Bar-le-Duc", "55"), ("Verdun", "55"), ("Haguenau", "67"), ("Sélestat", "67"),
          ("Saverne", "67"), ("Saint-Louis", "68"), ("Guebwiller", "68")]
KINDS = ["Centre hospitalier", "Centre hospitalier régional", "Clinique", "Hôpital", "Groupe hospitalier",
         "Hôpitaux civils", "Polyclinique"]
PATRONS = ["Saint-Joseph", "Sainte-Anne", "Notre-Dame", "Louis-Pasteur", "Émile-Muller", "Robert-Schuman",
           "Marie-Curie", "Albert-Schweitzer", "Saint-Vincent", "Bel-Air", "des Trois-Frontières", "du Parc"]
STREETS = ["rue de la République", "avenue du Général-de-Gaulle", "rue Pasteur", "boulevard Clemenceau",
           "rue des Hospices", "avenue de Strasbourg", "rue du Docteur-Schweitzer", "place de l'Hôpital",
           "rue Saint-Nicolas", "quai des Bateliers", "rue de Verdun", "avenue Foch"]
FUNCTIONS = ["directeur", "president_cme", "chef_service", "chef_pole"]
SERVICES = ["Chirurgie pédiatrique", "Pédiatrie", "Anesthésie-réanimation", "Urgences pédiatriques",
            "Pôle femme-mère-enfant", "Orthopédie pédiatrique"]


def ascii_name(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "-")


def recipients(count: int) -> dict[str, object]:
    chance = random.Random(count)
    establishments: list[dict[str, object]] = []
    made = 0
    while made < count:
        number = len(establishments) + 1
        name = ""
        while not name or len(name) > 38:  # a line of the postal address (the norm's limit), unabbreviated
            city, department = chance.choice(CITIES)
            name = f"{chance.choice(KINDS)} {chance.choice(PATRONS)} de {city}"
        size = min(count - made, chance.choice([3, 3, 4]))
        people = []
        for position in range(size):
            first, last = chance.choice(FIRST_NAMES), chance.choice(LAST_NAMES)
            person: dict[str, object] = {"prenom": first, "nom": last.replace("-", " "),
                                         "fonction": FUNCTIONS[position % len(FUNCTIONS)],
                                         "email": f"{ascii_name(first)}.{ascii_name(last)}.{number}@etab{number}.fr"}
            if chance.random() < 0.8:
                person["civilite"] = chance.choice(["Madame", "Monsieur"])
            if person["fonction"] in ("chef_service", "chef_pole"):
                person["service"] = chance.choice(SERVICES)
            people.append(person)
        establishments.append({
            "id": f"etab-{number:05}", "nom": name,
            "adresse": [f"{chance.randint(1, 120)} {chance.choice(STREETS)}"],
            "code_postal": f"{department}{chance.randint(0, 999):03}", "ville": city,
            "destinataires": people})
        made += size
    return {"etablissements": establishments}


def make_project(count: int, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in ("templates", "data"):
        shutil.copytree(REPOSITORY / name, target / name)
    shutil.copy(REPOSITORY / "arsdocs.yaml", target / "arsdocs.yaml")
    text = yaml.safe_dump(recipients(count), allow_unicode=True, sort_keys=False, width=120)
    (target / "data" / "recipients.yaml").write_text(text, encoding="utf-8")
    return target


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("nombre", type=int)
    parser.add_argument("dossier", type=Path)
    arguments = parser.parse_args()
    print(make_project(arguments.nombre, arguments.dossier))
