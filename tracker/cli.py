"""The ``tracker`` command: parses arguments, calls the layers, prints.

User errors print one sentence to stderr and exit non-zero; a traceback only with --debug.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

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
    from tracker.app.demo import write_demo
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
    from tracker.app.queries import register_counts
    from tracker.store.engine import session_scope
    from tracker.store.migrate import current_revision
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
    from tracker.app.queries import recent_events
    from tracker.store.audit import verify_chain
    from tracker.store.engine import session_scope

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
    from tracker.app.queries import ProviderFilter, provider_page
    from tracker.store.engine import session_scope

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


def _date_arg(text: str) -> date:
    from tracker.domain.dates import parse_iso_date

    try:
        parsed = parse_iso_date(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    if parsed is None:
        raise argparse.ArgumentTypeError("a date is required (YYYY-MM-DD)")
    return parsed


def cmd_reminders(args: argparse.Namespace) -> int:
    from tracker.app.reminders import (
        complete_reminder,
        current_reminders,
        reminder_policy,
        snooze_reminder,
    )
    from tracker.domain.enums import AssessmentOutcome, ReminderStatus
    from tracker.reminders.derive import visible
    from tracker.store.audit import current_actor
    from tracker.store.engine import session_scope

    today: date = args.today or date.today()
    engine = _open(args)
    if args.action in {"snooze", "done"}:
        if not args.uid:
            raise TrackerError(f"reminders {args.action} needs the reminder id shown in the "
                               "list, e.g. agreement-12-expiry")
        with session_scope(engine) as session:
            actor = current_actor(session)
            if args.action == "snooze":
                if args.until is None or not args.reason:
                    raise TrackerError("reminders snooze needs --until DATE and --reason TEXT")
                reminder = snooze_reminder(session, ident=args.uid, until=args.until,
                                           reason=args.reason, today=today, actor=actor)
                print(f"snoozed until {args.until.isoformat()}: {reminder.subject}")
            else:
                outcome = AssessmentOutcome(args.outcome) if args.outcome else None
                print(complete_reminder(session, ident=args.uid, today=today, actor=actor,
                                        outcome=outcome, note=args.note,
                                        override=args.override))
        return 0
    with session_scope(engine, write=False) as session:
        reminders = current_reminders(session, today)
        policy = reminder_policy(session)
    if args.ics:
        from tracker.reminders.ics import reminders_calendar

        chosen = [r for r in reminders if r.status != ReminderStatus.SNOOZED or args.all]
        target = Path(args.ics).expanduser()
        target.write_bytes(reminders_calendar(chosen, lead_days=policy.lead_days,
                                              register_name=engine.url.database or "register"))
        _say(f"{len(chosen)} reminders written to {target}")
        return 0
    within = args.within if args.within is not None else max(policy.lead_days, default=90)
    shown = visible(reminders, today, within, include_closed=args.all)
    overdue = [r for r in shown if r.status == ReminderStatus.OVERDUE]
    if args.json:
        print(json.dumps([_reminder_json(r) for r in shown], ensure_ascii=False, indent=2))
    else:
        for r in shown:
            provider = (r.provider_name or "—")[:34]
            print(f"{r.due_on.isoformat()}  {r.status.value:<8}  {provider:<34}  "
                  f"{r.kind.label}: {r.subject[:50]}  [{r.uid}]")
        _say(f"{len(shown)} reminders due by {(today + timedelta(days=within)).isoformat()}, "
             f"{len(overdue)} overdue")
    return EXIT_PROBLEM_FOUND if overdue else 0


def _reminder_json(r: Any) -> dict[str, Any]:
    return {"uid": r.uid, "key": r.key, "kind": r.kind.value, "title": r.kind.label,
            "due_on": r.due_on.isoformat(), "status": r.status.value,
            "provider_id": r.provider_id, "provider": r.provider_name, "subject": r.subject,
            "why": r.why, "action": r.action, "article": r.article, "note": r.note,
            "snoozed_until": r.snoozed_until.isoformat() if r.snoozed_until else None}


def cmd_event(args: argparse.Namespace) -> int:
    from tracker.app import pipeline
    from tracker.app.queries import resolve_provider
    from tracker.domain.enums import ReviewTriggerKind
    from tracker.store.audit import current_actor
    from tracker.store.engine import session_scope

    try:
        kind = ReviewTriggerKind(args.kind)
    except ValueError:
        raise TrackerError(f"unknown event {args.kind!r}; allowed: "
                           f"{ReviewTriggerKind.allowed()}") from None
    engine = _open(args)
    with session_scope(engine) as session:
        provider = resolve_provider(session, args.provider)
        pipeline.review_triggers.create(session=session, data={
            "provider_id": provider.id, "kind": kind,
            "occurred_on": args.on or date.today(), "note": args.note},
            actor=current_actor(session))
    print(f"recorded {kind.label} for {provider.legal_name}: its review is due now")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from tracker.app.imports import run_import
    from tracker.sheets.mapping import load_profile
    from tracker.sheets.values import DayOrder

    profile = load_profile(args.profile) if args.profile else None
    order: DayOrder = ("day-first" if args.day_first else
                       "month-first" if args.month_first else None)
    engine = _open(args)
    report = run_import(engine, Path(args.file).expanduser(), profile=profile, order=order,
                        dry_run=args.dry_run, save_as=args.save_profile)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_import(report)
    return EXIT_PROBLEM_FOUND if report.problems else 0


def _print_import(report: Any) -> None:
    for mapping in report.mappings:
        print(f"sheet {mapping.sheet!r}, header on row {mapping.header_row}:")
        for column in mapping.columns:
            target = column.target or "(left out: no field)"
            print(f"  {column.letter:>3}  {column.header[:40]:<40} → {target}")
    for note in report.notes:
        print(note)
    for sheet in report.left_out_sheets:
        print(f"sheet left out: {sheet}")
    for entity, counts in report.counts.items():
        if counts.new or counts.changed or counts.unchanged:
            print(f"{entity:<16} {counts.new:>7,} new {counts.changed:>7,} changed "
                  f"{counts.unchanged:>7,} unchanged")
    if report.problems:
        print(f"{len(report.problems)} problem(s):")
        for problem in report.problems:
            print(f"  {problem}")
    if report.saved_profile:
        _say(f"mapping saved as profile {report.saved_profile.stem} ({report.saved_profile})")
    if report.written:
        _say(f"imported {report.rows_read:,} rows from {report.path.name}")
    elif not report.problems and not report.dry_run:
        _say(f"{report.rows_read:,} rows read from {report.path.name}: the register already "
             "holds all of it, nothing changed")
    elif report.problems:
        _say("nothing was written: fix the problems above and import again")
    else:
        _say("dry run: nothing was written")


def cmd_export(args: argparse.Namespace) -> int:
    from tracker.app.exports import run_export
    from tracker.app.queries import resolve_provider
    from tracker.store.engine import session_scope

    engine = _open(args)
    provider_id = None
    if args.provider:
        with session_scope(engine, write=False) as session:
            provider_id = resolve_provider(session, args.provider).id
    result = run_export(engine, Path(args.target).expanduser(), provider_id=provider_id,
                        as_csv=args.csv, today=args.today)
    for title, count in result.rows.items():
        if not title.startswith("_"):
            print(f"{title:<20} {count:>9,} rows")
    _say(f"exported {result.scope.label} to {result.path} in {result.seconds:.1f} s")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from tracker.app.gaps import register_gaps
    from tracker.app.queries import resolve_provider
    from tracker.checks.rules import Severity
    from tracker.store.engine import session_scope

    engine = _open(args)
    with session_scope(engine, write=False) as session:
        provider_id = resolve_provider(session, args.provider).id if args.provider else None
        gaps = register_gaps(session, args.today or date.today(), provider_id)
    if args.json:
        print(json.dumps([g.as_dict() for g in gaps], ensure_ascii=False, indent=2))
    else:
        current = None
        for gap in gaps:
            if gap.provider != current:
                current = gap.provider
                print(f"\n{gap.provider}")
            print(f"  {gap.severity.value.upper():<8} {gap.subject}: {gap.why}\n"
                  f"           fix: {gap.fix}  [{gap.article}; {gap.rule}]")
    counts = {s: sum(g.severity == s for g in gaps) for s in Severity}
    _say(f"{len(gaps)} gaps: " + ", ".join(f"{n} {s.value}" for s, n in counts.items()))
    return EXIT_PROBLEM_FOUND if counts[Severity.CRITICAL] else 0


def cmd_evidence(args: argparse.Namespace) -> int:
    from tracker.app.evidence import verify_evidence
    from tracker.store import sqlite
    from tracker.store.engine import session_scope

    engine = _open(args)
    path = sqlite.database_path(str(engine.url))
    with session_scope(engine, write=False) as session:
        checks = verify_evidence(session, path.parent if path else None)
    for check in checks:
        print(f"{check.status.upper():<9} {check.evidence_id:>5}  {check.provider[:30]:<30} "
              f"{check.location}  ({check.detail})")
    failed = [c for c in checks if c.failed]
    _say(f"{len(checks)} evidence files: {len(failed)} missing or changed")
    return EXIT_PROBLEM_FOUND if failed else 0


def cmd_report(args: argparse.Namespace) -> int:
    from tracker.app.queries import resolve_provider
    from tracker.app.register import Register
    from tracker.store.engine import session_scope

    engine = _open(args)
    provider_id = None
    if args.kind == "dossier":
        if not args.provider:
            raise TrackerError("a dossier is about one provider: add --provider NAME")
        with session_scope(engine, write=False) as session:
            provider_id = resolve_provider(session, args.provider).id
    out = Register(engine).write_report(args.kind, Path(args.out).expanduser(),
                                        args.today or date.today(), provider_id)
    print(out)
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
    reminders = add("reminders", cmd_reminders,
                    "list what is due (exit 1 when anything is overdue), write an iCalendar "
                    "file, or snooze / complete a reminder")
    reminders.add_argument("action", nargs="?", choices=["list", "snooze", "done"],
                           default="list")
    reminders.add_argument("uid", nargs="?", help="reminder id from the list (snooze, done)")
    reminders.add_argument("--within", type=int, metavar="DAYS",
                           help="show what is due within DAYS (default: the longest lead time)")
    reminders.add_argument("--json", action="store_true", help="print JSON for scripts")
    reminders.add_argument("--ics", metavar="FILE", help="write every reminder to an .ics file")
    reminders.add_argument("--all", action="store_true", help="include snoozed and done")
    reminders.add_argument("--until", type=_date_arg, metavar="DATE", help="snooze until DATE")
    reminders.add_argument("--reason", help="why the reminder is snoozed")
    reminders.add_argument("--outcome",
                           choices=["approved", "approved_with_conditions", "rejected"],
                           help="outcome of the review that completes a review reminder")
    reminders.add_argument("--note", help="a note kept with the completion")
    reminders.add_argument("--override", metavar="REASON",
                           help="approve a review although critical checklist items are open,"
                                " recording why (audited)")
    reminders.add_argument("--today", type=_date_arg, metavar="DATE",
                           help="compute as if today were DATE")
    evidence = add("evidence", cmd_evidence, "verify evidence files against their recorded "
                                             "SHA-256 (exit 1 if any is missing or changed)")
    evidence.add_argument("action", choices=["verify"])
    report = add("report", cmd_report, "write a report: ropa (GDPR Art 30), ai-act-summary "
                                       "(Art 53(1)(d)), cac-explanation (Interim Measures), "
                                       "dossier (one provider); format from --out's extension")
    report.add_argument("kind", choices=["ropa", "ai-act-summary", "cac-explanation",
                                         "dossier"])
    report.add_argument("--out", required=True, metavar="FILE",
                        help="where to write it: .md, .html or .xlsx")
    report.add_argument("--provider", help="the provider of a dossier (id or part of its name)")
    report.add_argument("--today", type=_date_arg, metavar="DATE",
                        help="report as if today were DATE")
    check = add("check", cmd_check, "list compliance gaps per provider, supply and transfer "
                                    "(exit 1 when any critical gap is open)")
    check.add_argument("--provider", help="only this provider (id or a unique part of its name)")
    check.add_argument("--json", action="store_true", help="print JSON for scripts")
    check.add_argument("--today", type=_date_arg, metavar="DATE",
                       help="check as if today were DATE")
    imp = add("import", cmd_import, "import a register from .xlsx or .csv: all or nothing, "
                                    "and importing the same file again changes nothing")
    imp.add_argument("file", help="the .xlsx or .csv file, or a directory of CSV files "
                                  "that `tracker export --csv` wrote")
    imp.add_argument("--profile", help="a saved column mapping (name or .json path)")
    imp.add_argument("--save-profile", metavar="NAME", help="keep the mapping used as NAME")
    imp.add_argument("--dry-run", action="store_true",
                     help="show the mapping, counts and problems; write nothing")
    dates = imp.add_mutually_exclusive_group()
    dates.add_argument("--day-first", action="store_true",
                       help="read ambiguous text dates such as 01/03/2026 as 1 March")
    dates.add_argument("--month-first", action="store_true",
                       help="read ambiguous text dates such as 01/03/2026 as 3 January")
    imp.add_argument("--json", action="store_true", help="print the report as JSON")
    export = add("export", cmd_export,
                 "export the register to a workbook (one sheet per kind of record, plus "
                 "Reminders and Summary) or, with --csv, to a directory of CSV files; the "
                 "import reads either back")
    export.add_argument("target", help="the .xlsx file, or the directory with --csv")
    export.add_argument("--provider",
                        help="only this provider's due-diligence file (id or part of its name)")
    export.add_argument("--csv", action="store_true",
                        help="one UTF-8 CSV per sheet (with a BOM, so Excel reads Chinese)")
    export.add_argument("--today", type=_date_arg, metavar="DATE",
                        help="reminders as if today were DATE")
    event = add("event", cmd_event, "record an event that makes a provider's review due at "
                                    "once (breach, new sub-processor, ...)")
    event.add_argument("provider", help="provider id or a unique part of its name")
    event.add_argument("kind", help="new_purpose, new_data_type, new_subprocessor, breach, "
                                    "ownership_change, destination_law_change, adequacy_decision, "
                                    "volume_threshold, assessment_expired, filing_expired, "
                                    "certificate_expired or agreement_expired")
    event.add_argument("--on", type=_date_arg, metavar="DATE", help="when it happened (today)")
    event.add_argument("--note", help="what happened")
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
