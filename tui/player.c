/*
 * player.c: the audio player child process.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accord/util.h"
#include "player.h"

#define PLAYER_MAX_ARGS 32
/* What is kept of the player's stderr: its last bytes hold the reason. */
#define PLAYER_ERR_KEEP 1024

struct player {
	pid_t pid;		/* 0: nothing playing */
	double started;
	char *argv[PLAYER_MAX_ARGS + 2];
	int argc;		/* words of the command, %f included */
	int resolved;		/* argv chosen (or none found) */
	int errfd;		/* read end of the child's stderr, -1 none */
	char err[PLAYER_ERR_KEEP];	/* the last of what it wrote there */
	size_t nerr;
	char *failure;		/* a failure not yet taken, NULL none */
};

static int
on_path(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	int found = 0;

	if (path == NULL)
		path = "/usr/bin:/bin";
	copy = xstrdup(path);
	for (dir = strtok_r(copy, ":", &save); dir != NULL && !found;
	    dir = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", *dir ? dir : ".", name);

		found = access(p, X_OK) == 0;
		free(p);
	}
	free(copy);
	return found;
}

/* Choose the command once: ACCORD_PLAY, else the first player found. */
static void
resolve(struct player *p)
{
	static const char *const players[] = { "paplay", "pw-play", "play",
	    "aplay" };
	const char *env = getenv("ACCORD_PLAY");
	size_t i;

	if (p->resolved)
		return;
	p->resolved = 1;
	if (env != NULL && *env != '\0') {
		char *copy = xstrdup(env), *w, *save = NULL;

		for (w = strtok_r(copy, " \t", &save); w != NULL &&
		    p->argc < PLAYER_MAX_ARGS; w = strtok_r(NULL, " \t", &save))
			p->argv[p->argc++] = xstrdup(w);
		free(copy);
		return;
	}
	for (i = 0; i < sizeof players / sizeof players[0]; i++)
		if (on_path(players[i])) {
			p->argv[p->argc++] = xstrdup(players[i]);
			/* play (sox) prints progress unless quiet. */
			if (strcmp(players[i], "play") == 0)
				p->argv[p->argc++] = xstrdup("-q");
			return;
		}
}

struct player *
player_new(void)
{
	struct player *p = xcalloc(1, sizeof(struct player));

	p->errfd = -1;
	return p;
}

/*
 * Read what the child wrote on stderr so far, keeping the last
 * PLAYER_ERR_KEEP bytes.  Called at every poll: a chatty player must never
 * fill the pipe and block.
 */
static void
drain(struct player *p)
{
	char chunk[512];
	ssize_t n;

	while (p->errfd >= 0 && (n = read(p->errfd, chunk,
	    sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		/* chunk is smaller than err: the tail always fits. */
		if (p->nerr + (size_t)n > sizeof p->err) {
			size_t drop = p->nerr + (size_t)n - sizeof p->err;

			memmove(p->err, p->err + drop, p->nerr - drop);
			p->nerr -= drop;
		}
		memcpy(p->err + p->nerr, chunk, (size_t)n);
		p->nerr += (size_t)n;
	}
}

static void
close_err(struct player *p)
{
	if (p->errfd >= 0)
		close(p->errfd);
	p->errfd = -1;
}

/*
 * The reason a player gave: the last non-blank line it wrote on stderr,
 * without control characters, else how it ended.
 */
static char *
reason(struct player *p, int status)
{
	char *text, *line = NULL, *save = NULL, *w;

	drain(p);
	text = xstrndup(p->err, p->nerr);
	for (w = strtok_r(text, "\r\n", &save); w != NULL;
	    w = strtok_r(NULL, "\r\n", &save)) {
		while (*w == ' ' || *w == '\t')
			w++;
		if (*w != '\0')
			line = w;
	}
	if (line != NULL) {
		line = acc_printable(line);
		free(text);
		return line;
	}
	free(text);
	if (WIFEXITED(status))
		return xasprintf("%s exited with status %d", p->argv[0],
		    WEXITSTATUS(status));
	return xasprintf("%s was killed by signal %d", p->argv[0],
	    WTERMSIG(status));
}

void
player_free(struct player *p)
{
	int i;

	if (p == NULL)
		return;
	player_stop(p);
	for (i = 0; i < p->argc; i++)
		free(p->argv[i]);
	free(p->failure);
	free(p);
}

const char *
player_command(struct player *p)
{
	resolve(p);
	return p->argc > 0 ? p->argv[0] : NULL;
}

int
player_start(struct player *p, const char *path, char **cause)
{
	char *argv[PLAYER_MAX_ARGS + 2], *why = NULL, *noexec;
	int i, n = 0, has_f = 0, mfd, efd[2], e;
	pid_t pid;

	player_stop(p);
	resolve(p);
	if (p->argc == 0)
		return acc_error(cause, "no audio player found: install "
		    "pulseaudio-utils (paplay) or set ACCORD_PLAY");
	/*
	 * The player gets only a regular file: one given a FIFO would wait
	 * for a writer, "playing" for ever.  Opened the way accord reads
	 * media (never blocking), then closed: the player opens it itself.
	 */
	if ((mfd = acc_open_regular(path, NULL, &why)) < 0) {
		acc_error(cause, "cannot play %s: %s", path, why);
		free(why);
		return -1;
	}
	close(mfd);
	for (i = 0; i < p->argc; i++) {
		if (strcmp(p->argv[i], "%f") == 0) {
			argv[n++] = (char *)path;
			has_f = 1;
		} else
			argv[n++] = p->argv[i];
	}
	if (!has_f)
		argv[n++] = (char *)path;
	argv[n] = NULL;

	/*
	 * Its stderr comes back through a pipe, so a failure can be shown
	 * with the player's own reason ("aplay: ...: No such device").  The
	 * read end never blocks; both ends are close-on-exec from the start
	 * (dup2 onto the child's 2 clears it there), so no other child
	 * started meanwhile inherits them.
	 */
	if (pipe2(efd, O_CLOEXEC) != 0)
		return acc_error(cause, "cannot start %s: %s", argv[0],
		    strerror(errno));
	noexec = xasprintf("%s: no such program, or not executable\n",
	    argv[0]);
	pid = fork();
	if (pid == -1) {
		e = errno;
		close(efd[0]);
		close(efd[1]);
		free(noexec);
		return acc_error(cause, "cannot start %s: %s", argv[0],
		    strerror(e));
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		setpgid(0, 0);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			if (fd > 2)
				close(fd);
		}
		dup2(efd[1], 2);
		if (efd[1] > 2)
			close(efd[1]);
		close(efd[0]);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(argv[0], argv);
		/* Only async-signal-safe calls here: the message was made
		 * before the fork. */
		(void)!write(2, noexec, strlen(noexec));
		_exit(127);
	}
	/* Also from the parent, so the group exists before any kill(). */
	setpgid(pid, pid);
	free(noexec);
	close(efd[1]);
	fcntl(efd[0], F_SETFL, fcntl(efd[0], F_GETFL) | O_NONBLOCK);
	p->errfd = efd[0];
	p->nerr = 0;
	p->pid = pid;
	p->started = acc_monotonic();
	return 0;
}

void
player_stop(struct player *p)
{
	if (p->pid <= 0) {
		close_err(p);
		return;
	}
	kill(-p->pid, SIGTERM);
	kill(p->pid, SIGTERM);
	/* Reap it; if it ignores SIGTERM, SIGKILL after a short wait. */
	{
		int i;

		for (i = 0; i < 50; i++) {
			if (waitpid(p->pid, NULL, WNOHANG) != 0)
				break;
			if (i == 20) {
				kill(-p->pid, SIGKILL);
				kill(p->pid, SIGKILL);
			}
			usleep(2000);
		}
	}
	p->pid = 0;
	close_err(p);
}

int
player_poll(struct player *p)
{
	int status;
	pid_t r;

	if (p->pid <= 0)
		return 0;
	drain(p);
	r = waitpid(p->pid, &status, WNOHANG);
	if (r == 0)
		return 1;
	/* Stopped by player_stop() it is reaped there: what ends here
	 * ended by itself, and anything but status 0 is a failure. */
	if (r == p->pid && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		free(p->failure);
		p->failure = reason(p, status);
	}
	p->pid = 0;
	close_err(p);
	return 0;
}

char *
player_failure(struct player *p)
{
	char *f = p->failure;

	p->failure = NULL;
	return f;
}

double
player_elapsed(const struct player *p)
{
	return p->pid > 0 ? acc_monotonic() - p->started : 0;
}
