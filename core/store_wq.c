/*
 * store_wq.c: the writers' queue in front of SQLite's write lock.
 *
 * A writer that finds the write lock taken can only poll for it: SQLite
 * calls the busy handler (store_busy), which sleeps 2 to 10 ms and tries
 * again, so the lock often lies free while every waiter sleeps, and with
 * sixteen labelers at once most of a take's and a commit's time was that
 * sleep.  Here every accord process takes an exclusive flock(2) on the
 * store file before BEGIN IMMEDIATE and lets it go after COMMIT or
 * ROLLBACK: a waiter blocks in the kernel and is woken the moment the
 * holder lets go, and no time is lost between two writers.
 *
 * flock locks belong to an open file description, apart from the POSIX
 * locks SQLite takes on the same file (Linux keeps the two kinds apart),
 * so the queue never touches SQLite's locking.  The descriptor is opened
 * once and closed only after SQLite closed its own: closing any
 * descriptor of a file drops the POSIX locks the process holds on it.
 *
 * A blocked flock has no time limit, and a writer stopped while it holds
 * the lock (SIGSTOP, a suspended terminal) must not stall the others for
 * ever.  So the blocking call is made by a helper thread while the writer
 * waits on a condition variable with a deadline (STORE_BUSY_MS in all,
 * queue and busy handler together).  At the deadline the writer goes on
 * without the queue: BEGIN IMMEDIATE and the busy handler then decide, as
 * they did before the queue, and the helper lets the flock go as soon as
 * it gets it.  A process that cannot open or lock the file (another
 * program, a file system without flock) writes without the queue too.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

struct store_wq {
	int fd;			/* the store file, for flock only */
	pthread_t th;
	int started;		/* th runs */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int want;		/* a writer asked th to lock */
	int blocked;		/* th is in flock(LOCK_EX) */
	int got;		/* th locked for the writer */
	int gave_up;		/* the writer stopped waiting */
	int quit;
	int detached;		/* th frees the queue when it ends */
};

static void
wq_free(struct store_wq *q)
{
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	close(q->fd);
	free(q);
}

static void *
wq_run(void *arg)
{
	struct store_wq *q = arg;
	int r;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->want && !q->quit)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->quit)
			break;
		q->want = 0;
		q->blocked = 1;
		pthread_mutex_unlock(&q->mu);
		do
			r = flock(q->fd, LOCK_EX);
		while (r != 0 && errno == EINTR);
		pthread_mutex_lock(&q->mu);
		q->blocked = 0;
		if (r == 0 && ((q->gave_up && !q->want) || q->quit))
			(void)flock(q->fd, LOCK_UN);
		else
			q->got = r == 0 ? 1 : -1;
		q->gave_up = 0;
		pthread_cond_broadcast(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	if (q->detached)
		wq_free(q);
	return NULL;
}

/* The queue of st, opened on first use; NULL when there can be none. */
static struct store_wq *
wq_get(struct store *st)
{
	struct store_wq *q;
	int fd;

	if (st->wq != NULL || st->path == NULL)
		return st->wq;
	fd = open(st->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		st->wq_none = 1;
		return NULL;
	}
	q = xcalloc(1, sizeof *q);
	q->fd = fd;
	if (pthread_mutex_init(&q->mu, NULL) != 0) {
		close(fd);
		free(q);
		st->wq_none = 1;
		return NULL;
	}
	if (pthread_cond_init(&q->cv, NULL) != 0) {
		pthread_mutex_destroy(&q->mu);
		close(fd);
		free(q);
		st->wq_none = 1;
		return NULL;
	}
	st->wq = q;
	return q;
}

/* deadline = now + ms on CLOCK_REALTIME (pthread_cond_timedwait's). */
static void
deadline_in(struct timespec *ts, double ms)
{
	long long ns;

	clock_gettime(CLOCK_REALTIME, ts);
	ns = ts->tv_nsec + (long long)(ms * 1e6);
	ts->tv_sec += ns / 1000000000LL;
	ts->tv_nsec = ns % 1000000000LL;
}

/*
 * Wait the lock through the helper thread, for up to ms: 1 held, 0 not
 * (the deadline passed, or the thread could not lock).
 */
static int
wq_wait(struct store_wq *q, double ms)
{
	struct timespec until;
	int held = 0, rc = 0;

	pthread_mutex_lock(&q->mu);
	if (!q->started) {
		q->started = pthread_create(&q->th, NULL, wq_run, q) == 0;
		if (!q->started) {
			pthread_mutex_unlock(&q->mu);
			return 0;
		}
	}
	/* A lock the thread still waits for on an earlier, abandoned
	 * request is this writer's again. */
	if (q->blocked)
		q->gave_up = 0;
	else
		q->want = 1;
	pthread_cond_broadcast(&q->cv);
	deadline_in(&until, ms);
	while (q->got == 0 && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&q->cv, &q->mu, &until);
	if (q->got == 1)
		held = 1;
	else if (q->got == 0) {
		/* Timed out: whatever the thread gets later it lets go. */
		q->want = 0;
		q->gave_up = q->blocked;
	}
	q->got = 0;
	pthread_mutex_unlock(&q->mu);
	return held;
}

void
store_wq_enter(struct store *st, double ms)
{
	struct store_wq *q;

	if (st->wq_held || st->wq_none || (q = wq_get(st)) == NULL)
		return;
	if (flock(q->fd, LOCK_EX | LOCK_NB) == 0)
		st->wq_held = 1;
	else if (errno != EWOULDBLOCK || !(st->wq_held = wq_wait(q, ms)))
		/* No flock here, or a holder that never lets go (anyone who
		 * can read the file can take it): this connection writes
		 * without the queue from now on, so it is held up once. */
		st->wq_none = 1;
}

void
store_wq_leave(struct store *st)
{
	if (!st->wq_held)
		return;
	(void)flock(st->wq->fd, LOCK_UN);
	st->wq_held = 0;
}

void
store_wq_close(struct store *st)
{
	struct store_wq *q = st->wq;

	if (q == NULL)
		return;
	store_wq_leave(st);
	st->wq = NULL;
	if (!q->started) {
		wq_free(q);
		return;
	}
	pthread_mutex_lock(&q->mu);
	q->quit = 1;
	pthread_cond_broadcast(&q->cv);
	/*
	 * A thread still blocked in flock for a writer that gave up waits for
	 * the holder, and closing the descriptor would not wake it: it is
	 * left to end by itself (it lets the lock go, sees quit and frees the
	 * queue; its file description holds no POSIX lock).
	 */
	if (q->blocked) {
		q->detached = 1;
		pthread_mutex_unlock(&q->mu);
		pthread_detach(q->th);
		return;
	}
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->th, NULL);
	wq_free(q);
}
