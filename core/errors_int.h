/*
 * errors_int.h: what errors.c (the scoring, the rows and the report) and
 * errors_boot.c (the item patterns and the bootstrap of the rows'
 * intervals) share.  Nothing outside core/ sees it.
 */
#ifndef ACCORD_ERRORS_INT_H
#define ACCORD_ERRORS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "accord/errors.h"

#define STAT(v) ((struct agree_stat){ .value = (v), .defined = 1 })
#define UNDEFINED(w) ((struct agree_stat){ .why = (w) })
#define CI_UNDEFINED(w) ((struct agree_ci){ .why = (w) })

/* The sums a group's figures come from. */
struct gsum {
	double n, h, c; /* items, sum of h, sum of c */
	int errors;
};

/*
 * Patterns: two scored items with the same groups, h and c add the same
 * to every figure of every replicate, so the bootstrap draws patterns,
 * not items (as agree_boot.c does with judgement lists).  On real data
 * there are few: h and c take a handful of values per overlap.
 */
struct patterns {
	uint32_t n, cap;
	uint32_t *off, *len; /* the pattern's groups in pool */
	double *h, *c;
	uint32_t *count;     /* scored items of the pattern */
	int *pool;
	size_t npool, cappool;
	uint32_t *table;     /* pattern id + 1, 0 empty */
	uint32_t tsize;      /* power of two */
	uint64_t *hash;
};

/* Count one item of groups g[0..n) (sorted, distinct), h and c in pt
 * (zeroed by the caller at first); free with errors_patterns_free. */
void errors_patterns_add(struct patterns *pt, const int *g, uint32_t n,
    double h, double c);
void errors_patterns_free(struct patterns *pt);

/* Every interval of rows[0..n) undefined: why, or the figure's reason. */
void errors_rows_no_intervals(struct errors_row *rows, int n,
    const char *why);

/*
 * The intervals of the overall row and of the ngroups rows (their figures
 * set from gs and all) from bo->bootstrap replicates over pt's patterns
 * (errors_boot.c; docs/statistics.md, "Error analysis").
 */
void errors_bootstrap(const struct patterns *pt, int ngroups,
    const struct gsum *gs, const struct gsum *all,
    const struct errors_boot *bo, struct errors_row *overall,
    struct errors_row *rows);

#endif
