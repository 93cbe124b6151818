"""Flags, clearing and redaction of personal data. Called inside an op's transaction.

- :func:`screen` runs on every write of an item's or a comment's text (the item and
  comment ops, the import, the consolidation merge). It records where details were
  found and adds ``personal_data`` to the item's ``flags``, which holds the item back
  from publication. Text a facilitator cleared before does not raise the flag again.
- :func:`clear_flag` records a facilitator's judgement that nothing personal is there.
- :func:`redact_flag` replaces the details in the row, in every past event that held
  them, and (for the distinctive ones: numbers, addresses, e-mail, names) in every text
  and JSON column of every row of the workshop: other items they were merged into,
  edition documents, undo records. See :mod:`roundtable.safeguards.scrub`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from roundtable.checklists.models import Comment, Item
from roundtable.safeguards.detect import Span, find_spans
from roundtable.safeguards.models import PersonalDataFlag
from roundtable.safeguards.scrub import Secret, scrub_workshop
from roundtable.safeguards.storage import erase_freed_pages
from roundtable.sync.models import Event
from roundtable.timeutil import utcnow

FLAG = "personal_data"
REDACTED = "[redacted]"
FIELDS = {"item": ("title", "detail"), "comment": ("body",)}
# The shortest beginning of a detail (letters and digits) taken out of the row's history.
MIN_TRACE = 4


@dataclass
class Finding:
    kind: str
    field: str
    start: int
    end: int

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "field": self.field, "start": self.start, "end": self.end}


def find_in_fields(values: dict[str, Any]) -> list[Finding]:
    found: list[Finding] = []
    for name, text in values.items():
        if isinstance(text, str):
            found += [Finding(s.kind, name, s.start, s.end) for s in find_spans(text)]
    return found


def get_flag(session: Session, entity: str, entity_id: str) -> PersonalDataFlag | None:
    return session.execute(
        select(PersonalDataFlag).where(
            col(PersonalDataFlag.entity) == entity, col(PersonalDataFlag.entity_id) == entity_id
        )
    ).scalar_one_or_none()


def _digest(entity_id: str, kind: str, text: str) -> str:
    normal = "".join(text.split()).casefold()
    return hashlib.sha256(f"{entity_id}\0{kind}\0{normal}".encode()).hexdigest()[:32]


def _digests(entity_id: str, values: dict[str, Any], findings: list[Finding]) -> list[str]:
    return [_digest(entity_id, f.kind, values[f.field][f.start : f.end]) for f in findings]


def screen(
    session: Session,
    *,
    workshop_id: int,
    entity: str,
    entity_id: str,
    values: dict[str, Any],
    seq: int,
    maybe_open: bool = True,
) -> bool:
    """Checks one row's text after a write (``values``: its text fields as they are now).
    Returns True when the row's flag is open afterwards. An open flag stays open when the
    details are edited away: they are still in the row's history until redacted.
    ``maybe_open=False`` (the row shows no open flag) spares clean text the flag lookup."""
    findings = find_in_fields(values)
    if not findings and not maybe_open:
        return False
    flag = get_flag(session, entity, entity_id)
    if flag is not None and flag.cleared:
        cleared = set(flag.cleared)
        findings = [
            f
            for f, d in zip(findings, _digests(entity_id, values, findings), strict=True)
            if d not in cleared
        ]
    if flag is None:
        if not findings:
            return False
        flag = PersonalDataFlag(workshop_id=workshop_id, entity=entity, entity_id=entity_id)
        session.add(flag)
    elif not findings:
        if flag.status == "open":
            flag.findings = []
        return flag.status == "open"
    flag.findings = [f.as_dict() for f in findings]
    if flag.status != "open":
        flag.status, flag.detected_seq = "open", seq
    elif not flag.detected_seq:
        flag.detected_seq = seq
    return True


def screen_item(session: Session, item: Item, seq: int) -> bool:
    """Screens an item and sets its ``flags``; True when ``flags`` changed."""
    flags = screen_item_values(
        session,
        workshop_id=item.workshop_id,
        item_id=item.id,
        title=item.title,
        detail=item.detail,
        flags=list(item.flags or []),
        seq=seq,
    )
    if flags is None:
        return False
    item.flags = flags
    return True


def screen_item_values(
    session: Session,
    *,
    workshop_id: int,
    item_id: str,
    title: str,
    detail: str,
    flags: list[str],
    seq: int,
) -> list[str] | None:
    """An item's ``flags`` once its new text is screened for personal data, from values
    (the write path's Core ops have no ORM row); None when they stay as they are."""
    is_open = screen(
        session,
        workshop_id=workshop_id,
        entity="item",
        entity_id=item_id,
        values={"title": title, "detail": detail},
        seq=seq,
        maybe_open=FLAG in flags,
    )
    if is_open == (FLAG in flags):
        return None
    return [*flags, FLAG] if is_open else [f for f in flags if f != FLAG]


def screen_comment(session: Session, comment: Comment, seq: int) -> bool:
    return screen(
        session,
        workshop_id=comment.workshop_id,
        entity="comment",
        entity_id=comment.id,
        values={"body": comment.body},
        seq=seq,
    )


def keep_flag(session: Session, item: Item, flags: list[str]) -> list[str]:
    """``flags`` as set from outside (an import), with ``personal_data`` kept while the
    item's flag is open; an imported ``personal_data`` opens a flag without findings."""
    flag = get_flag(session, "item", item.id)
    if FLAG in flags and (flag is None or flag.status != "open"):
        if flag is None:
            flag = PersonalDataFlag(workshop_id=item.workshop_id, entity="item", entity_id=item.id)
            session.add(flag)
        flag.status, flag.findings = "open", []
    is_open = flag is not None and flag.status == "open"
    rest = [f for f in flags if f != FLAG]
    return [*rest, FLAG] if is_open else rest


def _set_flag(item: Item, flagged: bool) -> bool:
    flags = list(item.flags or [])
    if flagged == (FLAG in flags):
        return False
    item.flags = [*flags, FLAG] if flagged else [f for f in flags if f != FLAG]
    return True


def open_flags(session: Session, workshop_id: int) -> list[PersonalDataFlag]:
    return list(
        session.execute(
            select(PersonalDataFlag)
            .where(
                col(PersonalDataFlag.workshop_id) == workshop_id,
                col(PersonalDataFlag.status) == "open",
            )
            .order_by(col(PersonalDataFlag.detected_seq), col(PersonalDataFlag.id))
        ).scalars()
    )


def clear_flag(
    session: Session, flag: PersonalDataFlag, row: Item | Comment, member_id: int | None, seq: int
) -> None:
    values = _text_of(row)
    findings = [Finding(**f) for f in flag.findings]
    valid = [f for f in findings if f.field in values and f.end <= len(values[f.field])]
    flag.cleared = sorted({*flag.cleared, *_digests(flag.entity_id, values, valid)})
    _decide(flag, "cleared", member_id, seq)
    if isinstance(row, Item):
        _set_flag(row, False)


def redact_flag(
    session: Session, flag: PersonalDataFlag, row: Item | Comment, member_id: int | None, seq: int
) -> list[str]:
    """Redacts the row's details everywhere; returns the kinds that were redacted."""
    erase_freed_pages(session)
    secrets: dict[str, Secret] = {}
    history = _events_of(session, flag.workshop_id, flag.entity, flag.entity_id)
    past = [(event, _own_values(event, flag)) for event in history]
    # What to take out: every detail the detector finds in the row now or in any of its
    # earlier values (a detail edited away before the review is still in the log).
    now = _text_of(row)
    for text in [*now.values(), *(t for _, cs in past for values in cs for t in values.values())]:
        _redact_text(text, secrets)
    # Earlier values also hold these details where nothing gives them away any more
    # (a name in a sentence without its cue) and the beginnings typing left in the log
    # when a field saved mid-number ("+66 81 2"): both go from the row and its history.
    traces = _traces_of(list(secrets.values()))

    def redact(text: str) -> str:
        text = _redact_text(text, secrets)
        return traces.sub(REDACTED, text) if traces is not None else text

    for name, text in now.items():
        setattr(row, name, redact(text))
    for event, changes in past:
        touched = False
        for values in changes:
            for name, text in values.items():
                values[name] = redact(text)
                touched = touched or values[name] != text
        if touched:
            event.changes = _with_values(event, flag, changes)
    session.flush()
    # Anywhere else in the workshop: the distinctive details only ("15" stays in "Article 15").
    scrub_workshop(session, flag.workshop_id, [s for s in secrets.values() if s.distinctive])
    if isinstance(row, Item):
        _set_flag(row, False)
    kinds = sorted({s.kind for s in secrets.values()} | {f["kind"] for f in flag.findings})
    flag.findings = [{"kind": k} for k in kinds]
    _decide(flag, "redacted", member_id, seq)
    return kinds


def _redact_text(text: str, secrets: dict[str, Secret]) -> str:
    spans = find_spans(text)
    for span in spans:
        value = text[span.start : span.end]
        secrets.setdefault(value, Secret(value, span.kind))
    return redact_spans(text, spans)


def _traces_of(secrets: list[Secret]) -> re.Pattern[str] | None:
    """A pattern for each name in full and for each beginning of a distinctive detail
    that is at least ``MIN_TRACE`` letters or digits long and ends at a word's end."""
    variants: set[str] = set()
    for secret in secrets:
        if secret.kind == "name" and any(c.isalpha() for c in secret.text):
            variants.add(secret.text)
        if not secret.distinctive:
            continue
        seen = 0
        for end, char in enumerate(secret.text, start=1):
            seen += char.isalnum()
            if seen >= MIN_TRACE and char.isalnum():
                variants.add(secret.text[:end].rstrip())
    if not variants:
        return None
    parts = []
    for variant in sorted(variants, key=len, reverse=True):
        left = r"(?<!\w)" if variant[0].isascii() and variant[0].isalnum() else ""
        parts.append(rf"{left}{re.escape(variant)}(?!\w)")
    return re.compile("|".join(parts))


def _own_values(event: Event, flag: PersonalDataFlag) -> list[dict[str, str]]:
    """The row's text fields in each change of the event that names the row."""
    found = []
    for change in event.changes:
        if change.get("entity") != flag.entity or str(change.get("id")) != flag.entity_id:
            continue
        values = change.get("values") or {}
        found.append({n: values[n] for n in FIELDS[flag.entity] if isinstance(values.get(n), str)})
    return found


def _with_values(
    event: Event, flag: PersonalDataFlag, texts: list[dict[str, str]]
) -> list[dict[str, Any]]:
    """The event's changes with the row's text fields replaced, in the same order."""
    changes = []
    pending = iter(texts)
    for change in event.changes:
        change = dict(change)
        if change.get("entity") == flag.entity and str(change.get("id")) == flag.entity_id:
            texts_here = next(pending)
            if texts_here:  # a removal carries no values, and keeps carrying none
                change["values"] = {**(change.get("values") or {}), **texts_here}
        changes.append(change)
    return changes


def redact_spans(text: str, spans: list[Span]) -> str:
    out, last = [], 0
    for span in spans:
        out += [text[last : span.start], REDACTED]
        last = span.end
    out.append(text[last:])
    return "".join(out)


def _events_of(session: Session, workshop_id: int, entity: str, entity_id: str) -> list[Event]:
    """The events whose changes name the row (JSON is matched in Python: SQLite and
    PostgreSQL store it differently)."""
    rows = session.execute(
        select(Event).where(col(Event.workshop_id) == workshop_id).order_by(col(Event.seq))
    ).scalars()
    return [
        e
        for e in rows
        if any(c.get("entity") == entity and str(c.get("id")) == entity_id for c in e.changes)
    ]


def _text_of(row: Item | Comment) -> dict[str, str]:
    if isinstance(row, Item):
        return {"title": row.title, "detail": row.detail}
    return {"body": row.body}


def _decide(flag: PersonalDataFlag, status: str, member_id: int | None, seq: int) -> None:
    flag.status = status
    flag.decided_by = member_id
    flag.decided_at = utcnow()
    flag.decided_seq = seq
