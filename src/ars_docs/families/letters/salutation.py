"""How a recipient is addressed, from civility and function (domain rules §2). Never guessed:
without a civility, the letter says `Madame, Monsieur,`."""

from __future__ import annotations

from ars_docs.directory.models import FunctionForms, Recipient, Status

# function -> (feminine, masculine, neutral) title
_TITLES: dict[str, tuple[str, str, str]] = {
    "directeur": ("Directrice", "Directeur", "Direction"),
    "directeur_general": ("Directrice générale", "Directeur général", "Direction générale"),
    "president_cme": ("Présidente de la {body} médicale d'établissement",
                      "Président de la {body} médicale d'établissement",
                      "Présidence de la {body} médicale d'établissement"),
    "chef_service": ("Cheffe de service", "Chef de service", "Chefferie de service"),
    "chef_pole": ("Cheffe de pôle", "Chef de pôle", "Chefferie de pôle"),
}


def medical_body(status: Status) -> str:
    """The establishment's medical body: « conférence » médicale d'établissement in a private
    for-profit establishment (CSP L. 6161-2), « commission » in a public one or an ESPIC."""
    return "conférence" if status == "prive" else "commission"


def function_title(recipient: Recipient, status: Status = "public") -> str:
    """`Directrice`, `Chef de pôle`, or the neutral `Direction` when the civility is unknown; the
    president of the medical body as the establishment's `status` names it."""
    if isinstance(recipient.fonction, FunctionForms):
        forms = recipient.fonction
        feminine, masculine, neutral = forms.feminin, forms.masculin, forms.neutre or forms.masculin
    else:
        feminine, masculine, neutral = (title.format(body=medical_body(status))
                                        for title in _TITLES[recipient.fonction])
    if recipient.civilite == "Madame":
        return feminine
    if recipient.civilite == "Monsieur":
        return masculine
    return neutral


def address_term(recipient: Recipient, status: Status = "public") -> str:
    """What the closing formula repeats: `Madame la Directrice`, `Madame, Monsieur`."""
    if recipient.formule:
        return recipient.formule.rstrip().rstrip(",").rstrip()
    if recipient.titre and recipient.civilite:  # the title before the function (domain rules §9)
        return _BY_TITLE[recipient.titre][recipient.civilite]
    if recipient.civilite == "Madame":
        return f"Madame la {function_title(recipient, status)}"
    if recipient.civilite == "Monsieur":
        return f"Monsieur le {function_title(recipient, status)}"
    return "Madame, Monsieur"


_BY_TITLE = {"Pr": {"Madame": "Madame la Professeure", "Monsieur": "Monsieur le Professeur"},
             "Dr": {"Madame": "Madame la Docteure", "Monsieur": "Monsieur le Docteur"}}


def salutation(recipient: Recipient, status: Status = "public") -> str:
    """The opening line: `Madame la Directrice,`."""
    return f"{address_term(recipient, status)},"


def full_name(recipient: Recipient) -> str:
    """`Madame Claire MARTIN`, `Pr Claire MARTIN`: surname in capitals, as French administrative
    mail writes it; a title (Pr, Dr) in the civility's place."""
    name = f"{recipient.prenom} {recipient.nom.upper()}"
    before = recipient.titre or recipient.civilite
    return f"{before} {name}" if before else name
