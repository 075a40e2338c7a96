/* cmd_items.c: accord items: list items with metadata and input metrics. */
#include <getopt.h>
#include <stdlib.h>

#include "accord/status.h"
#include "cmd.h"

static int cmd_items_exec(int, char **);

const struct cmd_entry cmd_items_entry = {
	.name = "items",
	.summary = "list items with their metadata and input metrics",
	.usage =
"usage: accord items DB [--where KEY=VALUE]... [--json]\n"
"\n"
"One item a line: id, kind, format, size, path and every metadata value in\n"
"force (CSV columns and computed metrics such as brightness, sharpness,\n"
"rms_db).  --where keeps items whose KEY equals VALUE; KEY is kind, format,\n"
"batch, sha256, path or any metadata key; several --where must all hold.\n"
"--json prints JSON Lines, one object an item, metadata under \"meta\".\n",
	.exec = cmd_items_exec,
};

static int
print_text(void *arg, const struct item_row *r)
{
	int i;

	(void)arg;
	printf("%lld\t%s\t%s\t", r->id, r->kind, r->format);
	if (r->width > 0)
		printf("%dx%d", r->width, r->height);
	else
		printf("%dHz/%dch/%lld", r->rate, r->channels, r->frames);
	putchar('\t');
	cmd_print_safe(stdout, r->path);
	for (i = 0; i < r->nmeta; i++) {
		putchar('\t');
		cmd_print_safe(stdout, r->meta[i].key);
		putchar('=');
		cmd_print_safe(stdout, r->meta[i].value);
	}
	putchar('\n');
	return 0;
}

static int
print_json(void *arg, const struct item_row *r)
{
	struct buf *b = arg;
	int i;

	b->len = 0;
	buf_printf(b, "{\"id\":%lld,\"path\":", r->id);
	buf_json_str(b, r->path);
	buf_printf(b, ",\"sha256\":\"%s\",\"kind\":\"%s\",\"format\":\"%s\","
	    "\"bytes\":%lld,\"batch\":", r->sha256, r->kind, r->format,
	    r->bytes);
	buf_json_str(b, r->batch);
	if (r->width > 0)
		buf_printf(b, ",\"width\":%d,\"height\":%d,\"depth\":%d,"
		    "\"channels\":%d", r->width, r->height, r->depth,
		    r->channels);
	else
		buf_printf(b, ",\"rate\":%d,\"channels\":%d,\"frames\":%lld",
		    r->rate, r->channels, r->frames);
	buf_puts(b, ",\"imported_at\":");
	buf_json_str(b, r->imported_at);
	buf_puts(b, ",\"meta\":{");
	for (i = 0; i < r->nmeta; i++) {
		if (i)
			buf_puts(b, ",");
		buf_json_str(b, r->meta[i].key);
		buf_puts(b, ":");
		if (r->meta[i].numeric)
			buf_puts(b, r->meta[i].value);
		else
			buf_json_str(b, r->meta[i].value);
	}
	buf_puts(b, "}}\n");
	fputs(b->s, stdout);
	return 0;
}

static int
cmd_items_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "where", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *c = &cmd_items_entry;
	const char **where = NULL;
	struct store *st;
	struct buf b = { 0 };
	char *cause = NULL;
	int ch, json = 0, nwhere = 0, r;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'j')
			json = 1;
		else if (ch == 'w') {
			where = xreallocarray(where, (size_t)nwhere + 1,
			    sizeof *where);
			where[nwhere++] = optarg;
		} else {
			free(where);
			return cmd_usage(c, "unknown or incomplete option '%s'",
			    argv[optind - 1]);
		}
	}
	if (argc - optind != 1) {
		free(where);
		return cmd_usage(c, "want one DB");
	}
	if ((st = cmd_open(argv[optind])) == NULL) {
		free(where);
		return EXIT_FAIL;
	}
	r = items_each(st, acc_os_user(), where, nwhere,
	    json ? print_json : print_text, &b, &cause);
	if (r != 0) {
		r = cmd_fail(argv[optind], "%s", cause);
		free(cause);
	}
	buf_free(&b);
	free(where);
	store_close(st);
	return r;
}
