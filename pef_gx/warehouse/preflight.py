"""Before a checkpoint reads any table: can this role read them, and is anything holding them locked?

Without this, PostgreSQL hides tables a role may not see (information_schema lists only what it can
read), so a missing grant looked like "relation does not exist" on every check, scored 0 and raised an
alert storm; and a table held under ACCESS EXCLUSIVE made the checkpoint hang silently. Both questions
are answered from pg_catalog, which every role can read, in one query each.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pef_gx.artifacts.profiles import Target
from pef_gx.errors import DatabaseError
from pef_gx.warehouse.connection import connect

POLL_S = 1.0


@dataclass(frozen=True)
class Blocker:
    relation: str
    pid: int
    mode: str
    user: str | None
    application: str | None
    held_s: float | None

    def describe(self) -> str:
        who = f"pid {self.pid}"
        if self.user:
            who += f", user {self.user}"
        if self.application:
            who += f", application '{self.application}'"
        held = f" for {self.held_s:.0f}s" if self.held_s is not None else ""
        return f"{self.relation} is locked ({self.mode}) by {who}{held}"


_PRIVILEGES = """
select n.nspname, c.relname, current_user,
       has_schema_privilege(n.oid, 'USAGE') as can_use, has_table_privilege(c.oid, 'SELECT') as can_select
from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where (n.nspname, c.relname) in (select * from unnest(%s::text[], %s::text[]))
"""

_BLOCKERS = """
select n.nspname || '.' || c.relname, l.pid, l.mode, a.usename, a.application_name,
       extract(epoch from now() - coalesce(a.xact_start, a.query_start))
from pg_catalog.pg_locks l
join pg_catalog.pg_class c on c.oid = l.relation
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
left join pg_catalog.pg_stat_activity a on a.pid = l.pid
where l.granted and l.mode = 'AccessExclusiveLock' and l.pid <> pg_backend_pid()
  and (n.nspname, c.relname) in (select * from unnest(%s::text[], %s::text[]))
order by 1
"""


def check_relations(
    target: Target,
    relations: Sequence[tuple[str, str]],
    lock_wait_s: float,
    on_wait: Callable[[str], None] | None = None,
) -> None:
    """Raise DatabaseError when the role lacks a grant, or a lock outlives `lock_wait_s`; PostgreSQL only.

    `relations`: (schema, identifier) pairs. Relations that do not exist are left to the checks (they
    report them per check); this only speaks of relations that exist.
    """
    if target.type != "postgres" or not relations:
        return
    schemas = [s for s, _ in relations]
    names = [n for _, n in relations]
    conn = connect(target)
    try:
        with conn.cursor() as cur:
            cur.execute(_PRIVILEGES, (schemas, names))
            _raise_for_grants(target, cur.fetchall())
            _wait_for_locks(cur, schemas, names, lock_wait_s, on_wait)
    finally:
        conn.close()


def _raise_for_grants(target: Target, rows: Sequence[tuple]) -> None:
    no_usage = sorted({schema for schema, _, _, can_use, _ in rows if not can_use})
    no_select = sorted(
        f"{schema}.{name}" for schema, name, _, can_use, can_select in rows if can_use and not can_select
    )
    if not (no_usage or no_select):
        return
    role = rows[0][2]
    if no_usage:
        schema = no_usage[0]
        raise DatabaseError(
            f"permission denied: role {role} has no USAGE on schema {schema} "
            f"({len(rows)} checked relation(s) are in schemas it cannot read)",
            f"as the schema's owner run: GRANT USAGE ON SCHEMA {schema} TO {role}; "
            f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role};",
        )
    schema = no_select[0].split(".", 1)[0]
    more = f" and {len(no_select) - 1} more" if len(no_select) > 1 else ""
    raise DatabaseError(
        f"permission denied: role {role} cannot SELECT from {no_select[0]}{more}",
        f"as the owner run: GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role};",
    )


def _wait_for_locks(
    cur: object,
    schemas: list[str],
    names: list[str],
    lock_wait_s: float,
    on_wait: Callable[[str], None] | None,
) -> None:
    started = time.monotonic()
    while True:
        cur.execute(_BLOCKERS, (schemas, names))  # type: ignore[attr-defined]
        blockers = [
            Blocker(r[0], int(r[1]), r[2], r[3], r[4], float(r[5]) if r[5] is not None else None)
            for r in cur.fetchall()
        ]  # type: ignore[attr-defined]
        if not blockers:
            return
        waited = time.monotonic() - started
        if waited >= lock_wait_s:
            first = blockers[0]
            raise DatabaseError(
                f"gave up after {waited:.0f}s waiting for a lock: {first.describe()}",
                f"end that transaction (SELECT pg_terminate_backend({first.pid})) or raise "
                "timeouts.lock_seconds in pef-gx.yml",
            )
        if on_wait:
            on_wait(f"waiting for a lock ({waited:.0f}s of {lock_wait_s:.0f}s): {blockers[0].describe()}")
        time.sleep(min(POLL_S, max(lock_wait_s - waited, 0.05)))
