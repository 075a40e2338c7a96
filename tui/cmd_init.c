/* cmd_init.c: accord init: create a project store. */
#include <stdlib.h>

#include "accord/config.h"
#include "accord/project.h"
#include "cmd.h"

static int cmd_init_run(struct cmd_args *);

static const struct cmd_opt options[] = {
	{ "task", "NAME", 0,
	    "what is being labeled, e.g. \"surface defects\"" },
	{ "media", "KIND", 0, "image or audio" },
	{ "classes", "LIST", 0,
	    "ordered class names, comma-separated; NAME:KEY gives\n"
	    "a class its own key (default keys 1..9, 0)" },
	{ "borderline", "NAME", 0,
	    "the borderline/uncertain class (key b); added at the\n"
	    "end unless it is in LIST" },
	{ "ordinal", NULL, 0,
	    "classes form an ordered scale; the borderline class\n"
	    "must then sit between two others in LIST, e.g.\n"
	    "--classes ok,unsure,defect --borderline unsure" },
	{ "overlap", "K", 0,
	    "labels wanted per item, from different labelers\n"
	    "(default 3)" },
	{ "guideline", "FILE", 0,
	    "guideline version 1 (Markdown); the text under a\n"
	    "\"## NAME\" heading describes class NAME" },
	{ "gold-rate", "R", 0,
	    "share of each labeler's items that are gold items,\n"
	    "0..1 or a percentage (default 0.05; see accord gold)" },
	{ NULL, NULL, 0, NULL },
};

const struct cmd_entry cmd_init_entry = {
	.name = "init",
	.summary = "create a project store",
	.usage =
"usage: accord init DB --task NAME --media image|audio --classes LIST\n"
"                   [--borderline NAME] [--ordinal] [--overlap K]\n"
"                   [--guideline FILE] [--gold-rate R]\n"
"\n"
"Creates the project store DB (one SQLite file; never overwrites one) and\n"
"makes you, the OS user running it, its admin.\n",
	.opts = options,
	.usage_end =
"Keys reserved for actions: " PROJECT_RESERVED_KEYS "\n",
	.run = cmd_init_run,
};

static int
cmd_init_run(struct cmd_args *a)
{
	const struct cmd_entry *c = a->entry;
	struct project_spec spec = { .overlap = 3 };
	const char *media = cmd_args_get(a, "media"), *gfile =
	    cmd_args_get(a, "guideline"), *user, *db = a->argv[0];
	unsigned char *text = NULL;
	char *cause = NULL, *norm;
	long long k = spec.overlap;
	size_t len;
	int r;

	spec.task = cmd_args_get(a, "task");
	spec.classes = cmd_args_get(a, "classes");
	spec.borderline = cmd_args_get(a, "borderline");
	spec.ordinal = cmd_args_has(a, "ordinal");
	if (cmd_args_int(a, "overlap", 1, 100, &k) != 0)
		return EXIT_USAGE;
	spec.overlap = (int)k;
	if ((spec.gold_rate = cmd_args_get(a, "gold-rate")) != NULL) {
		if (config_check("gold-rate", spec.gold_rate, &norm,
		    &cause) != 0) {
			r = cmd_usage(c, "--%s", cause);
			free(cause);
			return r;
		}
		free(norm);
	}
	if (a->argc != 1)
		return cmd_usage(c, a->argc == 0 ? "which DB file?" :
		    "one DB file, not several");
	if (spec.task == NULL)
		return cmd_usage(c, "--task is required");
	if (media == NULL)
		return cmd_usage(c, "--media is required (image or audio)");
	spec.media = media_kind_from_name(media);
	if (spec.media == MEDIA_KIND_NONE)
		return cmd_usage(c, "--media must be image or audio, not '%s'",
		    media);
	if (spec.classes == NULL)
		return cmd_usage(c, "--classes is required (e.g. "
		    "ok,scratch,dent)");
	if ((user = cmd_user()) == NULL)
		return EXIT_FAIL;
	if (gfile != NULL) {
		if (acc_read_file(gfile, (size_t)16 << 20, &text, &len,
		    &cause) != 0)
			return cmd_fail_cause(gfile, cause);
		spec.guideline_text = (const char *)text;
	}
	r = project_init(db, &spec, user, &cause);
	free(text);
	if (r != 0)
		return cmd_fail_cause(db, cause);
	/* The path and task as the user typed them may hold controls or
	 * bidirectional overrides: shown escaped, as everywhere. */
	fputs("created ", stdout);
	cmd_print_safe(stdout, db);
	fputs(": ", stdout);
	cmd_print_safe(stdout, spec.task);
	printf(" (%s), admin ", media);
	cmd_print_safe(stdout, user);
	putchar('\n');
	return 0;
}
