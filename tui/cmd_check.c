/* cmd_check.c: accord check: is the store intact, are the files (or the
 * copies the store keeps) unchanged. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/check.h"
#include "accord/json.h"
#include "cmd.h"

static int cmd_check_run(struct cmd_args *);

static const struct cmd_opt options[] = {
	{ "json", NULL, 0, "one JSON object instead (see docs/guide.md)" },
	{ NULL, NULL, 0, NULL },
};

const struct cmd_entry cmd_check_entry = {
	.name = "check",
	.summary = "check the store's integrity and re-hash every item's file",
	.usage =
"usage: accord check DB [--json]\n"
"\n"
"Runs SQLite's PRAGMA integrity_check on the store and rebuilds the labels\n"
"packed per item (item_labels) from the label rows to compare them, then\n"
"reads every file the items were imported from and compares its SHA-256\n"
"with the one recorded at import.  An item is intact when one of its\n"
"paths holds its content.  For each item that is not, every path it was\n"
"seen at is listed, one line each:\n"
"  missing     PATH (item N)          no file there: moved or deleted\n"
"  changed     PATH (item N)          a file with other content\n"
"  unreadable  PATH (item N): ERROR   permission or I/O error, or not a\n"
"                                      regular file (a FIFO, device, directory)\n"
"An item whose bytes the store keeps (import --store-media) is checked\n"
"by that copy instead, read a chunk at a time, and is listed once if it\n"
"does not hash right:\n"
"  damaged     PATH (item N): WHY     the store's copy is not the content\n"
"then a summary line.  The store is not changed.  Needs the sme or admin\n"
"role.\n",
	.opts = options,
	.usage_end =
"Exit status: 0 the store is intact and every item's file hashes right;\n"
"1 problems were found (or the check could not run); 2 usage error.\n",
	.run = cmd_check_run,
};

/*
 * With --json the problems are written as they come, as one array, and
 * spooled to an unnamed file in TMPDIR past CHECK_SPOOL bytes: a store
 * whose million items all have a problem took 296 MB held twice.
 */
#define CHECK_SPOOL 65536

struct out {
	int json;
	struct buf b;
	struct json j;
	FILE *spool;		/* NULL until the first spill */
	int spool_failed;
	int lost;		/* the spool failed and could not be undone */
};

/* Move what b holds to the spool file; on failure it stays in memory. */
static void
spill(struct out *o)
{
	const char *dir = getenv("TMPDIR");
	long at;
	int fd;

	if (o->spool == NULL && !o->spool_failed) {
		fd = open(dir != NULL && *dir != '\0' ? dir : "/tmp",
		    O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (fd < 0 || (o->spool = fdopen(fd, "w+")) == NULL) {
			if (fd >= 0)
				close(fd);
			o->spool_failed = 1;
		}
	}
	if (o->spool == NULL)
		return;
	at = ftell(o->spool);
	if (fwrite(o->b.s, 1, o->b.len, o->spool) != o->b.len ||
	    fflush(o->spool) != 0) {
		/* Disk full, say: keep the rest in memory, and only once. */
		if (at < 0 || ftruncate(fileno(o->spool), at) != 0 ||
		    fseek(o->spool, at, SEEK_SET) != 0) {
			fclose(o->spool);
			o->spool = NULL;
			o->lost = 1;	/* said by cmd_check_run */
		}
		o->spool_failed = 1;
		return;
	}
	o->b.len = 0;
	o->b.s[0] = '\0';
}

static void
on_problem(void *arg, const struct check_problem *p)
{
	struct out *o = arg;

	if (o->json) {
		json_object_begin(&o->j);
		json_key(&o->j, "item");
		json_int(&o->j, p->item);
		json_key(&o->j, "path");
		json_string(&o->j, p->path);
		json_key(&o->j, "state");
		json_string(&o->j, check_state_name(p->state));
		json_key(&o->j, "sha256");
		json_string(&o->j, p->sha256);
		if (p->state == CHECK_CHANGED) {
			json_key(&o->j, "found_sha256");
			json_string(&o->j, p->found);
		}
		if (p->state == CHECK_UNREADABLE ||
		    p->state == CHECK_DAMAGED) {
			json_key(&o->j, "error");
			json_string(&o->j, p->found);
		}
		json_object_end(&o->j);
		if (o->b.len > CHECK_SPOOL && !o->spool_failed)
			spill(o);
		return;
	}
	printf("%-11s ", check_state_name(p->state));
	cmd_print_safe(stdout, p->path);
	printf(" (item %lld)", p->item);
	if (p->state == CHECK_UNREADABLE || p->state == CHECK_DAMAGED) {
		fputs(": ", stdout);
		cmd_print_safe(stdout, p->found);
	}
	fputc('\n', stdout);
}

/* The summary as one object, the problems o gathered under "problems". */
static void
print_json(const struct check_result *res, int bad, struct out *o)
{
	struct buf b = { 0 };
	struct json j;
	size_t at;

	json_array_end(&o->j);
	json_start(&j, &b);
	json_object_begin(&j);
	json_key(&j, "ok");
	json_bool(&j, !bad);
	cmd_json_str(&j, "integrity", res->integrity_ok ? "ok" :
	    res->integrity);
	cmd_json_int(&j, "items", res->items);
	cmd_json_int(&j, "items_ok", res->items_ok);
	cmd_json_int(&j, "items_bad", res->items_bad);
	cmd_json_int(&j, "paths", res->paths);
	cmd_json_int(&j, "missing", res->missing);
	cmd_json_int(&j, "changed", res->changed);
	cmd_json_int(&j, "unreadable", res->unreadable);
	cmd_json_int(&j, "stored", res->stored);
	cmd_json_int(&j, "damaged", res->damaged);
	cmd_json_int(&j, "bytes_hashed", res->bytes_hashed);
	json_key(&j, "problems");
	json_raw(&j, "");
	at = b.len;
	json_object_end(&j);
	/* The summary, the spooled problems and the rest of them, the end. */
	fwrite(b.s, 1, at, stdout);
	if (o->spool != NULL) {
		char chunk[65536];
		size_t n;

		rewind(o->spool);
		while ((n = fread(chunk, 1, sizeof chunk, o->spool)) > 0)
			fwrite(chunk, 1, n, stdout);
	}
	fputs(o->b.s, stdout);
	fputs(b.s + at, stdout);
	fputc('\n', stdout);
	buf_free(&b);
}

static void
print_text(const struct check_result *res, int bad)
{
	if (!res->integrity_ok) {
		fputs("integrity   ", stdout);
		cmd_print_safe(stdout, res->integrity);
		fputc('\n', stdout);
	}
	printf("%s: store %s; %lld items, %lld intact, %lld with problems "
	    "(%lld missing, %lld changed, %lld unreadable paths",
	    bad ? "problems" : "ok", res->integrity_ok ? "intact" : "DAMAGED",
	    res->items, res->items_ok, res->items_bad, res->missing,
	    res->changed, res->unreadable);
	/* Only projects that keep media in the store say so. */
	if (res->stored > 0)
		printf("; %lld kept in the store, %lld damaged", res->stored,
		    res->damaged);
	printf(")\n");
}

static int
cmd_check_run(struct cmd_args *a)
{
	struct check_result res;
	struct out o;
	struct store *st;
	const char *user, *db = a->argv[0];
	char *cause = NULL;
	int bad;

	if (a->argc != 1)
		return cmd_usage(a->entry, "want one DB");
	if ((user = cmd_user()) == NULL)
		return EXIT_FAIL;
	if ((st = cmd_open(db)) == NULL)
		return EXIT_FAIL;
	memset(&o, 0, sizeof o);
	o.json = cmd_args_has(a, "json");
	json_start(&o.j, &o.b);
	json_array_begin(&o.j);
	if (check_project(st, user, on_problem, &o, &res, &cause) != 0) {
		buf_free(&o.b);
		if (o.spool != NULL)
			fclose(o.spool);
		store_close(st);
		return cmd_fail_cause(db, cause);
	}
	store_close(st);
	bad = !res.integrity_ok || res.items_bad > 0;
	if (o.lost) {
		buf_free(&o.b);
		check_result_free(&res);
		return cmd_fail(NULL, "cannot keep the list of problems in a "
		    "file in %s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	}
	if (o.json)
		print_json(&res, bad, &o);
	else
		print_text(&res, bad);
	buf_free(&o.b);
	if (o.spool != NULL)
		fclose(o.spool);
	check_result_free(&res);
	return bad ? EXIT_FAIL : 0;
}
