/*
 * schema_pg.h: the PostgreSQL store's schema and its security model
 * (core/schema_pg.c).  The same tables, columns, views and derived state
 * as core/schema.c at STORE_SCHEMA_VERSION, in a schema named accord,
 * owned by the project's NOLOGIN role P_owner, read and written by
 * members through P_member under row-level security.
 *
 * A project's database (created UTF8, e.g. createdb -E UTF8 -T template0)
 * is set up by a superuser in one transaction:
 *
 *	BEGIN;
 *	<schema_pg_prepare(P)>	roles, schema accord, database rights
 *	SET LOCAL ROLE <P_owner>;	(schema_pg_role(P, "owner"))
 *	<schema_pg_migration(v)> for v = 1 .. SCHEMA_PG_VERSION, each
 *	    followed by UPDATE schema_version SET version = v;
 *	<schema_pg_security(P)>	grants, policies, functions
 *	COMMIT;
 *
 * A later migration runs the same way from the stored version on, and
 * schema_pg_security again (it replaces what it made).  Objects are
 * created by P_owner so that P_owner owns them; no login role is a member
 * of P_owner, so only a superuser (or a role granted P_owner by the DBA)
 * migrates.
 *
 * What the client must do on this schema (the server refuses otherwise):
 * - search_path = accord, pg_catalog; write "user" quoted.
 * - A write transaction (READ COMMITTED) first takes the writer lock,
 *   SELECT pg_advisory_xact_lock(SCHEMA_PG_WRITER_LOCK), as BEGIN
 *   IMMEDIATE would: inserts into history tables take it anyway, and a
 *   transaction that read before would have read without it.
 * - Members never give an id (no INSERT right on id columns); ids rise
 *   in commit order, with gaps (a rolled back insert, ON CONFLICT DO
 *   NOTHING and a failed insert each use one up).
 * - A label row's supersedes is the pair's newest row id (NULL for the
 *   first), a withdrawal needs a label in force, a row from the screen
 *   names the newest guideline version, labeler = recorded_by =
 *   session_user (an admin's labels import: recorded_by only).
 * - item_meta: write value_type 'text' (value the text) for a CSV cell,
 *   'real' for a metric (value SQLite's CAST(x AS TEXT), "%!.15g", and
 *   value_num x exactly), 'null' for a NaN metric (both NULL), as SQLite
 *   would have stored them; read the type from value_type, a number from
 *   value_num, text (and CAST(value AS TEXT)) from value.
 * - Leases through lease_put(item, seconds), lease_drop(item),
 *   lease_expire(), on the server's clock (lease_now()), not the client's;
 *   items taken through accord.take and progress read through
 *   accord.progress (core/queue_pg.h, installed after the security SQL).
 * - A label from the screen through label_put(item, class, note, seconds,
 *   created_at, view) (migration 4; item NULL: an undo), one call that writes
 *   the row as above and drops the caller's lease, committing without
 *   waiting for its flush: the caller then commits a transaction that has
 *   an id, synchronously, to make it durable (store_pg.c
 *   pg_step_flushed).  A plain INSERT is still checked the same way.
 * - A labeler reading a table only SMEs read gets SQLSTATE 42501
 *   "permission denied: reading T needs the sme role".
 * - Bulk rows (accord copy), as a superuser: SET session_replication_role
 *   = replica, the rows with their ids, then SELECT accord.derived_rebuild()
 *   and accord.ids_sync(); per-row triggers in one long transaction slow
 *   down with its length.
 */
#ifndef ACCORD_SCHEMA_PG_H
#define ACCORD_SCHEMA_PG_H

/*
 * The PostgreSQL schema's version: its migration 1 builds the state of
 * the SQLite schema's version 5 (SCHEMA_PG_SQLITE_VERSION), and each
 * later one the next SQLite version's, or changes only what SQLite has no
 * counterpart of (the server's functions): PostgreSQL migration 2 is
 * SQLite's 6 (media kept in the store), 3 adds accord.label_put and is
 * still SQLite's 6, 4 is SQLite's 7 (labels.view; label_put takes it).
 * SCHEMA_PG_VERSION counts PostgreSQL steps, table schema_version holds it; the SQLite version a PostgreSQL store holds
 * the state of is schema_pg_sqlite_version(version) (store_version), and
 * schema_pg.c asserts that this is STORE_SCHEMA_VERSION at
 * SCHEMA_PG_VERSION.
 */
#define SCHEMA_PG_VERSION 4
#define SCHEMA_PG_SQLITE_VERSION 5

/*
 * The advisory lock key every write transaction takes (the writer lock,
 * like SQLite's BEGIN IMMEDIATE): 'ACRD'.  Inserts into the history
 * tables take it themselves (a statement trigger), so ids are handed out
 * in commit order; a client takes it first, with
 * SELECT pg_advisory_xact_lock(SCHEMA_PG_WRITER_LOCK), before it reads
 * what it is about to write from.
 */
#define SCHEMA_PG_WRITER_LOCK 1094931012

/*
 * Migration v (1 .. SCHEMA_PG_VERSION) as one SQL script, run as P_owner
 * with search_path accord, pg_catalog; NULL for any other v.  Static text.
 */
const char *schema_pg_migration(int v);
/* The SQLite schema version whose state PostgreSQL version v holds;
 * -1 for a v that is not 1 .. SCHEMA_PG_VERSION. */
int schema_pg_sqlite_version(int v);

/*
 * The role name P_suffix ("owner" or "member") as a quoted SQL
 * identifier, malloc'd (the caller frees).  NULL with *cause when the
 * prefix is empty or the name would be longer than PostgreSQL's 63 bytes.
 */
char *schema_pg_role(const char *prefix, const char *suffix, char **cause);

/*
 * The SQL run before migration 1 by a superuser: the roles P_owner and
 * P_member (NOLOGIN) and P_roles (NOLOGIN CREATEROLE) when missing (an
 * existing P_owner or P_roles that can log in or has members is refused),
 * schema accord owned by P_owner, the database's CONNECT and TEMPORARY
 * rights taken from PUBLIC and CONNECT given to P_member, and the
 * function accord.member_login(name text, on boolean), owned by P_roles,
 * through which an admin makes a login a member (CREATE ROLE name LOGIN
 * if missing, GRANT P_member) or ends it (REVOKE).  Admins must not be
 * given CREATEROLE: in PostgreSQL 15 it lets a role grant itself any
 * non-superuser role, P_owner included, and so switch off every trigger
 * and policy.  Refuses a database whose encoding is not UTF8 (packed
 * label rows count bytes).  malloc'd, or NULL with *cause as
 * schema_pg_role.
 */
char *schema_pg_prepare(const char *prefix, char **cause);

/*
 * The SQL run as P_owner after the migrations: the grants to P_member,
 * row-level security (ENABLE and FORCE) with its policies on every table,
 * the SECURITY DEFINER functions (my_role, the lease functions) and the
 * row of project_roles.  It may be run again: it drops and re-creates
 * what it made.  malloc'd, or NULL with *cause as schema_pg_role.
 */
char *schema_pg_security(const char *prefix, char **cause);

#endif
