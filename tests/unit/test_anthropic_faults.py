"""API failures become one clear message; offline objections stay; the key never shows."""

from __future__ import annotations

import json
import logging

import httpx2
import pytest

from skeptic.critique.anthropic.client import Credential, base_url, find_credential
from skeptic.critique.pipeline import critique_offline
from skeptic.settings import Settings, parse
from tests.conftest import draft
from tests.fake_anthropic import BODY, KEY, PERSONA, FakeAPI, critique_with, isolate


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, caplog) -> None:
    isolate(monkeypatch)
    for name in ("", "anthropic", "httpx2", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name or None)


def error(kind: str, text: str) -> dict:
    return {"type": "error", "error": {"type": kind, "message": text}}


def offline(reviewers):
    return critique_offline(draft(BODY), reviewers, Settings(), pinned=[PERSONA]).objections


@pytest.mark.parametrize(("status", "kind", "words"), [
    (429, "rate_limit_error", "rate limited (HTTP 429) after 1 retries"),
    (500, "api_error", "the API failed (HTTP 500) after 1 retries"),
    (529, "overloaded_error", "the API is overloaded (HTTP 529) after 1 retries"),
])
async def test_transient_errors_after_retries(reviewers, tmp_path, caplog, status, kind,
                                              words) -> None:
    api = FakeAPI()
    api.script = [(status, error(kind, "try later"), {"retry-after-ms": "1"})] * 2
    result = await critique_with(api, draft(BODY), reviewers, tmp_path,
                                 {"anthropic.maxRetries": 1})
    assert len(api.requests) == 2
    [note] = [m for m in result.messages if m.startswith("Anthropic engine")]
    assert words in note and "3 of 3 request(s) did not complete" in note
    assert result.engine == "offline" and result.objections == offline(reviewers)
    assert "Traceback" not in caplog.text


async def test_a_retry_that_succeeds_is_invisible(reviewers, tmp_path) -> None:
    api = FakeAPI()
    api.script = [(529, error("overloaded_error", "busy"), {"retry-after-ms": "1"})]
    result = await critique_with(api, draft(BODY), reviewers, tmp_path,
                                 {"anthropic.maxRetries": 1})
    assert len(api.requests) == 4 and result.usage["requests"] == 3
    assert result.engine == "anthropic" and result.messages == []


@pytest.mark.parametrize(("failure", "words"), [
    (httpx2.ReadTimeout, "a request timed out after 90 s"),
    (httpx2.ConnectError, "cannot reach https://api.anthropic.com (network error)"),
])
async def test_timeouts_and_network_errors(reviewers, tmp_path, failure, words) -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        raise failure("no", request=request)

    from skeptic.critique.full import critique_full

    settings = Settings({"cacheDir": str(tmp_path), "anthropic.maxRetries": 0})
    result = await critique_full(draft(BODY), reviewers, settings, api_key=KEY,
                                 pinned=[PERSONA],
                                 http_client=httpx2.AsyncClient(
                                     transport=httpx2.MockTransport(handler)))
    [note] = result.messages
    assert words in note and result.objections == offline(reviewers)


@pytest.mark.parametrize("body", [
    (200, b"<html>not json", {}),
    (200, b"<html>not json", {"content-type": "text/html"}),
    (200, {"id": "m", "type": "message", "role": "assistant", "model": "m",
           "content": [{"type": "text", "text": "I'd rather chat."}], "stop_reason": "end_turn",
           "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 1}}, {}),
    (200, {"id": "m", "type": "message", "role": "assistant", "model": "m",
           "content": [{"type": "tool_use", "id": "t", "name": "report_objections",
                        "input": {"findings": "?"}}], "stop_reason": "tool_use",
           "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 1}}, {}),
])
async def test_garbage_loses_only_its_section(reviewers, tmp_path, body) -> None:
    api = FakeAPI()
    api.script = [body]
    result = await critique_with(api, draft(BODY), reviewers, tmp_path)
    assert len(api.requests) == 3
    [note] = result.messages
    assert "an answer was not a valid critique" in note and "1 of 3 request(s)" in note
    assert result.engine == "anthropic"
    assert {o.sentence_id for o in result.objections if o.engine == "anthropic"} == {
        s.id for s in draft(BODY).sentences[2::2]}
    again = FakeAPI()
    await critique_with(again, draft(BODY), reviewers, tmp_path)
    assert again.sections() == ["Introduction"]


async def test_rejected_key_stops_the_run_and_is_never_echoed(reviewers, tmp_path,
                                                              caplog) -> None:
    api = FakeAPI()
    api.script = [(401, error("authentication_error", f"invalid x-api-key {KEY}"), {})]
    result = await critique_with(api, draft(BODY), reviewers, tmp_path)
    assert len(api.requests) == 1
    [note] = result.messages
    assert "the API key was rejected (HTTP 401)" in note and "3 of 3" in note
    assert result.objections == offline(reviewers)
    api.script = [(400, error("invalid_request_error", f"bad field; key was {KEY}"), {})]
    result = await critique_with(api, draft(BODY), reviewers, tmp_path / "again")
    [note] = result.messages
    assert "HTTP 400" in note and "[redacted]" in note
    assert KEY not in caplog.text and KEY not in json.dumps(result.messages)


async def test_the_key_never_reaches_the_logs(reviewers, tmp_path, caplog) -> None:
    api = FakeAPI()
    result = await critique_with(api, draft(BODY), reviewers, tmp_path)
    assert result.engine == "anthropic"
    assert "HTTP Request" in caplog.text
    assert KEY not in caplog.text and KEY[-12:] not in caplog.text
    assert KEY not in repr(Credential(KEY, "editor")) and KEY not in repr(find_credential(KEY))


def test_key_and_address_sources() -> None:
    env = {"ANTHROPIC_AUTH_TOKEN": "tok", "ANTHROPIC_BASE_URL": "http://proxy:8080"}
    assert find_credential(None, {}) is None
    assert find_credential("  ", {"ANTHROPIC_API_KEY": "env"}).source == "ANTHROPIC_API_KEY"
    assert find_credential("ed", env) == Credential("ed", "editor")
    assert find_credential(None, env) == Credential("tok", "ANTHROPIC_AUTH_TOKEN")
    assert base_url(Settings(), env) == "http://proxy:8080"
    assert base_url(Settings({"anthropic.baseUrl": "http://user"}), env) == "http://user"
    assert base_url(Settings(), {}) == "https://api.anthropic.com"
    workspace, problems = parse({"anthropic": {"baseUrl": "http://evil"}}, trusted=False)
    assert base_url(workspace, {}) == "https://api.anthropic.com" and problems
