/* util.c: allocation, error strings, files, hashing, time. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "accord/util.h"

static void (*fatal_cleanup)(void);

void
acc_set_fatal_cleanup(void (*fn)(void))
{
	fatal_cleanup = fn;
}

void
acc_fatal(const char *fmt, ...)
{
	va_list ap;

	if (fatal_cleanup != NULL)
		fatal_cleanup();
	fputs("accord: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		acc_fatal("out of memory (%zu bytes)", size);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if (n == 0 || size == 0)
		n = size = 1;
	p = calloc(n, size);
	if (p == NULL)
		acc_fatal("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

#define HUGE_PAGE ((size_t)2 << 20)

void *
xmalloc_huge(size_t n, size_t size)
{
	size_t len;
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		acc_fatal("out of memory (%zu x %zu bytes)", n, size);
	len = n * size;
	if (len < HUGE_PAGE)
		return xmalloc(len);
	len = (len + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
	p = aligned_alloc(HUGE_PAGE, len);
	if (p == NULL)
		acc_fatal("out of memory (%zu bytes)", len);
#ifdef MADV_HUGEPAGE
	(void)madvise(p, len, MADV_HUGEPAGE); /* a hint: failure is harmless */
#endif
	return p;
}

void *
xreallocarray(void *ptr, size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		acc_fatal("allocation overflow (%zu x %zu)", n, size);
	p = realloc(ptr, n * size > 0 ? n * size : 1);
	if (p == NULL)
		acc_fatal("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		acc_fatal("bad format string: %s", fmt);
	p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

int
acc_error(char **cause, const char *fmt, ...)
{
	va_list ap;

	if (cause != NULL) {
		va_start(ap, fmt);
		*cause = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return -1;
}

void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = xreallocarray(b->s, cap, 1);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	buf_puts(b, p);
	free(p);
}

void
buf_free(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

/*
 * Length of the valid UTF-8 sequence at s (1-4), or 0 if it is not valid
 * (overlong forms, surrogates and code points past U+10FFFF are invalid).
 */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n, i;
	unsigned long cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* The code point of the valid n-byte sequence at s (utf8_len said n). */
static unsigned long
utf8_cp(const unsigned char *s, size_t n)
{
	static const unsigned char lead[5] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	unsigned long cp = s[0] & lead[n];
	size_t i;

	for (i = 1; i < n; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	return cp;
}

int
acc_invisible(unsigned long cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
	    cp == 0x061c ||			/* ARABIC LETTER MARK */
	    cp == 0x200e || cp == 0x200f ||	/* LRM, RLM */
	    (cp >= 0x202a && cp <= 0x202e) ||	/* LRE RLE PDF LRO RLO */
	    (cp >= 0x2066 && cp <= 0x2069);	/* LRI RLI FSI PDI */
}

void
buf_json_str(struct buf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	char esc[24];

	buf_add(b, "\"", 1);
	while (*s != '\0') {
		size_t n = utf8_len(s);

		if (n == 0) {
			buf_puts(b, "\\ufffd");
			s++;
			continue;
		}
		if (n > 1) {
			unsigned long cp = utf8_cp(s, n);

			/*
			 * C1 controls and the invisible format characters go
			 * out as \uXXXX: JSON read on a terminal (cat, less,
			 * a log) then cannot be reordered or taken over by
			 * them, and the value decodes to the same string.
			 */
			if (acc_invisible(cp)) {
				snprintf(esc, sizeof esc, "\\u%04lx", cp);
				buf_puts(b, esc);
			} else
				buf_add(b, (const char *)s, n);
			s += n;
			continue;
		}
		switch (*s) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		default:
			if (*s < 0x20 || *s == 0x7f) {
				snprintf(esc, sizeof esc, "\\u%04x", *s);
				buf_puts(b, esc);
			} else
				buf_add(b, (const char *)s, 1);
		}
		s++;
	}
	buf_add(b, "\"", 1);
}

char *
acc_printable(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	struct buf b = { 0 };

	buf_add(&b, "", 0);
	while (*s != '\0') {
		size_t n = utf8_len(s);

		if (n == 0) {
			buf_puts(&b, "\xef\xbf\xbd");
			s++;
		} else if (n == 1) {
			buf_add(&b, *s < 0x20 || *s == 0x7f ? "?" :
			    (const char *)s, 1);
			s++;
		} else {
			/*
			 * C1 controls (U+0080..U+009F) act like ESC on some
			 * terminals; bidirectional overrides and isolates
			 * reorder what follows them on screen, so a file named
			 * "cat\u202egnp.exe" would read as "catexe.png".
			 */
			if (acc_invisible(utf8_cp(s, n)))
				buf_puts(&b, "?");
			else
				buf_add(&b, (const char *)s, n);
			s += n;
		}
	}
	return b.s;
}

/* What a file that is not a regular file is, for one line to the user. */
static const char *
file_kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "is a FIFO";
	if (S_ISDIR(m))
		return "is a directory";
	if (S_ISCHR(m))
		return "is a character device";
	if (S_ISBLK(m))
		return "is a block device";
	if (S_ISSOCK(m))
		return "is a socket";
	return "is not a file";
}

static int
not_regular(mode_t m, char **cause)
{
	acc_error(cause, "%s, not a regular file", file_kind(m));
	errno = EINVAL;
	return -1;
}

int
acc_open_regular(const char *path, long long *size, char **cause)
{
	struct stat st;
	int fd, e;

	/*
	 * stat first: a FIFO, a device or a socket is refused without being
	 * opened at all (opening a FIFO waits for a writer; opening a tty or
	 * a tape has effects of its own).  O_NONBLOCK covers a file swapped
	 * for one of them between the stat and the open, and fstat of the
	 * fd decides: what is read is what was checked.  Regular files
	 * ignore O_NONBLOCK, but it is cleared anyway, so no read of the fd
	 * ever sees EAGAIN.
	 */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return not_regular(st.st_mode, cause);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		e = errno;
		acc_error(cause, "cannot open: %s", strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		e = errno;
		close(fd);
		acc_error(cause, "cannot stat: %s", strerror(e));
		errno = e;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return not_regular(st.st_mode, cause);
	}
	if ((e = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, e & ~O_NONBLOCK) == -1) {
		e = errno;
		close(fd);
		acc_error(cause, "cannot open: %s", strerror(e));
		errno = e;
		return -1;
	}
	if (size != NULL)
		*size = (long long)st.st_size;
	return fd;
}

int
acc_read_file(const char *path, size_t max, unsigned char **data, size_t *len,
    char **cause)
{
	unsigned char *p;
	long long size;
	size_t got = 0;
	int fd;

	if ((fd = acc_open_regular(path, &size, cause)) == -1)
		return -1;
	if ((unsigned long long)size > max) {
		close(fd);
		return acc_error(cause, "file is %lld bytes, over the %zu-byte "
		    "limit", size, max);
	}
	p = xmalloc((size_t)size + 1);
	while (got < (size_t)size) {
		ssize_t r = read(fd, p + got, (size_t)size - got);

		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			int e = errno;

			close(fd);
			free(p);
			return acc_error(cause, "read failed: %s", strerror(e));
		}
		if (r == 0)
			break; /* shrank while reading: take what is there */
		got += (size_t)r;
	}
	close(fd);
	p[got] = '\0';
	*data = p;
	*len = got;
	return 0;
}

void
acc_sha256_hex(const void *data, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) ||
	    mdlen != 32)
		acc_fatal("EVP_Digest(sha256) failed");
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

void
acc_now_iso(char out[32])
{
	struct timespec ts;
	struct tm tm;
	char big[128];	/* wide enough for any int fields: no truncation */

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(big, sizeof big, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	big[31] = '\0';
	memcpy(out, big, 32);
}

double
acc_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The identity: the OS user's name, or the PostgreSQL role once set. */
static char acc_name[256];

void
acc_identity_set(const char *role)
{
	if (strcmp(acc_name, role) != 0)
		snprintf(acc_name, sizeof acc_name, "%s", role);
}

const char *
acc_os_user(void)
{
	char *name = acc_name;
	struct passwd *pw;

	if (name[0] != '\0')
		return name;
	pw = getpwuid(getuid());
	if (pw == NULL || pw->pw_name == NULL)
		return NULL;
	snprintf(acc_name, sizeof acc_name, "%s", pw->pw_name);
	return name;
}

int
acc_parse_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
acc_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

char *
acc_resolve_path(const char *dir, const char *path, char **cause)
{
	char *joined, *real;

	if (path[0] == '/' || dir == NULL || *dir == '\0')
		joined = xstrdup(path);
	else
		joined = xasprintf("%s/%s", dir, path);
	real = realpath(joined, NULL);
	if (real == NULL) {
		acc_error(cause, "%s: %s", joined, strerror(errno));
		free(joined);
		return NULL;
	}
	free(joined);
	return real;
}

/* Decode one UTF-8 sequence at s; its length, or 0 if it is malformed
 * (overlong, surrogate, beyond U+10FFFF, truncated). */
static size_t
utf8_next(const unsigned char *s, unsigned *cp)
{
	unsigned c = s[0], min;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		*cp = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		*cp = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		*cp = c & 0x07;
		min = 0x10000;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;	/* also stops at the NUL */
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * Why text from a user cannot be stored, or NULL if it can (util.h).
 * Notes and tags are shown on other terminals later (the SME's review), so
 * control characters (C0, DEL, C1) are refused rather than stripped: what
 * is stored is exactly what the user typed.
 */
const char *
acc_text_problem(const char *text, int multiline)
{
	const unsigned char *s = (const unsigned char *)text;
	unsigned cp;
	size_t n;

	while (*s != '\0') {
		if ((n = utf8_next(s, &cp)) == 0)
			return "is not valid UTF-8";
		if (multiline && (cp == '\n' || cp == '\t' || cp == '\r')) {
			s += n;
			continue;
		}
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			return "contains a control character (newline, tab, "
			    "escape, ...)";
		s += n;
	}
	return NULL;
}
