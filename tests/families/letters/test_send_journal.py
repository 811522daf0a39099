"""The send journal as a property: whatever the sequence of builds, edits of the recipients (names,
establishment ids, addresses), server behaviours and interruptions, no address receives a mailing
twice, and every recipient is sent, failed with a reason, or of unknown fate and said so.

The server is real (aiosmtpd on the loopback address, in this process); the messages are small
e-mails written here, since what is under test is the journal and the SMTP client, not the build."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ars_docs.families.letters import sending, smtp
from helpers.project import free_port

WAIT = 0.2
"""`delai_confirmation_s` for these tests: a confirmation later than this is an unknown outcome."""

BEHAVIOURS = ("accepte", "refuse-rcpt", "refuse-fin", "coupe-avant", "coupe-apres", "confirme-tard",
              "tue-apres-acceptation")


class Server:
    """Does to each address what the test says; counts what reached each address (the data ended)."""

    def __init__(self) -> None:
        self.behaviour: dict[str, str] = {}
        self.reached: dict[str, int] = {}

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        behaviour = self.behaviour.get(address, "accepte")
        if behaviour == "refuse-rcpt":
            return "550 5.1.1 Destinataire inconnu"
        if behaviour == "coupe-avant":
            server.transport.close()
            return "421 Connexion perdue"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        (address,) = envelope.rcpt_tos
        behaviour = self.behaviour.get(address, "accepte")
        if behaviour == "refuse-fin":
            return "451 4.3.0 Réessayez plus tard"
        key = address.casefold()  # one mailbox, whatever the case (independent of the code under test)
        self.reached[key] = self.reached.get(key, 0) + 1
        if behaviour == "coupe-apres":
            server.transport.close()
            return "421 Connexion perdue"
        if behaviour == "confirme-tard":
            await asyncio.sleep(WAIT * 3)
        return "250 Message accepted"


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[Server, int]]:
    handler = Server()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


@dataclass
class Person:
    establishment: str
    name: str
    address: str

    @property
    def key(self) -> str:
        return f"{self.establishment}--{self.name}"


@dataclass
class World:
    folder: Path
    people: list[Person]
    built: list[sending.Outgoing] = field(default_factory=list)
    builds: int = 0

    def build(self) -> None:
        """What `build letters` leaves for `send`: one e-mail per recipient, its bytes following the data."""
        self.builds += 1
        self.built = []
        for person in self.people:
            eml = self.folder / f"{person.key}.{self.builds}.eml"
            data = (f"From: ars@agence.fr\r\nTo: {person.address}\r\nSubject: Courrier\r\n\r\n"
                    f"Madame, Monsieur {person.name},\r\n").encode()
            eml.write_bytes(data)
            self.built.append(sending.Outgoing(person.key, f"{person.establishment} — {person.name}",
                                               person.address, eml, hashlib.sha256(data).hexdigest()))


class Killed(BaseException):
    """The process killed after the server accepted a message, before the journal said so."""


class KillingJournal(sending.Journal):
    """Kills the run right after the server accepted a message to one of `doomed`, before the
    journal says it was sent: as a power cut or `kill -9` at the worst instant."""

    def __init__(self, path: Path, doomed: set[str]) -> None:
        super().__init__(path)
        self.doomed = doomed

    def record(self, item: sending.Outgoing, state: str, detail: str = "") -> None:
        if state == "envoye" and item.address in self.doomed:
            raise Killed
        super().record(item, state, detail)


# An edit is followed by a build (send reads what was built); a build alone changes nothing.
step = st.one_of(
    st.tuples(st.just("nom"), st.integers(0, 2)),
    st.tuples(st.just("etablissement"), st.integers(0, 2)),
    st.tuples(st.just("adresse"), st.integers(0, 2)),
    st.tuples(st.just("majuscules"), st.integers(0, 2)),
    st.tuples(st.just("envoi"), st.lists(st.sampled_from(BEHAVIOURS), min_size=3, max_size=3)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=8))
def test_no_address_receives_a_mailing_twice(steps: list[tuple[Any, ...]], server: tuple[Server, int],
                                            tmp_path_factory: pytest.TempPathFactory) -> None:
    handler, port = server
    folder = tmp_path_factory.mktemp("envoi")
    run = folder.name  # addresses unique to this example: the server is shared
    world = World(folder, [Person(f"etab-{index}", f"personne{index}", f"p{index}.{run}@hopital-essai.fr")
                           for index in range(3)])
    world.build()
    journal_path = folder / "envois" / "courrier.jsonl"
    config = smtp.SmtpSettings(hote="127.0.0.1", port=port, starttls=False, delai_commande_s=5,
                                  delai_confirmation_s=WAIT)
    edits = 0
    for action, *arguments in steps:
        if action == "envoi":
            _send(world, handler, journal_path, config, arguments[0])
        else:
            edits += 1
            person = world.people[arguments[0]]
            if action == "nom":
                world.people[arguments[0]] = replace(person, name=f"{person.name}-bis{edits}")
            elif action == "etablissement":
                world.people[arguments[0]] = replace(person, establishment=f"{person.establishment}-{edits}")
            elif action == "adresse":
                world.people[arguments[0]] = replace(person, address=f"n{edits}.{person.address}")
            else:
                world.people[arguments[0]] = replace(person, address=person.address.upper())
            world.build()
    journal = sending.Journal(journal_path)
    for item, status in zip(world.built, sending.statuses(world.built, journal), strict=True):
        reached = handler.reached.get(item.address.casefold(), 0)
        assert reached <= 1, f"{item.address} reached {reached} times"
        if status in sending.STATUS_DUE:
            assert reached == 0, f"{item.address} would be sent again ({status})"
            if status == "a-renvoyer":
                assert journal.detail(item), "a failure says why"
        elif status in ("deja-envoye", "modifie"):
            assert reached == 1
        else:
            assert status == "incertain", status


def _send(world: World, handler: Server, journal_path: Path, config: smtp.SmtpSettings,
          behaviours: list[str]) -> None:
    """One `send --envoyer`, each address meeting its behaviour; it ends as the command would:
    done, stopped on an unknown outcome, or killed."""
    for person, behaviour in zip(world.people, behaviours, strict=True):
        handler.behaviour[person.address] = behaviour
    doomed = {person.address for person, behaviour in zip(world.people, behaviours, strict=True)
              if behaviour == "tue-apres-acceptation"}
    sender = smtp.Sender(config)
    try:
        for _ in sending.send_all(world.built, KillingJournal(journal_path, doomed), sender, 60_000):
            pass
    except (Killed, sending.SendStopped):
        pass
    finally:
        sender.close()
