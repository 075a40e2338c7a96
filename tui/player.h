/*
 * player.h: playing an audio file through a child process without ever
 * blocking the screen.
 *
 * The command is ACCORD_PLAY (split on spaces; the word %f is replaced by
 * the file, or the file is appended when there is no %f; never passed
 * through a shell), else the first of paplay, pw-play, play, aplay found on
 * PATH.  The child runs in its own process group with /dev/null on stdin
 * and stdout and a pipe on stderr, so it can neither steal keys nor
 * scribble on the screen, and what it says when it fails is kept (its last
 * line is the reason shown); it is reaped without blocking and killed (the
 * whole group) on stop.
 */
#ifndef ACCORD_PLAYER_H
#define ACCORD_PLAYER_H

struct player;

struct player *player_new(void);
void player_free(struct player *p);	/* stops playback */

/* Start playing path (stopping what played before).  0, or -1 with *cause
 * ("no audio player found: install pulseaudio-utils or set ACCORD_PLAY"). */
int player_start(struct player *p, const char *path, char **cause);
void player_stop(struct player *p);

/*
 * Read the child's stderr and reap it when it finished; call from the
 * screen loop.  Returns 1 while playing, 0 when not.  A child that ended
 * by itself with a status other than 0, or by a signal, leaves a failure
 * for player_failure().
 */
int player_poll(struct player *p);

/*
 * The failure of the last playback, once: the last line the player wrote
 * on stderr ("aplay: main:831: audio open error: No such device"), or how
 * it ended ("aplay exited with status 1"), malloc'd; NULL when there is
 * none or it was taken already.
 */
char *player_failure(struct player *p);

/* Seconds since playback started (0 when not playing). */
double player_elapsed(const struct player *p);

/* The command that would be used, for messages ("paplay", ...), or NULL. */
const char *player_command(struct player *p);

#endif
