"""The ``tracker`` command: parse (``parser``), run one command (``commands``, which calls
the application layer only), print (``output``).

User errors print one sentence to stderr and exit non-zero; a traceback only with --debug.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import DatabaseError, OperationalError

from tracker.cli.commands import EXIT_USER_ERROR, cmd_open
from tracker.cli.output import say
from tracker.cli.parser import Handler, build_parser, check_arguments
from tracker.errors import TrackerError


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    # FIELD=VALUE pairs of add/edit may come after an option (`add agreement --provider X
    # kind=dpa`), which argparse alone reads as unknown arguments.
    args, extra = parser.parse_known_args(argv)
    if extra and getattr(args, "command", None) in {"add", "edit"}:
        args.fields += [e for e in extra if "=" in e and not e.startswith("-")]
        extra = [e for e in extra if not ("=" in e and not e.startswith("-"))]
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.db = getattr(args, "db", None)
    args.debug = getattr(args, "debug", False)
    check_arguments(parser, args)
    handler: Handler = getattr(args, "handler", cmd_open)
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except (TrackerError, OperationalError, DatabaseError, OSError) as err:
        if args.debug:
            raise
        say(f"tracker: {_describe(err)}")
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
