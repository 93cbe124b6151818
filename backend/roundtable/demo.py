"""The demo workshop: the 2014 Asia-Pacific roundtable, with items written for the demo."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlmodel import col

from roundtable.accounts.service import create_account, find_account
from roundtable.db import read_session, write_session
from roundtable.groups.models import Group
from roundtable.sync.registry import OpRegistry
from roundtable.sync.service import submit
from roundtable.workshops.models import Workshop
from roundtable.workshops.service import create_workshop

DEMO_EMAIL = "facilitator@example.org"

# (group name, colour, focus themes, items as (kind, title, detail, themes, actors, references))
DEMO_GROUPS: list[
    tuple[str, str, list[str], list[tuple[str, str, str, list[str], list[str], list[str]]]]
] = [
    (
        "Group A: Regional frameworks",
        "#1f6f8b",
        ["regional_frameworks"],
        [
            (
                "need",
                "A shared regional definition of who counts as a victim",
                "States apply different thresholds, so a person recognised in one country may be "
                "treated as an offender in the next.",
                ["regional_frameworks", "asean"],
                ["government"],
                ["ACTIP Art. 2"],
            ),
            (
                "response",
                "Publish national referral pathways in a common regional format",
                "A one-page map per country of who does what once a possible victim is found.",
                ["regional_frameworks", "bali_process"],
                ["government", "international_organisations"],
                [],
            ),
            (
                "practice",
                "Joint reviews of bilateral return agreements every two years",
                "",
                ["regional_frameworks"],
                ["government", "civil_society"],
                [],
            ),
            (
                "response",
                "Assess the risks a victim would face at home before repatriation",
                "Traffickers and debts in the home village; a returnee may be recruited again.",
                ["regional_frameworks", "repatriation"],
                ["government", "international_organisations"],
                [],
            ),
        ],
    ),
    (
        "Group B: Identification",
        "#8b5e1f",
        ["identification"],
        [
            (
                "need",
                "Front-line officers who can tell smuggling from trafficking",
                "Border and police staff often see only irregular entry and miss the exploitation.",
                ["identification", "smuggling_vs_trafficking"],
                ["law_enforcement", "immigration"],
                [],
            ),
            (
                "response",
                "Screen every person rescued from a raid with a standard indicator list",
                "Screening happens before any immigration decision, with an interpreter present.",
                ["identification", "identification_practices"],
                ["law_enforcement", "social_services"],
                ["ACTIP Art. 14"],
            ),
            (
                "practice",
                "Mixed screening teams of police and social workers",
                "",
                ["identification_practices"],
                ["law_enforcement", "social_services", "civil_society"],
                [],
            ),
            (
                "need",
                "Labour inspectors trained to spot forced labour on fishing vessels",
                "",
                ["identification", "forced_labour"],
                ["labour_inspection"],
                [],
            ),
            (
                "need",
                "Free legal aid for victims from the moment they are identified",
                "A lawyer explains their rights before any statement is taken.",
                ["identification", "protection"],
                ["civil_society", "judiciary"],
                [],
            ),
            (
                "response",
                "Appoint a guardian for every unaccompanied child within a day",
                "",
                ["identification", "children"],
                ["social_services"],
                [],
            ),
        ],
    ),
    (
        "Group C: Protection needs",
        "#6b2f7a",
        ["protection"],
        [
            (
                "need",
                "Shelter places that do not depend on cooperating with prosecutors",
                "Assistance should not be conditional on testimony.",
                ["protection"],
                ["government", "social_services"],
                [],
            ),
            (
                "response",
                "Child-specific case management from the first contact",
                "A guardian is appointed within 24 hours for every unaccompanied child.",
                ["protection", "children"],
                ["social_services", "judiciary"],
                ["CRC Art. 3"],
            ),
            (
                "practice",
                "Freedom of movement for adults in shelters",
                "",
                ["protection", "sexual_exploitation"],
                ["civil_society"],
                [],
            ),
            (
                "need",
                "Pendampingan hukum gratis bagi korban sejak awal proses",
                "Pengacara menjelaskan hak-hak korban sebelum mereka memberi keterangan.",
                ["protection"],
                ["civil_society", "judiciary"],
                [],
            ),
        ],
    ),
    (
        "Group D: Durable solutions",
        "#2f7a3a",
        ["durable_solutions"],
        [
            (
                "need",
                "Risk assessment before any return",
                "Including risk of re-trafficking and reprisals.",
                ["durable_solutions", "repatriation"],
                ["government", "international_organisations"],
                [],
            ),
            (
                "response",
                "Reintegration grants paid in stages over a year",
                "",
                ["durable_solutions", "reintegration"],
                ["social_services", "civil_society"],
                [],
            ),
            (
                "practice",
                "Temporary residence and work permits for victims who cannot return safely",
                "",
                ["beyond_repatriation"],
                ["government", "immigration"],
                [],
            ),
            (
                "need",
                "Shelter and support that are not conditional on testifying",
                "Victims who will not or cannot give evidence still get a safe place to stay.",
                ["protection", "durable_solutions"],
                ["government", "social_services"],
                [],
            ),
        ],
    ),
    (
        "Group E: Evaluation and transfer",
        "#7a2f2f",
        ["evaluation", "tier1_practices"],
        [
            (
                "need",
                "Outcome measures for protection, not only prosecution counts",
                "",
                ["evaluation"],
                ["government", "international_organisations"],
                [],
            ),
            (
                "response",
                "Follow up with assisted survivors at 6 and 12 months, with consent",
                "",
                ["evaluation", "reintegration"],
                ["social_services", "survivors"],
                [],
            ),
            (
                "practice",
                "Survivor advisory panels that review national action plans",
                "",
                ["tier1_practices", "evaluation"],
                ["survivors", "government"],
                [],
            ),
            (
                "practice",
                "Adults living in shelters are free to come and go",
                "Locked shelters were found to feel like detention and push people to leave early.",
                ["protection", "evaluation"],
                ["civil_society", "survivors"],
                [],
            ),
        ],
    ),
]


def database_is_empty(engine: Engine) -> bool:
    with read_session(engine) as db:
        count: int = db.execute(select(func.count()).select_from(Workshop)).scalar_one()
        return count == 0


def seed_demo(
    engine: Engine, registry: OpRegistry, *, password: str | None = None
) -> tuple[int, str]:
    """Creates the demo facilitator and workshop. Returns (workshop id, password)."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    password = password or "".join(secrets.choice(alphabet) for _ in range(14))
    with write_session(engine) as db:
        account = find_account(db, DEMO_EMAIL) or create_account(db, DEMO_EMAIL, password)
        workshop, facilitator = create_workshop(
            db,
            title="Consultative Roundtable on the Protection of Victims of Trafficking in Persons",
            owner_account_id=account.id,
            facilitator_name="Roundtable facilitator",
            starts_on=date(2014, 6, 26),
            ends_on=date(2014, 6, 27),
            venue="Singapore",
            organisers=["RSIS Centre for NTS Studies", "International Committee of the Red Cross"],
            description=(
                "Demo workshop. Five breakout groups list the needs, responses and good practices "
                "they see for protecting victims of trafficking in the Asia-Pacific."
            ),
            attribution="chatham_house",
        )
        db.commit()
        workshop_id, facilitator_id = workshop.id, facilitator.id
    assert workshop_id is not None and facilitator_id is not None

    def run(kind: str, args: dict[str, object]) -> object:
        result = submit(
            engine,
            registry,
            None,
            workshop_id=workshop_id,
            member_id=facilitator_id,
            kind=kind,
            args=args,
        )
        assert result.outcome is not None
        return result.outcome.result

    for name, colour, focus, items in DEMO_GROUPS:
        created = run("group.create", {"name": name, "colour": colour, "focus_themes": focus})
        assert isinstance(created, tuple)
        checklist_id = created[1].id
        for kind, title, detail, themes, actors, references in items:
            run(
                "item.create",
                {
                    "checklist_id": checklist_id,
                    "kind": kind,
                    "title": title,
                    "detail": detail,
                    "themes": themes,
                    "actors": actors,
                    "references": references,
                },
            )
    run("workshop.update", {"phase": "breakout"})
    return workshop_id, password


def credentials_file(database_url: str) -> Path:
    return Path("var") / "demo-credentials.txt"


def join_codes(engine: Engine, workshop_id: int) -> list[tuple[str, str]]:
    with read_session(engine) as db:
        groups = db.execute(
            select(Group)
            .where(col(Group.workshop_id) == workshop_id, col(Group.deleted).is_(False))
            .order_by(col(Group.position))
        ).scalars()
        return [(g.name, g.join_code) for g in groups]
