/*
 * ui.c: curses set-up, colours by meaning, cells, safe text.
 */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <term.h>
#include <curses.h>

#include "accord/util.h"
#include "ui.h"

static enum term_depth depth;
static int utf8;
static int started;
static int attrs[UI_NELEMS];
static SCREEN *screen;
static struct buf rawbuf;		/* media cells on their way out */
static volatile sig_atomic_t quit_signal;
static int term_lost;			/* the terminal went away */
static double quick_since;		/* ERRs long before time since then */

/*
 * How long reads may end with ERR in under half their wait, every one,
 * before the input counts as dead.  A live terminal makes get_wch wait
 * out its timeout or return a key; one whose reads fail at once (EOF, or
 * EIO: a background process group that may not read) returns ERR in
 * microseconds, again and again.  A stray signal interrupting a wait does
 * not repeat, and a paste of bytes that are not UTF-8 (each an ERR) would
 * have to be some 100 KB to last this long.  Half a second keeps the exit
 * within a second.
 */
#define QUICK_SECS 0.5

static void raw_catch_suspend(void);
static void raw_free(void);

static void
fatal_cleanup(void)
{
	if (started)
		endwin();
}

int
ui_start(char **cause)
{
	const char *term = getenv("TERM");
	const char *no_color = getenv("NO_COLOR");
	const char *acc = getenv("ACCORD_COLOR");
	const char *ct = getenv("COLORTERM");
	enum term_depth want;
	const char *use;
	int colors, rgb;

	setlocale(LC_ALL, "");
	utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	want = term_depth_from(no_color, acc, ct, -1, -1);
	use = term_direct_entry(term, want == TERM_DEPTH_TRUE);
	screen = NULL;
	if (use != term)
		screen = newterm(use, stdout, stdin);
	if (screen == NULL)
		screen = newterm(term, stdout, stdin);
	if (screen == NULL)
		return acc_error(cause, "cannot start the terminal (TERM=%s)",
		    term ? term : "unset");
	set_term(screen);
	started = 1;
	acc_set_fatal_cleanup(fatal_cleanup);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	raw_catch_suspend();
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_RELEASED, NULL);
	mouseinterval(0);

	/* COLORS is only set by start_color(): ask terminfo directly. */
	colors = has_colors() ? tigetnum("colors") : 0;
	if (colors < 0)
		colors = 0;
	rgb = tigetflag("RGB") > 0 || colors >= 0x1000000;
	depth = term_depth_cap(term_depth_from(no_color, acc, ct, colors, rgb),
	    colors, rgb);

	attrs[UI_NORMAL] = A_NORMAL;
	attrs[UI_STATUS] = A_REVERSE;
	attrs[UI_DIM] = A_DIM;
	attrs[UI_KEY] = A_BOLD;
	attrs[UI_SELECTED] = A_REVERSE | A_BOLD;
	attrs[UI_BORDERLINE] = A_BOLD;
	attrs[UI_WARNING] = A_BOLD;
	if (depth != TERM_DEPTH_NONE) {
		start_color();
		use_default_colors();
		/* UI colours by meaning; media cells bypass curses
		 * (ui_raw_cells). */
		init_pair(1, COLOR_WHITE, COLOR_BLUE);
		init_pair(2, COLOR_YELLOW, -1);
		init_pair(3, COLOR_RED, -1);
		init_pair(4, COLOR_CYAN, -1);
		attrs[UI_STATUS] = COLOR_PAIR(1) | A_BOLD;
		attrs[UI_BORDERLINE] = COLOR_PAIR(2) | A_BOLD;
		attrs[UI_WARNING] = COLOR_PAIR(3) | A_BOLD;
		attrs[UI_KEY] = COLOR_PAIR(4) | A_BOLD;
	}
	return 0;
}

void
ui_stop(void)
{
	raw_free();
	if (!started)
		return;
	/*
	 * A terminal lost to EIO may still be there with another process
	 * group in the foreground.  endwin sets its modes (and, under stty
	 * tostop, writes): from a background group that is not orphaned
	 * that stops us with SIGTTOU, leases held, unless it is ignored.
	 * (The e2e test's group is orphaned, which gets EIO instead.)
	 */
	if (term_lost)
		signal(SIGTTOU, SIG_IGN);
	endwin();
	delscreen(screen);
	started = 0;
	acc_set_fatal_cleanup(NULL);
}

int
ui_run(int (*body)(void *), void *arg)
{
	char *cause = NULL;
	int r;

	if (ui_start(&cause) != 0) {
		fprintf(stderr, "accord: %s\n", cause);
		free(cause);
		return 1;
	}
	r = body(arg);
	ui_stop();
	return r;
}

static void
on_quit_signal(int sig)
{
	(void)sig;
	quit_signal = 1;
}

void
ui_catch_signals(void)
{
	struct sigaction sa;

	/* No SA_RESTART: the wait for a key ends at once with the signal. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_quit_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int
ui_quit_requested(void)
{
	return quit_signal || term_lost;
}

int
ui_term_lost(void)
{
	return term_lost;
}

/*
 * A hung-up tty (the pty's master closed) polls as POLLHUP and fails every
 * ioctl with EIO; a closed or non-tty descriptor fails tcgetattr too.
 */
static int
input_gone(int fd)
{
	struct pollfd p;
	struct termios t;

	p.fd = fd;
	p.events = POLLIN;
	p.revents = 0;
	if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)))
		return 1;
	return tcgetattr(fd, &t) != 0 && errno != EINTR;
}

int
ui_get_wch(int ms, wint_t *wk)
{
	double t0 = acc_monotonic(), now;
	int r;

	timeout(ms);
	r = get_wch(wk);
	if (r != ERR) {
		quick_since = 0;
		return r;
	}
	if (quit_signal || term_lost)
		return ERR;
	now = acc_monotonic();
	if (input_gone(fileno(stdin)))
		term_lost = 1;
	else if (ms > 0 && (now - t0) * 1000 < ms / 2.0) {
		if (quick_since == 0)
			quick_since = t0;
		else if (now - quick_since >= QUICK_SECS)
			term_lost = 1;
	} else
		quick_since = 0;
	return ERR;
}

int
ui_run_accord(const char *const argv[], const char *what, int *status)
{
	struct sigaction ign, old_int, old_quit;
	pid_t pid;
	int err = 0;

	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	def_prog_mode();
	endwin();
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execv("/proc/self/exe", (char *const *)argv);
		fprintf(stderr, "accord: cannot run %s: %s\n", what,
		    strerror(errno));
		_exit(127);
	}
	*status = 0;
	if (pid < 0)
		err = errno;
	else
		while (waitpid(pid, status, 0) < 0 && errno == EINTR)
			;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	reset_prog_mode();
	errno = err;
	return pid < 0 ? -1 : 0;
}

enum term_depth
ui_depth(void)
{
	return depth;
}

int
ui_utf8(void)
{
	return utf8;
}

int
ui_attr(enum ui_elem e)
{
	return attrs[e];
}

/*
 * Media cells are written straight to the terminal after refresh(), not
 * through curses.  Curses would send both colours again for every cell and
 * spend ~10 ms of CPU on a 160x48 image (tests/bench/label_bench.sh).
 * Curses keeps the media pane blank in its model, so it never paints over
 * the cells unless something is drawn there (an overlay, text, a resize).
 * DECSC/DECRC around the output leave curses' cursor as it was.
 *
 * Bytes are what a labeler on a slow link waits for, so the output is
 * kept small (tests/bench/bytes_bench.sh measures it against chafa):
 *
 * - The look of every cell written is kept (the shadow), and an emission
 *   writes only the cells whose look differs: the next item's picture
 *   leaves an unchanged margin or background alone, and emitting the same
 *   cells again writes nothing.  The shadow is forgotten (every cell must
 *   be written again) whenever curses may have drawn over the pane behind
 *   our back: a refresh after clear() or endwin() (ui_refresh), a new
 *   terminal size, a suspend (^Z or SIGCONT: curses repaints its own
 *   model, blank in the pane).  After a clearing refresh the pane is
 *   blank, and the shadow says so.
 * - A cell is two pixels (top, bottom).  It can be written as U+2580 (fg
 *   top, bg bottom), U+2584 (fg bottom, bg top), or, when both pixels are
 *   alike, a space in the background colour or U+2588 in the foreground:
 *   the form that needs the fewest colour changes from the colours already
 *   set is chosen, looking one cell ahead; a space costs one byte, a block
 *   three.
 * - An SGR is sent only when a colour the form needs differs; fg and bg go
 *   in one sequence; "\e[m" (or a leading 0) resets to the defaults when
 *   that is shorter than 39/49.
 * - The cursor moves by the shortest of an absolute jump (CUP), a relative
 *   move (CUU/CUD/CUF/CUB, CR), or writing the few unchanged cells between
 *   through when they need no colour change.
 * - In truecolor, a colour is kept along a row while no channel moves by
 *   more than RAW_TOLERANCE levels (see same_color, smooth_cell), and the
 *   two halves of a cell share one colour when they are that close, so
 *   runs of nearly equal cells need no new SGR and flat areas are spaces.
 *   This is decided from the picture alone, row by row, before the
 *   comparison with the shadow, so a partial emission and a full one put
 *   the same colours on screen.
 */

/* A paint: what half a cell shows.  A device colour, or a default. */
#define PAINT_BG (-1)		/* the terminal's default background */
#define PAINT_FG (-3)		/* its default foreground */

/*
 * The look of one cell.  ch 0: two pixels, top and bot paints.  Else the
 * ASCII character ch in device colours top (fg) and bot (bg).
 */
struct look {
	int32_t top, bot;
	char ch;
};
#define LOOK_UNKNOWN 1		/* ch of a cell whose look is not known */

/* Pen colours: a device colour, -1 default, or these. */
#define PEN_UNKNOWN (-2)	/* after curses wrote: attributes unknown too */
#define PEN_ANY (-4)		/* a wish: whatever the pen holds */

/* What is on the terminal's cells, as far as we wrote them: LINES x COLS. */
static struct {
	struct look *cell;
	int h, w;
	int stale;		/* wrong since the last picture emitted */
} shadow;
static struct look *want;	/* the emission being made */
static struct buf sgr_change, sgr_reset;	/* raw_sgr's two candidates */
static size_t nwant;
static volatile sig_atomic_t raw_cont;	/* a suspend: curses repainted */
static struct sigaction curses_tstp;	/* curses' SIGTSTP handler */
static int tstp_wrapped;		/* on_tstp runs before it */

/* Writing: the pen and the cursor (y -1 when not known). */
struct raw {
	int32_t fg, bg;
	int y, x;
	int started;
};

static void
on_cont(int sig)
{
	(void)sig;
	raw_cont = 1;
}

/*
 * ^Z: curses' own handler (installed by newterm) calls endwin, stops the
 * process and, once continued, repaints its model, where the media pane
 * is blank: so is the screen's.  In a process group with no job control
 * (orphaned) the stop is discarded and no SIGCONT comes, but the repaint
 * happens all the same: so the flag is set here, and curses' handler
 * runs after.  (SIGCONT alone, after a SIGSTOP, sets it too: the picture
 * is then written again over itself.)
 */
static void
on_tstp(int sig)
{
	raw_cont = 1;
	if (curses_tstp.sa_handler != SIG_DFL &&
	    curses_tstp.sa_handler != SIG_IGN)
		curses_tstp.sa_handler(sig);
}

/* After a suspend the shadow is wrong: see on_tstp, on_cont. */
static void
raw_catch_suspend(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_cont;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCONT, &sa, NULL);
	/* Only when curses catches ^Z (it leaves an ignored SIGTSTP be). */
	if (sigaction(SIGTSTP, NULL, &curses_tstp) == 0 &&
	    !(curses_tstp.sa_flags & SA_SIGINFO) &&
	    curses_tstp.sa_handler != SIG_DFL &&
	    curses_tstp.sa_handler != SIG_IGN &&
	    curses_tstp.sa_handler != on_tstp) {
		sa.sa_handler = on_tstp;
		sa.sa_mask = curses_tstp.sa_mask;
		sa.sa_flags = curses_tstp.sa_flags;
		if (sigaction(SIGTSTP, &sa, NULL) == 0)
			tstp_wrapped = 1;
	}
}

static void
raw_free(void)
{
	if (tstp_wrapped)
		sigaction(SIGTSTP, &curses_tstp, NULL);
	tstp_wrapped = 0;
	buf_free(&rawbuf);
	buf_free(&sgr_change);
	buf_free(&sgr_reset);
	free(shadow.cell);
	memset(&shadow, 0, sizeof shadow);
	free(want);
	want = NULL;
	nwant = 0;
}

/* Every cell of the shadow: ch LOOK_UNKNOWN, or 0 for blank. */
static void
shadow_fill(char ch)
{
	size_t i, n = (size_t)shadow.h * shadow.w;

	for (i = 0; i < n; i++) {
		shadow.cell[i].ch = ch;
		shadow.cell[i].top = shadow.cell[i].bot = PAINT_BG;
	}
}

static void
shadow_forget(void)
{
	shadow_fill(LOOK_UNKNOWN);
	shadow.stale = 1;
}

/* The shadow at the terminal's size (forgotten when that changes), blank
 * after a suspend. */
static void
shadow_fit(void)
{
	if (shadow.h != LINES || shadow.w != COLS) {
		free(shadow.cell);
		shadow.h = LINES > 0 ? LINES : 0;
		shadow.w = COLS > 0 ? COLS : 0;
		shadow.cell = xcalloc((size_t)shadow.h * shadow.w + 1,
		    sizeof *shadow.cell);
		shadow_forget();
	}
	if (raw_cont) {
		raw_cont = 0;
		shadow_fill(0);
		shadow.stale = 1;
	}
}

void
ui_refresh(void)
{
	int cleared = is_cleared(stdscr) || is_cleared(curscr);

	shadow_fit();
	if (isendwin())
		shadow_forget();
	refresh();
	/* The terminal was cleared: the pane, blank in curses' model, is. */
	if (cleared) {
		shadow_fill(0);
		shadow.stale = 1;
	}
}

void
ui_raw_forget(int y, int rows)
{
	int r, x;

	shadow_fit();
	for (r = y; r < y + rows; r++) {
		if (r < 0 || r >= shadow.h)
			continue;
		for (x = 0; x < shadow.w; x++)
			shadow.cell[(size_t)r * shadow.w + x].ch = LOOK_UNKNOWN;
	}
}

int
ui_raw_stale(void)
{
	shadow_fit();
	return shadow.stale;
}

static void
sgr_color(struct buf *b, int32_t c, int bg)
{
	if (c < 0) {
		buf_puts(b, bg ? "49" : "39");
		return;
	}
	switch (depth) {
	case TERM_DEPTH_TRUE:
		buf_printf(b, "%d;2;%d;%d;%d", bg ? 48 : 38, (c >> 16) & 255,
		    (c >> 8) & 255, c & 255);
		break;
	case TERM_DEPTH_256:
		buf_printf(b, "%d;5;%d", bg ? 48 : 38, c);
		break;
	case TERM_DEPTH_16:
	case TERM_DEPTH_8:	/* term_nearest_8 gives only 0..7 */
		buf_printf(b, "%d", c < 8 ? (bg ? 40 : 30) + c :
		    (bg ? 100 : 90) + c - 8);
		break;
	case TERM_DEPTH_NONE:
		break;
	}
}

/*
 * Whether colour a can stand for b.  In truecolor, a colour is kept while
 * no channel moves by more than RAW_TOLERANCE levels: after an
 * area-averaging downscale the difference is invisible, and it saves
 * about a third of the bytes a terminal must parse for a photo (the bulk
 * of the time from key to next item; see docs/design.md).
 */
#define RAW_TOLERANCE 3

static int
same_color(int32_t a, int32_t b)
{
	int sh;

	if (a == b)
		return 1;
	if (a < 0 || b < 0 || depth != TERM_DEPTH_TRUE)
		return 0;
	for (sh = 0; sh <= 16; sh += 8) {
		int d = ((a >> sh) & 255) - ((b >> sh) & 255);

		if (d > RAW_TOLERANCE || d < -RAW_TOLERANCE)
			return 0;
	}
	return 1;
}

/* The colour a highlighted (playhead) cell takes, at each depth. */
static int32_t
bright(void)
{
	return term_nearest(depth, 0xffffff);
}

/* The look of cell i of c (highlighted: the playhead's bright column). */
static struct look
look_of(const struct cells *c, size_t i, int highlight)
{
	struct look l = { 0, 0, 0 };
	int32_t bg = c->bg[i], fg = c->fg[i] < 0 ? PAINT_FG : c->fg[i];
	char ch = c->ch != NULL ? c->ch[i] : CELL_UPPER;

	if (highlight) {
		if (depth == TERM_DEPTH_NONE) {
			l.ch = '|';
			l.top = l.bot = -1;
			return l;
		}
		ch = CELL_FULL;
		fg = bright();
	}
	switch (ch) {
	case CELL_UPPER: l.top = fg; l.bot = bg; break;
	case CELL_LOWER: l.top = bg; l.bot = fg; break;
	case CELL_FULL: l.top = l.bot = fg; break;
	case ' ': l.top = l.bot = bg; break;
	default:
		l.ch = ch;
		l.top = c->fg[i];
		l.bot = bg;
		return l;
	}
	/* No block characters in this locale: one colour per cell. */
	if (!utf8)
		l.top = l.bot = l.top >= 0 ? l.top : l.bot >= 0 ? l.bot :
		    PAINT_BG;
	return l;
}

static int
look_eq(const struct look *a, const struct look *b)
{
	return a->ch == b->ch && a->top == b->top && a->bot == b->bot;
}

/* The forms a two-pixel cell can be written in. */
enum form { FORM_UPPER, FORM_LOWER, FORM_SPACE, FORM_FULL, FORM_N };

/*
 * The pen form f needs for look l (*fg, *bg: device colours or PEN_ANY);
 * 0 when f cannot show l.
 */
static int
form_pen(enum form f, const struct look *l, int32_t *fg, int32_t *bg)
{
	int32_t t = l->top, b = l->bot;

	switch (f) {
	case FORM_UPPER:
		*fg = t, *bg = b;
		break;
	case FORM_LOWER:
		*fg = b, *bg = t;
		break;
	case FORM_SPACE:
		if (t != b)
			return 0;
		*fg = PEN_ANY, *bg = t;
		break;
	case FORM_FULL:
		if (t != b)
			return 0;
		*fg = t, *bg = PEN_ANY;
		break;
	default:
		return 0;
	}
	if (f != FORM_SPACE && !utf8)
		return 0;
	/* A default can only be shown where it is: fg or bg. */
	if (*fg == PAINT_BG || *bg == PAINT_FG)
		return 0;
	if (*fg == PAINT_FG)
		*fg = -1;
	return 1;
}

/* Roughly the bytes of one colour in an SGR, for choosing forms. */
static int
color_cost(int32_t c)
{
	if (c < 0)
		return 2;
	return depth == TERM_DEPTH_TRUE ? 15 : depth == TERM_DEPTH_256 ? 8 : 2;
}

/* The bytes form f costs from pen (*fg, *bg), which it then leaves. */
static int
form_cost(enum form f, const struct look *l, int32_t *fg, int32_t *bg)
{
	int32_t wf, wb;
	int cost = f == FORM_SPACE ? 1 : 3, n = 0;

	if (!form_pen(f, l, &wf, &wb))
		return -1;
	if (wf != PEN_ANY && wf != *fg)
		cost += color_cost(wf), n++, *fg = wf;
	if (wb != PEN_ANY && wb != *bg)
		cost += color_cost(wb), n++, *bg = wb;
	return n == 0 ? cost : cost + 2 + n;
}

/* The cheapest form for l from pen (fg, bg), with the next look in mind. */
static enum form
form_pick(const struct look *l, const struct look *next, int32_t fg,
    int32_t bg)
{
	enum form f, g, best = FORM_UPPER;
	int c, bc = -1;

	for (f = 0; f < FORM_N; f++) {
		int32_t pf = fg, pb = bg;

		if ((c = form_cost(f, l, &pf, &pb)) < 0)
			continue;
		if (next != NULL && next->ch == 0) {
			int nc = -1;

			for (g = 0; g < FORM_N; g++) {
				int32_t qf = pf, qb = pb;
				int d = form_cost(g, next, &qf, &qb);

				if (d >= 0 && (nc < 0 || d < nc))
					nc = d;
			}
			if (nc >= 0)
				c += nc;
		}
		if (bc < 0 || c < bc)
			best = f, bc = c;
	}
	return best;
}

/* One SGR, shortest of a change and a reset, for fg and bg (or PEN_ANY). */
static void
raw_sgr(struct raw *r, int32_t fg, int32_t bg)
{
	struct buf *a = &sgr_change, *z = &sgr_reset;
	int nf = fg != PEN_ANY && fg != r->fg;
	int nb = bg != PEN_ANY && bg != r->bg;

	/* No colours at depth none: only the reset an emission starts with. */
	if (depth == TERM_DEPTH_NONE && r->fg != PEN_UNKNOWN)
		return;
	if (!nf && !nb)
		return;
	a->len = z->len = 0;
	/* The changes alone; unknown attributes (bold...) need a reset. */
	if (r->fg != PEN_UNKNOWN && r->bg != PEN_UNKNOWN) {
		buf_puts(a, "\033[");
		if (nf)
			sgr_color(a, fg, 0);
		if (nf && nb)
			buf_puts(a, ";");
		if (nb)
			sgr_color(a, bg, 1);
		buf_puts(a, "m");
	}
	buf_puts(z, "\033[");
	if (fg >= 0 || bg >= 0)
		buf_puts(z, "0");
	if (fg >= 0) {
		buf_puts(z, ";");
		sgr_color(z, fg, 0);
	}
	if (bg >= 0) {
		buf_puts(z, ";");
		sgr_color(z, bg, 1);
	}
	buf_puts(z, "m");
	if (a->len > 0 && a->len <= z->len) {
		buf_add(&rawbuf, a->s, a->len);
		if (nf)
			r->fg = fg;
		if (nb)
			r->bg = bg;
	} else {
		buf_add(&rawbuf, z->s, z->len);
		r->fg = fg == PEN_ANY ? -1 : fg;
		r->bg = bg == PEN_ANY ? -1 : bg;
	}
}

/* Write look l at the cursor (next: the look after it, or NULL). */
static void
raw_put(struct raw *r, const struct look *l, const struct look *next)
{
	static const char *glyph[FORM_N] = { "\xe2\x96\x80", "\xe2\x96\x84",
	    " ", "\xe2\x96\x88" };
	int32_t fg, bg;
	enum form f;

	if (l->ch != 0) {
		raw_sgr(r, l->top, l->bot);
		buf_add(&rawbuf, &l->ch, 1);
	} else {
		f = form_pick(l, next, r->fg, r->bg);
		/* Every look has a form (look_of); if not, a blank. */
		if (!form_pen(f, l, &fg, &bg)) {
			f = FORM_SPACE;
			fg = PEN_ANY;
			bg = -1;
		}
		raw_sgr(r, fg, bg);
		buf_puts(&rawbuf, glyph[f]);
	}
	/* At the right margin the terminal waits to wrap: say unknown. */
	if (++r->x >= shadow.w)
		r->y = -1;
}

/* Append a cursor move of n cells (CUU/CUD/CUF/CUB: "A".."D") to s. */
static void
move_rel(char *s, size_t size, int n, const char *fwd, const char *back)
{
	size_t len = strlen(s);

	if (n == 0)
		return;
	if (n == 1 || n == -1)
		snprintf(s + len, size - len, "\033[%s", n > 0 ? fwd : back);
	else
		snprintf(s + len, size - len, "\033[%d%s", n > 0 ? n : -n,
		    n > 0 ? fwd : back);
}

/* The shortest move from the cursor to (y, x) into s. */
static void
move_best(const struct raw *r, int y, int x, char *s, size_t size)
{
	char rel[40], cr[40];

	if (x == 0)
		snprintf(s, size, "\033[%dH", y + 1);
	else
		snprintf(s, size, "\033[%d;%dH", y + 1, x + 1);
	if (r->y < 0)
		return;
	rel[0] = '\0';
	move_rel(rel, sizeof rel, y - r->y, "B", "A");
	memcpy(cr, rel, sizeof cr);
	move_rel(rel, sizeof rel, x - r->x, "C", "D");
	if (r->x != x) {
		size_t len = strlen(cr);

		snprintf(cr + len, sizeof cr - len, "\r");
		move_rel(cr, sizeof cr, x, "C", "D");
		if (strlen(cr) < strlen(rel))
			memcpy(rel, cr, sizeof rel);
	}
	if (strlen(rel) < strlen(s))
		snprintf(s, size, "%s", rel);
}

/* The bytes of writing have[0..n) through as they are, or -1 when that
 * needs a colour change. */
static int
through_cost(const struct raw *r, const struct look *have, int n)
{
	int32_t fg = r->fg, bg = r->bg;
	int cost = 0, k;

	for (k = 0; k < n; k++) {
		int best = -1;
		enum form f;

		if (have[k].ch == LOOK_UNKNOWN)
			return -1;
		if (have[k].ch != 0) {
			if (have[k].top != fg || have[k].bot != bg)
				return -1;
			cost++;
			continue;
		}
		for (f = 0; f < FORM_N; f++) {
			int32_t pf = fg, pb = bg;
			int c = form_cost(f, &have[k], &pf, &pb);

			if (c >= 0 && pf == fg && pb == bg &&
			    (best < 0 || c < best))
				best = c;
		}
		if (best < 0)
			return -1;
		cost += best;
	}
	return cost;
}

/* Put the cursor at (y, x), where have[] is the row's shadow. */
static void
raw_goto(struct raw *r, int y, int x, const struct look *have)
{
	char s[64];

	if (r->y == y && r->x == x)
		return;
	move_best(r, y, x, s, sizeof s);
	if (r->y == y && r->x < x && x - r->x <= 6) {
		int c = through_cost(r, have + r->x, x - r->x);

		if (c >= 0 && c < (int)strlen(s)) {
			while (r->x < x)
				raw_put(r, &have[r->x], NULL);
			return;
		}
	}
	buf_puts(&rawbuf, s);
	r->y = y;
	r->x = x;
}

static void
raw_flush(void)
{
	if (rawbuf.len > 0) {
		fwrite(rawbuf.s, 1, rawbuf.len, stdout);
		fflush(stdout);
	}
	rawbuf.len = 0;
}

/*
 * Bring the cols x rows cells at (y, x) to want[] (row-major), writing
 * only what differs from the shadow.  known_only: leave the cells whose
 * look is not known as they are (see ui_raw_cells).
 */
static void
raw_emit(int y, int x, int cols, int rows, int known_only)
{
	struct raw r = { PEN_UNKNOWN, PEN_UNKNOWN, -1, -1, 0 };
	int row, k;

	for (row = 0; row < rows && y + row < shadow.h; row++) {
		struct look *have, *w = want + (size_t)row * cols;

		if (y + row < 0)
			continue;
		have = shadow.cell + (size_t)(y + row) * shadow.w;
		for (k = 0; k < cols && x + k < shadow.w; k++) {
			if (x + k < 0 || look_eq(&w[k], &have[x + k]) ||
			    (known_only && have[x + k].ch == LOOK_UNKNOWN))
				continue;
			if (!r.started) {
				buf_puts(&rawbuf, "\0337");
				r.started = 1;
			}
			raw_goto(&r, y + row, x + k, have);
			raw_put(&r, &w[k], k + 1 < cols ? &w[k + 1] : NULL);
			have[x + k] = w[k];
		}
	}
	if (r.started) {
		if (r.fg != -1 || r.bg != -1)
			buf_puts(&rawbuf, "\033[m");
		buf_puts(&rawbuf, "\0338");
	}
	raw_flush();
}

/* Room in want[] for n looks. */
static void
want_size(size_t n)
{
	if (n > nwant) {
		free(want);
		want = xcalloc(n, sizeof *want);
		nwant = n;
	}
}

/*
 * One cell of a row in truecolor (same_color): each pixel takes, if it is
 * within RAW_TOLERANCE, the colour kept on its own half of the row, else
 * that of the other half; the bottom pixel takes the top's when they are
 * alike, so the cell can be one space.  *t and *b carry the colours kept
 * along the top and bottom halves.  Every pixel stays within the
 * tolerance of its own colour, and the result depends on the picture
 * alone (the row from its first cell), never on what is on screen.
 */
static void
smooth_cell(struct look *l, int32_t *t, int32_t *b)
{
	int32_t top = l->top, bot = l->bot;

	if (l->ch != 0 || depth != TERM_DEPTH_TRUE)
		return;
	if (same_color(top, *t))
		top = *t;
	else if (same_color(top, *b))
		top = *b;
	if (same_color(l->bot, top))
		bot = top;
	else if (same_color(l->bot, *b))
		bot = *b;
	else if (same_color(l->bot, *t))
		bot = *t;
	l->top = *t = top;
	l->bot = *b = bot;
}

/* want[] (cols x rows) through smooth_cell, row by row. */
static void
want_smooth(int cols, int rows)
{
	int row, k;

	for (row = 0; row < rows; row++) {
		struct look *w = want + (size_t)row * cols;
		int32_t t = PEN_UNKNOWN, b = PEN_UNKNOWN;

		for (k = 0; k < cols; k++)
			smooth_cell(&w[k], &t, &b);
	}
}

/* Cell (row, col) of c as want_smooth makes it in a whole emission. */
static struct look
look_along(const struct cells *c, int row, int col)
{
	struct look l;
	int32_t t = PEN_UNKNOWN, b = PEN_UNKNOWN;
	int k;

	for (k = 0; k <= col; k++) {
		l = look_of(c, (size_t)row * c->cols + k, 0);
		smooth_cell(&l, &t, &b);
	}
	return l;
}

void
ui_raw_cells(int y, int x, int cols, int rows, const struct cells *c)
{
	int r, k, y0 = c ? (rows - c->rows) / 2 : 0;
	int x0 = c ? (cols - c->cols) / 2 : 0;

	if (cols <= 0 || rows <= 0)
		return;
	shadow_fit();
	want_size((size_t)cols * rows);
	for (r = 0; r < rows; r++)
		for (k = 0; k < cols; k++) {
			struct look *w = want + (size_t)r * cols + k;
			int cr = r - y0, ck = k - x0;

			if (c == NULL || cr < 0 || cr >= c->rows || ck < 0 ||
			    ck >= c->cols) {
				w->ch = 0;
				w->top = w->bot = PAINT_BG;
			} else
				*w = look_of(c, (size_t)cr * c->cols + ck, 0);
		}
	want_smooth(cols, rows);
	/*
	 * A wipe (c NULL: curses is about to draw over the pane) leaves
	 * unknown cells alone: they may hold curses' text from an earlier
	 * refresh, which curses would not write again.
	 */
	raw_emit(y, x, cols, rows, c == NULL);
	if (c != NULL)
		shadow.stale = 0;
}

void
ui_raw_column(int y, int x, const struct cells *c, int col, int highlight)
{
	int r;

	if (c == NULL || col < 0 || col >= c->cols || c->rows <= 0)
		return;
	shadow_fit();
	want_size((size_t)c->rows);
	for (r = 0; r < c->rows; r++)
		want[r] = highlight ? look_of(c, (size_t)r * c->cols + col, 1) :
		    look_along(c, r, col);
	raw_emit(y, x + col, 1, c->rows, 0);
}

wchar_t *
ui_widen(const char *s, size_t *n)
{
	char *p = acc_printable(s != NULL ? s : "");
	size_t k = mbstowcs(NULL, p, 0), i;
	wchar_t *ws;

	if (k == (size_t)-1) {
		/* Not decodable in this locale: show bytes as ASCII. */
		for (i = 0; p[i] != '\0'; i++)
			if ((unsigned char)p[i] >= 0x80)
				p[i] = '?';
		k = strlen(p);
	}
	ws = xcalloc(k + 1, sizeof *ws);
	mbstowcs(ws, p, k + 1);
	free(p);
	for (i = 0; i < k; i++)
		if (wcwidth(ws[i]) < 0)
			ws[i] = L'?';
	*n = k;
	return ws;
}

int
ui_print(int y, int x, int width, const char *s, int attr)
{
	wchar_t *ws;
	size_t n, i;
	int used = 0;

	if (width <= 0)
		return 0;
	ws = ui_widen(s, &n);
	attron(attr);
	move(y, x);
	for (i = 0; i < n; i++) {
		int w = wcwidth(ws[i]);

		if (used + w > width)
			break;
		{
			wchar_t one[2] = { ws[i], 0 };

			addnwstr(one, 1);
		}
		used += w;
	}
	attroff(attr);
	free(ws);
	return used;
}

void
ui_clear_to(int y, int x, int width, int attr)
{
	int i;

	attron(attr);
	for (i = 0; i < width; i++)
		mvaddch(y, x + i, ' ');
	attroff(attr);
}
