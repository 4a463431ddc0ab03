"""The ``tracker`` command: parses arguments, calls the layers, prints.

User errors print one sentence to stderr and exit non-zero; a traceback only with --debug.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError, OperationalError

from tracker import __version__
from tracker.domain.settings import SETTINGS, SettingError, parse_setting
from tracker.errors import TrackerError

EXIT_USER_ERROR = 2
EXIT_PROBLEM_FOUND = 1

Handler = Callable[[argparse.Namespace], int]


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def _open(args: argparse.Namespace, url: str | None = None) -> Engine:
    from tracker.locations import database_url
    from tracker.store.migrate import open_register

    return open_register(url or database_url(args.db), on_upgrade=_say)


# --- commands ---------------------------------------------------------------------------

def cmd_open(args: argparse.Namespace) -> int:
    from tracker.locations import database_url

    return _run_tui(args, database_url(args.db))


def _run_tui(args: argparse.Namespace, url: str) -> int:
    engine = _open(args, url)
    from tracker.ui.app import TrackerApp

    TrackerApp(engine=engine, today=date.today()).run()
    engine.dispose()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from tracker.demo import write_demo
    from tracker.locations import demo_register

    path = Path(args.db).expanduser().resolve() if args.db else demo_register()
    fresh = args.no_open or args.reset or not path.exists()
    if fresh:
        write_demo(path, today=date.today())
        _say(f"demo register written to {path}")
    if args.no_open:
        return 0
    return _run_tui(args, f"sqlite:///{path}")


def cmd_info(args: argparse.Namespace) -> int:
    from tracker.store.engine import session_scope
    from tracker.store.migrate import current_revision
    from tracker.store.queries import register_counts
    from tracker.store.settings import get_setting

    engine = _open(args)
    with session_scope(engine, write=False) as session:
        counts = register_counts(session)
        kind = get_setting(session, "register_kind")
    print(f"register:  {engine.url.render_as_string(hide_password=True)}")
    print(f"kind:      {kind}")
    print(f"schema:    {current_revision(engine)}")
    for name, count in counts.items():
        print(f"{name + ':':<18}{count}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from tracker.locations import default_backup_path
    from tracker.store import sqlite

    engine = _open(args)
    path = sqlite.database_path(str(engine.url))
    if path is None:
        raise TrackerError("backup copies a SQLite register; for PostgreSQL use pg_dump")
    target = Path(args.to).expanduser().resolve() if args.to else default_backup_path(path)
    try:
        sqlite.backup(engine, target)
    except FileExistsError as err:
        raise TrackerError(str(err)) from None
    print(target)
    _say(f"backup written; restore by opening it: tracker --db {target}")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    from tracker.store.audit import current_actor
    from tracker.store.engine import session_scope
    from tracker.store.settings import all_settings, get_setting, set_setting

    engine = _open(args)
    try:
        with session_scope(engine, write=args.action == "set") as session:
            if args.action == "get":
                print(json.dumps(get_setting(session, args.key), ensure_ascii=False))
            elif args.action == "set":
                value = parse_setting(args.key, args.value)
                stored = set_setting(session, args.key, value, actor=current_actor(session))
                print(f"{args.key} = {json.dumps(stored, ensure_ascii=False)}")
            else:
                for key, value in all_settings(session).items():
                    help_text = SETTINGS[key].help if key in SETTINGS else "audit-trail name"
                    print(f"{key:<34} {json.dumps(value, ensure_ascii=False):<14} {help_text}")
    except SettingError as err:
        raise TrackerError(str(err)) from None
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from tracker.store.audit import verify_chain
    from tracker.store.engine import session_scope
    from tracker.store.queries import recent_events

    engine = _open(args)
    with session_scope(engine, write=False) as session:
        if args.action == "verify":
            checked, problems = verify_chain(session)
            for problem in problems:
                print(problem)
            if problems:
                _say(f"audit trail BROKEN: {len(problems)} problem(s) in {checked} events")
                return EXIT_PROBLEM_FOUND
            print(f"audit trail intact: {checked} events, chain and head match")
            return 0
        for event in recent_events(session, limit=args.limit, entity=args.entity,
                                   entity_id=args.id):
            print(f"{event.id:>6} {event.at:%Y-%m-%d %H:%M} {event.actor:<24} "
                  f"{event.action:<8} {event.entity} {event.entity_id}  "
                  f"{event.before or ''} -> {event.after or ''}")
    return 0


def cmd_providers(args: argparse.Namespace) -> int:
    from tracker.store.engine import session_scope
    from tracker.store.queries import ProviderFilter, provider_page

    engine = _open(args)
    with session_scope(engine, write=False) as session:
        page = provider_page(session, ProviderFilter(text=args.filter or "",
                                                     include_archived=args.all),
                             offset=0, limit=args.limit)
    if args.json:
        print(json.dumps([row.as_dict() for row in page.rows], ensure_ascii=False, indent=2))
        return 0
    for row in page.rows:
        print(f"{row.id:>5}  {row.legal_name[:48]:<48} {row.country or '--':<3} "
              f"{row.risk_tier or '-':<9} {row.status:<12} {row.role or ''}")
    _say(f"{len(page.rows)} of {page.total} providers")
    return 0


# --- parsing ----------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, metavar="PATH",
                        help="register file (or database URL); default: your data directory")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show tracebacks instead of one-line errors")
    parser = argparse.ArgumentParser(
        prog="tracker", parents=[common],
        description="Due-diligence register of the companies that supply data and models "
                    "to AI builders. With no command, opens the terminal UI.")
    parser.add_argument("--version", action="version", version=f"tracker {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, parents=[common], help=help_text,
                                  description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    add("open", cmd_open, "open the terminal UI on the register (the default)")
    demo = add("demo", cmd_demo, "open the terminal UI on the demo register, kept apart "
                                 "from your own (written on first use)")
    demo.add_argument("--no-open", action="store_true", help="only write the demo register")
    demo.add_argument("--reset", action="store_true", help="rebuild the demo register first")
    add("info", cmd_info, "show where the register is, its schema and what it holds")
    backup = add("backup", cmd_backup, "copy the register consistently, even while it is open")
    backup.add_argument("--to", metavar="PATH", help="where to write the copy")
    settings = add("settings", cmd_settings,
                   "list, read or change the register's shared settings (audited)")
    settings.add_argument("action", nargs="?", choices=["list", "get", "set"], default="list")
    settings.add_argument("key", nargs="?", help="setting name, e.g. reminder_lead_days")
    settings.add_argument("value", nargs="?", help="new value (JSON or text), e.g. [90,30,7]")
    audit = add("audit", cmd_audit, "verify the tamper-evident audit trail, or list events")
    audit.add_argument("action", choices=["verify", "log"])
    audit.add_argument("--limit", type=int, default=50, help="events to list (log)")
    audit.add_argument("--entity", help="only events of this entity, e.g. provider (log)")
    audit.add_argument("--id", help="only events of this record id (log)")
    providers = add("providers", cmd_providers, "list providers, optionally filtered")
    providers.add_argument("filter", nargs="?", help="part of a name, country, role, tier...")
    providers.add_argument("--all", action="store_true", help="include archived providers")
    providers.add_argument("--limit", type=int, default=1000, help="rows to print")
    providers.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.command == "settings":
        if args.action == "get" and not args.key:
            parser.error("settings get needs a KEY")
        if args.action == "set" and (not args.key or args.value is None):
            parser.error("settings set needs a KEY and a VALUE")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.db = getattr(args, "db", None)
    args.debug = getattr(args, "debug", False)
    _check_arguments(parser, args)
    handler: Handler = getattr(args, "handler", cmd_open)
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except (TrackerError, OperationalError, DatabaseError, OSError) as err:
        if args.debug:
            raise
        _say(f"tracker: {_describe(err)}")
        return EXIT_USER_ERROR


def _describe(err: BaseException) -> str:
    if isinstance(err, OperationalError | DatabaseError):
        detail = str(getattr(err, "orig", err))
        if "locked" in detail:
            return "the register is busy (another program holds a write lock); try again"
        return f"cannot use the register: {detail}"
    if isinstance(err, OSError) and not isinstance(err, TrackerError):
        return f"{err.strerror or err}: {err.filename}" if err.filename else str(err)
    return str(err)


__all__: list[str] = ["main", "build_parser"]
