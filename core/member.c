/*
 * member.c: members and their roles: who may do what, and adding,
 * changing and removing members (each change audited).
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "accord/project.h"
#include "internal.h"
#include "sqlutil.h"

static const char *const role_names[] = { "none", "labeler", "sme", "admin" };

const char *
role_name(enum role r)
{
	return r >= ROLE_NONE && r <= ROLE_ADMIN ? role_names[r] : "none";
}

enum role
role_from_name(const char *s)
{
	int i;

	for (i = ROLE_LABELER; i <= ROLE_ADMIN; i++)
		if (strcmp(s, role_names[i]) == 0)
			return (enum role)i;
	return ROLE_NONE;
}

int
project_role(struct store *st, const char *user, enum role *out, char **cause)
{
	struct sql_stmt *s;
	int rc;

	*out = ROLE_NONE;
	if (user == NULL)
		return 0;
	if (sql_prepare(st, "SELECT role FROM current_members WHERE \"user\" = ?",
	    &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, user);
	rc = sql_step(s);
	if (rc == SQL_ROW)
		*out = role_from_name(sql_text(s, 0));
	sql_finalize(st, s);
	if (rc != SQL_ROW && rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read members");
	return 0;
}

int
project_require(struct store *st, const char *user, enum role min,
    const char *what, char **cause)
{
	enum role r;

	if (project_role(st, user, &r, cause) != 0)
		return -1;
	if (r >= min)
		return 0;
	{
		char *detail = xasprintf("%s (needs %s, has %s)", what,
		    role_name(min), role_name(r));

		store_audit(st, user ? user : "?", "refused", detail, NULL);
		free(detail);
	}
	if (r == ROLE_NONE)
		return acc_error(cause, "%s is not a member of this project; "
		    "an admin can add them with accord member add", user ?
		    user : "this user");
	return acc_error(cause, "%s needs the %s role (%s is %s)", what,
	    role_name(min), user, role_name(r));
}

int
project_begin(struct store *st, const char *user, enum role min,
    const char *what, char **cause)
{
	if (store_begin(st, 1, cause) != 0)
		return -1;
	if (project_require(st, user, min, what, cause) != 0) {
		/* Keep the refusal's audit row. */
		if (store_commit(st, NULL) != 0)
			store_rollback(st);
		return -1;
	}
	return 0;
}

static int
member_row(struct store *st, const char *actor, const char *user,
    enum role role, int active, char **cause)
{
	char now[32];
	const struct sql_arg a[] = { SQL_TEXT(user),
	    SQL_TEXT(role_name(role)), SQL_INT(active), SQL_TEXT(actor),
	    SQL_TEXT(now) };

	acc_now_iso(now);
	return SQL_WRITE(st, "INSERT INTO members (\"user\", role, active, "
	    "changed_by, changed_at) VALUES (?, ?, ?, ?, ?)", a, cause);
}

/*
 * On PostgreSQL, membership is the server's: `member add` makes the
 * login role if missing (LOGIN, nothing else) and grants it the project's
 * member role, `member remove` revokes it, in the member row's
 * transaction, through accord.member_login (core/schema_pg.h: run as the
 * project's role-making role, so admins never need CREATEROLE, which in
 * PostgreSQL 15 would let them make themselves the tables' owner).
 */
static int
member_grant_pg(struct store *st, const char *user, int grant, char **cause)
{
	struct sql_stmt *s;
	int rc;

	if (sql_prepare(st, grant ? "SELECT member_login(?, true)" :
	    "SELECT member_login(?, false)", &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, user);
	while ((rc = sql_step(s)) == SQL_ROW)
		;
	if (rc != SQL_DONE)
		acc_error(cause, "the server refused to %s %s: %s", grant ?
		    "make a member of" : "end the membership of", user,
		    sql_errmsg(st));
	sql_finalize(st, s);
	return rc == SQL_DONE ? 0 : -1;
}

/*
 * Refuses to take the admin role from `user` when no other admin would be
 * left.  Returns 0, or -1 with *cause.
 */
static int
not_last_admin(struct store *st, const char *user, char **cause)
{
	long long admins;

	if (sql_int(st, "SELECT count(*) FROM current_members WHERE "
	    "role = 'admin' AND \"user\" != ?", user, &admins, cause) < 0)
		return -1;
	if (admins == 0)
		return acc_error(cause, "%s is the only admin; make another "
		    "admin first", user);
	return 0;
}

int
member_set(struct store *st, const char *actor, const char *user,
    enum role role, char **cause)
{
	enum role old;
	char *detail;

	if (role == ROLE_NONE)
		return acc_error(cause, "--role must be labeler, sme or admin");
	/* On PostgreSQL a member is a role, maybe of another host. */
	if (st->kind != STORE_PG && getpwnam(user) == NULL)
		return acc_error(cause, "no OS user named '%s' on this host",
		    user);
	if (project_begin(st, actor, ROLE_ADMIN, "changing members",
	    cause) != 0)
		return -1;
	if (project_role(st, user, &old, cause) != 0)
		goto fail;
	if (old == role) {
		store_rollback(st);
		return acc_error(cause, "%s is already %s %s", user,
		    role == ROLE_ADMIN ? "an" : "a", role_name(role));
	}
	if (old == ROLE_ADMIN && not_last_admin(st, user, cause) != 0)
		goto fail;
	detail = old == ROLE_NONE ? xasprintf("%s as %s", user, role_name(role))
	    : xasprintf("%s from %s to %s", user, role_name(old),
	    role_name(role));
	if (member_row(st, actor, user, role, 1, cause) != 0 ||
	    (st->kind == STORE_PG && old == ROLE_NONE &&
	    member_grant_pg(st, user, 1, cause) != 0) ||
	    store_audit(st, actor, old == ROLE_NONE ? "member add" :
	    "member role", detail, cause) != 0) {
		free(detail);
		goto fail;
	}
	free(detail);
	return store_commit(st, cause);
fail:
	store_rollback(st);
	return -1;
}

int
member_remove(struct store *st, const char *actor, const char *user,
    char **cause)
{
	enum role old;

	if (project_begin(st, actor, ROLE_ADMIN, "changing members",
	    cause) != 0)
		return -1;
	if (project_role(st, user, &old, cause) != 0)
		goto fail;
	if (old == ROLE_NONE) {
		acc_error(cause, "%s is not a member", user);
		goto fail;
	}
	if (old == ROLE_ADMIN && not_last_admin(st, user, cause) != 0)
		goto fail;
	if (member_row(st, actor, user, old, 0, cause) != 0 ||
	    (st->kind == STORE_PG && member_grant_pg(st, user, 0, cause) != 0) ||
	    store_audit(st, actor, "member remove", user, cause) != 0)
		goto fail;
	return store_commit(st, cause);
fail:
	store_rollback(st);
	return -1;
}

int
member_list(struct store *st, const char *user, struct member **out, int *n,
    char **cause)
{
	struct sql_stmt *s;
	struct member *m = NULL;
	int k = 0, rc;

	if (project_require(st, user, ROLE_LABELER, "listing members", cause)
	    != 0)
		return -1;
	if (sql_prepare(st, "SELECT \"user\", role, changed_by, changed_at FROM "
	    "current_members ORDER BY \"user\"", &s, cause) != 0)
		return -1;
	while ((rc = sql_step(s)) == SQL_ROW) {
		m = xreallocarray(m, (size_t)k + 1, sizeof *m);
		m[k].user = xstrdup(sql_text(s, 0));
		m[k].role = role_from_name(sql_text(s, 1));
		m[k].changed_by = xstrdup(sql_text(s, 2));
		m[k].changed_at = xstrdup(sql_text(s, 3));
		k++;
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE) {
		member_list_free(m, k);
		return sql_fail(st, cause, "cannot read members");
	}
	*out = m;
	*n = k;
	return 0;
}

void
member_list_free(struct member *m, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		free(m[i].user);
		free(m[i].changed_by);
		free(m[i].changed_at);
	}
	free(m);
}
