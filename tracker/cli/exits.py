"""What the ``tracker`` command's exit status means, in one place: a cron job or a script
must be able to tell "something is overdue" from "the command could not run" from "the
program has a bug". The README's "Exit status" section and ``tracker --help`` say the same."""

from __future__ import annotations

EXIT_OK = 0
# The command ran and found something a person must act on: an overdue reminder, an open
# critical gap, an audit trail or evidence file that failed verification, an import with
# problems or conflicts.
EXIT_FINDINGS = 1
# The command could not do what was asked, and the one line on stderr says why: bad
# arguments, no register at the path, a refused write (read-only register, stale version,
# a rule), a file that cannot be read or written.
EXIT_USER_ERROR = 2
# A bug: an exception the program did not expect. One line says so; --debug shows the
# traceback.
EXIT_INTERNAL_ERROR = 3
# Stopped with Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130

HELP = f"""\
exit status:
  {EXIT_OK}    fine: done, nothing to act on
  {EXIT_FINDINGS}    findings: something overdue, a critical gap, a verification that failed,
       an import with problems
  {EXIT_USER_ERROR}    user error: bad arguments, no register at the path, a refused write
       (read-only register, a rule); one line on stderr says what
  {EXIT_INTERNAL_ERROR}    internal error: a bug (run with --debug for the traceback)
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)"""
