"""Frames: does a trigger word, in its sentence, report an event? Returns the event type or None.

A frame looks at the trigger's dependency context, so "a plot twist", "an attack on free speech",
"executed search warrants" or "a press release" are not events.
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Token

from threatledger.extract.lexicon import ABSTRACT_TARGETS, AUTHORITY_NOUNS, PERSON_NOUNS

DEATH_WORDS = frozenset(
    {"dead", "death", "die", "died", "dies", "killed", "kill", "fatal", "fatally", "murder"}
)
WEAPON_MODIFIERS = frozenset(
    """bomb knife gun arson chemical nerve terrorist terror suicide missile drone
acid grenade armed deadly violent failed foiled attempted militant poison gas rocket""".split()
)
MISSION_WORDS = frozenset(
    {
        "consulate",
        "consulates",
        "embassy",
        "embassies",
        "mission",
        "council",
        "office",
        "offices",
        "centre",
        "center",
        "station",
    }
)
ENVOY_WORDS = frozenset({"ambassador", "ambassadors", "envoy", "envoys", "diplomat", "diplomats", "charge"})
NON_PERSON_OBJECTS = frozenset(
    {
        "warrant",
        "warrants",
        "order",
        "orders",
        "plan",
        "plans",
        "search",
        "searches",
        "contract",
        "deal",
        "strategy",
        "policy",
        "statement",
        "report",
        "video",
    }
)
Frame = Callable[[Token, str], str | None]


def _children(token: Token, *deps: str) -> list[Token]:
    return [c for c in token.children if c.dep_ in deps]


def _objects(token: Token) -> list[Token]:
    """Direct objects, passive subjects and the objects of on/against/of."""
    out = _children(token, "dobj", "nsubjpass", "attr")
    for prep in _children(token, "prep"):
        if prep.lower_ in ("on", "against", "of", "upon"):
            out += _children(prep, "pobj")
    return out


def _is_concrete(token: Token) -> bool:
    if token.lower_ in ABSTRACT_TARGETS or token.lemma_ in ABSTRACT_TARGETS:
        return False
    return (
        token.ent_type_ in ("PERSON", "ORG", "GPE", "FAC", "LOC", "NORP")
        or token.pos_ in ("PROPN", "PRON")
        or token.lower_ in PERSON_NOUNS
        or token.lower_ in AUTHORITY_NOUNS
        or token.pos_ == "NOUN"
    )


def _abstract(token: Token) -> bool:
    return any(o.lower_ in ABSTRACT_TARGETS or o.lemma_ in ABSTRACT_TARGETS for o in _objects(token))


PLAN_HEADS = frozenset(
    {
        "attempt",
        "try",
        "plan",
        "plot",
        "seek",
        "conspire",
        "arrange",
        "contract",
        "hire",
        "recruit",
        "scheme",
        "prepare",
        "foil",
        "thwart",
    }
)


def planned(token: Token) -> bool:
    """An attack or killing that was only planned or attempted: the event is the plot."""
    doc = token.doc
    if (
        token.i >= 2
        and doc[token.i - 1].lower_ == "to"
        and doc[token.i - 2].lemma_ in PLAN_HEADS | {"conspiracy"}
    ):
        return True
    head = token
    for _ in range(4):
        if head.dep_ not in ("xcomp", "dobj", "pobj", "prep", "advcl", "acl", "ccomp") or head.head is head:
            return False
        head = head.head
        if head.lemma_ in PLAN_HEADS:
            return True
    return False


def attack(token: Token, kind: str) -> str | None:
    if _abstract(token):
        return None
    if planned(token):
        return "PLOT"
    if token.pos_ == "VERB":
        return (
            kind
            if any(_is_concrete(o) for o in _objects(token)) or token.dep_ in ("xcomp", "ccomp")
            else None
        )
    mods = {c.lower_ for c in token.children if c.dep_ in ("compound", "amod", "nmod", "poss", "nummod")}
    if mods & WEAPON_MODIFIERS or any(c.dep_ in ("poss", "nummod") for c in token.children):
        return kind
    if any(_is_concrete(o) for o in _objects(token)) or _children(token, "acl", "relcl"):
        return kind
    return (
        kind
        if token.dep_ in ("nsubjpass", "dobj", "pobj", "nsubj")
        and token.i > 0
        and token.doc[token.i - 1].lower_ in ("the", "this", "that")
        else None
    )


VIOLENT_CONTEXT = frozenset(
    """kill killing murder murdering assassinate assassination bomb bombing attack
arson explosive explosives abduct abduction kidnap kidnapping target targeting foil foiled thwart thwarted
terror terrorist assassin assassins poison hitman hitmen shoot""".split()
)


def plot(token: Token, kind: str) -> str | None:
    """A conspiracy to do violence, not the plot of a novel or a plot twist."""
    nxt = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
    if nxt is not None and nxt.lower_ in ("twist", "twists", "line", "lines", "of", "point"):
        return None
    words = {t.lower_ for t in token.sent}
    return kind if words & VIOLENT_CONTEXT else None


def conspiracy(token: Token, kind: str) -> str | None:
    text = " ".join(t.lower_ for t in token.subtree)
    return kind if any(w in text for w in ("murder", "kill", "assassinat", "bomb", "attack")) else None


def violent_verb(token: Token, kind: str) -> str | None:
    return kind if _objects(token) or token.dep_ in ("xcomp", "amod") else None


def poison(token: Token, kind: str) -> str | None:
    if _abstract(token):
        return None  # "would poison relations"
    words = {t.lower_ for t in token.sent}
    if words & {"survived", "survive", "survives", "recovered", "coma"}:
        return "ATTACK"
    return "KILLING" if words & DEATH_WORDS else "ATTACK"


def aircraft(token: Token, kind: str) -> str | None:
    objs = " ".join(o.lower_ for o in _objects(token))
    return kind if any(w in objs for w in ("plane", "flight", "jet", "aircraft", "airliner")) else None


def threat(token: Token, kind: str) -> str | None:
    mods = {c.lower_ for c in token.children}
    if token.pos_ == "NOUN" and (mods & {"security", "existential", "national"} or _abstract(token)):
        return None
    if token.pos_ == "VERB" and _children(token, "xcomp") and not _objects(token):
        return kind
    return kind


def kill(token: Token, kind: str) -> str | None:
    if _abstract(token) or any(c.lower_ == "off" for c in token.children):
        return None
    if token.head.lemma_ in ("survive", "escape"):
        return "ATTACK"
    return "PLOT" if planned(token) else kind


def shoot(token: Token, kind: str) -> str | None:
    if _abstract(token):
        return None
    if token.head.lemma_ in ("survive", "escape") or token.lemma_ == "shooting":
        return "ATTACK"
    objs = _objects(token)
    if objs and all(o.lower_ in ("video", "film", "footage", "photo") for o in objs):
        return None
    return kind


def gun_down(token: Token, kind: str) -> str | None:
    return kind if any(c.lower_ == "down" for c in token.children) else None


def spyware(token: Token, kind: str) -> str | None:
    words = {t.lemma_ for t in token.sent}
    return kind if words & {"infect", "hack", "install", "plant", "target", "use"} else None


def arrest(token: Token, kind: str) -> str | None:
    if token.lower_ == "arrest" and token.head.lower_ == "house":
        return None
    mods = {c.lower_ for c in token.children}
    return None if "house" in mods else kind


def seize(token: Token, kind: str) -> str | None:
    objs = _objects(token)
    return (
        kind
        if any(o.ent_type_ == "PERSON" or o.lower_ in PERSON_NOUNS or o.pos_ == "PRON" for o in objs)
        else None
    )


def search(token: Token, kind: str) -> str | None:
    if token.pos_ == "NOUN":
        return (
            kind
            if any(c.lower_ in ("warrant", "warrants") for c in token.head.children)
            or token.head.lower_ in ("warrant", "warrants")
            or _children(token, "prep")
            else None
        )
    objs = _objects(token)
    return kind if objs and not any(o.lower_ in ("for", "answers") for o in objs) else None


def charge(token: Token, kind: str) -> str | None:
    if token.pos_ == "NOUN":
        if any(c.lower_ == "in" for c in token.children) or token.head.lower_ == "in":
            return None
        return (
            kind
            if token.tag_ == "NNS" or _children(token, "prep") or token.dep_ in ("dobj", "nsubjpass")
            else None
        )
    if any(c.lower_ in ("battery", "phone", "fee") for c in _objects(token)):
        return None
    return kind


def indictment(token: Token, kind: str) -> str | None:
    prev = token.doc[token.i - 1] if token.i > 0 else None
    if token.head.lower_ in ("to", "according") or (prev is not None and prev.lower_ == "to"):
        return None
    return kind


def trial(token: Token, kind: str) -> str | None:
    return kind


def try_(token: Token, kind: str) -> str | None:
    passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in token.children)
    absentia = any(t.lower_ == "absentia" for t in token.subtree)
    return kind if (passive or absentia) and not _children(token, "xcomp") else None


def verdict(token: Token, kind: str) -> str | None:
    return None


def sentence(token: Token, kind: str) -> str | None:
    if token.pos_ == "VERB":
        return kind
    words = {t.lower_ for t in token.subtree} | {c.lower_ for c in token.head.children}
    prison = {
        "prison",
        "years",
        "year",
        "life",
        "death",
        "jail",
        "suspended",
        "months",
        "term",
        "his",
        "her",
        "their",
    }
    return kind if words & prison else None


DOCUMENT_WORDS = frozenset(
    """footage details names data information documents findings assessment report reports video videos
statement statements figures photos images recording recordings transcript letter list files""".split()
)


def release(token: Token, kind: str) -> str | None:
    mods = {c.lower_ for c in token.children}
    if mods & {"press", "news"} or token.doc[max(token.i - 1, 0)].lower_ in ("press", "news"):
        return None
    if token.dep_ in ("acl", "relcl", "amod") and token.head.lower_ in DOCUMENT_WORDS | NON_PERSON_OBJECTS:
        return None  # "an assessment released last year", "a video he released"
    if token.pos_ == "VERB" and any(t.lemma_ in ("swap", "exchange") for t in token.subtree):
        return "TRANSFER"  # "freed in a spy swap": a prisoner exchange, not a release
    objs = _objects(token)
    if objs and all(
        o.lower_ in NON_PERSON_OBJECTS
        or o.lower_ in ("footage", "details", "names", "data", "information", "documents", "findings")
        for o in objs
    ):
        return None
    return kind


def exchange(token: Token, kind: str) -> str | None:
    words = {t.lower_ for t in token.sent}
    return kind if words & {"prisoner", "prisoners", "swap", "spy", "spies", "freed", "released"} else None


def freeze(token: Token, kind: str) -> str | None:
    words = {t.lower_ for t in token.subtree} | {t.lower_ for t in token.head.subtree}
    return kind if words & {"asset", "assets", "funds", "accounts"} else None


def ban(token: Token, kind: str) -> str | None:
    words = {t.lower_ for t in token.subtree}
    return kind if words & {"travel", "airspace", "entry", "airlines", "visa"} else None


def designate(token: Token, kind: str) -> str | None:
    words = {t.lower_ for t in token.sent}
    return kind if words & {"terrorist", "terror", "terrorism"} else None


def execute(token: Token, kind: str) -> str | None:
    objs = _objects(token)
    if any(o.lower_ in NON_PERSON_OBJECTS for o in objs):
        return None
    if token.pos_ == "NOUN":
        return kind if not any(c.lower_ in ("warrant", "order") for c in token.children) else None
    return kind


def hang(token: Token, kind: str) -> str | None:
    objs = _objects(token)
    return (
        kind
        if any(o.ent_type_ == "PERSON" or o.pos_ == "PRON" or o.lower_ in PERSON_NOUNS for o in objs)
        else None
    )


def envoy(token: Token, kind: str) -> str | None:
    return kind if any(o.lower_ in ENVOY_WORDS for o in _objects(token)) else None


def mission(token: Token, kind: str) -> str | None:
    objs = [t.lower_ for o in _objects(token) for t in o.subtree]
    return kind if set(objs) & MISSION_WORDS else None


def ties(token: Token, kind: str) -> str | None:
    objs = {t.lower_ for o in _objects(token) for t in o.subtree}
    return kind if objs & {"ties", "relations", "contacts", "contact", "cooperation", "talks"} else None


def violent_noun(token: Token, kind: str) -> str | None:
    words = {t.lower_ for t in token.subtree}
    return kind if words & {"kill", "murder", "assassinate", "bomb", "attack", "abduct", "kidnap"} else None


FRAMES: dict[str, Frame] = {
    "attack": attack,
    "plot": plot,
    "conspiracy": conspiracy,
    "violent_verb": violent_verb,
    "poison": poison,
    "aircraft": aircraft,
    "threat": threat,
    "kill": kill,
    "shoot": shoot,
    "gun_down": gun_down,
    "spyware": spyware,
    "arrest": arrest,
    "seize": seize,
    "search": search,
    "charge": charge,
    "indictment": indictment,
    "trial": trial,
    "try": try_,
    "verdict": verdict,
    "sentence": sentence,
    "release": release,
    "exchange": exchange,
    "freeze": freeze,
    "ban": ban,
    "designate": designate,
    "execute": execute,
    "hang": hang,
    "envoy": envoy,
    "mission": mission,
    "ties": ties,
    "violent_noun": violent_noun,
}


INSTRUMENT_HEADS = frozenset(
    """treaty treaties warrant warrants law laws agreement agreements procedure procedures request
requests hearing hearings proceedings record records order orders list lists regime""".split()
)


def _names_an_instrument(token: Token) -> bool:
    """ "the extradition treaty", "an arrest warrant": the noun only names a legal instrument."""
    return token.pos_ == "NOUN" and token.dep_ == "compound" and token.head.lower_ in INSTRUMENT_HEADS


def _in_boilerplate(token: Token) -> bool:
    """ "FOR IMMEDIATE RELEASE": a short line in capitals is a press office's label, not news."""
    sent = token.sent
    words = [t for t in sent if t.is_alpha]
    return 0 < len(words) <= 8 and all(t.is_upper for t in words[:3]) and token.is_upper


def apply_frame(name: str | None, token: Token, kind: str) -> str | None:
    """The event type the trigger reports in context, or None when it reports no event."""
    if _names_an_instrument(token) or _in_boilerplate(token):
        return None
    if name is None:
        return kind
    return FRAMES[name](token, kind)


def ruling(token: Token, kind: str) -> str | None:
    words = {t.lower_ for t in token.subtree}
    return kind if words & {"responsible", "guilty", "violated", "liable"} else None


def legal_context(token: Token, kind: str) -> str | None:
    words = {t.lemma_ for t in token.sent}
    return kind if words & {"prosecutor", "court", "unseal", "file", "indictment"} else None


def prison_move(token: Token, kind: str) -> str | None:
    words = {t.lower_ for t in token.subtree}
    return kind if words & {"colony", "prison", "jail", "camp", "custody"} else None


def treaty(token: Token, kind: str) -> str | None:
    return kind if any(o.lower_ in ("treaty", "agreement", "accord") for o in _objects(token)) else None


def hand_over(token: Token, kind: str) -> str | None:
    if not any(c.lower_ == "over" for c in token.children):
        return None
    objs = _objects(token)
    return (
        kind
        if any(
            o.ent_type_ == "PERSON"
            or o.lower_ in PERSON_NOUNS
            or o.pos_ == "PRON"
            or o.lower_ in ("citizens", "nationals")
            for o in objs
        )
        else None
    )


FRAMES.update(
    {
        "ruling": ruling,
        "legal_context": legal_context,
        "prison_move": prison_move,
        "treaty": treaty,
        "hand_over": hand_over,
    }
)
