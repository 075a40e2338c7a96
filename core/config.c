/*
 * config.c: project settings after init (config.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accord/config.h"
#include "accord/project.h"
#include "accord/suggest.h"
#include "internal.h"
#include "sqlutil.h"

#define TASK_MAX_BYTES 200

struct key_def {
	const char *key;
	const char *def;	/* default when never set; NULL: set at init */
	int fixed;		/* set at init, never changed */
};

static const struct key_def keys[] = {
	{ "gold-rate", CONFIG_GOLD_RATE_DEFAULT, 0 },
	{ "gold-seed", CONFIG_GOLD_SEED_DEFAULT, 0 },
	{ "media", NULL, 1 },
	{ "ordinal", NULL, 1 },
	{ "overlap", NULL, 0 },
	/* A store made before the setting existed shows paths, as it did. */
	{ "show-paths", CONFIG_SHOW_PATHS_DEFAULT, 0 },
	{ "task", NULL, 0 },
};
#define NKEYS (sizeof keys / sizeof keys[0])

/*
 * "no setting 'X' (did you mean 'Y'? settings: ...)": every key, the
 * fixed ones too, since `config DB KEY` reads them.  Returns -1.
 */
static int
no_setting(const char *key, char **cause)
{
	const char *names[NKEYS];
	char *tail;
	size_t i;

	for (i = 0; i < NKEYS; i++)
		names[i] = keys[i].key;
	tail = suggest_choices(key, "settings", names, NKEYS);
	acc_error(cause, "no setting '%s' (%s; media and ordinal are fixed)",
	    key, tail);
	free(tail);
	return -1;
}

static const struct key_def *
key_find(const char *key)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return NULL;
}

int
config_paths_parse(const char *value)
{
	if (strcmp(value, "full") == 0)
		return CONFIG_PATHS_FULL;
	if (strcmp(value, "basename") == 0)
		return CONFIG_PATHS_BASENAME;
	if (strcmp(value, "none") == 0)
		return CONFIG_PATHS_NONE;
	return -1;
}

int
config_check(const char *key, const char *value, char **norm, char **cause)
{
	const struct key_def *k = key_find(key);
	const char *why;
	long long n;
	double d;

	*norm = NULL;
	if (k == NULL)
		return no_setting(key, cause);
	if (k->fixed)
		return acc_error(cause, "%s is fixed when the project is "
		    "created", key);
	if (strcmp(key, "gold-rate") == 0) {
		size_t len = strlen(value);
		char *num = xstrdup(value);
		int pct = len > 0 && value[len - 1] == '%';

		if (pct)
			num[len - 1] = '\0';
		if (acc_parse_double(num, &d) != 0 || !isfinite(d))
			d = -1;
		else if (pct)
			d /= 100;
		if (d < 0 || d > 1) {
			free(num);
			return acc_error(cause, "gold-rate is a share from 0 to "
			    "1 (or 0%% to 100%%), not '%s'", value);
		}
		free(num);
		*norm = xasprintf("%.6g", d);
	} else if (strcmp(key, "gold-seed") == 0) {
		if (acc_parse_int(value, -0x7fffffffffffffffLL,
		    0x7fffffffffffffffLL, &n) != 0)
			return acc_error(cause, "gold-seed is an integer, not "
			    "'%s'", value);
		*norm = xasprintf("%lld", n);
	} else if (strcmp(key, "overlap") == 0) {
		if (acc_parse_int(value, 1, 100, &n) != 0)
			return acc_error(cause, "overlap is a number from 1 to "
			    "100, not '%s'", value);
		*norm = xasprintf("%lld", n);
	} else if (strcmp(key, "show-paths") == 0) {
		if (config_paths_parse(value) < 0)
			return acc_error(cause, "show-paths is full, basename or "
			    "none, not '%s'", value);
		*norm = xstrdup(value);
	} else {
		if (*value == '\0' || strlen(value) > TASK_MAX_BYTES)
			return acc_error(cause, "task is 1 to %d bytes",
			    TASK_MAX_BYTES);
		if ((why = acc_text_problem(value, 0)) != NULL)
			return acc_error(cause, "task %s", why);
		*norm = xstrdup(value);
	}
	return 0;
}

/* The newest row of key: 1 found (fields filled), 0 none, -1 error. */
static int
newest(struct store *st, const char *key, struct setting *out, char **cause)
{
	struct sql_stmt *s;
	int rc;

	if (sql_prepare(st, "SELECT value, set_by, set_at FROM settings WHERE "
	    "key = ? ORDER BY id DESC LIMIT 1", &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, key);
	rc = sql_step(s);
	if (rc == SQL_ROW) {
		out->key = xstrdup(key);
		out->value = xstrdup(sql_text(s, 0));
		out->set_by = xstrdup(sql_text(s, 1));
		out->set_at = xstrdup(sql_text(s, 2));
		out->is_default = 0;
	}
	sql_finalize(st, s);
	if (rc != SQL_ROW && rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read settings");
	return rc == SQL_ROW;
}

static int
value_of(struct store *st, const struct key_def *k, struct setting *out,
    char **cause)
{
	int r = newest(st, k->key, out, cause);

	if (r != 0)
		return r < 0 ? -1 : 0;
	if (k->def == NULL)
		return acc_error(cause, "store has no setting %s", k->key);
	out->key = xstrdup(k->key);
	out->value = xstrdup(k->def);
	out->set_by = xstrdup("");
	out->set_at = xstrdup("");
	out->is_default = 1;
	return 0;
}

void
config_list_free(struct setting *s, int n)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(s[i].key);
		free(s[i].value);
		free(s[i].set_by);
		free(s[i].set_at);
	}
	free(s);
}

int
config_list(struct store *st, const char *user, struct setting **out, int *n,
    char **cause)
{
	struct setting *v = xcalloc(NKEYS, sizeof *v);
	size_t i;

	*out = NULL;
	*n = 0;
	if (project_require(st, user, ROLE_LABELER, "reading "
	    "settings", cause) != 0) {
		free(v);
		return -1;
	}
	for (i = 0; i < NKEYS; i++)
		if (value_of(st, &keys[i], &v[i], cause) != 0) {
			config_list_free(v, (int)i);
			return -1;
		}
	*out = v;
	*n = (int)NKEYS;
	return 0;
}

int
config_get(struct store *st, const char *key, char **value, char **cause)
{
	const struct key_def *k = key_find(key);
	struct setting s;

	*value = NULL;
	if (k == NULL)
		return no_setting(key, cause);
	memset(&s, 0, sizeof s);
	if (value_of(st, k, &s, cause) != 0)
		return -1;
	*value = s.value;
	s.value = NULL;
	free(s.key);
	free(s.set_by);
	free(s.set_at);
	return 0;
}

int
config_set(struct store *st, const char *user, const char *key,
    const char *value, char **cause)
{
	char *norm, *old = NULL, *detail, now[32];
	int r;

	if (config_check(key, value, &norm, cause) != 0)
		return -1;
	if (project_begin(st, user, ROLE_ADMIN, "changing settings",
	    cause) != 0) {
		free(norm);
		return -1;
	}
	if (config_get(st, key, &old, cause) != 0)
		goto fail;
	if (strcmp(old, norm) == 0) {
		free(old);
		free(norm);
		store_rollback(st);
		return 0;
	}
	acc_now_iso(now);
	{
		const struct sql_arg a[] = { SQL_TEXT(key), SQL_TEXT(norm),
		    SQL_TEXT(user), SQL_TEXT(now) };

		if (SQL_WRITE(st, "INSERT INTO settings (key, value, set_by, "
		    "set_at) VALUES (?, ?, ?, ?)", a, cause) != 0)
			goto fail;
	}
	detail = xasprintf("%s from %s to %s", key, old, norm);
	r = store_audit(st, user, "setting", detail, cause);
	free(detail);
	if (r != 0 || store_commit(st, cause) != 0)
		goto fail;
	free(old);
	free(norm);
	return 0;
fail:
	free(old);
	free(norm);
	store_rollback(st);
	return -1;
}

int
config_gold(struct store *st, double *rate, long long *seed, char **cause)
{
	char *v;
	int r = 0;

	*rate = 0;
	*seed = 0;
	if (config_get(st, "gold-rate", &v, cause) != 0)
		return -1;
	if (acc_parse_double(v, rate) != 0 || !(*rate >= 0 && *rate <= 1))
		r = acc_error(cause, "setting gold-rate holds '%s'", v);
	free(v);
	if (r != 0 || config_get(st, "gold-seed", &v, cause) != 0)
		return -1;
	if (acc_parse_int(v, -0x7fffffffffffffffLL, 0x7fffffffffffffffLL,
	    seed) != 0)
		r = acc_error(cause, "setting gold-seed holds '%s'", v);
	free(v);
	return r;
}

int
config_paths(struct store *st, enum config_paths *out, char **cause)
{
	char *v;
	int r;

	*out = CONFIG_PATHS_NONE;
	if (config_get(st, "show-paths", &v, cause) != 0)
		return -1;
	if ((r = config_paths_parse(v)) < 0)
		r = acc_error(cause, "setting show-paths holds '%s'", v);
	else
		*out = (enum config_paths)r;
	free(v);
	return r < 0 ? -1 : 0;
}
