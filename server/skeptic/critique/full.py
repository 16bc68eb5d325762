"""The full critique: the offline rules, then the Anthropic engine when a key allows it.

Which engine runs is decided by the ``engine`` setting and by whether a key is at hand
(the SDK would only fail at the first request, with a ``TypeError``): ``auto`` uses the
Anthropic engine iff there is a key, ``anthropic`` without a key falls back to offline with
a message. Whatever fails on the API side, the offline objections are returned.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from skeptic.critique.anthropic.client import find_credential
from skeptic.critique.pipeline import (
    Critique,
    Dismissals,
    Reviewers,
    conclude,
    critique_offline,
    finalize,
    review_offline,
)
from skeptic.latex.model import Project
from skeptic.settings import Settings

NO_KEY = ("the Anthropic engine needs an API key: set ANTHROPIC_API_KEY in the environment "
          "or hand the key to the editor; showing offline objections")


def stays_offline(settings: Settings, api_key: str | None) -> bool:
    """True when a run needs no API: the engine setting says offline, or no key is at hand."""
    return settings["engine"] == "offline" or find_credential(api_key) is None


def critique_offline_run(project: Project, reviewers: Reviewers, settings: Settings, *,
                         pinned: Iterable[str] = (),
                         dismissed: Dismissals | None = None) -> Critique:
    """What :func:`critique_full` returns when :func:`stays_offline` (no event loop needed)."""
    result = critique_offline(project, reviewers, settings, pinned, dismissed)
    if settings["engine"] == "anthropic":
        result.messages.append(NO_KEY)
    return result


async def critique_full(project: Project, reviewers: Reviewers, settings: Settings, *,
                        api_key: str | None, pinned: Iterable[str] = (),
                        dismissed: Dismissals | None = None,
                        progress: Callable[[str], None] | None = None,
                        cancelled: Callable[[], bool] | None = None,
                        http_client: object = None, log: logging.Logger | None = None,
                        batch: bool = False) -> Critique:
    """Critique ``project`` with every engine the settings and the key allow.

    ``progress`` hears "Persona · Section" before each request, ``cancelled`` is polled
    between requests (when it returns True nothing more is sent), ``batch`` sends the
    requests through the Message Batches API and polls for the results.
    """
    review = review_offline(project, reviewers, settings, pinned)
    credential = find_credential(api_key) if settings["engine"] != "offline" else None
    if credential is None or not review.personas:
        result = conclude(project, review, settings, dismissed)
        if settings["engine"] == "anthropic" and credential is None:
            result.messages.append(NO_KEY)
        return result

    # Imported here: an offline run (the common case) need not load the engine.
    from skeptic.critique.anthropic.engine import AnthropicEngine
    from skeptic.critique.anthropic.merge import merge, to_objection
    from skeptic.critique.anthropic.prompt import outline, passages
    from skeptic.critique.cache import open_cache

    parts = passages(project, review.draft.sentences)
    with open_cache(settings, log) as cache:
        engine = AnthropicEngine(settings, reviewers.catalog, cache, credential,
                                 http_client=http_client, log=log, progress=progress,
                                 cancelled=cancelled)
        answers = await engine.run(review.personas, parts, outline(project, parts), batch=batch)
    messages = [*review.messages, *cache.warnings, *answers.messages]
    model = [to_objection(finding, persona, parts[index], reviewers.catalog)
             for persona in review.personas
             for index in range(len(parts))
             for finding in answers.findings.get((persona.id, index), ())]
    objections = merge(review.objections, model, list(project.files))
    return Critique(finalize(project, objections, settings, dismissed), review.choices,
                    messages, engine="anthropic" if answers.findings else "offline",
                    usage=answers.usage.as_dict())
