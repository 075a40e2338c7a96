/*
 * cmd_export.c: accord export: consensus labels, splits and a manifest, for
 * training.  Core (core/export.c) decides and writes; this parses, prints
 * the table of counts, and turns SIGINT/SIGTERM into a clean stop.
 */
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/export.h"
#include "cmd.h"

static int cmd_export_exec(int, char **);

const struct cmd_entry cmd_export_entry = {
	.name = "export",
	.summary = "consensus labels with splits and a manifest, for training",
	.usage =
"usage: accord export DB --out DIR [--format csv|jsonl|imagefolder|audiofolder]\n"
"                    [--layout flat|by-class] [--method M] [--fallback M]\n"
"                    [--min-confidence X] [--include-borderline]\n"
"                    [--split 70/15/15] [--seed S] [--group-by KEY] [--force]\n"
"\n"
"One label per item with a confidence, items split train/dev/test by class,\n"
"written with a manifest.json (store checksum, options, counts, left-out\n"
"items, sha256 of every file).  DIR appears complete or not at all.  Needs\n"
"the sme or admin role.  Details: docs/guide.md, \"accord export\".\n"
"\n"
"  --out DIR           the directory to create (it must not exist)\n"
"  --format F          csv (default) and jsonl: one file per split;\n"
"                      imagefolder/audiofolder: SPLIT/FILE trees (hard links\n"
"                      or copies) with SPLIT/metadata.csv (Hugging Face)\n"
"  --layout by-class   SPLIT/CLASS/FILE trees (torchvision ImageFolder)\n"
"  --method M          adjudicated (default: the SME's decision or gold where\n"
"                      there is one, else the fallback), majority or\n"
"                      dawid-skene\n"
"  --fallback M        majority (default) or dawid-skene\n"
"  --min-confidence X  leave out items whose confidence is below X (0..1)\n"
"  --include-borderline  keep items whose consensus is the borderline class\n"
"  --split A/B/C       shares of train/dev/test (A/B: train/test; default\n"
"                      100), per class within one item\n"
"  --seed S            seed of the split (default 1)\n"
"  --group-by KEY      items sharing a value of metadata KEY (speaker,\n"
"                      camera) go to the same split\n"
"  --force             replace DIR if it is an earlier export, once the new\n"
"                      one is complete\n",
	.exec = cmd_export_exec,
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
print_table(const struct export_result *r, const char *out)
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
	free(col);
	for (c = 1; c < EXPORT_NREASONS; c++)
		left += r->left_out[c];
	printf("left out: %lld", left);
	for (c = 1, s = 0; c < EXPORT_NREASONS; c++)
		if (r->left_out[c] > 0)
			printf("%s%s %lld", s++ ? ", " : " (",
			    export_reason_name(c), r->left_out[c]);
	printf("%s\n", left > 0 ? ")" : "");
	if (r->ds_ran)
		printf("dawid-skene: %d iterations, %s\n", r->ds_iterations,
		    r->ds_converged ? "converged" : "not converged (cap)");
	printf("wrote ");
	cmd_print_safe(stdout, out);
	printf(": %d files", r->nfiles);
	if (r->links + r->copies > 0)
		printf(" (%lld media hard-linked, %lld copied)", r->links,
		    r->copies);
	printf(", labels sha256 %.16s...\n", r->labels_sha256);
}

int
cmd_export_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'F' },
		{ "layout", required_argument, NULL, 'l' },
		{ "method", required_argument, NULL, 'm' },
		{ "fallback", required_argument, NULL, 'f' },
		{ "min-confidence", required_argument, NULL, 'c' },
		{ "include-borderline", no_argument, NULL, 'b' },
		{ "split", required_argument, NULL, 'S' },
		{ "seed", required_argument, NULL, 's' },
		{ "group-by", required_argument, NULL, 'g' },
		{ "force", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *c = &cmd_export_entry;
	struct export_opts o;
	struct export_result res;
	struct sigaction sa;
	struct store *st;
	const char *db;
	char *cause = NULL;
	int ch, v, ret;

	memset(&o, 0, sizeof o);
	o.method = CONSENSUS_ADJUDICATED;
	o.fallback = CONSENSUS_MAJORITY;
	o.split.nparts = 1;
	o.split.ratio[0] = 100;
	o.split.seed = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			if (*optarg == '\0')
				return cmd_usage(c, "--out wants a directory");
			o.out = optarg;
			break;
		case 'F':
			if ((v = export_format_from_name(optarg)) < 0)
				return cmd_usage(c, "--format is csv, jsonl, "
				    "imagefolder or audiofolder, not '%s'",
				    optarg);
			o.format = (enum export_format)v;
			break;
		case 'l':
			if (strcmp(optarg, "flat") == 0)
				o.layout = EXPORT_FLAT;
			else if (strcmp(optarg, "by-class") == 0)
				o.layout = EXPORT_BY_CLASS;
			else
				return cmd_usage(c, "--layout is flat or "
				    "by-class, not '%s'", optarg);
			break;
		case 'm':
			if ((v = consensus_method_from_name(optarg)) < 0)
				return cmd_usage(c, "--method is adjudicated, "
				    "majority or dawid-skene, not '%s'", optarg);
			o.method = (enum consensus_method)v;
			break;
		case 'f':
			v = consensus_method_from_name(optarg);
			if (v < 0 || v == CONSENSUS_ADJUDICATED)
				return cmd_usage(c, "--fallback is majority or "
				    "dawid-skene, not '%s'", optarg);
			o.fallback = (enum consensus_method)v;
			break;
		case 'c':
			if (acc_parse_double(optarg, &o.min_confidence) != 0 ||
			    !(o.min_confidence >= 0 && o.min_confidence <= 1))
				return cmd_usage(c, "--min-confidence wants a "
				    "number from 0 to 1, not '%s'", optarg);
			break;
		case 'b':
			o.include_borderline = 1;
			break;
		case 'S':
			if (split_parse(optarg, &o.split, &cause) != 0) {
				ret = cmd_usage(c, "--split %s", cause);
				free(cause);
				return ret;
			}
			break;
		case 's':
			if (cmd_opt_seed(c, optarg, &o.split.seed) != 0)
				return EXIT_USAGE;
			break;
		case 'g':
			if (*optarg == '\0')
				return cmd_usage(c, "--group-by wants a key");
			o.group_by = optarg;
			break;
		case 'x':
			o.force = 1;
			break;
		case ':':
			return cmd_usage(c, "%s wants a value",
			    argv[optind - 1]);
		default:
			return cmd_usage(c, "unknown option '%s'",
			    argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cmd_usage(c, "want one DB");
	if (o.out == NULL)
		return cmd_usage(c, "--out DIR is required");
	if (o.method != CONSENSUS_ADJUDICATED &&
	    o.fallback != CONSENSUS_MAJORITY)
		return cmd_usage(c, "--fallback goes with --method adjudicated");
	db = argv[optind];
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
		ret = cmd_fail(db, "%s", cause);
		free(cause);
		store_close(st);
		return ret;
	}
	store_close(st);
	print_table(&res, o.out);
	export_result_free(&res);
	return 0;
}
