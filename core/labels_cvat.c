/*
 * labels_cvat.c: CVAT's "CVAT for images 1.1" XML export read into rows of
 * accord's own import (labels_int.h): each <image> with one <tag> becomes
 * one label, its class the tag's label.
 *
 * Parsed with expat (docs/design.md, "Libraries"), a stream parser: the
 * file is never held as a tree, and expat refuses the entity expansions
 * ("billion laughs") a hostile file could use and loads no external
 * entity.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "internal.h"
#include "labels_int.h"

struct cvat {
	struct interop *x;
	XML_Parser xp;
	int depth;
	int root_ok;		/* <annotations> seen as the root */
	int in_meta, in_assignee, in_username;
	struct buf assignee;	/* meta's task or job assignee */
	/* The image being read. */
	int in_image;
	long line;
	char *name;
	char *label;		/* its first tag's label */
	int ntags;
	int video;		/* a <track>: CVAT for video */
};

static const char *
attr(const char **atts, const char *key)
{
	for (; atts[0] != NULL; atts += 2)
		if (strcmp(atts[0], key) == 0)
			return atts[1];
	return NULL;
}

static void XMLCALL
cvat_start(void *arg, const char *el, const char **atts)
{
	struct cvat *c = arg;

	if (c->depth++ == 0) {
		c->root_ok = strcmp(el, "annotations") == 0;
		return;
	}
	if (!c->root_ok)
		return;
	if (strcmp(el, "meta") == 0)
		c->in_meta++;
	else if (c->in_meta && strcmp(el, "assignee") == 0)
		c->in_assignee++;
	else if (c->in_assignee && strcmp(el, "username") == 0) {
		c->in_username = 1;
		c->assignee.len = 0;
	} else if (strcmp(el, "track") == 0)
		c->video = 1;
	else if (strcmp(el, "image") == 0 && c->depth == 2) {
		const char *name = attr(atts, "name");

		c->in_image = 1;
		c->line = (long)XML_GetCurrentLineNumber(c->xp);
		c->name = name != NULL ? xstrdup(name) : NULL;
		c->ntags = 0;
	} else if (c->in_image && strcmp(el, "tag") == 0) {
		const char *label = attr(atts, "label");

		if (c->ntags++ == 0)
			c->label = label != NULL ? xstrdup(label) : NULL;
	}
}

/* The labeler of every tag: --labeler, else meta's assignee (mapped). */
static const char *
cvat_labeler(const struct cvat *c)
{
	const struct interop *x = c->x;
	const char *m;

	if (x->o->labeler != NULL)
		return x->o->labeler;
	if (c->assignee.len == 0)
		return NULL;
	m = interop_user(x, c->assignee.s);
	return m != NULL ? m : c->assignee.s;
}

static void
cvat_image(struct cvat *c)
{
	struct interop *x = c->x;
	char *where = xasprintf("%s:%ld", x->file, c->line);
	const char *who = cvat_labeler(c);
	struct record *r;

	if (c->name == NULL)
		interop_bad(x, where, "<image> without a name");
	else if (c->ntags == 0)
		x->skipped++;	/* an image nobody tagged */
	else if (c->ntags > 1)
		interop_bad(x, where, "%d tags on %s: accord keeps one class "
		    "per labeler", c->ntags, c->name);
	else if (c->label == NULL)
		interop_bad(x, where, "<tag> without a label");
	else if (who == NULL)
		interop_bad(x, where, "the export names no annotator (no "
		    "assignee in <meta>); give --labeler NAME");
	else {
		r = interop_row(x, where);
		where = NULL;
		interop_media(r, c->name);
		interop_put(r, "labeler", who);
		interop_put(r, "class", c->label);
	}
	free(where);
	free(c->name);
	free(c->label);
	c->name = c->label = NULL;
	c->in_image = 0;
}

static void XMLCALL
cvat_end(void *arg, const char *el)
{
	struct cvat *c = arg;

	c->depth--;
	if (!c->root_ok)
		return;
	if (strcmp(el, "meta") == 0 && c->in_meta)
		c->in_meta--;
	else if (strcmp(el, "assignee") == 0 && c->in_assignee)
		c->in_assignee--;
	else if (strcmp(el, "username") == 0)
		c->in_username = 0;
	else if (strcmp(el, "image") == 0 && c->in_image && c->depth == 1)
		cvat_image(c);
}

static void XMLCALL
cvat_text(void *arg, const char *s, int len)
{
	struct cvat *c = arg;

	if (c->in_username) {
		/* Usernames have no spaces; the text around one is layout. */
		for (; len > 0 && (*s == ' ' || *s == '\n' || *s == '\t' ||
		    *s == '\r'); s++, len--)
			;
		for (; len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\n' ||
		    s[len - 1] == '\t' || s[len - 1] == '\r'); len--)
			;
		buf_add(&c->assignee, s, (size_t)len);
	}
}

int
labels_read_cvat(struct interop *x, const unsigned char *data, size_t len,
    char **cause)
{
	struct cvat c = { 0 };
	int rc = 0;

	if (len > (size_t)INT32_MAX)
		return acc_error(cause, "too large for an XML file");
	c.x = x;
	if ((c.xp = XML_ParserCreate("UTF-8")) == NULL)
		abort();
	XML_SetUserData(c.xp, &c);
	XML_SetElementHandler(c.xp, cvat_start, cvat_end);
	XML_SetCharacterDataHandler(c.xp, cvat_text);
	if (XML_Parse(c.xp, (const char *)data, (int)len, 1) ==
	    XML_STATUS_ERROR) {
		rc = acc_error(cause, "line %lu: %s",
		    (unsigned long)XML_GetCurrentLineNumber(c.xp),
		    XML_ErrorString(XML_GetErrorCode(c.xp)));
	} else if (!c.root_ok)
		rc = acc_error(cause, "not a CVAT export: the root element is "
		    "not <annotations>");
	else if (c.video)
		rc = acc_error(cause, "a CVAT for video export (tracks): "
		    "export the task as CVAT for images 1.1");
	free(c.name);
	free(c.label);
	buf_free(&c.assignee);
	XML_ParserFree(c.xp);
	return rc;
}
