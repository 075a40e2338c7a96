/*
 * check.c: `accord check`: integrity_check on the store and every item's
 * files re-hashed (check.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "accord/check.h"
#include "accord/project.h"
#include "internal.h"

#define CHECK_BLOCK ((size_t)1 << 20)

const char *
check_state_name(enum check_state s)
{
	switch (s) {
	case CHECK_MISSING:
		return "missing";
	case CHECK_CHANGED:
		return "changed";
	case CHECK_UNREADABLE:
		return "unreadable";
	}
	return "?";
}

int
check_hash_file(const char *path, char out[65], long long *bytes,
    char **cause)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE], *buf;
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx;
	struct stat sb;
	long long total = 0;
	ssize_t n;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		saved = errno;
		acc_error(cause, "%s", strerror(saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		close(fd);
		acc_error(cause, "not a regular file");
		errno = EINVAL;
		return -1;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		acc_fatal("EVP sha256 init failed");
	buf = xmalloc(CHECK_BLOCK);
	for (;;) {
		n = read(fd, buf, CHECK_BLOCK);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (!EVP_DigestUpdate(ctx, buf, (size_t)n))
			acc_fatal("EVP sha256 update failed");
		total += n;
	}
	saved = errno;
	free(buf);
	close(fd);
	if (n < 0) {
		EVP_MD_CTX_free(ctx);
		acc_error(cause, "read error: %s", strerror(saved));
		errno = saved;
		return -1;
	}
	if (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 32)
		acc_fatal("EVP sha256 final failed");
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	if (bytes != NULL)
		*bytes = total;
	return 0;
}

/* One path of one item, as read from the store. */
struct src {
	long long item;
	char *sha256;
	char *path;
	enum check_state state;	/* 0: hashes right */
	char *found;
};

/*
 * The (item, path) pairs, read into memory first so the store's read
 * transaction ends before the slow part: a long read would hold back WAL
 * checkpoints while labelers write.  An item without any item_sources row
 * (none exist today: import writes one per item) falls back to items.path.
 */
static int
check_load(struct store *st, struct src **out, size_t *nout, char **cause)
{
	sqlite3_stmt *s;
	struct src *v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if (sql_prepare(st, "SELECT i.id, i.sha256, s.path FROM items i "
	    "JOIN item_sources s ON s.item = i.id "
	    "UNION ALL SELECT i.id, i.sha256, i.path FROM items i WHERE NOT "
	    "EXISTS (SELECT 1 FROM item_sources s WHERE s.item = i.id) "
	    "ORDER BY 1, 3", &s, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n > 0 && v[n - 1].item == sqlite3_column_int64(s, 0) &&
		    strcmp(v[n - 1].path, sql_text(s, 2)) == 0)
			continue;	/* one path seen in two batches */
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			v = xreallocarray(v, cap, sizeof *v);
		}
		memset(&v[n], 0, sizeof v[n]);
		v[n].item = sqlite3_column_int64(s, 0);
		v[n].sha256 = xstrdup(sql_text(s, 1));
		v[n].path = xstrdup(sql_text(s, 2));
		n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*out = v;
		*nout = n;
		return sql_fail(st, cause, "cannot read items");
	}
	*out = v;
	*nout = n;
	return 0;
}

static void
check_src_free(struct src *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].sha256);
		free(v[i].path);
		free(v[i].found);
	}
	free(v);
}

/*
 * Hashes the paths v[i..j) of one item until one matches its sha256; the
 * others get their state.  Returns 1 if one matched.
 */
static int
check_item(struct src *v, size_t i, size_t j, struct check_result *res)
{
	char *why, sha[65];
	long long bytes;
	size_t k;

	for (k = i; k < j; k++) {
		why = NULL;
		if (check_hash_file(v[k].path, sha, &bytes, &why) == 0) {
			res->bytes_hashed += bytes;
			if (strcmp(sha, v[k].sha256) == 0)
				return 1;
			v[k].state = CHECK_CHANGED;
			v[k].found = xstrdup(sha);
		} else if (errno == ENOENT || errno == ENOTDIR) {
			v[k].state = CHECK_MISSING;
		} else {
			v[k].state = CHECK_UNREADABLE;
			v[k].found = why;
			why = NULL;
		}
		free(why);
	}
	return 0;
}

/* Counts the problems of an item's paths v[i..j) and hands each to fn. */
static void
check_report(const struct src *v, size_t i, size_t j,
    struct check_result *res,
    void (*fn)(void *, const struct check_problem *), void *arg)
{
	size_t k;

	for (k = i; k < j; k++) {
		struct check_problem p;

		switch (v[k].state) {
		case CHECK_MISSING:
			res->missing++;
			break;
		case CHECK_CHANGED:
			res->changed++;
			break;
		case CHECK_UNREADABLE:
			res->unreadable++;
			break;
		}
		if (fn == NULL)
			continue;
		p.item = v[k].item;
		p.path = v[k].path;
		p.sha256 = v[k].sha256;
		p.state = v[k].state;
		p.found = v[k].found;
		fn(arg, &p);
	}
}

int
check_project(struct store *st, const char *user,
    void (*fn)(void *, const struct check_problem *), void *arg,
    struct check_result *res, char **cause)
{
	struct src *v = NULL;
	size_t n = 0, i, j;
	char *why = NULL;

	memset(res, 0, sizeof *res);
	if (project_require(st, user, ROLE_SME, "checking the project",
	    cause) != 0)
		return -1;
	if (store_check(st, &why) == 0)
		res->integrity_ok = 1;
	else
		res->integrity = why;
	if (check_load(st, &v, &n, res->integrity_ok ? cause : NULL) != 0) {
		check_src_free(v, n);
		/* A damaged store may not give its items: say what we have. */
		if (!res->integrity_ok)
			return 0;
		check_result_free(res);
		return -1;
	}
	res->paths = (long long)n;
	for (i = 0; i < n; i = j) {
		/* Paths [i, j) belong to one item. */
		for (j = i; j < n && v[j].item == v[i].item; j++)
			;
		res->items++;
		if (check_item(v, i, j, res)) {
			res->items_ok++;
			continue;
		}
		res->items_bad++;
		check_report(v, i, j, res, fn, arg);
	}
	check_src_free(v, n);
	return 0;
}

void
check_result_free(struct check_result *res)
{
	free(res->integrity);
	res->integrity = NULL;
}
