/*
 * labels_int.h: reading other tools' label files (labels_tools.c for the
 * JSON ones, labels_cvat.c for CVAT's XML) into the rows accord's own
 * import resolves and writes (labels_io.c).
 *
 * A reader turns each annotation into one row, a record with the keys of
 * accord's own format (file, sha256, labeler, class, seconds, time) and
 * two more: `name`, the media's base name, tried when `file` names no
 * item, and `gold`, "1" for an annotation the tool marked as ground truth.
 * A record that cannot become a row is reported through x->on_error and
 * counted in *x->nbad; an annotation that carries no label (cancelled,
 * ignored, empty) is counted in x->skipped.
 */
#ifndef ACCORD_LABELS_INT_H
#define ACCORD_LABELS_INT_H

#include <stddef.h>

#include "accord/labels.h"
#include "accord/project.h"

struct interop {
	const char *file;		/* the labels file, for messages */
	const struct project *p;
	const struct labels_import_opts *o;
	struct record users;		/* --map-users: tool user -> labeler */
	struct label_input *rows;
	int n;
	int skipped;
	void (*on_error)(void *, const char *, const char *);
	void *arg;
	int *nbad;
};

/* A new empty row (where: malloc'd, owned by the row from now on). */
struct record *interop_row(struct interop *x, char *where);
/* Add key = value (copied; value NULL adds nothing) to r. */
void interop_put(struct record *r, const char *key, const char *value);
/* Report a bad record: "WHERE: MSG" through on_error, counted. */
void interop_bad(struct interop *x, const char *where, const char *fmt, ...)
    ACC_PRINTF(3, 4);
/* The labeler --map-users gives the tool's user `who`, or NULL. */
const char *interop_user(const struct interop *x, const char *who);
/*
 * The media a tool names, as `file` and `name` of row r: a Label Studio
 * upload (/data/upload/N/8HEX-NAME: NAME), a local-files URL (?d=PATH),
 * a URL (its path, unescaped), or a path as written.
 */
void interop_media(struct record *r, const char *media);
/* Seconds since the epoch as an ISO 8601 time into out. */
void interop_time(double t, char out[32]);

/* Each returns 0, or -1 with *cause when the file as a whole cannot be
 * read (not the format, not parsable). */
int labels_read_label_studio(struct interop *x, const unsigned char *data,
    size_t len, char **cause);
int labels_read_cvat(struct interop *x, const unsigned char *data,
    size_t len, char **cause);
/* Prodigy's or doccano's JSON Lines (f): a line that does not parse is a
 * bad record, not the file's failure. */
void labels_read_lines(struct interop *x, const unsigned char *data,
    size_t len, enum labels_format f);

#endif
