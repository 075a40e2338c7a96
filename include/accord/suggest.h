/*
 * suggest.h: what to say when a name the user typed names nothing -- the
 * closest valid name and the valid names themselves, so every "no such X"
 * message tells the user what to type instead.
 *
 *	no import batch named 'week3' (did you mean 'week2'? import
 *	batches: week1, week2)
 */
#ifndef ACCORD_SUGGEST_H
#define ACCORD_SUGGEST_H

#include <stddef.h>

#include "accord/util.h"

struct store;
struct project;

/*
 * Optimal-string-alignment distance between a and b (Damerau-Levenshtein
 * without repeated edits of one substring): insertions, deletions,
 * substitutions and transpositions of adjacent bytes each count 1,
 * case-insensitively for ASCII, so "scrath" and "Scratch" are 1 apart.
 */
size_t suggest_distance(const char *a, const char *b);

/*
 * The one name of names[0..n) nearest to word, if it is near enough to be
 * a typo (distance at most 1 for a word of up to 4 bytes, else at most a
 * third of the word's length, at least 2) and nearer than every other
 * name; NULL otherwise.  word itself, case aside, counts (distance 0).
 */
const char *suggest_closest(const char *word, const char *const *names,
    size_t n);

/*
 * The tail of a "no such X" message, malloc'd (caller frees):
 * "did you mean 'B'? WHAT: a, b, c", or "WHAT: a, b, c" when nothing is
 * close or word is a number, or "there are no WHAT" when n is 0.  Names are made printable
 * (acc_printable); past 30 the list ends in ", ... (N in all)".
 */
char *suggest_choices(const char *word, const char *what,
    const char *const *names, size_t n);

/*
 * Is word one of the names a query with no parameters reads (its first
 * column: SELECT name FROM batches ORDER BY id)?  1: yes; 0: no, and
 * *tail is suggest_choices' answer (caller frees); -1 with *cause if the
 * query failed.  *tail is NULL unless 0 is returned.
 */
int suggest_known(struct store *st, const char *sql, const char *word,
    const char *what, char **tail, char **cause);

/* The names each kind of lookup lists, in the order users made them. */
#define SUGGEST_BATCHES "SELECT name FROM batches ORDER BY id"
#define SUGGEST_RUNS "SELECT name FROM prediction_runs ORDER BY id"
#define SUGGEST_VERSIONS \
	"SELECT CAST(version AS TEXT) FROM guidelines ORDER BY version"
/* "user" quoted: unquoted, PostgreSQL reads it as current_user. */
#define SUGGEST_MEMBERS \
	"SELECT \"user\" FROM current_members ORDER BY \"user\""
/*
 * Metadata keys after FIRST, a select list of literals ("'batch' AS k"):
 * what --where (the item columns first), agree --by (batch) and errors
 * --by (tag) take.
 */
#define SUGGEST_KEYS_AFTER(first) \
	"SELECT k FROM (SELECT " first " UNION ALL SELECT k FROM " \
	"(SELECT DISTINCT key AS k FROM item_meta ORDER BY 1) AS m) AS a"
#define SUGGEST_META_KEYS SUGGEST_KEYS_AFTER("'kind' AS k UNION ALL " \
	"SELECT 'format' UNION ALL SELECT 'batch' UNION ALL SELECT 'sha256' " \
	"UNION ALL SELECT 'path'")

/* The same for a project's class names, in their order. */
char *suggest_class(const struct project *p, const char *word);

/*
 * Store "MSG (TAIL)" in *cause, TAIL from suggest_query, and return -1:
 * `return suggest_error(st, cause, SQL, word, "import batches",
 * "no import batch named '%s'", word);`.  If the query fails, the message
 * is MSG alone.  Also -1 (MSG alone) if word is in the list after all.
 */
int suggest_error(struct store *st, char **cause, const char *sql,
    const char *word, const char *what, const char *fmt, ...)
    ACC_PRINTF(6, 7);

/*
 * The id of import batch name in *id; when there is none, -1 with *cause
 * "no import batch named 'X' (did you mean ...? import batches: ...)".
 */
int suggest_batch_id(struct store *st, const char *name, long long *id,
    char **cause);

#endif
