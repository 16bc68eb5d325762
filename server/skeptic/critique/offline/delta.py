"""The Delta audit: is the contribution structurally new, or prior work X (re)configured?

Three sources, strongest first: the persona's own config-change rules ("per-group where
FlexRound is per-channel"), a sentence that names a catalog system and changes one of its
parameters, and mechanism similarity against the whole catalog.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from skeptic.critique.catalog import Catalog, System
from skeptic.critique.context import Draft, kept, lexicon
from skeptic.critique.offline.bars import sentence_gains
from skeptic.critique.offline.findings import Finding, fill
from skeptic.personas.model import Persona

_CLAIMED = {"contribution", "novelty"}
_SETUP_FACTS = {"gpu-count", "hardware", "batch-size", "model", "baseline"}
_MAX_SYSTEMS = 3
_MIN_TERMS = 2
NAME_TAG = "name:"
_WORD = re.compile(r"[\w|]+")


def design_sentences(draft: Draft) -> list[int]:
    """Sentences describing the author's own design: not prior work, not a sentence that
    describes the evaluation setup or reports a gain or a measured value ("removes the
    lowest 50%" is design; "is 2.2x faster" and "p99 TTFT is 1.9 s" are results), and
    not one that only says how the system was built. A contribution or novelty claim is
    design even when it mentions results."""
    if "design" not in draft.memo:
        experiments = tuple(lexicon()["design"]["evaluation_sections"])
        about_experiments = {n for n in range(len(draft.project.sections)) if any(
            word in heading.title.lower() for heading in draft.project.section_path(n)
            for word in experiments)}
        draft.memo["design"] = [
            i for i, sentence in enumerate(draft.sentences)
            if draft.own[i] and not draft.background[i]
            and sentence.section not in about_experiments and _describes_design(draft, i)]
    return draft.memo["design"]


def _describes_design(draft: Draft, i: int) -> bool:
    """What :func:`design_sentences` asks of the sentence itself (kept with it)."""
    return kept(draft.locals[i].memo, "design", (), lambda: _design(draft, i))


def _design(draft: Draft, i: int) -> bool:
    rules = lexicon()["design"]
    claims = draft.claims(i)
    kinds = {f.kind for f in draft.sentences[i].facts}
    reports_gain = bool(sentence_gains(draft, i))
    reports_value = "number" in kinds and draft.found(i, rules["measurements"]) is not None
    describes_setup = "setup" in claims and bool(kinds & _SETUP_FACTS)
    evaluation = (describes_setup or reports_gain or reports_value) and not (claims & _CLAIMED)
    return not evaluation and draft.found(i, rules["implementation"]) is None


def evaluated_against(draft: Draft, catalog: Catalog) -> set[str]:
    """Catalog systems the draft measures itself against (named in its own comparison or
    setup sentences): for those, the evaluation answers the novelty question."""
    if "evaluated-against" not in draft.memo:
        names: set[str] = set()
        for i in range(len(draft.sentences)):
            if draft.own[i] and draft.claims(i) & {"comparison", "setup"}:
                names.update(system.name for system in names_in(draft, i, catalog))
        draft.memo["evaluated-against"] = names
    return draft.memo["evaluated-against"]


def _spelled(matched: str, system: System) -> bool:
    """True when the words are written as one of the system's spellings (names are
    case-sensitive: "zero point" is not ZeRO)."""
    words = matched.replace("-", " ").split()
    return any(words == spelling.replace("-", " ").split() or spelling.islower()
               for spelling in (system.name, *system.aliases))


def names_in(draft: Draft, i: int, catalog: Catalog) -> list[System]:
    """Catalog systems the sentence names, as they are spelled."""
    return kept(draft.locals[i].memo, "names-in", (catalog,),
                lambda: _names(draft.hits[i], catalog))


def _names(hits: dict[str, str], catalog: Catalog) -> list[System]:
    found = []
    for tag, matched in hits.items():
        if tag.startswith(NAME_TAG):
            system = catalog.find(tag[len(NAME_TAG):])
            if system is not None and _spelled(matched, system):
                found.append(system)
    return list(dict.fromkeys(found))


def _config_rules(draft: Draft, persona: Persona, catalog: Catalog, i: int) -> Iterator[Finding]:
    """The persona's config-change rules; one that matched a parameter ("block size") only
    on a sentence that presents the setting as what the work contributes or changes, not
    on one that just states or sweeps it."""
    rules = lexicon()["delta"]
    presents = (bool(draft.claims(i) & _CLAIMED)
                or draft.found(i, rules["change_markers"]) is not None)
    for change in persona.config_changes:
        match = draft.found(i, change.match)
        if match is None or (not presents and any(
                parameter in match.lower() for parameter in rules["parameters"])):
            continue
        systems = [s for s in (catalog.find(name) for name in change.systems) if s is not None]
        names = ", ".join(change.systems)
        yield Finding("delta-audit", persona, i,
                      fill(change.message, persona, match=match, systems=names),
                      fill(change.question, persona, match=match, systems=names),
                      prior=tuple(s.prior_work() for s in systems[:_MAX_SYSTEMS]))
        return


def _parameter_change(draft: Draft, persona: Persona, catalog: Catalog, i: int
                      ) -> Iterator[Finding]:
    rules = lexicon()["delta"]
    named = names_in(draft, i, catalog)
    marker = draft.found(i, rules["change_markers"])
    parameter = draft.found(i, rules["parameters"])
    has_number = any(f.value is not None for f in draft.sentences[i].facts)
    if named and marker and (parameter or has_number):
        system = named[0]
        values = {"system": system.name, "match": parameter or marker,
                  "mechanism": system.mechanism}
        yield Finding("delta-audit", persona, i, fill(rules["config_message"], persona, **values),
                      fill(rules["config_question"], persona, **values),
                      prior=(system.prior_work(),))


def _independent(matched: list[tuple[str, str]]) -> int:
    """How many of the (term, matched words) pairs are not a part of another: a match is
    a part when its words lie inside the other's and its term says nothing the other's
    does not ("per-tensor scaling" in "per-tensor scaling factor"; but "tofino" is not a
    part of "aggregates ... inside programmable Tofino switches")."""
    distinct = {(text, frozenset(_WORD.findall(term))) for term, text in matched}
    return sum(1 for text, words in distinct if not any(
        (text, words) != (t, w) and text in t and words <= w for t, w in distinct))


def _shared_terms(draft: Draft, catalog: Catalog, i: int, topics: set[str]
                  ) -> tuple[dict[str, float], dict[str, list[tuple[str, str]]]]:
    """Catalog systems sharing mechanism terms with sentence ``i``: their base scores and
    the words that matched. The same for every persona, so kept with the sentence."""
    common = _common(draft, i)
    return kept(draft.locals[i].memo, "shared-terms", (catalog, topics, common),
                lambda: _scores(draft, catalog, i, topics, common))


def _scores(draft: Draft, catalog: Catalog, i: int, topics: set[str], common: tuple[str, ...]
            ) -> tuple[dict[str, float], dict[str, list[tuple[str, str]]]]:
    rules = lexicon()["delta"]
    hits = draft.hits[i]
    scores: dict[str, float] = {}
    matched: dict[str, list[tuple[str, str]]] = {}
    for term in hits:
        weight = catalog.weights.get(term, 0.0)
        if term in topics:
            weight *= rules["topic_weight"]
        if term in common:
            weight *= rules["common_weight"]
        for system in catalog.by_term.get(term, ()):
            scores[system.name] = scores.get(system.name, 0.0) + weight
            matched.setdefault(system.name, []).append((term, hits[term].lower()))
    return scores, matched


def _common(draft: Draft, i: int) -> tuple[str, ...]:
    """The terms of sentence ``i`` that the draft uses so often they count for less."""
    key = ("common", i)
    if key not in draft.memo:
        if "common" not in draft.memo:
            many = lexicon()["delta"]["common_sentences"]
            draft.memo["common"] = {term for term, where in draft.where.items()
                                    if len(where) > many}
        common = draft.memo["common"]
        draft.memo[key] = tuple([term for term in draft.hits[i] if term in common])
    return draft.memo[key]


def closest(draft: Draft, persona: Persona, catalog: Catalog, i: int,
            answered: set[str] = frozenset(), persona_topics: set[str] = frozenset()
            ) -> list[System]:
    """The 1-3 catalog systems whose mechanism the sentence shares: at least two
    independent terms, the more specific the better. Systems in ``answered`` (evaluated
    against, or named in the sentence itself) are left out; ``persona_topics`` (the area
    vocabulary of all personas, the same on every call for one draft) count for less."""
    rules = lexicon()["delta"]
    scores, matched = _shared_terms(draft, catalog, i, persona_topics)
    named = {s.name for s in names_in(draft, i, catalog)}
    ranked = []
    for name, score in scores.items():
        system = catalog.find(name)
        if system is None or name in answered or name in named:
            continue
        if _independent(matched[name]) < _MIN_TERMS:
            continue
        if set(system.areas) & set(persona.areas):
            score *= 1.25
        if system.name in persona.systems:
            score *= 1.25
        ranked.append((score, system))
    ranked.sort(key=lambda item: (-item[0], item[1].name))
    if not ranked or ranked[0][0] < rules["threshold"]:
        return []
    best = ranked[0][0]
    return [s for score, s in ranked[:_MAX_SYSTEMS] if score >= best * rules["closeness"]]


def _similar(draft: Draft, persona: Persona, catalog: Catalog, i: int,
             answered: set[str], topics: set[str]) -> Iterator[Finding]:
    systems = closest(draft, persona, catalog, i, answered, topics)
    if not systems:
        return
    rules = lexicon()["delta"]
    first = systems[0]
    values = {"systems": ", ".join(s.name for s in systems), "first": first.name,
              "first_venue": first.venue, "first_year": first.year,
              "first_mechanism": first.mechanism}
    message = fill(rules["message"], persona, **values)
    for other in systems[1:]:
        message += f"; {other.name} ({other.venue} {other.year}) {other.mechanism}"
    yield Finding("delta-audit", persona, i, message + ".",
                  fill(rules["question"], persona, **values),
                  prior=tuple(s.prior_work() for s in systems))


def delta_audit(draft: Draft, persona: Persona, catalog: Catalog,
                topics: set[str] = frozenset()) -> Iterator[Finding]:
    """At most one Delta finding per design sentence, from the most specific source;
    ``topics`` is the area vocabulary of all personas. Each sentence's finding is kept with
    the sentence, with everything else it depends on."""
    answered = frozenset(evaluated_against(draft, catalog))
    for i in design_sentences(draft):
        found = kept(draft.locals[i].memo, ("delta-audit", persona.id),
                     (persona, catalog, topics, answered, _common(draft, i)),
                     lambda i=i: _delta(draft, persona, catalog, i, answered, topics))
        if found is not None:
            yield Finding(found.kind, persona, i, found.message, found.question,
                          prior=found.prior)


def _delta(draft: Draft, persona: Persona, catalog: Catalog, i: int, answered: set[str],
           topics: set[str]) -> Finding | None:
    if _positions_itself(draft, i, catalog):
        return None
    rule = next(iter([*_config_rules(draft, persona, catalog, i),
                      *_parameter_change(draft, persona, catalog, i)]), None)
    similar = next(_similar(draft, persona, catalog, i, answered, topics), None)
    if rule is not None and similar is not None:
        return _both(rule, similar)
    return rule or similar


def _positions_itself(draft: Draft, i: int, catalog: Catalog) -> bool:
    """The sentence cites or names prior work and says how the draft differs from it."""
    cites = "[cite]" in draft.sentences[i].text or bool(names_in(draft, i, catalog))
    return cites and draft.found(i, lexicon()["delta"]["positioning"]) is not None


def _both(rule: Finding, similar: Finding) -> Finding:
    """A configuration rule and a mechanism match on one sentence: say both, naming the
    systems whose mechanism matched first."""
    named = {work.name for work in rule.prior}
    if all(work.name in named for work in similar.prior):
        return rule
    prior = tuple(dict.fromkeys([*similar.prior, *rule.prior]))[:_MAX_SYSTEMS + 1]
    return replace(rule, message=f"{rule.message} {similar.message}", prior=prior)
