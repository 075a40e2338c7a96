/*
 * cmd_export.c: accord export: consensus labels, splits and a manifest, for
 * training.  Core (core/export.c) decides and writes; this parses, prints
 * the table of counts, and turns SIGINT/SIGTERM into a clean stop.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/export.h"
#include "cmd.h"

static int cmd_export_run(struct cmd_args *);

static const struct cmd_opt options[] = {
	{ "out", "DIR", CMD_OPT_NONEMPTY,
	    "the directory to create (it must not exist)" },
	{ "format", "F", 0,
	    "csv (default) and jsonl: one file per split;\n"
	    "imagefolder/audiofolder: SPLIT/FILE trees (copies,\n"
	    "reflinks where the file system can, or the bytes the\n"
	    "store keeps) with SPLIT/metadata.csv (Hugging Face);\n"
	    "hf: train/validation/test/CLASS/FILE trees with\n"
	    "metadata.jsonl and a dataset card, for datasets'\n"
	    "load_dataset(\"imagefolder\"/\"audiofolder\", data_dir=DIR);\n"
	    "label-studio: tasks.json (every item, each labeler's\n"
	    "label an annotation, the consensus a prediction) and\n"
	    "label_config.xml, for a Label Studio project" },
	{ "ls-url-prefix", "URL", CMD_OPT_NONEMPTY,
	    "label-studio: what goes before each item's path\n"
	    "(percent-encoded) in the task; default\n"
	    "/data/local-files/?d= (Label Studio's local storage)" },
	{ "layout", "L", 0,
	    "by-class: SPLIT/CLASS/FILE trees (torchvision\n"
	    "ImageFolder); flat (default): SPLIT/FILE" },
	{ "method", "M", 0,
	    "adjudicated (default: the SME's decision or gold where\n"
	    "there is one, else the fallback), majority or\n"
	    "dawid-skene" },
	{ "fallback", "M", 0, "majority (default) or dawid-skene" },
	{ "min-confidence", "X", 0,
	    "leave out items whose confidence is below X (0..1)" },
	{ "include-borderline", NULL, 0,
	    "keep items whose consensus is the borderline class" },
	{ "split", "A/B/C", 0,
	    "shares of train/dev/test (A/B: train/test; default\n"
	    "100), per class within one item" },
	{ "seed", "S", 0, "seed of the split (default 1)" },
	{ "group-by", "KEY", CMD_OPT_NONEMPTY,
	    "items sharing a value of metadata KEY (speaker,\n"
	    "camera) go to the same split" },
	{ "csv-raw", NULL, 0,
	    "write CSV cells as they are: by default a cell that\n"
	    "begins with = + - @ tab or CR (and is not a number)\n"
	    "gets a ' before it, so a spreadsheet shows it as\n"
	    "text instead of running it as a formula (OWASP)" },
	{ "link", NULL, 0,
	    "hard-link media instead of copying them: no space\n"
	    "used, but the export and the imported files are then\n"
	    "the same files: writing into one changes the other\n"
	    "(and accord check reports the item changed)" },
	{ "force", NULL, 0,
	    "replace DIR if accord exported it (its manifest lists\n"
	    "every file in it), once the new one is complete;\n"
	    "only the files it lists are removed" },
	{ NULL, NULL, 0, NULL },
};

const struct cmd_entry cmd_export_entry = {
	.name = "export",
	.summary = "consensus labels with splits and a manifest, for training",
	.usage =
"usage: accord export DB --out DIR [--format csv|jsonl|imagefolder|audiofolder|\n"
"                    hf|label-studio] [--ls-url-prefix URL]\n"
"                    [--layout flat|by-class] [--method M] [--fallback M]\n"
"                    [--min-confidence X] [--include-borderline]\n"
"                    [--split 70/15/15] [--seed S] [--group-by KEY]\n"
"                    [--csv-raw] [--link] [--force]\n"
"\n"
"One label per item with a confidence, items split train/dev/test by class,\n"
"written with a manifest.json (store checksum, options, counts, left-out\n"
"items, sha256 of every file).  DIR appears complete or not at all.  Needs\n"
"the sme or admin role.  Details: docs/guide.md, \"accord export\".\n",
	.opts = options,
	.run = cmd_export_run,
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * What each split got: per class the share of the class's items (col),
 * the share of all items, and the target beside it.  Grouped splits can
 * only approach their targets; this shows how near they came.
 */
static void
print_shares(const struct export_result *r, const struct split_spec *sp,
    const long long *col, long long all, int w)
{
	long long R = 0;
	int s, c;

	for (s = 0; s < sp->nparts; s++)
		R += sp->ratio[s];
	printf("%-7s", "share");
	for (c = 0; c < r->nclasses; c++) {
		char *n = acc_printable(r->classes[c]);

		printf(" %*s", w, n);
		free(n);
	}
	printf(" %*s %*s\n", w, "total", w, "target");
	for (s = 0; s < r->nparts; s++) {
		long long tot = 0;

		printf("%-7s", split_name(r->nparts, s));
		for (c = 0; c < r->nclasses; c++) {
			long long v = r->counts[(size_t)s * r->nclasses + c];

			tot += v;
			if (col[c] > 0)
				printf(" %*.3f", w, (double)v / (double)col[c]);
			else
				printf(" %*s", w, "-");
		}
		if (all > 0)
			printf(" %*.3f", w, (double)tot / (double)all);
		else
			printf(" %*s", w, "-");
		printf(" %*.3f\n", w, (double)sp->ratio[s] / (double)R);
	}
}

static void
print_table(const struct export_result *r, const struct split_spec *sp,
    const char *out)
{
	int s, c, w = 8;
	long long tot, all = 0, left = 0, *col;

	for (c = 0; c < r->nclasses; c++)
		if ((int)strlen(r->classes[c]) + 1 > w)
			w = (int)strlen(r->classes[c]) + 1;
	/* A plain table: one column per class, then the total. */
	printf("%-7s", "split");
	for (c = 0; c < r->nclasses; c++) {
		char *n = acc_printable(r->classes[c]);

		printf(" %*s", w, n);
		free(n);
	}
	printf(" %*s\n", w, "total");
	col = xcalloc((size_t)r->nclasses + 1, sizeof *col);
	for (s = 0; s < r->nparts; s++) {
		tot = 0;
		printf("%-7s", split_name(r->nparts, s));
		for (c = 0; c < r->nclasses; c++) {
			long long v = r->counts[(size_t)s * r->nclasses + c];

			printf(" %*lld", w, v);
			col[c] += v;
			tot += v;
		}
		printf(" %*lld\n", w, tot);
		all += tot;
	}
	printf("%-7s", "total");
	for (c = 0; c < r->nclasses; c++)
		printf(" %*lld", w, col[c]);
	printf(" %*lld\n", w, all);
	print_shares(r, sp, col, all, w);
	free(col);
	for (c = 1; c < EXPORT_NREASONS; c++)
		left += r->left_out[c];
	printf("left out: %lld", left);
	for (c = 1, s = 0; c < EXPORT_NREASONS; c++)
		if (r->left_out[c] > 0)
			printf("%s%s %lld", s++ ? ", " : " (",
			    export_reason_name(c), r->left_out[c]);
	printf("%s\n", left > 0 ? ")" : "");
	if (r->ds_ran) {
		printf("dawid-skene: %d iterations, %s\n", r->ds_iterations,
		    r->ds_converged ? "converged" : "not converged (cap)");
		if (r->ds_few_labels > 0)
			printf("dawid-skene: %d items with fewer than %d labels "
			    "took the majority vote\n", r->ds_few_labels,
			    CONSENSUS_DS_MIN_LABELS);
		if (r->ds_unused_top > 0)
			printf("dawid-skene: %d items' most probable class was "
			    "one nobody gave them; the consensus is the most "
			    "probable class given\n", r->ds_unused_top);
	}
	printf("wrote ");
	cmd_print_safe(stdout, out);
	printf(": %d files", r->nfiles);
	if (r->links + r->reflinks + r->copies + r->stored > 0) {
		const char *sep = " (";

		if (r->copies + r->reflinks > 0) {
			printf("%s%lld media copied", sep, r->copies +
			    r->reflinks);
			if (r->reflinks > 0)
				printf(" (%lld as reflinks)", r->reflinks);
			sep = ", ";
		}
		if (r->links > 0) {
			printf("%s%lld hard-linked", sep, r->links);
			sep = ", ";
		}
		if (r->stored > 0)
			printf("%s%lld written out of the store", sep,
			    r->stored);
		putchar(')');
	}
	printf(", labels sha256 %.16s...\n", r->labels_sha256);
}

/* Core's notes, one line each on stderr, control characters shown. */
static void
print_notes(const char *notes)
{
	const char *p = notes, *nl;

	while (p != NULL && (nl = strchr(p, '\n')) != NULL) {
		char *line = xstrndup(p, (size_t)(nl - p)), *shown;

		shown = acc_printable(line);
		fprintf(stderr, "accord export: %s\n", shown);
		free(shown);
		free(line);
		p = nl + 1;
	}
}

/* The options into *o: 0, or a usage error printed and EXIT_USAGE. */
static int
export_options(struct cmd_args *a, struct export_opts *o)
{
	const struct cmd_entry *c = a->entry;
	const char *v;
	char *cause = NULL;
	int k, r;

	memset(o, 0, sizeof *o);
	o->method = CONSENSUS_ADJUDICATED;
	o->fallback = CONSENSUS_MAJORITY;
	o->split.nparts = 1;
	o->split.ratio[0] = 100;
	o->split.seed = 1;
	o->out = cmd_args_get(a, "out");
	o->group_by = cmd_args_get(a, "group-by");
	o->include_borderline = cmd_args_has(a, "include-borderline");
	o->force = cmd_args_has(a, "force");
	o->csv_raw = cmd_args_has(a, "csv-raw");
	o->link = cmd_args_has(a, "link");
	o->ls_url_prefix = cmd_args_get(a, "ls-url-prefix");
	if ((v = cmd_args_get(a, "format")) != NULL) {
		if ((k = export_format_from_name(v)) < 0)
			return cmd_usage(c, "--format is csv, jsonl, "
			    "imagefolder, audiofolder, hf or label-studio, "
			    "not '%s'", v);
		o->format = (enum export_format)k;
	}
	if ((v = cmd_args_get(a, "layout")) != NULL) {
		if (o->format == EXPORT_HF || o->format == EXPORT_LABEL_STUDIO)
			return cmd_usage(c, "--layout is for imagefolder and "
			    "audiofolder (hf always has class folders)");
		if (strcmp(v, "flat") == 0)
			o->layout = EXPORT_FLAT;
		else if (strcmp(v, "by-class") == 0)
			o->layout = EXPORT_BY_CLASS;
		else
			return cmd_usage(c, "--layout is flat or by-class, not "
			    "'%s'", v);
	}
	if ((v = cmd_args_get(a, "method")) != NULL) {
		if ((k = consensus_method_from_name(v)) < 0)
			return cmd_usage(c, "--method is adjudicated, majority "
			    "or dawid-skene, not '%s'", v);
		o->method = (enum consensus_method)k;
	}
	if ((v = cmd_args_get(a, "fallback")) != NULL) {
		k = consensus_method_from_name(v);
		if (k < 0 || k == CONSENSUS_ADJUDICATED)
			return cmd_usage(c, "--fallback is majority or "
			    "dawid-skene, not '%s'", v);
		o->fallback = (enum consensus_method)k;
	}
	if ((v = cmd_args_get(a, "min-confidence")) != NULL &&
	    (acc_parse_double(v, &o->min_confidence) != 0 ||
	    !(o->min_confidence >= 0 && o->min_confidence <= 1)))
		return cmd_usage(c, "--min-confidence wants a number from 0 "
		    "to 1, not '%s'", v);
	if ((v = cmd_args_get(a, "split")) != NULL &&
	    split_parse(v, &o->split, &cause) != 0) {
		r = cmd_usage(c, "--split %s", cause);
		free(cause);
		return r;
	}
	if (cmd_opt_seed(a, &o->split.seed) != 0)
		return EXIT_USAGE;
	return 0;
}

static int
cmd_export_run(struct cmd_args *a)
{
	const struct cmd_entry *c = a->entry;
	struct export_opts o;
	struct export_result res;
	struct sigaction sa;
	struct store *st;
	const char *db = a->argv[0];
	char *cause = NULL;

	if (export_options(a, &o) != 0)
		return EXIT_USAGE;
	if (a->argc != 1)
		return cmd_usage(c, "want one DB");
	if (o.out == NULL)
		return cmd_usage(c, "--out DIR is required");
	if (o.method != CONSENSUS_ADJUDICATED &&
	    o.fallback != CONSENSUS_MAJORITY)
		return cmd_usage(c, "--fallback goes with --method "
		    "adjudicated");
	if ((o.user = cmd_user()) == NULL)
		return EXIT_FAIL;
	if ((st = cmd_open(db)) == NULL)
		return EXIT_FAIL;
	/* A signal stops the export at the next file; core cleans up. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	o.cancel = &stop;
	if (export_run(st, &o, &res, &cause) != 0) {
		store_close(st);
		return cmd_fail_cause(db, cause);
	}
	store_close(st);
	/* The cap is a fact about the labels the user should see even when
	 * stdout goes to a file: the fit is not the maximum it stands for. */
	if (res.ds_ran && !res.ds_converged)
		fprintf(stderr, "accord export: dawid-skene reached the cap of "
		    "%d rounds before converging (relative change %.3g, "
		    "tolerance %.3g); manifest.json records converged false\n",
		    res.ds_max_iter, res.ds_rel_change, res.ds_tol);
	print_notes(res.notes);
	print_table(&res, &o.split, o.out);
	export_result_free(&res);
	return 0;
}
