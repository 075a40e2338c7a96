/* cmd_labels.c: accord labels import|dump. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "accord/json.h"
#include "accord/labels.h"
#include "cmd.h"

static int cmd_labels_exec(int, char **);

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
"dump prints every label row, superseded ones included, with provenance;\n"
"--json prints JSON Lines.\n",
	.exec = cmd_labels_exec,
};

static void
on_error(void *arg, const char *where, const char *msg)
{
	(void)arg;
	cmd_fail(where, "%s", msg);
}

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
	json_key(&j, "id");
	json_int(&j, r->id);
	json_key(&j, "item");
	json_int(&j, r->item);
	json_key(&j, "path");
	json_string(&j, r->path);
	json_key(&j, "sha256");
	json_string(&j, r->sha256);
	json_key(&j, "labeler");
	json_string(&j, r->labeler);
	json_key(&j, "class");
	json_string(&j, r->class_name);		/* NULL: withdrawn */
	json_key(&j, "note");
	json_string(&j, r->note);
	json_key(&j, "guideline");
	json_int(&j, r->guideline);
	json_key(&j, "seconds");
	if (r->seconds >= 0)
		json_double(&j, "%.3f", r->seconds);
	else
		json_null(&j);
	json_key(&j, "created_at");
	json_string(&j, r->created_at);
	json_key(&j, "supersedes");
	if (r->supersedes)
		json_int(&j, r->supersedes);
	else
		json_null(&j);
	json_key(&j, "current");
	json_bool(&j, r->current);
	json_key(&j, "provenance");
	json_string(&j, r->provenance);
	json_object_end(&j);
	buf_add(b, "\n", 1);
	fputs(b->s, stdout);
	return 0;
}

static int
cmd_labels_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *c = &cmd_labels_entry;
	const char *user, *verb;
	struct store *st;
	struct buf b = { 0 };
	char *cause = NULL;
	int ch, json = 0, r, nargs;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'j')
			json = 1;
		else
			return cmd_usage(c, "unknown option '%s'",
			    argv[optind - 1]);
	}
	nargs = argc - optind;
	if (nargs < 1)
		return cmd_usage(c, "want import or dump");
	verb = argv[optind];
	if (strcmp(verb, "import") == 0) {
		if (nargs != 3 || json)
			return cmd_usage(c, "import wants DB FILE");
	} else if (strcmp(verb, "dump") == 0) {
		if (nargs != 2)
			return cmd_usage(c, "dump wants DB");
	} else
		return cmd_usage(c, "unknown action '%s' (import, dump)", verb);
	if ((st = cmd_open(argv[optind + 1])) == NULL)
		return EXIT_FAIL;
	if (strcmp(verb, "import") == 0) {
		if ((user = cmd_user()) == NULL) {
			store_close(st);
			return EXIT_FAIL;
		}
		r = labels_import(st, argv[optind + 2], user, on_error, NULL,
		    NULL, &cause);
		if (r < 0)
			r = cmd_fail(argv[optind + 2], "%s", cause);
		else {
			printf("imported %d labels from %s\n", r,
			    argv[optind + 2]);
			r = 0;
		}
	} else {
		r = labels_each(st, acc_os_user(), json ? dump_json : dump_text, &b, &cause);
		if (r != 0)
			r = cmd_fail(argv[optind + 1], "%s", cause);
	}
	free(cause);
	buf_free(&b);
	store_close(st);
	return r;
}
