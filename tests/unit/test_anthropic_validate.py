"""Model output is untrusted: bad kinds, sentence numbers and quotes are dropped and counted,
and what is kept lands on the exact source span of its sentence."""

from __future__ import annotations

import logging

import pytest

from skeptic.critique.anthropic.validate import MalformedOutput, quote_found, validate
from tests.conftest import draft, slice_of
from tests.fake_anthropic import BODY, KEY, PERSONA, FakeAPI, critique_with, isolate

SENTENCES = ["We propose TierKV, which adaptively evicts tokens from the KV cache.",
             "It is 1.3× faster than vLLM ([cite]) on 8~GPUs at 5% R&D cost."]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch) -> None:
    isolate(monkeypatch)


def item(**changes):
    base = {"kind": "mechanism", "sentence": 1, "quote": "adaptively evicts",
            "message": "How?", "question": "Which mechanism?", "prior_work": [], "twist": None}
    return {**base, **changes}


def test_quotes_match_after_normalization() -> None:
    assert quote_found("adaptively  evicts\ntokens", SENTENCES[0])
    assert quote_found("\\emph{adaptively} evicts", SENTENCES[0])
    assert quote_found("“We propose TierKV”", SENTENCES[0])
    assert quote_found("1.3x faster than vLLM", SENTENCES[1])
    assert quote_found("on 8 GPUs", SENTENCES[1])
    assert quote_found("at 5\\% R\\&D cost", SENTENCES[1])
    assert quote_found("We propose ... the KV cache", SENTENCES[0])
    assert not quote_found("the KV cache ... We propose", SENTENCES[0])
    assert not quote_found("learns an eviction policy", SENTENCES[0])
    assert not quote_found(" ... ", SENTENCES[0])


def test_validation_drops_and_counts() -> None:
    answer = {"objections": [
        item(),
        item(kind="novelty"),
        item(sentence=3),
        item(sentence=0),
        item(sentence="S2", quote="1.3× faster", kind="evidence"),
        item(quote="a hallucinated phrase"),
        item(message=""),
        "not an object",
        item(kind="mechanism", quote="We propose"),
    ]}
    findings, dropped = validate(answer, SENTENCES)
    assert [(f.index, f.kind) for f in findings] == [(0, "mechanism"), (1, "evidence")]
    assert dropped == {"unknown kind": 1, "sentence out of range": 2,
                       "quote not in sentence": 1, "malformed": 2, "duplicate": 1}


@pytest.mark.parametrize("answer", [None, [], {"objections": "none"}, {"findings": []}])
def test_malformed_answers_raise(answer) -> None:
    with pytest.raises(MalformedOutput):
        validate(answer, SENTENCES)


async def test_hallucinations_are_dropped_and_logged(reviewers, tmp_path, caplog) -> None:
    def objections(body):
        return [
            {"kind": "evidence", "sentence": 2, "quote": "improves throughput by 1.3x",
             "message": "Model: where are the curves?", "question": "Seeds?",
             "prior_work": [], "twist": None},
            {"kind": "evidence", "sentence": 1, "quote": "a sentence the draft never wrote",
             "message": "Model: invented.", "question": "?", "prior_work": [], "twist": None},
            {"kind": "mechanism", "sentence": 9, "quote": "We", "message": "Model: range.",
             "question": "?", "prior_work": [], "twist": None},
            {"kind": "vibes", "sentence": 1, "quote": "We", "message": "Model: kind.",
             "question": "?", "prior_work": [], "twist": None},
        ]

    project = draft(BODY)
    caplog.set_level(logging.WARNING)
    result = await critique_with(FakeAPI(objections), project, reviewers, tmp_path)
    model = [o for o in result.objections if o.engine == "anthropic"]
    assert [o.message for o in model] == ["Model: where are the curves?"]
    [kept] = model
    sentence = next(s for s in project.sentences if s.id == kept.sentence_id)
    assert (kept.file, kept.start, kept.end) == (sentence.file, sentence.start, sentence.end)
    assert "improves throughput by 1.3x" in slice_of(project, sentence)
    assert kept.persona == PERSONA and kept.kind == "evidence"
    assert result.usage["dropped"] == 4 + 4 + 3
    assert ("Evaluation: dropped 3 invalid objection(s) from the model: 1 quote not in "
            "sentence, 1 sentence out of range, 1 unknown kind") in caplog.text
    assert KEY not in caplog.text
