/*
 * schema_pg.h: the PostgreSQL store's schema and its security model
 * (core/schema_pg.c).  The same tables, columns, views and derived state
 * as core/schema.c at STORE_SCHEMA_VERSION 5, in a schema named accord,
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
 */
#ifndef ACCORD_SCHEMA_PG_H
#define ACCORD_SCHEMA_PG_H

/*
 * The PostgreSQL schema's version: its one migration builds the state of
 * the SQLite schema's version 5 (STORE_SCHEMA_VERSION 5).  A SQLite
 * migration 6 needs a PostgreSQL migration 2, and so on: SCHEMA_PG_VERSION
 * counts PostgreSQL steps, table schema_version holds it.
 */
#define SCHEMA_PG_VERSION 1
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
