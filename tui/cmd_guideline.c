/* cmd_guideline.c: accord guideline: show, log, diff and edit versions. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accord/guideline.h"
#include "accord/project.h"
#include "accord/suggest.h"
#include "cmd.h"

static int cmd_guideline_run(struct cmd_args *);

static const struct cmd_opt options[] = {
	{ "version", "V", 0, "show version V" },
	{ "reason", "TEXT", 0,
	    "why the definitions changed (asked for when missing)" },
	{ "file", "FILE", 0,
	    "take the new text from FILE instead of an editor" },
	{ NULL, NULL, 0, NULL },
};

const struct cmd_entry cmd_guideline_entry = {
	.name = "guideline",
	.summary = "show, list, compare and edit guideline versions",
	.usage =
"usage: accord guideline DB show [--version V]\n"
"       accord guideline DB log\n"
"       accord guideline DB diff V1 V2\n"
"       accord guideline DB edit [--reason TEXT] [--file FILE]\n"
"\n"
"show prints a version's text (default: the one in force) and its class\n"
"descriptions; log lists versions (version, author, time, reason); diff\n"
"prints a unified line diff from V1 to V2.  Any member may read.\n"
"\n"
"edit (sme or admin) opens the text in force in $VISUAL, else $EDITOR,\n"
"else vi (run through sh -c, so EDITOR='code -w' works).  If you changed\n"
"it, it asks for a reason on the terminal (or takes --reason) and stores a\n"
"new version.  Format: a \"## NAME\" heading starts the description of\n"
"class NAME (every ## heading must name a class); a line \"examples: 12,\n"
"40\" in a class section names example items by id.  If the text is\n"
"refused nothing is stored and the edited text is kept in the file the\n"
"error names.\n",
	.opts = options,
	.run = cmd_guideline_run,
};

/* Print text line by line with control characters made inert, each line
 * after `indent`. */
static void
print_lines(const char *text, const char *indent)
{
	const char *p = text;

	while (*p != '\0') {
		const char *e = strchr(p, '\n');
		char *line = xstrndup(p, e ? (size_t)(e - p) : strlen(p));

		fputs(indent, stdout);
		cmd_print_safe(stdout, line);
		fputc('\n', stdout);
		free(line);
		p = e ? e + 1 : p + strlen(p);
	}
}

/* Version v (0: none asked for) is stored; else 0 after the message. */
static int
version_known(struct store *st, const char *db, int v)
{
	char word[16];

	if (v == 0)
		return 1;
	snprintf(word, sizeof word, "%d", v);
	return cmd_known(st, db, SUGGEST_VERSIONS, word, "versions",
	    "no guideline version %d", v);
}

static int
do_show(struct store *st, const char *db, const char *user, int version)
{
	struct guideline_version *v = NULL;
	struct guideline_class *c = NULL;
	char *text = NULL, *cause = NULL;
	int n = 0, got, i, r = 0;

	if (project_require(st, user, ROLE_LABELER, "reading the guideline",
	    &cause) != 0) {
		r = cmd_fail_cause(db, cause);
		goto out;
	}
	if (!version_known(st, db, version)) {
		r = EXIT_FAIL;
		goto out;
	}
	if (guideline_text(st, version, &text, &got, &cause) != 0 ||
	    guideline_info(st, got, &v, &cause) != 0 ||
	    guideline_classes(st, got, &c, &n, &cause) != 0) {
		r = cmd_fail_cause(db, cause);
		goto out;
	}
	printf("guideline v%d by ", got);
	cmd_print_safe(stdout, v->author);
	printf(" at %s: ", v->created_at);
	cmd_print_safe(stdout, v->reason);
	printf("\n\n");
	print_lines(text, "");
	printf("\nclass descriptions (v%d):\n", got);
	for (i = 0; i < n; i++) {
		printf("  %c ", c[i].key);
		cmd_print_safe(stdout, c[i].name);
		fputc('\n', stdout);
		print_lines(*c[i].description ? c[i].description :
		    "(no description)", "      ");
	}
out:
	free(text);
	guideline_log_free(v, v ? 1 : 0);
	guideline_classes_free(c, n);
	return r;
}

static int
do_log(struct store *st, const char *db, const char *user)
{
	struct guideline_version *v;
	char *cause = NULL;
	int n, i;

	if (guideline_log(st, user, &v, &n, &cause) != 0)
		return cmd_fail_cause(db, cause);
	for (i = 0; i < n; i++) {
		char *author = acc_printable(v[i].author);

		printf("v%-4d %-16s %s  ", v[i].version, author,
		    v[i].created_at);
		free(author);
		cmd_print_safe(stdout, v[i].reason);
		fputc('\n', stdout);
	}
	guideline_log_free(v, n);
	return 0;
}

static int
do_diff(struct store *st, const char *db, const char *user, int v1, int v2)
{
	char *a = NULL, *b = NULL, *cause = NULL, *d, na[32], nb[32];
	int g1, g2, r = 0;

	if (project_require(st, user, ROLE_LABELER, "reading the guideline",
	    &cause) != 0) {
		r = cmd_fail_cause(db, cause);
		goto out;
	}
	if (!version_known(st, db, v1) || !version_known(st, db, v2)) {
		r = EXIT_FAIL;
		goto out;
	}
	if (guideline_text(st, v1, &a, &g1, &cause) != 0 ||
	    guideline_text(st, v2, &b, &g2, &cause) != 0) {
		r = cmd_fail_cause(db, cause);
		goto out;
	}
	snprintf(na, sizeof na, "guideline v%d", g1);
	snprintf(nb, sizeof nb, "guideline v%d", g2);
	d = guideline_diff(a, b, na, nb);
	print_lines(d, "");
	free(d);
out:
	free(a);
	free(b);
	return r;
}

/*
 * Run the editor on path and wait for it.  Like system(3), the parent
 * ignores SIGINT and SIGQUIT meanwhile: ^C belongs to the editor.  The
 * editor's value is shell text on purpose ("code -w"); the file is passed
 * as an argument, never pasted into it.
 */
static int
run_editor(const char *path, char **cause)
{
	const char *ed = getenv("VISUAL");
	struct sigaction ign, oint, oquit;
	char *script;
	pid_t pid;
	int status;

	if (ed == NULL || *ed == '\0')
		ed = getenv("EDITOR");
	if (ed == NULL || *ed == '\0')
		ed = "vi";
	script = xasprintf("%s \"$1\"", ed);
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &oint, NULL);
		sigaction(SIGQUIT, &oquit, NULL);
		execl("/bin/sh", "sh", "-c", script, "sh", path, (char *)NULL);
		_exit(127);
	}
	free(script);
	status = -1;
	if (pid > 0)
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	if (pid < 0)
		return acc_error(cause, "cannot start the editor: %s",
		    strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return acc_error(cause, "the editor (%s) failed (status %d)",
		    ed, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

/* Ask for a reason on the terminal; NULL if none was given. */
static char *
ask_reason(int tty, int version)
{
	struct buf b = { 0 };
	char *q = xasprintf("reason for guideline v%d: ", version), c;
	ssize_t n;

	if (write(tty, q, strlen(q)) < 0) {
		free(q);
		return NULL;
	}
	free(q);
	buf_puts(&b, "");
	while ((n = read(tty, &c, 1)) == 1 && c != '\n')
		buf_add(&b, &c, 1);
	while (b.len > 0 && (b.s[b.len - 1] == ' ' || b.s[b.len - 1] == '\r'))
		b.s[--b.len] = '\0';
	if (b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	return b.s;
}

/* A private temporary file holding text; its malloc'd name, or NULL. */
static char *
temp_with(const char *text, char **cause)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	size_t len = strlen(text), off = 0;
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	path = xasprintf("%s/accord-guideline-XXXXXX.md", dir);
	if ((fd = mkostemps(path, 3, O_CLOEXEC)) == -1) {
		acc_error(cause, "cannot create a file in %s: %s", dir,
		    strerror(errno));
		free(path);
		return NULL;
	}
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			acc_error(cause, "cannot write %s: %s", path,
			    strerror(errno));
			close(fd);
			unlink(path);
			free(path);
			return NULL;
		}
		off += (size_t)w;
	}
	close(fd);
	return path;
}

/*
 * The new text into *text: FILE's, or what the editor left in a temporary
 * file holding cur (*path names the file read; the caller unlinks a
 * temporary one).  0, or the error printed and EXIT_FAIL, *keep set when
 * the text in *path must stay.
 */
static int
edit_read(const char *file, const char *cur, char **path,
    unsigned char **text, size_t *len, int *keep)
{
	char *cause = NULL;

	if (file != NULL)
		*path = xstrdup(file);
	else if ((*path = temp_with(cur, &cause)) == NULL ||
	    run_editor(*path, &cause) != 0) {
		*keep = *path != NULL;
		cmd_fail(*path, "%s%s", cause, *keep ? "; nothing stored, the "
		    "text is kept in this file" : "");
		free(cause);
		return EXIT_FAIL;
	}
	if (acc_read_file(*path, (size_t)16 << 20, text, len, &cause) != 0) {
		*keep = 1;
		return cmd_fail_cause(*path, cause);
	}
	return 0;
}

/*
 * Store text as the version after base, with reason_arg or a reason asked
 * on tty.  0 (said on stdout), or the error printed and EXIT_FAIL: nothing
 * stored, and the text is kept in path.
 */
static int
edit_store(struct store *st, const char *user, int base, const char *text,
    const char *path, const char *reason_arg, int tty)
{
	char *reason, *cause = NULL;
	int newver, r = 0;

	reason = reason_arg ? xstrdup(reason_arg) : ask_reason(tty, base + 1);
	if (reason == NULL)
		return cmd_fail(path, "no reason given; nothing stored, the "
		    "text is kept in this file");
	if (guideline_add_on(st, user, base, text, reason, &newver,
	    &cause) != 0) {
		r = cmd_fail(path, "%s; nothing stored, the text is kept in "
		    "this file", cause);
		free(cause);
	} else if (newver == 0)
		printf("no change: guideline v%d stays in force\n", base);
	else
		printf("guideline v%d saved\n", newver);
	free(reason);
	return r;
}

static int
do_edit(struct store *st, const char *db, const char *user,
    const char *reason_arg, const char *file)
{
	char *cur = NULL, *path = NULL, *cause = NULL;
	unsigned char *text = NULL;
	size_t len;
	int base, tty = -1, r, keep = 0;

	/* Refuse (and audit) a labeler before any editor opens. */
	if (project_require(st, user, ROLE_SME, "editing the guideline",
	    &cause) != 0 || guideline_current(st, &base, &cur, &cause) != 0) {
		r = cmd_fail_cause(db, cause);
		goto out;
	}
	/* Without --reason we must be able to ask; say so before editing. */
	if (reason_arg == NULL &&
	    (tty = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1) {
		r = cmd_fail(db, "no terminal to ask for the reason: give "
		    "--reason TEXT");
		goto out;
	}
	if ((r = edit_read(file, cur, &path, &text, &len, &keep)) != 0)
		goto out;
	if (guideline_same((const char *)text, cur))
		printf("no change: guideline v%d stays in force\n", base);
	else if ((r = edit_store(st, user, base, (const char *)text, path,
	    reason_arg, tty)) != 0)
		keep = 1;
out:
	if (path != NULL && file == NULL && !keep)
		unlink(path);
	if (tty != -1)
		close(tty);
	free(path);
	free(cur);
	free(text);
	return r;
}

static int
version_arg(const char *s, int *v)
{
	long long n;

	if (s[0] == 'v' || s[0] == 'V')
		s++;
	if (acc_parse_int(s, 1, 1000000000, &n) != 0)
		return -1;
	*v = (int)n;
	return 0;
}

static int
cmd_guideline_run(struct cmd_args *a)
{
	const struct cmd_entry *c = a->entry;
	const char *db = a->argv[0], *verb = a->argv[1], *user, *v;
	const char *reason = cmd_args_get(a, "reason");
	const char *file = cmd_args_get(a, "file");
	struct store *st;
	int r, version = 0, v1 = 0, v2 = 0;

	if ((v = cmd_args_get(a, "version")) != NULL &&
	    version_arg(v, &version) != 0)
		return cmd_usage(c, "--version wants a version number, not "
		    "'%s'", v);
	if (a->argc < 2)
		return cmd_usage(c, "want DB and show, log, diff or edit");
	if (strcmp(verb, "show") == 0 || strcmp(verb, "log") == 0) {
		if (a->argc != 2 || reason || file || (version && *verb == 'l'))
			return cmd_usage(c, "%s takes %s", verb, *verb == 's' ?
			    "only --version" : "no arguments");
	} else if (strcmp(verb, "diff") == 0) {
		if (a->argc != 4 || reason || file || version)
			return cmd_usage(c, "diff takes two versions: diff V1 "
			    "V2");
		if (version_arg(a->argv[2], &v1) != 0 ||
		    version_arg(a->argv[3], &v2) != 0)
			return cmd_usage(c, "diff wants version numbers, not "
			    "'%s' '%s'", a->argv[2], a->argv[3]);
	} else if (strcmp(verb, "edit") == 0) {
		if (a->argc != 2 || version)
			return cmd_usage(c, "edit takes only --reason and "
			    "--file");
	} else
		return cmd_usage(c, "unknown action '%s' (show, log, diff, "
		    "edit)", verb);
	if ((user = cmd_user()) == NULL || (st = cmd_open(db)) == NULL)
		return EXIT_FAIL;
	if (*verb == 's')
		r = do_show(st, db, user, version);
	else if (*verb == 'l')
		r = do_log(st, db, user);
	else if (*verb == 'd')
		r = do_diff(st, db, user, v1, v2);
	else
		r = do_edit(st, db, user, reason, file);
	store_close(st);
	return r;
}
