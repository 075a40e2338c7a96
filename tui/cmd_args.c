/*
 * cmd_args.c: the one parser of command options.  Each command's table
 * entry declares its options (struct cmd_opt); argv is parsed against
 * that table here, every usage mistake gets the same wording, and the
 * option lines of --help are made from the same table, so an option
 * cannot be accepted without being documented or the other way round.
 */
#include <stdlib.h>
#include <string.h>

#include "accord/suggest.h"
#include "cmd.h"

/* Option lines: names up to this wide share one help column. */
#define HELP_NAME_MAX 18

static int
count_opts(const struct cmd_opt *o)
{
	int n = 0;

	while (o != NULL && o[n].name != NULL)
		n++;
	return n;
}

/*
 * The option "--NAME" (len characters of NAME) names: an exact name, else
 * the one option it is a prefix of (as getopt_long allows).  Returns its
 * index, -1 if none, -2 if several.
 */
static int
find_opt(const struct cmd_opt *o, int n, const char *name, size_t len)
{
	int i, found = -1;

	for (i = 0; i < n; i++) {
		if (strncmp(o[i].name, name, len) != 0)
			continue;
		if (o[i].name[len] == '\0')
			return i;
		found = found == -1 ? i : -2;
	}
	return found;
}

/* The usage error, with a freed in advance; returns EXIT_USAGE. */
static int
parse_error(struct cmd_args *a, const char *fmt, const char *what)
{
	const struct cmd_entry *c = a->entry;

	cmd_args_free(a);
	return cmd_usage(c, fmt, what);
}

/*
 * "unknown option '--jsno'; did you mean '--json'? options: --json, ...":
 * the command's options, the closest one when it looks like a typo.
 */
static int
unknown_option(struct cmd_args *a, const char *s)
{
	const struct cmd_opt *o = a->entry->opts;
	int n = count_opts(o), i;
	char **names = xcalloc((size_t)n + 1, sizeof *names), *tail, *word;
	size_t len = strcspn(s, "=");

	for (i = 0; i < n; i++)
		names[i] = xasprintf("--%s", o[i].name);
	word = xstrndup(s, len);
	tail = n > 0 ? suggest_choices(word, "options",
	    (const char *const *)names, (size_t)n) : xstrdup("it takes none");
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(word);
	word = xasprintf("%s'; %s", s, tail);
	free(tail);
	/* parse_error quotes what it is given: the tail rides inside. */
	i = parse_error(a, "unknown option '%s", word);
	free(word);
	return i;
}

int
cmd_args_parse(const struct cmd_entry *c, int argc, char **argv,
    struct cmd_args *a)
{
	const struct cmd_opt *o = c->opts;
	int nopts = count_opts(o), i, k, options = 1;

	a->entry = c;
	a->argc = 0;
	a->argv = xcalloc((size_t)argc + 1, sizeof *a->argv);
	a->opt = xcalloc((size_t)nopts + 1, sizeof *a->opt);
	for (i = 1; i < argc; i++) {
		char *s = argv[i], *eq, *value = NULL;
		struct cmd_args_opt *ao;
		size_t len;

		if (!options || s[0] != '-' || s[1] == '\0') {
			a->argv[a->argc++] = s;
			continue;
		}
		if (strcmp(s, "--") == 0) {
			options = 0;
			continue;
		}
		if (s[1] != '-')
			return unknown_option(a, s);
		eq = strchr(s, '=');
		len = eq != NULL ? (size_t)(eq - s - 2) : strlen(s + 2);
		k = find_opt(o, nopts, s + 2, len);
		if (k == -2)
			return parse_error(a, "ambiguous option '%s'", s);
		if (k < 0)
			return unknown_option(a, s);
		ao = &a->opt[k];
		if (o[k].arg == NULL && eq != NULL)
			return parse_error(a, "--%s takes no value", o[k].name);
		if (o[k].arg != NULL) {
			if (eq != NULL)
				value = eq + 1;
			else if (i + 1 < argc)
				value = argv[++i];
			if (value == NULL || ((o[k].flags & CMD_OPT_NONEMPTY) &&
			    *value == '\0'))
				return parse_error(a, "--%s wants a value",
				    o[k].name);
		}
		/*
		 * An option that does not repeat keeps its last value, as
		 * getopt_long left it: scripts put a default first and a
		 * caller's choice after it.
		 */
		if (ao->n > 0 && !(o[k].flags & CMD_OPT_REPEAT))
			ao->n = 0;
		if (value != NULL) {
			ao->v = xreallocarray(ao->v, (size_t)ao->n + 1,
			    sizeof *ao->v);
			ao->v[ao->n] = value;
		}
		ao->n++;
	}
	return 0;
}

void
cmd_args_free(struct cmd_args *a)
{
	int i, n = count_opts(a->entry->opts);

	for (i = 0; i < n && a->opt != NULL; i++)
		free(a->opt[i].v);
	free(a->opt);
	free(a->argv);
	a->opt = NULL;
	a->argv = NULL;
	a->argc = 0;
}

static const struct cmd_args_opt *
lookup(const struct cmd_args *a, const char *name)
{
	const struct cmd_opt *o = a->entry->opts;
	int i;

	for (i = 0; o != NULL && o[i].name != NULL; i++)
		if (strcmp(o[i].name, name) == 0)
			return &a->opt[i];
	acc_fatal("accord %s: no option --%s in its table", a->entry->name,
	    name);
}

int
cmd_args_has(const struct cmd_args *a, const char *name)
{
	return lookup(a, name)->n;
}

const char *
cmd_args_get(const struct cmd_args *a, const char *name)
{
	const struct cmd_args_opt *ao = lookup(a, name);

	return ao->n > 0 && ao->v != NULL ? ao->v[ao->n - 1] : NULL;
}

char **
cmd_args_values(const struct cmd_args *a, const char *name, int *n)
{
	const struct cmd_args_opt *ao = lookup(a, name);

	*n = ao->v != NULL ? ao->n : 0;
	return ao->v;
}

int
cmd_args_int(const struct cmd_args *a, const char *name, long long min,
    long long max, long long *out)
{
	const char *v = cmd_args_get(a, name);

	if (v == NULL)
		return 0;
	if (acc_parse_int(v, min, max, out) != 0)
		return cmd_usage(a->entry, "--%s wants a number from %lld to "
		    "%lld, not '%s'", name, min, max, v);
	return 0;
}

/* "--name ARG" as --help shows it, and its width. */
static int
opt_label(const struct cmd_opt *o, char *out, size_t len)
{
	int n = snprintf(out, len, "--%s%s%s", o->name, o->arg ? " " : "",
	    o->arg ? o->arg : "");

	return n < (int)len ? n : (int)len - 1;
}

void
cmd_help_print(const struct cmd_entry *c, FILE *f)
{
	const struct cmd_opt *o = c->opts;
	int n = count_opts(o), i, w, col = 0;
	char label[128];

	fputs(c->usage, f);
	for (i = 0; i < n; i++) {
		w = opt_label(&o[i], label, sizeof label);
		if (w <= HELP_NAME_MAX && w > col)
			col = w;
	}
	if (n > 0)
		fputc('\n', f);
	for (i = 0; i < n; i++) {
		const char *h = o[i].help, *nl;

		w = opt_label(&o[i], label, sizeof label);
		fprintf(f, "  %s%*s", label, w < col ? col - w + 2 : 2, "");
		while ((nl = strchr(h, '\n')) != NULL) {
			fprintf(f, "%.*s\n%*s", (int)(nl - h), h, col + 4, "");
			h = nl + 1;
		}
		fprintf(f, "%s\n", h);
	}
	if (c->usage_end != NULL) {
		fputc('\n', f);
		fputs(c->usage_end, f);
	}
}
