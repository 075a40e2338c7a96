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

struct player {
	pid_t pid;		/* 0: nothing playing */
	double started;
	char *argv[PLAYER_MAX_ARGS + 2];
	int argc;		/* words of the command, %f included */
	int resolved;		/* argv chosen (or none found) */
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
	return xcalloc(1, sizeof(struct player));
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
	char *argv[PLAYER_MAX_ARGS + 2], *why = NULL;
	int i, n = 0, has_f = 0, mfd;
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

	pid = fork();
	if (pid == -1)
		return acc_error(cause, "cannot start %s: %s", argv[0],
		    strerror(errno));
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		setpgid(0, 0);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(argv[0], argv);
		_exit(127);
	}
	/* Also from the parent, so the group exists before any kill(). */
	setpgid(pid, pid);
	p->pid = pid;
	p->started = acc_monotonic();
	return 0;
}

void
player_stop(struct player *p)
{
	if (p->pid <= 0)
		return;
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
}

int
player_poll(struct player *p, int *failed)
{
	int status;
	pid_t r;

	if (failed != NULL)
		*failed = 0;
	if (p->pid <= 0)
		return 0;
	r = waitpid(p->pid, &status, WNOHANG);
	if (r == 0)
		return 1;
	if (failed != NULL && r == p->pid &&
	    acc_monotonic() - p->started < 1.0 &&
	    (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		*failed = 1;
	p->pid = 0;
	return 0;
}

double
player_elapsed(const struct player *p)
{
	return p->pid > 0 ? acc_monotonic() - p->started : 0;
}
