/*
 * t.h: the unit-test harness.  A test file defines `static void t_name(void)`
 * functions and a main() that calls T_RUN(t_name) for each and returns
 * t_done().  Each test prints "ok - name" or "not ok - name: where: what",
 * or "skip - name: why" when it called T_SKIP; tests/run.sh counts those
 * lines.  t_mkdtemp makes a test's directory under $TMPDIR, t_rmtree
 * removes it.
 */
#ifndef ACCORD_T_H
#define ACCORD_T_H

#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_failed_now, t_failures, t_skipped_now;
static char t_why[512];

#define T_FAIL(...) do {						\
	if (!t_failed_now) {						\
		int t_n_ = snprintf(t_why, sizeof t_why, "%s:%d: ",	\
		    __FILE__, __LINE__);				\
		snprintf(t_why + t_n_, sizeof t_why - (size_t)t_n_,	\
		    __VA_ARGS__);					\
	}								\
	t_failed_now = 1;						\
} while (0)

#define T_CHECK(cond) do {						\
	if (!(cond))							\
		T_FAIL("%s", #cond);					\
} while (0)

#define T_EQ_INT(a, b) do {						\
	long long t_a_ = (long long)(a), t_b_ = (long long)(b);	\
	if (t_a_ != t_b_)						\
		T_FAIL("%s == %lld, expected %lld", #a, t_a_, t_b_);	\
} while (0)

#define T_EQ_STR(a, b) do {						\
	const char *t_a_ = (a), *t_b_ = (b);				\
	if (t_a_ == NULL || t_b_ == NULL || strcmp(t_a_, t_b_) != 0)	\
		T_FAIL("%s == \"%s\", expected \"%s\"", #a,		\
		    t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");	\
} while (0)

#define T_NEAR(a, b, tol) do {						\
	double t_a_ = (a), t_b_ = (b);					\
	if (!(fabs(t_a_ - t_b_) <= (tol)))				\
		T_FAIL("%s == %.12g, expected %.12g (tol %g)", #a,	\
		    t_a_, t_b_, (double)(tol));				\
} while (0)

/* T_SKIP(...): the test cannot run here (printf-style reason); return
 * after it.  Counted as a skip, never as a pass; a failure before or
 * after it still fails the test. */
#define T_SKIP(...) do {						\
	t_skipped_now = 1;						\
	if (!t_failed_now)						\
		snprintf(t_why, sizeof t_why, __VA_ARGS__);		\
} while (0)

#define T_RUN(fn) t_run(#fn, fn)

static void
t_run(const char *name, void (*fn)(void))
{
	t_failed_now = t_skipped_now = 0;
	fn();
	if (name[0] == 't' && name[1] == '_')
		name += 2;
	if (t_failed_now) {
		printf("not ok - %s: %s\n", name, t_why);
		t_failures++;
	} else if (t_skipped_now)
		printf("skip - %s: %s\n", name, t_why);
	else
		printf("ok - %s\n", name);
	fflush(stdout);
}

/*
 * t_mkdtemp(buf, size, name): makes a fresh directory
 * "$TMPDIR/accord-NAME.XXXXXX" (/tmp without TMPDIR) and leaves its path
 * in buf.  Returns buf, or NULL when the path does not fit or mkdtemp
 * fails (errno says why).  Inline: files that do not call it do not
 * warn.
 */
static inline char *
t_mkdtemp(char *buf, size_t size, const char *name)
{
	const char *dir = getenv("TMPDIR");
	int n;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	n = snprintf(buf, size, "%s/accord-%s.XXXXXX", dir, name);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return mkdtemp(buf);
}

/* t_rmtree's step: one file or (emptied) directory. */
static inline int
t_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb, (void)flag, (void)f;
	return remove(path);
}

/* t_rmtree(dir): removes dir and everything in it.  0, or -1 (errno set). */
static inline int
t_rmtree(const char *dir)
{
	return nftw(dir, t_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int
t_done(void)
{
	return t_failures ? 1 : 0;
}

#endif
