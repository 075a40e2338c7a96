/* cmd_items.c: accord items: list items with metadata and input metrics. */
#include <stdlib.h>
#include <string.h>

#include "accord/json.h"
#include "accord/status.h"
#include "accord/suggest.h"
#include "cmd.h"

static int cmd_items_run(struct cmd_args *);

static const struct cmd_opt options[] = {
	{ "where", "KEY=VALUE", CMD_OPT_REPEAT,
	    "only items whose KEY equals VALUE; KEY is kind, format,\n"
	    "batch, sha256, path or any metadata key; several --where\n"
	    "must all hold" },
	{ "json", NULL, 0,
	    "JSON Lines, one object an item, metadata under \"meta\"" },
	{ NULL, NULL, 0, NULL },
};

const struct cmd_entry cmd_items_entry = {
	.name = "items",
	.summary = "list items with their metadata and input metrics",
	.usage =
"usage: accord items DB [--where KEY=VALUE]... [--json]\n"
"\n"
"One item a line: id, kind, format, size, path and every metadata value in\n"
"force (CSV columns and computed metrics such as brightness, sharpness,\n"
"rms_db).\n",
	.opts = options,
	.run = cmd_items_run,
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
	struct json j;
	int i;

	b->len = 0;
	json_start(&j, b);
	json_object_begin(&j);
	cmd_json_int(&j, "id", r->id);
	cmd_json_str(&j, "path", r->path);
	cmd_json_str(&j, "sha256", r->sha256);
	cmd_json_str(&j, "kind", r->kind);
	cmd_json_str(&j, "format", r->format);
	cmd_json_int(&j, "bytes", r->bytes);
	cmd_json_str(&j, "batch", r->batch);
	if (r->width > 0) {
		cmd_json_int(&j, "width", r->width);
		cmd_json_int(&j, "height", r->height);
		cmd_json_int(&j, "depth", r->depth);
		cmd_json_int(&j, "channels", r->channels);
	} else {
		cmd_json_int(&j, "rate", r->rate);
		cmd_json_int(&j, "channels", r->channels);
		cmd_json_int(&j, "frames", r->frames);
	}
	cmd_json_str(&j, "imported_at", r->imported_at);
	json_key(&j, "meta");
	json_object_begin(&j);
	for (i = 0; i < r->nmeta; i++) {
		json_key(&j, r->meta[i].key);
		/* A numeric value is kept as the store wrote it. */
		if (r->meta[i].numeric)
			json_raw(&j, r->meta[i].value);
		else
			json_string(&j, r->meta[i].value);
	}
	json_object_end(&j);
	json_object_end(&j);
	buf_add(b, "\n", 1);
	fputs(b->s, stdout);
	return 0;
}

/*
 * A --where on a key no item has would list nothing, which reads as "no
 * item matches": name the key as unknown instead, with the keys there are.
 * A malformed --where is left to items_each's message.
 */
static int
where_keys_known(struct store *st, const char *db, char **where, int nwhere)
{
	int i, r = 1;

	for (i = 0; i < nwhere && r == 1; i++) {
		const char *eq = strchr(where[i], '=');
		char *key;

		if (eq == NULL || eq == where[i])
			continue;
		key = xstrndup(where[i], (size_t)(eq - where[i]));
		r = cmd_known(st, db, SUGGEST_META_KEYS, key, "keys",
		    "no item has a metadata key '%s'", key);
		free(key);
	}
	return r == 1;
}

static int
cmd_items_run(struct cmd_args *a)
{
	struct store *st;
	struct buf b = { 0 };
	char **where, *cause = NULL;
	int nwhere, r;

	if (a->argc != 1)
		return cmd_usage(a->entry, "want one DB");
	where = cmd_args_values(a, "where", &nwhere);
	if ((st = cmd_open(a->argv[0])) == NULL)
		return EXIT_FAIL;
	if (!where_keys_known(st, a->argv[0], where, nwhere)) {
		store_close(st);
		return EXIT_FAIL;
	}
	r = items_each(st, acc_os_user(), (const char **)where, nwhere,
	    cmd_args_has(a, "json") ? print_json : print_text, &b, &cause);
	if (r != 0)
		r = cmd_fail_cause(a->argv[0], cause);
	buf_free(&b);
	store_close(st);
	return r;
}
