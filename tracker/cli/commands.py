"""One function per ``tracker`` command: read the arguments, call the application layer
(``tracker.app.register.Register``), print. No rule lives here."""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tracker.app.pipeline import jsonable
from tracker.app.register import Register
from tracker.app.views import RecordView
from tracker.cli.output import out, print_import, reminder_json, say
from tracker.errors import TrackerError

EXIT_USER_ERROR = 2
EXIT_PROBLEM_FOUND = 1


def open_register(args: argparse.Namespace, url: str | None = None) -> Register:
    from tracker.locations import database_url

    return Register.open(url or database_url(args.db), on_upgrade=say)


def cmd_open(args: argparse.Namespace) -> int:
    from tracker.locations import database_url

    return _run_tui(args, database_url(args.db))


def _run_tui(args: argparse.Namespace, url: str) -> int:
    register = open_register(args, url)
    from tracker.ui.app import TrackerApp

    TrackerApp(engine=register.engine, today=date.today()).run()
    register.close()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from tracker.app.demo import write_demo
    from tracker.locations import demo_register

    path = Path(args.db).expanduser().resolve() if args.db else demo_register()
    fresh = args.no_open or args.reset or not path.exists()
    if fresh:
        write_demo(path, today=date.today())
        say(f"demo register written to {path}")
    if args.no_open:
        return 0
    return _run_tui(args, f"sqlite:///{path}")


def cmd_info(args: argparse.Namespace) -> int:
    info = open_register(args).info()
    out(f"register:  {info.url}")
    out(f"kind:      {info.kind}")
    out(f"schema:    {info.schema}")
    for name, count in info.counts.items():
        out(f"{name + ':':<18}{count}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    target = open_register(args).backup(Path(args.to).expanduser().resolve() if args.to
                                        else None)
    out(str(target))
    say(f"backup written; restore by opening it: tracker --db {target}")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    register = open_register(args)
    if args.action == "get":
        out(json.dumps(register.setting(args.key), ensure_ascii=False))
    elif args.action == "set":
        stored = register.change_setting(args.key, args.value)
        out(f"{args.key} = {json.dumps(stored, ensure_ascii=False)}")
    else:
        for setting in register.settings():
            out(f"{setting.key:<34} {json.dumps(setting.value, ensure_ascii=False):<14} "
                f"{setting.help}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    register = open_register(args)
    if args.action == "verify":
        checked, problems = register.verify_audit()
        for problem in problems:
            out(str(problem))
        if problems:
            say(f"audit trail BROKEN: {len(problems)} problem(s) in {checked} events")
            return EXIT_PROBLEM_FOUND
        out(f"audit trail intact: {checked} events, chain and head match")
        return 0
    for event in register.audit_log(limit=args.limit, entity=args.entity, entity_id=args.id):
        out(f"{event.id:>6} {event.at:%Y-%m-%d %H:%M} {event.actor:<24} "
            f"{event.action:<8} {event.entity} {event.entity_id}  "
            f"{event.before or ''} -> {event.after or ''}")
    return 0


def cmd_providers(args: argparse.Namespace) -> int:
    from tracker.app.queries import ProviderFilter

    page = open_register(args).provider_page(
        ProviderFilter(text=args.filter or "", include_archived=args.all), offset=0,
        limit=args.limit)
    if args.json:
        out(json.dumps([row.as_dict() for row in page.rows], ensure_ascii=False, indent=2))
        return 0
    for row in page.rows:
        out(f"{row.id:>5}  {row.legal_name[:48]:<48} {row.country or '--':<3} "
            f"{row.risk_tier or '-':<9} {row.status:<12} {row.role or ''}")
    say(f"{len(page.rows)} of {page.total} providers")
    return 0


def cmd_reminders(args: argparse.Namespace) -> int:
    from tracker.domain.enums import AssessmentOutcome, ReminderStatus
    from tracker.reminders.derive import visible

    today: date = args.today or date.today()
    register = open_register(args)
    if args.action in {"snooze", "done"}:
        if not args.uid:
            raise TrackerError(f"reminders {args.action} needs the reminder id shown in the "
                               "list, e.g. agreement-12-expiry")
        if args.action == "snooze":
            if args.until is None or not args.reason:
                raise TrackerError("reminders snooze needs --until DATE and --reason TEXT")
            reminder = register.snooze(args.uid, until=args.until, reason=args.reason,
                                       today=today)
            out(f"snoozed until {args.until.isoformat()}: {reminder.subject}")
        else:
            outcome = AssessmentOutcome(args.outcome) if args.outcome else None
            out(register.complete(args.uid, today=today, outcome=outcome, note=args.note,
                                  override=args.override))
        return 0
    reminders = register.reminders(today)
    policy = register.reminder_policy()
    if args.ics:
        from tracker.reminders.ics import reminders_calendar

        chosen = [r for r in reminders if r.status != ReminderStatus.SNOOZED or args.all]
        target = Path(args.ics).expanduser()
        target.write_bytes(reminders_calendar(chosen, lead_days=policy.lead_days,
                                              register_name=register.engine.url.database
                                              or "register"))
        say(f"{len(chosen)} reminders written to {target}")
        return 0
    within = args.within if args.within is not None else max(policy.lead_days, default=90)
    shown = visible(reminders, today, within, include_closed=args.all)
    overdue = [r for r in shown if r.status == ReminderStatus.OVERDUE]
    if args.json:
        out(json.dumps([reminder_json(r) for r in shown], ensure_ascii=False, indent=2))
    else:
        for r in shown:
            provider = (r.provider_name or "—")[:34]
            out(f"{r.due_on.isoformat()}  {r.status.value:<8}  {provider:<34}  "
                f"{r.kind.label}: {r.subject[:50]}  [{r.uid}]")
        say(f"{len(shown)} reminders due by {(today + timedelta(days=within)).isoformat()}, "
            f"{len(overdue)} overdue")
    return EXIT_PROBLEM_FOUND if overdue else 0


def cmd_event(args: argparse.Namespace) -> int:
    from tracker.domain.enums import ReviewTriggerKind

    try:
        kind = ReviewTriggerKind(args.kind)
    except ValueError:
        raise TrackerError(f"unknown event {args.kind!r}; allowed: "
                           f"{ReviewTriggerKind.allowed()}") from None
    register = open_register(args)
    provider = register.resolve_provider(args.provider)
    register.record_trigger(str(provider.id), kind, occurred_on=args.on or date.today(),
                            note=args.note)
    out(f"recorded {kind.label} for {provider.legal_name}: its review is due now")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    order: Any = ("day-first" if args.day_first else
                  "month-first" if args.month_first else None)
    report = open_register(args).import_file(Path(args.file).expanduser(),
                                             profile=args.profile, order=order,
                                             dry_run=args.dry_run, save_as=args.save_profile)
    if args.json:
        out(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print_import(report)
    return EXIT_PROBLEM_FOUND if report.problems or report.conflicts else 0


def cmd_export(args: argparse.Namespace) -> int:
    register = open_register(args)
    provider_id = int(register.resolve_provider(args.provider).id) if args.provider else None
    result = register.export(Path(args.target).expanduser(), provider_id=provider_id,
                             as_csv=args.csv, today=args.today)
    for title, count in result.rows.items():
        if not title.startswith("_"):
            out(f"{title:<20} {count:>9,} rows")
    say(f"exported {result.scope.label} to {result.path} in {result.seconds:.1f} s")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from tracker.checks.rules import Severity

    register = open_register(args)
    provider_id = int(register.resolve_provider(args.provider).id) if args.provider else None
    gaps = register.gaps(args.today or date.today(), provider_id)
    if args.json:
        out(json.dumps([g.as_dict() for g in gaps], ensure_ascii=False, indent=2))
    else:
        current = None
        for gap in gaps:
            if gap.provider != current:
                current = gap.provider
                out(f"\n{gap.provider}")
            out(f"  {gap.severity.value.upper():<8} {gap.subject}: {gap.why}\n"
                f"           fix: {gap.fix}  [{gap.article}; {gap.rule}]")
    counts = {s: sum(g.severity == s for g in gaps) for s in Severity}
    say(f"{len(gaps)} gaps: " + ", ".join(f"{n} {s.value}" for s, n in counts.items()))
    return EXIT_PROBLEM_FOUND if counts[Severity.CRITICAL] else 0


def cmd_evidence(args: argparse.Namespace) -> int:
    checks = open_register(args).verify_evidence()
    for check in checks:
        out(f"{check.status.upper():<9} {check.evidence_id:>5}  {check.provider[:30]:<30} "
            f"{check.location}  ({check.detail})")
    failed = [c for c in checks if c.failed]
    say(f"{len(checks)} evidence files: {len(failed)} missing or changed")
    return EXIT_PROBLEM_FOUND if failed else 0


def cmd_report(args: argparse.Namespace) -> int:
    register = open_register(args)
    provider_id = None
    if args.kind == "dossier":
        if not args.provider:
            raise TrackerError("a dossier is about one provider: add --provider NAME")
        provider_id = int(register.resolve_provider(args.provider).id)
    written = register.write_report(args.kind, Path(args.out).expanduser(),
                                    args.today or date.today(), provider_id)
    out(str(written))
    return 0


# --- records: the command line's door into the write pipeline --------------------------

def _field_texts(pairs: list[str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise TrackerError(f"{pair!r}: give each field as FIELD=VALUE, e.g. "
                               "expires_on=2027-03-31")
        texts[name.strip()] = value
    return texts


def _print_record(record: RecordView, as_json: bool, verb: str) -> None:
    if as_json:
        out(json.dumps({k: jsonable(v) for k, v in record.values.items()},
                       ensure_ascii=False, indent=2))
    else:
        out(f"{verb} {record.label}")


def cmd_add(args: argparse.Namespace) -> int:
    register = open_register(args)
    texts = _field_texts(args.fields)
    if args.provider:
        texts["provider_id"] = str(register.resolve_provider(args.provider).id)
    _print_record(register.create_from_text(args.entity, texts), args.json, "added")
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    record = open_register(args).update_from_text(args.entity, args.id,
                                                  _field_texts(args.fields))
    _print_record(record, args.json, "changed")
    return 0


def cmd_archive(args: argparse.Namespace) -> int:
    register = open_register(args)
    current = register.get(args.entity, args.id)
    _print_record(register.archive(args.entity, args.id,
                                   expected_version=int(current.version)), False, "archived")
    return 0
