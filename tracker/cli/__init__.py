"""The ``tracker`` command: parse (``parser``), run one command (``commands``, which calls
the application layer only), print (``output``).

Each exit status means one thing (``tracker.cli.exits``): 0 fine, 1 findings, 2 a user
error, printed as one sentence on stderr, 3 a bug, printed as one line too; a traceback
only with --debug.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NoReturn

from tracker.gcpause import gc_paused

# Start-up: importing SQLAlchemy, SQLModel, Alembic and the register's modules makes ~1,500
# modules' classes and functions, and the collector ran ~270 times over them (0.2-0.3 s of
# a command's start, measured with gc.callbacks). They live as long as the process; they
# are built with it paused, then frozen out of every later collection.
with gc_paused(freeze=True):
    from sqlalchemy.exc import DatabaseError, OperationalError

    from tracker.cli.commands import cmd_open
    from tracker.cli.exits import EXIT_INTERNAL_ERROR, EXIT_INTERRUPTED, EXIT_USER_ERROR
    from tracker.cli.leave import run_as_process
    from tracker.cli.output import safe, say
    from tracker.cli.parser import Handler, build_parser, check_arguments
    from tracker.errors import TrackerError


def main(argv: Sequence[str] | None = None) -> int:
    if sys.stdout is None:  # started with it closed (`>&-`): every command prints
        if sys.stderr is not None:
            say("tracker: standard output is closed; send it to a file or to /dev/null")
        return EXIT_USER_ERROR
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
    args.demo = getattr(args, "demo", False)
    args.read_only = getattr(args, "read_only", False)
    check_arguments(parser, args)
    handler: Handler = getattr(args, "handler", cmd_open)
    try:
        return handler(args)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except (TrackerError, OperationalError, DatabaseError, OSError) as err:
        if args.debug:
            raise
        say(f"tracker: {safe(_describe(err))}")
        return EXIT_USER_ERROR
    except Exception as err:  # a bug: one line and its own status, never 1 ("findings")
        if args.debug:
            raise
        say(f"tracker: internal error: {type(err).__name__}: {safe(err)} "
            "(run with --debug for the traceback)")
        return EXIT_INTERNAL_ERROR


def run() -> NoReturn:
    """The ``tracker`` command and ``python -m tracker``: ``main`` as a process
    (``tracker.cli.leave``)."""
    run_as_process(main)


def _describe(err: BaseException) -> str:
    if isinstance(err, OperationalError | DatabaseError):
        from tracker.app.team import explain_refusal

        refused = explain_refusal(err)
        if refused is not None:
            return refused
        detail = str(getattr(err, "orig", err))
        if "locked" in detail:
            return "the register is busy (another program holds a write lock); try again"
        return f"cannot use the register: {detail}"
    if isinstance(err, OSError) and not isinstance(err, TrackerError):
        return f"{err.strerror or err}: {err.filename}" if err.filename else str(err)
    return str(err)


__all__: list[str] = ["main", "run", "build_parser"]
