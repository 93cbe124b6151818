"""A workshop built through the one write path, with hostile text and people's names.

The people's names and the texts that must be held back are distinctive, so a test can
search every exported file for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine

from roundtable.db import write_session
from roundtable.ops import build_registry
from roundtable.sync.service import submit
from roundtable.workshops.service import consolidated_checklist, create_workshop

FACILITATOR_NAME = "Oswin Bramblecote-Vane"
MEMBER_NAMES = ("Wilhelmina Quaxley-Thorne", "Bartholomew Snodgrass-Ito", "Zebulon Firethorn")
AFFILIATION = "Ministry of Lanterns and Quills"
COMMENT = "Comment by Quaxley about Firethorn"
WORKSHOP_TITLE = "Consultative Roundtable on the Protection of Victims of Trafficking in Persons"
ORGANISERS = ["RSIS Centre for NTS Studies", "International Committee of the Red Cross"]

TYPST_MARKUP = '#set page(width: 2cm) #import "@preview/evil:1.0.0": * $ x^2 $ ] *bold*'
HTML = "<script>alert('owned')</script> <b>bold</b>"
HYPERLINK = '=HYPERLINK("http://evil.example","click me")'
THAI = "การคุ้มครองผู้เสียหายจากการค้ามนุษย์"
THAI_DETAIL = "ผู้เสียหายต้องได้รับการคุ้มครอง"
BAHASA = "Perlindungan korban perdagangan orang di kawasan Asia-Pasifik"
EMOJI = "🤝✅"
LONG_DETAIL = " ".join(["reintegration"] * 769)[:10_000]
HELD_BACK = "Victim Maria Santos, passport X1234567, Pattaya"
DELETED = "A deleted point about Zanzibar cloves"
GROUP_ONLY = "A group-only point about quokkas"


@dataclass
class World:
    workshop_id: int
    refs: dict[str, str] = field(default_factory=dict)  # label → K ref of a consolidated item


def build_world(engine: Engine) -> World:
    registry = build_registry()
    with write_session(engine) as db:
        workshop, facilitator = create_workshop(
            db,
            title=WORKSHOP_TITLE,
            owner_account_id=None,
            facilitator_name=FACILITATOR_NAME,
            starts_on=date(2014, 6, 26),
            ends_on=date(2014, 6, 27),
            venue="Singapore",
            organisers=ORGANISERS,
            attribution="named",
        )
        consolidated_id = consolidated_checklist(db, workshop.id or 0).id
        db.commit()
    wid, fac_id = workshop.id, facilitator.id
    assert wid is not None and fac_id is not None

    def run(kind: str, args: dict[str, Any], member: int | None = fac_id) -> Any:
        system = kind.startswith(("member.", "interchange."))
        result = submit(
            engine,
            registry,
            None,
            workshop_id=wid,
            member_id=member,
            kind=kind,
            args=args,
            system=system,
        )
        assert result.outcome is not None
        return result.outcome.result

    groups = {}
    for name in ("Group A", "Group B", "Group C", "Group D"):
        group, checklist = run("group.create", {"name": name})
        groups[name] = (group.id, checklist.id)
    run("workshop.update", {"phase": "breakout"})
    members = [
        run(
            "member.join",
            {"group_id": groups[g][0], "display_name": name, "affiliation": AFFILIATION},
            member=None,
        ).id
        for g, name in zip(("Group B", "Group C", "Group D"), MEMBER_NAMES, strict=True)
    ]
    group_items = {}
    for (g, (_gid, checklist_id)), author in zip(list(groups.items())[1:], members, strict=True):
        item = run(
            "item.create",
            {"checklist_id": checklist_id, "kind": "need", "title": f"{g}: screening first"},
            member=author,
        )
        group_items[g] = item.id
        run("comment.create", {"item_id": item.id, "body": COMMENT}, member=author)
    run(
        "item.create",
        {"checklist_id": groups["Group A"][1], "kind": "need", "title": GROUP_ONLY},
    )

    run("workshop.update", {"phase": "consolidation"})
    world = World(wid)
    consolidated = [
        ("markup", "response", TYPST_MARKUP, HTML, ["identification"], ["government"], [HYPERLINK]),
        (
            "formula",
            "need",
            HYPERLINK,
            "+1",
            ["identification"],
            ["law_enforcement"],
            ["-2", "@SUM(A1:A9)"],
        ),
        ("thai", "need", THAI, THAI_DETAIL, ["smuggling_vs_trafficking"], ["social_services"], []),
        (
            "bahasa",
            "practice",
            BAHASA,
            f"Penyaringan standar dengan penerjemah {EMOJI}",
            ["protection", "identification"],
            ["civil_society", "law_enforcement"],
            ["ACTIP Art. 14"],
        ),
        ("long", "practice", "A long explanation", LONG_DETAIL, ["durable_solutions"], [], []),
        (
            "unthemed",
            "response",
            "\tTabbed title",
            "Second line\nthird line",
            [],
            ["survivors"],
            [],
        ),
        ("held", "need", HELD_BACK, "", ["identification"], ["government"], []),
        ("deleted", "need", DELETED, "", ["identification"], ["government"], []),
    ]
    ids = {}
    for n, (label, kind, title, detail, themes, actors, references) in enumerate(consolidated, 1):
        item = run(
            "item.create",
            {
                "checklist_id": consolidated_id,
                "kind": kind,
                "title": title,
                "detail": detail,
                "themes": themes,
                "actors": actors,
                "references": references,
            },
        )
        ids[label] = item.id
        world.refs[label] = f"K{n}"
    run("interchange.set_flags", {"id": ids["held"], "flags": ["personal_data"]})
    run("item.delete", {"id": ids["deleted"]})
    for g in ("Group D", "Group B"):
        run("interchange.link_merged", {"id": group_items[g], "merged_into": ids["markup"]})
    run("interchange.link_merged", {"id": group_items["Group C"], "merged_into": ids["thai"]})
    return world
