"""Team mode on PostgreSQL: the audit trail written inside the database, and the roles the
server enforces (issue 16).

Why the database writes the chain: on a server several people reach, a program that
computes its own hashes and names its own author can be bypassed with psql, and two writers
must not fork the chain. So on PostgreSQL:

- ``audit_event`` has a BEFORE INSERT trigger (``tracker_chain_event``) that locks the head
  row (serialising every append, from any connection, until commit), numbers the event
  after the newest one, stamps it with the server's clock and the database login
  (``session_user``: a name the client offers is kept only as a label, ``"Label
  (login)"``), links it to the newest event and hashes it exactly as
  ``tracker.store.audit`` does in Python, so ``tracker audit verify`` checks both alike. The
  head row itself moves once per transaction, at commit (``tracker_chain_head``).
- every business table (every table of the schema but the audit and migration tables, so
  tables added later are covered when this is installed again) has a deferred trigger
  (``tracker_audit_direct``) that, at commit, writes an event for each change of a
  transaction that recorded none itself: an ``UPDATE`` typed in psql is audited under the
  login that typed it, labelled "direct SQL". A transaction of the program has written its
  own, richer events (they moved the head row, which the trigger sees from its ``xmin``),
  so nothing is recorded twice.
- ``audit_event`` and ``audit_head`` refuse UPDATE, DELETE and TRUNCATE from any login but
  their owner (``tracker_audit_immutable``), on top of the grants that give no one else
  those privileges. The owner can still edit them; ``tracker audit verify`` catches it.

The roles: ``tracker_viewer`` reads everything; ``tracker_editor`` (a viewer too) changes
records, imports, appends audit events; ``tracker_admin`` (an editor too) changes settings
and the team. They are cluster-wide group roles; a person's own login is made a member with
``grant_login``. Authentication stays PostgreSQL's (pg_hba.conf, passwords, certificates).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from tracker.errors import TrackerError

VIEWER, EDITOR, ADMIN = "tracker_viewer", "tracker_editor", "tracker_admin"
ROLES: dict[str, str] = {"viewer": VIEWER, "editor": EDITOR, "admin": ADMIN}
ROLE_HELP: dict[str, str] = {
    "viewer": "reads every record, report and the audit trail; changes nothing",
    "editor": "also changes records, imports workbooks, snoozes and completes reminders",
    "admin": "also changes the register's settings and grants roles to other logins",
}
# Tables that are not business records: the trail itself and alembic's bookkeeping.
INTERNAL_TABLES = frozenset({"audit_event", "audit_head", "alembic_version"})
# Settings are the admin's (the setting table's grants); every other business table is the
# editors'.
ADMIN_TABLES = frozenset({"setting"})
DIRECT_SQL_LABEL = "direct SQL"
_LOGIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.@-]{0,62}")
PERMISSION_DENIED = "42501"


class AccessRefused(TrackerError):
    """The database login may not do what was asked: PostgreSQL refused it."""


def is_postgresql(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


# --- the trail inside the database ---------------------------------------------------------

def _chain_sql(schema: str) -> str:
    # The payload is Python's json.dumps([...], ensure_ascii=False, separators=(",", ":"))
    # of eight strings or nulls: to_json(text) escapes exactly as Python does (", \, \b, \f,
    # \n, \r, \t, other controls as \u00xx), and the time is canonical_time's form.
    return f"""
CREATE OR REPLACE FUNCTION tracker_chain_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = "{schema}", pg_temp AS $fn$
DECLARE
  tip_id bigint;
  tip_hash text;
  login text := session_user;
  label text := btrim(coalesce(NEW.actor, ''));
  at_text text;
BEGIN
  -- The head row's lock, held to commit, serialises appends from every connection (taken
  -- again by the same transaction it costs nothing). The tip is read after it, so it is
  -- the last committed writer's newest event, or this transaction's own.
  PERFORM 1 FROM audit_head WHERE id = 1 FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO audit_head (id, last_id, last_hash, count) VALUES (1, 0, repeat('0', 64), 0);
  END IF;
  SELECT id, hash INTO tip_id, tip_hash FROM audit_event ORDER BY id DESC LIMIT 1;
  IF NOT FOUND THEN
    tip_id := 0;
    tip_hash := repeat('0', 64);
  END IF;
  NEW.id := tip_id + 1;
  NEW.at := clock_timestamp();
  IF label = '' OR label = login THEN
    NEW.actor := login;
  ELSIF right(label, length(login) + 3) <> ' (' || login || ')' THEN
    NEW.actor := left(label, 200) || ' (' || login || ')';
  ELSE
    NEW.actor := label;
  END IF;
  NEW.prev_hash := tip_hash;
  at_text := to_char(NEW.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00';
  NEW.hash := encode(sha256(convert_to(
    '[' || to_json(NEW.prev_hash)::text || ',' || to_json(at_text)::text || ','
        || to_json(NEW.actor)::text || ',' || to_json(NEW.action::text)::text || ','
        || to_json(NEW.entity)::text || ',' || to_json(NEW.entity_id)::text || ','
        || coalesce(to_json(NEW.before)::text, 'null') || ','
        || coalesce(to_json(NEW.after)::text, 'null') || ']', 'UTF8')), 'hex');
  RETURN NEW;
END
$fn$;

-- The head moves once per transaction, at commit: a row updated for each of 300,000
-- events of one import would leave as many versions of it for every later read to walk.
CREATE OR REPLACE FUNCTION tracker_chain_head() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = "{schema}", pg_temp AS $fn$
DECLARE
  tip_id bigint;
  tip_hash text;
BEGIN
  SELECT id, hash INTO tip_id, tip_hash FROM audit_event ORDER BY id DESC LIMIT 1;
  UPDATE audit_head SET count = count + (tip_id - last_id), last_id = tip_id,
                        last_hash = tip_hash
   WHERE id = 1 AND last_id < tip_id;
  RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION tracker_audit_immutable() RETURNS trigger
LANGUAGE plpgsql SET search_path = "{schema}", pg_temp AS $fn$
DECLARE
  owner oid := (SELECT relowner FROM pg_class WHERE oid = TG_RELID);
  who name := CASE WHEN TG_ARGV[0] = 'current' THEN current_user ELSE session_user END;
BEGIN
  IF NOT pg_has_role(who, owner, 'MEMBER') THEN
    RAISE EXCEPTION 'permission denied for table %: audit events cannot be changed or '
                    'deleted by login %', TG_TABLE_NAME, session_user
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_LEVEL = 'STATEMENT' THEN
    RETURN NULL;
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$fn$;

CREATE OR REPLACE FUNCTION tracker_json_value(value text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
  RETURN value::jsonb;
EXCEPTION WHEN others THEN
  RETURN to_jsonb(value);
END
$fn$;

CREATE OR REPLACE FUNCTION tracker_audit_direct() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = "{schema}", pg_temp AS $fn$
DECLARE
  xact text := (pg_current_xact_id()::text::bigint % 4294967296)::text;
  old_row jsonb;
  new_row jsonb;
  before_doc jsonb;
  after_doc jsonb;
  name text;
  act text;
BEGIN
  IF coalesce(current_setting('tracker.direct_xact', true), '') <> xact THEN
    -- The program's own events locked the head row in this transaction: they record
    -- its changes, in the program's terms (derived children, archives, marks).
    IF EXISTS (SELECT 1 FROM audit_head WHERE id = 1
               AND (xmin::text = xact OR xmax::text = xact)) THEN
      RETURN NULL;
    END IF;
    PERFORM set_config('tracker.direct_xact', xact, true);
  END IF;
  IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
  IF TG_OP = 'INSERT' THEN
    act := 'insert';
    after_doc := new_row;
  ELSIF TG_OP = 'DELETE' THEN
    act := 'delete';
    before_doc := old_row;
  ELSE
    act := 'update';
    before_doc := '{{}}';
    after_doc := '{{}}';
    FOR name IN SELECT jsonb_object_keys(new_row) LOOP
      IF name NOT IN ('version', 'updated_at')
         AND (old_row -> name) IS DISTINCT FROM (new_row -> name) THEN
        before_doc := before_doc || jsonb_build_object(name, old_row -> name);
        after_doc := after_doc || jsonb_build_object(name, new_row -> name);
      END IF;
    END LOOP;
    IF after_doc = '{{}}' THEN
      RETURN NULL;
    END IF;
  END IF;
  IF TG_TABLE_NAME = 'setting' THEN  -- a setting's event holds its value, not its JSON text
    before_doc := CASE WHEN old_row IS NULL THEN NULL
                  ELSE jsonb_build_object('value', tracker_json_value(old_row ->> 'value')) END;
    after_doc := CASE WHEN new_row IS NULL THEN NULL
                 ELSE jsonb_build_object('value', tracker_json_value(new_row ->> 'value')) END;
  END IF;
  INSERT INTO audit_event (at, actor, action, entity, entity_id, before, after, prev_hash,
                           hash)
  VALUES (clock_timestamp(), '{DIRECT_SQL_LABEL}', act, TG_TABLE_NAME,
          coalesce(new_row, old_row) ->> TG_ARGV[0], before_doc::text, after_doc::text,
          '', '');
  RETURN NULL;
END
$fn$;

DROP TRIGGER IF EXISTS tracker_chain ON audit_event;
CREATE TRIGGER tracker_chain BEFORE INSERT ON audit_event
  FOR EACH ROW EXECUTE FUNCTION tracker_chain_event();
DROP TRIGGER IF EXISTS tracker_chain_head ON audit_event;
CREATE CONSTRAINT TRIGGER tracker_chain_head AFTER INSERT ON audit_event
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tracker_chain_head();
DROP TRIGGER IF EXISTS tracker_immutable ON audit_event;
CREATE TRIGGER tracker_immutable BEFORE UPDATE OR DELETE ON audit_event
  FOR EACH ROW EXECUTE FUNCTION tracker_audit_immutable('session');
DROP TRIGGER IF EXISTS tracker_immutable_truncate ON audit_event;
CREATE TRIGGER tracker_immutable_truncate BEFORE TRUNCATE ON audit_event
  FOR EACH STATEMENT EXECUTE FUNCTION tracker_audit_immutable('session');
DROP TRIGGER IF EXISTS tracker_immutable ON audit_head;
CREATE TRIGGER tracker_immutable BEFORE UPDATE OR DELETE ON audit_head
  FOR EACH ROW EXECUTE FUNCTION tracker_audit_immutable('current');
DROP TRIGGER IF EXISTS tracker_immutable_truncate ON audit_head;
CREATE TRIGGER tracker_immutable_truncate BEFORE TRUNCATE ON audit_head
  FOR EACH STATEMENT EXECUTE FUNCTION tracker_audit_immutable('current');
"""


def business_tables(connection: Connection) -> dict[str, str]:
    """Every table of the register's schema but the internal ones, with the column that
    names a row in its events (``id``, or the primary key of a keyed table)."""
    rows = connection.execute(text(
        "SELECT c.relname, a.attname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() "
        "JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0] "
        "WHERE c.relkind = 'r' ORDER BY c.relname")).all()
    return {str(table): str(column) for table, column in rows
            if table not in INTERNAL_TABLES}


def install_audit(connection: Connection) -> list[str]:
    """Install (again: every statement is idempotent) the chain, immutability and
    direct-SQL triggers; returns the business tables covered."""
    schema = str(connection.execute(text("SELECT current_schema()")).scalar())
    # The driver reads % as a placeholder mark even with no parameters: doubled, it is one.
    connection.exec_driver_sql(_chain_sql(schema).replace("%", "%%"))
    tables = business_tables(connection)
    for table, key in tables.items():
        connection.exec_driver_sql(f'DROP TRIGGER IF EXISTS tracker_audit_direct ON "{table}"')
        connection.exec_driver_sql(
            f'CREATE CONSTRAINT TRIGGER tracker_audit_direct AFTER INSERT OR UPDATE OR DELETE '
            f'ON "{table}" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW '
            f"EXECUTE FUNCTION tracker_audit_direct('{key}')")
    return sorted(tables)


def database_writes_chain(connection: Connection) -> bool:
    """Whether this register's audit events are chained by the database (PostgreSQL, from
    migration 0009 on): the program then sends an event's content only."""
    return is_postgresql(connection)


# --- roles and grants ------------------------------------------------------------------------

def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def check_login(login: str) -> str:
    if not _LOGIN.fullmatch(login):
        raise TrackerError(f"{login!r} is not a login name this command accepts (letters, "
                           "digits, _ . @ -, at most 63 characters, not starting with a "
                           "digit)")
    if login in ROLES.values():
        raise TrackerError(f"{login} is one of the tracker's group roles, not a person's login")
    return login


def create_group_roles(connection: Connection) -> None:
    """The three group roles, each holding the one below it. Role names are cluster-wide:
    another register's ``team init`` on the same server may create them at the same
    moment, which is why a duplicate is not an error."""
    for role in (VIEWER, EDITOR, ADMIN):
        connection.exec_driver_sql(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') "
            f"THEN CREATE ROLE {role} NOLOGIN; END IF; "
            f"EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$")
    for member, group in ((EDITOR, VIEWER), (ADMIN, EDITOR)):
        if not _is_member(connection, member, group, direct=True):
            connection.exec_driver_sql(f"GRANT {group} TO {member}")


def grant_privileges(connection: Connection) -> None:
    """Every grant of the three roles on this database, from nothing (idempotent): what
    the server enforces whatever program a login uses."""
    database = str(connection.execute(text("SELECT current_database()")).scalar())
    schema = _quote(str(connection.execute(text("SELECT current_schema()")).scalar()))
    db = _quote(database)
    tables = business_tables(connection)
    every = ", ".join(_quote(t) for t in [*tables, *sorted(INTERNAL_TABLES)])
    statements = [
        # Only the tracker's roles (and the owner) may connect to the register's database.
        f"REVOKE CONNECT, TEMPORARY ON DATABASE {db} FROM PUBLIC",
        f"GRANT CONNECT ON DATABASE {db} TO {VIEWER}",
        f"REVOKE ALL ON SCHEMA {schema} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {schema} TO {VIEWER}",
        f"REVOKE ALL ON {every} FROM PUBLIC, {VIEWER}, {EDITOR}, {ADMIN}",
        f"GRANT SELECT ON {every} TO {VIEWER}",
        f"GRANT INSERT ON audit_event TO {EDITOR}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {EDITOR}",
    ]
    editor_tables = [_quote(t) for t in tables if t not in ADMIN_TABLES]
    if editor_tables:
        statements.append(f"GRANT INSERT, UPDATE, DELETE ON {', '.join(editor_tables)} "
                          f"TO {EDITOR}")
    admin_tables = [_quote(t) for t in tables if t in ADMIN_TABLES]
    if admin_tables:
        statements.append(f"GRANT INSERT, UPDATE, DELETE ON {', '.join(admin_tables)} "
                          f"TO {ADMIN}")
    # The trigger functions run as the owner; no one calls them directly.
    statements += [f"REVOKE ALL ON FUNCTION {fn}() FROM PUBLIC" for fn in
                   ("tracker_chain_event", "tracker_chain_head", "tracker_audit_direct",
                    "tracker_audit_immutable")]
    for statement in statements:
        connection.exec_driver_sql(statement)


def roles_exist(connection: Connection) -> bool:
    return bool(connection.execute(text(
        "SELECT count(*) = 3 FROM pg_roles WHERE rolname IN (:v, :e, :a)"),
        {"v": VIEWER, "e": EDITOR, "a": ADMIN}).scalar())


def is_team_register(connection: Connection) -> bool:
    """Whether ``team init`` set this database up (the roles are cluster-wide; the grants
    on its trail are this database's)."""
    return roles_exist(connection) and bool(connection.execute(text(
        "SELECT has_table_privilege(:viewer, 'audit_event', 'SELECT')"),
        {"viewer": VIEWER}).scalar())


def _is_member(connection: Connection, member: str, group: str, *, direct: bool) -> bool:
    if direct:
        return bool(connection.execute(text(
            "SELECT EXISTS (SELECT 1 FROM pg_auth_members am "
            "JOIN pg_roles g ON g.oid = am.roleid JOIN pg_roles m ON m.oid = am.member "
            "WHERE g.rolname = :group AND m.rolname = :member)"),
            {"group": group, "member": member}).scalar())
    return bool(connection.execute(text("SELECT pg_has_role(:member, :group, 'MEMBER')"),
                                   {"member": member, "group": group}).scalar())


def scram_verifier(password: str, *, iterations: int = 4096) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores (RFC 5802/7677), computed here as psql's
    \\password does, so the password itself never travels to the server or its logs."""
    salt = os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()
    b64 = base64.b64encode
    return (f"SCRAM-SHA-256${iterations}:{b64(salt).decode()}"
            f"${b64(stored_key).decode()}:{b64(server_key).decode()}")


def grant_login(connection: Connection, login: str, role: str, *, create: bool,
                password: str | None) -> str:
    """Make ``login`` a member of exactly one tracker role (``viewer``, ``editor`` or
    ``admin``), creating it first when asked; returns what was done, in words."""
    check_login(login)
    if role not in ROLES:
        raise TrackerError(f"unknown role {role!r}; choose viewer, editor or admin")
    exists = bool(connection.execute(text("SELECT EXISTS (SELECT 1 FROM pg_roles "
                                          "WHERE rolname = :n)"), {"n": login}).scalar())
    done: list[str] = []
    if not exists:
        if not create:
            raise TrackerError(f"there is no login {login} on this server; create it with "
                               "--create (needs the CREATEROLE privilege), or ask its "
                               "administrator")
        connection.exec_driver_sql(f"CREATE ROLE {_quote(login)} LOGIN")
        done.append("created the login")
    if password is not None:
        connection.exec_driver_sql(
            f"ALTER ROLE {_quote(login)} PASSWORD '{scram_verifier(password)}'")
        done.append("set its password (SCRAM-SHA-256)")
    for group in ROLES.values():
        if _is_member(connection, login, group, direct=True):
            connection.exec_driver_sql(f"REVOKE {group} FROM {_quote(login)}")
    if role == "admin":  # an admin may grant any tracker role to others
        connection.exec_driver_sql(f"GRANT {VIEWER}, {EDITOR}, {ADMIN} TO {_quote(login)} "
                                   "WITH ADMIN OPTION")
    else:
        connection.exec_driver_sql(f"GRANT {ROLES[role]} TO {_quote(login)}")
    done.append(f"made it {'an' if role in {'editor', 'admin'} else 'a'} {role}: "
                f"{ROLE_HELP[role]}")
    return "; ".join(done)


def revoke_login(connection: Connection, login: str) -> bool:
    """Take every tracker role from ``login``; whether it held any."""
    check_login(login)
    held = False
    for group in ROLES.values():
        if _is_member(connection, login, group, direct=True):
            connection.exec_driver_sql(f"REVOKE {group} FROM {_quote(login)}")
            held = True
    return held


@dataclass(frozen=True, slots=True)
class Member:
    login: str
    role: str  # viewer, editor, admin, or owner
    can_login: bool


def members(connection: Connection) -> list[Member]:
    """Who holds which tracker role (the highest one each), and the owner of the tables."""
    rows = connection.execute(text(
        "SELECT m.rolname, g.rolname, m.rolcanlogin FROM pg_auth_members am "
        "JOIN pg_roles g ON g.oid = am.roleid JOIN pg_roles m ON m.oid = am.member "
        "WHERE g.rolname IN (:v, :e, :a) AND m.rolname NOT IN (:v, :e, :a) "
        "ORDER BY m.rolname"), {"v": VIEWER, "e": EDITOR, "a": ADMIN}).all()
    rank = {VIEWER: 0, EDITOR: 1, ADMIN: 2}
    names = {group: name for name, group in ROLES.items()}
    best: dict[str, tuple[int, bool]] = {}
    for login, group, can_login in rows:
        level = rank[str(group)]
        if login not in best or best[login][0] < level:
            best[str(login)] = (level, bool(can_login))
    order = {0: VIEWER, 1: EDITOR, 2: ADMIN}
    found = [Member(login, names[order[level]], can_login)
             for login, (level, can_login) in best.items()]
    owner = connection.execute(text(
        "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'audit_event' "
        "AND relnamespace = current_schema()::regnamespace")).scalar()
    if owner is not None:
        found.insert(0, Member(str(owner), "owner", True))
    return found


# --- what the login may do -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Access:
    """What the database login may do on this register, as the server says it."""

    login: str
    edit: bool  # change records, import
    settings: bool  # change settings
    role: str  # owner, admin, editor, viewer, or "none"

    @property
    def read_only(self) -> bool:
        return not self.edit


def access(connection: Connection) -> Access:
    """Asked of the server (has_table_privilege), never guessed from a role's name."""
    row = connection.execute(text(
        "SELECT session_user, has_table_privilege('provider', 'INSERT') "
        "AND has_table_privilege('provider', 'UPDATE') "
        "AND has_table_privilege('audit_event', 'INSERT'), "
        "has_table_privilege('setting', 'UPDATE') AND has_table_privilege('setting', 'INSERT'),"
        "pg_has_role(session_user, (SELECT relowner FROM pg_class "
        " WHERE relname = 'audit_event' AND relnamespace = current_schema()::regnamespace), "
        " 'MEMBER')")).one()
    login, edit, settings, owner = str(row[0]), bool(row[1]), bool(row[2]), bool(row[3])
    if owner:
        role = "owner"
    elif settings and edit:
        role = "admin"
    elif edit:
        role = "editor"
    elif bool(connection.execute(text("SELECT has_table_privilege('provider', 'SELECT')"))
              .scalar()):
        role = "viewer"
    else:
        role = "none"
    return Access(login, edit, settings, role)


def session_login(connection: Connection) -> str:
    return str(connection.execute(text("SELECT session_user")).scalar())


_DENIED_TABLE = re.compile(r"permission denied for (?:table|relation|sequence) (\S+)")


def permission_denied(err: BaseException) -> str | None:
    """The server's refusal of a privilege, as the table it names (or "" when it names
    none); None when ``err`` is not one."""
    if not isinstance(err, DBAPIError):
        return None
    orig = err.orig
    if getattr(orig, "sqlstate", None) != PERMISSION_DENIED:
        return None
    match = _DENIED_TABLE.search(str(orig))
    return match.group(1).strip('"') if match else ""


def refusal(err: DBAPIError, login: str | None, *, write: bool = True) -> AccessRefused:
    """One line for what PostgreSQL refused: who, on what, and which role would do."""
    table = permission_denied(err) or ""
    who = f"the database login {login}" if login else "this database login"
    if not write:
        return AccessRefused(f"no access: {who} may not read this register (PostgreSQL: "
                             f"permission denied{' for ' + table if table else ''}); a "
                             "tracker admin grants a role with `tracker team grant`")
    if table in ADMIN_TABLES:
        need = "changing settings needs the tracker_admin role"
    elif table in {"audit_event", "audit_head"}:
        need = "audit events can be appended by an editor, never changed"
    else:
        need = "changing the register needs the tracker_editor role"
    where = f" {table.replace('_', ' ')}" if table else ""
    return AccessRefused(f"read-only access: {who} may not change{where} (PostgreSQL: "
                         f"permission denied); {need}, which a tracker admin grants with "
                         "`tracker team grant`")


def iter_roles() -> Iterator[tuple[str, str, str]]:
    for name, role in ROLES.items():
        yield name, role, ROLE_HELP[name]
