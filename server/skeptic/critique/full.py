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
from skeptic.critique.anthropic.engine import AnthropicEngine
from skeptic.critique.anthropic.merge import merge, to_objection
from skeptic.critique.anthropic.prompt import outline, passages
from skeptic.critique.cache import open_cache
from skeptic.critique.pipeline import Critique, Dismissals, Reviewers, finalize, review_offline
from skeptic.latex.model import Project
from skeptic.settings import Settings

NO_KEY = ("the Anthropic engine needs an API key: set ANTHROPIC_API_KEY in the environment "
          "or hand the key to the editor; showing offline objections")


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
    messages = list(review.messages)
    credential = find_credential(api_key) if settings["engine"] != "offline" else None
    if credential is None or not review.personas:
        if settings["engine"] == "anthropic" and credential is None:
            messages.append(NO_KEY)
        return Critique(finalize(project, review.objections, settings, dismissed),
                        review.choices, messages)

    parts = passages(project, review.draft.sentences)
    with open_cache(settings, log) as cache:
        engine = AnthropicEngine(settings, reviewers.catalog, cache, credential,
                                 http_client=http_client, log=log, progress=progress,
                                 cancelled=cancelled)
        answers = await engine.run(review.personas, parts, outline(project, parts), batch=batch)
        messages += cache.warnings
    messages += answers.messages
    model = [to_objection(finding, persona, parts[index], reviewers.catalog)
             for persona in review.personas
             for index in range(len(parts))
             for finding in answers.findings.get((persona.id, index), ())]
    objections = merge(review.objections, model, list(project.files))
    return Critique(finalize(project, objections, settings, dismissed), review.choices,
                    messages, engine="anthropic" if answers.findings else "offline",
                    usage=answers.usage.as_dict())
