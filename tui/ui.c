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
	buf_free(&rawbuf);
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
 * spend ~10 ms of CPU on a 160x48 image (tests/bench/label_bench.sh);
 * here a colour is sent only when it changes, so a new item costs well
 * under a millisecond to emit.  Curses keeps the media pane blank in its
 * model, so it never paints over the cells unless something is drawn
 * there (an overlay, a resize), after which the screen emits them again.
 * DECSC/DECRC around the output leave curses' cursor and attributes as
 * they were.
 */

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
 * Whether colour a can stand for b.  In truecolor, a new colour is sent
 * only when a channel moves by more than RAW_TOLERANCE levels: after an
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

static void
raw_cell(struct buf *b, const struct cells *c, size_t i, int highlight,
    int32_t *pf, int32_t *pb)
{
	int32_t fg = c->fg[i], bg = c->bg[i];
	char ch = c->ch != NULL ? c->ch[i] : CELL_UPPER;
	const char *glyph;

	if (highlight) {
		/* The playhead: a bright full column, whatever was there. */
		if (depth == TERM_DEPTH_NONE) {
			buf_puts(b, "|");
			return;
		}
		ch = CELL_FULL;
		fg = bright();
		bg = -1;
	}
	if (!utf8 &&
	    (ch == CELL_UPPER || ch == CELL_LOWER || ch == CELL_FULL)) {
		/* No block characters in this locale: one colour per cell. */
		bg = ch == CELL_LOWER && bg >= 0 ? bg : fg;
		ch = ' ';
	}
	if (depth != TERM_DEPTH_NONE) {
		int nf = !same_color(fg, *pf), nb = !same_color(bg, *pb);

		if (nf || nb) {
			buf_puts(b, "\033[");
			if (nf)
				sgr_color(b, fg, 0);
			if (nf && nb)
				buf_puts(b, ";");
			if (nb)
				sgr_color(b, bg, 1);
			buf_puts(b, "m");
			if (nf)
				*pf = fg;
			if (nb)
				*pb = bg;
		}
	}
	switch (ch) {
	case CELL_UPPER: glyph = "\xe2\x96\x80"; break;
	case CELL_LOWER: glyph = "\xe2\x96\x84"; break;
	case CELL_FULL: glyph = "\xe2\x96\x88"; break;
	default:
		buf_add(b, &ch, 1);
		return;
	}
	buf_puts(b, glyph);
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

void
ui_raw_cells(int y, int x, int cols, int rows, const struct cells *c)
{
	int r, k, y0 = c ? (rows - c->rows) / 2 : 0;
	int x0 = c ? (cols - c->cols) / 2 : 0;
	int32_t pf = -2, pb = -2;

	buf_puts(&rawbuf, "\0337\033[0m");
	for (r = 0; r < rows; r++) {
		buf_printf(&rawbuf, "\033[%d;%dH", y + r + 1, x + 1);
		for (k = 0; k < cols; k++) {
			int cr = r - y0, ck = k - x0;

			if (c == NULL || cr < 0 || cr >= c->rows || ck < 0 ||
			    ck >= c->cols) {
				if (pf != -1 || pb != -1) {
					buf_puts(&rawbuf, "\033[0m");
					pf = pb = -1;
				}
				buf_add(&rawbuf, " ", 1);
				continue;
			}
			raw_cell(&rawbuf, c, (size_t)cr * c->cols + ck, 0, &pf,
			    &pb);
		}
	}
	buf_puts(&rawbuf, "\033[0m\0338");
	raw_flush();
}

void
ui_raw_column(int y, int x, const struct cells *c, int col, int highlight)
{
	int32_t pf = -2, pb = -2;
	int r;

	if (c == NULL || col < 0 || col >= c->cols)
		return;
	buf_puts(&rawbuf, "\0337\033[0m");
	for (r = 0; r < c->rows; r++) {
		buf_printf(&rawbuf, "\033[%d;%dH", y + r + 1, x + col + 1);
		raw_cell(&rawbuf, c, (size_t)r * c->cols + col, highlight, &pf,
		    &pb);
	}
	buf_puts(&rawbuf, "\033[0m\0338");
	raw_flush();
}

int
ui_print(int y, int x, int width, const char *s, int attr)
{
	char *p = acc_printable(s);
	wchar_t *ws;
	size_t n = mbstowcs(NULL, p, 0), i;
	int used = 0;

	if (width <= 0) {
		free(p);
		return 0;
	}
	if (n == (size_t)-1) {
		/* Not decodable in this locale: show bytes as ASCII. */
		for (i = 0; p[i] != '\0'; i++)
			if ((unsigned char)p[i] >= 0x80)
				p[i] = '?';
		n = strlen(p);
	}
	ws = xcalloc(n + 1, sizeof *ws);
	mbstowcs(ws, p, n + 1);
	attron(attr);
	move(y, x);
	for (i = 0; i < n; i++) {
		int w = wcwidth(ws[i]);

		if (w < 0)
			w = 1, ws[i] = L'?';
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
	free(p);
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
