/*
 * copy.c: accord copy (copy.h): a project from one store to a new one,
 * table by table, every row with its id.
 *
 * DST is made by the store's own schema creation (store_create, as init
 * does), so a copy has exactly the schema, triggers and, on PostgreSQL,
 * the roles and policies of a project made by init.  The rows then go in
 * one transaction, table by table in an order every foreign key allows,
 * each table in id order: what SQLite's triggers derive row by row comes
 * out as it did in SRC.  The source is read through one statement per
 * table (SQLite) or a cursor (PostgreSQL: libpq would otherwise take a
 * query's whole result into memory), so memory stays flat however big
 * the store.
 *
 * On PostgreSQL the writes run as the project's owner role (SET LOCAL
 * ROLE: the copy cannot reach beyond the project's schema) with the
 * row triggers that derive state (labels_derive, item_labelers_item) and
 * the label check (labels_check: the rows are SRC's, already checked)
 * disabled for the transaction: those triggers update one counter row
 * per label, and PostgreSQL keeps every old version of it until the
 * transaction ends, so a long copy slows with its length (schema_pg.c,
 * derived_rebuild).  accord.derived_rebuild() then makes the derived
 * tables set by set and accord.ids_sync() moves each identity past the
 * copied ids.  Foreign keys, the append-only triggers and the guideline
 * order check stay on.  Rows go 64 to a statement: one round trip per
 * row cost most of the time.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accord/copy.h"
#include "accord/project.h"
#include "schema_pg.h"
#include "sqlutil.h"
#include "store_pg.h"

/* Rows per INSERT statement, and per FETCH from a PostgreSQL source,
 * unless the table says fewer (media chunks are up to 1 MiB each). */
#define COPY_BATCH 64
#define COPY_FETCH 1024
#define COPY_MAX_COLS 16

/*
 * The record, in an order every foreign key allows.  cols as both stores
 * spell them ("user" quoted: a reserved word on PostgreSQL); kinds, one
 * letter a column: i integer, r real, t text, b bytes (a BLOB, bytea),
 * m item_meta's value (one typed column on SQLite, value, value_type and
 * value_num on PostgreSQL: internal.h, sql_meta_value).  rows: rows per
 * INSERT and per FETCH, 0 for COPY_BATCH and COPY_FETCH.
 */
static const struct copy_table {
	const char *name;
	const char *cols;
	const char *kinds;
	const char *order;
	int rows;
} copy_tables[] = {
	{ "settings", "id,key,value,set_by,set_at", "itttt", "id", 0 },
	{ "classes", "id,name,key,position,is_borderline", "ittii", "id", 0 },
	{ "members", "id,\"user\",role,active,changed_by,changed_at",
	    "ittitt", "id", 0 },
	{ "guidelines", "version,text,author,created_at,reason", "itttt",
	    "version", 0 },
	{ "guideline_classes", "version,class,description", "iit",
	    "version, class", 0 },
	{ "batches", "id,name,created_by,created_at", "ittt", "id", 0 },
	{ "items", "id,sha256,path,kind,format,bytes,width,height,depth,"
	    "channels,rate,frames,batch,imported_by,imported_at",
	    "itttti" "iiiiii" "itt", "id", 0 },
	{ "item_sources", "id,item,path,bytes,mtime,batch,seen_at", "iitiiit",
	    "id", 0 },
	{ "item_meta", "id,item,key,value,source,created_at", "iitmtt", "id", 0 },
	{ "label_imports", "id,file,sha256,rows,imported_by,imported_at",
	    "ittitt", "id", 0 },
	{ "labels", "id,item,labeler,class,note,guideline,seconds_spent,"
	    "created_at,supersedes,origin,label_import,recorded_by,view",
	    "iititirtitit" "t", "id", 0 },
	{ "audit", "id,at,\"user\",action,detail", "itttt", "id", 0 },
	{ "tags", "id,item,\"user\",tag,removed,created_at", "iittit", "id", 0 },
	{ "gold", "id,item,class,\"user\",created_at", "iiitt", "id", 0 },
	{ "adjudications", "id,item,class,status,\"user\",note,guideline,"
	    "created_at", "iiitttit", "id", 0 },
	{ "comments", "id,item,\"user\",text,created_at", "iittt", "id", 0 },
	{ "prediction_runs", "id,name,file,sha256,imported_by,imported_at",
	    "ittttt", "id", 0 },
	{ "predictions", "run,item,class,score", "iiir", "run, item", 0 },
	/* Schema 6 (PostgreSQL 2): media kept in the store. */
	{ "media_blobs", "sha256,bytes,parts,stored_by,stored_at", "tiitt",
	    "sha256", 0 },
	{ "media_chunks", "sha256,part,data", "tib", "sha256, part", 4 },
};
#define NTABLES (sizeof copy_tables / sizeof copy_tables[0])

/*
 * Tables the copy leaves out on purpose: the derived state (made again
 * from the copied rows), leases (a running session's hold on an item),
 * and PostgreSQL's own bookkeeping, which store_create writes.
 */
static const char *const copy_skipped[] = {
	"item_labelers", "item_labels", "queue_levels", "labeler_levels",
	"labeler_rows", "leases", "schema_version", "project_roles",
};

/* One value on its way from SRC to DST. */
struct cval {
	enum sql_col_kind k;
	long long i;
	double d;
	char *t;
};

/* One table's copy under way. */
struct copier {
	struct store *src, *dst;
	const struct copy_table *t;
	int ncols;			/* the table's columns */
	char *col[COPY_MAX_COLS];	/* their names */
	int nparams;			/* DST parameters per row */
	int batch;			/* rows per INSERT */
	int nrows;			/* rows waiting in vals */
	struct cval *vals;		/* batch rows of nparams */
	struct sql_stmt *ins;		/* INSERT of batch rows */
	long long copied;
};

static void
cval_clear(struct cval *v)
{
	free(v->t);
	memset(v, 0, sizeof *v);
	v->k = SQL_COL_NULL;
}

static int
copier_init(struct copier *c, struct store *src, struct store *dst,
    const struct copy_table *t)
{
	char *cols = xstrdup(t->cols), *p, *save = NULL;
	int i;

	memset(c, 0, sizeof *c);
	c->src = src;
	c->dst = dst;
	c->t = t;
	for (p = strtok_r(cols, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		if (c->ncols == COPY_MAX_COLS)
			acc_fatal("copy: table %s has too many columns",
			    t->name);
		c->col[c->ncols++] = xstrdup(p);
	}
	free(cols);
	if ((size_t)c->ncols != strlen(t->kinds))
		acc_fatal("copy: table %s: columns and kinds differ", t->name);
	for (i = 0; i < c->ncols; i++)
		c->nparams += t->kinds[i] == 'm' && dst->kind == STORE_PG ? 3 : 1;
	c->batch = t->rows > 0 ? t->rows : COPY_BATCH;
	c->vals = xcalloc((size_t)c->batch * (size_t)c->nparams,
	    sizeof *c->vals);
	for (i = 0; i < c->batch * c->nparams; i++)
		c->vals[i].k = SQL_COL_NULL;
	return 0;
}

static void
copier_free(struct copier *c)
{
	int i;

	for (i = 0; i < c->ncols; i++)
		free(c->col[i]);
	if (c->vals != NULL)
		for (i = 0; i < c->batch * c->nparams; i++)
			free(c->vals[i].t);
	free(c->vals);
	sql_finalize(c->dst, c->ins);
	memset(c, 0, sizeof *c);
}

/* The source's SELECT of every row of the table, in order. */
static char *
copier_select(const struct copier *c)
{
	struct buf b = { 0 };
	int i;

	buf_puts(&b, "SELECT ");
	for (i = 0; i < c->ncols; i++) {
		if (i > 0)
			buf_puts(&b, ", ");
		if (c->t->kinds[i] == 'm')
			buf_puts(&b, sql_meta_value(c->src));
		else
			buf_printf(&b, "m.%s", c->col[i]);
	}
	buf_printf(&b, " FROM %s m ORDER BY %s", c->t->name, c->t->order);
	return b.s;
}

/* DST's INSERT of n rows. */
static char *
copier_insert(const struct copier *c, int n)
{
	struct buf b = { 0 };
	int i, r, p = 0;

	buf_printf(&b, "INSERT INTO %s (", c->t->name);
	for (i = 0; i < c->ncols; i++) {
		if (i > 0)
			buf_puts(&b, ", ");
		if (c->t->kinds[i] == 'm' && c->dst->kind == STORE_PG)
			buf_puts(&b, "value, value_type, value_num");
		else
			buf_puts(&b, c->col[i]);
	}
	/* The ids are the copied rows', not the identities' next ones. */
	buf_puts(&b, c->dst->kind == STORE_PG ?
	    ") OVERRIDING SYSTEM VALUE VALUES " : ") VALUES ");
	for (r = 0; r < n; r++) {
		buf_puts(&b, r > 0 ? ", (" : "(");
		for (i = 0; i < c->nparams; i++)
			buf_printf(&b, i > 0 ? ", ?%d" : "?%d", ++p);
		buf_puts(&b, ")");
	}
	return b.s;
}

/* SQLite's typeof() names, as PostgreSQL's item_meta.value_type holds. */
static const char *
kind_name(enum sql_col_kind k)
{
	switch (k) {
	case SQL_COL_INT:
		return "integer";
	case SQL_COL_REAL:
		return "real";
	case SQL_COL_TEXT:
		return "text";
	default:
		return "null";
	}
}

/*
 * The source row s into the batch.  A SQLite DST gets each value with
 * its type as SRC holds it; a PostgreSQL DST the column's type, as a
 * prepared statement's parameters keep the types of its first run.
 */
static int
copier_take(struct copier *c, struct sql_stmt *s, char **cause)
{
	struct cval *v = c->vals + (size_t)c->nrows * (size_t)c->nparams;
	int i, sc = 0, pg = c->dst->kind == STORE_PG;

	for (i = 0; i < c->ncols; i++) {
		char kind = c->t->kinds[i];
		enum sql_col_kind k;

		if (kind == 'm') {
			k = meta_type(s, sc);
			if (k == SQL_COL_BLOB)
				goto blob;
			if (pg) {
				v[0].k = k == SQL_COL_NULL ? SQL_COL_NULL :
				    SQL_COL_TEXT;
				if (k != SQL_COL_NULL)
					v[0].t = xstrdup(sql_text(s, sc));
				v[1].k = SQL_COL_TEXT;
				v[1].t = xstrdup(kind_name(k));
				/* value_num is double precision. */
				if (k == SQL_COL_INT || k == SQL_COL_REAL) {
					v[2].k = SQL_COL_REAL;
					v[2].d = k == SQL_COL_INT ?
					    (double)sql_col_int64(s, sc + 2) :
					    sql_col_double(s, sc + 2);
				}
				v += 3;
			} else {
				v->k = k;
				if (k == SQL_COL_INT)
					v->i = sql_col_int64(s, sc + 2);
				else if (k == SQL_COL_REAL)
					v->d = sql_col_double(s, sc + 2);
				else if (k == SQL_COL_TEXT)
					v->t = xstrdup(sql_text(s, sc));
				v++;
			}
			sc += 3;
			continue;
		}
		if (kind == 'b') {
			size_t n;
			const void *p = sql_col_blob(s, sc, &n);

			v->k = SQL_COL_BLOB;
			v->i = (long long)n;
			v->t = xmalloc(n + 1);
			if (n > 0)
				memcpy(v->t, p, n);
			v++;
			sc++;
			continue;
		}
		k = sql_col_type(s, sc);
		if (k == SQL_COL_BLOB)
			goto blob;
		if (k != SQL_COL_NULL && pg)
			k = kind == 'i' ? SQL_COL_INT : kind == 'r' ?
			    SQL_COL_REAL : SQL_COL_TEXT;
		v->k = k;
		if (k == SQL_COL_INT)
			v->i = sql_col_int64(s, sc);
		else if (k == SQL_COL_REAL)
			v->d = sql_col_double(s, sc);
		else if (k == SQL_COL_TEXT)
			v->t = xstrdup(sql_text(s, sc));
		v++;
		sc++;
	}
	c->nrows++;
	return 0;
blob:
	return acc_error(cause, "table %s, column %s: a blob, which no accord "
	    "store holds there", c->t->name, c->col[i]);
}

/* The batched rows into DST; 0, or -1 with *cause. */
static int
copier_flush(struct copier *c, char **cause)
{
	struct sql_stmt *s;
	char *sql;
	int i, n = c->nrows * c->nparams, r;

	if (c->nrows == 0)
		return 0;
	if (c->nrows == c->batch && c->ins != NULL)
		s = c->ins;
	else {
		sql = copier_insert(c, c->nrows);
		r = sql_prepare(c->dst, sql, &s, cause);
		free(sql);
		if (r != 0)
			return -1;
		if (c->nrows == c->batch)
			c->ins = s;
	}
	for (i = 0; i < n; i++) {
		struct cval *v = &c->vals[i];

		switch (v->k) {
		case SQL_COL_INT:
			sql_bind_int(s, i + 1, v->i);
			break;
		case SQL_COL_REAL:
			sql_bind_double(s, i + 1, v->d);
			break;
		case SQL_COL_TEXT:
			sql_bind_text(s, i + 1, v->t);
			break;
		case SQL_COL_BLOB:
			sql_bind_blob(s, i + 1, v->t, (size_t)v->i);
			break;
		default:
			sql_bind_null(s, i + 1);
			break;
		}
	}
	r = sql_step_done(c->dst, s, cause);
	if (s != c->ins)
		sql_finalize(c->dst, s);
	for (i = 0; i < n; i++)
		cval_clear(&c->vals[i]);
	if (r != 0) {
		char *why = *cause;

		*cause = xasprintf("cannot copy into %s: %s", c->t->name, why);
		free(why);
		return -1;
	}
	c->copied += c->nrows;
	c->nrows = 0;
	return 0;
}

/*
 * Every row of c's table, SRC to DST.  A PostgreSQL source is read
 * through a cursor, COPY_FETCH rows (or the table's) at a time, inside
 * the snapshot's transaction.
 */
static int
copier_run(struct copier *c, char **cause)
{
	struct store *src = c->src;
	struct sql_stmt *s = NULL;
	char *select = copier_select(c), *decl;
	int pg = src->kind == STORE_PG, got = 0, rc, r = -1;
	int fetch = c->t->rows > 0 ? c->t->rows : COPY_FETCH;

	/* Until the first row is read, a failure is SRC's. */
	r = COPY_SRC_FAILED;
	if (pg) {
		decl = xasprintf("DECLARE accord_copy NO SCROLL CURSOR FOR %s",
		    select);
		rc = sql_exec(src, decl, cause);
		free(decl);
		if (rc != 0)
			goto done;
		decl = xasprintf("FETCH FORWARD %d FROM accord_copy", fetch);
		rc = sql_prepare(src, decl, &s, cause);
		free(decl);
		if (rc != 0)
			goto done;
	} else if (sql_prepare(src, select, &s, cause) != 0)
		goto done;
	r = -1;
	for (;;) {
		rc = sql_step(s);
		if (rc == SQL_ROW) {
			got++;
			if (copier_take(c, s, cause) != 0)
				goto done;
			if (c->nrows == c->batch &&
			    copier_flush(c, cause) != 0)
				goto done;
			continue;
		}
		if (rc != SQL_DONE) {
			acc_error(cause, "cannot read %s: %s", c->t->name,
			    sql_errmsg(src));
			r = COPY_SRC_FAILED;
			goto done;
		}
		/* A full fetch: there may be more. */
		if (!pg || got < fetch)
			break;
		got = 0;
		sql_reset(s);
	}
	if (copier_flush(c, cause) != 0)
		goto done;
	r = 0;
done:
	sql_finalize(src, s);
	if (pg && r == 0 && sql_exec(src, "CLOSE accord_copy", cause) != 0)
		r = COPY_SRC_FAILED;
	free(select);
	return r;
}

/* 1: name is in the comma-separated list (quotes aside); 0 not. */
static int
in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (*p != '\0') {
		const char *e = p + strcspn(p, ",");
		const char *a = p, *z = e;

		if (*a == '"' && z > a + 1 && z[-1] == '"') {
			a++;
			z--;
		}
		if ((size_t)(z - a) == n && strncmp(a, name, n) == 0)
			return 1;
		p = *e == ',' ? e + 1 : e;
	}
	return 0;
}

/*
 * Every table and column of DST's schema is one the copy knows, so a
 * table or column a later migration adds is never left behind without a
 * word: it fails here until copy_tables has it.
 */
static int
copy_schema_known(struct store *dst, char **cause)
{
	struct sql_stmt *s;
	size_t i;
	int rc, r = 0;

	if (sql_prepare(dst, dst->kind == STORE_PG ?
	    "SELECT table_name, column_name FROM information_schema.columns "
	    "c WHERE table_schema = 'accord' AND EXISTS (SELECT 1 FROM "
	    "information_schema.tables t WHERE t.table_schema = 'accord' AND "
	    "t.table_name = c.table_name AND t.table_type = 'BASE TABLE')" :
	    "SELECT m.name, c.name FROM sqlite_master m, "
	    "pragma_table_info(m.name) c WHERE m.type = 'table'", &s,
	    cause) != 0)
		return -1;
	while (r == 0 && (rc = sql_next(dst, s, cause)) == 1) {
		const char *t = sql_text(s, 0), *col = sql_text(s, 1);
		int known = 0;

		for (i = 0; i < sizeof copy_skipped / sizeof copy_skipped[0];
		    i++)
			if (strcmp(t, copy_skipped[i]) == 0)
				known = 1;
		for (i = 0; !known && i < NTABLES; i++)
			if (strcmp(t, copy_tables[i].name) == 0)
				known = in_list(copy_tables[i].cols, col) ||
				    (strcmp(t, "item_meta") == 0 &&
				    (strcmp(col, "value_type") == 0 ||
				    strcmp(col, "value_num") == 0));
		if (!known)
			r = acc_error(cause, "accord copy does not know "
			    "column %s of table %s in this schema: not copied",
			    col, t);
	}
	if (r == 0 && rc < 0)
		r = -1;
	sql_finalize(dst, s);
	return r;
}

/*
 * May `user` copy src?  An sme or admin (the copy holds every label,
 * as a backup does), or a PostgreSQL superuser, who reads every row
 * anyway.  0, or -1 with *cause.
 */
static int
copy_allowed(struct store *src, const char *user, char **cause)
{
	long long super = 0;

	if (src->kind == STORE_PG) {
		if (sql_int(src, "SELECT count(*) FROM pg_roles WHERE rolname = "
		    "session_user AND rolsuper", NULL, &super, cause) < 0)
			return -1;
		if (super > 0)
			return 0;
	}
	return project_require(src, user, ROLE_SME, "copying the project",
	    cause);
}

/* What the audit row says DST came from: never a URI's password. */
static char *
copy_origin(struct store *src, char **cause)
{
	struct sql_stmt *s;
	char *o = NULL;

	if (src->kind != STORE_PG)
		return xasprintf("from %s", store_path(src));
	if (sql_prepare(src, "SELECT current_database()", &s, cause) != 0)
		return NULL;
	if (sql_next(src, s, cause) == 1)
		o = xasprintf("from PostgreSQL database %s", sql_text(s, 0));
	else if (*cause == NULL)
		acc_error(cause, "cannot read the database's name");
	sql_finalize(src, s);
	return o;
}

/* s as a PostgreSQL identifier, quoted, onto b. */
static void
quote_ident(struct buf *b, const char *s)
{
	buf_puts(b, "\"");
	for (; *s != '\0'; s++)
		buf_puts(b, *s == '"' ? "\"\"" : (char[2]){ *s, '\0' });
	buf_puts(b, "\"");
}

/*
 * PostgreSQL DST: the SQL that lets each current member log in (a login
 * role of the member's name in the project's member role), for the ones
 * that cannot yet; *out NULL when none.  0, or -1 with *cause.
 */
static int
copy_member_sql(struct store *dst, char **out, char **cause)
{
	struct sql_stmt *s;
	struct buf b = { 0 };
	int rc;

	*out = NULL;
	if (sql_prepare(dst, "SELECT m.\"user\", r.oid IS NOT NULL, p.member_role, "
	    "r.oid IS NOT NULL AND pg_has_role(r.oid, (SELECT oid FROM "
	    "pg_roles WHERE rolname = p.member_role), 'MEMBER') "
	    "FROM current_members m CROSS JOIN project_roles p "
	    "LEFT JOIN pg_roles r ON r.rolname = m.\"user\" "
	    "ORDER BY m.\"user\"", &s, cause) != 0)
		return -1;
	while ((rc = sql_next(dst, s, cause)) == 1) {
		if (sql_col_int(s, 3))
			continue;
		if (!sql_col_int(s, 1)) {
			buf_puts(&b, "CREATE ROLE ");
			quote_ident(&b, sql_text(s, 0));
			buf_puts(&b, " LOGIN;\n");
		}
		buf_puts(&b, "GRANT ");
		quote_ident(&b, sql_text(s, 2));
		buf_puts(&b, " TO ");
		quote_ident(&b, sql_text(s, 0));
		buf_puts(&b, ";\n");
	}
	sql_finalize(dst, s);
	if (rc < 0) {
		buf_free(&b);
		return -1;
	}
	*out = b.s;
	return 0;
}

/*
 * PostgreSQL DST, in store_create's transaction: the owner's role, and
 * the deriving triggers off until copy_pg_end.
 */
#define PG_TRIGGERS(on) \
	"ALTER TABLE items " on " TRIGGER item_labelers_item; " \
	"ALTER TABLE labels " on " TRIGGER labels_check; " \
	"ALTER TABLE labels " on " TRIGGER labels_derive"

static int
copy_pg_start(struct store *dst, char **cause)
{
	struct sql_stmt *s;
	char *prefix = NULL, *owner = NULL, *set = NULL;
	int r = -1;

	if (sql_prepare(dst, "SELECT prefix FROM project_roles", &s,
	    cause) != 0)
		return -1;
	if (sql_next(dst, s, cause) == 1)
		prefix = xstrdup(sql_text(s, 0));
	else if (*cause == NULL)
		acc_error(cause, "the new project has no roles");
	sql_finalize(dst, s);
	if (prefix == NULL)
		return -1;
	if ((owner = schema_pg_role(prefix, "owner", cause)) == NULL)
		goto done;
	set = xasprintf("SET LOCAL ROLE %s", owner);
	if (sql_exec(dst, set, cause) != 0 ||
	    sql_exec(dst, PG_TRIGGERS("DISABLE"), cause) != 0)
		goto done;
	r = 0;
done:
	free(prefix);
	free(owner);
	free(set);
	return r;
}

/*
 * The derived tables, the identities, the triggers back on; then the
 * planner's statistics, which a table loaded in bulk has none of until
 * autovacuum comes by (the first reads of a copied project, a copy of it
 * among them, sorted a million labels on disk for want of them).
 */
static int
copy_pg_end(struct store *dst, char **cause)
{
	struct buf b = { 0 };
	size_t i;
	int r;

	buf_puts(&b, "SELECT derived_rebuild(); SELECT ids_sync(); "
	    PG_TRIGGERS("ENABLE") "; ANALYZE item_labelers, item_labels, "
	    "queue_levels, labeler_levels, labeler_rows");
	for (i = 0; i < NTABLES; i++)
		buf_printf(&b, ", %s", copy_tables[i].name);
	r = sql_exec(dst, b.s, cause);
	buf_free(&b);
	return r;
}

/* fsync path (a file or a directory); 0 or -1 with *cause. */
static int
sync_path(const char *path, int dir, char **cause)
{
	int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return acc_error(cause, "cannot open %s to sync it: %s", path,
		    strerror(errno));
	r = fsync(fd);
	close(fd);
	if (r != 0)
		return acc_error(cause, "cannot sync %s: %s", path,
		    strerror(errno));
	return 0;
}

static const char *const side_suffix[] = { "", "-wal", "-shm", "-journal" };

/*
 * A SQLite DST: nothing at dst, its side files or dst.tmp's, which the
 * copy builds (a side file older than the store would be taken for the
 * store's own).  0, or -1 with *cause.
 */
static int
copy_lite_free(const char *dst, const char *tmp, char **cause)
{
	struct stat sb;
	size_t i;
	int k;

	for (k = 0; k < 2; k++)
		for (i = 0; i < sizeof side_suffix / sizeof side_suffix[0];
		    i++) {
			char *p = xasprintf("%s%s", k == 0 ? dst : tmp,
			    side_suffix[i]);
			int there = lstat(p, &sb) == 0;

			if (there && k == 0 && i == 0)
				acc_error(cause, "already exists; accord copy "
				    "never overwrites a file");
			else if (there && k == 0)
				acc_error(cause, "%s exists; accord copy "
				    "neither uses nor removes it", p);
			else if (there)
				acc_error(cause, "%s exists (left by a copy "
				    "that was stopped?); accord copy neither "
				    "uses nor removes it: remove it", p);
			free(p);
			if (there)
				return -1;
		}
	return 0;
}

/*
 * A finished SQLite DST: close it (its WAL checkpointed into tmp and
 * removed), sync it and rename it to dst without replacing anything
 * there; on failure remove tmp, but only the file this copy made (same
 * device and inode).  st is freed.
 */
static int
copy_lite_finish(struct store *st, const char *tmp, const char *dst,
    char **cause)
{
	struct stat made, sb;
	char *dir, *slash;
	int r;

	if (stat(store_path(st), &made) != 0) {
		r = acc_error(cause, "cannot find the copy %s: %s", tmp,
		    strerror(errno));
		store_discard(st);
		return r;
	}
	store_close(st);
	if (sync_path(tmp, 0, cause) != 0)
		goto fail;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dst, RENAME_NOREPLACE) != 0) {
		if (errno == EEXIST)
			acc_error(cause, "appeared while the copy ran; not "
			    "replaced");
		else
			acc_error(cause, "cannot rename the copy into place: "
			    "%s", strerror(errno));
		goto fail;
	}
	dir = xstrdup(dst);
	if ((slash = strrchr(dir, '/')) == NULL)
		strcpy(dir, ".");
	else
		slash[slash == dir] = '\0';
	r = sync_path(dir, 1, cause);
	free(dir);
	return r;
fail:
	if (lstat(tmp, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_dev == made.st_dev && sb.st_ino == made.st_ino)
		unlink(tmp);
	return -1;
}

/* The rows, SRC's snapshot into DST's open transaction. */
static int
copy_rows(struct store *src, struct store *dst, struct copy_result *res,
    char **cause)
{
	struct copier c;
	size_t i;
	int r;

	for (i = 0; i < NTABLES; i++) {
		copier_init(&c, src, dst, &copy_tables[i]);
		if ((r = copier_run(&c, cause)) != 0) {
			copier_free(&c);
			return r;
		}
		res->rows += c.copied;
		if (strcmp(copy_tables[i].name, "items") == 0)
			res->items = c.copied;
		else if (strcmp(copy_tables[i].name, "labels") == 0)
			res->labels = c.copied;
		copier_free(&c);
	}
	return 0;
}

/* Who writes DST's audit row: the server's role, or the OS user. */
static char *
copy_dst_user(struct store *dst, char **cause)
{
	struct passwd *pw;
	struct sql_stmt *s;
	char *u = NULL;

	if (dst->kind != STORE_PG) {
		if ((pw = getpwuid(getuid())) == NULL || pw->pw_name == NULL) {
			acc_error(cause, "cannot tell which OS user is running "
			    "accord");
			return NULL;
		}
		return xstrdup(pw->pw_name);
	}
	if (sql_prepare(dst, "SELECT session_user", &s, cause) != 0)
		return NULL;
	if (sql_next(dst, s, cause) == 1)
		u = xstrdup(sql_text(s, 0));
	else if (*cause == NULL)
		acc_error(cause, "cannot read the role");
	sql_finalize(dst, s);
	return u;
}

int
copy_project(struct store *src, const char *user, const char *dst,
    struct copy_result *res, char **cause)
{
	struct store *st = NULL;
	char *tmp = NULL, *origin = NULL, *who = NULL;
	double t0 = acc_monotonic();
	int pg = pg_is_uri(dst), src_tx = 0, src_failed = 0, rc, r = -1;

	memset(res, 0, sizeof *res);
	*cause = NULL;
	if (copy_allowed(src, user, cause) != 0)
		return COPY_SRC_FAILED;
	if ((origin = copy_origin(src, cause)) == NULL)
		return COPY_SRC_FAILED;
	if (!pg) {
		tmp = xasprintf("%s.tmp", dst);
		if (copy_lite_free(dst, tmp, cause) != 0)
			goto done;
	}
	if (store_create(pg ? dst : tmp, STORE_SCHEMA_VERSION, &st,
	    cause) != 0) {
		st = NULL;
		goto done;
	}
	if ((who = copy_dst_user(st, cause)) == NULL)
		goto fail;
	/*
	 * SQLite: one transaction (a commit per table, or per row, syncs
	 * the disk each time), its temporary b-trees in memory.
	 */
	if (!pg && sql_exec(st, "PRAGMA temp_store = MEMORY", cause) != 0)
		goto fail;
	if (store_begin(st, 1, cause) != 0 ||
	    copy_schema_known(st, cause) != 0 ||
	    (pg && copy_pg_start(st, cause) != 0))
		goto fail;
	/* SRC's snapshot: every table as it was at one moment. */
	if (sql_exec(src, src->kind == STORE_PG ? "BEGIN ISOLATION LEVEL "
	    "REPEATABLE READ READ ONLY" : "BEGIN", cause) != 0) {
		src_failed = 1;
		goto fail;
	}
	src_tx = 1;
	if ((rc = copy_rows(src, st, res, cause)) != 0) {
		src_failed = rc == COPY_SRC_FAILED;
		goto fail;
	}
	store_rollback(src);
	src_tx = 0;
	if ((pg && copy_pg_end(st, cause) != 0) ||
	    store_audit(st, who, "copy", origin, cause) != 0 ||
	    (pg && copy_member_sql(st, &res->dba_sql, cause) != 0) ||
	    store_commit(st, cause) != 0)
		goto fail;
	if (pg)
		store_close(st);
	else if (copy_lite_finish(st, tmp, dst, cause) != 0)
		goto done;
	st = NULL;
	res->seconds = acc_monotonic() - t0;
	r = 0;
	goto done;
fail:
	if (src_tx)
		store_rollback(src);
	store_discard(st);
	if (src_failed)
		r = COPY_SRC_FAILED;
done:
	if (r != 0) {
		free(res->dba_sql);
		res->dba_sql = NULL;
	}
	free(tmp);
	free(origin);
	free(who);
	return r;
}

void
copy_result_free(struct copy_result *res)
{
	free(res->dba_sql);
	res->dba_sql = NULL;
}
