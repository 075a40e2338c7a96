/* cmd_status.c: accord status: what the project holds. */
#include <stdlib.h>
#include <string.h>

#include "accord/json.h"
#include "accord/project.h"
#include "accord/status.h"
#include "cmd.h"

static int cmd_status_run(struct cmd_args *);

static const struct cmd_opt options[] = {
	{ "json", NULL, 0, "one JSON object; schema in docs/guide.md" },
	{ NULL, NULL, 0, NULL },
};

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.summary = "summarise items, labels, labelers and members",
	.usage =
"usage: accord status DB [--json]\n"
"\n"
"Items by kind and import batch, label counts, each labeler's progress,\n"
"items that reached the overlap, the guideline version in force, classes\n"
"and members.\n",
	.opts = options,
	.run = cmd_status_run,
};

/* [{"name": str, K1: int, K2: int}...] under the key name; K2 optional. */
static void
json_counts(struct json *j, const char *name, const struct status_count *c,
    int n, const char *k1, const char *k2)
{
	int i;

	json_key(j, name);
	json_array_begin(j);
	for (i = 0; i < n; i++) {
		json_object_begin(j);
		cmd_json_str(j, "name", c[i].name);
		json_key(j, k1);
		json_int(j, c[i].n);
		if (k2 != NULL) {
			json_key(j, k2);
			json_int(j, c[i].m);
		}
		json_object_end(j);
	}
	json_array_end(j);
}

static void
print_json(const struct project *p, const struct status *s,
    const struct member *m, int nm)
{
	struct buf b = { 0 };
	struct json j;
	int i;

	json_start(&j, &b);
	json_object_begin(&j);
	cmd_json_str(&j, "task", p->task);
	cmd_json_str(&j, "media", media_kind_name(p->media));
	cmd_json_int(&j, "overlap", p->overlap);
	json_key(&j, "ordinal");
	json_bool(&j, p->ordinal);
	cmd_json_int(&j, "guideline_version", p->guideline);
	json_key(&j, "classes");
	json_array_begin(&j);
	for (i = 0; i < p->nclasses; i++) {
		char key[2] = { p->classes[i].key, '\0' };

		json_object_begin(&j);
		cmd_json_str(&j, "name", p->classes[i].name);
		cmd_json_str(&j, "key", key);
		json_key(&j, "borderline");
		json_bool(&j, p->classes[i].borderline);
		json_object_end(&j);
	}
	json_array_end(&j);
	cmd_json_int(&j, "items", s->items);
	cmd_json_int(&j, "label_rows", s->label_rows);
	cmd_json_int(&j, "labels_current", s->labels_current);
	json_key(&j, "own_only");
	json_bool(&j, s->own_only);
	if (s->own_only) {
		/* Counts of others' labels a labeler may not read. */
		json_key(&j, "items_complete");
		json_null(&j);
		json_key(&j, "items_partial");
		json_null(&j);
		json_key(&j, "items_unlabeled");
		json_null(&j);
	} else {
		cmd_json_int(&j, "items_complete", s->items_complete);
		cmd_json_int(&j, "items_partial", s->items_partial);
		cmd_json_int(&j, "items_unlabeled", s->items_unlabeled);
	}
	json_counts(&j, "kinds", s->kinds, s->nkinds, "items", NULL);
	json_counts(&j, "batches", s->batches, s->nbatches, "items", "files");
	json_counts(&j, "labelers", s->labelers, s->nlabelers, "labels",
	    "rows");
	json_key(&j, "members");
	json_array_begin(&j);
	for (i = 0; i < nm; i++) {
		json_object_begin(&j);
		cmd_json_str(&j, "user", m[i].user);
		cmd_json_str(&j, "role", role_name(m[i].role));
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	cmd_json_print(&b);
}

static void
print_text(const struct project *p, const struct status *s,
    const struct member *m, int nm)
{
	int i;

	fputs("project   ", stdout);
	cmd_print_safe(stdout, p->task);
	printf(" (%s, overlap %d%s)\n", media_kind_name(p->media), p->overlap,
	    p->ordinal ? ", ordinal" : "");
	printf("guideline version %d\n", p->guideline);
	fputs("classes  ", stdout);
	for (i = 0; i < p->nclasses; i++) {
		printf(" %c=", p->classes[i].key);
		cmd_print_safe(stdout, p->classes[i].name);
		if (p->classes[i].borderline)
			fputs(" (borderline)", stdout);
	}
	printf("\n\nitems     %lld", s->items);
	for (i = 0; i < s->nkinds; i++)
		printf("%s%lld %s", i ? ", " : " (", s->kinds[i].n,
		    s->kinds[i].name);
	printf("%s\n", s->nkinds ? ")" : "");
	for (i = 0; i < s->nbatches; i++) {
		fputs("  batch   ", stdout);
		cmd_print_safe(stdout, s->batches[i].name);
		printf(": %lld new items, %lld files\n", s->batches[i].n,
		    s->batches[i].m);
	}
	printf("labels    %lld in force, %lld rows with history%s\n",
	    s->labels_current, s->label_rows, s->own_only ? " (yours: a "
	    "labeler reads only their own labels on this store)" : "");
	if (s->own_only)
		printf("overlap   %d labels an item (how far items are is "
		    "not shown to a labeler)\n", p->overlap);
	else
		printf("overlap   %lld items reached %d labels, %lld partly "
		    "labeled, %lld unlabeled\n", s->items_complete, p->overlap,
		    s->items_partial, s->items_unlabeled);
	if (s->nlabelers > 0)
		printf("\nlabeler           labels  progress\n");
	for (i = 0; i < s->nlabelers; i++) {
		double pct = s->items ? 100.0 * s->labelers[i].n / s->items : 0;

		fputs("  ", stdout);
		cmd_print_safe(stdout, s->labelers[i].name);
		printf("%*s%6lld  %5.1f%%\n",
		    (int)(16 - (int)strlen(s->labelers[i].name)) > 0 ?
		    16 - (int)strlen(s->labelers[i].name) : 1, "",
		    s->labelers[i].n, pct);
	}
	printf("\nmembers  ");
	for (i = 0; i < nm; i++) {
		printf(" ");
		cmd_print_safe(stdout, m[i].user);
		printf(" (%s)", role_name(m[i].role));
	}
	printf("\n");
}

static int
cmd_status_run(struct cmd_args *a)
{
	struct project p;
	struct status s;
	struct member *m = NULL;
	struct store *st;
	const char *db = a->argv[0];
	char *cause = NULL;
	int nm = 0, r = 0;

	if (a->argc != 1)
		return cmd_usage(a->entry, "want one DB");
	if ((st = cmd_open(db)) == NULL)
		return EXIT_FAIL;
	if (project_load(st, &p, &cause) != 0) {
		store_close(st);
		return cmd_fail_cause(db, cause);
	}
	if (status_read(st, acc_os_user(), p.overlap, &s, &cause) != 0 ||
	    member_list(st, acc_os_user(), &m, &nm, &cause) != 0)
		r = cmd_fail_cause(db, cause);
	else if (cmd_args_has(a, "json"))
		print_json(&p, &s, m, nm);
	else
		print_text(&p, &s, m, nm);
	member_list_free(m, nm);
	status_free(&s);
	project_free(&p);
	store_close(st);
	return r;
}
