/*
 * export_ls.c: export --format label-studio: the project as Label Studio
 * tasks, so a team can move there with its labels.
 *
 *	OUT/tasks.json		a JSON array of tasks, Label Studio's own
 *				export format ("Label Studio JSON format of
 *				annotated tasks", labelstud.io/guide/task_format)
 *	OUT/label_config.xml	the labeling config the tasks fit:
 *				<Image name="image"> (or <Audio name="audio">)
 *				and <Choices name="label"> of every class
 *
 * One task per item, every item (Label Studio gets the unlabeled and the
 * left-out ones too; data.split or data.left_out says which).  Each
 * labeler's label in force is one annotation: result [ choices ],
 * completed_by, lead_time (seconds_spent), created_at, and ground_truth
 * when its class is the item's decision (the newest adjudication's class,
 * else gold).  The consensus is a prediction with its confidence as score
 * and the method as model_version.  What Label Studio has no place for is
 * left out and documented (docs/guide.md, "label-studio"): superseded and
 * withdrawn labels, notes, guideline versions, a decision no labeler gave.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export_int.h"
#include "internal.h"

int
exp_read_ls(struct store *st, struct exp_snap *x, char **cause)
{
	struct sql_stmt *s;
	size_t cap = 0;
	int rc, i;

	if (sql_prepare(st, "SELECT l.item, l.id, l.labeler, c.name, "
	    "l.seconds_spent, l.created_at FROM current_labels l JOIN classes "
	    "c ON c.id = l.class ORDER BY l.item, l.labeler", &s, cause) != 0)
		return -1;
	sql_stream(s);
	while ((rc = sql_step(s)) == SQL_ROW) {
		struct exp_ls_label *l;

		if ((i = ratings_item_index(&x->r, sql_col_int64(s, 0))) < 0)
			continue;
		if ((size_t)x->nls == cap) {
			cap = cap ? cap * 2 : 64;
			x->ls = xreallocarray(x->ls, cap, sizeof *x->ls);
		}
		l = &x->ls[x->nls++];
		l->item = i;
		l->id = sql_col_int64(s, 1);
		l->labeler = exp_text_add(x, sql_text(s, 2),
		    (size_t)sql_col_bytes(s, 2));
		l->cls = exp_text_add(x, sql_text(s, 3), (size_t)sql_col_bytes(s, 3));
		l->seconds = sql_col_type(s, 4) == SQL_COL_NULL ? NAN :
		    sql_col_double(s, 4);
		l->created = exp_text_add(x, sql_text(s, 5),
		    (size_t)sql_col_bytes(s, 5));
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read labels");
	return 0;
}

/* The control and object names of the config and of every result. */
static const char *
ls_media_key(const struct exp_plan *pl)
{
	return pl->p->media == MEDIA_KIND_AUDIO ? "audio" : "image";
}

/*
 * path after the prefix, percent-encoded as a URL's path and query value
 * want it (RFC 3986 unreserved characters and '/' as they are), so the
 * name of any file survives: Label Studio decodes d= back to it.
 */
static char *
ls_url(const struct exp_plan *pl, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = { 0 };
	const unsigned char *p;

	buf_puts(&b, pl->o->ls_url_prefix != NULL ? pl->o->ls_url_prefix :
	    EXP_LS_LOCAL_FILES);
	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p) != NULL)
			buf_add(&b, (const char *)p, 1);
		else
			buf_printf(&b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
	buf_add(&b, "", 1);
	return b.s;
}

/* One result: the choices control's answer. */
static void
ls_result(const struct exp_plan *pl, struct json *j, const char *id,
    const char *cls)
{
	json_array_begin(j);
	json_object_begin(j);
	json_key(j, "id");
	json_string(j, id);
	json_key(j, "from_name");
	json_string(j, "label");
	json_key(j, "to_name");
	json_string(j, ls_media_key(pl));
	json_key(j, "type");
	json_string(j, "choices");
	json_key(j, "origin");
	json_string(j, "manual");
	json_key(j, "value");
	json_object_begin(j);
	json_key(j, "choices");
	json_array_begin(j);
	json_string(j, cls);
	json_array_end(j);
	json_object_end(j);
	json_object_end(j);
	json_array_end(j);
}

/*
 * The labeler as Label Studio writes a user in full: a number (its place
 * among the export's labelers by name, 1 up) and an email, NAME@accord.invalid
 * (.invalid is reserved for names that must not resolve, RFC 2606), whose
 * local part is the accord name: a Label Studio import matches users by
 * email, and accord's labels import takes the part before the '@'.
 */
static void
ls_user(const struct exp_snap *x, struct json *j, const char *name)
{
	int lo = 0, hi = x->r.nlabelers - 1, id = 0;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2, c = strcmp(x->r.labelers[mid],
		    name);

		if (c == 0) {
			id = mid + 1;
			break;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	json_object_begin(j);
	json_key(j, "id");
	json_int(j, id);
	json_key(j, "email");
	{
		char *e = xasprintf("%s@accord.invalid", name);

		json_string(j, e);
		free(e);
	}
	json_key(j, "first_name");
	json_string(j, name);
	json_key(j, "last_name");
	json_string(j, "");
	json_object_end(j);
}

/* The class the item's decision names (adjudication, else gold), or -1. */
static int
ls_truth(const struct exp_snap *x, int i)
{
	if (x->r.reference != NULL && x->r.reference[i] >= 0)
		return x->r.reference[i];
	if (x->r.gold != NULL && x->r.gold[i] >= 0)
		return x->r.gold[i];
	return -1;
}

static void
ls_annotation(const struct exp_plan *pl, struct json *j,
    const struct exp_ls_label *l, long long task, int truth)
{
	const struct exp_snap *x = pl->x;
	const char *cls = x->text.s + l->cls, *at = x->text.s + l->created;
	char rid[40];

	json_object_begin(j);
	json_key(j, "id");
	json_int(j, l->id);
	json_key(j, "completed_by");
	ls_user(x, j, x->text.s + l->labeler);
	json_key(j, "result");
	snprintf(rid, sizeof rid, "accord-label-%lld", l->id);
	ls_result(pl, j, rid, cls);
	json_key(j, "was_cancelled");
	json_bool(j, 0);
	json_key(j, "ground_truth");
	json_bool(j, truth >= 0 && strcmp(x->r.classes[truth], cls) == 0);
	json_key(j, "created_at");
	json_string(j, at);
	json_key(j, "updated_at");
	json_string(j, at);
	/* Seconds as measured (milliseconds at best): 15 digits say them
	 * exactly, where %.17g would write 2.9 as 2.8999999999999999. */
	json_key(j, "lead_time");
	json_double(j, "%.15g", l->seconds);
	json_key(j, "task");
	json_int(j, task);
	json_object_end(j);
}

/* The consensus as Label Studio's model prediction. */
static void
ls_prediction(const struct exp_plan *pl, struct json *j, int i)
{
	const struct consensus_item *c = &pl->cons[i];
	const struct export_opts *o = pl->o;
	char *mv, rid[40];

	json_array_begin(j);
	if (c->label >= 0 && pl->reason[i] != EXPORT_AMBIGUOUS) {
		mv = o->method == CONSENSUS_ADJUDICATED ?
		    xasprintf("accord %s/%s", consensus_method_name(o->method),
		    consensus_method_name(o->fallback)) :
		    xasprintf("accord %s", consensus_method_name(o->method));
		json_object_begin(j);
		json_key(j, "model_version");
		json_string(j, mv);
		json_key(j, "score");
		json_double(j, EXP_DOUBLE_FMT, c->confidence);
		json_key(j, "result");
		snprintf(rid, sizeof rid, "accord-consensus-%lld",
		    pl->x->r.item_ids[i]);
		ls_result(pl, j, rid, pl->x->r.classes[c->label]);
		json_object_end(j);
		free(mv);
	}
	json_array_end(j);
}

/* Item i's task; *k walks x->ls, which is in item order. */
static void
ls_task(const struct exp_plan *pl, struct buf *b, int i, int *k)
{
	const struct exp_snap *x = pl->x;
	long long id = x->r.item_ids[i];
	int truth = ls_truth(x, i), n = 0;
	struct json j;
	char sha[65], *url = ls_url(pl, exp_path(x, i));

	json_start(&j, b);
	json_object_begin(&j);
	json_key(&j, "id");
	json_int(&j, id);
	json_key(&j, "data");
	json_object_begin(&j);
	json_key(&j, ls_media_key(pl));
	json_string(&j, url);
	json_key(&j, "sha256");
	json_string(&j, exp_sha(x, i, sha));
	if (pl->reason[i] == EXPORT_KEPT) {
		json_key(&j, "split");
		json_string(&j, exp_split_dir(pl, pl->part[i]));
	} else {
		json_key(&j, "left_out");
		json_string(&j, export_reason_name(pl->reason[i]));
	}
	json_object_end(&j);
	json_key(&j, "annotations");
	json_array_begin(&j);
	while (*k < x->nls && x->ls[*k].item < i)
		(*k)++;
	for (; *k < x->nls && x->ls[*k].item == i; (*k)++, n++)
		ls_annotation(pl, &j, &x->ls[*k], id, truth);
	json_array_end(&j);
	json_key(&j, "predictions");
	ls_prediction(pl, &j, i);
	json_key(&j, "total_annotations");
	json_int(&j, n);
	json_key(&j, "cancelled_annotations");
	json_int(&j, 0);
	json_object_end(&j);
	free(url);
}

/* Rows are buffered and written in blocks of about this size. */
#define FLUSH_AT (256 * 1024)

static int
ls_tasks(struct exp_writer *w, char **cause)
{
	const struct exp_plan *pl = w->pl;
	struct exp_file f;
	struct buf b = { 0 };
	int i, k = 0, r = 0;

	if (exp_file_open(w, "tasks.json", &f, cause) != 0)
		return -1;
	buf_add(&b, "[", 1);
	for (i = 0; i < pl->n && r == 0; i++) {
		buf_puts(&b, i > 0 ? ",\n" : "\n");
		ls_task(pl, &b, i, &k);
		if (b.len >= FLUSH_AT) {
			exp_file_write(&f, b.s, b.len);
			b.len = 0;
			r = exp_cancelled(w, cause);
		}
	}
	buf_puts(&b, "\n]\n");
	exp_file_write(&f, b.s, b.len);
	buf_free(&b);
	if (exp_file_close(w, &f, cause) != 0)
		r = -1;
	return r;
}

/* s as an XML attribute value. */
static void
xml_attr(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&apos;"); break;
		default: buf_add(b, s, 1); break;
		}
}

/* The labeling config: the media object and one choice per class. */
static int
ls_config(struct exp_writer *w, char **cause)
{
	const struct exp_plan *pl = w->pl;
	const char *key = ls_media_key(pl);
	struct buf b = { 0 };
	int c, r;

	buf_printf(&b, "<View>\n  <%s name=\"%s\" value=\"$%s\"/>\n"
	    "  <Choices name=\"label\" toName=\"%s\" choice=\"single\">\n",
	    pl->p->media == MEDIA_KIND_AUDIO ? "Audio" : "Image", key, key,
	    key);
	for (c = 0; c < pl->x->r.nclasses; c++) {
		buf_puts(&b, "    <Choice value=\"");
		xml_attr(&b, pl->x->r.classes[c]);
		buf_puts(&b, "\"/>\n");
	}
	buf_puts(&b, "  </Choices>\n</View>\n");
	r = exp_file_put(w, "label_config.xml", &b, cause);
	buf_free(&b);
	return r;
}

int
exp_write_ls(struct exp_writer *w, char **cause)
{
	const struct exp_plan *pl = w->pl;

	if (ls_config(w, cause) != 0 || ls_tasks(w, cause) != 0)
		return -1;
	/* The table counts what the other formats would train on; here the
	 * items left out are tasks too, and the user should not think them
	 * lost. */
	if (pl->nrows < pl->n)
		exp_note(pl->res, "tasks.json holds all %d items: the %d left "
		    "out carry data.left_out and no split", pl->n,
		    pl->n - pl->nrows);
	return 0;
}
