"""Roles from syntax: agent, sponsor, target and place of an event trigger.

Active voice: subject -> agent, object -> target; passive: subject -> target, "by" -> agent. Nouns take
their roles from possessives and ``of / by / against / on`` phrases and from the verb that governs them.
Legal events follow the guidelines: the authority is the agent, the person acted on is the target.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from threatledger.extract.lexicon import ABSTRACT_TARGETS, AUTHORITY_NOUNS
from threatledger.extract.places import demonyms
from threatledger.extract.references import Filler, expand_conj, filler_for, group_members, noun_phrase
from threatledger.model import LEGAL_TYPES, VIOLENT_TYPES
from threatledger.nlp.datelines import opens_dateline
from threatledger.resolve.within_doc import DocEntities

PLACE_PREPS = frozenset({"in", "at", "near", "outside", "inside", "on"})
SPONSOR_CUES = (
    "on behalf of",
    "at the direction of",
    "on the orders of",
    "on orders from",
    "on orders of",
    "at the behest of",
    "backed by",
    "sponsored by",
    "ordered by",
    "working for",
    "on the order of",
    "linked to",
    "links to",
    "blamed on",
    "directed by",
    "agents of",
)
SPONSOR_VERBS = frozenset(
    {
        "order",
        "direct",
        "orchestrate",
        "mastermind",
        "sponsor",
        "commission",
        "approve",
        "authorise",
        "authorize",
    }
)
STATE_ROLE_NOUNS = frozenset(
    {
        "diplomat",
        "diplomats",
        "agent",
        "agents",
        "officer",
        "officers",
        "official",
        "officials",
        "operative",
        "operatives",
        "spy",
        "spies",
        "intelligence",
        "state",
        "government",
        "regime",
        "security",
        "services",
        "agencies",
        "forces",
    }
)
PERPETRATE_VERBS = frozenset(
    {
        "carry",
        "commit",
        "launch",
        "stage",
        "perpetrate",
        "mount",
        "conduct",
        "plan",
        "plot",
        "organise",
        "organize",
        "attempt",
        "issue",
        "make",
        "hatch",
    }
)
ENACT_VERBS = frozenset(
    """file bring impose issue pass hand announce order adopt seek approve authorise authorize unseal
unveil lodge level press make conduct carry launch hold open begin start agree decide slap extend expand
request grant deliver sign commute waive lift secure obtain return win submit send demand
step execute mount stage uphold halt pursue declare free give stop consider convict sentence""".split()
)
Roles = dict[str, list[Filler]]
STATE_ACTS = frozenset({"SANCTION", "DIPLOMATIC_ACTION"})
COURT_STEPS = frozenset({"TRIAL", "CONVICTION", "SENTENCE"})  # "13 years in a penal colony" is a term


def _kids(token: Token, *deps: str) -> list[Token]:
    return [c for c in token.children if c.dep_ in deps]


def _pobjs(token: Token, *preps: str) -> list[Token]:
    return [o for p in _kids(token, "prep") if p.lower_ in preps for o in _kids(p, "pobj")]


def _fill(tokens: list[Token], ents: DocEntities, *, bodies: bool = False) -> list[Filler]:
    """Fillers for role tokens; with ``bodies``, also the unnamed bodies a state acts on ("Belarusian
    airlines", "the Russian consulate")."""
    out: list[Filler] = []
    for token in tokens:
        for item in expand_conj(token):
            group = group_members(item, ents)
            single = filler_for(item, ents) if not group else None
            if single is None and not group and bodies and _is_body(item):
                phrase = noun_phrase(item)
                single = Filler(ents.add_phrase(phrase, "ORG"), phrase.text)
            for filler in group or ([single] if single else []):
                if all(f.cluster is not filler.cluster for f in out):
                    out.append(filler)
    return out


def _is_passive(verb: Token) -> bool:
    """Passive voice, also for "convicted and sentenced to" (a participle joined to a passive) and
    "had their sentences commuted" (causative have)."""
    if any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children):
        return True
    if verb.tag_ != "VBN":
        return False
    if verb.dep_ in ("acl", "amod"):
        return True
    if verb.dep_ == "conj" and not _kids(verb, "nsubj", "aux") and _is_passive(verb.head):
        return True
    return verb.dep_ == "ccomp" and verb.head.lemma_ == "have"


def _patient_subject(verb: Token) -> list[Token]:
    """Whom a passive verb is about: its own passive subject, else that of the verb it is joined to."""
    while verb.dep_ in ("conj", "ccomp") and not _kids(verb, "nsubjpass", "nsubj"):
        verb = verb.head
    return _kids(verb, "nsubjpass") or _kids(verb, "nsubj")


RECEIVING_VERBS = frozenset({"receive", "serve", "get", "face"})


DISCOVERY_VERBS = frozenset(
    {
        "uncover",
        "foil",
        "thwart",
        "disrupt",
        "reveal",
        "expose",
        "investigate",
        "discover",
        "detect",
        "report",
        "allege",
        "accuse",
        "say",
    }
)


def _entity_before(verb: Token) -> list[Token]:
    """A named actor written right before a finite verb the parser left without a subject ("Prime
    Minister Theresa May announces": the small model reads "May" as an auxiliary)."""
    if verb.tag_ not in ("VBZ", "VBD", "VBP") or verb.i == verb.sent.start:
        return []
    before = verb.doc[verb.i - 1]
    if before.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") and before.ent_iob_ in ("B", "I"):
        return [before]
    return []


def _subject(verb: Token) -> list[Token]:
    subj = _kids(verb, "nsubj") or _entity_before(verb)
    while not subj and verb.dep_ in ("xcomp", "conj", "advcl", "ccomp", "pcomp") and verb.head is not verb:
        verb = verb.head.head if verb.dep_ == "pcomp" else verb.head  # "answered by ordering out"
        if verb.lemma_ in DISCOVERY_VERBS:
            return []  # who uncovered or reported a plot is not who plotted it
        subj = _kids(verb, "nsubj")
    if verb.dep_ == "relcl" and (not subj or all(t.lower_ in RELATIVE_PRONOUNS for t in subj)):
        subj = [verb.head]  # "Russia, which does not hand over", "the person who attacked"
    return subj


RELATIVE_PRONOUNS = frozenset({"which", "who", "that", "whom"})


ANNOUNCING_VERBS = frozenset({"announce", "confirm", "declare", "say", "state", "report", "claim"})
OWN_ACT_VERBS = frozenset({"announce", "confirm", "declare"})
IT_THEY = frozenset({"it", "they", "we"})


def _announcer(verb: Token) -> Token | None:
    """The subject of the verb that reports this clause: "the ministry announced that it had ..."."""
    if verb.dep_ != "ccomp" or verb.head.lemma_ not in ANNOUNCING_VERBS:
        return None
    subjects = _subject(verb.head)  # "the Kremlin called ... and said it would": through the "and"
    return subjects[0] if subjects else None


def _speaker_for_pronoun(verb: Token, subjects: list[Token]) -> list[Token]:
    """ "The Revolutionary Guards announced that they had arrested him": "they" is the announcer."""
    if len(subjects) == 1 and subjects[0].lower_ in IT_THEY:
        speaker = _announcer(verb)
        if speaker is not None and speaker.lower_ not in IT_THEY and _is_actor(speaker):
            return [speaker]
    return subjects


def _by_agents(verb: Token) -> list[Token]:
    return _pobjs(verb, "by") + [o for a in _kids(verb, "agent") for o in _kids(a, "pobj")]


ACCUSING_VERBS = frozenset({"accuse", "suspect", "convict", "charge", "blame", "indict", "acquit", "find"})


def _accused(verb: Token) -> list[Token]:
    """ "Tehran accused him of masterminding the bombing", "he was convicted of killing X": the one
    accused of doing a thing is its doer."""
    head = verb
    if head.dep_ == "pcomp" and head.head.lower_ in ("of", "with", "for"):
        accuser = head.head.head
        if accuser.lemma_ in ACCUSING_VERBS:
            if _is_passive(accuser):
                return _patient_subject(accuser)
            return _kids(accuser, "dobj")
    return []


def verb_roles(verb: Token) -> tuple[list[Token], list[Token]]:
    """(agent tokens, target tokens) of a verbal trigger."""
    if _is_passive(verb):
        agents = _by_agents(verb)
        if not agents:  # "sanctioned or otherwise labelled by the government": the "by" serves both
            agents = [
                a
                for v in _kids(verb, "conj") + ([verb.head] if verb.dep_ == "conj" else [])
                for a in _by_agents(v)
            ]
        speaker = _announcer(verb)
        if not agents and speaker is not None and verb.head.lemma_ in OWN_ACT_VERBS and _is_actor(speaker):
            agents = [speaker]  # "Iran's judiciary announced that he had been executed": its own act
        targets = [verb.head] if verb.dep_ in ("acl", "amod") else _patient_subject(verb)
        if verb.dep_ == "ccomp":  # "had their sentences commuted": the possessor is the one freed
            targets = [p for t in targets for p in _kids(t, "poss")] or targets
        return agents, targets
    if verb.lemma_ in RECEIVING_VERBS:  # "X received 13 years": X is the one sentenced
        return [], _subject(verb) or _patient_subject(verb.head if verb.dep_ == "advcl" else verb)
    agents = _accused(verb) or _speaker_for_pronoun(verb, _subject(verb))
    return agents, _kids(verb, "dobj") + _pobjs(verb, "against", "on")


def governing_verb(noun: Token) -> Token | None:
    head = noun.head
    steps = 0
    while head.pos_ not in ("VERB", "AUX") and head is not head.head and steps < 3:
        head = head.head
        steps += 1
    return head if head.pos_ in ("VERB", "AUX") else None


def noun_roles(noun: Token, kind: str) -> tuple[list[Token], list[Token]]:
    """(agent tokens, target tokens) of a nominal trigger."""
    poss = _kids(noun, "poss")
    compounds = [c for c in _kids(noun, "compound", "nmod") if c.ent_type_ == "PERSON" or c.pos_ == "PROPN"]
    targets = _pobjs(noun, "of", "against", "on", "upon")
    agents = _pobjs(noun, "by")
    if kind in VIOLENT_TYPES:
        agents += [p for p in poss if p.ent_type_ not in ("PERSON",) or kind in ("PLOT", "FATWA")]
        targets += [p for p in poss if p not in agents] + compounds
    else:
        targets += poss + [c for c in compounds if c.ent_type_ == "PERSON"]
    verb = governing_verb(noun)
    if not agents and verb is not None and _performs(verb, noun, kind):
        agents = _subject(verb)
    if not targets and verb is not None and noun.dep_ == "dobj" and kind not in VIOLENT_TYPES:
        targets = _pobjs(
            verb, "on", "against"
        )  # "imposed sanctions on X": the parser hangs "on X" on the verb
    return agents, targets


def _performs(verb: Token, noun: Token, kind: str) -> bool:
    """Whether the subject of the verb governing a nominal trigger is the one who acts:
    "prosecutors filed charges", "the gang carried out the attack" (not "charged over the killing")."""
    if _is_passive(verb) or noun.dep_ not in ("dobj", "pobj"):
        return False
    if kind not in VIOLENT_TYPES:
        return verb.lemma_ in ENACT_VERBS
    return noun.dep_ == "dobj" and noun.head.i == verb.i and verb.lemma_ in PERPETRATE_VERBS


def _located_in(token: Token) -> list[Token]:
    """Places inside an actor's phrase: "a court in Bergen", "the Oslo court", "prosecutors in Manhattan"."""
    own_name = token.ent_iob_ == "I"  # "New" in "New Delhi" is part of the actor's own name
    out = [
        c
        for c in token.children
        if c.dep_ in ("compound", "nmod") and c.ent_type_ in ("GPE", "LOC", "FAC") and not own_name
    ]
    return out + [o for o in _pobjs(token, "in", "at") if o.ent_type_ in ("GPE", "LOC", "FAC")]


KIND_PLACE_PREPS = {"TRANSFER": ("to",), "EXTRADITION": ("from",), "ARREST": ("to",)}
VENUE_NOUNS = frozenset(
    """consulate embassy park hotel mosque synagogue church airport prison colony premises residence
home house office headquarters station building compound restaurant cafe square street""".split()
)


def _serving_term(trigger: Token) -> bool:
    """ "where he was serving a ten-year sentence": the place of a term served is the prison, not the
    court's city."""
    verb = trigger.head if trigger.dep_ in ("dobj", "nsubjpass") else None
    return verb is not None and verb.lemma_ == "serve"


def place_tokens(trigger: Token, kind: str, agents: list[Token]) -> list[Token]:
    if kind in COURT_STEPS and _serving_term(trigger):
        return []
    found = _place_of(trigger)
    if not found and trigger.pos_ == "VERB" and kind in KIND_PLACE_PREPS:  # "sent back to Iran"
        found = [o for o in _pobjs(trigger, *KIND_PLACE_PREPS[kind]) if o.ent_type_ in ("GPE", "LOC", "FAC")]
    if not found and kind == "SEARCH_RAID" and trigger.pos_ == "VERB":  # the premises searched
        found = [
            o
            for o in _kids(trigger, "dobj")
            if o.lower_ in VENUE_NOUNS or o.ent_type_ in ("GPE", "FAC", "LOC")
        ]
    if not found and kind in LEGAL_TYPES and kind != "CHARGE":  # "prosecutors in Manhattan charged"
        found = [p for agent in agents for p in _located_in(agent)]
    return found


TERM_VENUES = frozenset({"prison", "colony", "jail", "camp"})


def _fill_places(tokens: list[Token], ents: DocEntities) -> list[Filler]:
    """Place fillers: named places, else venues named by description ("inside its consulate"). Where a
    city is named, the place is the city ("at a hotel in Salzburg" is Salzburg)."""
    named: list[Filler] = []
    venues: list[Token] = []
    for token in tokens:
        filler = filler_for(token, ents)
        if filler is None and token.lower_ in VENUE_NOUNS:
            venues.append(token)
        elif filler is not None and filler.cluster.type != "PERSON":
            named.append(filler)
    if named:
        return _unique(named)
    out: list[Filler] = []
    for venue in venues:
        phrase = noun_phrase(venue)
        out.append(Filler(ents.add_phrase(phrase, "PLACE"), phrase.text))
    return _unique(out)


def _place_of(trigger: Token) -> list[Token]:
    clause = trigger if trigger.pos_ == "VERB" else governing_verb(trigger)
    where = (
        clause is not None and clause.dep_ == "relcl" and any(c.lower_ == "where" for c in clause.children)
    )
    if where and clause is not None and clause.head.ent_type_ in ("GPE", "LOC", "FAC"):
        return [clause.head]  # "Bergen, where he was arrested"
    holders = [trigger]
    if trigger.pos_ == "NOUN":
        verb = governing_verb(trigger)
        if verb is not None:
            holders.append(verb)
    # "shot Lena Fischer in Graz": the parser often hangs the place on the victim
    holders += [o for o in _kids(trigger, "dobj", "nsubjpass") if o.ent_type_ == "PERSON"]
    out = []
    for holder in holders:
        objs = _pobjs(holder, *PLACE_PREPS)
        if trigger.pos_ == "NOUN" and holder.i == trigger.i:
            objs += _pobjs(holder, "of", "on", "against")  # "the bombing of a mosque in Shiraz"
        for obj in objs:
            if (
                obj.ent_type_ in ("GPE", "LOC", "FAC")
                and obj.dep_ == "pobj"
                and obj.head.lower_ in PLACE_PREPS
            ):
                out.append(obj)
            elif obj.lower_ in VENUE_NOUNS and obj.head.lower_ in ("in", "at", "inside", "outside"):
                out.append(obj)  # "inside the Saudi consulate", "at his home"
            elif obj.head.lower_ in PLACE_PREPS:  # "at Ankara airport"
                out += [
                    c for c in obj.children if c.dep_ == "compound" and c.ent_type_ in ("GPE", "LOC", "FAC")
                ]
            out += [
                o
                for p in _kids(obj, "prep")
                if p.lower_ in ("in", "of")
                for o in _kids(p, "pobj")
                if o.ent_type_ in ("GPE", "LOC", "FAC")
            ]
    return out


def attributed_sponsors(sent: Span, *, skip: Token | None = None) -> list[Token]:
    """States or agencies a sentence puts behind an act: "ordered by X", "on behalf of X", "X was behind"."""
    text = sent.text.lower()
    out: list[Token] = []
    for cue in SPONSOR_CUES:
        at = text.find(cue)
        if at >= 0:
            char = sent.start_char + at + len(cue)
            out += [
                t
                for t in sent
                if char < t.idx < char + 60
                and t.ent_type_ in ("ORG", "GPE", "NORP")
                and t.dep_ in ("pobj", "compound", "amod", "conj")
            ][:2]
    for token in sent:
        if token.lemma_ in SPONSOR_VERBS and token is not skip and _about_violence(token):
            out += [t for t in _orderers(token) if _is_actor(t)]
        if token.lower_ == "behind" and token.head.lemma_ == "be":
            out += [t for t in _kids(token.head, "nsubj") if t.ent_type_ in ("ORG", "GPE", "NORP")]
    return out


VIOLENT_WORDS = frozenset(
    """killing murder assassination attack plot poisoning operation bombing shooting
abduction kidnapping it""".split()
)


def _about_violence(verb: Token) -> bool:
    """ "ordered the killing", "the operation was approved by": the verb's object is a violent act."""
    objs = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass", "xcomp", "ccomp")]
    heads = [t for o in objs for t in expand_conj(o)]
    heads += [
        d for o in objs if o.dep_ in ("xcomp", "ccomp") for d in o.children if d.dep_ in ("dobj", "nsubjpass")
    ]
    return any(t.lower_ in VIOLENT_WORDS or t.lemma_ in ("kill", "murder", "assassinate") for t in heads)


def _is_actor(token: Token) -> bool:
    return token.ent_type_ in ("ORG", "GPE", "NORP") or token.lower_ in AUTHORITY_NOUNS


def _orderers(verb: Token) -> list[Token]:
    """Who ordered or directed: the active subject, or every "by X" of a passive, "or by Y" included."""
    if not _is_passive(verb):
        return _subject(verb)
    preps = [
        p for p in verb.subtree if p.dep_ in ("prep", "agent") and p.lower_ == "by" and p.head.i <= verb.i + 6
    ]
    return [o for p in preps for o in _kids(p, "pobj")]


def _own_phrase(token: Token) -> list[Token]:
    """The tokens of a noun's phrase without its clauses ("who had sold secrets to Britain")."""
    out = [token]
    for child in token.children:
        if child.dep_ not in ("relcl", "acl", "advcl", "ccomp", "appos", "punct", "cc", "conj"):
            out += _own_phrase(child)
    return out


def sponsor_tokens(trigger: Token, agents: list[Token]) -> list[Token]:
    """States or agencies the sentence puts behind a violent event."""
    out = attributed_sponsors(trigger.sent, skip=trigger)
    for agent in agents:
        out += [
            c
            for c in _own_phrase(agent)
            if c.i != agent.i
            and c.ent_type_ in ("ORG", "GPE", "NORP")
            and (c.dep_ in ("compound", "amod", "poss") or c.head.lower_ == "of")
        ]
    return out


def fill_roles(trigger: Token, kind: str, ents: DocEntities) -> Roles:
    """Every role of the event the trigger reports, filled from the sentence's syntax."""
    if trigger.pos_ == "VERB":
        agents, targets = verb_roles(trigger)
    else:
        agents, targets = noun_roles(trigger, kind)
    targets = targets + [o for t in targets for o in _pobjs(t, "including")]  # "four officials, including X"
    owners = [] if kind != "SANCTION" else [o for t in targets if t.lemma_ in ASSET_NOUNS for o in _owners(t)]
    roles: Roles = {
        "agent": _fill([a for a in agents if not opens_dateline(a)], ents),  # "BERGEN (Wire desk) - ..."
        "target": _fill([t for t in targets if t.lemma_ not in ASSET_NOUNS], ents, bodies=kind in STATE_ACTS)
        + _owner_fillers(owners, ents),
        "place": _fill_places(
            [
                t
                for t in place_tokens(trigger, kind, agents)
                if kind not in COURT_STEPS or t.lower_ not in TERM_VENUES
            ],
            ents,
        ),
        "sponsor": [],
    }
    if kind in VIOLENT_TYPES:
        sponsors = fill_sponsors(sponsor_tokens(trigger, agents), ents) + _demonym_sponsors(agents, ents)
        states = [f for f in roles["agent"] if f.cluster.type == "STATE"]
        roles["agent"] = [f for f in roles["agent"] if f.cluster.type != "STATE"]
        roles["sponsor"] = _unique(states + sponsors)
    roles["target"] = [f for f in roles["target"] if all(f.cluster is not a.cluster for a in roles["agent"])]
    actors = {id(f.cluster) for f in roles["target"]}
    roles["place"] = [f for f in roles["place"] if id(f.cluster) not in actors]  # "sanctions on Russia"
    return roles


BODY_WORDS = frozenset(
    """consulate consulates embassy embassies mission missions council airline airlines company companies
firm firms bank banks agency agencies institute unit units entities network""".split()
)


def _is_body(token: Token) -> bool:
    """An organisation named by description: a body word, or a plural noun with a nationality."""
    if token.pos_ != "NOUN":
        return False
    demonym = any(c.dep_ in ("amod", "compound") and c.ent_type_ in ("NORP", "GPE") for c in token.children)
    return token.lower_ in BODY_WORDS or (
        demonym and token.tag_ == "NNS" and token.lower_ not in ABSTRACT_TARGETS
    )


ASSET_NOUNS = frozenset({"asset", "assets", "property", "account", "fund", "funds", "holding", "estate"})


def _owners(asset: Token) -> list[Token]:
    """Whose assets are frozen: "the crown prince's assets", "the assets of both suspects", "Russian
    state assets"."""
    owners = _kids(asset, "poss") + _pobjs(asset, "of")
    return owners or [
        c for c in asset.children if c.dep_ in ("amod", "compound") and c.ent_type_ in ("NORP", "GPE")
    ]


def _owner_fillers(owners: list[Token], ents: DocEntities) -> list[Filler]:
    out: list[Filler] = []
    for owner in owners:
        code = demonyms().get(owner.text) if owner.ent_type_ == "NORP" else None
        state = (
            next((c for c in ents.clusters if c.type == "STATE" and c.country == code), None)
            if code
            else None
        )
        out += [Filler(state, owner.text)] if state is not None else _fill([owner], ents)
    return _unique(out)


def fill_sponsors(tokens: list[Token], ents: DocEntities) -> list[Filler]:
    """Sponsor values; a demonym stands for its state, or for the agency it describes ("Russian agencies")."""
    out: list[Filler] = []
    for token in tokens:
        if token.ent_type_ == "NORP":
            if token.head.lower_ in AUTHORITY_NOUNS:
                token = token.head
            else:
                code = demonyms().get(token.text)
                state = next((c for c in ents.clusters if c.type == "STATE" and c.country == code), None)
                if state is not None:
                    out.append(Filler(state, token.text))
                continue
        out += _fill([token], ents)
    return _unique([_as_state(f, ents) for f in out])


STATE_NOUNS = frozenset({"government", "regime", "state", "authorities", "leadership"})


def _as_state(filler: Filler, ents: DocEntities) -> Filler:
    """ "the Iranian regime", "the Indian government" as a sponsor are the state itself."""
    words = filler.text.replace("the ", "").split()
    if len(words) != 2 or words[1].lower() not in STATE_NOUNS:
        return filler
    code = demonyms().get(words[0])
    state = next((c for c in ents.clusters if c.type == "STATE" and c.country == code), None)
    return Filler(state, filler.text) if code and state is not None else filler


def _demonym_sponsors(agents: list[Token], ents: DocEntities) -> list[Filler]:
    out: list[Filler] = []
    for agent in agents:
        if agent.lower_ not in STATE_ROLE_NOUNS:
            continue
        for child in agent.children:
            code = demonyms().get(child.text)
            if code and child.dep_ in ("amod", "compound"):
                state = next((c for c in ents.clusters if c.type == "STATE" and c.country == code), None)
                if state is not None:
                    out.append(Filler(state, child.text))
    return out


def _unique(fillers: list[Filler]) -> list[Filler]:
    out: list[Filler] = []
    for filler in fillers:
        if all(f.cluster is not filler.cluster for f in out):
            out.append(filler)
    return out
