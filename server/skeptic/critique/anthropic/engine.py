"""The Anthropic engine: one request per (persona, section) that the cache does not know.

Cached answers are reused; the rest are admitted in order (the most relevant persona's
sections first) while the run's budget lasts, then sent with at most ``concurrency`` in
flight. Each persona's first request goes alone, so the others read its system prefix from
the prompt cache instead of all writing it. ``cancelled()`` is polled before every request;
after a fatal failure nothing more is sent. In batch mode the same requests go through the
Message Batches API instead. Answers are validated, then cached by everything they depend
on: engine and prompt versions, model settings, persona and catalog hashes, section text.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from skeptic.critique.anthropic.client import Credential, base_url, make_client
from skeptic.critique.anthropic.errors import BatchItemFailed, Failures
from skeptic.critique.anthropic.models import accepts_effort, cache_floor
from skeptic.critique.anthropic.prompt import (
    PROMPT_VERSION,
    TOOL,
    TOOL_CHOICE,
    TOOL_NAME,
    Passage,
    estimate_tokens,
    messages,
    prefix_tokens,
    system_blocks,
)
from skeptic.critique.anthropic.validate import Finding, MalformedOutput, validate
from skeptic.critique.cache import CritiqueCache, cache_key
from skeptic.critique.catalog import Catalog
from skeptic.latex.sentences import normalize
from skeptic.personas.model import Persona
from skeptic.settings import Settings

ENGINE_VERSION = "anthropic-1"
POLL_FIRST = 1.0
POLL_MAX = 30.0
_NAMED_SKIPS = 5


@dataclass
class Usage:
    """What a run cost: requests sent (retries not counted), answers reused, tokens."""

    requests: int = 0
    cache_hits: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    skipped: int = 0
    dropped: int = 0

    def add(self, usage: Any) -> None:
        """Add the ``usage`` of one API answer (counts that are not whole numbers, such as
        a string or NaN in a malformed answer, are left out)."""
        for name in ("input_tokens", "output_tokens", "cache_read_input_tokens",
                     "cache_creation_input_tokens"):
            value = getattr(usage, name, 0)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class Answers:
    """Findings per (persona id, passage index), the usage, and messages for the user."""

    findings: dict[tuple[str, int], list[Finding]] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    messages: list[str] = field(default_factory=list)


@dataclass
class Job:
    """One (persona, section) request that the cache could not answer."""

    persona: Persona
    index: int
    passage: Passage
    key: str
    params: dict[str, Any]
    first: bool = False

    @property
    def label(self) -> str:
        return f"{self.persona.signed} · {self.passage.title}"

    def texts(self) -> list[str]:
        return [normalize(s.text) for s in self.passage.sentences]


def _cache_control(ttl: str) -> dict[str, str]:
    return {"type": "ephemeral", **({"ttl": ttl} if ttl else {})}


def _tool_input(message: Any) -> Any:
    content = getattr(message, "content", None)
    for block in content if isinstance(content, list) else ():
        if getattr(block, "type", None) == "tool_use" and getattr(block, "name", None) == TOOL_NAME:
            return block.input
    raise MalformedOutput("the answer has no report_objections tool call")


class AnthropicEngine:
    """Critiques passages with the selected personas through the Messages API."""

    def __init__(self, settings: Settings, catalog: Catalog, cache: CritiqueCache,
                 credential: Credential, *, http_client: Any = None,
                 log: logging.Logger | None = None,
                 progress: Callable[[str], None] | None = None,
                 cancelled: Callable[[], bool] | None = None,
                 poll_first: float = POLL_FIRST) -> None:
        self.settings = settings
        self.catalog = catalog
        self.cache = cache
        self.credential = credential
        self.http_client = http_client
        self.log = log or logging.getLogger(__name__)
        self.progress = progress or (lambda message: None)
        self.cancelled = cancelled or (lambda: False)
        self.poll_first = poll_first
        self.model = settings["anthropic.model"]
        self._systems: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._cache_reads: dict[str, list[int]] = {}

    def key(self, persona: Persona, passage: Passage) -> str:
        effort = self.settings["anthropic.effort"] if accepts_effort(self.model) else ""
        return cache_key(ENGINE_VERSION, PROMPT_VERSION, self.model, effort,
                         str(self.settings["anthropic.maxTokens"]), persona.digest,
                         self.catalog.digest, passage.key_text())

    def system(self, persona: Persona, ttl: str = "") -> list[dict[str, Any]]:
        """The persona's cached system prefix (built once per run)."""
        if (persona.id, ttl) not in self._systems:
            blocks = system_blocks(persona, self.catalog, self.model, _cache_control(ttl))
            self.log.debug("%s: cached prefix ~%d tokens (estimate), model floor %d",
                           persona.name, prefix_tokens(blocks), cache_floor(self.model))
            self._systems[persona.id, ttl] = blocks
        return self._systems[persona.id, ttl]

    def params(self, persona: Persona, passage: Passage, outline: str,
               ttl: str = "") -> dict[str, Any]:
        """The Messages API request for one persona and one section (no sampling
        parameters: the SDK has none, and determinism comes from the cache)."""
        params: dict[str, Any] = {
            "model": self.model,
            "max_tokens": int(self.settings["anthropic.maxTokens"]),
            "system": self.system(persona, ttl),
            "tools": [TOOL],
            "tool_choice": TOOL_CHOICE,
            "messages": messages(outline, passage, _cache_control(ttl)),
        }
        if accepts_effort(self.model):
            params["output_config"] = {"effort": self.settings["anthropic.effort"]}
        return params

    async def run(self, personas: Sequence[Persona], passages: Sequence[Passage], outline: str,
                  *, batch: bool = False) -> Answers:
        answers = Answers()
        jobs: list[Job] = []
        for persona in personas:
            for index, passage in enumerate(passages):
                key = self.key(persona, passage)
                cached = self._cached(key, passage)
                if cached is not None:
                    answers.findings[persona.id, index] = cached
                    answers.usage.cache_hits += 1
                    continue
                params = self.params(persona, passage, outline, "1h" if batch else "")
                first = not jobs or jobs[-1].persona.id != persona.id
                jobs.append(Job(persona, index, passage, key, params, first))
        admitted = self._budget(jobs, answers)
        if not admitted:
            return answers
        failures = Failures(self.credential, self.settings, base_url(self.settings))
        client = await make_client(self.credential, self.settings, self.http_client)
        try:
            if batch:
                await self._batch(client, admitted, answers, failures)
            else:
                await self._concurrent(client, admitted, answers, failures)
                self._check_prompt_cache()
        finally:
            await client.close()
        message = failures.message(len(admitted))
        if message:
            answers.messages.append(message)
        return answers

    def _cached(self, key: str, passage: Passage) -> list[Finding] | None:
        value = self.cache.get(key)
        if value is None:
            return None
        try:
            findings = [Finding.from_json(raw) for raw in value["findings"]]
        except (TypeError, KeyError, ValueError):
            return None
        return [f for f in findings if f.index < len(passage.sentences)]

    def _budget(self, jobs: list[Job], answers: Answers) -> list[Job]:
        """The jobs that fit the run's request and input-token budget, in order."""
        max_requests = self.settings["anthropic.maxRequestsPerRun"]
        max_tokens = self.settings["anthropic.maxInputTokensPerRun"]
        costs = [estimate_tokens(json.dumps(job.params)) for job in jobs]
        admitted: list[Job] = []
        skipped: list[Job] = []
        spent = 0
        for job, cost in zip(jobs, costs, strict=True):
            if len(admitted) < max_requests and spent + cost <= max_tokens:
                admitted.append(job)
                spent += cost
            else:
                skipped.append(job)
        if skipped:
            answers.usage.skipped = len(skipped)
            names = ", ".join(job.label for job in skipped[:_NAMED_SKIPS])
            if len(skipped) > _NAMED_SKIPS:
                names += f" and {len(skipped) - _NAMED_SKIPS} more"
            answers.messages.append(
                f"Anthropic budget reached: {len(skipped)} request(s) not sent: {names}. "
                f"This run needed {len(jobs)} request(s) and about {sum(costs):,} input "
                f"tokens; one run may send {max_requests} (skeptic.anthropic.maxRequestsPerRun) "
                f"and about {max_tokens:,} (skeptic.anthropic.maxInputTokensPerRun). Those "
                "sections show offline objections only.")
        return admitted

    async def _concurrent(self, client: Any, jobs: list[Job], answers: Answers,
                          failures: Failures) -> None:
        gate = asyncio.Semaphore(self.settings["anthropic.concurrency"])
        warmed = {job.persona.id: asyncio.Event() for job in jobs}
        withdrawn: list[Job] = []

        async def send(job: Job) -> None:
            try:
                if not job.first:
                    await warmed[job.persona.id].wait()
                async with gate:
                    if self.cancelled():
                        withdrawn.append(job)
                        return
                    if failures.fatal:
                        failures.unsent += 1
                        return
                    self.progress(job.label)
                    answers.usage.requests += 1
                    try:
                        message = await client.messages.create(**job.params)
                        self._accept(job, message, answers, failures)
                    except Exception as error:  # any SDK, transport or answer failure
                        self._failed(job, error, failures)
            finally:
                if job.first:
                    warmed[job.persona.id].set()

        async with asyncio.TaskGroup() as group:
            for job in jobs:
                group.create_task(send(job))
        if withdrawn:
            answers.messages.append(f"critique cancelled: {len(withdrawn)} request(s) not sent")

    async def _batch(self, client: Any, jobs: list[Job], answers: Answers,
                     failures: Failures) -> None:
        """Submit every job as one Message Batch, poll until it ends (waiting 1 s, then twice
        as long each time, up to 30 s), read the results."""
        by_id = {f"job-{n}": job for n, job in enumerate(jobs)}
        batches = client.messages.batches
        try:
            batch = await batches.create(requests=[{"custom_id": custom_id, "params": job.params}
                                                   for custom_id, job in by_id.items()])
            answers.usage.requests += len(jobs)
            self.progress(f"batch {batch.id}: {len(jobs)} request(s) submitted")
            delay = self.poll_first
            while batch.processing_status != "ended":
                if self.cancelled():
                    await batches.cancel(batch.id)
                    answers.messages.append(f"batch {batch.id} cancelled")
                    return
                await asyncio.sleep(delay)
                delay = min(delay * 2, POLL_MAX)
                batch = await batches.retrieve(batch.id)
                counts = batch.request_counts
                self.progress(f"batch {batch.id}: {len(jobs) - counts.processing}/{len(jobs)} "
                              "done")
            async for item in await batches.results(batch.id):
                job = by_id.get(item.custom_id)
                if job is None:
                    continue
                result = item.result
                if result.type == "succeeded":
                    self._accept(job, result.message, answers, failures)
                else:
                    detail = getattr(getattr(result, "error", None), "error", None)
                    reason = getattr(detail, "message", "")
                    self._failed(job, BatchItemFailed(f"{result.type}: {reason}" if reason
                                                      else result.type), failures)
        except Exception as error:  # every SDK or transport failure: see errors.py
            unanswered = sum(1 for job in jobs
                             if (job.persona.id, job.index) not in answers.findings)
            text = failures.add(error, unanswered)
            self.log.warning("batch: %s", text)

    def _failed(self, job: Job, error: BaseException, failures: Failures) -> None:
        text = failures.add(error)
        self.log.warning("%s: %s", job.label, text)

    def _accept(self, job: Job, message: Any, answers: Answers, failures: Failures) -> None:
        """Validate one answer, keep and cache its findings."""
        answers.usage.add(getattr(message, "usage", None))
        try:
            findings, dropped = validate(_tool_input(message), job.texts())
        except MalformedOutput as error:
            self._failed(job, error, failures)
            return
        if dropped:
            answers.usage.dropped += dropped.total()
            reasons = ", ".join(f"{n} {reason}" for reason, n in sorted(dropped.items()))
            self.log.warning("%s: dropped %d invalid objection(s) from the model: %s",
                             job.label, dropped.total(), reasons)
        if getattr(message, "stop_reason", None) == "max_tokens":
            self.log.warning("%s: the answer was cut at skeptic.anthropic.maxTokens", job.label)
        reads = getattr(getattr(message, "usage", None), "cache_read_input_tokens", 0) or 0
        self._cache_reads.setdefault(job.persona.id, []).append(reads)
        self.cache.set(job.key, {"findings": [f.to_json() for f in findings]})
        answers.findings[job.persona.id, job.index] = findings

    def _check_prompt_cache(self) -> None:
        """Warn (in the log) when a persona's later requests never read the prompt cache."""
        for persona_id, reads in self._cache_reads.items():
            if len(reads) > 1 and not any(reads[1:]):
                self.log.warning("prompt cache not read for persona %s in %d requests: is its "
                                 "prefix below the minimum of %s (%d tokens)?", persona_id,
                                 len(reads), self.model, cache_floor(self.model))
