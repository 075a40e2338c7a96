/*
 * gen_export.c: fills a fresh store with a large labeled project for the
 * export benchmark (tests/bench/export_bench.sh).
 *
 *   gen_export DB NITEMS K SEED [NLABELERS]
 *
 * DB is a store made by `accord init` (its classes and first guideline
 * are used).  Adds, in one transaction: a batch "bench", NITEMS image
 * items (a path, a SHA-256 and the sizes import would record, plus their
 * item_sources row), four metadata values per item (three input metrics
 * and a CSV column, as import and --meta write them), and K labels per
 * item from NLABELERS (default 20) labelers, as one `labels import` would
 * write them (origin 'import', one label_imports row).  The labels come
 * from synth.h's labelers of varied skill.
 *
 * The rows are written with SQL here rather than through `accord import`
 * because import reads and decodes every file, which would make a
 * 100,000-item store take minutes to build; the export reads only rows
 * (CSV and JSON Lines carry the recorded hashes without reading media),
 * so rows are all it needs.  The files are not created.
 *
 * Prints "items=N labels=N labelers=N seconds=S".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "accord/util.h"
#include "synth.h"

#define MAX_CLASSES 64

static sqlite3 *db;

static void
die(const char *what)
{
	fprintf(stderr, "gen_export: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static sqlite3_stmt *
prep(const char *sql)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		die(sql);
	return s;
}

static void
exec(const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(sql);
}

static void
done(sqlite3_stmt *s, const char *what)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		die(what);
	sqlite3_reset(s);
}

int
main(int argc, char **argv)
{
	long long class_id[MAX_CLASSES], nitems, i, batch, import_id;
	long long nlabels = 0;
	int nclasses = 0, borderline = -1, k, nlab = 20, n, j;
	int who[SYNTH_MAX_K], said[SYNTH_MAX_K];
	sqlite3_stmt *s, *item, *src, *meta, *lab;
	struct synth sy;
	uint64_t seed;
	double t0 = acc_monotonic();
	char **names, path[64], hex[65], when[40], cam[16];

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: gen_export DB NITEMS K SEED "
		    "[NLABELERS]\n");
		return 2;
	}
	nitems = synth_arg("gen_export", argv[2], 1, "NITEMS");
	k = (int)synth_arg("gen_export", argv[3], 1, "K");
	seed = (uint64_t)synth_arg("gen_export", argv[4], 0, "SEED");
	if (argc == 6)
		nlab = (int)synth_arg("gen_export", argv[5], 1, "NLABELERS");
	if (k > SYNTH_MAX_K || k > nlab) {
		fprintf(stderr, "gen_export: K must be at most %d and at most "
		    "NLABELERS\n", SYNTH_MAX_K);
		return 2;
	}
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK)
		die(argv[1]);
	exec("PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -524288");

	s = prep("SELECT id, is_borderline FROM classes ORDER BY position");
	while (sqlite3_step(s) == SQLITE_ROW && nclasses < MAX_CLASSES) {
		if (sqlite3_column_int(s, 1))
			borderline = nclasses;
		class_id[nclasses++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (nclasses < 2) {
		fprintf(stderr, "gen_export: %s: want a store with two or "
		    "more classes (accord init)\n", argv[1]);
		return 1;
	}
	synth_init(&sy, nlab, k, nclasses, borderline, seed);
	names = xcalloc((size_t)nlab, sizeof *names);
	for (j = 0; j < nlab; j++)
		names[j] = xasprintf("labeler%02d", j + 1);

	exec("BEGIN IMMEDIATE");
	s = prep("INSERT INTO batches (name, created_by, created_at) VALUES "
	    "('bench', 'bench', '2026-01-01T00:00:00.000Z')");
	done(s, "batch");
	sqlite3_finalize(s);
	batch = sqlite3_last_insert_rowid(db);
	s = prep("INSERT INTO label_imports (file, sha256, rows, imported_by, "
	    "imported_at) VALUES ('bench-labels.csv', ?, ?, 'bench', "
	    "'2026-01-02T00:00:00.000Z')");
	acc_sha256_hex(argv[4], strlen(argv[4]), hex);
	sqlite3_bind_text(s, 1, hex, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, nitems * k);
	done(s, "label_imports");
	sqlite3_finalize(s);
	import_id = sqlite3_last_insert_rowid(db);

	item = prep("INSERT INTO items (id, sha256, path, kind, format, bytes, "
	    "width, height, depth, channels, batch, imported_by, imported_at) "
	    "VALUES (?, ?, ?, 'image', 'png', ?, 1024, 768, 8, 3, ?, 'bench', "
	    "'2026-01-01T00:00:00.000Z')");
	src = prep("INSERT INTO item_sources (item, path, bytes, mtime, batch, "
	    "seen_at) VALUES (?, ?, ?, 1767225600, ?, "
	    "'2026-01-01T00:00:00.000Z')");
	meta = prep("INSERT INTO item_meta (item, key, value, source, "
	    "created_at) VALUES (?, ?, ?, ?, '2026-01-01T00:00:00.000Z')");
	lab = prep("INSERT INTO labels (item, labeler, class, note, guideline, "
	    "seconds_spent, created_at, origin, label_import, recorded_by) "
	    "VALUES (?, ?, ?, '', 1, ?, ?, 'import', ?, 'bench')");
	for (i = 1; i <= nitems; i++) {
		struct synth_rng r = { seed ^ (uint64_t)i << 20 };
		long long bytes = 400000 + (long long)(synth_next(&r) % 800000);
		static const char *const keys[] = { "brightness", "contrast",
			"sharpness" };

		/* Distinct contents have distinct hashes: hash the index. */
		snprintf(path, sizeof path, "item-%lld-%llu", i,
		    (unsigned long long)seed);
		acc_sha256_hex(path, strlen(path), hex);
		snprintf(path, sizeof path, "/srv/bench/img-%07lld.png", i);
		sqlite3_bind_int64(item, 1, i);
		sqlite3_bind_text(item, 2, hex, -1, SQLITE_STATIC);
		sqlite3_bind_text(item, 3, path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(item, 4, bytes);
		sqlite3_bind_int64(item, 5, batch);
		done(item, "items");
		sqlite3_bind_int64(src, 1, i);
		sqlite3_bind_text(src, 2, path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(src, 3, bytes);
		sqlite3_bind_int64(src, 4, batch);
		done(src, "item_sources");
		for (j = 0; j < 3; j++) {
			sqlite3_bind_int64(meta, 1, i);
			sqlite3_bind_text(meta, 2, keys[j], -1, SQLITE_STATIC);
			sqlite3_bind_double(meta, 3, 100.0 * synth_unit(&r));
			sqlite3_bind_text(meta, 4, "metric", -1,
			    SQLITE_STATIC);
			done(meta, "item_meta");
		}
		snprintf(cam, sizeof cam, "cam-%d", (int)(i % 12) + 1);
		sqlite3_bind_int64(meta, 1, i);
		sqlite3_bind_text(meta, 2, "camera", -1, SQLITE_STATIC);
		sqlite3_bind_text(meta, 3, cam, -1, SQLITE_STATIC);
		sqlite3_bind_text(meta, 4, "csv:bench.csv", -1, SQLITE_STATIC);
		done(meta, "item_meta");

		(void)synth_item(&sy, i, who, said);
		for (n = 0; n < k; n++) {
			snprintf(when, sizeof when,
			    "2026-01-%02dT%02d:%02d:%02d.000Z",
			    (int)(1 + (i + n) % 28), (int)(i % 24),
			    (int)(i % 60), n);
			sqlite3_bind_int64(lab, 1, i);
			sqlite3_bind_text(lab, 2, names[who[n]], -1,
			    SQLITE_STATIC);
			sqlite3_bind_int64(lab, 3, class_id[said[n]]);
			sqlite3_bind_double(lab, 4, 2.0 + synth_unit(&r) * 8);
			sqlite3_bind_text(lab, 5, when, -1, SQLITE_STATIC);
			sqlite3_bind_int64(lab, 6, import_id);
			done(lab, "labels");
			nlabels++;
		}
	}
	sqlite3_finalize(item);
	sqlite3_finalize(src);
	sqlite3_finalize(meta);
	sqlite3_finalize(lab);
	exec("COMMIT");
	exec("PRAGMA wal_checkpoint(TRUNCATE)");
	if (sqlite3_close(db) != SQLITE_OK)
		die("close");
	for (j = 0; j < nlab; j++)
		free(names[j]);
	free(names);
	synth_free(&sy);
	printf("items=%lld labels=%lld labelers=%d seconds=%.2f\n", nitems,
	    nlabels, nlab, acc_monotonic() - t0);
	return 0;
}
