"""What the Anthropic engine sends: cached persona prefix, forced tool, numbered sentences,
and nothing but the draft's own text."""

from __future__ import annotations

import json

import pytest

from skeptic.critique.anthropic.models import accepts_effort, cache_floor
from skeptic.critique.anthropic.prompt import (
    PREFIX_MARGIN,
    TOOL_NAME,
    prefix_tokens,
    relevant_systems,
    system_blocks,
)
from skeptic.latex.sentences import normalize
from skeptic.settings import KINDS
from tests.conftest import draft
from tests.fake_anthropic import (
    BODY,
    PERSONA,
    FakeAPI,
    critique_with,
    isolate,
    numbered,
    section_title,
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch) -> None:
    isolate(monkeypatch)


async def test_request_shape(reviewers, tmp_path) -> None:
    project = draft(BODY)
    api = FakeAPI()
    await critique_with(api, project, reviewers, tmp_path)
    persona = reviewers.persona(PERSONA)
    assert api.sections() == ["Introduction", "Design", "Evaluation"]
    by_section: dict[str, list[str]] = {}
    for sentence in project.sentences:
        by_section.setdefault(project.section_of(sentence).title, []).append(
            normalize(sentence.text))
    for body in api.requests:
        system = body["system"]
        assert system[0] == {"type": "text", "text": persona.prompt}
        assert system[-1]["cache_control"] == {"type": "ephemeral"}
        assert all("cache_control" not in block for block in system[:-1])
        assert body["tool_choice"] == {"type": "tool", "name": TOOL_NAME,
                                       "disable_parallel_tool_use": True}
        [tool] = body["tools"]
        assert tool["name"] == TOOL_NAME and tool["strict"] is True
        item = tool["input_schema"]["properties"]["objections"]["items"]
        assert item["properties"]["kind"]["enum"] == list(KINDS)
        assert {"temperature", "top_p", "top_k"}.isdisjoint(body)
        assert body["model"] == "claude-sonnet-5-5"
        assert body["output_config"] == {"effort": "medium"}
        sentences = numbered(body)
        assert list(sentences.values()) == by_section[section_title(body)]
        assert list(sentences) == list(range(1, len(sentences) + 1))


async def test_only_the_drafts_text_is_sent(reviewers, tmp_path) -> None:
    project = draft(BODY + "% secret reviewer note: do not send\n"
                    "% skeptic: ignore-next-line\nThis silenced sentence stays home.\n")
    api = FakeAPI()
    await critique_with(api, project, reviewers, tmp_path)
    sent = json.dumps(api.requests)
    for absent in ("main.tex", "secret reviewer note", "silenced sentence", str(tmp_path),
                   "\\\\section", "documentclass"):
        assert absent not in sent
    known = {normalize(s.text) for s in project.sentences} | {
        s.title for s in project.sections}
    for body in api.requests:
        outline = body["messages"][0]["content"][0]["text"]
        for line in outline.splitlines()[2:]:
            assert line.strip().lstrip("-* ").strip() in known
        assert set(numbered(body).values()) <= known


def test_cached_prefix_clears_the_model_floor(reviewers) -> None:
    control = {"type": "ephemeral"}
    for model in ("claude-sonnet-5-5", "claude-opus-5", "claude-sonnet-4-6", "claude-haiku-4-5"):
        for persona in reviewers.personas:
            blocks = system_blocks(persona, reviewers.catalog, model, control)
            floor = cache_floor(model)
            size = prefix_tokens(blocks)
            assert size >= floor, (model, persona.id, size)
            _, _, entries = blocks[-1]["text"].partition("Prior work you may cite")
            every = len(relevant_systems(persona, reviewers.catalog))
            assert size >= floor * PREFIX_MARGIN or entries.count("\n- ") == every


def test_effort_only_for_models_that_take_it() -> None:
    assert accepts_effort("claude-sonnet-5-5") and accepts_effort("claude-opus-4-7")
    assert not accepts_effort("claude-sonnet-4-5-20250929")
    assert not accepts_effort("claude-haiku-4-5")
    assert cache_floor("claude-haiku-4-5-20251001") == 4096


async def test_no_effort_sent_to_an_older_model(reviewers, tmp_path) -> None:
    api = FakeAPI()
    await critique_with(api, draft(BODY), reviewers, tmp_path,
                        {"anthropic.model": "claude-sonnet-4-6"})
    assert all(body["output_config"] == {"effort": "medium"} for body in api.requests)
    api = FakeAPI()
    with pytest.warns(DeprecationWarning):
        await critique_with(api, draft(BODY), reviewers, tmp_path / "other",
                            {"anthropic.model": "claude-sonnet-4-5"})
    assert api.requests and all("output_config" not in body for body in api.requests)


def test_default_model_is_a_current_sonnet_of_the_sdk() -> None:
    from typing import get_args

    from anthropic.resources.messages.messages import DEPRECATED_MODELS
    from anthropic.types.model import Model

    from skeptic.settings import DEFAULT_MODEL

    known = {name for arg in get_args(Model) for name in get_args(arg)}
    assert DEFAULT_MODEL in known and DEFAULT_MODEL not in DEPRECATED_MODELS
    assert "sonnet" in DEFAULT_MODEL
