"""The ``tracker`` command's arguments: one sub-parser per command, each with help text."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date

from tracker import __version__
from tracker.cli import commands as c
from tracker.cli.exits import HELP as EXIT_HELP

Handler = Callable[[argparse.Namespace], int]


def date_arg(text: str) -> date:
    from tracker.domain.dates import parse_iso_date

    try:
        parsed = parse_iso_date(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    if parsed is None:
        raise argparse.ArgumentTypeError("a date is required (YYYY-MM-DD)")
    return parsed


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, metavar="PATH",
                        help="register file (or database URL); default: your data directory")
    common.add_argument("--demo", action="store_true", default=argparse.SUPPRESS,
                        help="use the demo register (`tracker demo` writes it) instead of "
                             "your own")
    common.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS,
                        help="open the register read-only: every write is refused (a "
                             "read-only file, folder or medium opens so by itself)")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show tracebacks instead of one-line errors")
    parser = argparse.ArgumentParser(
        prog="tracker", parents=[common],
        description="Due-diligence register of the companies that supply data and models "
                    "to AI builders. With no command, opens the terminal UI.",
        epilog=EXIT_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"tracker {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, parents=[common], help=help_text,
                                  description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    add("open", c.cmd_open, "open the terminal UI on the register (the default)")
    add("init", c.cmd_init, "create a new, empty register (at --db, or in your data "
                            "directory); every other command needs one")
    demo = add("demo", c.cmd_demo, "open the terminal UI on the demo register, kept apart "
                                 "from your own (written on first use)")
    demo.add_argument("--no-open", action="store_true", help="only write the demo register")
    demo.add_argument("--reset", action="store_true", help="rebuild the demo register first")
    add("info", c.cmd_info, "show where the register is, its schema and what it holds")
    backup = add("backup", c.cmd_backup, "copy the register consistently, even while it is open")
    backup.add_argument("--to", metavar="PATH", help="where to write the copy")
    backup.add_argument("--force", action="store_true",
                        help="replace the file at --to if it exists (it is refused otherwise)")
    settings = add("settings", c.cmd_settings,
                   "list, read or change the register's shared settings (audited)")
    settings.add_argument("action", nargs="?", choices=["list", "get", "set"], default="list")
    settings.add_argument("key", nargs="?", help="setting name, e.g. reminder_lead_days")
    settings.add_argument("value", nargs="?", help="new value (JSON or text), e.g. [90,30,7]")
    audit = add("audit", c.cmd_audit,
                "verify the audit trail (its hash chain, every record against the events "
                "that made it, the anchors kept elsewhere; exit 1 on any problem), list "
                "events, or write an anchor to keep elsewhere")
    audit.add_argument("action", choices=["verify", "log", "anchor"])
    audit.add_argument("--anchor", metavar="FILE",
                       help="check the trail against the anchor FILE holds: a backup "
                            "(.sqlite), an export (.xlsx or CSV directory) or an anchor "
                            "file (.json) (verify; default: every backup in the backups "
                            "directory)")
    audit.add_argument("--out", metavar="FILE",
                       help="where to write the anchor, a small JSON file (anchor)")
    audit.add_argument("--force", action="store_true",
                       help="replace the --out file if it exists (anchor)")
    audit.add_argument("--limit", type=int, default=50, help="events to list (log)")
    audit.add_argument("--entity", help="only events of this entity, e.g. provider (log)")
    audit.add_argument("--id", help="only events of this record id (log)")
    providers = add("providers", c.cmd_providers, "list providers, optionally filtered")
    providers.add_argument("filter", nargs="?", help="part of a name, country, role, tier...")
    providers.add_argument("--all", action="store_true", help="include archived providers")
    providers.add_argument("--limit", type=int, default=1000, help="rows to print")
    providers.add_argument("--json", action="store_true", help="print JSON")
    reminders = add("reminders", c.cmd_reminders,
                    "list what is due (exit 1 when anything is overdue), write an iCalendar "
                    "file, or snooze / complete a reminder")
    reminders.add_argument("action", nargs="?", choices=["list", "snooze", "done"],
                           default="list")
    reminders.add_argument("uid", nargs="?", help="reminder id from the list (snooze, done)")
    reminders.add_argument("--within", type=int, metavar="DAYS",
                           help="show what is due within DAYS (default: the longest lead time)")
    reminders.add_argument("--json", action="store_true", help="print JSON for scripts")
    reminders.add_argument("--ics", metavar="FILE", help="write every reminder to an .ics file")
    reminders.add_argument("--force", action="store_true",
                           help="replace the --ics file if it exists (it is refused otherwise)")
    reminders.add_argument("--all", action="store_true", help="include snoozed and done")
    reminders.add_argument("--until", type=date_arg, metavar="DATE", help="snooze until DATE")
    reminders.add_argument("--reason", help="why the reminder is snoozed")
    reminders.add_argument("--outcome",
                           choices=["approved", "approved_with_conditions", "rejected"],
                           help="outcome of the review that completes a review reminder")
    reminders.add_argument("--note", help="a note kept with the completion")
    reminders.add_argument("--override", metavar="REASON",
                           help="approve a review although critical checklist items are open,"
                                " recording why (audited)")
    reminders.add_argument("--today", type=date_arg, metavar="DATE",
                           help="compute as if today were DATE")
    evidence = add("evidence", c.cmd_evidence,
                   "add an evidence file, hashed by the program (SHA-256 and size), or verify "
                   "every file against its recorded hash (exit 1 if any is missing or "
                   "changed); a hash typed by hand is listed as unverified")
    evidence.add_argument("action", choices=["add", "verify"])
    evidence.add_argument("provider", nargs="?",
                          help="the provider it is evidence of: id or a unique part of its "
                               "name (add)")
    evidence.add_argument("file", nargs="?", help="the evidence file (add); given again, it "
                                                  "is re-hashed and a change reported")
    evidence.add_argument("--kind", help="signed_contract, certificate, audit_report, "
                                         "consent_records, collection_records, "
                                         "sampling_report, filing_receipt or other (add)")
    evidence.add_argument("--supports", help="what it proves (add)")
    evidence.add_argument("--valid-until", metavar="DATE",
                          help="when it stops being valid, e.g. a certificate's expiry (add)")
    for link in ("supply", "agreement", "assessment", "transfer"):
        evidence.add_argument(f"--{link}", type=int, metavar="ID",
                              help=f"the {link} it supports (its id; add)")
    evidence.add_argument("--accept-change", action="store_true",
                          help="record the new hash of a file that changed since it was "
                               "recorded (add; refused otherwise)")
    evidence.add_argument("--json", action="store_true", help="print JSON for scripts")
    report = add("report", c.cmd_report,
                 "write a report: ropa (GDPR Art 30(1)), ai-act-summary (Art 53(1)(d), the "
                 "Commission's template, with what is still missing), cac-explanation "
                 "(Interim Measures, Chinese and English), dossier (one provider); format "
                 "from --out's extension or --format")
    report.add_argument("kind", choices=["ropa", "ai-act-summary", "cac-explanation",
                                         "dossier"])
    report.add_argument("--out", required=True, metavar="FILE",
                        help="where to write it: .md, .html, .xlsx or .json")
    report.add_argument("--format", choices=["md", "html", "xlsx", "json"],
                        help="the format, when --out's extension does not name it")
    report.add_argument("--model", help="the AI model an ai-act-summary covers (its name, or "
                                        "name and version; default: every model recorded)")
    report.add_argument("--provider", help="the provider of a dossier (id or part of its name)")
    report.add_argument("--force", action="store_true",
                        help="replace the --out file if it exists (it is refused otherwise)")
    report.add_argument("--today", type=date_arg, metavar="DATE",
                        help="report as if today were DATE")
    check = add("check", c.cmd_check, "list compliance gaps per provider, supply and transfer "
                                    "(exit 1 when any critical gap is open)")
    check.add_argument("--provider", help="only this provider (id or a unique part of its name)")
    check.add_argument("--json", action="store_true", help="print JSON for scripts")
    check.add_argument("--today", type=date_arg, metavar="DATE",
                       help="check as if today were DATE")
    imp = add("import", c.cmd_import, "import a register from .xlsx or .csv: all or nothing, "
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
    export = add("export", c.cmd_export,
                 "export the register to a workbook (one sheet per kind of record, plus "
                 "Reminders and Summary) or, with --csv, to a directory of CSV files; the "
                 "import reads either back")
    export.add_argument("target", help="the .xlsx file, or the directory with --csv")
    export.add_argument("--provider",
                        help="only this provider's due-diligence file (id or part of its name)")
    export.add_argument("--csv", action="store_true",
                        help="one UTF-8 CSV per sheet (with a BOM, so Excel reads Chinese)")
    export.add_argument("--today", type=date_arg, metavar="DATE",
                        help="reminders as if today were DATE")
    export.add_argument("--force", action="store_true",
                        help="replace the target if it exists (it is refused otherwise); a "
                             "CSV directory is replaced only if it holds an export's files")
    event = add("event", c.cmd_event, "record an event that makes a provider's review due at "
                                    "once (breach, new sub-processor, ...)")
    event.add_argument("provider", help="provider id or a unique part of its name")
    event.add_argument("kind", help="new_purpose, new_data_type, new_subprocessor, breach, "
                                    "ownership_change, destination_law_change, adequacy_decision, "
                                    "volume_threshold, assessment_expired, filing_expired, "
                                    "certificate_expired or agreement_expired")
    event.add_argument("--on", type=date_arg, metavar="DATE", help="when it happened (today)")
    event.add_argument("--note", help="what happened")
    record = add("add", c.cmd_add, "add a record through the same checks as the form and the "
                                   "import: tracker add agreement --provider NAME kind=dpa "
                                   "title=... (dates YYYY-MM-DD, yes/no, labels or codes)")
    record.add_argument("entity", help="provider, supply, legal_basis, agreement, "
                                       "agreement_clause, assessment, checklist_answer, "
                                       "transfer, evidence, review_trigger, reminder or "
                                       "ai_model (a model an AI Act summary covers)")
    record.add_argument("fields", nargs="*", metavar="FIELD=VALUE",
                        help="field values, e.g. expires_on=2027-03-31")
    record.add_argument("--provider", help="the provider it belongs to (id or a unique part "
                                           "of its name)")
    record.add_argument("--json", action="store_true", help="print the stored record as JSON")
    change = add("edit", c.cmd_edit, "change fields of a record (an empty VALUE clears one)")
    change.add_argument("entity", help="the kind of record, as for add")
    change.add_argument("id", type=int, help="the record's id")
    change.add_argument("fields", nargs="+", metavar="FIELD=VALUE", help="the new values")
    change.add_argument("--json", action="store_true", help="print the stored record as JSON")
    archive = add("archive", c.cmd_archive, "archive a record (it stays, hidden from lists)")
    archive.add_argument("entity", help="the kind of record, as for add")
    archive.add_argument("id", type=int, help="the record's id")
    # issue 16 team
    team = add("team", c.cmd_team,
               "team mode on PostgreSQL: set the register up for several logins (init), "
               "give a login a role (grant, revoke), list who holds what (list, roles)")
    team.add_argument("action", choices=["init", "grant", "revoke", "list", "roles"])
    team.add_argument("login", nargs="?", help="the PostgreSQL login (grant, revoke)")
    team.add_argument("role", nargs="?", choices=["viewer", "editor", "admin"],
                      help="viewer reads; editor also changes records and imports; admin "
                           "also changes settings and the team")
    team.add_argument("--create", action="store_true",
                      help="create the login if it does not exist (needs CREATEROLE)")
    team.add_argument("--password", action="store_true",
                      help="set the login's password (asked for, sent only as a SCRAM "
                           "verifier)")
    serve = add("serve", c.cmd_serve,
                "the terminal UI in a web browser (textual-serve), for this register; "
                "bound to localhost unless --host says otherwise")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--public-url", metavar="URL",
                       help="the address browsers reach it at, when behind a proxy")
    # issue 15 questionnaires
    quest = add("questionnaire", c.cmd_questionnaire,
                "send a supplier questionnaire (a protected workbook, English and Chinese), "
                "receive the answers into a pending review, and accept or reject the "
                "corrections the supplier proposed")
    quest.add_argument("action", choices=["send", "receive", "list", "corrections", "accept",
                                          "reject"])
    quest.add_argument("target", nargs="?",
                       help="send: the provider (id or a unique part of its name); receive: "
                            "the returned .xlsx; accept/reject: the correction's id")
    quest.add_argument("--out", metavar="FILE", help="send: the workbook to write (.xlsx)")
    quest.add_argument("--lang", choices=["en", "zh", "both"], default="both",
                       help="send: the workbook's language (default: both)")
    quest.add_argument("--due", type=date_arg, metavar="DATE",
                       help="send: answers due on DATE (default: in 21 days)")
    quest.add_argument("--force", action="store_true",
                       help="send: replace --out if it exists (it is refused otherwise)")
    quest.add_argument("--dry-run", action="store_true",
                       help="receive: show what would change, write nothing")
    quest.add_argument("--provider", help="list/corrections: only this provider's")
    quest.add_argument("--all", action="store_true",
                       help="corrections: include those accepted or rejected")
    quest.add_argument("--json", action="store_true", help="print JSON for scripts")
    return parser


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.command == "evidence" and args.action == "add" and not (args.provider and
                                                                     args.file):
        parser.error("evidence add needs a PROVIDER and a FILE")
    if args.command == "questionnaire":
        if args.action in {"send", "receive", "accept", "reject"} and not args.target:
            what = {"send": "a PROVIDER", "receive": "the returned FILE.xlsx"}.get(
                args.action, "the correction's ID")
            parser.error(f"questionnaire {args.action} needs {what}")
        if args.action == "send" and not args.out:
            parser.error("questionnaire send needs --out FILE.xlsx")
        if args.action in {"accept", "reject"} and not str(args.target).isdigit():
            parser.error(f"questionnaire {args.action} needs the correction's ID (a number "
                         "from `tracker questionnaire corrections`)")
    if args.command == "settings":
        if args.action == "get" and not args.key:
            parser.error("settings get needs a KEY")
        if args.action == "set" and (not args.key or args.value is None):
            parser.error("settings set needs a KEY and a VALUE")


