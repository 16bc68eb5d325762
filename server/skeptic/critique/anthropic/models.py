"""What the engine must know about a model: its prompt-cache floor and whether it takes effort.

Neither is in the SDK: ``output_config.effort`` is typed for every model (a plain
``TypedDict``, no client-side check), and the API alone knows the minimum cacheable prefix.
Floors are the published figures where known; where reports conflict (Sonnet 4.6: 1,024 or
2,048) or none were found (the 5.1, 5.2 and 5.5 families) the conservative 2,048 applies.
"""

from __future__ import annotations

import re

DEFAULT_CACHE_FLOOR = 2048
_CACHE_FLOOR = {
    "claude-opus-5": 512,
    "claude-fable-5": 512,
    "claude-mythos-5": 512,
    "claude-opus-4-8": 1024,
    "claude-sonnet-5": 1024,
    "claude-sonnet-4-5": 1024,
    "claude-opus-4-1": 1024,
    "claude-opus-4-7": 2048,
    "claude-opus-4-6": 4096,
    "claude-opus-4-5": 4096,
    "claude-haiku-4-5": 4096,
}
# Models released before the effort parameter; the API answers 400 when they receive it.
_NO_EFFORT = ("claude-3", "claude-opus-4-0", "claude-opus-4-1", "claude-sonnet-4-0",
              "claude-sonnet-4-5", "claude-haiku-4-5")
_DATE = re.compile(r"-\d{8}$")


def base_id(model: str) -> str:
    """The model id without its snapshot date (``claude-haiku-4-5-20251001`` →
    ``claude-haiku-4-5``)."""
    return _DATE.sub("", model.strip())


def cache_floor(model: str) -> int:
    """The shortest prompt prefix (tokens) the model caches."""
    return _CACHE_FLOOR.get(base_id(model), DEFAULT_CACHE_FLOOR)


def accepts_effort(model: str) -> bool:
    """Whether ``output_config={"effort": ...}`` may be sent to the model."""
    return not base_id(model).startswith(_NO_EFFORT)
