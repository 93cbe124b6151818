"""After redaction the text is nowhere: not in any row of any table (events, the merged
copy, the comment that quoted it, the consolidation's undo record), not in the SQLite
file after a checkpoint and VACUUM, not in a ``pg_dump`` of the PostgreSQL database."""

from __future__ import annotations

import json
import secrets
import sqlite3
import string
import subprocess
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session, SQLModel, col

import roundtable.models  # noqa: F401
from roundtable.groups.models import Member
from roundtable.sync.service import submit
from tests.api.world import person
from tests.support import Api, AppFactory, ok, setup_workshop


def _secrets() -> tuple[str, str]:
    name = "V" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(9))
    digits = "".join(secrets.choice(string.digits) for _ in range(8))
    return name, f"+66 8{digits[0]} {digits[1:4]} {digits[4:]}"


def _rows_holding(session: Session, needles: list[str]) -> list[str]:
    """Every table, every column, every row: where any needle still is."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        for row in session.execute(select(table)).mappings():
            for column, value in row.items():
                text = value if isinstance(value, str) else json.dumps(value, default=str)
                text_utf8 = json.dumps(value, default=str, ensure_ascii=False)
                for needle in needles:
                    if needle in text or needle in text_utf8:
                        found.append(f"{table.name}.{column}")
    return found


def test_redacted_text_is_nowhere(apps: AppFactory, fac: Api, database_url: str) -> None:
    name, phone = _secrets()
    ws = setup_workshop(fac, groups=1)
    wid, base = ws["id"], f"/api/workshops/{ws['id']}"
    ana = person(apps, fac)
    ana.join(ws["groups"][0]["join_code"], "Ana")
    items = f"{base}/checklists/{ws['groups'][0]['checklist_id']}/items"
    item = ok(ana.post(items, json={"kind": "need", "title": f"Shelter for Mrs. {name}"}), 201)
    one = f"{base}/items/{item['id']}"
    ok(ana.patch(one, json={"detail": f"Call her on {phone} tonight"}))
    ok(ana.patch(one, json={"detail": f"Call her on {phone} after 6 pm"}))
    ok(ana.post(f"{one}/comments", json={"body": f"Her number is {phone}, I checked"}), 201)
    # The facilitator merges it: the consolidated item copies the text (and its undo record).
    ok(fac.patch(base, json={"phase": "consolidation"}))
    services = apps.app.state.services
    with Session(services.engine) as db:
        fac_id = db.execute(
            select(col(Member.id)).where(
                col(Member.workshop_id) == wid, col(Member.role) == "facilitator"
            )
        ).scalar_one()
    merged = submit(
        services.engine,
        services.registry,
        None,
        workshop_id=wid,
        member_id=fac_id,
        kind="consolidation.merge",
        args={"source_ids": [item["id"]], "id": "k-merged-copy-01"},
    )
    assert merged.outcome is not None
    with Session(services.engine) as db:
        assert _rows_holding(db, [name, phone]), "the setup should have spread the text"

    ok(fac.post(f"{base}/safeguards/flags/item/{item['id']}/redact"))

    assert ok(fac.get(one))["title"] == "Shelter for Mrs. [redacted]"
    assert ok(fac.get(one))["detail"] == "Call her on [redacted] after 6 pm"
    copy = ok(fac.get(f"{base}/items/k-merged-copy-01"))
    assert name not in json.dumps(copy) and "[redacted]" in copy["detail"]
    with Session(services.engine) as db:
        assert _rows_holding(db, [name, phone]) == []
    services.engine.dispose()
    if database_url.startswith("sqlite"):
        path = Path(database_url.split("///", 1)[1])
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
        conn.close()
        files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
        for file in files:
            data = file.read_bytes()
            assert name.encode() not in data, file
            assert phone.encode() not in data, file
    else:
        dump = subprocess.run(
            ["pg_dump", "--no-owner", database_url],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
        assert "personal_data_flag" in dump  # the dump is of this database
        assert name not in dump and phone not in dump
