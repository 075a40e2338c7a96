/*
 * csv.h: RFC 4180 CSV and flat JSON Lines records, for metadata, label and
 * prediction files.
 *
 * CSV: comma-separated, records end in LF or CRLF, a field in double quotes
 * may hold commas, quotes (doubled) and newlines; a UTF-8 byte-order mark at
 * the start is skipped; empty lines are skipped; every record must have as
 * many fields as the header.  Errors name the line: "line 7: ...".
 */
#ifndef ACCORD_CSV_H
#define ACCORD_CSV_H

#include <stddef.h>

struct csv_row {
	int line;		/* line the record starts on, 1-based */
	int nfields;
	char **fields;
};

struct csv {
	int nrows;		/* rows[0] is the header */
	struct csv_row *rows;
};

struct buf;

/*
 * Writing, for files people open in spreadsheets (accord export).  A cell
 * a spreadsheet would read as a formula is one that begins with =, +, -,
 * @, tab or carriage return (OWASP, "CSV Injection",
 * https://owasp.org/www-community/attacks/CSV_Injection); csv_formula
 * says whether s is one.  A cell that is entirely a decimal number
 * (-0.5, +3, -1e-3) is not: a spreadsheet reads it as that number, and a
 * quote before it would make every reader (pandas, R, a spreadsheet) read
 * text where the store holds a number.
 */
int csv_formula(const char *s);
/*
 * Append s to b as one RFC 4180 field: quoted when it holds a comma, a
 * quote, CR or LF or begins or ends with a space.  With neutralise, a
 * csv_formula cell is written as OWASP recommends: a single quote before
 * it and the whole in double quotes ('=1+1 -> "'=1+1"), which spreadsheets
 * show as the text and never evaluate.
 */
void csv_put_field(struct buf *b, const char *s, int neutralise);

/* Parse data (len bytes).  0 and *out (csv_free after), or -1 with *cause. */
int csv_parse(const char *data, size_t len, struct csv *out, char **cause);
void csv_free(struct csv *c);
/* Index of the header column named name, or -1. */
int csv_column(const struct csv *c, const char *name);

/*
 * A flat JSON object { "key": value, ... } where each value is a string,
 * number, true/false or null (nested arrays and objects are refused).
 * Values come back as text: strings unescaped, numbers as written, null as
 * NULL.  0 and *out (record_free after), or -1 with *cause.
 */
struct record {
	int n;
	char **keys;
	char **values;
};
int json_parse_flat(const char *text, struct record *out, char **cause);
void record_free(struct record *r);
/* Value of key, NULL if absent or null. */
const char *record_get(const struct record *r, const char *key);

#endif
