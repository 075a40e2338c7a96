/* cmd_check.c: accord check: is the store intact, are the files unchanged. */
#include <stdlib.h>
#include <string.h>

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
"  unreadable  PATH (item N): ERROR   permission or I/O error\n"
"then a summary line.  The store is not changed.  Needs the sme or admin\n"
"role.\n",
	.opts = options,
	.usage_end =
"Exit status: 0 the store is intact and every item's file hashes right;\n"
"1 problems were found (or the check could not run); 2 usage error.\n",
	.run = cmd_check_run,
};

/* With --json the problems are written as they come, as one array. */
struct out {
	int json;
	struct buf b;
	struct json j;
};

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
		if (p->state == CHECK_UNREADABLE) {
			json_key(&o->j, "error");
			json_string(&o->j, p->found);
		}
		json_object_end(&o->j);
		return;
	}
	printf("%-11s ", check_state_name(p->state));
	cmd_print_safe(stdout, p->path);
	printf(" (item %lld)", p->item);
	if (p->state == CHECK_UNREADABLE) {
		fputs(": ", stdout);
		cmd_print_safe(stdout, p->found);
	}
	fputc('\n', stdout);
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
		store_close(st);
		return cmd_fail_cause(db, cause);
	}
	store_close(st);
	bad = !res.integrity_ok || res.items_bad > 0;
	if (o.json) {
		struct buf b = { 0 };
		struct json j;

		json_array_end(&o.j);
		json_start(&j, &b);
		json_object_begin(&j);
		json_key(&j, "ok");
		json_bool(&j, !bad);
		json_key(&j, "integrity");
		json_string(&j, res.integrity_ok ? "ok" : res.integrity);
		json_key(&j, "items");
		json_int(&j, res.items);
		json_key(&j, "items_ok");
		json_int(&j, res.items_ok);
		json_key(&j, "items_bad");
		json_int(&j, res.items_bad);
		json_key(&j, "paths");
		json_int(&j, res.paths);
		json_key(&j, "missing");
		json_int(&j, res.missing);
		json_key(&j, "changed");
		json_int(&j, res.changed);
		json_key(&j, "unreadable");
		json_int(&j, res.unreadable);
		json_key(&j, "bytes_hashed");
		json_int(&j, res.bytes_hashed);
		json_key(&j, "problems");
		json_raw(&j, o.b.s);
		json_object_end(&j);
		buf_add(&b, "\n", 1);
		fputs(b.s, stdout);
		buf_free(&b);
	} else {
		if (!res.integrity_ok) {
			fputs("integrity   ", stdout);
			cmd_print_safe(stdout, res.integrity);
			fputc('\n', stdout);
		}
		printf("%s: store %s; %lld items, %lld intact, %lld with "
		    "problems (%lld missing, %lld changed, %lld unreadable "
		    "paths)\n", bad ? "problems" : "ok",
		    res.integrity_ok ? "intact" : "DAMAGED", res.items,
		    res.items_ok, res.items_bad, res.missing, res.changed,
		    res.unreadable);
	}
	buf_free(&o.b);
	check_result_free(&res);
	return bad ? EXIT_FAIL : 0;
}
