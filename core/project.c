/*
 * project.c: settings, classes, members and roles, guideline versions.
 */
#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/config.h"
#include "accord/project.h"
#include "internal.h"
#include "sqlutil.h"

static const char *const role_names[] = { "none", "labeler", "sme", "admin" };

const char *
role_name(enum role r)
{
	return r >= ROLE_NONE && r <= ROLE_ADMIN ? role_names[r] : "none";
}

enum role
role_from_name(const char *s)
{
	int i;

	for (i = ROLE_LABELER; i <= ROLE_ADMIN; i++)
		if (strcmp(s, role_names[i]) == 0)
			return (enum role)i;
	return ROLE_NONE;
}

/* A class name: printable, no separators the CLI and CSVs rely on. */
static int
class_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c == 0x7f || c == ',' || c == ':' || c == '"')
			return 0;
	}
	return 1;
}

struct parsed_class {
	char *name;
	char key;
	int borderline;
};

static void
parsed_free(struct parsed_class *pc, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(pc[i].name);
	free(pc);
}

/*
 * Parse "ok,scratch:s,dent" plus the borderline name into an ordered list
 * with keys.  Classes without a key get digits 1..9, 0 in order; the
 * borderline class gets 'b'.
 */
static int
parse_classes(const struct project_spec *spec, struct parsed_class **out,
    int *nout, char **cause)
{
	struct parsed_class *pc = NULL;
	const char *p = spec->classes, *end;
	int n = 0, i, j, digit = 1, bpos = -1;

	if (p == NULL || *p == '\0')
		return acc_error(cause, "--classes is required (e.g. ok,scratch,dent)");
	for (;;) {
		const char *colon;
		size_t len;

		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		colon = memchr(p, ':', len);
		if (n == PROJECT_MAX_CLASSES) {
			parsed_free(pc, n);
			return acc_error(cause, "more than %d classes",
			    PROJECT_MAX_CLASSES);
		}
		pc = xreallocarray(pc, (size_t)n + 1, sizeof *pc);
		memset(&pc[n], 0, sizeof pc[n]);
		if (colon != NULL) {
			size_t klen = len - (size_t)(colon - p) - 1;

			pc[n].name = xstrndup(p, (size_t)(colon - p));
			if (klen != 1 || !isalnum((unsigned char)colon[1])) {
				acc_error(cause, "class %s: a key is one letter or "
				    "digit (name:key)", pc[n].name);
				parsed_free(pc, n + 1);
				return -1;
			}
			pc[n].key = colon[1];
		} else
			pc[n].name = xstrndup(p, len);
		n++;
		if (!class_name_ok(pc[n - 1].name, strlen(pc[n - 1].name))) {
			acc_error(cause, "bad class name '%s' (1-64 printable "
			    "characters, no spaces, commas, colons or quotes)",
			    pc[n - 1].name);
			parsed_free(pc, n);
			return -1;
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	if (spec->borderline != NULL) {
		for (i = 0; i < n; i++)
			if (strcmp(pc[i].name, spec->borderline) == 0)
				bpos = i;
		if (bpos == -1) {
			if (spec->ordinal) {
				acc_error(cause, "with --ordinal, list the "
				    "borderline class in --classes where it sits "
				    "on the scale (e.g. ok,%s,defect)",
				    spec->borderline);
				parsed_free(pc, n);
				return -1;
			}
			pc = xreallocarray(pc, (size_t)n + 1, sizeof *pc);
			memset(&pc[n], 0, sizeof pc[n]);
			pc[n].name = xstrdup(spec->borderline);
			if (!class_name_ok(pc[n].name, strlen(pc[n].name))) {
				acc_error(cause, "bad borderline class name '%s'",
				    pc[n].name);
				parsed_free(pc, n + 1);
				return -1;
			}
			bpos = n++;
		} else if (spec->ordinal && (bpos == 0 || bpos == n - 1)) {
			acc_error(cause, "with --ordinal the borderline class "
			    "%s must sit between two classes, not at an end",
			    spec->borderline);
			parsed_free(pc, n);
			return -1;
		}
		if (pc[bpos].key != '\0' && pc[bpos].key != 'b') {
			acc_error(cause, "the borderline class %s always has key b",
			    pc[bpos].name);
			parsed_free(pc, n);
			return -1;
		}
		pc[bpos].borderline = 1;
		pc[bpos].key = 'b';
	}
	if (n < 2) {
		parsed_free(pc, n);
		return acc_error(cause, "a project needs at least two classes");
	}
	for (i = 0; i < n; i++) {
		if (pc[i].borderline)
			continue;
		if (pc[i].key != '\0' && strchr(PROJECT_RESERVED_KEYS,
		    pc[i].key) != NULL) {
			acc_error(cause, "class %s: key %c is taken by an action "
			    "(reserved: %s)", pc[i].name, pc[i].key,
			    PROJECT_RESERVED_KEYS);
			parsed_free(pc, n);
			return -1;
		}
	}
	/* Digits for the rest, skipping digits already given explicitly. */
	for (i = 0; i < n; i++) {
		if (pc[i].key != '\0')
			continue;
		for (;;) {
			char d = (char)('0' + digit % 10);
			int used = 0;

			if (digit > 10) {
				acc_error(cause, "more than ten classes without "
				    "keys: give the rest a letter (name:key)");
				parsed_free(pc, n);
				return -1;
			}
			for (j = 0; j < n; j++)
				if (pc[j].key == d)
					used = 1;
			digit++;
			if (!used) {
				pc[i].key = d;
				break;
			}
		}
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			if (strcmp(pc[i].name, pc[j].name) == 0) {
				acc_error(cause, "class %s is listed twice",
				    pc[i].name);
				parsed_free(pc, n);
				return -1;
			}
			if (pc[i].key == pc[j].key) {
				acc_error(cause, "classes %s and %s share key %c",
				    pc[i].name, pc[j].name, pc[i].key);
				parsed_free(pc, n);
				return -1;
			}
		}
	*out = pc;
	*nout = n;
	return 0;
}

char *
guideline_class_section(const char *text, const char *name)
{
	const char *p = text, *body = NULL;
	size_t nlen = strlen(name);
	struct buf b = { 0 };

	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (body != NULL && len > 0 && p[0] == '#')
			break;
		if (body == NULL && len >= 3 && strncmp(p, "## ", 3) == 0) {
			const char *h = p + 3;
			size_t hl = len - 3;

			while (hl > 0 && (h[hl - 1] == ' ' || h[hl - 1] == '\r'))
				hl--;
			while (hl > 0 && *h == ' ')
				h++, hl--;
			if (hl == nlen && strncmp(h, name, nlen) == 0)
				body = eol ? eol + 1 : p + len;
		} else if (body != NULL)
			buf_add(&b, p, eol ? len + 1 : len);
		p = eol ? eol + 1 : p + len;
	}
	if (body == NULL)
		return NULL;
	if (b.s == NULL)
		return xstrdup("");
	/* Trim surrounding blank lines and spaces. */
	while (b.len > 0 && isspace((unsigned char)b.s[b.len - 1]))
		b.s[--b.len] = '\0';
	{
		size_t lead = strspn(b.s, " \t\r\n");
		char *t = xstrdup(b.s + lead);

		buf_free(&b);
		return t;
	}
}

static int
setting_put(struct store *st, const char *user, const char *now,
    const char *key, const char *value, char **cause)
{
	sqlite3_stmt *s;
	int r;

	if (sql_prepare(st, "INSERT INTO settings (key, value, set_by, set_at) "
	    "VALUES (?, ?, ?, ?)", &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, key);
	sql_bind_text(s, 2, value);
	sql_bind_text(s, 3, user);
	sql_bind_text(s, 4, now);
	r = sql_step_done(st, s, cause);
	sqlite3_finalize(s);
	return r;
}

static char *
default_guideline(const struct project_spec *spec, struct parsed_class *pc,
    int n)
{
	struct buf b = { 0 };
	int i;

	buf_printf(&b, "# %s\n\nLabel each %s with one class.\n", spec->task,
	    spec->media == MEDIA_KIND_AUDIO ? "clip" : "image");
	for (i = 0; i < n; i++)
		buf_printf(&b, "\n## %s\n\n%s\n", pc[i].name, pc[i].borderline ?
		    "Use when the item could reasonably be either neighbouring "
		    "class; add a note saying why." : "(not yet described)");
	return b.s;
}

static int
init_rows(struct store *st, const struct project_spec *spec,
    struct parsed_class *pc, int n, const char *text, const char *user,
    char **cause)
{
	sqlite3_stmt *s = NULL, *g = NULL;
	char now[32], num[32];
	int i, r = -1;

	acc_now_iso(now);
	snprintf(num, sizeof num, "%d", spec->overlap);
	if (setting_put(st, user, now, "task", spec->task, cause) != 0 ||
	    setting_put(st, user, now, "media", media_kind_name(spec->media),
	    cause) != 0 ||
	    setting_put(st, user, now, "overlap", num, cause) != 0 ||
	    setting_put(st, user, now, "ordinal", spec->ordinal ? "1" : "0",
	    cause) != 0)
		return -1;
	if (spec->gold_rate != NULL) {
		char *rate;

		if (config_check("gold-rate", spec->gold_rate, &rate,
		    cause) != 0)
			return -1;
		r = setting_put(st, user, now, "gold-rate", rate, cause);
		free(rate);
		if (r != 0)
			return -1;
	}
	if (sql_prepare(st, "INSERT INTO guidelines (version, text, author, "
	    "created_at, reason) VALUES (1, ?, ?, ?, 'initial definitions')",
	    &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, text);
	sql_bind_text(s, 2, user);
	sql_bind_text(s, 3, now);
	if (sql_step_done(st, s, cause) != 0)
		goto out;
	sqlite3_finalize(s);
	if (sql_prepare(st, "INSERT INTO classes (name, key, position, "
	    "is_borderline) VALUES (?, ?, ?, ?)", &s, cause) != 0 ||
	    sql_prepare(st, "INSERT INTO guideline_classes (version, class, "
	    "description) VALUES (1, last_insert_rowid(), ?)", &g, cause) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		char key[2] = { pc[i].key, '\0' };
		char *desc = guideline_class_section(text, pc[i].name);

		sql_bind_text(s, 1, pc[i].name);
		sql_bind_text(s, 2, key);
		sql_bind_int(s, 3, i);
		sql_bind_int(s, 4, pc[i].borderline);
		sql_bind_text(g, 1, desc ? desc : "");
		free(desc);
		if (sql_step_done(st, s, cause) != 0 ||
		    sql_step_done(st, g, cause) != 0)
			goto out;
	}
	sqlite3_finalize(s);
	if (sql_prepare(st, "INSERT INTO members (user, role, active, "
	    "changed_by, changed_at) VALUES (?, 'admin', 1, ?, ?)", &s,
	    cause) != 0)
		goto out;
	sql_bind_text(s, 1, user);
	sql_bind_text(s, 2, user);
	sql_bind_text(s, 3, now);
	if (sql_step_done(st, s, cause) != 0)
		goto out;
	{
		char *detail = xasprintf("task=%s media=%s classes=%s "
		    "borderline=%s ordinal=%d overlap=%d", spec->task,
		    media_kind_name(spec->media), spec->classes,
		    spec->borderline ? spec->borderline : "", spec->ordinal,
		    spec->overlap);

		r = store_audit(st, user, "init", detail, cause);
		free(detail);
		if (r == 0)
			r = store_audit(st, user, "member add", "admin", cause);
	}
out:
	sqlite3_finalize(s);
	sqlite3_finalize(g);
	return r;
}

int
project_init(const char *path, const struct project_spec *spec,
    const char *user, char **cause)
{
	struct parsed_class *pc = NULL;
	struct store *st;
	char *text;
	int n = 0;

	if (user == NULL)
		return acc_error(cause, "cannot tell which OS user is running "
		    "accord");
	if (spec->task == NULL || *spec->task == '\0')
		return acc_error(cause, "--task is required");
	if (spec->media != MEDIA_KIND_IMAGE && spec->media != MEDIA_KIND_AUDIO)
		return acc_error(cause, "--media must be image or audio");
	if (spec->overlap < 1 || spec->overlap > 100)
		return acc_error(cause, "--overlap must be 1 to 100");
	if (spec->gold_rate != NULL) {
		char *rate;

		if (config_check("gold-rate", spec->gold_rate, &rate, cause) != 0)
			return -1;
		free(rate);
	}
	if (parse_classes(spec, &pc, &n, cause) != 0)
		return -1;
	text = spec->guideline_text ? xstrdup(spec->guideline_text) :
	    default_guideline(spec, pc, n);
	if (store_create(path, STORE_SCHEMA_VERSION, &st, cause) != 0) {
		free(text);
		parsed_free(pc, n);
		return -1;
	}
	if (store_begin(st, 1, cause) != 0 ||
	    init_rows(st, spec, pc, n, text, user, cause) != 0 ||
	    store_commit(st, cause) != 0) {
		store_close(st);
		store_unlink_files(path);
		free(text);
		parsed_free(pc, n);
		return -1;
	}
	store_close(st);
	free(text);
	parsed_free(pc, n);
	return 0;
}

static char *
setting_get(struct store *st, const char *key, char **cause)
{
	sqlite3_stmt *s;
	char *v = NULL;
	int rc;

	if (sql_prepare(st, "SELECT value FROM settings WHERE key = ? "
	    "ORDER BY id DESC LIMIT 1", &s, cause) != 0)
		return NULL;
	sql_bind_text(s, 1, key);
	rc = sql_next(st, s, cause);
	if (rc == 1)
		v = xstrdup(sql_text(s, 0));
	else if (rc == 0)
		acc_error(cause, "store has no setting %s", key);
	sqlite3_finalize(s);
	return v;
}

int
project_load(struct store *st, struct project *p, char **cause)
{
	sqlite3_stmt *s;
	char *v;
	long long n;
	int rc;

	memset(p, 0, sizeof *p);
	if ((p->task = setting_get(st, "task", cause)) == NULL)
		goto fail;
	if ((v = setting_get(st, "media", cause)) == NULL)
		goto fail;
	p->media = media_kind_from_name(v);
	free(v);
	if ((v = setting_get(st, "overlap", cause)) == NULL)
		goto fail;
	p->overlap = atoi(v);
	free(v);
	if ((v = setting_get(st, "ordinal", cause)) == NULL)
		goto fail;
	p->ordinal = atoi(v);
	free(v);
	if (sql_int(st, "SELECT max(version) FROM guidelines", NULL, &n,
	    cause) != 1)
		goto fail;
	p->guideline = (int)n;
	if (sql_prepare(st, "SELECT c.id, c.name, c.key, c.position, "
	    "c.is_borderline, coalesce(g.description, '') FROM classes c "
	    "LEFT JOIN guideline_classes g ON g.class = c.id AND g.version = "
	    "(SELECT max(version) FROM guideline_classes WHERE class = c.id) "
	    "ORDER BY c.position", &s, cause) != 0)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct class_def *c;

		p->classes = xreallocarray(p->classes, (size_t)p->nclasses + 1,
		    sizeof *p->classes);
		c = &p->classes[p->nclasses++];
		c->id = sqlite3_column_int(s, 0);
		c->name = xstrdup(sql_text(s, 1));
		c->key = sql_text(s, 2)[0];
		c->position = sqlite3_column_int(s, 3);
		c->borderline = sqlite3_column_int(s, 4);
		c->description = xstrdup(sql_text(s, 5));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		sql_fail(st, cause, "cannot read classes");
		goto fail;
	}
	return 0;
fail:
	project_free(p);
	return -1;
}

void
project_free(struct project *p)
{
	int i;

	for (i = 0; i < p->nclasses; i++) {
		free(p->classes[i].name);
		free(p->classes[i].description);
	}
	free(p->classes);
	free(p->task);
	memset(p, 0, sizeof *p);
}

const struct class_def *
project_class(const struct project *p, const char *name)
{
	int i;

	for (i = 0; i < p->nclasses; i++)
		if (strcmp(p->classes[i].name, name) == 0)
			return &p->classes[i];
	return NULL;
}

const struct class_def *
project_class_by_id(const struct project *p, int id)
{
	int i;

	for (i = 0; i < p->nclasses; i++)
		if (p->classes[i].id == id)
			return &p->classes[i];
	return NULL;
}

int
project_role(struct store *st, const char *user, enum role *out, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	*out = ROLE_NONE;
	if (user == NULL)
		return 0;
	if (sql_prepare(st, "SELECT role FROM current_members WHERE user = ?",
	    &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, user);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = role_from_name(sql_text(s, 0));
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(st, cause, "cannot read members");
	return 0;
}

int
project_require(struct store *st, const char *user, enum role min,
    const char *what, char **cause)
{
	enum role r;

	if (project_role(st, user, &r, cause) != 0)
		return -1;
	if (r >= min)
		return 0;
	{
		char *detail = xasprintf("%s (needs %s, has %s)", what,
		    role_name(min), role_name(r));

		store_audit(st, user ? user : "?", "refused", detail, NULL);
		free(detail);
	}
	if (r == ROLE_NONE)
		return acc_error(cause, "%s is not a member of this project; "
		    "an admin can add them with accord member add", user ?
		    user : "this user");
	return acc_error(cause, "%s needs the %s role (%s is %s)", what,
	    role_name(min), user, role_name(r));
}

static int
member_row(struct store *st, const char *actor, const char *user,
    enum role role, int active, char **cause)
{
	sqlite3_stmt *s;
	char now[32];
	int r;

	acc_now_iso(now);
	if (sql_prepare(st, "INSERT INTO members (user, role, active, "
	    "changed_by, changed_at) VALUES (?, ?, ?, ?, ?)", &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, user);
	sql_bind_text(s, 2, role_name(role));
	sql_bind_int(s, 3, active);
	sql_bind_text(s, 4, actor);
	sql_bind_text(s, 5, now);
	r = sql_step_done(st, s, cause);
	sqlite3_finalize(s);
	return r;
}

/* How many admins there would be if `user` were not one. */
static int
other_admins(struct store *st, const char *user, long long *n, char **cause)
{
	return sql_int(st, "SELECT count(*) FROM current_members WHERE "
	    "role = 'admin' AND user != ?", user, n, cause) < 0 ? -1 : 0;
}

int
member_set(struct store *st, const char *actor, const char *user,
    enum role role, char **cause)
{
	enum role old;
	long long admins;
	char *detail;

	if (role == ROLE_NONE)
		return acc_error(cause, "--role must be labeler, sme or admin");
	if (getpwnam(user) == NULL)
		return acc_error(cause, "no OS user named '%s' on this host",
		    user);
	if (store_begin(st, 1, cause) != 0)
		return -1;
	if (project_require(st, actor, ROLE_ADMIN, "changing members",
	    cause) != 0) {
		/* Keep the refusal's audit row. */
		if (store_commit(st, NULL) != 0)
			store_rollback(st);
		return -1;
	}
	if (project_role(st, user, &old, cause) != 0)
		goto fail;
	if (old == role) {
		store_rollback(st);
		return acc_error(cause, "%s is already %s %s", user,
		    role == ROLE_ADMIN ? "an" : "a", role_name(role));
	}
	if (old == ROLE_ADMIN) {
		if (other_admins(st, user, &admins, cause) != 0)
			goto fail;
		if (admins == 0) {
			acc_error(cause, "%s is the only admin; make another "
			    "admin first", user);
			goto fail;
		}
	}
	detail = old == ROLE_NONE ? xasprintf("%s as %s", user, role_name(role))
	    : xasprintf("%s from %s to %s", user, role_name(old),
	    role_name(role));
	if (member_row(st, actor, user, role, 1, cause) != 0 ||
	    store_audit(st, actor, old == ROLE_NONE ? "member add" :
	    "member role", detail, cause) != 0) {
		free(detail);
		goto fail;
	}
	free(detail);
	return store_commit(st, cause);
fail:
	store_rollback(st);
	return -1;
}

int
member_remove(struct store *st, const char *actor, const char *user,
    char **cause)
{
	enum role old;
	long long admins;

	if (store_begin(st, 1, cause) != 0)
		return -1;
	if (project_require(st, actor, ROLE_ADMIN, "changing members",
	    cause) != 0) {
		if (store_commit(st, NULL) != 0)
			store_rollback(st);
		return -1;
	}
	if (project_role(st, user, &old, cause) != 0)
		goto fail;
	if (old == ROLE_NONE) {
		acc_error(cause, "%s is not a member", user);
		goto fail;
	}
	if (old == ROLE_ADMIN) {
		if (other_admins(st, user, &admins, cause) != 0)
			goto fail;
		if (admins == 0) {
			acc_error(cause, "%s is the only admin; make another "
			    "admin first", user);
			goto fail;
		}
	}
	if (member_row(st, actor, user, old, 0, cause) != 0 ||
	    store_audit(st, actor, "member remove", user, cause) != 0)
		goto fail;
	return store_commit(st, cause);
fail:
	store_rollback(st);
	return -1;
}

int
member_list(struct store *st, const char *user, struct member **out, int *n,
    char **cause)
{
	sqlite3_stmt *s;
	struct member *m = NULL;
	int k = 0, rc;

	if (project_require(st, user, ROLE_LABELER, "listing members", cause)
	    != 0)
		return -1;
	if (sql_prepare(st, "SELECT user, role, changed_by, changed_at FROM "
	    "current_members ORDER BY user", &s, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		m = xreallocarray(m, (size_t)k + 1, sizeof *m);
		m[k].user = xstrdup(sql_text(s, 0));
		m[k].role = role_from_name(sql_text(s, 1));
		m[k].changed_by = xstrdup(sql_text(s, 2));
		m[k].changed_at = xstrdup(sql_text(s, 3));
		k++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		member_list_free(m, k);
		return sql_fail(st, cause, "cannot read members");
	}
	*out = m;
	*n = k;
	return 0;
}

void
member_list_free(struct member *m, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		free(m[i].user);
		free(m[i].changed_by);
		free(m[i].changed_at);
	}
	free(m);
}

int
guideline_text(struct store *st, int version, char **text, int *got_version,
    char **cause)
{
	sqlite3_stmt *s;
	int rc;

	if (sql_prepare(st, version > 0 ?
	    "SELECT version, text FROM guidelines WHERE version = ?" :
	    "SELECT version, text FROM guidelines ORDER BY version DESC "
	    "LIMIT 1", &s, cause) != 0)
		return -1;
	if (version > 0)
		sql_bind_int(s, 1, version);
	if ((rc = sql_next(st, s, cause)) != 1) {
		sqlite3_finalize(s);
		return rc < 0 ? -1 : acc_error(cause, "no guideline version %d",
		    version);
	}
	*got_version = sqlite3_column_int(s, 0);
	*text = xstrdup(sql_text(s, 1));
	sqlite3_finalize(s);
	return 0;
}
