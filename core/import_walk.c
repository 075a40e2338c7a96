/*
 * import_walk.c: the files an import takes: the paths given, directories
 * walked, only the project's media kind, one entry per canonical path.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "import_int.h"

static void
walk_add(struct imp_walk *w, const char *path, const struct stat *sb,
    int named)
{
	char *real = realpath(path, NULL);

	if (real == NULL) {
		w->opts->on_error(w->opts->arg, path, strerror(errno));
		w->failed++;
		return;
	}
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 256;
		w->files = xreallocarray(w->files, (size_t)w->cap,
		    sizeof *w->files);
	}
	memset(&w->files[w->n], 0, sizeof w->files[w->n]);
	w->files[w->n].path = real;
	w->files[w->n].bytes = (long long)sb->st_size;
	w->files[w->n].mtime = (long long)sb->st_mtim.tv_sec * 1000000000LL +
	    sb->st_mtim.tv_nsec;
	w->files[w->n].named = named;
	w->n++;
}

/* Count name's extension (lower case; "" for none) among the skipped. */
static void
exts_add(struct imp_exts *x, const char *name)
{
	const char *dot = strrchr(name, '.');
	char e[sizeof x->ext[0]];
	size_t i;
	int k;

	memset(e, 0, sizeof e);
	if (dot != NULL && dot != name && strlen(dot) < sizeof e)
		for (i = 0; dot[i] != '\0'; i++)
			e[i] = (char)tolower((unsigned char)dot[i]);
	for (k = 0; k < x->n; k++)
		if (strcmp(x->ext[k], e) == 0) {
			x->count[k]++;
			return;
		}
	if (x->n == IMP_EXTS) {
		x->other++;
		return;
	}
	memcpy(x->ext[x->n], e, sizeof e);
	x->count[x->n++] = 1;
}

/*
 * Why a skipped extension is not imported, for the line that names what
 * a directory held: the other media kind, a media format accord does not
 * read, or nothing to say.
 */
static const char *
exts_why(const char *ext, enum media_kind kind)
{
	static const char *const unsupported[] = { ".webp", ".gif", ".bmp",
	    ".tif", ".tiff", ".heic", ".heif", ".avif", ".svg", ".ico",
	    ".jxl", ".mp3", ".m4a", ".aac", ".opus", ".wma", ".aif",
	    ".aiff", ".mp4", ".mov", ".mkv", ".webm" };
	char name[sizeof ((struct imp_exts *)0)->ext[0] + 1];
	enum media_kind k;
	size_t i;

	/* media_format_from_ext wants a file name, not a bare extension. */
	snprintf(name, sizeof name, "x%s", ext);
	k = media_format_kind(media_format_from_ext(name));

	if (k != MEDIA_KIND_NONE && k != kind)
		return k == MEDIA_KIND_AUDIO ? "audio, not image" :
		    "image, not audio";
	for (i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
		if (strcmp(ext, unsupported[i]) == 0)
			return "format not supported";
	return NULL;
}

/* "12 .webp (format not supported), 3 .txt, 1 without extension". */
static char *
exts_text(const struct imp_exts *x, enum media_kind kind)
{
	struct buf b = { 0 };
	int k;

	for (k = 0; k < x->n; k++) {
		const char *why = exts_why(x->ext[k], kind);

		buf_printf(&b, "%s%d %s", k ? ", " : "", x->count[k],
		    x->ext[k][0] != '\0' ? x->ext[k] : "without extension");
		if (why != NULL)
			buf_printf(&b, " (%s)", why);
	}
	if (x->other > 0)
		buf_printf(&b, ", %d of other kinds", x->other);
	return b.s != NULL ? b.s : xstrdup("");
}

/*
 * Recurse into dir.  Hidden entries are skipped; symbolic links to files
 * are followed, links to directories are not (no cycles).
 */
static void
walk_dir(struct imp_walk *w, const char *dir, int depth)
{
	DIR *d;
	struct dirent *de;

	if (depth > 64) {
		w->opts->on_error(w->opts->arg, dir, "directories nested too "
		    "deep (over 64 levels)");
		w->failed++;
		return;
	}
	if ((d = opendir(dir)) == NULL) {
		w->opts->on_error(w->opts->arg, dir, strerror(errno));
		w->failed++;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat lsb, sb;
		char *p;

		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(p, &lsb) != 0) {
			w->opts->on_error(w->opts->arg, p, strerror(errno));
			w->failed++;
		} else if (S_ISDIR(lsb.st_mode)) {
			walk_dir(w, p, depth + 1);
		} else if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
			enum media_format f = media_format_from_ext(p);

			if (media_format_kind(f) == w->kind)
				walk_add(w, p, &sb, 0);
			else {
				w->skipped++;
				exts_add(&w->exts, de->d_name);
			}
		}
		free(p);
	}
	closedir(d);
}

/*
 * Walk directory dir.  When it holds no file of the project's media, one
 * line says so and names what it held ("found 12 .webp (format not
 * supported), 3 .txt"), and the directory counts as a path that failed:
 * the run exits non-zero, so "0 new items" never hides a wrong directory,
 * media kind or format.
 */
static void
walk_top(struct imp_walk *w, const char *dir)
{
	int n = w->n, failed = w->failed;
	char *msg, *found;

	memset(&w->exts, 0, sizeof w->exts);
	walk_dir(w, dir, 0);
	if (w->n > n || w->failed > failed)
		return;
	found = exts_text(&w->exts, w->kind);
	msg = xasprintf("no %s files (%s) here: %s%s",
	    media_kind_name(w->kind), w->kind == MEDIA_KIND_IMAGE ?
	    ".png .jpg .jpeg" : ".wav .flac .ogg .oga",
	    *found != '\0' ? "found " : "the directory is empty", found);
	w->opts->on_error(w->opts->arg, dir, msg);
	w->failed++;
	free(found);
	free(msg);
}

static int
file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct imp_file *)a)->path,
	    ((const struct imp_file *)b)->path);
}

/* One entry per canonical path, in a stable order. */
static void
walk_sort(struct imp_walk *w)
{
	int i, j;

	/* No files: NULL, which qsort may not be given. */
	if (w->n > 1)
		qsort(w->files, (size_t)w->n, sizeof *w->files, file_cmp);
	for (i = 0, j = 0; i < w->n; i++) {
		if (j > 0 &&
		    strcmp(w->files[j - 1].path, w->files[i].path) == 0) {
			free(w->files[i].path);
			continue;
		}
		w->files[j++] = w->files[i];
	}
	w->n = j;
}

void
imp_walk_paths(struct imp_walk *w, const struct import_opts *opts,
    enum media_kind kind)
{
	int i;

	w->kind = kind;
	w->opts = opts;
	for (i = 0; i < opts->npaths; i++) {
		struct stat sb;

		if (stat(opts->paths[i], &sb) != 0) {
			opts->on_error(opts->arg, opts->paths[i],
			    strerror(errno));
			w->failed++;
		} else if (S_ISDIR(sb.st_mode))
			walk_top(w, opts->paths[i]);
		else if (S_ISREG(sb.st_mode))
			walk_add(w, opts->paths[i], &sb, 1);
		else {
			opts->on_error(opts->arg, opts->paths[i],
			    "not a regular file or directory");
			w->failed++;
		}
	}
	walk_sort(w);
}

void
imp_walk_free(struct imp_walk *w)
{
	int i;

	for (i = 0; i < w->n; i++)
		free(w->files[i].path);
	free(w->files);
}
