/*
 * schema_sql: prints core/schema_pg.c's SQL for tests/cmd/pg_rls.sh,
 * until the client applies it itself (accord init URI).
 *
 *	schema_sql prepare PREFIX	schema_pg_prepare
 *	schema_sql migrations		every migration, each with its
 *					version bump
 *	schema_sql migration V		migration V alone, with its bump
 *	schema_sql sqlite-migrations	core/schema.c's migrations, for the
 *					same rows in SQLite to compare with
 *	schema_sql security PREFIX	schema_pg_security
 *	schema_sql role PREFIX SUFFIX	schema_pg_role
 *	schema_sql pack			label_pack's entries of the rows
 *					"ID|CLASS|GUIDELINE|LABELER" on
 *					stdin (CLASS 0: a withdrawal), one
 *					after the other, to compare with
 *					the trigger's item_labels.rows
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/label_int.h"
#include "../../core/schema_pg.h"

static int
usage(void)
{
	fprintf(stderr, "usage: schema_sql prepare|security PREFIX | "
	    "migrations | migration V | sqlite-migrations | "
	    "role PREFIX SUFFIX | pack\n");
	return 2;
}

static int
put(char *sql, char *cause)
{
	if (sql == NULL) {
		fprintf(stderr, "schema_sql: %s\n", cause);
		free(cause);
		return 1;
	}
	fputs(sql, stdout);
	free(sql);
	return 0;
}

/* The pack command: 0, or 1 for a line that is not ID|CLASS|G|NAME. */
static int
pack_lines(void)
{
	char line[4096];
	struct buf b = { 0 };
	int r = 0;

	while (fgets(line, sizeof line, stdin) != NULL) {
		struct label_entry e = { 0 };
		char *p = line, *end;

		line[strcspn(line, "\n")] = '\0';
		e.id = strtoll(p, &end, 10);
		if (*end != '|' || (e.class_id = strtoll(end + 1, &end, 10),
		    *end != '|') || (e.guideline = strtoll(end + 1, &end, 10),
		    *end != '|')) {
			fprintf(stderr, "schema_sql: not ID|CLASS|G|NAME: %s\n",
			    line);
			r = 1;
			break;
		}
		e.labeler = end + 1;
		e.labeler_len = strlen(e.labeler);
		label_pack(&b, &e);
	}
	if (b.len > 0)
		fwrite(b.s, 1, b.len, stdout);
	buf_free(&b);
	return r;
}

int
main(int argc, char **argv)
{
	char *cause = NULL;
	const char *m;
	int v;

	if (argc == 3 && strcmp(argv[1], "prepare") == 0)
		return put(schema_pg_prepare(argv[2], &cause), cause);
	if (argc == 3 && strcmp(argv[1], "security") == 0)
		return put(schema_pg_security(argv[2], &cause), cause);
	if (argc == 4 && strcmp(argv[1], "role") == 0)
		return put(schema_pg_role(argv[2], argv[3], &cause), cause);
	if (argc == 2 && strcmp(argv[1], "migrations") == 0) {
		for (v = 1; (m = schema_pg_migration(v)) != NULL; v++)
			printf("%s\nUPDATE schema_version SET version = %d;\n",
			    m, v);
		return v - 1 == SCHEMA_PG_VERSION ? 0 : 1;
	}
	if (argc == 3 && strcmp(argv[1], "migration") == 0) {
		v = atoi(argv[2]);
		if ((m = schema_pg_migration(v)) == NULL)
			return usage();
		printf("%s\nUPDATE schema_version SET version = %d;\n", m, v);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "sqlite-migrations") == 0) {
		for (v = 1; (m = schema_migration(v)) != NULL; v++)
			printf("%s\nPRAGMA user_version = %d;\n", m, v);
		return v - 1 == STORE_SCHEMA_VERSION ? 0 : 1;
	}
	if (argc == 2 && strcmp(argv[1], "pack") == 0)
		return pack_lines();
	return usage();
}
