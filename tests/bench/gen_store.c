/*
 * gen_store.c: a large labeled project for the `accord agree` benchmark
 * (tests/bench/agree_bench.sh).
 *
 *   gen_store DB ITEMS LABELERS SEED [PER_ITEM]
 *
 * Creates DB through the real init path (project_init: schema, settings,
 * classes, guideline 1, the running OS user as admin), then adds in one
 * transaction what `accord import` and `accord labels import` would have
 * written, without media files behind it:
 *
 *  - one batch "bench" and ITEMS items (kind image, a SHA-256 of the seed
 *    and the item number standing in for the content hash), each with its
 *    item_sources row;
 *  - metadata per item: `site` (text, "site-a".."site-d", source
 *    csv:gen_store) and `brightness` (a number in 0.05..0.95, source
 *    metric), so `accord agree --by site|brightness` has slices;
 *  - the labels of LABELERS labelers as one label_imports row, its labels
 *    (origin 'import', recorded_by the running user) and an audit row, as
 *    `accord labels import` records labels made elsewhere.  Imported
 *    labelers need not be OS users, so no accounts are created.
 *
 * The labels come from a seeded model.  Classes ok < unsure < defect form
 * an ordinal scale with `unsure` the borderline class; each item's true
 * class is ok, unsure or defect with probability 0.70, 0.10, 0.20.
 * Labeler j (named labelerJ, from 1) labels with accuracy 0.95, 0.90,
 * 0.85, 0.80, 0.70 (the sixth and later: 0.70), 0.10 lower on site-d, and
 * otherwise picks one of the two wrong classes at random; 10% of the cells
 * (item, labeler) are left empty.  Each labeler works through the items
 * in order at their own pace (a mean of 3 + j seconds a label), and label
 * rows are written in the order of the times they were made, so rows of
 * one item are interleaved with other items' rows as in a real store, not
 * grouped by item.  No label is superseded or withdrawn: every row is in
 * force, so the rows and the current_labels view hold the same triples.
 *
 * With PER_ITEM (1..LABELERS, at most 100), the store of a large team:
 * LABELERS may then be up to 65,535, and each item is labeled by exactly
 * PER_ITEM labelers drawn uniformly without replacement from the
 * LABELERS (Floyd's sampling, then in name order), none left empty; the
 * project's overlap is PER_ITEM.  Everything else is as above (labeler
 * j's accuracy, pace and the time order of the rows), so the labels grow
 * with ITEMS x PER_ITEM while the items x labelers matrix grows with
 * ITEMS x LABELERS: the store `accord agree` and `accord export` must
 * read in memory proportional to the labels.  Without PER_ITEM the store
 * is exactly what the four arguments always gave.
 *
 * Prints one line: items=N labels=M seconds=S (generation time).  The
 * same arguments give the same store (up to import times and the user).
 */
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accord/project.h"
#include "accord/util.h"
#include "bench_rng.h"

#define NCLASS 3
#define NSITE 4
#define MISSING 0.10

static const double prevalence[NCLASS] = { 0.70, 0.10, 0.20 };
static const double accuracy[] = { 0.95, 0.90, 0.85, 0.80, 0.70 };
#define NACC (int)(sizeof accuracy / sizeof accuracy[0])

/* One label row before it is written: made at time t by labeler lab. */
struct row {
	double t, spent;
	int item, lab, cls;
};

static int
row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->lab - y->lab;
}

/*
 * Floyd's algorithm (Bentley, "Programming Pearls", column 12): n distinct
 * labelers of 0..nlab-1, uniform, into pick[] in ascending order.
 */
static void
pick_labelers(struct rng *rng, int nlab, int n, int *pick)
{
	int m = 0, j, t, a;

	for (j = nlab - n; j < nlab; j++) {
		t = (int)(rng_next(rng) % (uint64_t)(j + 1));
		for (a = 0; a < m && pick[a] != t; a++)
			;
		pick[m] = a < m ? j : t;
		m++;
	}
	for (j = 1; j < m; j++)	/* insertion sort: n is small */
		for (a = j; a > 0 && pick[a - 1] > pick[a]; a--) {
			t = pick[a];
			pick[a] = pick[a - 1];
			pick[a - 1] = t;
		}
}

static void
die(const char *db, const char *what, const char *why)
{
	fprintf(stderr, "gen_store: %s: %s: %s\n", db, what, why);
	exit(1);
}

static void
exec_or_die(sqlite3 *h, const char *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(h, sql, NULL, NULL, &err) != SQLITE_OK)
		die(db, sql, err ? err : sqlite3_errmsg(h));
}

static sqlite3_stmt *
prepare_or_die(sqlite3 *h, const char *db, const char *sql)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK)
		die(db, sql, sqlite3_errmsg(h));
	return s;
}

static void
step_or_die(sqlite3 *h, const char *db, sqlite3_stmt *s)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		die(db, sqlite3_sql(s), sqlite3_errmsg(h));
	sqlite3_reset(s);
}

/* Seconds after 2024-01-01T00:00:00Z as an ISO 8601 time, like acc_now_iso. */
static void
iso_time(double t, char out[32])
{
	time_t sec = (time_t)1704067200 + (time_t)t;
	struct tm tm;
	char big[128];

	gmtime_r(&sec, &tm);
	snprintf(big, sizeof big, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)((t - floor(t)) * 1000));
	big[31] = '\0';
	memcpy(out, big, 32);
}

int
main(int argc, char **argv)
{
	struct project_spec spec = {
		.task = "agree benchmark", .media = MEDIA_KIND_IMAGE,
		.classes = "ok,unsure,defect", .borderline = "unsure",
		.ordinal = 1, .overlap = 5,
	};
	static const char *const sites[NSITE] = { "site-a", "site-b",
	    "site-c", "site-d" };
	const char *db, *user = acc_os_user();
	long long nitems, nlab, seed, batch, import_id, per_item = 0;
	long long class_id[NCLASS];
	struct rng rng;
	struct row *rows;
	double t0 = acc_monotonic(), *clock_at;
	size_t nrows = 0, k;
	char *cause = NULL, *what, *move_trigger, sha[65], now[32], when[32];
	int *site, *pick, i, j, c, p, ncell;
	sqlite3 *h;
	sqlite3_stmt *s, *ins_item, *ins_src, *ins_meta, *ins_label;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: gen_store DB ITEMS LABELERS SEED\n");
		return 2;
	}
	db = argv[1];
	if (argc == 6) {
		if (acc_parse_int(argv[2], 1, 10000000, &nitems) != 0 ||
		    acc_parse_int(argv[3], 1, 65535, &nlab) != 0 ||
		    acc_parse_int(argv[4], 0, INT64_MAX, &seed) != 0 ||
		    acc_parse_int(argv[5], 1, nlab < 100 ? nlab : 100,
		    &per_item) != 0) {
			fprintf(stderr, "gen_store: ITEMS 1..10^7, LABELERS "
			    "1..65535, SEED >= 0, PER_ITEM 1..min(LABELERS, "
			    "100)\n");
			return 2;
		}
		spec.overlap = (int)per_item;
	} else if (acc_parse_int(argv[2], 1, 10000000, &nitems) != 0 ||
	    acc_parse_int(argv[3], 1, 100, &nlab) != 0 ||
	    acc_parse_int(argv[4], 0, INT64_MAX, &seed) != 0) {
		fprintf(stderr, "gen_store: ITEMS 1..10^7, LABELERS 1..100, "
		    "SEED >= 0\n");
		return 2;
	}
	ncell = (int)(per_item ? per_item : nlab);
	if (project_init(db, &spec, user, &cause) != 0)
		die(db, "init", cause);

	/*
	 * The truth and the labels first, in memory: the rows must be sorted
	 * by the time they were made before they are written.
	 */
	rng.s = (uint64_t)seed;
	site = xcalloc((size_t)nitems, sizeof *site);
	clock_at = xcalloc((size_t)nlab, sizeof *clock_at);
	rows = xcalloc((size_t)(nitems * ncell), sizeof *rows);
	pick = xcalloc((size_t)ncell, sizeof *pick);
	for (i = 0; i < nitems; i++) {
		double u = rng_unit(&rng), acc = 0;

		for (c = 0; c < NCLASS - 1; c++) {
			acc += prevalence[c];
			if (u < acc)
				break;
		}
		site[i] = (int)(rng_next(&rng) % NSITE);
		if (per_item)
			pick_labelers(&rng, (int)nlab, ncell, pick);
		for (p = 0; p < ncell; p++) {
			double a;
			struct row *r;

			j = per_item ? pick[p] : p;
			a = accuracy[j < NACC ? j : NACC - 1];
			if (!per_item && rng_unit(&rng) < MISSING)
				continue;
			if (site[i] == NSITE - 1)
				a -= 0.10;
			r = &rows[nrows++];
			r->item = i;
			r->lab = j;
			if (rng_unit(&rng) < a)
				r->cls = c;
			else
				r->cls = (c + 1 + (int)(rng_next(&rng) % 2)) %
				    NCLASS;
			/* Exponential time per label with mean 3 + j s. */
			r->spent = -(3.0 + j) * log(1.0 - rng_unit(&rng));
			clock_at[j] += r->spent;
			r->t = clock_at[j];
		}
	}
	qsort(rows, nrows, sizeof *rows, row_cmp);

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		die(db, "open", sqlite3_errmsg(h));
	/*
	 * A generated store can be made again: no fsync per page, and no
	 * journal while it is written.  In WAL mode one transaction of a
	 * million items grows a WAL of a gigabyte whose index every page read
	 * searches, hash table by hash table: a 1M-item store took over an
	 * hour.  Written in place under a large cache, then back to WAL, the
	 * mode accord's stores are in.
	 */
	exec_or_die(h, db, "PRAGMA journal_mode = OFF; "
	    "PRAGMA cache_size = -1048576; PRAGMA foreign_keys = ON; "
	    "PRAGMA synchronous = OFF; BEGIN IMMEDIATE");
	s = prepare_or_die(h, db, "SELECT id FROM classes ORDER BY position");
	for (c = 0; c < NCLASS && sqlite3_step(s) == SQLITE_ROW; c++)
		class_id[c] = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (c != NCLASS)
		die(db, "classes", "init did not make 3 classes");
	/*
	 * The trigger that moves an item between the queue's levels visits
	 * one labeler_levels row per labeler of the project at each label
	 * (1M items from 1,000 labelers: over an hour).  Dropped while the
	 * labels go in, and its two tables counted afresh at the end, as
	 * the trigger would have left them (`accord check` counts them
	 * again).
	 */
	s = prepare_or_die(h, db, "SELECT sql FROM sqlite_master WHERE "
	    "type = 'trigger' AND name = 'queue_levels_move'");
	if (sqlite3_step(s) != SQLITE_ROW)
		die(db, "schema", "no trigger queue_levels_move");
	move_trigger = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	exec_or_die(h, db, "DROP TRIGGER queue_levels_move");

	acc_now_iso(now);
	s = prepare_or_die(h, db, "INSERT INTO batches (name, created_by, "
	    "created_at) VALUES ('bench', ?1, ?2)");
	sqlite3_bind_text(s, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
	step_or_die(h, db, s);
	sqlite3_finalize(s);
	batch = sqlite3_last_insert_rowid(h);

	ins_item = prepare_or_die(h, db, "INSERT INTO items (id, sha256, "
	    "path, kind, format, bytes, width, height, depth, channels, batch, "
	    "imported_by, imported_at) VALUES (?1, ?2, ?3, 'image', 'png', "
	    "?4, 1024, 768, 8, 3, ?5, ?6, ?7)");
	ins_src = prepare_or_die(h, db, "INSERT INTO item_sources (item, path, "
	    "bytes, mtime, batch, seen_at) VALUES (?1, ?2, ?3, 1704067200, ?4, "
	    "?5)");
	ins_meta = prepare_or_die(h, db, "INSERT INTO item_meta (item, key, "
	    "value, source, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
	for (i = 0; i < nitems; i++) {
		char *path = xasprintf("/bench/%s/img%07d.png", sites[site[i]],
		    i + 1);
		char *id = xasprintf("gen_store %lld item %d", seed, i + 1);
		long long bytes = 400000 + (long long)(rng_next(&rng) % 200000);

		acc_sha256_hex(id, strlen(id), sha);
		sqlite3_bind_int64(ins_item, 1, i + 1);
		sqlite3_bind_text(ins_item, 2, sha, 64, SQLITE_STATIC);
		sqlite3_bind_text(ins_item, 3, path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins_item, 4, bytes);
		sqlite3_bind_int64(ins_item, 5, batch);
		sqlite3_bind_text(ins_item, 6, user, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_item, 7, now, -1, SQLITE_STATIC);
		step_or_die(h, db, ins_item);
		sqlite3_bind_int64(ins_src, 1, i + 1);
		sqlite3_bind_text(ins_src, 2, path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins_src, 3, bytes);
		sqlite3_bind_int64(ins_src, 4, batch);
		sqlite3_bind_text(ins_src, 5, now, -1, SQLITE_STATIC);
		step_or_die(h, db, ins_src);

		sqlite3_bind_int64(ins_meta, 1, i + 1);
		sqlite3_bind_text(ins_meta, 2, "site", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_meta, 3, sites[site[i]], -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(ins_meta, 4, "csv:gen_store", -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(ins_meta, 5, now, -1, SQLITE_STATIC);
		step_or_die(h, db, ins_meta);
		sqlite3_bind_text(ins_meta, 2, "brightness", -1,
		    SQLITE_STATIC);
		sqlite3_bind_double(ins_meta, 3, 0.05 + 0.9 * rng_unit(&rng));
		sqlite3_bind_text(ins_meta, 4, "metric", -1, SQLITE_STATIC);
		step_or_die(h, db, ins_meta);
		free(path);
		free(id);
	}
	sqlite3_finalize(ins_item);
	sqlite3_finalize(ins_src);
	sqlite3_finalize(ins_meta);

	/* The provenance `accord labels import` records. */
	what = per_item ? xasprintf("gen_store %s %lld %lld %lld %lld", db,
	    nitems, nlab, seed, per_item) : xasprintf("gen_store %s %lld %lld "
	    "%lld", db, nitems, nlab, seed);
	acc_sha256_hex(what, strlen(what), sha);
	s = prepare_or_die(h, db, "INSERT INTO label_imports (file, sha256, "
	    "rows, imported_by, imported_at) VALUES (?1, ?2, ?3, ?4, ?5)");
	sqlite3_bind_text(s, 1, what, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, sha, 64, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (long long)nrows);
	sqlite3_bind_text(s, 4, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, now, -1, SQLITE_STATIC);
	step_or_die(h, db, s);
	sqlite3_finalize(s);
	import_id = sqlite3_last_insert_rowid(h);

	ins_label = prepare_or_die(h, db, "INSERT INTO labels (item, labeler, "
	    "class, guideline, seconds_spent, created_at, origin, "
	    "label_import, recorded_by) VALUES (?1, ?2, ?3, 1, ?4, ?5, "
	    "'import', ?6, ?7)");
	for (k = 0; k < nrows; k++) {
		char name[32];

		snprintf(name, sizeof name, "labeler%d", rows[k].lab + 1);
		iso_time(rows[k].t, when);
		sqlite3_bind_int64(ins_label, 1, rows[k].item + 1);
		sqlite3_bind_text(ins_label, 2, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(ins_label, 3, class_id[rows[k].cls]);
		sqlite3_bind_double(ins_label, 4, rows[k].spent);
		sqlite3_bind_text(ins_label, 5, when, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins_label, 6, import_id);
		sqlite3_bind_text(ins_label, 7, user, -1, SQLITE_STATIC);
		step_or_die(h, db, ins_label);
	}
	sqlite3_finalize(ins_label);

	s = prepare_or_die(h, db, "INSERT INTO audit (at, user, action, "
	    "detail) VALUES (?1, ?2, 'labels import', ?3)");
	{
		char *detail = xasprintf("%zu labels from %s (sha256 %s)",
		    nrows, what, sha);

		sqlite3_bind_text(s, 1, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, user, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, detail, -1, SQLITE_TRANSIENT);
		free(detail);
	}
	step_or_die(h, db, s);
	sqlite3_finalize(s);
	/* Every label row is in force (none superseded or withdrawn). */
	exec_or_die(h, db, "DELETE FROM queue_levels; "
	    "INSERT INTO queue_levels (batch, n, items) SELECT batch, n, "
	    "count(*) FROM item_labelers GROUP BY batch, n; "
	    "DELETE FROM labeler_levels; "
	    "INSERT INTO labeler_levels (labeler, batch, n, items) "
	    "SELECT l.labeler, t.batch, t.n, count(*) FROM labels l "
	    "JOIN item_labelers t ON t.item = l.item "
	    "GROUP BY l.labeler, t.batch, t.n");
	exec_or_die(h, db, move_trigger);
	free(move_trigger);
	exec_or_die(h, db, "COMMIT; PRAGMA journal_mode = WAL");
	if (sqlite3_close(h) != SQLITE_OK)
		die(db, "close", "statements left open");
	printf("items=%lld labels=%zu seconds=%.2f\n", nitems, nrows,
	    acc_monotonic() - t0);
	free(what);
	free(rows);
	free(pick);
	free(site);
	free(clock_at);
	return 0;
}
