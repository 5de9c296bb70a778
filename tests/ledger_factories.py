"""Hand-built extractions for the ledger tests: fictional people and cases, texts we wrote ourselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from threatledger.model import (
    Argument,
    Document,
    Entity,
    Event,
    Extraction,
    Incident,
    Mention,
    Provenance,
    content_id,
)

EXTRACTOR = "threatledger.test.v1"


@dataclass
class DocBuilder:
    """Build one :class:`Extraction`: add entities and events by the sentences they sit in."""

    doc_id: str
    text: str
    published: date | None = date(2024, 1, 15)
    title: str | None = None
    extractor: str = EXTRACTOR
    entities: list[Entity] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)

    @property
    def document(self) -> Document:
        return Document(
            id=self.doc_id,
            text=self.text,
            title=self.title,
            published=self.published,
            url=f"https://news.example/{self.doc_id}",
        )

    def _prov(self, start: int, end: int) -> Provenance:
        return Provenance(self.doc_id, start, end, self.extractor)

    def entity(
        self,
        name: str,
        type: str = "PERSON",
        *,
        aliases: tuple[str, ...] = (),
        mentions: tuple[str, ...] = (),
        country: str | None = None,
    ) -> str:
        """Add an entity; its mentions are found in the text (the name itself when it occurs)."""
        local_id = content_id("e", self.doc_id, type, name)
        found = []
        for surface in (name, *mentions):
            at = self.text.find(surface)
            if at >= 0:
                found.append(Mention(surface, self._prov(at, at + len(surface))))
        self.entities.append(Entity(local_id, name, type, tuple(found), country, aliases))
        return local_id

    def _args(self, names: tuple[str, ...]) -> tuple[Argument, ...]:
        by_name = {e.name: e.id for e in self.entities}
        return tuple(Argument(n, by_name.get(n), n) for n in names)

    def event(
        self,
        type: str,
        sentence: str,
        trigger: str,
        *,
        agent: tuple[str, ...] = (),
        sponsor: tuple[str, ...] = (),
        target: tuple[str, ...] = (),
        place: tuple[str, ...] = (),
        date: str | None = None,
        status: str = "reported",
        negated: bool = False,
    ) -> str:
        """Add an event reported in ``sentence`` (which must be in the text) with trigger word ``trigger``."""
        s_start = self.text.index(sentence)
        t_start = s_start + sentence.index(trigger)
        event_id = content_id("ev", self.doc_id, type, t_start)
        self.events.append(
            Event(
                id=event_id,
                type=type,
                trigger=trigger,
                sentence=sentence,
                provenance=self._prov(t_start, t_start + len(trigger)),
                sentence_start=s_start,
                sentence_end=s_start + len(sentence),
                agent=self._args(agent),
                sponsor=self._args(sponsor),
                target=self._args(target),
                place=self._args(place),
                date=date,
                status=status,
                negated_or_hypothetical=negated,
            )
        )
        return event_id

    def incident(self, summary: str, *event_ids: str) -> str:
        incident_id = content_id("inc", self.doc_id, *event_ids)
        self.incidents.append(Incident(incident_id, summary, tuple(event_ids)))
        return incident_id

    def build(self) -> Extraction:
        return Extraction(
            document=self.document,
            entities=list(self.entities),
            events=list(self.events),
            incidents=list(self.incidents),
            extractor=self.extractor,
        )


# A fictional case told over three years by three outlets, plus an unrelated plot.

CHARGE_TEXT = (
    "Prosecutors in Ostend charged Nasrollah Karimi, an officer of the IRGC, on Tuesday. "
    "Karimi is accused of plotting to kill the exiled journalist Leyla Baran in Lyon in 2022. "
    "Officials said Karimi remains at large and is believed to be in Tehran."
)
ARREST_TEXT = (
    "Police in Vienna arrested Nasrullah Karimi on 8 May 2024. "
    "He is wanted for the 2022 plot against the journalist Leyla Baran. "
    "Sepah, as the Revolutionary Guards are known in Iran, denied any role."
)
VERDICT_TEXT = (
    "A court in Ostend convicted Karimi of attempted murder in January 2025. "
    "The judges sentenced Karimi to 18 years in prison. "
    "In June 2025 Karimi was released and flown to Tehran in a prisoner exchange."
)
UNRELATED_TEXT = (
    "Investigators in Hamburg said hired gunmen plotted to kill the activist Omid Sarraf in 2021. "
    "No one has been charged over the plot."
)


def charge_story(
    doc_id: str = "ostend-charge", *, text: str = CHARGE_TEXT, extractor: str = EXTRACTOR
) -> Extraction:
    """Karimi charged (and at large) for a 2022 plot against Leyla Baran."""
    b = DocBuilder(
        doc_id, text, published=date(2023, 3, 2), title="Officer charged over plot", extractor=extractor
    )
    b.entity("Nasrollah Karimi", mentions=("Karimi",))
    b.entity("Leyla Baran")
    b.entity("IRGC", "ORG")
    b.entity("Prosecutors in Ostend", "ORG")
    b.entity("Lyon", "PLACE")
    charge = b.event(
        "CHARGE",
        text.split(". ")[0] + ".",
        "charged",
        agent=("Prosecutors in Ostend",),
        target=("Nasrollah Karimi",),
        date="2023-02-28",
        status="alleged",
    )
    plot = b.event(
        "PLOT",
        "Karimi is accused of plotting to kill the exiled journalist Leyla Baran in Lyon in 2022.",
        "plotting",
        agent=("Nasrollah Karimi",),
        sponsor=("IRGC",),
        target=("Leyla Baran",),
        place=("Lyon",),
        date="2022",
        status="alleged",
    )
    b.incident("Plot against Leyla Baran", plot, charge)
    return b.build()


def arrest_story(doc_id: str = "vienna-arrest") -> Extraction:
    """A spelling variant (Nasrullah), an alias of the IRGC (Sepah): joins the same incident."""
    b = DocBuilder(doc_id, ARREST_TEXT, published=date(2024, 5, 9), title="Suspect held in Vienna")
    b.entity("Nasrullah Karimi")
    b.entity("Leyla Baran")
    b.entity("Sepah", "ORG")
    b.entity("Police in Vienna", "ORG")
    arrest = b.event(
        "ARREST",
        "Police in Vienna arrested Nasrullah Karimi on 8 May 2024.",
        "arrested",
        agent=("Police in Vienna",),
        target=("Nasrullah Karimi",),
        date="2024-05-08",
        status="confirmed",
    )
    b.incident("Arrest of Karimi", arrest)
    return b.build()


def verdict_story(doc_id: str = "ostend-verdict") -> Extraction:
    """The surname alone; convicted, sentenced, then released in an exchange."""
    b = DocBuilder(doc_id, VERDICT_TEXT, published=date(2025, 6, 20), title="Karimi freed in exchange")
    b.entity("Karimi")
    b.entity("court in Ostend", "ORG")
    sentences = VERDICT_TEXT.split(". ")
    conv = b.event(
        "CONVICTION",
        sentences[0] + ".",
        "convicted",
        agent=("court in Ostend",),
        target=("Karimi",),
        date="2025-01",
        status="confirmed",
    )
    sent = b.event(
        "SENTENCE", sentences[1] + ".", "sentenced", target=("Karimi",), date="2025-01", status="confirmed"
    )
    rel = b.event("RELEASE", sentences[2], "released", target=("Karimi",), date="2025-06", status="confirmed")
    b.incident("Verdict and release", conv, sent, rel)
    return b.build()


def unrelated_plot(doc_id: str = "hamburg-plot") -> Extraction:
    """A plot in which no one was charged."""
    b = DocBuilder(
        doc_id, UNRELATED_TEXT, published=date(2023, 9, 1), title="Gunmen plotted to kill activist"
    )
    b.entity("Omid Sarraf")
    b.entity("hired gunmen")
    b.entity("Hamburg", "PLACE")
    plot = b.event(
        "PLOT",
        UNRELATED_TEXT.split(". ")[0] + ".",
        "plotted",
        agent=("hired gunmen",),
        target=("Omid Sarraf",),
        place=("Hamburg",),
        date="2021",
        status="alleged",
    )
    b.incident("Plot against Omid Sarraf", plot)
    return b.build()


def wire_copy(extraction: Extraction, doc_id: str, replacements: dict[str, str]) -> Extraction:
    """The same story republished with small edits: text changed, events re-anchored in the new text."""
    text = extraction.document.text
    for old, new in replacements.items():
        text = text.replace(old, new)
    b = DocBuilder(doc_id, text, published=extraction.document.published, title=extraction.document.title)
    for entity in extraction.entities:
        b.entity(entity.name, entity.type, aliases=entity.aliases)
    ids = {}
    for event in extraction.events:
        sentence = event.sentence
        for old, new in replacements.items():
            sentence = sentence.replace(old, new)
        ids[event.id] = b.event(
            event.type,
            sentence,
            event.trigger,
            agent=_names(event.agent),
            sponsor=_names(event.sponsor),
            target=_names(event.target),
            place=_names(event.place),
            date=event.date,
            status=event.status,
        )
    for incident in extraction.incidents:
        b.incident(incident.summary, *(ids[i] for i in incident.event_ids))
    return b.build()


def _names(args: tuple[Argument, ...]) -> tuple[str, ...]:
    return tuple(a.name for a in args)
