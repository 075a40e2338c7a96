/*
 * check.c: `accord check`: integrity_check on the store and every item's
 * files, or the copy of its bytes the store keeps, re-hashed (check.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "accord/check.h"
#include "accord/media.h"
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
	case CHECK_DAMAGED:
		return "damaged";
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
	char *why = NULL;
	long long total = 0;
	ssize_t n;
	int fd, saved;

	/* Never blocks: a FIFO in place of a file is an unreadable path,
	 * and the check goes on with the next one. */
	if ((fd = acc_open_regular(path, NULL, &why)) == -1) {
		saved = errno;
		/* EINVAL: not a regular file, and why says what it is */
		acc_error(cause, "%s", saved == EINVAL ? why :
		    strerror(saved));
		free(why);
		errno = saved;
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

/* Items read from the store at a time: the memory check holds. */
#define CHECK_BATCH 1024

/* One path of one item, as read from the store. */
struct src {
	long long item;
	char *sha256;
	char *path;
	int stored;		/* the store keeps the item's bytes */
	enum check_state state;	/* 0: hashes right */
	char *found;
};

/* The paths of up to CHECK_BATCH items, and where the next batch starts. */
struct batch {
	struct src *v;
	size_t n, cap;
	long long last;		/* the highest item id read so far */
};

/*
 * The (item, path) pairs of the next CHECK_BATCH items after b->last, in
 * item then path order.  One statement reads them, its read transaction
 * ending before the slow part (hashing): a long read would hold back WAL
 * checkpoints while labelers write.  Items are never deleted and new ones
 * get higher ids, so batches by id range see each item once.  An item
 * without any item_sources row (none exist today: import writes one per
 * item) falls back to items.path.  The fourth column says whether the
 * store keeps the item's bytes.
 */
/*
 * The batch's id range bounds item_sources too: PostgreSQL's planner,
 * not knowing how many items the range holds, otherwise joined every
 * item_sources row to each batch (a scan of the table per batch, 13 s
 * of a 1M-label check).
 */
#define CHECK_BATCH_END "(SELECT max(id) FROM (SELECT id FROM items " \
	"WHERE id > ?1 ORDER BY id LIMIT ?2) AS b)"
static const char check_batch_sql[] =
    "SELECT i.id, i.sha256, coalesce(s.path, i.path), EXISTS (SELECT 1 "
    "FROM media_blobs m WHERE m.sha256 = i.sha256) FROM items i "
    "LEFT JOIN item_sources s ON s.item = i.id AND s.item > ?1 AND "
    "s.item <= " CHECK_BATCH_END " "
    "WHERE i.id > ?1 AND i.id <= " CHECK_BATCH_END " ORDER BY 1, 3";

static void
check_batch_clear(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->v[i].sha256);
		free(b->v[i].path);
		free(b->v[i].found);
	}
	b->n = 0;
}

/* 1 with b filled, 0 when no items are left, -1 with *cause. */
static int
check_next(struct store *st, struct sql_stmt *s, struct batch *b, char **cause)
{
	struct src *v;
	int rc;

	check_batch_clear(b);
	sql_bind_int(s, 1, b->last);
	sql_bind_int(s, 2, CHECK_BATCH);
	while ((rc = sql_step(s)) == SQL_ROW) {
		if (b->n > 0 && b->v[b->n - 1].item ==
		    sql_col_int64(s, 0) &&
		    strcmp(b->v[b->n - 1].path, sql_text(s, 2)) == 0)
			continue;	/* one path seen in two batches */
		if (b->n == b->cap) {
			b->cap = b->cap ? b->cap * 2 : 256;
			b->v = xreallocarray(b->v, b->cap, sizeof *b->v);
		}
		v = &b->v[b->n++];
		memset(v, 0, sizeof *v);
		v->item = sql_col_int64(s, 0);
		v->sha256 = xstrdup(sql_text(s, 1));
		v->path = xstrdup(sql_text(s, 2));
		v->stored = sql_col_int(s, 3) != 0;
	}
	if (rc != SQL_DONE)
		sql_fail(st, cause, "cannot read items");
	/* Ends the read transaction (autocommit) before any file is read. */
	sql_reset(s);
	if (rc != SQL_DONE)
		return -1;
	if (b->n == 0)
		return 0;
	b->last = b->v[b->n - 1].item;
	return 1;
}

/*
 * The copy the store keeps of item v's bytes, read a chunk at a time:
 * 1 when it hashes right, 0 when not (v->state DAMAGED, v->found why),
 * -1 with *cause when the store fails.
 */
static int
check_stored(struct store *st, struct src *v, struct check_result *res,
    char **cause)
{
	char sha[65], *why = NULL;
	long long bytes = 0;

	switch (media_stream(st, v->sha256, NULL, NULL, sha, &bytes, &why)) {
	case 0:
		res->bytes_hashed += bytes;
		if (strcmp(sha, v->sha256) == 0)
			return 1;
		v->found = xasprintf("the stored copy hashes to %s", sha);
		break;
	case 1:		/* blobs are never deleted */
		v->found = xstrdup("the stored copy went away");
		break;
	case 2:		/* a part missing, or sizes that disagree */
		v->found = why;
		break;
	default:
		if (cause != NULL)
			*cause = why;
		else
			free(why);
		return -1;
	}
	v->state = CHECK_DAMAGED;
	return 0;
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
		case CHECK_DAMAGED:
			res->damaged++;
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

/*
 * Every item's paths, a batch at a time; with hash 0 they are only read
 * (can the items be read at all?).  0, or -1 with *cause.
 */
static int
check_files(struct store *st, struct sql_stmt *s, int hash,
    void (*fn)(void *, const struct check_problem *), void *arg,
    struct check_result *res, char **cause)
{
	struct batch b = { 0 };
	size_t i, j;
	int rc;

	while ((rc = check_next(st, s, &b, cause)) == 1) {
		if (!hash)
			continue;
		res->paths += (long long)b.n;
		for (i = 0; i < b.n; i = j) {
			/* Paths [i, j) belong to one item. */
			for (j = i; j < b.n && b.v[j].item == b.v[i].item; j++)
				;
			res->items++;
			if (b.v[i].stored) {
				/* Its copy decides; reported once. */
				res->stored++;
				if ((rc = check_stored(st, &b.v[i], res,
				    cause)) < 0)
					break;
				if (rc == 1) {
					res->items_ok++;
					continue;
				}
				res->items_bad++;
				check_report(b.v, i, i + 1, res, fn, arg);
				continue;
			}
			if (check_item(b.v, i, j, res)) {
				res->items_ok++;
				continue;
			}
			res->items_bad++;
			check_report(b.v, i, j, res, fn, arg);
		}
		if (rc < 0)
			break;
	}
	check_batch_clear(&b);
	free(b.v);
	return rc;
}

int
check_project(struct store *st, const char *user,
    void (*fn)(void *, const struct check_problem *), void *arg,
    struct check_result *res, char **cause)
{
	struct sql_stmt *s;
	char *why = NULL;
	int rc;

	memset(res, 0, sizeof *res);
	if (project_require(st, user, ROLE_SME, "checking the project",
	    cause) != 0)
		return -1;
	if (store_check(st, &why) == 0)
		res->integrity_ok = 1;
	else
		res->integrity = why;
	rc = sql_prepare(st, check_batch_sql, &s,
	    res->integrity_ok ? cause : NULL);
	/*
	 * A damaged store may not give all its items: then say what we have
	 * and check no file, so first read them all without hashing.
	 */
	if (rc == 0 && !res->integrity_ok)
		rc = check_files(st, s, 0, NULL, NULL, res, NULL);
	if (rc == 0)
		rc = check_files(st, s, 1, fn, arg, res,
		    res->integrity_ok ? cause : NULL);
	sql_finalize(st, s);
	if (rc == 0 || !res->integrity_ok)
		return 0;
	check_result_free(res);
	return -1;
}

void
check_result_free(struct check_result *res)
{
	free(res->integrity);
	res->integrity = NULL;
}
