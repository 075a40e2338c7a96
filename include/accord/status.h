/*
 * status.h: what a project holds: items by kind and batch, label counts,
 * per-labeler progress, items that reached the overlap; and item listing
 * with metadata.  Read-only; any member may ask.
 */
#ifndef ACCORD_STATUS_H
#define ACCORD_STATUS_H

#include "accord/store.h"

struct status_count {
	char *name;
	long long n;
	long long m;		/* a second count where it applies */
};

struct status {
	long long items;
	long long label_rows;		/* every row, superseded ones included */
	long long labels_current;	/* labels in force */
	long long items_complete;	/* items with >= overlap labelers */
	long long items_partial;	/* 1 .. overlap-1 labelers */
	long long items_unlabeled;
	/*
	 * 1: a labeler on a PostgreSQL store, who may not count others'
	 * labels (blind labeling): label_rows and labels_current are the
	 * caller's own, labelers holds the caller alone, and the items_*
	 * counts of labels are unknown (-1).
	 */
	int own_only;
	int nkinds, nbatches, nlabelers;
	struct status_count *kinds;	/* name, items */
	struct status_count *batches;	/* name, items first imported there */
	struct status_count *labelers;	/* name, labels in force, rows */
};

/* Any member (user's role checked here; a non-member is refused). */
int status_read(struct store *st, const char *user, int overlap,
    struct status *out, char **cause);
void status_free(struct status *s);

struct item_meta_kv {
	const char *key;
	const char *value;	/* as text; numbers printed with %.10g */
	int numeric;
};

struct item_row {
	long long id;
	const char *path, *sha256, *kind, *format, *batch, *imported_at;
	long long bytes;
	int width, height, depth, channels, rate;	/* 0: n/a */
	long long frames;
	int nmeta;
	const struct item_meta_kv *meta;	/* current values, by key */
};

/*
 * Every item matching all of where[] ("KEY=VALUE": KEY is kind, format,
 * batch, sha256, path, or a metadata key), by id.  fn's pointers live until
 * it returns; a non-zero return stops and is returned.  A malformed filter
 * gives -1 with *cause.  Any member; a non-member is refused.
 */
int items_each(struct store *st, const char *user,
    const char *const *where, int nwhere,
    int (*fn)(void *arg, const struct item_row *r), void *arg, char **cause);

#endif
