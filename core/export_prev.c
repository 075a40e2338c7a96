/*
 * export_prev.c: what --force may replace, and how the replaced export is
 * removed.
 *
 * --force once removed any directory that held a file named
 * manifest.json, whatever the file said: a project's src/ went with it.
 * Now a directory is an earlier export only when its manifest.json parses
 * as JSON, has accord's members (accord_version, store, files) and lists
 * every file under the directory, and removing it unlinks only the files
 * its manifest lists (and the manifest): a file put there since stays,
 * with the directory that holds it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export_int.h"
#include "internal.h"

/* manifest.json is read whole; an export's is some 200 bytes an item. */
#define PREV_MAX_MANIFEST ((size_t)1 << 30)
#define PREV_MAX_DEPTH 64

/* Where the parser is, for what it keeps. */
enum prev_at {
	AT_OTHER,
	AT_TOP,		/* the top-level object */
	AT_FILES,	/* its "files" array */
	AT_FILE,	/* an element of "files" */
};

struct prev_parse {
	const char *s;
	size_t i, n;
	int depth;
	int version, store, files;	/* the members seen */
	char **paths;			/* "path" of each element of "files" */
	int npaths;
	const char *err;
};

static void
ws(struct prev_parse *p)
{
	while (p->i < p->n && strchr(" \t\r\n", p->s[p->i]) != NULL)
		p->i++;
}

static int
bad(struct prev_parse *p, const char *why)
{
	if (p->err == NULL)
		p->err = why;
	return -1;
}

/*
 * A string at p->i into out (when not NULL; \uXXXX escapes are kept as
 * written: a path accord writes has none but for control characters,
 * which no file name it writes holds).
 */
static int
str(struct prev_parse *p, struct buf *out)
{
	if (p->i >= p->n || p->s[p->i] != '"')
		return bad(p, "a string expected");
	for (p->i++; p->i < p->n; p->i++) {
		char c = p->s[p->i];

		if (c == '"') {
			p->i++;
			if (out != NULL)
				buf_add(out, "", 1);
			return 0;
		}
		if ((unsigned char)c < 0x20)
			return bad(p, "a control character in a string");
		if (c == '\\') {
			if (++p->i >= p->n)
				break;
			c = p->s[p->i];
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case '"': case '\\': case '/': break;
			case 'u':
				if (out != NULL)
					buf_add(out, "\\", 1);
				break;
			default:
				return bad(p, "a bad escape in a string");
			}
		}
		if (out != NULL)
			buf_add(out, &c, 1);
	}
	return bad(p, "an unterminated string");
}

static int value(struct prev_parse *, enum prev_at);

/* A member's value, after its key: what the parser keeps depends on where
 * it is and on the key. */
static int
member(struct prev_parse *p, enum prev_at at, const char *key)
{
	enum prev_at next = AT_OTHER;

	if (at == AT_TOP && strcmp(key, "accord_version") == 0) {
		p->version = p->i < p->n && p->s[p->i] == '"';
		return value(p, AT_OTHER);
	}
	if (at == AT_TOP && strcmp(key, "store") == 0)
		p->store = p->i < p->n && p->s[p->i] == '{';
	if (at == AT_TOP && strcmp(key, "files") == 0) {
		p->files = p->i < p->n && p->s[p->i] == '[';
		next = AT_FILES;
	}
	if (at == AT_FILE && strcmp(key, "path") == 0) {
		struct buf b = { 0 };

		if (str(p, &b) != 0) {
			buf_free(&b);
			return -1;
		}
		p->paths = xreallocarray(p->paths, (size_t)p->npaths + 1,
		    sizeof *p->paths);
		p->paths[p->npaths++] = b.s;
		return 0;
	}
	return value(p, next);
}

static int
object(struct prev_parse *p, enum prev_at at)
{
	struct buf key = { 0 };
	int r = -1;

	p->i++;
	ws(p);
	if (p->i < p->n && p->s[p->i] == '}') {
		p->i++;
		return 0;
	}
	for (;;) {
		key.len = 0;
		ws(p);
		if (str(p, &key) != 0)
			break;
		ws(p);
		if (p->i >= p->n || p->s[p->i] != ':') {
			bad(p, "':' expected");
			break;
		}
		p->i++;
		ws(p);
		if (member(p, at, key.s) != 0)
			break;
		ws(p);
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->s[p->i] == '}') {
			p->i++;
			r = 0;
		} else
			bad(p, "',' or '}' expected");
		break;
	}
	buf_free(&key);
	return r;
}

static int
array(struct prev_parse *p, enum prev_at at)
{
	p->i++;
	ws(p);
	if (p->i < p->n && p->s[p->i] == ']') {
		p->i++;
		return 0;
	}
	for (;;) {
		ws(p);
		if (value(p, at == AT_FILES ? AT_FILE : AT_OTHER) != 0)
			return -1;
		ws(p);
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->s[p->i] == ']') {
			p->i++;
			return 0;
		}
		return bad(p, "',' or ']' expected");
	}
}

/* A number or a literal: the characters JSON allows in them. */
static int
scalar(struct prev_parse *p)
{
	static const char *const lit[] = { "true", "false", "null" };
	size_t k, start = p->i;

	for (k = 0; k < 3; k++)
		if (p->n - p->i >= strlen(lit[k]) &&
		    memcmp(p->s + p->i, lit[k], strlen(lit[k])) == 0) {
			p->i += strlen(lit[k]);
			return 0;
		}
	while (p->i < p->n && strchr("0123456789+-.eE", p->s[p->i]) != NULL)
		p->i++;
	return p->i > start ? 0 : bad(p, "a value expected");
}

static int
value(struct prev_parse *p, enum prev_at at)
{
	int r;

	ws(p);
	if (p->i >= p->n)
		return bad(p, "it ends early");
	if (++p->depth > PREV_MAX_DEPTH)
		return bad(p, "nested too deep");
	if (p->s[p->i] == '{')
		r = object(p, at == AT_TOP || at == AT_FILE ? at : AT_OTHER);
	else if (p->s[p->i] == '[')
		r = array(p, at);
	else if (p->s[p->i] == '"')
		r = str(p, NULL);
	else
		r = scalar(p);
	p->depth--;
	return r;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
exp_prev_free(struct exp_prev *pv)
{
	int i;

	for (i = 0; i < pv->npaths; i++)
		free(pv->paths[i]);
	free(pv->paths);
	memset(pv, 0, sizeof *pv);
}

int
exp_prev_parse(const char *data, size_t n, struct exp_prev *pv, char **why)
{
	struct prev_parse p;

	memset(pv, 0, sizeof *pv);
	memset(&p, 0, sizeof p);
	p.s = data;
	p.n = n;
	ws(&p);
	if (p.i >= p.n || p.s[p.i] != '{')
		bad(&p, "not a JSON object");
	else if (value(&p, AT_TOP) == 0) {
		ws(&p);
		if (p.i != p.n)
			bad(&p, "text after the object");
	}
	pv->paths = p.paths;
	pv->npaths = p.npaths;
	if (p.err != NULL) {
		*why = xasprintf("its manifest.json is not JSON: %s at byte "
		    "%zu", p.err, p.i);
		return -1;
	}
	if (!(p.version && p.store && p.files)) {
		*why = xstrdup("its manifest.json has no accord_version, "
		    "store and files");
		return -1;
	}
	if (pv->npaths > 1)
		qsort(pv->paths, (size_t)pv->npaths, sizeof *pv->paths,
		    cmp_str);
	return 0;
}

/* dir's manifest.json parsed into *pv: 0, or -1 with *why (the caller
 * frees). */
static int
prev_manifest(const char *dir, struct exp_prev *pv, char **why)
{
	unsigned char *data = NULL;
	size_t n = 0;
	char *m = xasprintf("%s/manifest.json", dir), *e = NULL;
	int r;

	memset(pv, 0, sizeof *pv);
	r = acc_read_file(m, PREV_MAX_MANIFEST, &data, &n, &e);
	if (r != 0)
		*why = xstrdup(errno == ENOENT ? "no manifest.json" :
		    "its manifest.json cannot be read");
	free(m);
	free(e);
	if (r != 0)
		return -1;
	r = exp_prev_parse((const char *)data, n, pv, why);
	free(data);
	return r;
}

static int
listed(const struct exp_prev *pv, const char *rel)
{
	return strcmp(rel, "manifest.json") == 0 || (pv->npaths > 0 &&
	    bsearch(&rel, pv->paths, (size_t)pv->npaths, sizeof *pv->paths,
	    cmp_str) != NULL);
}

/*
 * Walk the directory open at fd (rel: its path under the export, "" at
 * the top).  Checking (rm 0): the first entry that is neither a directory
 * nor a listed regular file goes into *stray (the caller frees), and the
 * walk stops.  Removing (rm 1): listed regular files are unlinked and
 * emptied directories removed; *left counts what stays.
 */
static int
prev_walk(int fd, const char *rel, const struct exp_prev *pv, int rm,
    char **stray, long long *left)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int r = 0;

	if (d == NULL) {
		close(fd);
		return -1;
	}
	while (r == 0 && (e = readdir(d)) != NULL) {
		struct stat sb;
		char *path;
		int sub;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		path = *rel ? xasprintf("%s/%s", rel, e->d_name) :
		    xstrdup(e->d_name);
		if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
			r = -1;
		else if (S_ISDIR(sb.st_mode)) {
			sub = openat(dirfd(d), e->d_name, O_RDONLY |
			    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			r = sub < 0 ? -1 : prev_walk(sub, path, pv, rm, stray,
			    left);
			if (r == 0 && rm && unlinkat(dirfd(d), e->d_name,
			    AT_REMOVEDIR) != 0)
				(*left)++;
		} else if (S_ISREG(sb.st_mode) && listed(pv, path)) {
			if (rm && unlinkat(dirfd(d), e->d_name, 0) != 0)
				(*left)++;
		} else if (rm)
			(*left)++;
		else {
			*stray = path;
			path = NULL;
			r = 1;
		}
		free(path);
	}
	closedir(d);
	return r;
}

int
exp_prev_check(const char *dir, struct exp_prev *pv, char **cause)
{
	char *why = NULL, *stray = NULL, *shown;
	int fd, r;

	memset(pv, 0, sizeof *pv);
	if (prev_manifest(dir, pv, &why) != 0) {
		exp_prev_free(pv);
		acc_error(cause, "%s: not an accord export (%s); refusing to "
		    "replace it", dir, why);
		free(why);
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	r = fd < 0 ? -1 : prev_walk(fd, "", pv, 0, &stray, NULL);
	if (r < 0) {
		exp_prev_free(pv);
		return acc_error(cause, "%s: %s", dir, strerror(errno));
	}
	if (r > 0) {
		shown = acc_printable(stray);
		acc_error(cause, "%s: not only an accord export (%s is not "
		    "in its manifest); refusing to replace it", dir, shown);
		free(shown);
		free(stray);
		exp_prev_free(pv);
		return -1;
	}
	return 0;
}

long long
exp_prev_remove(const char *dir, const struct exp_prev *pv)
{
	long long left = 0;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 || prev_walk(fd, "", pv, 1, NULL, &left) != 0)
		return left > 0 ? left : 1;
	if (left == 0 && rmdir(dir) != 0)
		left = 1;
	return left;
}
