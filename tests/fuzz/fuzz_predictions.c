/*
 * fuzz_predictions.c: libFuzzer harness for the predictions reader of
 * `accord errors --predictions FILE` (errors_import): the same bytes as a
 * CSV file and as a JSON Lines file, imported into a real store with two
 * items, so the row checks (item by path, base name or sha256; class or
 * prediction; score) and the store writes run, not only the row parser.
 * Each import is a new run name; the store lives in a temporary directory
 * under $TMPDIR, or without it on /dev/shm when there is one (commits are
 * synced), else /tmp.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/errors.h"
#include "accord/project.h"
#include "accord/store.h"
#include "accord/util.h"

#include "fuzz.h"

static struct store *st;
static char dir[256];
static const char *user;
static unsigned long runs;

static void
on_error(void *arg, const char *where, const char *msg)
{
	/* Each bad row is reported with a place and a reason. */
	if (where == NULL || *where == '\0' || msg == NULL || *msg == '\0')
		abort();
	(*(int *)arg)++;
}

/* At exit (libFuzzer exits when its time is up): leave nothing behind. */
static void
cleanup(void)
{
	static const char *const names[] = { "p.accord", "p.accord-wal",
	    "p.accord-shm", "p.csv", "p.jsonl" };
	char path[320];
	size_t i;

	store_close(st);
	st = NULL;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void
setup(void)
{
	struct project_spec spec = { .task = "fuzz", .media = MEDIA_KIND_IMAGE,
	    .classes = "ok,scratch,dent", .overlap = 2 };
	const char *tmp = getenv("TMPDIR");
	char path[320], *cause = NULL;
	sqlite3 *db;

	if (tmp == NULL || *tmp == '\0')
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	if ((size_t)snprintf(dir, sizeof dir, "%s/accord-fuzz-pred.XXXXXX",
	    tmp) >= sizeof dir)
		abort();
	user = acc_os_user();
	if (mkdtemp(dir) == NULL || user == NULL)
		abort();
	snprintf(path, sizeof path, "%s/p.accord", dir);
	if (project_init(path, &spec, user, &cause) != 0)
		abort();
	/* Two items, as `accord import` would name them. */
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "INSERT INTO batches (name, created_by, "
	    "created_at) VALUES ('b', 'fuzz', 'now');"
	    "INSERT INTO items (sha256, path, kind, format, bytes, batch, "
	    "imported_by, imported_at) VALUES "
	    "(printf('%064d', 1), '/data/a.png', 'image', 'png', 1, 1, 'f', 'n'),"
	    "(printf('%064d', 2), '/data/b.png', 'image', 'png', 1, 1, 'f', 'n');",
	    NULL, NULL, NULL) != SQLITE_OK)
		abort();
	sqlite3_close(db);
	if (store_open(path, &st, &cause) != 0)
		abort();
	atexit(cleanup);
}

static void
import_as(const uint8_t *data, size_t len, const char *ext)
{
	struct errors_import_result out;
	char file[96], name[32], *cause = NULL;
	FILE *f;
	int reported = 0, rc;

	snprintf(file, sizeof file, "%s/p.%s", dir, ext);
	if ((f = fopen(file, "wb")) == NULL)
		abort();
	if (len > 0 && fwrite(data, 1, len, f) != len)
		abort();
	fclose(f);
	snprintf(name, sizeof name, "run%lu", ++runs);
	memset(&out, 0, sizeof out);
	rc = errors_import(st, file, name, user, on_error, &reported, &out,
	    &cause);
	if (rc == 0) {
		/* A stored run has a name and at least one good row; every
		 * skipped row was reported. */
		if (out.run == NULL || out.rows < 1 || out.bad != reported)
			abort();
		free(out.run);
	}
	fuzz_check_result(rc, cause);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (st == NULL)
		setup();
	import_as(data, len, "csv");
	import_as(data, len, "jsonl");
	return 0;
}
