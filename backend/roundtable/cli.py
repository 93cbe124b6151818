"""The ``roundtable`` command: serve, migrate, demo, create-facilitator, import, export, suggest."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from roundtable.config import Settings


def _engine(settings: Settings):  # type: ignore[no-untyped-def]
    import roundtable.models  # noqa: F401  (every table known before any row is written)
    from roundtable.db import make_engine

    return make_engine(settings.database_url)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    if args.workers > 1 and settings.is_sqlite:
        print(
            "error: --workers: several processes need PostgreSQL (DATABASE_URL=postgresql://...);"
            " on SQLite each would see the others' edits only at every poll",
            file=sys.stderr,
        )
        return 2

    from roundtable.logs import log_config
    from roundtable.realtime.direct import BroadcastProtocol

    os.environ.setdefault("ROUNDTABLE_SECRET_KEY", settings.secret_key)
    extra: dict[str, Any] = {}
    if BroadcastProtocol is not None:
        extra["ws"] = BroadcastProtocol  # one frame per event for everyone (realtime/direct.py)
    if settings.log_format == "json":
        extra["log_config"] = log_config("json", args.log_level)
    uvicorn.run(
        "roundtable.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=settings.trust_forwarded_for,
        ws_max_size=4 * settings.ws_max_message_bytes,
        ws_ping_interval=settings.ws_ping_interval_s,
        ws_ping_timeout=settings.ws_ping_timeout_s,
        log_level=args.log_level,
        **extra,
    )
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from roundtable.migrate import upgrade

    upgrade(settings.database_url)
    print("database is at the latest schema")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from roundtable.demo import (
        DEMO_EMAIL,
        credentials_file,
        database_is_empty,
        join_codes,
        seed_demo,
    )
    from roundtable.ops import build_registry

    engine = _engine(settings)
    creds = credentials_file(settings.database_url)
    if database_is_empty(engine):
        workshop_id, password = seed_demo(engine, build_registry())
        creds.parent.mkdir(parents=True, exist_ok=True)
        creds.write_text(f"{workshop_id}\n{DEMO_EMAIL}\n{password}\n", encoding="utf-8")
        creds.chmod(0o600)
        print("Seeded the demo workshop.")
    elif not creds.is_file():
        print("The database already has workshops; no demo was added.")
        return 0
    workshop_id_text, email, password = creds.read_text(encoding="utf-8").split("\n")[:3]
    workshop_id = int(workshop_id_text)
    print()
    print("  Roundtable demo")
    print(f"  Facilitator login: {email} / {password}")
    for name, code in join_codes(engine, workshop_id):
        print(f"  {name:<36} join code {code}")
    print()
    return 0


def cmd_create_facilitator(args: argparse.Namespace, settings: Settings) -> int:
    from roundtable.accounts.service import create_account, find_account, set_password
    from roundtable.db import write_session

    password = args.password or getpass.getpass("Password: ")
    if len(password) < 8:
        print("error: password: must be at least 8 characters", file=sys.stderr)
        return 2
    with write_session(_engine(settings)) as db:
        account = find_account(db, args.email)
        if account is None:
            create_account(db, args.email, password)
            print(f"created facilitator {args.email}")
        else:
            set_password(db, account, password)
            print(f"updated the password of {args.email}")
        db.commit()
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from roundtable.interchange.service import InterchangeError, import_workshop
    from roundtable.ops import build_registry

    try:
        document = json.loads(Path(args.file).read_text(encoding="utf-8"))
        workshop_id = import_workshop(
            _engine(settings), build_registry(), document, owner_account_id=None
        )
    except (OSError, ValueError, InterchangeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(workshop_id)
    return 0


def cmd_publish(args: argparse.Namespace, settings: Settings) -> int:
    from roundtable.errors import OpRejected
    from roundtable.ops import build_registry
    from roundtable.sync.service import submit

    body = {"title": args.title or "", "notes": args.notes or ""}
    engine = _engine(settings)
    try:
        result = submit(
            engine,
            build_registry(),
            None,
            workshop_id=args.workshop,
            member_id=None,
            kind="edition.publish",
            args=body,
            system=True,
        )
    except OpRejected as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    assert result.outcome is not None
    print(result.outcome.result.number)
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    if args.edition is not None:
        return _export_edition(args, settings)
    if args.format != "json":
        return _export_rendered(args, settings)
    from roundtable.interchange.service import InterchangeError, export_workshop

    try:
        document = export_workshop(_engine(settings), args.workshop)
    except InterchangeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _export_edition(args: argparse.Namespace, settings: Settings) -> int:
    """A published edition, in any format, rendered in this process."""
    from roundtable.db import read_session
    from roundtable.errors import OpRejected
    from roundtable.publishing.files import edition_file
    from roundtable.publishing.service import edition_by_number

    engine = _engine(settings)
    try:
        with read_session(engine) as session:
            edition = edition_by_number(session, args.workshop, args.edition)
        content = edition_file(
            edition, args.format, theme=args.theme, kind=args.kind, actor=args.actor
        )
        if args.output:
            Path(args.output).write_bytes(content)
        else:
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
    except (OpRejected, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


def _export_rendered(args: argparse.Namespace, settings: Settings) -> int:
    """md, csv, xlsx, docx and pdf: the consolidated checklist, rendered in this process."""
    from roundtable.db import read_session
    from roundtable.exports.formats import render
    from roundtable.exports.model import ExportError, build_snapshot

    try:
        with read_session(_engine(settings)) as session:
            snapshot = build_snapshot(
                session, args.workshop, theme=args.theme, kind=args.kind, actor=args.actor
            )
        content = render(args.format, snapshot)
        if args.output:
            Path(args.output).write_bytes(content)
        else:
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
    except (ExportError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_suggest(args: argparse.Namespace, settings: Settings) -> int:
    from roundtable.consolidation import DocumentError, items_from_document, suggest

    try:
        document = json.loads(Path(args.file).read_text(encoding="utf-8"))
        suggestions = suggest(items_from_document(document))
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # DocumentError is a ValueError
        kind = "not a roundtable/v1 document" if isinstance(exc, DocumentError) else "cannot read"
        print(f"error: {args.file}: {kind}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        sys.stdout.write(json.dumps(suggestions.to_json(), ensure_ascii=False, indent=2) + "\n")
        return 0
    print(f"Suggested merges ({len(suggestions.clusters)})")
    for cluster in suggestions.clusters:
        print(f"  {cluster.score:.2f}  {' + '.join(cluster.refs):<20} {cluster.reason}")
    print()
    print("Nearest items")
    for ref, nearest in suggestions.similar.items():
        others = "   ".join(f"{other} {score:.2f}" for other, score in nearest[:3])
        print(f"  {ref:<8} {others}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="roundtable", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="bring the database schema up to date").set_defaults(
        func=cmd_migrate
    )
    sub.add_parser("demo", help="seed the demo workshop when the database is empty").set_defaults(
        func=cmd_demo
    )

    fac = sub.add_parser("create-facilitator", help="create a facilitator login")
    fac.add_argument("--email", required=True)
    fac.add_argument("--password", help="prompted for when left out")
    fac.set_defaults(func=cmd_create_facilitator)

    imp = sub.add_parser("import", help="import a roundtable/v1 JSON file; prints the workshop id")
    imp.add_argument("file")
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser("export", help="export a workshop")
    exp.add_argument("--workshop", type=int, required=True)
    exp.add_argument("--edition", type=int)
    exp.add_argument(
        "--format", default="json", choices=["json", "md", "csv", "xlsx", "docx", "pdf", "html"]
    )
    exp.add_argument("--output")
    exp.add_argument("--theme")
    exp.add_argument("--kind")
    exp.add_argument("--actor")
    exp.set_defaults(func=cmd_export)

    pub = sub.add_parser(
        "publish", help="publish the consolidated checklist as the next edition; prints its number"
    )
    pub.add_argument("--workshop", type=int, required=True)
    pub.add_argument("--title", help="the edition's title (default: the workshop's)")
    pub.add_argument("--notes", help="notes shown with the edition")
    pub.set_defaults(func=cmd_publish)

    sug = sub.add_parser(
        "suggest", help="suggest merges for the groups' items in a roundtable/v1 file"
    )
    sug.add_argument("file")
    sug.add_argument("--json", action="store_true", help="print the suggestions as JSON")
    sug.set_defaults(func=cmd_suggest)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    return int(args.func(args, settings))


if __name__ == "__main__":
    raise SystemExit(main())
