/*
 * media_store.c: reading media kept in the store (media.h, "Media kept in
 * the store"): whether a content is stored, its chunks streamed in order
 * and hashed, and an item's bytes for the screens, from the store or from
 * its path.  Import writes the chunks (core/import_store.c).
 *
 * One query a chunk, the same SQL on both stores: PostgreSQL's driver
 * fetches a query's rows whole, so a query over all of a blob's chunks
 * would hold the whole file; a chunk at a time holds one.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "accord/media.h"
#include "audio_int.h"
#include "internal.h"
#include "sqlutil.h"

int
media_stored(struct store *st, const char *sha256, long long *bytes,
    char **cause)
{
	struct sql_stmt *s;
	int rc;

	if (sql_prepare(st, "SELECT bytes FROM media_blobs WHERE sha256 = ?1",
	    &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, sha256);
	rc = sql_next(st, s, cause);
	if (rc == 1 && bytes != NULL)
		*bytes = sql_col_int64(s, 0);
	sql_finalize(st, s);
	return rc;
}

void
media_sha_final(void *ctx, char out[65])
{
	EVP_MD_CTX *md = ctx;
	static const char hex[] = "0123456789abcdef";
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (!EVP_DigestFinal_ex(md, d, &n) || n != 32)
		acc_fatal("EVP sha256 final failed");
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
}

/* The blob's size and number of parts: 1, 0 none stored, -1. */
static int
blob_head(struct store *st, const char *sha256, long long *bytes,
    long long *parts, char **cause)
{
	struct sql_stmt *s;
	int rc;

	if (sql_prepare(st, "SELECT bytes, parts FROM media_blobs WHERE "
	    "sha256 = ?1", &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, sha256);
	if ((rc = sql_next(st, s, cause)) == 1) {
		*bytes = sql_col_int64(s, 0);
		*parts = sql_col_int64(s, 1);
	}
	sql_finalize(st, s);
	return rc;
}

int
media_stream(struct store *st, const char *sha256,
    int (*fn)(void *arg, const unsigned char *p, size_t n, char **cause),
    void *arg, char out_sha[65], long long *bytes, char **cause)
{
	struct sql_stmt *s;
	EVP_MD_CTX *md;
	long long want, parts, part, total = 0;
	int rc;

	if ((rc = blob_head(st, sha256, &want, &parts, cause)) != 1)
		return rc < 0 ? -1 : 1;
	if (sql_prepare(st, "SELECT data FROM media_chunks WHERE sha256 = ?1 "
	    "AND part = ?2", &s, cause) != 0)
		return -1;
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		acc_fatal("EVP sha256 init failed");
	rc = 0;
	for (part = 0; part < parts && rc == 0; part++) {
		const unsigned char *p;
		size_t n;
		int got;

		sql_bind_text(s, 1, sha256);
		sql_bind_int(s, 2, part);
		if ((got = sql_next(st, s, cause)) != 1) {
			if (got == 0) {
				acc_error(cause, "part %lld of %lld of the "
				    "stored copy is missing", part + 1, parts);
				got = 2;
			}
			rc = got < 0 ? -1 : 2;
			break;
		}
		p = sql_col_blob(s, 0, &n);
		if (n > 0 && !EVP_DigestUpdate(md, p, n))
			acc_fatal("EVP sha256 update failed");
		total += (long long)n;
		if (fn != NULL && n > 0)
			rc = fn(arg, p, n, cause);
		sql_reset(s);
	}
	sql_finalize(st, s);
	if (rc == 0 && total != want) {
		acc_error(cause, "the stored copy's parts hold %lld bytes, "
		    "not the %lld recorded", total, want);
		rc = 2;
	}
	if (rc == 0) {
		if (out_sha != NULL)
			media_sha_final(md, out_sha);
		if (bytes != NULL)
			*bytes = total;
	}
	EVP_MD_CTX_free(md);
	return rc;
}

/* The bytes gathered by media_load from a stored copy. */
struct gather {
	unsigned char *p;
	size_t len, cap;
};

static int
gather_chunk(void *arg, const unsigned char *p, size_t n, char **cause)
{
	struct gather *g = arg;

	if (n > g->cap - g->len)
		return acc_error(cause, "the stored copy is longer than "
		    "recorded");
	memcpy(g->p + g->len, p, n);
	g->len += n;
	return 0;
}

int
media_load(struct store *st, const char *sha256, const char *path,
    size_t max, unsigned char **data, size_t *len, int *stored,
    char **cause)
{
	struct gather g = { 0 };
	long long bytes = 0;
	char sha[65];
	int rc;

	if (stored != NULL)
		*stored = 0;
	if ((rc = media_stored(st, sha256, &bytes, cause)) < 0)
		return -1;
	if (rc == 0) {
		char *why = NULL;

		if (acc_read_file(path, max, data, len, &why) != 0) {
			acc_error(cause, "cannot read the file: %s", why);
			free(why);
			return -1;
		}
		acc_sha256_hex(*data, *len, sha);
		if (strcmp(sha, sha256) != 0) {
			free(*data);
			*data = NULL;
			return acc_error(cause, "the file changed since it was "
			    "imported (its SHA-256 differs); ask an admin to "
			    "re-import it");
		}
		return 0;
	}
	if (bytes < 0 || (unsigned long long)bytes > max)
		return acc_error(cause, "the stored copy is %lld bytes, over "
		    "the %zu-byte limit", bytes, max);
	g.cap = (size_t)bytes;
	g.p = xmalloc(g.cap + 1);
	if ((rc = media_stream(st, sha256, gather_chunk, &g, sha, NULL,
	    cause)) != 0) {
		free(g.p);
		/* 1: gone between the two reads, though blobs are never
		 * deleted; 2: not whole (*cause says how). */
		if (rc == 1)
			acc_error(cause, "the stored copy went away");
		return -1;
	}
	if (strcmp(sha, sha256) != 0) {
		free(g.p);
		return acc_error(cause, "the stored copy is damaged (its "
		    "SHA-256 differs); ask an admin to run accord check");
	}
	g.p[g.len] = '\0';
	*data = g.p;
	*len = g.len;
	if (stored != NULL)
		*stored = 1;
	return 0;
}
