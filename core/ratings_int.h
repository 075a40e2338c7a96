/*
 * ratings_int.h: what the ratings files share: the map from item ids to
 * matrix rows, and the slice reader.  Nothing outside core/ sees it.
 */
#ifndef ACCORD_RATINGS_INT_H
#define ACCORD_RATINGS_INT_H

#include "accord/ratings.h"
#include "accord/store.h"

/*
 * Item ids to matrix rows.  Ids are usually dense (1..n, the rowids import
 * hands out), so a direct table over [first id, last id] answers with one
 * load; a million label rows arrive in time order, not item order, and a
 * binary search per row cost a tenth of `accord agree`.  Sparse ids (span
 * over four times the count) fall back to binary search.
 */
struct item_map {
	const long long *ids;
	int n;
	long long base;
	int *direct; /* NULL: binary search */
};

/* The row of item id, or -1.  Inline: it runs once per label row. */
static inline int
item_index(const struct item_map *m, long long id)
{
	int lo = 0, hi = m->n - 1;

	if (m->direct != NULL)
		return id < m->base || id > m->ids[m->n - 1] ? -1 :
		    m->direct[id - m->base];
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (m->ids[mid] == id)
			return mid;
		if (m->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/*
 * Read the --by key's value of every item and cut the items into slices
 * (ratings_slice.c): fills r->slice, r->slices and r->nslices.  by NULL:
 * one slice named "" holding every item; "batch": batch[i] is item i's
 * batch name.  Runs inside ratings_build's read transaction.  Returns 0,
 * or -1 with *cause (caller frees), e.g. when no item has the key.
 */
int ratings_slices_read(struct store *st, const char *by,
    const struct item_map *map, struct ratings *r, char **batch,
    char **cause);

#endif
