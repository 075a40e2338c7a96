/*
 * screen_review_panel.h: the review screen's panel, beside the media: the
 * item's labels in force, their history, the decisions, gold and comments.
 * UI thread only; it draws what core/review.c read and computes nothing.
 */
#ifndef ACCORD_SCREEN_REVIEW_PANEL_H
#define ACCORD_SCREEN_REVIEW_PANEL_H

#include "accord/project.h"
#include "accord/review.h"

struct review_panel {
	const struct project *proj;
	const struct review_detail *det;	/* NULL: no record read */
	const char *why; /* the note the next decision carries, or NULL */
	int x;			/* the panel's first column */
	int top;		/* lines scrolled off the top (PgDn/PgUp) */
};

/*
 * Draw the panel from row 2 to the fourth row from the bottom, with a rule
 * left of it.  Returns 1 when lines were left below (PgDn shows them).
 */
int review_panel_draw(const struct review_panel *p);

/*
 * The newest decision in det (NULL: no record read) as the status line
 * says it: "undecided", "decided CLASS", "ambiguous" or "sent back".  The
 * text is in a static buffer, valid until the next call.
 */
const char *review_panel_decision(const struct project *proj,
    const struct review_detail *det);

#endif
