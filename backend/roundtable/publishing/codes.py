"""Stable item codes: a theme prefix and a number, ``ID-03``.

An item's code comes from the first theme it carries when it is first published (an
item without a theme gets ``GEN``). Prefixes are made from the theme's key: the first
two letters of a one-word key (``identification`` → ``ID``), else the initials of its
words (``durable_solutions`` → ``DS``, ``smuggling_vs_trafficking`` → ``ST``). A prefix
another theme holds already gets a digit (``ID2``). Once a theme's prefix is used it is
kept (the ``item_code`` rows remember it), and numbers per prefix only ever grow, so a
code once given is never given again, even after its item is removed.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, func, select

from roundtable.publishing.models import ItemCode

UNTHEMED_PREFIX = "GEN"
_FILLER_WORDS = frozenset({"vs", "and", "of", "the", "in", "on", "for", "to", "a"})


def derive_prefix(key: str) -> str:
    words = [w for w in key.split("_") if w and w not in _FILLER_WORDS] or [key]
    if len(words) == 1:
        return words[0][:2].upper()
    return "".join(w[0] for w in words[:3]).upper()


def theme_prefixes(theme_keys: Iterable[str], recorded: dict[str, str]) -> dict[str, str]:
    """Theme key → prefix: the recorded one where there is one, else a new unique one."""
    taken = set(recorded.values()) | {UNTHEMED_PREFIX}
    out = {}
    for key in theme_keys:
        if key in recorded:
            out[key] = recorded[key]
            continue
        base = derive_prefix(key)
        prefix, n = base, 1
        while prefix in taken:
            n += 1
            prefix = f"{base}{n}"
        taken.add(prefix)
        out[key] = prefix
    return out


def format_code(prefix: str, number: int) -> str:
    return f"{prefix}-{number:02d}"


def recorded_prefixes(session: Session, workshop_id: int) -> dict[str, str]:
    rows = session.exec(
        select(ItemCode.theme_key, ItemCode.prefix)
        .where(ItemCode.workshop_id == workshop_id, col(ItemCode.theme_key).is_not(None))
        .distinct()
    ).all()
    return {key: prefix for key, prefix in rows if key is not None}


def assign_codes(
    session: Session,
    workshop_id: int,
    items: list[tuple[str, str | None]],
    theme_keys: list[str],
    edition_number: int,
) -> dict[str, str]:
    """Item id → code for ``items`` ((id, first theme key) in order), handing out new
    codes to the items that have none yet. Adds the new ``item_code`` rows (no commit)."""
    known = {
        row.item_id: row.code
        for row in session.exec(select(ItemCode).where(ItemCode.workshop_id == workshop_id))
    }
    prefixes = theme_prefixes(theme_keys, recorded_prefixes(session, workshop_id))
    highest: dict[str, int] = {
        prefix: int(top or 0)
        for prefix, top in session.exec(
            select(ItemCode.prefix, func.max(ItemCode.number))
            .where(ItemCode.workshop_id == workshop_id)
            .group_by(col(ItemCode.prefix))
        ).all()
    }
    out = {}
    for item_id, theme in items:
        if item_id in known:
            out[item_id] = known[item_id]
            continue
        prefix = prefixes.get(theme, UNTHEMED_PREFIX) if theme is not None else UNTHEMED_PREFIX
        number = highest.get(prefix, 0) + 1
        highest[prefix] = number
        code = format_code(prefix, number)
        session.add(
            ItemCode(
                workshop_id=workshop_id,
                item_id=item_id,
                theme_key=theme if prefix != UNTHEMED_PREFIX else None,
                prefix=prefix,
                number=number,
                code=code,
                first_edition=edition_number,
            )
        )
        out[item_id] = code
    return out
