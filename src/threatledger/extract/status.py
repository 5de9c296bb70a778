"""Status (reported / alleged / confirmed / opinion) and the negated-or-hypothetical flag of an event.

Read from the clause around the trigger: negation, modals and conditionals, verbs of demanding or
considering that govern it, hedges and attribution in the sentence, and the writer's own voice in an
opinion piece.
"""

from __future__ import annotations

from spacy.tokens import Token

from threatledger.model import VIOLENT_TYPES

MODALS = frozenset(
    {"will", "would", "could", "may", "might", "should", "can", "must", "shall", "'ll", "wo", "ca"}
)
IRREALIS_HEADS = frozenset(
    """call urge demand seek want plan threaten vow consider propose ask push press face
risk refuse decline hope expect aim intend prepare wish need require await pursue weigh mull debate
recommend request insist""".split()
)
ATTEMPT_HEADS = frozenset({"attempt", "try", "plot", "conspire", "plan", "seek", "scheme"})
REFUSAL_HEADS = frozenset({"refuse", "decline", "reject"})
IRREALIS_MODS = frozenset(
    {"possible", "potential", "proposed", "future", "likely", "further", "eventual", "prospective", "any"}
)
HEDGES = frozenset(
    """allegedly alleged allege alleges accused accuse accuses accusing suspected suspect
purportedly reportedly claimed claim claims claiming believed blamed blame denied deny denies
indictment charges charged complaint prosecutors according""".split()
)
OPINION_MARKERS = frozenset(
    """should must ought we our us need needs shameful outrageous disgraceful
clearly obviously surely undoubtedly naive absurd""".split()
)


def clause_chain(trigger: Token) -> list[Token]:
    """The trigger and the words that govern it up to its clause's root."""
    chain = [trigger]
    token = trigger
    while token.head is not token and token.dep_ not in ("ROOT", "relcl", "acl", "appos") and len(chain) < 6:
        token = token.head
        chain.append(token)
        if token.dep_ in ("ccomp", "ROOT", "parataxis"):
            break
    return chain


NEGATIVE_SUBJECTS = frozenset({"no", "none", "nobody", "neither", "nothing"})
DECISION_HEADS = frozenset({"decide", "conclude", "rule", "authorise", "authorize", "determine"})


def _negated(chain: list[Token]) -> bool:
    for token in chain[:3]:
        if any(c.dep_ == "neg" or c.lower_ in ("never", "no") for c in token.children):
            return True
        for subj in (c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")):
            if subj.lower_ in NEGATIVE_SUBJECTS or any(
                d.lower_ == "no" for d in subj.children if d.dep_ == "det"
            ):
                return True
    return False


def _modal(token: Token) -> bool:
    return any(
        c.dep_ == "aux" and c.tag_ == "MD" and c.lower_ in MODALS and not c.ent_type_ for c in token.children
    )


def is_hypothetical(trigger: Token, kind: str) -> bool:
    """Conditional, future, demanded, considered, refused or denied."""
    chain = clause_chain(trigger)
    if _negated(chain) or any(c.lower_ in IRREALIS_MODS for c in trigger.children if c.dep_ == "amod"):
        return True
    if trigger.lemma_ in ("face", "seek") or trigger.head.lower_ in ("warrant", "warrants"):
        return True
    if any(t.lower_ in UNREAL_PREDICATES for t in chain[1:4]):
        return True
    if any(c.dep_ == "acomp" and c.lower_ in UNREAL_PREDICATES for t in chain[1:3] for c in t.children):
        return True  # "a trial in a Norwegian court is unlikely"
    if _refused_request(trigger):
        return True
    adjunct = _adjunct_at(chain)
    for k, token in enumerate(chain):
        if k >= adjunct:  # "the prisoner Oslo wanted most in the exchange": no wish governs the exchange
            break
        if k > 0 and _refuses(token):
            return True
        if _modal(token) and not any(t.lemma_ in DECISION_HEADS for t in chain[k + 1 :]):
            return True
        if any(c.lower_ in ("if", "unless") for c in token.children if c.dep_ == "mark"):
            return True
        if (
            k > 0
            and token.lemma_ in IRREALIS_HEADS
            and not (kind == "PLOT" and token.lemma_ in ATTEMPT_HEADS)
        ):
            return True
        if k > 0 and token.lemma_ in ("deny", "acquit"):
            return True
    return trigger.lemma_ in ("acquit", "acquittal")


UNREAL_PREDICATES = frozenset({"likely", "unlikely", "possible", "impossible", "short", "prospect", "hope"})
ATTRIBUTION_HEADS = frozenset(
    {
        "say",
        "conclude",
        "find",
        "believe",
        "suspect",
        "claim",
        "accuse",
        "allege",
        "acknowledge",
        "assert",
        "insist",
        "tell",
        "state",
        "report",
    }
)


def _attributed(trigger: Token) -> bool:
    """The event is told as somebody's statement: "Germany says he was poisoned"."""
    return any(t.lemma_ in ATTRIBUTION_HEADS for t in clause_chain(trigger)[1:]) or any(
        t.lower_ in ("according",) for t in trigger.sent
    )


def _refuses(token: Token) -> bool:
    """ "refused", "rejected", and the phrasal "turned down" / "ruled out"."""
    if token.lemma_ in REFUSAL_HEADS:
        return True
    particles = {c.lower_ for c in token.children if c.dep_ == "prt"}
    return (token.lemma_ == "turn" and "down" in particles) or (token.lemma_ == "rule" and "out" in particles)


ASKING_NOUNS = frozenset({"request", "demand", "bid", "attempt", "call", "plea", "effort", "application"})


def _refused_request(trigger: Token) -> bool:
    """ "turned down requests to extradite the suspects", "rejected a bid to free him"."""
    noun = trigger.head if trigger.dep_ in ("acl", "pobj") else None
    if noun is not None and noun.dep_ == "pobj":  # "calls for his extradition"
        noun = noun.head.head
    return noun is not None and noun.lemma_ in ASKING_NOUNS and _refuses(noun.head)


ADJUNCT_PREPS = frozenset({"in", "at", "during", "after", "before", "since", "on", "over"})


def _adjunct_at(chain: list[Token]) -> int:
    """Where the chain leaves the trigger's phrase through a preposition of time or place: words above
    that point govern the phrase as a circumstance, not as what is wished, planned or refused."""
    for k, token in enumerate(chain[1:], start=1):
        if token.dep_ == "prep" and token.lower_ in ADJUNCT_PREPS:
            return k
    return len(chain)


def _refusal(trigger: Token) -> bool:
    chain = clause_chain(trigger)
    return (
        trigger.lemma_ in ("acquit", "acquittal")
        or any(_refuses(t) for t in chain[1:])
        or _refused_request(trigger)
        or (_negated(chain) and any(c.lower_ in ("will", "wo") for t in chain[:2] for c in t.children))
    )


def _hedged(trigger: Token) -> bool:
    words = {t.lower_ for t in trigger.sent} | {t.lemma_ for t in trigger.sent}
    return bool(words & HEDGES)


def _opinion_voice(trigger: Token) -> bool:
    sent = trigger.sent
    if any(t.text in ('"', "“", "”") for t in sent):
        return False
    words = {t.lower_ for t in sent}
    return bool(words & OPINION_MARKERS)


def classify_status(trigger: Token, kind: str, *, hypothetical: bool, opinion_piece: bool) -> str:
    """How the text presents the event."""
    if hypothetical:
        if _refusal(trigger):
            return "confirmed"
        quoted = any(t.text in ('"', "“", "”") for t in trigger.sent)
        writer = (
            opinion_piece and not quoted and not _attributed(trigger) and not _negated(clause_chain(trigger))
        )
        return "opinion" if writer or (opinion_piece and _opinion_voice(trigger)) else "reported"
    if kind in VIOLENT_TYPES:
        if _hedged(trigger) or _attributed(trigger):
            return "alleged"
        return "opinion" if opinion_piece and _opinion_voice(trigger) else "reported"
    if _negated(clause_chain(trigger)):
        return "reported"
    return "confirmed"
