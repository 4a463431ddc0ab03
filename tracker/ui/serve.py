"""The terminal UI in a web browser (``tracker serve``), through textual-serve.

What it is: a small web server that, for each browser tab that opens it, starts ``tracker``
(the same TUI) as a subprocess and relays its screen and keys over a websocket. So every
tab runs the program as the user who started the server, on the register the server was
given: on PostgreSQL, with that URL's database login, whose roles the server enforces (a
viewer's tab can change nothing). A team gives each person their own login and each runs
their own ``tracker serve`` (or a TUI); the web server itself asks for no password.

Why localhost by default: anyone who can reach the port gets the register as that login,
with no further question. Exposing it (``--host 0.0.0.0``) belongs behind a reverse proxy
that authenticates and encrypts (TLS), or an SSH tunnel (README, "Team mode").

The register's URL reaches each tab's subprocess in the environment (TRACKER_DB), not on
its command line, so a password in it is not shown by ``ps``.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable

from tracker.errors import TrackerError


def served_command(*, read_only: bool = False) -> str:
    """What each browser tab runs: this interpreter's ``tracker`` (the TUI)."""
    return f"{shlex.quote(sys.executable)} -m tracker open" + (
        " --read-only" if read_only else "")


def serve(url: str, *, host: str, port: int, public_url: str | None = None,
          read_only: bool = False, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve the TUI of the register at ``url`` until interrupted."""
    from tracker.app.register import Register

    if not 0 < port < 65536:
        raise TrackerError(f"--port {port} is not a port number (1-65535)")
    register = Register.open(url, read_only=read_only)  # refused before a browser asks
    where, access = register.location, register.access()
    register.close()
    try:
        from textual_serve.server import Server
    except ImportError:  # pragma: no cover - a dependency of the package
        raise TrackerError("tracker serve needs the textual-serve package (pip install "
                           "textual-serve)") from None
    os.environ["TRACKER_DB"] = url
    server = Server(served_command(read_only=read_only), host=host, port=port, title="tracker",
                    public_url=public_url)
    if on_ready is not None:
        who = f" as the database login {access.login} ({access.role})" if access else ""
        exposed = "" if host in {"127.0.0.1", "localhost", "::1"} else (
            f"; WARNING: listening on {host}: anyone who reaches this port uses the "
            "register as this login, with no password asked")
        on_ready(f"serving {where}{who} at {server.public_url}{exposed}; Ctrl-C stops")
    server.serve()
