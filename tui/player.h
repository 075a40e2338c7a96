/*
 * player.h: playing an audio file through a child process without ever
 * blocking the screen.
 *
 * The command is ACCORD_PLAY (split on spaces; the word %f is replaced by
 * the file, or the file is appended when there is no %f; never passed
 * through a shell), else the first of paplay, pw-play, play, aplay found on
 * PATH.  The child runs in its own process group with /dev/null on stdin,
 * stdout and stderr, so it can neither steal keys nor scribble on the
 * screen; it is reaped without blocking and killed (the whole group) on
 * stop.
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
 * Reap a finished child; call from the screen loop.  Returns 1 while
 * playing, 0 when not.  *failed (may be NULL) is set when the child exited
 * with an error within its first second (no sound device, say).
 */
int player_poll(struct player *p, int *failed);

/* Seconds since playback started (0 when not playing). */
double player_elapsed(const struct player *p);

/* The command that would be used, for messages ("paplay", ...), or NULL. */
const char *player_command(struct player *p);

#endif
