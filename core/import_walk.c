/*
 * import_walk.c: the files an import takes: the paths given, directories
 * walked, only the project's media kind, one entry per canonical path.
 */
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
			else
				w->skipped++;
		}
		free(p);
	}
	closedir(d);
}

/*
 * Walk directory dir; when it holds no file of the project's media, say so
 * in one line (not a failure: an empty drop folder is no error), so that
 * "0 new items" never hides a wrong directory or media kind.
 */
static void
walk_top(struct imp_walk *w, const char *dir)
{
	int n = w->n, skipped = w->skipped, failed = w->failed;
	char *msg;

	walk_dir(w, dir, 0);
	if (w->n > n || w->failed > failed)
		return;
	skipped = w->skipped - skipped;
	msg = xasprintf("no %s files (%s) found, nothing imported from "
	    "here; %d other file%s skipped", media_kind_name(w->kind),
	    w->kind == MEDIA_KIND_IMAGE ? ".png .jpg .jpeg" :
	    ".wav .flac .ogg .oga", skipped, skipped == 1 ? "" : "s");
	w->opts->on_error(w->opts->arg, dir, msg);
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
