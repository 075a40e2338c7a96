/*
 * test_label.c: the label rule (core/label.c): the packed per-item
 * encoding read back as written (in C and by the trigger's SQL), damaged
 * values refused, which row is in force after labels, relabels,
 * withdrawals and undos, what a row supersedes, and a store that cannot
 * be read reported as such, not as a missing item.
 */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/label.h"
#include "accord/labels.h"
#include "accord/project.h"
#include "accord/store.h"
#include "accord/util.h"
#include "../../core/label_int.h"
#include "t.h"
#include "t_store.h"

#define A "daemon"
#define B "bin"

/* A project with classes ok(1), scratch(2), dent(3), items 1..3 and the
 * labelers A and B; the open store, or NULL. */
static struct store *
setup(const char *path)
{
	struct project_spec spec = { .task = "defects",
	    .media = MEDIA_KIND_IMAGE, .classes = "ok,scratch,dent",
	    .overlap = 2 };
	struct store *st = NULL;
	char *cause = NULL;

	if (project_init(path, &spec, "root", &cause) != 0 ||
	    t_x(path, "INSERT INTO batches (name, created_by, created_at) "
	    "VALUES ('b1', 'root', 'now'); INSERT INTO items (sha256, path, "
	    "kind, format, bytes, batch, imported_by, imported_at) SELECT "
	    "printf('%064d', x), '/data/' || x || '.png', 'image', 'png', 10, "
	    "1, 'root', 'now' FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION "
	    "ALL SELECT 3)") != SQLITE_OK ||
	    store_open(path, &st, &cause) != 0 ||
	    member_set(st, "root", A, ROLE_LABELER, &cause) != 0 ||
	    member_set(st, "root", B, ROLE_LABELER, &cause) != 0) {
		T_FAIL("setup: %s", cause ? cause : "items");
		free(cause);
		if (st != NULL)
			store_close(st);
		return NULL;
	}
	return st;
}

/* Entries with names that hold the format's own separators, a name
 * that is not ASCII, and a withdrawal, read back exactly as written. */
static void
t_pack_round_trip(void)
{
	static const struct {
		long long id, cls, g;
		const char *name;
	} in[] = {
		{ 1, 2, 1, "alice" }, { 7, 0, 1, "x,y;z:1" },
		{ 9, 3, 2, "zo\xc3\xab" }, { 10, 1, 12, ";" },
		{ 4000000000LL, 0, 3, "" }, { 4000000001LL, 17, 3, "a:3;b" },
	};
	struct buf b = { 0 };
	struct label_entry e;
	const char *p;
	size_t i, n = sizeof in / sizeof in[0];

	for (i = 0; i < n; i++) {
		e.id = in[i].id;
		e.class_id = in[i].cls;
		e.guideline = in[i].g;
		e.labeler = in[i].name;
		e.labeler_len = strlen(in[i].name);
		label_pack(&b, &e);
	}
	T_CHECK(strncmp(b.s, "1,2,1,5:alice;7,,1,7:x,y;z:1;9,3,2,4:zo\xc3\xab;",
	    strlen("1,2,1,5:alice;7,,1,7:x,y;z:1;9,3,2,4:zo\xc3\xab;")) == 0);
	p = b.s;
	memset(&e, 0, sizeof e);
	for (i = 0; i < n; i++) {
		if (label_unpack(&p, &e) != 1) {
			T_FAIL("entry %zu not read back", i);
			break;
		}
		T_EQ_INT(e.id, in[i].id);
		T_EQ_INT(e.class_id, in[i].cls);
		T_EQ_INT(e.guideline, in[i].g);
		T_EQ_INT(e.labeler_len, strlen(in[i].name));
		T_CHECK(memcmp(e.labeler, in[i].name, e.labeler_len) == 0);
	}
	T_EQ_INT(label_unpack(&p, &e), 0);
	buf_free(&b);
}

/* Every damaged value is refused, never read as fewer or other rows. */
static void
t_unpack_refuses_damage(void)
{
	static const char *const bad[] = {
		"1,2,1,5:alice",		/* no ';' */
		"1,2,1,6:alice;",		/* length past the end */
		"1,2,1,4:alice;",		/* length short of the ';' */
		"1,2,1,:alice;",		/* no length */
		",2,1,5:alice;",		/* no id */
		"1,2,,5:alice;",		/* no guideline */
		"1;2,1,5:alice;",		/* wrong separator */
		"1,2,1,5alice;",		/* no ':' */
		"1,x,1,5:alice;",		/* class not a number */
		"2,2,1,1:a;2,2,1,1:b;",		/* ids not ascending */
		"3,2,1,1:a;2,2,1,1:b;",
		"0,2,1,1:a;",			/* no id is 0 */
		"1,2,1,1:a;junk",
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct label_entry e = { 0 };
		const char *p = bad[i];
		int k;

		while ((k = label_unpack(&p, &e)) > 0)
			;
		if (k != -1)
			T_FAIL("'%s' read as undamaged", bad[i]);
	}
}

/* The C reader's rule: the newer row replaces, a withdrawal empties,
 * and what it replaced is returned. */
static void
t_stream_rule(void)
{
	int held = -1;

	T_EQ_INT(label_stream(&held, 2), -1);
	T_EQ_INT(held, 2);
	T_EQ_INT(label_stream(&held, 0), 2);
	T_EQ_INT(held, 0);
	T_EQ_INT(label_stream(&held, -1), 0);
	T_EQ_INT(held, -1);
	T_EQ_INT(label_stream(&held, -1), -1);
	T_EQ_INT(held, -1);
}

/*
 * Rows written by the trigger's SQL encoder, with names that hold the
 * separators, decode to exactly the label rows, and the C encoder writes
 * the same text (what accord check compares).
 */
static void
t_sql_encoder_matches(void)
{
	const char *path = t_path("enc.accord");
	struct store *st = setup(path);
	sqlite3 *db;
	sqlite3_stmt *s;
	char *cause = NULL;
	int rows = 0;

	if (st == NULL)
		return;
	T_EQ_INT(t_x(path,
	    "INSERT INTO labels (item, labeler, class, guideline, "
	    "created_at, origin, recorded_by) VALUES "
	    "(1, 'x,y;z:1', 2, 1, 'now', 'import', 'root'),"
	    "(1, 'zo\xc3\xab', 3, 1, 'now', 'import', 'root'),"
	    "(2, 'x,y;z:1', 1, 1, 'now', 'import', 'root'),"
	    "(1, 'x,y;z:1', NULL, 1, 'now', 'import', 'root')"), SQLITE_OK);
	if (store_check(st, &cause) != 0) {
		T_FAIL("store_check: %s", cause);
		free(cause);
		cause = NULL;
	}
	T_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
	T_EQ_INT(sqlite3_prepare_v2(db, "SELECT i.rows, (SELECT count(*) FROM "
	    "labels l WHERE l.item = i.item) FROM item_labels i ORDER BY "
	    "i.item", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(s, 0);
		struct label_entry e = { 0 };
		int n = 0;

		while (label_unpack(&p, &e) > 0) {
			char *sql = xasprintf("SELECT count(*) FROM labels "
			    "WHERE id = %lld AND coalesce(class, 0) = %lld AND "
			    "guideline = %lld AND labeler = '%.*s'", e.id,
			    e.class_id, e.guideline, (int)e.labeler_len,
			    e.labeler);

			T_EQ_INT(t_q(path, sql), 1);
			free(sql);
			n++;
		}
		T_EQ_INT(*p, '\0');
		T_EQ_INT(n, sqlite3_column_int(s, 1));
		rows += n;
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	T_EQ_INT(rows, 4);
	/* A value the C encoder would not write is what check reports. */
	T_EQ_INT(t_x(path, "DROP TRIGGER item_labels_label; INSERT INTO labels "
	    "(item, labeler, class, guideline, created_at, origin, "
	    "recorded_by) VALUES (3, 'bin', 1, 1, 'now', 'import', 'root')"),
	    SQLITE_OK);
	T_CHECK(store_check(st, &cause) != 0);
	T_CHECK(cause != NULL && strstr(cause, "item 3") != NULL);
	free(cause);
	store_close(st);
}

static void
count_bad(void *arg, const char *where, const char *msg)
{
	(void)where;
	(void)msg;
	(*(int *)arg)++;
}

/* The class label_mine says user has in force on item (0: none). */
static int
mine(struct store *st, const char *user, long long item)
{
	char *cause = NULL, *note = NULL;
	int cls = -1;

	if (label_mine(st, user, item, &cls, &note, &cause) != 0) {
		T_FAIL("label_mine: %s", cause);
		free(cause);
	}
	free(note);
	return cls;
}

/*
 * The newest row is in force; a withdrawal leaves none; each row
 * supersedes the pair's newest, whichever writer (screen or import)
 * wrote it; the view, item_labelers and label_mine agree throughout.
 */
static void
t_in_force_rule(void)
{
	const char *path = t_path("force.accord");
	const char *csv = t_path("force.csv");
	struct store *st = setup(path);
	char *cause = NULL;
	long long id1 = 0, id2 = 0, item = 0, *items = NULL;
	int n = 0, nbad = 0;
	FILE *f;

	if (st == NULL)
		return;
	T_EQ_INT(label_put(st, A, 1, 1, "first", 2.0, &id1, &cause), 0);
	T_EQ_INT(label_put(st, A, 1, 2, NULL, -1, &id2, &cause), 0);
	T_EQ_INT(label_put(st, B, 1, 3, NULL, -1, NULL, &cause), 0);
	T_EQ_INT(label_put(st, A, 2, 3, NULL, -1, NULL, &cause), 0);
	T_EQ_INT(mine(st, A, 1), 2);
	T_EQ_INT(t_q(path, "SELECT supersedes FROM labels WHERE id = 2"), id1);
	T_EQ_INT(t_q(path, "SELECT count(*) FROM labels WHERE supersedes IS "
	    "NOT NULL"), 1);
	T_EQ_INT(t_q(path, "SELECT count(*) FROM current_labels"), 3);
	T_EQ_INT(t_q(path,
	    "SELECT class FROM current_labels WHERE item = 1 AND "
	    "labeler = '" A "'"), 2);
	T_EQ_INT(t_q(path, "SELECT n FROM item_labelers WHERE item = 1"), 2);
	/* History: by A's newest row, oldest first. */
	T_EQ_INT(label_history(st, A, &items, &n, &cause), 0);
	T_EQ_INT(n, 2);
	if (n == 2) {
		T_EQ_INT(items[0], 1);
		T_EQ_INT(items[1], 2);
	}
	free(items);
	/* Only the newest one, and more than there are: the same order. */
	T_EQ_INT(label_history_recent(st, A, 1, &items, &n, &cause), 0);
	T_EQ_INT(n, 1);
	if (n == 1)
		T_EQ_INT(items[0], 2);
	free(items);
	T_EQ_INT(label_history_recent(st, A, 5, &items, &n, &cause), 0);
	T_EQ_INT(n, 2);
	if (n == 2)
		T_EQ_INT(items[0] * 10 + items[1], 12);
	free(items);
	/* Undo withdraws A's newest label in force, then the one before. */
	T_EQ_INT(label_undo(st, A, &item, &cause), 0);
	T_EQ_INT(item, 2);
	T_EQ_INT(mine(st, A, 2), 0);
	T_EQ_INT(label_undo(st, A, &item, &cause), 0);
	T_EQ_INT(item, 1);
	T_EQ_INT(mine(st, A, 1), 0);
	T_EQ_INT(label_undo(st, A, &item, &cause), 0);
	T_EQ_INT(item, 0);
	T_EQ_INT(t_q(path, "SELECT supersedes FROM labels WHERE labeler = '" A
	    "' AND item = 1 ORDER BY id DESC LIMIT 1"), id2);
	T_EQ_INT(t_q(path, "SELECT n FROM item_labelers WHERE item = 1"), 1);
	T_EQ_INT(t_q(path, "SELECT count(*) FROM current_labels"), 1);
	/* Nothing in force: nothing to withdraw. */
	T_CHECK(label_put(st, A, 1, 0, NULL, -1, NULL, &cause) != 0);
	T_CHECK(cause != NULL && strstr(cause, "no label on item 1") != NULL);
	free(cause);
	cause = NULL;
	T_EQ_INT(t_q(path, "SELECT count(*) FROM labels"), 6);
	/* An imported label supersedes the screen's row the same way. */
	f = fopen(csv, "w");
	if (f == NULL) {
		T_FAIL("fopen");
		store_close(st);
		return;
	}
	fprintf(f, "sha256,labeler,class\n%064d,%s,ok\n", 1, B);
	fclose(f);
	T_EQ_INT(labels_import(st, csv, "root", count_bad, &nbad, NULL,
	    &cause), 1);
	T_EQ_INT(t_q(path, "SELECT supersedes FROM labels ORDER BY id DESC "
	    "LIMIT 1"), 3);
	T_EQ_INT(mine(st, B, 1), 1);
	T_EQ_INT(t_q(path, "SELECT n FROM item_labelers WHERE item = 1"), 1);
	/* Several rows to a statement: each supersedes its own pair's newest
	 * row (B's import on item 1), or nothing (a pair's first). */
	f = fopen(csv, "w");
	if (f == NULL) {
		T_FAIL("fopen");
		store_close(st);
		return;
	}
	fprintf(f, "sha256,labeler,class\n%064d,%s,ok\n%064d,%s,ok\n"
	    "%064d,%s,ok\n", 1, B, 2, B, 1, A);
	fclose(f);
	T_EQ_INT(labels_import(st, csv, "root", count_bad, &nbad, NULL,
	    &cause), 3);
	T_EQ_INT(t_q(path, "SELECT count(*) FROM labels l WHERE l.id > 7 AND "
	    "l.supersedes IS (SELECT max(m.id) FROM labels m WHERE m.item = "
	    "l.item AND m.labeler = l.labeler AND m.id < l.id)"), 3);
	T_EQ_INT(t_q(path, "SELECT supersedes FROM labels WHERE labeler = '" B
	    "' AND item = 1 ORDER BY id DESC LIMIT 1"), 7);
	T_EQ_INT(t_q(path, "SELECT n FROM item_labelers WHERE item = 1"), 2);
	if (store_check(st, &cause) != 0) {
		T_FAIL("store_check: %s", cause);
		free(cause);
	}
	store_close(st);
}

/*
 * A store whose items index cannot be read fails the import with the
 * store's error; it used to read as "no item with sha256" on a bad row.
 */
static void
t_unreadable_store_is_an_error(void)
{
	const char *path = t_path("broken.accord");
	const char *csv = t_path("broken.csv");
	struct store *st = setup(path);
	char *cause = NULL;
	long long root, size;
	char junk[512];
	int fd, nbad = 0, reported = 0;
	FILE *f;

	if (st == NULL)
		return;
	store_close(st);
	root = t_q(path, "SELECT rootpage FROM sqlite_master WHERE name = "
	    "'sqlite_autoindex_items_1'");
	size = t_q(path, "PRAGMA page_size");
	T_CHECK(root > 1 && size >= 512);
	memset(junk, 0xee, sizeof junk);
	fd = open(path, O_WRONLY);
	T_CHECK(fd >= 0 && pwrite(fd, junk, sizeof junk, (root - 1) * size) ==
	    (ssize_t)sizeof junk);
	if (fd >= 0)
		close(fd);
	f = fopen(csv, "w");
	if (f == NULL) {
		T_FAIL("fopen");
		return;
	}
	fprintf(f, "sha256,labeler,class\n%064d,%s,ok\n", 1, A);
	fclose(f);
	if (store_open(path, &st, &cause) != 0) {
		T_FAIL("store_open: %s", cause);
		free(cause);
		return;
	}
	T_EQ_INT(labels_import(st, csv, "root", count_bad, &reported, &nbad,
	    &cause), -1);
	T_CHECK(cause != NULL && strstr(cause, "cannot read items") != NULL);
	if (cause != NULL && strstr(cause, "cannot read items") == NULL)
		T_FAIL("cause: %s", cause);
	T_EQ_INT(reported, 0);
	free(cause);
	store_close(st);
}

/* labels_each's view of row id, into *out (malloc'd; NULL for none). */
struct view_of {
	long long id;
	char *view;
	int seen;
};

static int
view_row(void *arg, const struct label_row *r)
{
	struct view_of *v = arg;

	if (r->id == v->id) {
		v->view = r->view != NULL ? xstrdup(r->view) : NULL;
		v->seen = 1;
	}
	return 0;
}

/*
 * What the labeler saw goes with the row: label_put_view stores the view
 * text as given, NULL and "" store NULL (fitted, unadjusted), a view of
 * two lines is refused with nothing written, and labels_each gives it
 * back; the row still supersedes as any other.
 */
static void
t_view_is_stored_with_the_label(void)
{
	const char *path = t_path("view.accord");
	struct store *st = setup(path);
	struct view_of v = { 0, NULL, 0 };
	char *cause = NULL;
	long long id1 = 0, id2 = 0, id3 = 0;

	if (st == NULL)
		return;
	T_EQ_INT(label_put_view(st, A, 1, 1, NULL, 3.0,
	    "zoom=3 region=1,4,31,24 contrast=1.19", &id1, &cause), 0);
	T_EQ_INT(label_put_view(st, A, 1, 2, NULL, 1.0, "", &id2, &cause), 0);
	T_EQ_INT(label_put(st, A, 2, 2, NULL, 1.0, &id3, &cause), 0);
	T_EQ_INT(t_q(path, "SELECT count(*) FROM labels WHERE view = "
	    "'zoom=3 region=1,4,31,24 contrast=1.19'"), 1);
	T_EQ_INT(t_q(path, "SELECT count(*) FROM labels WHERE view IS NULL"),
	    2);
	T_EQ_INT(t_q(path, "SELECT supersedes FROM labels WHERE id = 2"), id1);
	T_EQ_INT(label_put_view(st, A, 3, 1, NULL, 1.0, "zoom=3\nlevels=auto",
	    NULL, &cause), -1);
	T_CHECK(cause != NULL && strstr(cause, "view") != NULL);
	free(cause);
	cause = NULL;
	T_EQ_INT(t_q(path, "SELECT count(*) FROM labels WHERE item = 3"), 0);
	v.id = id1;
	T_EQ_INT(labels_each(st, "root", view_row, &v, &cause), 0);
	T_CHECK(v.seen && v.view != NULL &&
	    strcmp(v.view, "zoom=3 region=1,4,31,24 contrast=1.19") == 0);
	free(v.view);
	v.id = id2;
	v.seen = 0;
	v.view = NULL;
	T_EQ_INT(labels_each(st, "root", view_row, &v, &cause), 0);
	T_CHECK(v.seen && v.view == NULL);
	free(cause);
	store_close(st);
}

int
main(void)
{
	if (t_mkdtemp(t_dir, sizeof t_dir, "label") == NULL) {
		perror("mkdtemp");
		return 1;
	}
	T_RUN(t_pack_round_trip);
	T_RUN(t_unpack_refuses_damage);
	T_RUN(t_stream_rule);
	T_RUN(t_sql_encoder_matches);
	T_RUN(t_in_force_rule);
	T_RUN(t_view_is_stored_with_the_label);
	T_RUN(t_unreadable_store_is_an_error);
	if (t_rmtree(t_dir) != 0)
		perror(t_dir);
	return t_done();
}
