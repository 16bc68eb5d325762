"""Runs of the Anthropic engine: caching, re-sending only what changed, merging with the
offline objections, budgets, concurrency, cancellation, batch mode and engine choice."""

from __future__ import annotations

import asyncio

import httpx2
import pytest

from skeptic.critique.anthropic.client import Credential
from skeptic.critique.anthropic.engine import AnthropicEngine
from skeptic.critique.anthropic.prompt import outline, passages
from skeptic.critique.cache import open_cache
from skeptic.critique.full import critique_full
from skeptic.critique.pipeline import critique_offline
from skeptic.latex.project import load_from_disk
from skeptic.settings import Settings
from tests.conftest import draft
from tests.fake_anthropic import (
    BODY,
    KEY,
    PERSONA,
    FakeAPI,
    critique_with,
    isolate,
    numbered,
    section_title,
)

SIGNED = "Dr. Kira Vashti (KV cache & GPU memory)"  # another persona is also Dr. Kira Vashti


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch) -> None:
    isolate(monkeypatch)


async def test_unchanged_draft_is_never_sent_twice(reviewers, tmp_path) -> None:
    api = FakeAPI()
    pinned = (PERSONA, "inference-accelerators")
    first = await critique_with(api, draft(BODY), reviewers, tmp_path, pinned=pinned)
    assert first.engine == "anthropic" and len(api.requests) == 2 * 3
    assert first.usage["requests"] == 6 and first.usage["cache_hits"] == 0
    again = await critique_with(api, draft(BODY), reviewers, tmp_path, pinned=pinned)
    assert len(api.requests) == 6
    assert again.usage["requests"] == 0 and again.usage["cache_hits"] == 6
    assert again.engine == "anthropic" and again.objections == first.objections


async def test_editing_one_sentence_resends_only_its_section(reviewers, tmp_path) -> None:
    api = FakeAPI()
    pinned = (PERSONA, "inference-accelerators")
    await critique_with(api, draft(BODY), reviewers, tmp_path, pinned=pinned)
    edited = BODY.replace("per-channel scales", "per-token scales")
    await critique_with(api, draft("% a comment moves every offset\n" + edited), reviewers,
                        tmp_path, pinned=pinned)
    assert api.sections()[6:] == ["Design", "Design"]
    assert {body["system"][0]["text"] for body in api.requests[6:]} == {
        reviewers.persona(p).prompt for p in pinned}


async def test_model_wording_wins_offline_facts_stay(reviewers, tmp_path) -> None:
    project = draft(BODY)
    offline = critique_offline(project, reviewers, Settings(), pinned=[PERSONA])
    target = next(o for o in offline.objections if o.kind == "delta-audit")
    sentence = next(s for s in project.sentences if s.id == target.sentence_id)
    section = project.section_of(sentence).title

    def objections(body):
        if section_title(body) != section:
            return []
        number = next(n for n, text in numbered(body).items() if text == sentence.text)
        return [{"kind": "delta-audit", "sentence": number, "quote": sentence.text[:20],
                 "message": "Model: this is H2O with a new name.", "question": "What is new?",
                 "prior_work": ["H2O", "Quest"], "twist": None}]

    result = await critique_with(FakeAPI(objections), project, reviewers, tmp_path)
    same = [o for o in result.objections
            if o.sentence_id == target.sentence_id and o.kind == "delta-audit"]
    assert len(same) == 1
    [merged] = same
    assert merged.engine == "anthropic" and merged.message.startswith("Model:")
    assert merged.prior_names[:len(target.prior_names)] == target.prior_names[:3]
    assert merged.twist == target.twist
    others = {(o.sentence_id, o.kind) for o in offline.objections}
    assert others <= {(o.sentence_id, o.kind) for o in result.objections}


async def test_unknown_prior_work_is_kept_by_name(reviewers, tmp_path) -> None:
    result = await critique_with(FakeAPI(), draft(BODY), reviewers, tmp_path)
    model = next(o for o in result.objections if o.engine == "anthropic")
    names = {w.name: w for w in model.prior_work}
    assert names["NoSuchSystem"].year == 0 and names["H2O"].year > 0


async def test_budget_names_what_was_skipped(reviewers, tmp_path) -> None:
    api = FakeAPI()
    result = await critique_with(api, draft(BODY), reviewers, tmp_path,
                                 {"anthropic.maxRequestsPerRun": 2})
    assert api.sections() == ["Introduction", "Design"]
    assert result.usage["skipped"] == 1
    [note] = [m for m in result.messages if "budget" in m]
    assert f"{SIGNED} · Evaluation" in note and "maxRequestsPerRun" in note
    tokens = FakeAPI()
    result = await critique_with(tokens, draft(BODY), reviewers, tmp_path / "t",
                                 {"anthropic.maxInputTokensPerRun": 1000})
    assert tokens.requests == [] and result.usage["skipped"] == 3
    assert result.engine == "offline"
    assert {o.engine for o in result.objections} == {"offline"}


async def test_concurrency_limit_and_warm_prefix(reviewers, tmp_path) -> None:
    api = FakeAPI()
    in_flight: list[int] = []
    now = 0

    async def handler(request: httpx2.Request) -> httpx2.Response:
        nonlocal now
        now += 1
        in_flight.append(now)
        await asyncio.sleep(0.01)
        now -= 1
        return api.handler(request)

    many = "\n".join(f"\\section{{Part {n}}}\nWe adaptively evict tokens in part {n}."
                     for n in range(8))
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
    settings = Settings({"cacheDir": str(tmp_path), "anthropic.concurrency": 3})
    result = await critique_full(draft(many), reviewers, settings, api_key=KEY,
                                 pinned=[PERSONA], http_client=client)
    assert result.usage["requests"] == 8 and api.sections()[0] == "Part 0"
    assert in_flight[:2] == [1, 1] and max(in_flight) == 3
    assert result.usage["cache_read_input_tokens"] == 7 * 2600


async def test_cancellation_stops_sending(reviewers, tmp_path) -> None:
    api = FakeAPI()
    seen: list[str] = []
    result = await critique_with(api, draft(BODY), reviewers, tmp_path,
                                 progress=seen.append, cancelled=lambda: len(seen) >= 1)
    assert len(api.requests) == 1 and seen == [f"{SIGNED} · Introduction"]
    assert "critique cancelled: 2 request(s) not sent" in result.messages


async def test_batch_mode_fills_the_same_cache(reviewers, tmp_path) -> None:
    api = FakeAPI()
    project = draft(BODY)
    review_passages = passages(project, project.sentences)
    settings = Settings({"cacheDir": str(tmp_path)})
    seen: list[str] = []
    with open_cache(settings) as cache:
        engine = AnthropicEngine(settings, reviewers.catalog, cache, Credential(KEY, "editor"),
                                 http_client=api.client(), progress=seen.append, poll_first=0)
        answers = await engine.run([reviewers.persona(PERSONA)], review_passages,
                                   outline(project, review_passages), batch=True)
    assert answers.usage.requests == 3 and len(answers.findings) == 3
    assert [p.split(" /v1")[1] for p in api.paths] == [
        "/messages/batches", "/messages/batches/msgbatch_1", "/messages/batches/msgbatch_1",
        "/messages/batches/msgbatch_1/results"]
    assert seen == ["batch msgbatch_1: 3 request(s) submitted", "batch msgbatch_1: 3/3 done"]
    assert all(b["system"][-1]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
               for b in api.requests)
    again = FakeAPI()
    result = await critique_with(again, project, reviewers, tmp_path)
    assert again.requests == [] and result.usage["cache_hits"] == 3


async def test_batch_items_that_failed_are_reported(reviewers, tmp_path) -> None:
    api = FakeAPI()
    api.batch_errors = 1
    project = draft(BODY)
    review_passages = passages(project, project.sentences)
    with open_cache(Settings({"cacheDir": str(tmp_path)})) as cache:
        engine = AnthropicEngine(Settings(), reviewers.catalog, cache, Credential(KEY, "editor"),
                                 http_client=api.client(), poll_first=0)
        answers = await engine.run([reviewers.persona(PERSONA)], review_passages,
                                   outline(project, review_passages), batch=True)
    assert sorted(answers.findings) == [(PERSONA, 1), (PERSONA, 2)]
    [note] = answers.messages
    assert "a batch request errored: Overloaded" in note and "1 of 3 request(s)" in note


async def test_engine_choice(reviewers, tmp_path, monkeypatch) -> None:
    api = FakeAPI()
    auto = await critique_with(api, draft(BODY), reviewers, tmp_path, key=None)
    assert auto.engine == "offline" and auto.usage is None and api.requests == []
    wanted = await critique_with(api, draft(BODY), reviewers, tmp_path, {"engine": "anthropic"},
                                 key=None)
    assert wanted.engine == "offline" and api.requests == []
    assert any("needs an API key" in m for m in wanted.messages)
    offline = await critique_with(api, draft(BODY), reviewers, tmp_path, {"engine": "offline"})
    assert offline.engine == "offline" and api.requests == []
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    from_env = await critique_with(api, draft(BODY), reviewers, tmp_path, key=None)
    assert from_env.engine == "anthropic" and len(api.requests) == 3
    assert {h["authorization"] for h in api.headers} == {f"Bearer {KEY}"}


async def test_a_key_in_a_workspace_file_is_ignored(reviewers, tmp_path) -> None:
    folder = tmp_path / "paper"
    (folder / ".vscode").mkdir(parents=True)
    (folder / ".env").write_text(f"ANTHROPIC_API_KEY={KEY}\nANTHROPIC_BASE_URL=http://evil\n")
    (folder / ".vscode" / "settings.json").write_text(
        f'{{"skeptic.anthropic.apiKey": "{KEY}", "skeptic.engine": "anthropic"}}')
    (folder / "main.tex").write_text(draft(BODY).files["main.tex"].text)
    project = load_from_disk(folder / "main.tex", folder)
    api = FakeAPI()
    result = await critique_with(api, project, reviewers, tmp_path / "cache", key=None)
    assert result.engine == "offline" and api.requests == []


async def test_empty_answers_are_cached_too(reviewers, tmp_path) -> None:
    api = FakeAPI(lambda body: [])
    first = await critique_with(api, draft(BODY), reviewers, tmp_path)
    again = await critique_with(api, draft(BODY), reviewers, tmp_path)
    assert first.engine == again.engine == "anthropic"
    assert len(api.requests) == 3 and again.usage["cache_hits"] == 3
