/*
 * review_int.h: what the review's read side (core/review.c, the filter
 * and one item's record; core/review_queue.c, the queue) shares.
 */
#ifndef ACCORD_REVIEW_INT_H
#define ACCORD_REVIEW_INT_H

/* What project_require names when it refuses (and audits) a user. */
#define REVIEW_WHAT "reviewing labels"

#endif
