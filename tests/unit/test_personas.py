"""Persona files: the bundled five against their schema, bring-your-own, errors, selection."""

from __future__ import annotations

from pathlib import Path

import pytest

from skeptic.personas.loader import bundled_folder, load_file, load_personas
from skeptic.personas.model import BAR_METRICS, RED_FLAG_KINDS, PersonaError
from skeptic.personas.select import select
from skeptic.settings import KINDS

DATA = Path(__file__).resolve().parents[1] / "data" / "personas"
SEEDED = {
    "inference-accelerators": ("Dr. Kira Tensora", "Inference accelerators & quantization"),
    "distributed-training": ("Dr. Kira Tensora", "Distributed training systems"),
    "hw-training-codesign": ("Dr. Kenji Tanaka", "Hardware/training co-design"),
    "kv-cache-memory": ("Dr. Kira Vashti", "KV cache & GPU memory"),
    "speculative-decoding": ("Dr. Kira Vashti", "Speculative decoding"),
}


@pytest.fixture(scope="module")
def bundled():
    personas, errors = load_personas([bundled_folder()])
    assert errors == []
    return {p.id: p for p in personas}


def test_five_bundled_personas_with_distinct_ids_and_titles(bundled) -> None:
    assert {pid: (p.name, p.title) for pid, p in bundled.items()} == SEEDED


def test_a_shared_name_is_told_apart_by_the_title(bundled) -> None:
    signed = {pid: p.signed for pid, p in bundled.items()}
    assert signed["kv-cache-memory"] == "Dr. Kira Vashti (KV cache & GPU memory)"
    assert signed["hw-training-codesign"] == "Dr. Kenji Tanaka"
    assert len(set(signed.values())) == len(signed)
    assert bundled["hw-training-codesign"].label == (
        "Dr. Kenji Tanaka (Hardware/training co-design)")


@pytest.mark.parametrize("pid", sorted(SEEDED))
def test_bundled_persona_is_complete(bundled, pid: str) -> None:
    persona = bundled[pid]
    assert len(persona.prompt.split()) >= 400, "the system prompt is too short"
    assert persona.venues and persona.areas and persona.topics
    assert len(persona.corner_cases) >= 4 and persona.bars and persona.twists
    assert len(persona.red_flags) >= 5 and persona.config_changes
    assert {f.kind for f in persona.red_flags} <= set(RED_FLAG_KINDS)
    assert {b.metric for b in persona.bars} <= set(BAR_METRICS)
    assert {"hidden-baseline", "mechanism", "evidence"} <= {f.kind for f in persona.red_flags}
    for case in persona.corner_cases:
        assert case.when and case.addressed and case.question.endswith("?")
    ids = [x.id for table in (persona.corner_cases, persona.bars, persona.red_flags,
                              persona.config_changes, persona.twists) for x in table]
    assert len(ids) == len(set(ids)), "ids repeat within the persona"


def test_seed_bars_are_structured(bundled) -> None:
    bars = {(pid, b.metric, b.min) for pid, p in bundled.items() for b in p.bars}
    assert ("inference-accelerators", "improvement", 15.0) in bars
    assert ("speculative-decoding", "speedup", 2.0) in bars
    assert ("distributed-training", "gpus", 9.0) in bars  # "eight GPUs is a toy"


def test_plain_markdown_persona_derives_rules() -> None:
    persona = load_file(DATA / "plain_reviewer.md", {"vLLM": ["vLLM"], "Orca": ["Orca"],
                                                     "FlexGen": ["FlexGen"]})
    assert not persona.structured and persona.warnings
    assert persona.name.startswith("Dr. ") and persona.id == "plain-reviewer"
    assert set(persona.systems) == {"vLLM", "Orca"}
    assert {(b.metric, b.min) for b in persona.bars} == {("improvement", 20.0), ("gpus", 64.0)}
    assert persona.prompt.startswith("You are") or "You are" in persona.prompt
    assert {f.kind for f in persona.red_flags} <= set(KINDS)


def test_broken_persona_is_reported_with_file_and_line_and_others_still_load(tmp_path) -> None:
    for name in ("broken.md", "plain_reviewer.md"):
        (tmp_path / name).write_text((DATA / name).read_text())
    personas, errors = load_personas([bundled_folder(), tmp_path])
    assert len(personas) == 6
    (error,) = errors
    assert error.file.endswith("broken.md") and error.line == 4
    assert "broken.md:4:" in str(error)


@pytest.mark.parametrize(
    ("front", "line", "words"),
    [
        ('id = "x"\nname = "X"\ntitle = "T"\n[[red_flags]]\nid = "f"\nkind = "bogus"\n'
         'match = ["a"]\nmessage = "m"\nquestion = "q?"', 7, "bogus"),
        ('id = "x"\nname = "X"\n', 2, "title"),
        ('id = "Bad Id"\nname = "X"\ntitle = "T"', 2, "lowercase"),
        ('id = "x"\nname = "X"\ntitle = "T"\n[[bars]]\nid = "b"\nkind = "complexity-gain"\n'
         'metric = "speedup"\nmin = "two"\nmessage = "m"\nquestion = "q?"', 9, "number"),
    ],
)
def test_schema_errors_name_the_line(tmp_path, front: str, line: int, words: str) -> None:
    path = tmp_path / "p.md"
    path.write_text(f"+++\n{front}\n+++\nYou are X.\n")
    with pytest.raises(PersonaError) as caught:
        load_file(path)
    assert caught.value.line == line and words in caught.value.message


def test_selection_by_relevance_and_pins(bundled) -> None:
    personas = list(bundled.values())
    counts = {"draft model": 3, "speculat": 4, "acceptance rate": 2, "kv cache": 1}
    choices, _ = select(personas, counts, max_count=2)
    chosen = [c.persona.id for c in choices if c.selected]
    assert chosen[0] == "speculative-decoding" and len(chosen) <= 2
    choices, unknown = select(personas, counts, pinned=["kv-cache-memory", "nope"])
    assert [c.persona.id for c in choices if c.selected] == ["kv-cache-memory"]
    assert unknown and "nope" in unknown[0]
    choices, _ = select(personas, {})
    assert not any(c.selected for c in choices)
