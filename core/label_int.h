/*
 * label_int.h: the label rule for core (core/label.c): which row is in
 * force, the one INSERT, and the packed per-item encoding.
 *
 * A labeler's newest row on an item (the largest id of the pair) is their
 * label in force, unless that row withdraws the label (class NULL).  Every
 * query, trigger and reader of labels in core takes the rule from here:
 * SQL through the macros below (the view current_labels in core/schema.c
 * is LABEL_IN_FORCE), C through label_stream and label_unpack.
 */
#ifndef ACCORD_LABEL_INT_H
#define ACCORD_LABEL_INT_H

#include <stddef.h>

#include "internal.h"

/*
 * SQL: a query for cols of the newest row of the pair (item, labeler),
 * parameters or expressions of an enclosing statement, among the rows
 * that also meet extra ("" or " AND ..."); no row when there is none.
 * One seek down labels_item (item, labeler, id) from the top.
 */
#define LABEL_NEWEST_ROW(cols, item, labeler, extra)			\
	"SELECT " cols " FROM labels WHERE item = " item " AND "	\
	"labeler = " labeler extra " ORDER BY id DESC LIMIT 1"

/*
 * SQL: label row l (an alias other than m) is its pair's newest row: the
 * same seek, in the form SQLite's min/max optimisation answers from the
 * index, which the view current_labels has always used.
 */
#define LABEL_NEWEST(l)							\
	l ".id = (SELECT max(id) FROM labels m WHERE m.item = " l	\
	".item AND m.labeler = " l ".labeler)"

/* SQL: label row l is in force.  current_labels is the rows it holds for;
 * a query that wants only labels in force reads that view. */
#define LABEL_IN_FORCE(l) LABEL_NEWEST(l) " AND " l ".class IS NOT NULL"

/*
 * The packed rows of an item (item_labels.rows, schema 4): each of its
 * label rows in id order as "ID,CLASS,GUIDELINE,N:LABELER;", CLASS empty
 * for a withdrawal and N the labeler name's length in bytes, so any name
 * reads back.  LABEL_PACKED_SQL is one row's entry in SQL (P: "" or
 * "NEW."), written by the trigger; label_pack writes the same in C
 * (accord check compares the two); label_unpack reads it back.
 */
#define LABEL_PACKED_SQL(P)						\
	"printf('%d,%s,%d,%d:%s;', " P "id, coalesce(" P "class, ''), "	\
	P "guideline, length(CAST(" P "labeler AS BLOB)), " P "labeler)"

/* One label row's entry; class_id 0 for a withdrawal. */
struct label_entry {
	long long id;
	long long class_id;
	long long guideline;
	const char *labeler;	/* labeler_len bytes, not NUL-terminated */
	size_t labeler_len;
};

/* Append e's entry to b (e->labeler_len bytes of the name). */
void label_pack(struct buf *b, const struct label_entry *e);

/*
 * Decode the entry at *p into *e and advance *p.  Set e->id to 0 before
 * the first entry of a value: each id must be larger than the one before,
 * or the newest row would not be the last.  1 with *e, 0 at the end of
 * the value, -1 if the value is damaged (*p then points into it).
 * e->labeler points into the value.
 */
int label_unpack(const char **p, struct label_entry *e);

/*
 * The rule for a C reader that streams label rows oldest first (by id,
 * or label_unpack's order), as the ratings matrix is read: each row
 * replaces what its pair held, and a withdrawal (cls < 0) leaves it
 * nothing, so once every row is read *held is the label in force.  *held
 * is the pair's class (-1: none); returns what it held before, the label
 * the row supersedes (-1: none).
 */
static inline int
label_stream(int *held, int cls)
{
	int before = *held;

	*held = cls < 0 ? -1 : cls;
	return before;
}

/*
 * The newest row of (item, labeler) through s (label_newest_prepare,
 * sql_finalize after): *id (0: the pair has no row) and *class_id
 * (0: no label in force); with note not NULL, *note (malloc'd) when in
 * force, else NULL.  0, or -1 with *cause.
 */
int label_newest_prepare(struct store *st, struct sql_stmt **s, char **cause);
int label_newest(struct store *st, struct sql_stmt *s, long long item,
    const char *labeler, long long *id, int *class_id, char **note,
    char **cause);

/* A new label row, as label_write writes it. */
struct label_new {
	long long item;
	const char *labeler;
	int class_id;		/* 0: withdraw the labeler's label */
	const char *note;	/* NULL: "" */
	int guideline;
	double seconds;		/* < 0 or not finite: not recorded */
	const char *created_at;
	long long label_import;	/* 0: from the label screen */
	const char *recorded_by;
	const char *view;	/* what the labeler saw; NULL: nothing */
};

/*
 * The one writer of label rows, inside the caller's transaction.
 * label_write looks up the pair's newest row, which the new row
 * supersedes, and refuses a withdrawal when there is no label in force
 * to withdraw.  The statements are prepared once (label_writer_open) for
 * any number of rows.  0 (*id, may be NULL, the new row's id), or -1 with
 * *cause.
 */
struct label_writer {
	struct store *st;
	struct sql_stmt *newest, *insert;
};
int label_writer_open(struct store *st, struct label_writer *w,
    char **cause);
int label_write(struct label_writer *w, const struct label_new *row,
    long long *id, char **cause);
void label_writer_close(struct label_writer *w);
/*
 * n rows of distinct (item, labeler) pairs in one INSERT, so that the
 * store's derived counts move once per statement, not once per row
 * (schema_pg.c labels_derive); each supersedes its pair's newest row.
 * LABEL_WRITE_MANY rows at most (12 parameters each).
 */
#define LABEL_WRITE_MANY 256
int label_write_many(struct label_writer *w, const struct label_new *rows,
    int n, char **cause);

#endif
