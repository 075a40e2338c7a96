/*
 * test_store.c: the store's schema and migrations, refusal to overwrite,
 * foreign keys, append-only history, project init, roles and audit rows,
 * and the writers' queue (core/store_wq.c): a writer waits its turn in
 * the kernel and goes on when the holder lets go, and a holder that never
 * lets go holds nobody up past the busy limit.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accord/project.h"
#include "accord/store.h"
#include "accord/util.h"
#include "t.h"
#include "t_store.h"
#include "../../core/schema_pg.h"

static int
init_project(const char *path, const char *classes, const char *borderline,
    int ordinal, char **cause)
{
	struct project_spec spec = { .task = "defects", .media = MEDIA_KIND_IMAGE,
	    .classes = classes, .borderline = borderline, .ordinal = ordinal,
	    .overlap = 3 };

	return project_init(path, &spec, "root", cause);
}

static void
t_create_sets_up_schema(void)
{
	const char *p = t_path("a.accord");
	struct store *st;
	char *cause = NULL;

	T_CHECK(store_create(p, STORE_SCHEMA_VERSION, &st, &cause) == 0);
	if (st == NULL)
		return;
	T_EQ_INT(store_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
	T_EQ_INT(t_q(p, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	T_EQ_INT(t_q(p, "PRAGMA application_id"), 0x41435244);
	T_EQ_INT(t_q(p, "SELECT count(*) FROM sqlite_master WHERE name IN "
	    "('items', 'labels', 'members', 'guidelines', 'audit', 'leases', "
	    "'gold', 'adjudications', 'comments', 'predictions', 'tags')"), 11);
	T_EQ_INT(t_q(p,
	    "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
}

static void
t_create_refuses_existing_file(void)
{
	const char *p = t_path("exists.accord");
	struct store *st = NULL;
	char *cause = NULL;
	FILE *f = fopen(p, "w");

	fputs("precious", f);
	fclose(f);
	T_CHECK(store_create(p, STORE_SCHEMA_VERSION, &st, &cause) == -1);
	T_CHECK(cause != NULL && strstr(cause, "already exists") != NULL);
	free(cause);
	cause = NULL;
	T_CHECK(init_project(p, "ok,bad", NULL, 0, &cause) == -1);
	free(cause);
	f = fopen(p, "r");
	{
		char b[16] = { 0 };

		T_CHECK(fread(b, 1, sizeof b - 1, f) == 8);
		T_EQ_STR(b, "precious");
	}
	fclose(f);
}

static void
t_migrates_v1_store_keeping_rows(void)
{
	const char *p = t_path("old.accord");
	struct store *st;
	char *cause = NULL;

	T_CHECK(store_create(p, 1, &st, &cause) == 0);
	store_close(st);
	T_EQ_INT(t_q(p, "PRAGMA user_version"), 1);
	T_EQ_INT(t_q(p,
	    "SELECT count(*) FROM sqlite_master WHERE name = 'gold'"), 0);
	T_EQ_INT(t_x(p,
	    "INSERT INTO settings (key, value, set_by, set_at) VALUES "
	    "('task', 't', 'root', 'now'), ('media', 'image', 'root', 'now'), "
	    "('overlap', '2', 'root', 'now'), ('ordinal', '0', 'root', 'now');"
	    "INSERT INTO guidelines VALUES (1, 'g', 'root', 'now', 'r');"
	    "INSERT INTO classes (name, key, position) VALUES ('a', '1', 0), "
	    "('b', '2', 1);"
	    "INSERT INTO batches (name, created_by, created_at) VALUES "
	    "('b1', 'root', 'now');"
	    "INSERT INTO items (sha256, path, kind, format, bytes, batch, "
	    "imported_by, imported_at) VALUES (printf('%064d', 1), '/x.png', "
	    "'image', 'png', 10, 1, 'root', 'now');"
	    "INSERT INTO labels (item, labeler, class, guideline, created_at, "
	    "origin, recorded_by) VALUES (1, 'ann', 1, 1, 'now', 'import', "
	    "'root');"), SQLITE_OK);
	T_CHECK(store_open(p, &st, &cause) == 0);
	if (st == NULL)
		return;
	T_EQ_INT(store_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
	T_EQ_INT(t_q(p,
	    "SELECT count(*) FROM sqlite_master WHERE name = 'gold'"), 1);
	T_EQ_INT(t_q(p, "SELECT count(*) FROM current_labels"), 1);
	T_EQ_INT(t_q(p, "SELECT count(*) FROM items"), 1);
	/* v3 counted the label in force, and the trigger keeps counting:
	 * a withdrawal, a new label, a second labeler, a relabel. */
	T_EQ_INT(t_q(p, "SELECT n FROM item_labelers WHERE item = 1"), 1);
	T_EQ_INT(t_x(p, "INSERT INTO labels (item, labeler, class, guideline, "
	    "created_at, origin, recorded_by) VALUES (1, 'ann', NULL, 1, 'now', "
	    "'screen', 'ann')"), SQLITE_OK);
	T_EQ_INT(t_q(p, "SELECT n FROM item_labelers WHERE item = 1"), 0);
	T_EQ_INT(t_x(p, "INSERT INTO labels (item, labeler, class, guideline, "
	    "created_at, origin, recorded_by) VALUES (1, 'ann', 2, 1, 'now', "
	    "'screen', 'ann'), (1, 'bob', 1, 1, 'now', 'screen', 'bob'), "
	    "(1, 'bob', 2, 1, 'now', 'screen', 'bob')"), SQLITE_OK);
	T_EQ_INT(t_q(p, "SELECT n FROM item_labelers WHERE item = 1"), 2);
	T_EQ_INT(t_q(p, "SELECT n FROM item_labelers WHERE item = 1"),
	    t_q(p, "SELECT count(*) FROM current_labels WHERE item = 1"));
	/*
	 * v4 packed the label the store had (id 1), and the trigger appends
	 * every new row in id order, a withdrawal with an empty class.
	 */
	T_EQ_INT(t_q(p, "SELECT rows = '1,1,1,3:ann;2,,1,3:ann;3,2,1,3:ann;"
	    "4,1,1,3:bob;5,2,1,3:bob;' FROM item_labels WHERE item = 1"), 1);
	T_EQ_INT(t_q(p, "SELECT count(*) FROM item_labels"), 1);
}

static void
t_refuses_newer_and_foreign_files(void)
{
	const char *p = t_path("new.accord"), *o = t_path("other.db");
	const char *t = t_path("text.accord");
	struct store *st = NULL;
	char *cause = NULL;
	FILE *f;

	T_CHECK(store_create(p, STORE_SCHEMA_VERSION, &st, &cause) == 0);
	store_close(st);
	T_EQ_INT(t_x(p, "PRAGMA user_version = 99"), SQLITE_OK);
	T_CHECK(store_open(p, &st, &cause) == -1);
	T_CHECK(cause != NULL && strstr(cause, "newer") != NULL);
	free(cause);
	cause = NULL;
	T_EQ_INT(t_x(o, "CREATE TABLE t (a)"), SQLITE_OK);
	T_CHECK(store_open(o, &st, &cause) == -1);
	T_CHECK(cause != NULL && strstr(cause, "not an accord") != NULL);
	free(cause);
	cause = NULL;
	f = fopen(t, "w");
	fputs("this is not a database at all, just some text\n", f);
	fclose(f);
	T_CHECK(store_open(t, &st, &cause) == -1);
	T_CHECK(cause != NULL && strstr(cause, "not an accord") != NULL);
	free(cause);
	cause = NULL;
	T_CHECK(store_open(t_path("missing.accord"), &st, &cause) == -1);
	free(cause);
}

static void
t_foreign_keys_and_append_only(void)
{
	const char *p = t_path("fk.accord");
	char *cause = NULL;

	T_CHECK(init_project(p, "ok,bad", NULL, 0, &cause) == 0);
	/* No item 42: the label must be refused. */
	T_CHECK(t_x(p, "INSERT INTO labels (item, labeler, class, guideline, "
	    "created_at, origin, recorded_by) VALUES (42, 'a', 1, 1, 'now', "
	    "'screen', 'root')") != SQLITE_OK);
	T_CHECK(t_x(p, "UPDATE guidelines SET text = 'x'") != SQLITE_OK);
	T_CHECK(t_x(p, "DELETE FROM audit") != SQLITE_OK);
	T_CHECK(t_x(p, "UPDATE members SET role = 'labeler'") != SQLITE_OK);
	T_EQ_INT(t_q(p, "SELECT count(*) FROM audit WHERE action = 'init'"), 1);
}

static void
t_init_classes_keys_and_borderline(void)
{
	const char *p = t_path("cls.accord");
	struct store *st;
	struct project pr;
	char *cause = NULL;

	T_CHECK(init_project(p, "ok,scratch:x,dent", "unsure", 0, &cause) == 0);
	T_CHECK(store_open(p, &st, &cause) == 0);
	if (st == NULL)
		return;
	T_CHECK(project_load(st, &pr, &cause) == 0);
	T_EQ_INT(pr.nclasses, 4);
	if (pr.nclasses == 4) {
		T_EQ_STR(pr.classes[0].name, "ok");
		T_EQ_INT(pr.classes[0].key, '1');
		T_EQ_INT(pr.classes[1].key, 'x');
		T_EQ_INT(pr.classes[2].key, '2');
		T_EQ_STR(pr.classes[3].name, "unsure");
		T_EQ_INT(pr.classes[3].key, 'b');
		T_EQ_INT(pr.classes[3].borderline, 1);
	}
	T_EQ_INT(pr.overlap, 3);
	T_EQ_INT(pr.guideline, 1);
	project_free(&pr);
	store_close(st);
}

static void
t_init_rejects_bad_class_lists(void)
{
	static const struct {
		const char *classes, *borderline;
		int ordinal;
		const char *why;
	} bad[] = {
		{ "ok", NULL, 0, "at least two" },
		{ "ok,ok", NULL, 0, "twice" },
		{ "ok,bad:q", NULL, 0, "reserved" },
		{ "ok,bad:w", NULL, 0, "reserved" },
		{ "ok:1,bad:1", NULL, 0, "share key" },
		{ "ok,defect", "unsure", 1, "where it sits" },
		{ "unsure,ok,defect", "unsure", 1, "between" },
		{ "ok,,bad", NULL, 0, "bad class name" },
		{ "a b,c", NULL, 0, "bad class name" },
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *cause = NULL;
		const char *p = t_path("bad.accord");

		if (init_project(p, bad[i].classes, bad[i].borderline,
		    bad[i].ordinal, &cause) == 0)
			T_FAIL("%s accepted", bad[i].classes);
		else if (cause == NULL || strstr(cause, bad[i].why) == NULL)
			T_FAIL("%s: '%s' lacks '%s'", bad[i].classes,
			    cause ? cause : "", bad[i].why);
		/* A refused init leaves no file behind. */
		T_CHECK(access(p, F_OK) != 0);
		free(cause);
	}
}

static void
t_ordinal_borderline_sits_between(void)
{
	const char *p = t_path("ord.accord");
	struct store *st;
	struct project pr;
	char *cause = NULL;

	T_CHECK(init_project(p, "ok,unsure,defect", "unsure", 1, &cause) == 0);
	T_CHECK(store_open(p, &st, &cause) == 0);
	if (st == NULL)
		return;
	T_CHECK(project_load(st, &pr, &cause) == 0);
	T_EQ_INT(pr.ordinal, 1);
	T_EQ_STR(pr.classes[1].name, "unsure");
	T_EQ_INT(pr.classes[1].position, 1);
	T_EQ_INT(pr.classes[1].borderline, 1);
	T_EQ_INT(pr.classes[2].key, '2');
	project_free(&pr);
	store_close(st);
}

static void
t_guideline_sections_describe_classes(void)
{
	const char *text = "# Defects\n\nIntro.\n\n## ok\n\nNo mark at all.\n"
	    "\n## scratch\nA line, any length.\nEven faint.\n\n# Appendix\n"
	    "## dent\n";
	char *d;

	d = guideline_class_section(text, "ok");
	T_EQ_STR(d, "No mark at all.");
	free(d);
	d = guideline_class_section(text, "scratch");
	T_EQ_STR(d, "A line, any length.\nEven faint.");
	free(d);
	d = guideline_class_section(text, "dent");
	T_EQ_STR(d, "");
	free(d);
	T_CHECK(guideline_class_section(text, "missing") == NULL);
}

static void
t_roles_are_enforced_and_audited(void)
{
	const char *p = t_path("roles.accord");
	struct store *st;
	struct member *m;
	enum role r;
	char *cause = NULL;
	int n;

	T_CHECK(init_project(p, "ok,bad", NULL, 0, &cause) == 0);
	T_CHECK(store_open(p, &st, &cause) == 0);
	if (st == NULL)
		return;
	T_CHECK(project_role(st, "root", &r, &cause) == 0);
	T_EQ_INT(r, ROLE_ADMIN);
	/* Unknown OS user refused. */
	T_CHECK(member_set(st, "root", "no-such-user-xq", ROLE_LABELER,
	    &cause) == -1);
	T_CHECK(cause && strstr(cause, "no OS user") != NULL);
	free(cause);
	cause = NULL;
	T_CHECK(member_set(st, "root", "daemon", ROLE_LABELER, &cause) == 0);
	/* A labeler may not change members; the refusal is audited. */
	T_CHECK(member_set(st, "daemon", "nobody", ROLE_ADMIN, &cause) == -1);
	T_CHECK(cause && strstr(cause, "needs the admin role") != NULL);
	free(cause);
	cause = NULL;
	T_EQ_INT(t_q(p,
	    "SELECT count(*) FROM audit WHERE action = 'refused' AND "
	    "user = 'daemon'"), 1);
	T_EQ_INT(t_q(p, "SELECT count(*) FROM current_members WHERE user = "
	    "'nobody'"), 0);
	/* A non-member is refused too. */
	T_CHECK(project_require(st, "nobody", ROLE_LABELER, "labeling",
	    &cause) == -1);
	T_CHECK(cause && strstr(cause, "not a member") != NULL);
	free(cause);
	cause = NULL;
	/* Role change keeps history: two member rows for daemon. */
	T_CHECK(member_set(st, "root", "daemon", ROLE_SME, &cause) == 0);
	T_EQ_INT(t_q(p,
	    "SELECT count(*) FROM members WHERE user = 'daemon'"), 2);
	T_EQ_INT(t_q(p,
	    "SELECT count(*) FROM audit WHERE action = 'member role' "
	    "AND detail = 'daemon from labeler to sme'"), 1);
	/* The only admin cannot be removed or demoted. */
	T_CHECK(member_remove(st, "root", "root", &cause) == -1);
	T_CHECK(cause && strstr(cause, "only admin") != NULL);
	free(cause);
	cause = NULL;
	T_CHECK(member_set(st, "root", "root", ROLE_LABELER, &cause) == -1);
	free(cause);
	cause = NULL;
	T_CHECK(member_remove(st, "root", "daemon", &cause) == 0);
	T_CHECK(project_role(st, "daemon", &r, &cause) == 0);
	T_EQ_INT(r, ROLE_NONE);
	T_CHECK(member_list(st, "root", &m, &n, &cause) == 0);
	T_EQ_INT(n, 1);
	member_list_free(m, n);
	store_close(st);
}

/* --- the writers' queue ------------------------------------------------ */

struct second_writer {
	struct store *st;
	volatile int *first_done;	/* set by the first before it commits */
	int begun, saw_first_done, committed;
};

static void *
second_run(void *arg)
{
	struct second_writer *w = arg;
	char *cause = NULL;

	w->begun = store_begin(w->st, 1, &cause) == 0;
	w->saw_first_done = *w->first_done;
	if (w->begun)
		w->committed = store_commit(w->st, &cause) == 0;
	free(cause);
	return NULL;
}

/*
 * Lines of /proc/locks about the file at path: held flocks and ("->")
 * flocks waited for.
 */
static void
flocks_on(const char *path, int *held, int *waiting)
{
	struct stat sb;
	char line[256], want[64];
	FILE *f = fopen("/proc/locks", "r");

	*held = *waiting = 0;
	if (f == NULL || stat(path, &sb) != 0) {
		if (f != NULL)
			fclose(f);
		return;
	}
	snprintf(want, sizeof want, ":%lu ", (unsigned long)sb.st_ino);
	while (fgets(line, sizeof line, f) != NULL) {
		if (strstr(line, "FLOCK") == NULL || strstr(line, want) == NULL)
			continue;
		if (strstr(line, "->") != NULL)
			(*waiting)++;
		else
			(*held)++;
	}
	fclose(f);
}

/* Two connections: the second writer blocks in the queue (a waiter in
 * /proc/locks, not a poller) and begins only after the first commits. */
static void
t_writers_wait_in_the_queue(void)
{
	const char *p = t_path("wq.accord");
	struct store *a = NULL, *b = NULL;
	struct second_writer w = { 0 };
	volatile int first_done = 0;
	char *cause = NULL;
	pthread_t th;
	int held, waiting, i;

	T_CHECK(init_project(p, "ok,bad", NULL, 0, &cause) == 0);
	T_CHECK(store_open(p, &a, &cause) == 0);
	T_CHECK(store_open(p, &b, &cause) == 0);
	if (a == NULL || b == NULL)
		goto out;
	T_EQ_INT(store_begin(a, 1, &cause), 0);
	flocks_on(p, &held, &waiting);
	T_EQ_INT(held, 1);
	w.st = b;
	w.first_done = &first_done;
	if (pthread_create(&th, NULL, second_run, &w) != 0) {
		T_FAIL("pthread_create");
		goto out;
	}
	/* Up to 5 s for the second to be seen waiting in the kernel. */
	for (i = 0, waiting = 0; i < 500 && waiting == 0; i++) {
		usleep(10000);
		flocks_on(p, &held, &waiting);
	}
	T_EQ_INT(waiting, 1);
	T_EQ_INT(w.begun, 0);
	first_done = 1;
	T_EQ_INT(store_commit(a, &cause), 0);
	pthread_join(th, NULL);
	T_EQ_INT(w.begun, 1);
	T_EQ_INT(w.saw_first_done, 1);
	T_EQ_INT(w.committed, 1);
	flocks_on(p, &held, &waiting);
	T_EQ_INT(held + waiting, 0);
out:
	free(cause);
	store_close(a);
	store_close(b);
}

/*
 * Another process takes the queue's lock and never lets go (a writer
 * stopped between its COMMIT and letting go).  A writer here waits the
 * busy limit (10 s), then writes anyway: SQLite's lock is free, and its
 * next write does not wait for that holder again.  And with
 * SQLite's write lock held as well (stopped inside its transaction), the
 * writer fails "database is locked" after the same 10 s in all, not the
 * queue's wait and the busy handler's one after the other.
 */
static void
t_a_stuck_holder_stalls_nobody_for_ever(void)
{
	const char *p = t_path("wq2.accord");
	struct store *st = NULL;
	char *cause = NULL;
	int ready[2], status, fd, i;
	double t0, took;
	pid_t pid;
	char c;

	T_CHECK(init_project(p, "ok,bad", NULL, 0, &cause) == 0);
	T_CHECK(store_open(p, &st, &cause) == 0);
	if (st == NULL || pipe(ready) != 0)
		goto out;
	for (i = 0; i < 2; i++) {
		pid = fork();
		if (pid == 0) {
			sqlite3 *db = NULL;

			close(ready[0]);
			fd = open(p, O_RDONLY);
			if (fd < 0 || flock(fd, LOCK_EX) != 0)
				_exit(1);
			if (i == 1 && (sqlite3_open(p, &db) != SQLITE_OK ||
			    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL,
			    NULL) != SQLITE_OK))
				_exit(1);
			(void)write(ready[1], "r", 1);
			pause();
			_exit(0);
		}
		if (pid < 0) {
			T_FAIL("fork");
			goto out;
		}
		T_EQ_INT((int)read(ready[0], &c, 1), 1);
		t0 = acc_monotonic();
		if (i == 0) {
			T_EQ_INT(store_begin(st, 1, &cause), 0);
			T_EQ_INT(store_commit(st, &cause), 0);
			/* Held up once: the connection now writes without
			 * the queue, at once. */
			took = acc_monotonic();
			T_EQ_INT(store_begin(st, 1, &cause), 0);
			T_EQ_INT(store_commit(st, &cause), 0);
			T_CHECK(acc_monotonic() - took < 2.0);
		} else {
			T_EQ_INT(store_begin(st, 1, &cause), -1);
			T_CHECK(cause != NULL &&
			    strstr(cause, "locked") != NULL);
		}
		took = acc_monotonic() - t0;
		T_CHECK(took >= 9.5 && took < 14.0);
		if (!(took >= 9.5 && took < 14.0))
			fprintf(stderr, "# case %d took %.2f s\n", i, took);
		free(cause);
		cause = NULL;
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	close(ready[0]);
	close(ready[1]);
out:
	free(cause);
	store_close(st);
}

/*
 * Each PostgreSQL schema version names the SQLite version whose state it
 * holds: from SCHEMA_PG_SQLITE_VERSION, never falling, one step at most,
 * the newest STORE_SCHEMA_VERSION, and nothing for versions that do not
 * exist (store_version on PostgreSQL, and accord copy, rely on it).
 */
static void
t_pg_versions_name_their_sqlite_state(void)
{
	int v;

	T_EQ_INT(schema_pg_sqlite_version(1), SCHEMA_PG_SQLITE_VERSION);
	for (v = 2; v <= SCHEMA_PG_VERSION; v++) {
		int d = schema_pg_sqlite_version(v) -
		    schema_pg_sqlite_version(v - 1);

		T_CHECK(d == 0 || d == 1);
		T_CHECK(schema_pg_migration(v) != NULL);
	}
	T_EQ_INT(schema_pg_sqlite_version(SCHEMA_PG_VERSION),
	    STORE_SCHEMA_VERSION);
	T_EQ_INT(schema_pg_sqlite_version(0), -1);
	T_EQ_INT(schema_pg_sqlite_version(SCHEMA_PG_VERSION + 1), -1);
	T_CHECK(schema_pg_migration(SCHEMA_PG_VERSION + 1) == NULL);
}

int
main(void)
{
	if (t_mkdtemp(t_dir, sizeof t_dir, "unit") == NULL)
		return 2;
	T_RUN(t_create_sets_up_schema);
	T_RUN(t_create_refuses_existing_file);
	T_RUN(t_migrates_v1_store_keeping_rows);
	T_RUN(t_refuses_newer_and_foreign_files);
	T_RUN(t_foreign_keys_and_append_only);
	T_RUN(t_init_classes_keys_and_borderline);
	T_RUN(t_init_rejects_bad_class_lists);
	T_RUN(t_ordinal_borderline_sits_between);
	T_RUN(t_guideline_sections_describe_classes);
	T_RUN(t_roles_are_enforced_and_audited);
	T_RUN(t_writers_wait_in_the_queue);
	T_RUN(t_a_stuck_holder_stalls_nobody_for_ever);
	T_RUN(t_pg_versions_name_their_sqlite_state);
	if (t_rmtree(t_dir) != 0)
		perror(t_dir);
	return t_done();
}
