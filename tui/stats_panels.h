/*
 * stats_panels.h: the panels of the agreement dashboard (screen_stats.c).
 * Each draws one view of core's agreement report (agree_report_build) and
 * computes nothing, as htop's panels only draw what its model holds.
 */
#ifndef ACCORD_TUI_STATS_PANELS_H
#define ACCORD_TUI_STATS_PANELS_H

#include "accord/agree_report.h"

#define STATS_TOP 3	/* first row of a panel's body: status, tabs, header */

/*
 * The body of a panel: logical rows scrolled into the screen rows
 * STATS_TOP..STATS_TOP+rows-1.  A panel counts the rows it has in n, so
 * the screen can bound scrolling; the hot list moves scroll to keep its
 * selection in view.
 */
struct stats_body {
	int rows, scroll, n;
};

/* What a panel draws. */
struct stats_panel {
	const struct agree_report *rep;
	int cur;			/* the run the filter shows */
	const struct agree_opts *ao;	/* the options it was computed with */
	int sel;			/* the hot list's selected row */
	/* NULL: the runs' trends are in rep; else why not (yet). */
	const char *trend_note;
};

/* Per guideline version, then all: team figures and sparklines. */
void stats_panel_versions(const struct stats_panel *p, struct stats_body *b);
/* Per class of run cur: labels, specific agreement, HLP. */
void stats_panel_classes(const struct stats_panel *p, struct stats_body *b);
/* Per labeler of run cur: labels, agreement, gold accuracy, HLP. */
void stats_panel_labelers(const struct stats_panel *p, struct stats_body *b);
/* Run cur's trend by day or week. */
void stats_panel_trend(const struct stats_panel *p, struct stats_body *b);
/* Run cur's most disagreed items, row sel selected. */
void stats_panel_hot(const struct stats_panel *p, struct stats_body *b);

#endif
