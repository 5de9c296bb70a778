"""The trigger lexicon and word lists, loaded once from package data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class TriggerWord:
    type: str
    pos: frozenset[str]
    frame: str | None


@cache
def _raw() -> dict[str, Any]:
    text = resources.files("threatledger.data").joinpath("triggers.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def trigger_words() -> dict[str, TriggerWord]:
    return {
        lemma: TriggerWord(v["type"], frozenset(v["pos"]), v.get("frame"))
        for lemma, v in _raw()["words"].items()
    }


@cache
def trigger_phrases() -> list[tuple[str, list[dict[str, Any]]]]:
    return [(p["type"], p["pattern"]) for p in _raw()["phrases"]]


PERSON_NOUNS = frozenset(
    """man woman men women suspect suspects defendant defendants operative operatives agent
agents officer officers official officials diplomat diplomats spy spies gunman gunmen assassin assassins
journalist journalists activist activists dissident dissidents leader leaders businessman national nationals
citizen citizens critic critics defector defectors victim victims attacker attackers assailant killer killers
member members employee employees adviser advisor commander colonel general minister ambassador envoy
prisoner prisoners detainee detainees accused person people individual individuals father mother son daughter
wife husband brother sister driver pilot worker workers writer author blogger opponent opponents cleric
student students guard guards associate associates accomplice accomplices figure figures
hitman hitmen""".split()
)
AUTHORITY_NOUNS = frozenset(
    """court courts judge judges tribunal prosecutor prosecutors prosecution police
authorities authority government governments ministry department agency agencies service services
investigators investigator treasury administration council parliament jury chamber office bureau
regime state states kremlin army military navy commission union judiciary guards corps""".split()
)
ABSTRACT_TARGETS = frozenset(
    """speech freedom freedoms democracy dissent diplomacy relations right rights
law order rule press truth peace idea ideas values principle principles sovereignty credibility
reputation economy talks deal process proposal proposals bill bills budget plan plans policy policies
decision decisions reform reforms legislation report reports claim claims ruling motion idea agenda
initiative measure measures project scheme story stories narrative""".split()
)
PRONOUNS_PERSON = frozenset({"he", "him", "his", "she", "her", "himself", "herself"})
PRONOUNS_PLURAL = frozenset({"they", "them", "their"})
