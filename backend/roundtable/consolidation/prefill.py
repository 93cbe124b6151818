"""What a consolidated item starts as, from the group items merged into it.

- **title**: the clearest source title: the one naming the most distinct words of three
  letters or more (a fuller statement of the point), ties going to the shorter title,
  then to the earlier source. Titles in capitals count as written in lower case.
- **kind**: the kind most sources have; a tie goes to the kind seen first.
- **themes, actors, references**: the union of the sources', in first-seen order.
- **detail**: one paragraph per source, its detail (or, if empty, its title when that is
  not the chosen title), identical paragraphs once, for the facilitator to edit.

Sources are taken in the order given. The same sources always give the same item.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from roundtable.checklists.models import Item
from roundtable.schemas import TAG_LIMIT

WORD = re.compile(r"\w{3,}", re.UNICODE)
MAX_DETAIL = 10_000


@dataclass(frozen=True)
class Prefill:
    kind: str
    title: str
    detail: str
    themes: list[str]
    actors: list[str]
    references: list[str]


def clearest_title(titles: Sequence[str]) -> str:
    def clarity(index: int) -> tuple[int, int, int]:
        title = titles[index]
        distinct = len({w.casefold() for w in WORD.findall(title)})
        return (-distinct, len(title), index)

    return titles[min(range(len(titles)), key=clarity)]


def majority_kind(kinds: Sequence[str]) -> str:
    counts = Counter(kinds)
    best = max(counts.values())
    return next(k for k in kinds if counts[k] == best)


def union(lists: Iterable[Iterable[str]], limit: int = TAG_LIMIT) -> list[str]:
    seen: dict[str, None] = {}
    for values in lists:
        for value in values:
            seen.setdefault(value, None)
    return list(seen)[:limit]


def paragraphs(sources: Sequence[Item], title: str) -> list[str]:
    found: dict[str, None] = {}
    for source in sources:
        text = source.detail.strip() or (source.title if source.title != title else "")
        if text:
            found.setdefault(text, None)
    return list(found)


def join_details(parts: Iterable[str]) -> str:
    return "\n\n".join(p for p in parts if p)[:MAX_DETAIL]


def prefill(sources: Sequence[Item]) -> Prefill:
    if not sources:
        raise ValueError("a consolidated item needs at least one source")
    title = clearest_title([s.title for s in sources])
    return Prefill(
        kind=majority_kind([s.kind for s in sources]),
        title=title,
        detail=join_details(paragraphs(sources, title)),
        themes=union(s.themes for s in sources),
        actors=union(s.actors for s in sources),
        references=union(s.references for s in sources),
    )


def apply_prefill(item: Item, filled: Prefill) -> None:
    item.kind = filled.kind
    item.title = filled.title
    item.detail = filled.detail
    item.themes = filled.themes
    item.actors = filled.actors
    item.references = filled.references


def extend(item: Item, sources: Sequence[Item]) -> None:
    """Adds new sources to an item a person has edited: their tags, and their details as
    new paragraphs; the title and kind the facilitator wrote stay."""
    item.themes = union([item.themes, *(s.themes for s in sources)])
    item.actors = union([item.actors, *(s.actors for s in sources)])
    item.references = union([item.references, *(s.references for s in sources)])
    existing = item.detail.split("\n\n") if item.detail else []
    new = [p for p in paragraphs(sources, item.title) if p not in existing]
    item.detail = join_details([item.detail, *new])
