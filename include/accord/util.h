/*
 * util.h: allocation helpers, error messages, files and hashing shared by
 * every core module.
 *
 * Errors: a function that can fail returns -1 (or NULL) and, when `cause` is
 * not NULL, stores a malloc'd one-line message in *cause that the caller owns
 * and frees.  Messages never end in a newline and never name the file the
 * caller passed in: the caller prints "FILE: message".
 */
#ifndef ACCORD_UTIL_H
#define ACCORD_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#define ACCORD_VERSION "0.1.0"

#if defined(__GNUC__)
#define ACC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ACC_NORETURN __attribute__((noreturn))
#else
#define ACC_PRINTF(f, a)
#define ACC_NORETURN
#endif

/*
 * Allocation that cannot fail: on exhaustion or size overflow they call
 * acc_fatal(), which runs the registered cleanup (the TUI restores the
 * terminal) and aborts.
 */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *ptr, size_t n, size_t size);
/*
 * xmalloc for large arrays filled at once (the ratings matrix): from 2 MiB
 * up the block is 2 MiB-aligned and the kernel is asked for transparent
 * huge pages (madvise; Debian's default THP mode), so filling it takes one
 * page fault per 2 MiB, not per 4 KiB.  Freed with free().
 */
void *xmalloc_huge(size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) ACC_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) ACC_PRINTF(1, 0);

/* Register a function acc_fatal() calls before aborting (one at a time). */
void acc_set_fatal_cleanup(void (*fn)(void));
void acc_fatal(const char *fmt, ...) ACC_PRINTF(1, 2) ACC_NORETURN;

/*
 * Store a formatted message in *cause (if cause is not NULL) and return -1,
 * so failure paths read `return acc_error(cause, "...", ...);`.
 */
int acc_error(char **cause, const char *fmt, ...) ACC_PRINTF(2, 3);

/* A growable string. */
struct buf {
	char *s;
	size_t len, cap;
};
void buf_add(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) ACC_PRINTF(2, 3);
void buf_free(struct buf *b);
/* Append s as a JSON string literal (quoted, escaped; invalid UTF-8 -> U+FFFD;
 * the characters acc_invisible names as \\uXXXX). */
void buf_json_str(struct buf *b, const char *s);

/*
 * Open path for reading if it is a regular file (symbolic links are
 * followed), without ever blocking: a FIFO, a directory, a device or a
 * socket is refused, never waited on, with *cause "is a FIFO, not a
 * regular file" (or the kind it is) and errno EINVAL; the caller names
 * the path.  Every read of a media or input file goes through here.
 * Returns the fd (blocking, close-on-exec; the caller closes it) with its
 * size in *size (if size is not NULL), or -1 with *cause set and errno
 * saying why (ENOENT: no such file).
 */
int acc_open_regular(const char *path, long long *size, char **cause);

/*
 * Read a whole regular file into a malloc'd buffer (NUL-terminated for
 * convenience; *len excludes the NUL), opened by acc_open_regular.  Files
 * larger than max bytes are refused.  Returns 0, or -1 with *cause set.
 */
int acc_read_file(const char *path, size_t max, unsigned char **data,
    size_t *len, char **cause);

/* SHA-256 of data as 64 lowercase hex digits plus NUL (libcrypto EVP). */
void acc_sha256_hex(const void *data, size_t len, char out[65]);

/* Current time as ISO 8601 UTC with milliseconds: 2026-11-23T18:30:00.123Z */
void acc_now_iso(char out[32]);
/* Monotonic seconds, for rates and latencies. */
double acc_monotonic(void);

/* The real OS user running this process (getpwuid(getuid())), or NULL;
 * on a PostgreSQL store, the role (below). */
const char *acc_os_user(void);
/*
 * On a PostgreSQL store the identity is the connection's role, not the
 * OS user: opening one (core/store.c) sets it here, and acc_os_user
 * returns it from then on -- through the same buffer, so a name it gave
 * before the store was opened reads as the role too.
 */
void acc_identity_set(const char *role);

/*
 * Copy s with control characters (C0, DEL, C1, ESC sequences' introducer)
 * and the invisible format characters of acc_invisible replaced by '?',
 * and invalid UTF-8 replaced by U+FFFD, so text from files and users can
 * be shown on a terminal inert and in the order it is stored.  Caller frees.
 */
char *acc_printable(const char *s);

/*
 * 1 if code point cp must not reach a terminal as itself: C0, DEL, C1, and
 * the invisible characters that reorder or hide text -- the bidirectional
 * embeddings/overrides U+202A-E, the isolates U+2066-9, the marks U+200E/F
 * and U+061C.  acc_printable shows them as '?', buf_json_str as \uXXXX.
 */
int acc_invisible(unsigned long cp);

/*
 * Why text cannot be stored, or NULL if it can: invalid UTF-8, or a control
 * character (C0, DEL, C1; with multiline, newline, tab and CR are allowed).
 * The answer is a static phrase: "is not valid UTF-8", "contains ...".
 */
const char *acc_text_problem(const char *text, int multiline);

/* Strict number parsing: the whole string must be the number. 0 or -1. */
int acc_parse_int(const char *s, long long min, long long max, long long *out);
int acc_parse_double(const char *s, double *out);

/* "a/b/../c" relative to dir (if not absolute), made canonical by realpath
 * when it exists; returns malloc'd path or NULL with *cause set. */
char *acc_resolve_path(const char *dir, const char *path, char **cause);

#endif
