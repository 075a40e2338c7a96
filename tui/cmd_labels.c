/* cmd_labels.c: accord labels import|dump. */
#include <stdlib.h>
#include <string.h>

#include "accord/json.h"
#include "accord/labels.h"
#include "cmd.h"

static int cmd_labels_run(struct cmd_args *);

static const struct cmd_opt options[] = {
	{ "json", NULL, 0, "dump prints JSON Lines" },
	{ NULL, NULL, 0, NULL },
};

const struct cmd_entry cmd_labels_entry = {
	.name = "labels",
	.summary = "import existing labels, or dump every label row",
	.usage =
"usage: accord labels import DB FILE\n"
"       accord labels dump DB [--json]\n"
"\n"
"import (admins only) reads labels from CSV or JSON Lines (.jsonl):\n"
"  file       item path (relative to FILE, or absolute), a base name that\n"
"             names one item, or its sha256 (or use a sha256 column)\n"
"  labeler    who labeled it (need not be an OS user)\n"
"  class      a class name of the project\n"
"  seconds    time spent (optional)\n"
"  note       free text (optional)\n"
"  guideline  guideline version in force (optional; default the newest)\n"
"  time       when, ISO 8601 (optional; default now)\n"
"Every row is checked first; any bad row is reported (one line each) and\n"
"nothing is imported.  Labels keep the provenance 'imported from FILE by\n"
"USER'; a new label for a labeler and item supersedes the old one.\n"
"\n"
"dump prints every label row, superseded ones included, with provenance\n"
"and, for labels from the screen, how the image was shown (view: zoom,\n"
"region, adjustments) when it was not fitted and unadjusted.\n",
	.opts = options,
	.run = cmd_labels_run,
};

static int
dump_text(void *arg, const struct label_row *r)
{
	(void)arg;
	printf("%lld\t%lld\t", r->id, r->item);
	cmd_print_safe(stdout, r->labeler);
	putchar('\t');
	cmd_print_safe(stdout, r->class_name ? r->class_name : "(withdrawn)");
	printf("\tv%d\t%s\t%s\t", r->guideline, r->created_at,
	    r->current ? "current" : "superseded");
	cmd_print_safe(stdout, r->path);
	putchar('\t');
	cmd_print_safe(stdout, r->provenance);
	if (r->note[0] != '\0') {
		fputs("\tnote: ", stdout);
		cmd_print_safe(stdout, r->note);
	}
	if (r->view != NULL) {
		fputs("\tview: ", stdout);
		cmd_print_safe(stdout, r->view);
	}
	putchar('\n');
	return 0;
}

static int
dump_json(void *arg, const struct label_row *r)
{
	struct buf *b = arg;
	struct json j;

	b->len = 0;
	json_start(&j, b);
	json_object_begin(&j);
	cmd_json_int(&j, "id", r->id);
	cmd_json_int(&j, "item", r->item);
	cmd_json_str(&j, "path", r->path);
	cmd_json_str(&j, "sha256", r->sha256);
	cmd_json_str(&j, "labeler", r->labeler);
	cmd_json_str(&j, "class", r->class_name);	/* NULL: withdrawn */
	cmd_json_str(&j, "note", r->note);
	cmd_json_int(&j, "guideline", r->guideline);
	json_key(&j, "seconds");
	if (r->seconds >= 0)
		json_double(&j, "%.3f", r->seconds);
	else
		json_null(&j);
	cmd_json_str(&j, "created_at", r->created_at);
	json_key(&j, "supersedes");
	if (r->supersedes)
		json_int(&j, r->supersedes);
	else
		json_null(&j);
	json_key(&j, "current");
	json_bool(&j, r->current);
	cmd_json_str(&j, "provenance", r->provenance);
	cmd_json_str(&j, "view", r->view);	/* NULL: fitted, unadjusted */
	json_object_end(&j);
	buf_add(b, "\n", 1);
	fputs(b->s, stdout);
	return 0;
}

static int
cmd_labels_run(struct cmd_args *a)
{
	const struct cmd_entry *c = a->entry;
	const char *user, *verb = a->argv[0];
	struct store *st;
	struct buf b = { 0 };
	char *cause = NULL;
	int json = cmd_args_has(a, "json"), r;

	if (a->argc < 1)
		return cmd_usage(c, "want import or dump");
	if (strcmp(verb, "import") == 0) {
		if (a->argc != 3 || json)
			return cmd_usage(c, "import wants DB FILE");
	} else if (strcmp(verb, "dump") == 0) {
		if (a->argc != 2)
			return cmd_usage(c, "dump wants DB");
	} else
		return cmd_usage(c, "unknown action '%s' (import, dump)", verb);
	if ((st = cmd_open(a->argv[1])) == NULL)
		return EXIT_FAIL;
	if (strcmp(verb, "import") == 0) {
		if ((user = cmd_user()) == NULL) {
			store_close(st);
			return EXIT_FAIL;
		}
		r = labels_import(st, a->argv[2], user, cmd_on_error, NULL,
		    NULL, &cause);
		if (r < 0)
			r = cmd_fail_cause(a->argv[2], cause);
		else {
			printf("imported %d labels from %s\n", r, a->argv[2]);
			r = 0;
		}
	} else {
		r = labels_each(st, acc_os_user(), json ? dump_json :
		    dump_text, &b, &cause);
		if (r != 0)
			r = cmd_fail_cause(a->argv[1], cause);
	}
	buf_free(&b);
	store_close(st);
	return r;
}
