/*
 * cmd.h: what every subcommand shares: the command table entry with the
 * options it declares, the one parser of those options, the one-line
 * error conventions (usage mistakes exit 2, failures exit 1), and the
 * pieces of their --json.
 */
#ifndef ACCORD_CMD_H
#define ACCORD_CMD_H

#include <stdint.h>
#include <stdio.h>

#include "accord/store.h"
#include "accord/util.h"

/* Option flags. */
#define CMD_OPT_REPEAT 0x1	/* may be given again; every value is kept */
#define CMD_OPT_NONEMPTY 0x2	/* --name= (an empty value) is refused */

/*
 * One option a command takes, as its table declares it: --NAME, or
 * --NAME VALUE / --NAME=VALUE when arg names the value.  help (required)
 * is its --help text; a '\n' in it continues on the next line, under the
 * first.
 */
struct cmd_opt {
	const char *name;	/* without the leading "--" */
	const char *arg;	/* the value's name ("FILE"); NULL: a flag */
	int flags;		/* CMD_OPT_* */
	const char *help;
};

struct cmd_args;

struct cmd_entry {
	const char *name;
	const char *summary;
	/* --help text: the synopsis and description, each line ending in
	 * '\n'; then the option lines made from opts, then usage_end. */
	const char *usage;
	const struct cmd_opt *opts;	/* ends with { NULL }; NULL: none */
	const char *usage_end;		/* after the option lines; or NULL */
	/*
	 * A command declares its options and is run with them parsed (run),
	 * or parses argv itself (exec: argv[0] is the command's name).
	 */
	int (*run)(struct cmd_args *a);
	int (*exec)(int argc, char **argv);
};

/*
 * The command line parsed against the entry's options.  Options and
 * operands may come in any order; "--" ends the options; a lone "-" is an
 * operand.  An option's name may be shortened to a unique prefix.
 */
struct cmd_args {
	const struct cmd_entry *entry;
	int argc;		/* the operands, in order */
	char **argv;		/* argv[argc] is NULL */
	struct cmd_args_opt {
		int n;		/* times given */
		char **v;	/* their values, in order (options with arg) */
	} *opt;			/* one per entry->opts, in table order */
};

#define EXIT_FAIL 1
#define EXIT_USAGE 2

/*
 * Parse argv (argv[0] is the command's name) against c->opts into *a.
 * Returns 0, or prints one usage line (unknown or ambiguous option, a
 * missing or unwanted value, a non-repeatable option given twice) and
 * returns EXIT_USAGE with nothing left to free.  Free a with
 * cmd_args_free(); its strings point into argv.
 */
int cmd_args_parse(const struct cmd_entry *c, int argc, char **argv,
    struct cmd_args *a);
void cmd_args_free(struct cmd_args *a);
/*
 * Look-ups by the option's name as declared (naming an option the table
 * lacks is a bug: acc_fatal).  has: times given; get: the last value, or
 * NULL if not given; values: every value, *n of them.
 */
int cmd_args_has(const struct cmd_args *a, const char *name);
const char *cmd_args_get(const struct cmd_args *a, const char *name);
char **cmd_args_values(const struct cmd_args *a, const char *name, int *n);
/*
 * The option's value as an integer in min..max into *out (left alone when
 * the option is not given): 0, or the usage error "--NAME wants a number
 * from MIN to MAX, not 'V'" printed and EXIT_USAGE returned.
 */
int cmd_args_int(const struct cmd_args *a, const char *name, long long min,
    long long max, long long *out);

/* "accord NAME: message (see accord NAME --help)" on stderr; returns 2. */
int cmd_usage(const struct cmd_entry *c, const char *fmt, ...) ACC_PRINTF(2, 3);
/* --bootstrap N (0..1000000) and --seed S (>= 0), when given, into *out
 * (left alone otherwise): 0, or the usage error printed and EXIT_USAGE
 * returned.  The command's table must declare the option. */
int cmd_opt_bootstrap(const struct cmd_args *a, int *out);
int cmd_opt_seed(const struct cmd_args *a, uint64_t *out);
/* "accord: WHERE: message" ("accord: message" with WHERE NULL); returns 1. */
int cmd_fail(const char *where, const char *fmt, ...) ACC_PRINTF(2, 3);
/* cmd_fail(where, "%s", cause), then free(cause): the usual end of a core
 * call that failed.  Returns 1. */
int cmd_fail_cause(const char *where, char *cause);
/* A core on_error callback (a bad row of an imported file, say): each
 * report as one cmd_fail line, WHERE naming the file and line. */
void cmd_on_error(void *arg, const char *where, const char *msg);
/* Print the --help text (usage, option lines, usage_end) to f. */
void cmd_help_print(const struct cmd_entry *c, FILE *f);
/* cmd_help_print to stdout; returns 0. */
int cmd_help(const struct cmd_entry *c);
/* True if argv holds -h or --help before any "--". */
int cmd_wants_help(int argc, char **argv);
/* Open the store, printing the error; NULL on failure. */
struct store *cmd_open(const char *db);
/* The OS user, or NULL after printing an error. */
const char *cmd_user(void);

struct project;
/*
 * "WHERE: [line N: ]no class 'X' in this project (did you mean 'Y'?
 * classes: ...)" on stderr; returns EXIT_FAIL.  line may be NULL.
 */
int cmd_no_class(const char *where, const int *line, const struct project *p,
    const char *name);
/*
 * 1 if word is one of the names sql lists (suggest_known); otherwise 0
 * after "DB: MESSAGE (did you mean ...? WHAT: ...)", MESSAGE made from
 * fmt, or after the store's error, on stderr.
 */
int cmd_known(struct store *st, const char *db, const char *sql,
    const char *word, const char *what, const char *fmt, ...)
    ACC_PRINTF(6, 7);
/* The id of class name in p, or 0 after cmd_no_class's message. */
int cmd_class_id(const char *where, const struct project *p, const char *name);

/* Print s to f with control characters made inert. */
void cmd_print_safe(FILE *f, const char *s);

/*
 * Pieces of the --json documents (accord/json.h writes the rest): KEY and
 * its value.  num: at %.12g, or null when !defined; str: null for NULL;
 * stat: {"value": V or null, "why": null or the reason}; ci: {"lo", "hi",
 * "why"} the same way (a reason missing reads "undefined").
 */
struct json;
struct agree_stat;
struct agree_ci;
void cmd_json_num(struct json *j, const char *key, double v, int defined);
void cmd_json_int(struct json *j, const char *key, long long v);
void cmd_json_str(struct json *j, const char *key, const char *s);
void cmd_json_stat(struct json *j, const char *key,
    const struct agree_stat *s);
void cmd_json_ci(struct json *j, const char *key, const struct agree_ci *c);
/* The document in b and a newline to stdout; frees b. */
void cmd_json_print(struct buf *b);

extern const struct cmd_entry cmd_calibration_entry;
extern const struct cmd_entry cmd_init_entry;
extern const struct cmd_entry cmd_member_entry;
extern const struct cmd_entry cmd_import_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_items_entry;
extern const struct cmd_entry cmd_labels_entry;
extern const struct cmd_entry cmd_label_entry;
extern const struct cmd_entry cmd_agree_entry;
extern const struct cmd_entry cmd_stats_entry;
extern const struct cmd_entry cmd_export_entry;
extern const struct cmd_entry cmd_guideline_entry;
extern const struct cmd_entry cmd_gold_entry;
extern const struct cmd_entry cmd_config_entry;
extern const struct cmd_entry cmd_adjudicate_entry;
extern const struct cmd_entry cmd_errors_entry;
extern const struct cmd_entry cmd_drift_entry;
extern const struct cmd_entry cmd_review_entry;
extern const struct cmd_entry cmd_check_entry;
extern const struct cmd_entry cmd_backup_entry;
extern const struct cmd_entry cmd_copy_entry;

#endif
