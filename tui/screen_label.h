/*
 * screen_label.h: what the label screen's files share (screen_label.c runs
 * the loop and the actions, screen_label_draw.c draws).  UI thread only.
 */
#ifndef ACCORD_SCREEN_LABEL_H
#define ACCORD_SCREEN_LABEL_H

#include <stddef.h>
#include <stdio.h>

#include "accord/config.h"
#include "accord/project.h"
#include "media_pane.h"

#define PANEL_W 28	/* the class panel, right of the media */

enum mode {
	MODE_QUEUE,		/* labeling new items */
	MODE_BACK,		/* going over my earlier items */
};

enum overlay {
	OV_NONE,
	OV_HELP,
	OV_GUIDE,
};

struct label_screen {
	const char *db, *user, *batch;
	struct store *st;
	struct project proj;
	char *guideline;
	int seen_guideline;	/* version of my newest label at start */
	struct prefetch *pf;
	struct player *pl;

	struct prepared *cur;	/* on screen; NULL while loading */
	struct prepared *stash;	/* the queue item set aside while back */
	enum mode mode;
	long long *hist;	/* my labeled items (MODE_BACK) */
	int nhist, hidx;
	int hist_max;		/* hist is my newest hist_max (0: not a page) */
	long long want;		/* item requested from the loader */
	int my_class;		/* my label in force on cur (MODE_BACK) */
	char *note;		/* note for cur */
	char *tags;		/* my tags on cur, joined */
	double shown_at;
	int empty, failed;
	char *failure;

	int labeled;		/* labels this session */
	double started;
	struct pane_msg msg;
	enum overlay overlay;
	struct ui_text guide;	/* the guideline overlay's viewer */
	struct pane_scroll help;	/* the help overlay's place */
	enum config_paths paths;	/* show-paths: what names the item */
	char *shown;		/* cur as the labeler sees it named */
	struct media_pane pane;

	FILE *trace;
	double trace_key;	/* when the key being traced was read */
	int trace_keycode;
	const char *trace_action;
	double trace_commit;	/* ms spent committing the label */
	double trace_draw;	/* ms spent in the last draw() */
	long long trace_from;
};

/* The key table, which the help overlay lists. */
extern const struct pane_key label_keys[];
extern const size_t label_nkeys;

/* One draw pass of the whole screen, timed for ACCORD_TRACE. */
void label_draw(struct label_screen *s);

#endif
