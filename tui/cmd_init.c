/* cmd_init.c: accord init: create a project store. */
#include <getopt.h>
#include <stdlib.h>

#include "accord/config.h"
#include "accord/project.h"
#include "cmd.h"

static int cmd_init_exec(int, char **);

const struct cmd_entry cmd_init_entry = {
	.name = "init",
	.summary = "create a project store",
	.usage =
"usage: accord init DB --task NAME --media image|audio --classes LIST\n"
"                   [--borderline NAME] [--ordinal] [--overlap K]\n"
"                   [--guideline FILE] [--gold-rate R]\n"
"\n"
"Creates the project store DB (one SQLite file; never overwrites one) and\n"
"makes you, the OS user running it, its admin.\n"
"\n"
"  --task NAME        what is being labeled, e.g. \"surface defects\"\n"
"  --media KIND       image or audio\n"
"  --classes LIST     ordered class names, comma-separated; NAME:KEY gives\n"
"                     a class its own key (default keys 1..9, 0)\n"
"  --borderline NAME  the borderline/uncertain class (key b); added at the\n"
"                     end unless it is in LIST\n"
"  --ordinal          classes form an ordered scale; the borderline class\n"
"                     must then sit between two others in LIST, e.g.\n"
"                     --classes ok,unsure,defect --borderline unsure\n"
"  --overlap K        labels wanted per item, from different labelers\n"
"                     (default 3)\n"
"  --guideline FILE   guideline version 1 (Markdown); the text under a\n"
"                     \"## NAME\" heading describes class NAME\n"
"  --gold-rate R      share of each labeler's items that are gold items,\n"
"                     0..1 or a percentage (default 0.05; see accord gold)\n"
"\n"
"Keys reserved for actions: " PROJECT_RESERVED_KEYS "\n",
	.exec = cmd_init_exec,
};

static int
cmd_init_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "task", required_argument, NULL, 't' },
		{ "media", required_argument, NULL, 'm' },
		{ "classes", required_argument, NULL, 'c' },
		{ "borderline", required_argument, NULL, 'b' },
		{ "ordinal", no_argument, NULL, 'o' },
		{ "overlap", required_argument, NULL, 'k' },
		{ "guideline", required_argument, NULL, 'g' },
		{ "gold-rate", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *c = &cmd_init_entry;
	struct project_spec spec = { .overlap = 3 };
	const char *media = NULL, *gfile = NULL, *user;
	unsigned char *text = NULL;
	char *cause = NULL;
	long long k;
	size_t len;
	int ch, r;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 't': spec.task = optarg; break;
		case 'm': media = optarg; break;
		case 'c': spec.classes = optarg; break;
		case 'b': spec.borderline = optarg; break;
		case 'o': spec.ordinal = 1; break;
		case 'k':
			if (acc_parse_int(optarg, 1, 100, &k) != 0)
				return cmd_usage(c, "--overlap wants a number "
				    "from 1 to 100, not '%s'", optarg);
			spec.overlap = (int)k;
			break;
		case 'g': gfile = optarg; break;
		case 'r': {
			char *norm;

			if (config_check("gold-rate", optarg, &norm, &cause) != 0) {
				r = cmd_usage(c, "--%s", cause);
				free(cause);
				return r;
			}
			free(norm);
			spec.gold_rate = optarg;
			break;
		}
		default:
			return cmd_usage(c, "unknown or incomplete option '%s'",
			    argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cmd_usage(c, optind >= argc ? "which DB file?" :
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
		return cmd_usage(c, "--classes is required (e.g. ok,scratch,dent)");
	if ((user = cmd_user()) == NULL)
		return EXIT_FAIL;
	if (gfile != NULL) {
		if (acc_read_file(gfile, (size_t)16 << 20, &text, &len,
		    &cause) != 0) {
			r = cmd_fail(gfile, "%s", cause);
			free(cause);
			return r;
		}
		spec.guideline_text = (const char *)text;
	}
	if (project_init(argv[optind], &spec, user, &cause) != 0) {
		r = cmd_fail(argv[optind], "%s", cause);
		free(cause);
		free(text);
		return r;
	}
	free(text);
	printf("created %s: %s (%s), admin %s\n", argv[optind], spec.task,
	    media, user);
	return 0;
}
