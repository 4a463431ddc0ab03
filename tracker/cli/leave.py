"""How the ``tracker`` process ends: a one-shot listing leaves without freeing, one by one, the
records it listed.

Why: ``tracker reminders --json`` and ``tracker check --json`` at 100,000 providers hold
~450,000 records (and the rows they come from) to the end; freeing them as the command
returns took 0.24-0.36 s of each (measured in the command's own process), for memory the
operating system takes back at once when the process ends. So a listing hands them to
``tracker.gcpause.keep_until_exit`` and, when the process is the ``tracker`` command, it
leaves as mypy does (``os._exit``) once everything a normal exit does has been done: the
``atexit`` handlers run, stdout and stderr flushed. A command that keeps records closes
its register first. Called in-process (the tests), ``main`` keeps nothing: each call's
records are freed as before; nor does the terminal UI, which stays up."""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Callable
from contextlib import suppress
from typing import NoReturn

from tracker.gcpause import kept_any, one_shot_process


def run_as_process(main: Callable[[], int]) -> NoReturn:
    """Run the command's ``main`` and end the process with its status."""
    one_shot_process()
    code = main()
    if not kept_any():
        raise SystemExit(code)
    # what a normal exit does before freeing: the atexit handlers (a private call, the one
    # the interpreter's own shutdown makes), then the flushes
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with the stream closed (`>&-`): nothing to flush
            continue
        with suppress(BrokenPipeError):  # the reader went away (`| head`): nothing to tell
            stream.flush()
    os._exit(code)
