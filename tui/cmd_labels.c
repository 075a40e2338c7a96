/* cmd_labels.c: accord labels import|dump. */
#include <stdlib.h>
#include <string.h>

#include "accord/json.h"
#include "accord/labels.h"
#include "cmd.h"

static int cmd_labels_run(struct cmd_args *);

static const struct cmd_opt options[] = {
	{ "json", NULL, 0, "dump prints JSON Lines" },
	{ "format", "NAME", 0, "import: accord, label-studio (ls), cvat, "
	    "prodigy or doccano\n(default: told by the file's content)" },
	{ "map-users", "FILE", 0, "import: a CSV (user,labeler) naming the "
	    "labeler for each\nuser name, email or id of the other tool" },
	{ "labeler", "NAME", 0, "import: the labeler of every row of another "
	    "tool's file" },
	{ "as-member", NULL, 0, "import: allow rows under the name of a "
	    "current member" },
	{ NULL, NULL, 0, NULL },
};

const struct cmd_entry cmd_labels_entry = {
	.name = "labels",
	.summary = "import existing labels, or dump every label row",
	.usage =
"usage: accord labels import DB FILE [--format NAME] [--map-users FILE]\n"
"                            [--labeler NAME] [--as-member]\n"
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
"USER'; a new label for a labeler and item supersedes the old one.  A row\n"
"under the name of a current member is refused unless --as-member.\n"
"\n"
"It also reads other tools' exports, told apart by their content:\n"
"  label-studio  Label Studio JSON export: each annotation's choice, by\n"
"                completed_by (the email's local part, or --map-users),\n"
"                lead_time as seconds; ground_truth makes the item gold\n"
"  cvat          CVAT for images 1.1 XML: each image's one <tag>, by the\n"
"                task's assignee or --labeler\n"
"  prodigy       Prodigy JSONL (db-out): accept of a choice or a binary\n"
"                label; ignore and choice rejects are skipped; a binary\n"
"                reject is the other class of a two-class project\n"
"  doccano       doccano JSONL export (filename, label): by the user the\n"
"                file is named after, or --labeler\n"
"Media are matched by path, then by base name (see accord(1)).\n"
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

/* labels import DB FILE [options]: read, check, write, say what. */
static int
labels_import_run(struct cmd_args *a, struct store *st, const char *user)
{
	struct labels_import_opts o = { LABELS_DETECT, NULL, NULL, 0 };
	struct labels_import_result res;
	const char *fmt = cmd_args_get(a, "format"), *file = a->argv[2];
	char *cause = NULL;
	int f;

	if (fmt != NULL) {
		if ((f = labels_format_from_name(fmt)) < 0)
			return cmd_usage(a->entry, "unknown format '%s' (accord, "
			    "label-studio, ls, cvat, prodigy, doccano)", fmt);
		o.format = (enum labels_format)f;
	}
	o.map_users = cmd_args_get(a, "map-users");
	o.labeler = cmd_args_get(a, "labeler");
	o.as_member = cmd_args_has(a, "as-member");
	if (labels_import_from(st, file, user, &o, cmd_on_error, NULL, NULL,
	    &res, &cause) != 0)
		return cmd_fail_cause(file, cause);
	printf("imported %d labels from ", res.imported);
	cmd_print_safe(stdout, file);
	printf(" (%s)", labels_format_name(res.format));
	if (res.skipped > 0)
		printf("; %d annotation%s without a label skipped",
		    res.skipped, res.skipped == 1 ? "" : "s");
	if (res.gold > 0)
		printf("; %d item%s made gold", res.gold,
		    res.gold == 1 ? "" : "s");
	if (res.members > 0)
		printf("; %d row%s under members' names (--as-member)",
		    res.members, res.members == 1 ? "" : "s");
	putchar('\n');
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
	} else if (cmd_args_has(a, "format") || cmd_args_has(a, "map-users") ||
	    cmd_args_has(a, "labeler") || cmd_args_has(a, "as-member")) {
		return cmd_usage(c, "--format, --map-users, --labeler and "
		    "--as-member are for import");
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
		r = labels_import_run(a, st, user);
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
