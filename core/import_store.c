/*
 * import_store.c: the import's writer, the only thread that touches the
 * store: items, their sources, metrics and metadata, and with
 * --store-media their bytes, in transactions that import.c's loop opens
 * and commits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "import_int.h"
#include "sqlutil.h"

int
imp_writer_prepare(struct imp_writer *w, char **cause)
{
	struct store *st = w->st;
	/* item_meta's value: core/internal.h sql_meta_value. */
	int pg = st->kind == STORE_PG;

	return sql_prepare(st, "INSERT INTO items (sha256, path, kind, format, "
	    "bytes, width, height, depth, channels, rate, frames, batch, "
	    "imported_by, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "?9, ?10, ?11, ?12, ?13, ?14) ON CONFLICT (sha256) DO NOTHING "
	    "RETURNING id",
	    &w->item, cause) ||
	    sql_prepare(st, "SELECT id FROM items WHERE sha256 = ?", &w->find,
	    cause) ||
	    /* A path seen before as it is (a re-run adding the bytes with
	     * --store-media) is not a new source. */
	    sql_prepare(st, "INSERT INTO item_sources (item, path, bytes, "
	    "mtime, batch, seen_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE NOT "
	    "EXISTS (SELECT 1 FROM item_sources WHERE path = ?2 AND bytes = "
	    "?3 AND mtime = ?4 AND item = ?1)", &w->source, cause) ||
	    sql_prepare(st, pg ? "INSERT INTO item_meta (item, key, value, "
	    "value_type, value_num, source, created_at) VALUES (?1, ?2, "
	    "CAST(?3 AS text), CASE WHEN ?3 IS NULL THEN 'null' ELSE 'real' "
	    "END, ?3, 'metric', ?4)" : "INSERT INTO item_meta (item, key, "
	    "value, source, created_at) VALUES (?, ?, ?, 'metric', ?)",
	    &w->metric, cause) ||
	    /* A metadata value is added only when it differs from the one in
	     * force, so re-running an import does not grow the history. */
	    sql_prepare(st, pg ? "INSERT INTO item_meta (item, key, value, "
	    "value_type, source, created_at) SELECT ?1, ?2, ?3, CASE WHEN ?3 "
	    "IS NULL THEN 'null' ELSE 'text' END, ?4, ?5 WHERE (SELECT value "
	    "FROM item_meta WHERE item = ?1 AND key = ?2 ORDER BY id DESC "
	    "LIMIT 1) IS DISTINCT FROM ?3" : "INSERT INTO item_meta (item, "
	    "key, value, source, created_at) SELECT ?1, ?2, ?3, ?4, ?5 WHERE "
	    "(SELECT value FROM item_meta WHERE item = ?1 AND key = ?2 ORDER "
	    "BY id DESC LIMIT 1) IS DISTINCT FROM ?3", &w->metaput, cause) ||
	    sql_prepare(st, "INSERT INTO batches (name, created_by, "
	    "created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
	    &w->batch, cause) ||
	    sql_prepare(st, "SELECT id FROM batches WHERE name = ?",
	    &w->batchid, cause) ||
	    (w->opts->store_media && (
	    sql_prepare(st, "SELECT 1 FROM media_blobs WHERE sha256 = ?1",
	    &w->blob_has, cause) ||
	    sql_prepare(st, "INSERT INTO media_blobs (sha256, bytes, parts, "
	    "stored_by, stored_at) VALUES (?1, ?2, ?3, ?4, ?5)", &w->blob,
	    cause) ||
	    sql_prepare(st, "INSERT INTO media_chunks (sha256, part, data) "
	    "VALUES (?1, ?2, ?3)", &w->chunk, cause))) ? -1 : 0;
}

void
imp_writer_finalize(struct imp_writer *w)
{
	struct store *st = w->st;

	sql_finalize(st, w->item);
	sql_finalize(st, w->find);
	sql_finalize(st, w->source);
	sql_finalize(st, w->metric);
	sql_finalize(st, w->metaput);
	sql_finalize(st, w->batch);
	sql_finalize(st, w->batchid);
	sql_finalize(st, w->blob_has);
	sql_finalize(st, w->blob);
	sql_finalize(st, w->chunk);
	free(w->chunkbuf);
	w->chunkbuf = NULL;
}

static int
writer_begin(struct imp_writer *w, char **cause)
{
	int rc;

	if (w->in_tx)
		return 0;
	if (store_begin(w->st, 1, cause) != 0)
		return -1;
	w->in_tx = 1;
	w->tx_items = 0;
	w->tx_bytes = 0;
	w->tx_start = acc_monotonic();
	acc_now_iso(w->now);
	if (w->batch_id == 0) {
		sql_bind_text(w->batch, 1, w->batch_name);
		sql_bind_text(w->batch, 2, w->opts->user);
		sql_bind_text(w->batch, 3, w->now);
		if (sql_step_done(w->st, w->batch, cause) != 0)
			return -1;
		sql_bind_text(w->batchid, 1, w->batch_name);
		if ((rc = sql_next(w->st, w->batchid, cause)) != 1) {
			sql_reset(w->batchid);
			return rc < 0 ? -1 : acc_error(cause, "batch %s was "
			    "not created", w->batch_name);
		}
		w->batch_id = sql_col_int64(w->batchid, 0);
		sql_reset(w->batchid);
	}
	return 0;
}

int
imp_writer_commit(struct imp_writer *w, char **cause)
{
	if (!w->in_tx)
		return 0;
	w->in_tx = 0;
	if (store_commit(w->st, cause) != 0)
		return -1;
	return 0;
}

/* Apply the CSV rows naming this file to item `id`. */
static int
writer_meta(struct imp_writer *w, const char *path, long long id,
    char **cause)
{
	struct imp_meta *m = w->meta;
	int k, c, nrows;
	int rows[64];

	if (m == NULL)
		return 0;
	nrows = imp_meta_rows(m, path, rows, 64);
	for (k = 0; k < nrows; k++) {
		const struct csv_row *row = &m->csv.rows[rows[k]];

		m->matched[rows[k]]++;
		for (c = 0; c < row->nfields; c++) {
			if (c == m->filecol || row->fields[c][0] == '\0')
				continue;
			sql_bind_int(w->metaput, 1, id);
			sql_bind_text(w->metaput, 2, m->csv.rows[0].fields[c]);
			sql_bind_text(w->metaput, 3, row->fields[c]);
			sql_bind_text(w->metaput, 4, m->source);
			sql_bind_text(w->metaput, 5, w->now);
			if (sql_step_done(w->st, w->metaput, cause) != 0)
				return -1;
		}
	}
	return 0;
}

int
imp_writer_unchanged(struct imp_writer *w, const struct imp_file *f,
    char **cause)
{
	if (w->meta == NULL)
		return 0;
	if (writer_begin(w, cause) != 0)
		return -1;
	return writer_meta(w, f->path, f->item, cause);
}

/* Read up to n bytes (fewer only at the end of the file); -1 and errno. */
static ssize_t
read_full(int fd, unsigned char *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(fd, p + got, n - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

/*
 * The file's chunks after its media_blobs row, each inserted as it is
 * read and hashed: 0 when the bytes read are size bytes hashing to sha,
 * 1 with *why when they are not (the file changed since the worker read
 * it), -1 with *cause when the store fails.
 */
static int
blob_chunks(struct imp_writer *w, int fd, const char *sha, long long size,
    char **why, char **cause)
{
	EVP_MD_CTX *ctx;
	long long part = 0, total = 0;
	char got[65];
	int rc = 0;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		acc_fatal("EVP sha256 init failed");
	for (;;) {
		ssize_t n = read_full(fd, w->chunkbuf, MEDIA_CHUNK_BYTES);

		if (n < 0) {
			*why = xasprintf("cannot read it to store it: %s",
			    strerror(errno));
			rc = 1;
			break;
		}
		if (n == 0)
			break;
		if (total + n > size) {
			*why = xstrdup("changed while being imported (it "
			    "grew); import it again");
			rc = 1;
			break;
		}
		if (!EVP_DigestUpdate(ctx, w->chunkbuf, (size_t)n))
			acc_fatal("EVP sha256 update failed");
		sql_bind_text(w->chunk, 1, sha);
		sql_bind_int(w->chunk, 2, part++);
		sql_bind_blob(w->chunk, 3, w->chunkbuf, (size_t)n);
		if (sql_step_done(w->st, w->chunk, cause) != 0) {
			rc = -1;
			break;
		}
		total += n;
	}
	if (rc == 0) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0, i;

		if (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 32)
			acc_fatal("EVP sha256 final failed");
		for (i = 0; i < 32; i++)
			snprintf(got + 2 * i, 3, "%02x", md[i]);
		if (total != size || strcmp(got, sha) != 0) {
			*why = xstrdup("changed while being imported (its "
			    "SHA-256 differs now); import it again");
			rc = 1;
		}
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}

/*
 * Keep the bytes of f, which the worker hashed to sha, in the store,
 * unless they are there already.  The file is read again, a chunk at a
 * time, under a savepoint: if what is read now is not what was hashed,
 * the savepoint is rolled back and *why says so.  0 (stored or there
 * already), 1 with *why, -1 with *cause.
 */
static int
writer_blob(struct imp_writer *w, const struct imp_file *f, const char *sha,
    char **why, char **cause)
{
	char *msg = NULL;
	long long size;
	int fd, rc;

	sql_bind_text(w->blob_has, 1, sha);
	rc = sql_next(w->st, w->blob_has, cause);
	sql_reset(w->blob_has);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	/* Never blocks: the file may have become a FIFO since it was
	 * hashed; that file fails, the import goes on. */
	if ((fd = acc_open_regular(f->path, &size, &msg)) < 0) {
		*why = xasprintf("cannot store it: %s", msg);
		free(msg);
		return 1;
	}
	if ((unsigned long long)size > imp_max_bytes(w->opts)) {
		*why = xasprintf("file is %lld bytes, over the %zu-byte limit",
		    size, imp_max_bytes(w->opts));
		close(fd);
		return 1;
	}
	if (w->chunkbuf == NULL)
		w->chunkbuf = xmalloc(MEDIA_CHUNK_BYTES);
	if (sql_exec(w->st, "SAVEPOINT media_blob", cause) != 0) {
		close(fd);
		return -1;
	}
	sql_bind_text(w->blob, 1, sha);
	sql_bind_int(w->blob, 2, size);
	sql_bind_int(w->blob, 3, (size + (long long)MEDIA_CHUNK_BYTES - 1) /
	    (long long)MEDIA_CHUNK_BYTES);
	sql_bind_text(w->blob, 4, w->opts->user);
	sql_bind_text(w->blob, 5, w->now);
	rc = sql_step_done(w->st, w->blob, cause);
	if (rc == 0)
		rc = blob_chunks(w, fd, sha, size, why, cause);
	close(fd);
	if (rc < 0)
		return -1;	/* the caller rolls the transaction back */
	if (rc == 1 && sql_exec(w->st, "ROLLBACK TO SAVEPOINT media_blob",
	    cause) != 0)
		return -1;
	if (sql_exec(w->st, "RELEASE SAVEPOINT media_blob", cause) != 0)
		return -1;
	if (rc == 0) {
		w->stored++;
		w->stored_bytes += (uint64_t)size;
		w->tx_bytes += size;
	}
	return rc;
}

int
imp_writer_put(struct imp_writer *w, const struct imp_file *f,
    const struct imp_result *r, int *dup, char **why, char **cause)
{
	const struct media_info *in = &r->info;
	long long id;
	int k;

	*why = NULL;
	if (writer_begin(w, cause) != 0)
		return -1;
	/* The bytes first: a file that cannot be stored leaves no row. */
	if (w->opts->store_media &&
	    (k = writer_blob(w, f, r->sha, why, cause)) != 0)
		return k < 0 ? -1 : 0;
	sql_bind_text(w->item, 1, r->sha);
	sql_bind_text(w->item, 2, f->path);
	sql_bind_text(w->item, 3, media_kind_name(in->kind));
	sql_bind_text(w->item, 4, media_format_name(in->format));
	sql_bind_int(w->item, 5, f->bytes);
	for (k = 6; k <= 11; k++)
		sql_bind_null(w->item, k);
	if (in->kind == MEDIA_KIND_IMAGE) {
		sql_bind_int(w->item, 6, in->width);
		sql_bind_int(w->item, 7, in->height);
		sql_bind_int(w->item, 8, in->depth);
		sql_bind_int(w->item, 9, in->channels);
	} else {
		sql_bind_int(w->item, 9, in->channels);
		sql_bind_int(w->item, 10, in->rate);
		sql_bind_int(w->item, 11, in->frames);
	}
	sql_bind_int(w->item, 12, w->batch_id);
	sql_bind_text(w->item, 13, w->opts->user);
	sql_bind_text(w->item, 14, w->now);
	if ((k = sql_insert_id(w->st, w->item, &id, cause)) < 0)
		return -1;
	*dup = k == 0;
	if (*dup) {
		sql_bind_text(w->find, 1, r->sha);
		if ((k = sql_next(w->st, w->find, cause)) != 1) {
			sql_reset(w->find);
			return k < 0 ? -1 : acc_error(cause, "item %s was "
			    "neither added nor found", r->sha);
		}
		id = sql_col_int64(w->find, 0);
		sql_reset(w->find);
	} else {
		for (k = 0; k < in->nmetrics; k++) {
			sql_bind_int(w->metric, 1, id);
			sql_bind_text(w->metric, 2, in->metrics[k].key);
			sql_bind_double(w->metric, 3, in->metrics[k].value);
			sql_bind_text(w->metric, 4, w->now);
			if (sql_step_done(w->st, w->metric, cause) != 0)
				return -1;
		}
	}
	sql_bind_int(w->source, 1, id);
	sql_bind_text(w->source, 2, f->path);
	sql_bind_int(w->source, 3, f->bytes);
	sql_bind_int(w->source, 4, f->mtime);
	sql_bind_int(w->source, 5, w->batch_id);
	sql_bind_text(w->source, 6, w->now);
	if (sql_step_done(w->st, w->source, cause) != 0)
		return -1;
	w->tx_items++;
	return writer_meta(w, f->path, id, cause);
}

int
imp_find_unchanged(struct store *st, struct imp_file *files, int n,
    int store_media, char **cause)
{
	struct sql_stmt *s;
	int i, rc = 0;

	/* With store_media, a file whose bytes are not kept yet is not
	 * skipped: the writer adds them to its item. */
	if (sql_prepare(st, store_media ? "SELECT s.item FROM item_sources s "
	    "JOIN items i ON i.id = s.item WHERE s.path = ?1 AND s.bytes = ?2 "
	    "AND s.mtime = ?3 AND EXISTS (SELECT 1 FROM media_blobs b WHERE "
	    "b.sha256 = i.sha256) LIMIT 1" : "SELECT item FROM item_sources "
	    "WHERE path = ?1 AND bytes = ?2 AND mtime = ?3 LIMIT 1", &s,
	    cause) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		sql_bind_text(s, 1, files[i].path);
		sql_bind_int(s, 2, files[i].bytes);
		sql_bind_int(s, 3, files[i].mtime);
		/* An error is not "not imported yet": stop. */
		if ((rc = sql_next(st, s, cause)) < 0)
			break;
		if (rc == 1)
			files[i].item = sql_col_int64(s, 0);
		sql_reset(s);
	}
	sql_finalize(st, s);
	return rc < 0 ? -1 : 0;
}
