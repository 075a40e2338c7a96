/*
 * test_roles.c: roles are enforced in core, not only by the commands.
 * Every core entry point that writes to the project, decides for it, or
 * shows other people's labels is called directly, as a labeler and as a
 * non-member (and the admin-only ones as an sme): each returns -1 with a
 * cause naming the role, writes nothing (every table's row count but the
 * audit's is unchanged; no export directory or backup file appears), and
 * appends exactly one audit row "refused" under the user.  The commands
 * check some of these roles themselves too (guideline edit, backup, stats
 * refuse before opening an editor or a screen), which hides core from
 * tests/cmd/roles.sh; this test does not go through them.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accord/adjudicate.h"
#include "accord/backup.h"
#include "accord/check.h"
#include "accord/config.h"
#include "accord/drift.h"
#include "accord/errors.h"
#include "accord/export.h"
#include "accord/guideline.h"
#include "accord/import.h"
#include "accord/labels.h"
#include "accord/project.h"
#include "accord/label.h"
#include "accord/queue.h"
#include "accord/ratings.h"
#include "accord/review.h"
#include "accord/status.h"
#include "accord/store.h"
#include "accord/util.h"
#include "t.h"

static char dir[256];
static char path[300], file[300], out[300];
static struct store *st;

/* OS users that exist on Debian.  root made the project (admin). */
#define ADMIN "root"
#define SME "bin"
#define LABELER "daemon"
#define LABELER2 "sys"
#define OUTSIDER "nobody"
enum { OK = 1, BAD = 2 };

/* Every table's row count but the audit's, as "name=n,...". */
static char *
snap(void)
{
	sqlite3 *db;
	sqlite3_stmt *s, *c;
	struct buf b = { 0 };

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return xstrdup("open failed");
	if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE "
	    "type = 'table' AND name != 'audit' AND name NOT LIKE 'sqlite_%' "
	    "ORDER BY name", -1, &s, NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW) {
			char *q = xasprintf("SELECT count(*) FROM \"%s\"",
			    (const char *)sqlite3_column_text(s, 0));

			if (sqlite3_prepare_v2(db, q, -1, &c, NULL) ==
			    SQLITE_OK) {
				if (sqlite3_step(c) == SQLITE_ROW)
					buf_printf(&b, "%s=%lld,",
					    sqlite3_column_text(s, 0),
					    sqlite3_column_int64(c, 0));
				sqlite3_finalize(c);
			}
			free(q);
		}
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return b.s ? b.s : xstrdup("");
}

/* The audit's row count, and its newest row as "action user". */
static long long
audit_rows(char *newest, size_t len)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long long n = -1;

	newest[0] = '\0';
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM audit), "
	    "action || ' ' || user FROM audit ORDER BY id DESC LIMIT 1", -1,
	    &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW) {
			n = sqlite3_column_int64(s, 0);
			snprintf(newest, len, "%s", sqlite3_column_text(s, 1));
		}
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return n;
}

static void
no_error(void *arg, const char *where, const char *msg)
{
	(void)arg;
	(void)where;
	(void)msg;
}

static void
no_problem(void *arg, const struct check_problem *p)
{
	(void)arg;
	(void)p;
}

static int
no_label(void *arg, const struct label_row *r)
{
	(void)r;
	++*(int *)arg;
	return 0;
}

/* --- the entry points, one call each, freeing what a success returns --- */

static int
c_member_set(const char *u, char **cause)
{
	return member_set(st, u, OUTSIDER, ROLE_ADMIN, cause);
}

static int
c_member_remove(const char *u, char **cause)
{
	return member_remove(st, u, LABELER2, cause);
}

static int
c_config_set(const char *u, char **cause)
{
	return config_set(st, u, "overlap", "4", cause);
}

static int
c_import(const char *u, char **cause)
{
	const char *paths[] = { dir };
	struct import_opts o = { .paths = paths, .npaths = 1, .jobs = 1,
	    .user = u, .on_error = no_error };
	struct import_stats s;
	char *batch = NULL;
	int r = import_run(st, &o, &s, &batch, cause);

	free(batch);
	return r;
}

static int
c_labels_import(const char *u, char **cause)
{
	return labels_import(st, file, u, no_error, NULL, NULL, cause);
}

static int
c_labels_each(const char *u, char **cause)
{
	int n = 0;

	return labels_each(st, u, no_label, &n, cause);
}

static int
c_ratings(const char *u, char **cause)
{
	struct ratings_opts o = { .user = u };
	struct ratings r;
	int rc = ratings_build(st, &o, &r, cause);

	if (rc == 0)
		ratings_free(&r);
	return rc;
}

static int
c_export(const char *u, char **cause)
{
	struct export_opts o;
	struct export_result res;
	int r;

	memset(&o, 0, sizeof o);
	o.user = u;
	o.out = out;
	o.format = EXPORT_CSV;
	o.method = CONSENSUS_MAJORITY;
	o.fallback = CONSENSUS_MAJORITY;
	if (split_parse("100", &o.split, cause) != 0)
		return -2;
	r = export_run(st, &o, &res, cause);
	if (r == 0)
		export_result_free(&res);
	return r;
}

static int
c_guideline_add(const char *u, char **cause)
{
	int v;

	return guideline_add(st, u, "# new\n\n## ok\nFine.\n", "x", &v,
	    cause);
}

static int
c_guideline_add_on(const char *u, char **cause)
{
	char *text = NULL;
	int base, v;

	if (guideline_current(st, &base, &text, cause) != 0)
		return -2;
	free(text);
	return guideline_add_on(st, u, base, "# new\n\n## bad\nNot.\n", "x",
	    &v, cause);
}

static int
c_adjudicate_class(const char *u, char **cause)
{
	return adjudicate_class(st, u, 1, OK, "n", cause);
}

static int
c_adjudicate_ambiguous(const char *u, char **cause)
{
	return adjudicate_ambiguous(st, u, 1, "n", cause);
}

static int
c_adjudicate_relabel(const char *u, char **cause)
{
	return adjudicate_relabel(st, u, 1, "n", cause);
}

static int
c_comment(const char *u, char **cause)
{
	return comment_add(st, u, 1, "a comment", cause);
}

static int
c_gold_add(const char *u, char **cause)
{
	return gold_add(st, u, 1, OK, cause);
}

static int
c_gold_remove(const char *u, char **cause)
{
	return gold_remove(st, u, 2, cause);
}

static int
c_gold_list(const char *u, char **cause)
{
	struct gold_row *g;
	int n, r = gold_list(st, u, &g, &n, cause);

	if (r == 0)
		gold_list_free(g, n);
	return r;
}

static int
c_errors_import(const char *u, char **cause)
{
	struct errors_import_result res;
	int r = errors_import(st, file, "m2", u, no_error, NULL, &res, cause);

	free(res.run);
	return r;
}

static int
c_errors_report(const char *u, char **cause)
{
	struct errors_opts o = { .user = u, .run = "m1" };
	struct errors_report rep;
	int r = errors_report(st, &o, &rep, cause);

	if (r == 0)
		errors_report_free(&rep);
	return r;
}

static int
c_drift(const char *u, char **cause)
{
	struct drift_report rep;
	int r = drift_report(st, u, "b1", "b2", &rep, cause);

	if (r == 0)
		drift_report_free(&rep);
	return r;
}

static int
c_check(const char *u, char **cause)
{
	struct check_result res;
	int r = check_project(st, u, no_problem, NULL, &res, cause);

	if (r == 0)
		check_result_free(&res);
	return r;
}

static int
c_backup(const char *u, char **cause)
{
	struct backup_result res;

	return store_backup(st, u, out, NULL, &res, cause);
}

static int
c_review_queue(const char *u, char **cause)
{
	struct review_entry *e = NULL;
	int n, r = review_queue(st, u, NULL, &e, &n, cause);

	free(e);
	return r;
}

static int
c_review_detail(const char *u, char **cause)
{
	struct review_detail d;
	int r = review_detail(st, u, 1, &d, cause);

	if (r == 0)
		review_detail_free(&d);
	return r;
}

/* What any member may do: a non-member is refused. */
static int
c_status(const char *u, char **cause)
{
	struct status s;
	int r = status_read(st, u, 2, &s, cause);

	if (r == 0)
		status_free(&s);
	return r;
}

static int
c_label_put(const char *u, char **cause)
{
	return label_put(st, u, 3, OK, NULL, 1, NULL, cause);
}

static int
c_guideline_log(const char *u, char **cause)
{
	struct guideline_version *v;
	int n, r = guideline_log(st, u, &v, &n, cause);

	if (r == 0)
		guideline_log_free(v, n);
	return r;
}

static int
c_config_list(const char *u, char **cause)
{
	struct setting *s;
	int n, r = config_list(st, u, &s, &n, cause);

	if (r == 0)
		config_list_free(s, n);
	return r;
}

enum need { NEED_MEMBER, NEED_SME, NEED_ADMIN };

static const struct entry {
	const char *name;
	int (*call)(const char *user, char **cause);
	enum need need;
} entries[] = {
	{ "member_set", c_member_set, NEED_ADMIN },
	{ "member_remove", c_member_remove, NEED_ADMIN },
	{ "config_set", c_config_set, NEED_ADMIN },
	{ "import_run", c_import, NEED_ADMIN },
	{ "labels_import", c_labels_import, NEED_ADMIN },
	{ "labels_each", c_labels_each, NEED_SME },
	{ "ratings_build", c_ratings, NEED_SME },
	{ "export_run", c_export, NEED_SME },
	{ "guideline_add", c_guideline_add, NEED_SME },
	{ "guideline_add_on", c_guideline_add_on, NEED_SME },
	{ "adjudicate_class", c_adjudicate_class, NEED_SME },
	{ "adjudicate_ambiguous", c_adjudicate_ambiguous, NEED_SME },
	{ "adjudicate_relabel", c_adjudicate_relabel, NEED_SME },
	{ "comment_add", c_comment, NEED_SME },
	{ "gold_add", c_gold_add, NEED_SME },
	{ "gold_remove", c_gold_remove, NEED_SME },
	{ "gold_list", c_gold_list, NEED_SME },
	{ "errors_import", c_errors_import, NEED_SME },
	{ "errors_report", c_errors_report, NEED_SME },
	{ "drift_report", c_drift, NEED_SME },
	{ "check_project", c_check, NEED_SME },
	{ "store_backup", c_backup, NEED_SME },
	{ "review_queue", c_review_queue, NEED_SME },
	{ "review_detail", c_review_detail, NEED_SME },
	{ "status_read", c_status, NEED_MEMBER },
	{ "label_put", c_label_put, NEED_MEMBER },
	{ "guideline_log", c_guideline_log, NEED_MEMBER },
	{ "config_list", c_config_list, NEED_MEMBER },
};
#define NENTRIES (int)(sizeof entries / sizeof entries[0])

static void
setup(void)
{
	struct project_spec spec = { .task = "roles",
	    .media = MEDIA_KIND_IMAGE, .classes = "ok,bad", .overlap = 2 };
	const char *members[][2] = { { SME, "sme" }, { LABELER, "labeler" },
	    { LABELER2, "labeler" } };
	struct errors_import_result res = { 0 };
	char *cause = NULL, *sql;
	sqlite3 *db;
	FILE *f;
	size_t i;
	int ok;

	if (t_mkdtemp(dir, sizeof dir, "roles") == NULL) {
		T_FAIL("mkdtemp");
		return;
	}
	snprintf(path, sizeof path, "%s/p.accord", dir);
	snprintf(file, sizeof file, "%s/rows.csv", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	if (project_init(path, &spec, ADMIN, &cause) != 0) {
		T_FAIL("project_init: %s", cause);
		free(cause);
		return;
	}
	/* Two batches of two items; no media files are needed for this. */
	sql = xasprintf("BEGIN; INSERT INTO batches (name, created_by, "
	    "created_at) VALUES ('b1', 'root', 'now'), ('b2', 'root', 'now');"
	    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
	    "WHERE x < 4) INSERT INTO items (sha256, path, kind, format, "
	    "bytes, batch, imported_by, imported_at) SELECT printf('%%064d', "
	    "x), '%s/' || x || '.png', 'image', 'png', 10, 1 + (x > 2), "
	    "'root', 'now' FROM n; COMMIT;", dir);
	ok = sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
	sqlite3_close(db);
	free(sql);
	/* The file both label import and predictions import read. */
	if ((f = fopen(file, "w")) != NULL) {
		fprintf(f, "sha256,labeler,class\n%064d,carol,ok\n", 1);
		fclose(f);
	}
	if (!ok || f == NULL || store_open(path, &st, &cause) != 0) {
		T_FAIL("setup: %s", cause ? cause : "sql or file");
		free(cause);
		return;
	}
	for (i = 0; i < sizeof members / sizeof members[0]; i++)
		if (member_set(st, ADMIN, members[i][0],
		    role_from_name(members[i][1]), &cause) != 0) {
			T_FAIL("member_set %s: %s", members[i][0], cause);
			free(cause);
			cause = NULL;
		}
	if (label_put(st, LABELER, 1, OK, NULL, 1, NULL, &cause) != 0 ||
	    label_put(st, LABELER2, 1, BAD, NULL, 1, NULL, &cause) != 0 ||
	    label_put(st, LABELER, 3, BAD, NULL, 1, NULL, &cause) != 0 ||
	    gold_add(st, SME, 2, BAD, &cause) != 0 ||
	    errors_import(st, file, "m1", ADMIN, no_error, NULL, &res,
	    &cause) != 0) {
		T_FAIL("setup rows: %s", cause);
		free(cause);
	}
	free(res.run);
}

/* Call e as user, who must be refused with `want` in the cause. */
static void
refused(const struct entry *e, const char *user, const char *want)
{
	char *before, *after, *cause = NULL, newest[128], expect[128];
	long long na0, na1;
	struct stat sb;
	int r;

	before = snap();
	na0 = audit_rows(newest, sizeof newest);
	r = e->call(user, &cause);
	after = snap();
	na1 = audit_rows(newest, sizeof newest);
	snprintf(expect, sizeof expect, "refused %s", user);
	if (r != -1)
		T_FAIL("%s as %s returned %d, not -1", e->name, user, r);
	else if (cause == NULL || strstr(cause, want) == NULL)
		T_FAIL("%s as %s: cause '%s' lacks '%s'", e->name, user,
		    cause ? cause : "(null)", want);
	else if (strcmp(before, after) != 0)
		T_FAIL("%s as %s wrote rows: %s -> %s", e->name, user, before,
		    after);
	else if (na1 != na0 + 1 || strcmp(newest, expect) != 0)
		T_FAIL("%s as %s: %lld audit rows, newest '%s'", e->name, user,
		    na1 - na0, newest);
	else if (lstat(out, &sb) == 0)
		T_FAIL("%s as %s left %s behind", e->name, user, out);
	free(cause);
	free(before);
	free(after);
}

static void
t_labeler_refused_in_core(void)
{
	char want[128];
	int i;

	for (i = 0; i < NENTRIES; i++) {
		if (entries[i].need == NEED_MEMBER)
			continue;
		snprintf(want, sizeof want, "needs the %s role (%s is labeler)",
		    entries[i].need == NEED_ADMIN ? "admin" : "sme", LABELER);
		refused(&entries[i], LABELER, want);
	}
}

static void
t_non_member_refused_in_core(void)
{
	int i;

	for (i = 0; i < NENTRIES; i++)
		refused(&entries[i], OUTSIDER, OUTSIDER " is not a member");
}

static void
t_sme_refused_admin_things_in_core(void)
{
	int i;

	for (i = 0; i < NENTRIES; i++)
		if (entries[i].need == NEED_ADMIN)
			refused(&entries[i], SME,
			    "needs the admin role (" SME " is sme)");
}

/* The positive side, so the refusals above are not refusals of a call
 * that cannot succeed: the sme may do every sme entry point. */
static void
t_sme_allowed_in_core(void)
{
	char *cause = NULL;
	int i, r;

	for (i = 0; i < NENTRIES; i++) {
		if (entries[i].need == NEED_ADMIN)
			continue;
		/* check_project finds the items' files missing: it still ran. */
		r = entries[i].call(SME, &cause);
		if (r != 0 && (entries[i].call != c_check || cause != NULL))
			T_FAIL("%s as sme: %s", entries[i].name,
			    cause ? cause : "failed");
		free(cause);
		cause = NULL;
		if (entries[i].call == c_export || entries[i].call == c_backup) {
			char *cmd = xasprintf("rm -rf '%s'", out);

			if (system(cmd) != 0)
				T_FAIL("rm %s", out);
			free(cmd);
		}
	}
}

int
main(void)
{
	char *cmd;

	T_RUN(setup);
	if (st != NULL) {
		T_RUN(t_labeler_refused_in_core);
		T_RUN(t_non_member_refused_in_core);
		T_RUN(t_sme_refused_admin_things_in_core);
		T_RUN(t_sme_allowed_in_core);
		store_close(st);
	}
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
	return t_done();
}
