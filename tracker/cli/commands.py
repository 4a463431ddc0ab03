"""One function per ``tracker`` command: read the arguments, call the application layer
(``tracker.app.register.Register``), print. No rule lives here."""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.app.register import Register
from tracker.cli.exits import EXIT_FINDINGS, EXIT_INTERNAL_ERROR, EXIT_OK
from tracker.cli.forked_half import SPLIT_FROM
from tracker.cli.output import json_text, out, out_json, print_import, safe, say
from tracker.domain.questionnaire import corrections_to_decide
from tracker.domain.text import counted
from tracker.errors import NoRegister, TrackerError
from tracker.formatting import padded
from tracker.gcpause import gc_paused, keep_until_exit

if TYPE_CHECKING:  # imported where used: `tracker check` and `tracker reminders` load no
    # import, export or questionnaire machinery (a process's start-up is part of its time)
    from tracker.app.questionnaires import ReceiveReport
    from tracker.app.views import RecordView
    from tracker.checks.rules import Gap, Severity
    from tracker.reminders.derive import DerivedReminder

DEMO_HINT = "write it with `tracker demo --no-open`"


def register_url(args: argparse.Namespace) -> str:
    """The register the command is about: ``--demo``, ``--db``, TRACKER_DB, or your own."""
    from tracker.locations import database_url, demo_register

    if args.demo:
        if args.db is not None:
            raise TrackerError("--demo and --db each name a register; give one of them")
        return f"sqlite:///{demo_register()}"
    return database_url(args.db)


def open_register(args: argparse.Namespace, url: str | None = None) -> Register:
    """The register, which must exist: no command creates one but ``init`` and ``demo``."""
    try:
        return Register.open(url or register_url(args), on_upgrade=say,
                             read_only=args.read_only)
    except NoRegister as err:
        if args.demo and url is None:
            raise NoRegister(err.where, DEMO_HINT) from None
        raise


def cmd_open(args: argparse.Namespace) -> int:
    return _run_tui(args, None)


def _run_tui(args: argparse.Namespace, url: str | None) -> int:
    register = open_register(args, url)
    from tracker.ui.app import TrackerApp

    app = TrackerApp(engine=register.engine, today=date.today())
    app.run()
    register.close()
    # Textual has printed the traceback of a crash itself; say it was one.
    return EXIT_INTERNAL_ERROR if app.return_code else EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    if args.demo:
        raise TrackerError("--demo names the demo register, which `tracker demo --no-open` "
                           "writes; `tracker init` creates your own")
    register = Register.new(register_url(args))
    register.close()
    out(f"created a new, empty register at {register.location}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from tracker.app.demo import write_demo
    from tracker.locations import demo_register, given_path

    path = given_path(args.db, option="--db") if args.db is not None else demo_register()
    fresh = args.no_open or args.reset or not path.exists()
    if fresh:
        write_demo(path, today=date.today())
        say(f"demo register written to {path}")
    if args.no_open:
        return 0
    return _run_tui(args, f"sqlite:///{path}")


def cmd_info(args: argparse.Namespace) -> int:
    register = open_register(args)
    info = register.info()
    out(f"register:  {info.url}")
    out(f"kind:      {info.kind}")
    out(f"schema:    {info.schema}")
    login = register.access()  # issue 16 team: what the server lets this login do
    access = f"read-only ({info.read_only})" if info.read_only else (
        "read-write" if login is None or login.edit else
        "read-only access (PostgreSQL refuses this login's changes)")
    out(f"access:    {access}")
    if login is not None:
        may = "records and settings" if login.settings and login.edit else (
            "records" if login.edit else "nothing (reads only)")
        out(f"login:     {safe(login.login)} ({login.role}; may change {may})")
    for name, count in info.counts.items():
        out(f"{name + ':':<18}{count}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from tracker.locations import given_path

    target = open_register(args).backup(
        given_path(args.to, option="--to") if args.to is not None else None, force=args.force)
    out(str(target))
    say(f"backup written; restore by opening it: tracker --db {target}")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    register = open_register(args)
    if args.action == "get":
        out(json_text(register.setting(args.key)))
    elif args.action == "set":
        stored = register.change_setting(args.key, args.value)
        out(f"{safe(args.key)} = {json_text(stored)}")
    else:
        for setting in register.settings():
            out(f"{safe(setting.key):<34} {json_text(setting.value):<14} "
                f"{setting.help}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    register = open_register(args)
    if args.action == "verify":
        verdict = register.verify_audit(Path(args.anchor).expanduser() if args.anchor
                                        else None)
        for problem in verdict.problems:
            out(safe(problem))
        for note in verdict.notes:  # a backup found that may be a diverged copy's
            say(f"note: {safe(note)}")
        named = ", ".join(verdict.anchors[:3]) + (
            f" and {len(verdict.anchors) - 3} more" if len(verdict.anchors) > 3 else "")
        anchors = (f"; {len(verdict.anchors)} anchor(s) checked ({named})" if verdict.anchors
                   else "; no anchor to check it against")
        if verdict.problems:
            say(f"audit trail BROKEN: {len(verdict.problems)} problem(s) in "
                f"{verdict.events} events and {verdict.records} records{safe(anchors)}")
            return EXIT_FINDINGS
        out(f"audit trail intact: {verdict.events} events, chain and head match; "
            f"{verdict.records} records match their last recorded values{safe(anchors)}")
        return 0
    if args.action == "anchor":
        if not args.out:
            raise TrackerError("audit anchor needs --out FILE: where to write the anchor")
        target = Path(args.out).expanduser()
        anchor = register.write_anchor(target, force=args.force)
        out(str(target))
        say(f"anchor written: event {anchor.count} has hash {anchor.hash[:16]}…; keep it "
            "where the register's writers cannot reach, and check with "
            f"`tracker audit verify --anchor {safe(str(target))}`")
        return 0
    for event in register.audit_log(limit=args.limit, entity=args.entity, entity_id=args.id):
        out(f"{event.id:>6} {event.at:%Y-%m-%d %H:%M} {safe(event.actor):<24} "
            f"{safe(event.action):<8} {safe(event.entity)} {safe(event.entity_id)}  "
            f"{safe(event.before)} -> {safe(event.after)}")
    return 0


def cmd_providers(args: argparse.Namespace) -> int:
    from tracker.app.queries import ProviderFilter

    page = open_register(args).provider_page(
        ProviderFilter(text=args.filter or "", include_archived=args.all), offset=0,
        limit=args.limit)
    if args.json:
        out_json([row.as_dict() for row in page.rows])
        return 0
    for row in page.rows:
        out(f"{row.id:>5}  {padded(safe(row.legal_name), 48)} {safe(row.country or '--'):<3} "
            f"{safe(row.risk_tier or '-'):<9} {safe(row.status):<12} {safe(row.role)}")
    say(f"{len(page.rows)} of {page.total} providers")
    return 0


def cmd_reminders(args: argparse.Namespace) -> int:
    from tracker.domain.enums import AssessmentOutcome

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
            out(f"snoozed until {args.until.isoformat()}: {safe(reminder.subject)}")
        else:
            outcome = AssessmentOutcome(args.outcome) if args.outcome else None
            out(safe(register.complete(args.uid, today=today, outcome=outcome,
                                       note=args.note, override=args.override)))
        return 0
    if args.ics:
        target = Path(args.ics).expanduser()
        count = register.write_calendar(target, today, include_snoozed=args.all,
                                        force=args.force)
        say(f"{count} reminders written to {target}")
        return 0
    with gc_paused():  # a one-shot listing: its ~450,000 reminders and their texts form
        # no cycles, and the collector would scan them all, again and again, for nothing
        return _list_reminders(register, today, args)


def _list_reminders(register: Register, today: date, args: argparse.Namespace) -> int:
    """The list is derived and printed with the cyclic GC paused: ~450,000 reminders and
    the dates they come from stay alive until the command ends, and what printing them
    makes (their texts, the JSON) forms no cycles; with the GC running, each collection
    of the oldest generation walked them all again while they were printed."""
    with gc_paused():
        return _print_reminders(register, today, args)


def _print_reminders(register: Register, today: date, args: argparse.Namespace) -> int:
    from tracker.reminders.derive import overdue_count, visible

    policy = register.reminder_policy()
    within = args.within if args.within is not None else max(policy.lead_days, default=90)
    if args.json and register.provider_halves(at_least=SPLIT_FROM) is not None:
        return _print_reminders_in_stages(register, today, within, args)
    reminders = register.reminders(today)
    shown = visible(reminders, today, within, include_closed=args.all)
    overdue = overdue_count(shown)
    register.close()
    keep_until_exit(register, reminders, shown)  # freed by the process's end (cli.leave)
    if args.json:
        from tracker.cli.records_json import write_reminders

        write_reminders(shown)
    else:
        for r in shown:
            provider = padded(safe(r.provider_name or "—"), 34)
            out(f"{r.due_on.isoformat()}  {r.status.value:<8}  {provider}  "
                f"{r.kind.label}: {safe(r.subject[:50])}  [{safe(r.uid)}]")
        say(f"{len(shown)} reminders due by {(today + timedelta(days=within)).isoformat()}, "
            f"{overdue} overdue")
    return EXIT_FINDINGS if overdue else EXIT_OK


def _print_reminders_in_stages(register: Register, today: date, within: int,
                               args: argparse.Namespace) -> int:
    """``--json`` of a large register on two cores: the agreements' and evidence's
    reminders loaded, derived and rendered by a forked child while this process does the
    others (the same bytes: ``split_json.write_reminders_in_stages``)."""
    from tracker.cli.split_json import write_reminders_in_stages
    from tracker.reminders.derive import visible

    def shown(reminders: list[DerivedReminder]) -> list[DerivedReminder]:
        return visible(reminders, today, within, include_closed=args.all)

    def outer() -> tuple[list[DerivedReminder], list[DerivedReminder]]:
        before, after = register.reminder_stages(today, ("reviews", "duties"))
        kept = shown(before), shown(after)
        keep_until_exit(before, after, kept)  # freed by the process's end (cli.leave)
        return kept

    def middle(forked: bool) -> list[DerivedReminder]:
        if forked:
            register.forked()
        (documents,) = register.reminder_stages(today, ("documents",))
        return shown(documents)

    register.close()  # no connection crosses the fork: each process opens its own
    try:
        _, overdue = write_reminders_in_stages(outer, middle)
    finally:
        register.close()
    return EXIT_FINDINGS if overdue else EXIT_OK


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
    out(f"recorded {kind.label} for {safe(provider.legal_name)}: its review is due now")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    order: Any = ("day-first" if args.day_first else
                  "month-first" if args.month_first else None)
    report = open_register(args).import_file(Path(args.file).expanduser(),
                                             profile=args.profile, order=order,
                                             dry_run=args.dry_run, save_as=args.save_profile)
    if args.json:
        out_json(report.as_dict())
    else:
        print_import(report)
    return EXIT_FINDINGS if report.problems or report.conflicts else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    register = open_register(args)
    provider_id = int(register.resolve_provider(args.provider).id) if args.provider else None
    result = register.export(Path(args.target).expanduser(), provider_id=provider_id,
                             as_csv=args.csv, today=args.today, force=args.force)
    for title, count in result.rows.items():
        if not title.startswith("_"):
            out(f"{title:<20} {count:>9,} rows")
    say(f"exported {result.scope.label} to {result.path} in {result.seconds:.1f} s")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    register = open_register(args)
    provider_id = int(register.resolve_provider(args.provider).id) if args.provider else None
    with gc_paused():  # a one-shot check: ~450,000 gaps and the rows they come from form no
        # cycles, and the collector would scan them all, again and again, for nothing
        return _check(register, args.today or date.today(), provider_id, as_json=args.json)


def _check(register: Register, today: date, provider_id: int | None, *, as_json: bool) -> int:
    from collections import Counter

    from tracker.checks.rules import Severity

    counts = dict.fromkeys(Severity, 0)
    halves = register.provider_halves(at_least=SPLIT_FROM) if as_json and provider_id is None \
        else None
    if halves is not None:  # each half loaded, checked and written on a core of its own
        from tracker.cli.split_json import write_gaps_of_parts

        first, second = halves

        def second_part(forked: bool) -> list[Gap]:
            if forked:
                register.forked()
            return register.gaps(today, keep=False, part=second, with_organisation=False)

        register.close()  # no connection crosses the fork: each process opens its own
        try:
            counts.update(write_gaps_of_parts(
                lambda: register.gaps(today, keep=False, part=first), second_part))
        finally:
            register.close()
        return _summed(counts)
    gaps = register.gaps(today, provider_id, keep=False)
    register.close()
    keep_until_exit(gaps)  # freed by the process's end (cli.leave)
    if as_json:
        from tracker.cli.records_json import write_gaps

        write_gaps(gaps)
    else:
        current = None
        for gap in gaps:
            if gap.provider != current:
                current = gap.provider
                out(f"\n{safe(gap.provider)}")
            out(f"  {gap.severity.value.upper():<8} {safe(gap.subject)}: {safe(gap.why)}\n"
                f"           fix: {safe(gap.fix)}  [{safe(gap.article)}; {gap.rule}]")
    counts.update(Counter(map(attrgetter("severity"), gaps)))  # counted in C: ~450,000 gaps
    return _summed(counts)


def _summed(counts: dict[Severity, int]) -> int:
    from tracker.checks.rules import Severity

    say(f"{sum(counts.values())} gaps: " + ", ".join(f"{n} {s.value}"
                                                    for s, n in counts.items()))
    return EXIT_FINDINGS if counts[Severity.CRITICAL] else EXIT_OK


def cmd_evidence(args: argparse.Namespace) -> int:
    if args.action == "add":
        return _evidence_add(args)
    checks = open_register(args).verify_evidence()
    if args.json:
        out_json([{"id": c.evidence_id, "provider": c.provider, "location": c.location,
                   "status": c.status, "detail": c.detail, "hash": c.provenance}
                  for c in checks])
    for check in checks if not args.json else []:
        out(f"{check.status.upper():<9} {check.evidence_id:>5}  {padded(safe(check.provider), 30)} "
            f"{safe(check.location)}  ({safe(check.detail)}; {check.provenance})")
    failed = [c for c in checks if c.failed]
    typed = sum(c.status == "typed" or c.provenance == "typed, unverified" for c in checks)
    say(f"{len(checks)} evidence files: {len(failed)} missing or changed, {typed} with a "
        "hash typed by hand (unverified)")
    return EXIT_FINDINGS if failed else EXIT_OK


def _evidence_add(args: argparse.Namespace) -> int:
    added = open_register(args).add_evidence(
        args.provider, Path(args.file), {"kind": args.kind, "supports": args.supports,
                                         "valid_until": args.valid_until},
        links={"supply_id": args.supply, "agreement_id": args.agreement,
               "assessment_id": args.assessment, "transfer_id": args.transfer},
        accept_change=args.accept_change)
    if args.json:
        out_json({"id": added.evidence_id, "provider": added.provider,
                  "location": added.location, "sha256": added.sha256, "size": added.size,
                  "outcome": added.outcome, "previous_sha256": added.previous_sha256})
        return EXIT_FINDINGS if added.failed else EXIT_OK
    what = {"added": "added evidence", "verified": "re-hashed, unchanged: verified",
            "replaced": "re-hashed, CHANGED since recorded; new hash recorded",
            "changed": "CHANGED since recorded, nothing written"}[added.outcome]
    out(f"{what} {added.evidence_id}: {safe(added.location)} of {safe(added.provider)}, "
        f"{added.size:,} bytes, SHA-256 {added.sha256}")
    if added.previous_sha256 and added.previous_sha256 != added.sha256:
        say(f"recorded SHA-256 was {added.previous_sha256}"
            + ("" if added.outcome == "replaced" else
               "; check why the file changed, then pass --accept-change to record it"))
    return EXIT_FINDINGS if added.failed else EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    register = open_register(args)
    provider_id = None
    if args.kind == "dossier":
        if not args.provider:
            raise TrackerError("a dossier is about one provider: add --provider NAME")
        provider_id = int(register.resolve_provider(args.provider).id)
    written = register.report(args.kind, Path(args.out).expanduser(),
                              args.today or date.today(), provider_id, force=args.force,
                              model=args.model, format=args.format)
    out(str(written.path))
    if args.kind == "ai-act-summary":
        say(f"{written.missing} items still missing before publication" if written.missing
            else "every section of the template is answered")
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
    from tracker.app.pipeline import jsonable

    if as_json:
        out_json({k: jsonable(v) for k, v in record.values.items()})
    else:
        out(f"{verb} {safe(record.label)}")


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


# --- issue 16 team ---------------------------------------------------------------------------

def _new_password(args: argparse.Namespace) -> str | None:
    """The password to set with --password: asked twice on a terminal, else one line read
    from stdin (for a script). Never an argument: it would sit in the shell's history."""
    import getpass
    import sys

    if not args.password:
        return None
    if sys.stdin.isatty():
        first = getpass.getpass(f"new password for {args.login}: ")
        if getpass.getpass("again: ") != first:
            raise TrackerError("the two passwords differ; nothing was changed")
    else:
        first = sys.stdin.readline().rstrip("\n")
    if not first:
        raise TrackerError("an empty password is not set; nothing was changed")
    return first


def cmd_team(args: argparse.Namespace) -> int:
    from tracker.app import team

    url = register_url(args)
    if args.action == "init":
        setup = team.init_team(url, on_upgrade=say)
        made = "created the register and set it up" if setup.created else "set up the register"
        out(f"{made} for a team at {setup.location}: the audit trail is written by the "
            f"database (every change signed with its login, psql changes too), "
            f"{len(setup.tables)} business tables covered; roles tracker_viewer, "
            f"tracker_editor and tracker_admin granted; owner: {setup.owner}")
        say("next: tracker team grant LOGIN viewer|editor|admin [--create] [--password]")
        return EXIT_OK
    if args.action == "roles":
        for name, group, what in team.roles():
            out(f"{name:<7} {group:<15} {what}")
        return EXIT_OK
    if args.action == "list":
        for member in team.members(url):
            note = "" if member.can_login else "  (cannot log in)"
            out(f"{safe(member.login):<24} {member.role}{note}")
        return EXIT_OK
    if not args.login:
        raise TrackerError(f"team {args.action} needs a LOGIN")
    if args.action == "revoke":
        held = team.revoke(url, args.login)
        out(f"{args.login}: " + ("every tracker role taken away" if held
                                 else "held no tracker role"))
        return EXIT_OK
    if args.role is None:
        raise TrackerError("team grant needs a ROLE: viewer, editor or admin")
    done = team.grant(url, args.login, args.role, create=args.create,
                      password=_new_password(args))
    out(f"{args.login}: {done}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from tracker.ui.serve import serve

    serve(register_url(args), host=args.host, port=args.port, public_url=args.public_url,
          read_only=args.read_only, on_ready=say)
    return EXIT_OK
# --- issue 15 questionnaires ---------------------------------------------------------------

def cmd_questionnaire(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from tracker.app.pipeline import jsonable

    register = open_register(args)
    today = date.today()
    if args.action == "send":
        sent = register.send_questionnaire(args.target, Path(args.out).expanduser(),
                                           language=args.lang, due_on=args.due,
                                           force=args.force)
        q = sent.questionnaire
        if args.json:
            out_json({k: jsonable(v) for k, v in asdict(q).items()})
        else:
            out(f"questionnaire {q.id} for {safe(q.provider)} written to {safe(sent.path)}: "
                f"30 due-diligence and 9 AI-supplier questions; "
                f"{counted(sent.supplies, 'supply', 'supplies')} and "
                f"{counted(sent.transfers, 'transfer')} to confirm; "
                f"{counted(sent.prefilled, 'answer')} prefilled from the last review; "
                f"due {q.due_on.isoformat() if q.due_on else '—'}")
        return EXIT_OK
    if args.action == "receive":
        report = register.receive_questionnaire(Path(args.target).expanduser(),
                                                dry_run=args.dry_run)
        if args.json:
            out_json(jsonable_report(report))
        else:
            print_receive(report, dry_run=args.dry_run)
        return EXIT_FINDINGS if report.problems else EXIT_OK
    if args.action == "list":
        rows = register.questionnaires(today, args.provider)
        if args.json:
            out_json([{k: jsonable(v) for k, v in asdict(r).items()} for r in rows])
        else:
            for r in rows:
                due = r.due_on.isoformat() if r.due_on else "—"
                answered = f", answered {r.answered_on.isoformat()} by {safe(r.answered_by)}" \
                    if r.answered_on else ""
                review = f", review {r.assessment_id}" if r.assessment_id else ""
                pending = f", {counted(r.pending_corrections, 'correction')} pending" \
                    if r.pending_corrections else ""
                out(f"{r.id:>4}  {r.status.value:<9} {padded(safe(r.provider), 34)} sent "
                    f"{r.sent_on.isoformat()}, due {due}{answered}{review}{pending}")
            say(counted(len(rows), "questionnaire"))
        return EXIT_OK
    if args.action == "corrections":
        corrections = register.corrections(args.provider, include_decided=args.all)
        if args.json:
            out_json([{k: jsonable(v) for k, v in asdict(c).items()} for c in corrections])
        else:
            for c in corrections:
                out(f"{c.id:>5}  {c.decision.value:<8} {safe(c.record)}: {c.field}: "
                    f"{safe(c.held or '(nothing)')} → {safe(c.proposed)}"
                    + (f"  ({safe(c.comment)})" if c.comment else ""))
            say(f"{counted(len(corrections), 'correction')}; accept or reject each with "
                "`tracker questionnaire accept|reject ID`")
        return EXIT_OK
    decided = register.decide_correction(int(args.target), accept=args.action == "accept")
    out(f"correction {decided.id} {decided.decision.value}: {safe(decided.record)}: "
        f"{decided.field} → {safe(decided.proposed)}")
    return EXIT_OK


def jsonable_report(report: ReceiveReport) -> dict[str, Any]:
    from dataclasses import asdict

    from tracker.app.pipeline import jsonable

    values = asdict(report)
    values["problems"] = [str(p) for p in report.problems]

    def convert(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        return jsonable(value)

    return dict(convert(values))


def print_receive(report: ReceiveReport, *, dry_run: bool) -> None:
    out(f"questionnaire {report.questionnaire_id} from {safe(report.provider)}, answered by "
        f"{safe(report.answered_by)} on {report.answered_on.isoformat()}")
    changed = [a for a in report.answers if a.changed or a.comment]
    for a in changed:
        new = a.new or ("(unanswered: kept as it was)" if a.previous else "(none)")
        out(f"  {a.code:<24} {safe(a.previous or '(none)')} → {safe(new)}"
            + (f"   comment: {safe(a.comment)}" if a.comment else ""))
        out(f"  {'':<24} {safe(a.question[:90])}")
    out(f"{len(changed)} of {len(report.answers)} answers changed or commented; "
        f"{counted(len(report.skipped), 'question')} left unanswered"
        + (f" ({', '.join(report.skipped)})" if report.skipped else ""))
    for c in report.corrections:
        out(f"  correction: {safe(c.record)}: {c.field}: {safe(c.held or '(nothing)')} → "
            f"{safe(c.proposed or '(comment only)')}"
            + (f"   comment: {safe(c.comment)}" if c.comment else ""))
    for e in report.evidence:
        out(f"  evidence: {safe(e.asked[:60])}: {safe(e.file_name or '(none named)')} "
            f"{'received' if e.received else 'NOT received'}")
    if report.problems:
        out(f"{len(report.problems)} problem(s):")
        for problem in report.problems:
            out(f"  {safe(problem)}")
        say("nothing was written: ask the supplier to fix the answers above, then receive "
            "the file again")
    elif report.unchanged:
        say("these answers were received already: nothing changed")
    elif report.written:
        say(f"answers recorded in pending review {report.assessment_id}; "
            f"{corrections_to_decide(len(report.corrections))}")
    elif dry_run:
        say("dry run: nothing was written")
