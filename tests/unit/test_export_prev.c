/*
 * test_export_prev.c: what export --force may replace (core/export_prev.c):
 * a manifest.json is accord's only when it parses and has its members,
 * a directory is an export only when every file in it is listed, and
 * removing an export unlinks only the listed files: one put there after
 * the check stays, with the folders that hold it.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../core/export_int.h"
#include "t.h"

static char dir[PATH_MAX];

static void
put(const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, rel);
	f = fopen(path, "w");
	if (f == NULL)
		abort();
	fputs(text, f);
	fclose(f);
}

static int
exists(const char *rel)
{
	char path[PATH_MAX];
	struct stat sb;

	snprintf(path, sizeof path, "%s/%s", dir, rel);
	return lstat(path, &sb) == 0;
}

/* Parse text; 0 or -1, the reason in why (freed here). */
static int
parse(const char *text, int *npaths, char *why, size_t n)
{
	struct exp_prev pv;
	char *w = NULL;
	int r = exp_prev_parse(text, strlen(text), &pv, &w);

	*npaths = pv.npaths;
	snprintf(why, n, "%s", w != NULL ? w : "");
	free(w);
	exp_prev_free(&pv);
	return r;
}

static void
t_prev_parse(void)
{
	char why[200], deep[400];
	int n, i;

	T_EQ_INT(parse("{\"accord_version\": \"0.9\", \"store\": {\"path\": "
	    "\"a\"}, \"files\": [{\"path\": \"train.csv\", \"bytes\": 1, "
	    "\"sha256\": \"ab\"}, {\"path\": \"dev\\/a \\\"b\\\".png\"}], "
	    "\"left_out\": [{\"path\": \"not a file\"}]}", &n, why,
	    sizeof why), 0);
	T_EQ_INT(n, 2);		/* "path" of files only, not of left_out */
	T_EQ_INT(parse("{\"name\": \"proj\"}", &n, why, sizeof why), -1);
	T_CHECK(strstr(why, "no accord_version, store and files") != NULL);
	/* accord_version must be a string, files an array. */
	T_EQ_INT(parse("{\"accord_version\": 1, \"store\": {}, \"files\": []}",
	    &n, why, sizeof why), -1);
	T_EQ_INT(parse("{\"accord_version\": \"1\", \"store\": {}, \"files\": "
	    "{}}", &n, why, sizeof why), -1);
	T_EQ_INT(parse("{\"accord_version\": \"1\", \"store\": {}, \"files\": "
	    "[", &n, why, sizeof why), -1);
	T_CHECK(strstr(why, "not JSON") != NULL);
	T_EQ_INT(parse("{} trailing", &n, why, sizeof why), -1);
	T_EQ_INT(parse("[]", &n, why, sizeof why), -1);
	T_EQ_INT(parse("", &n, why, sizeof why), -1);
	/* 300 levels of arrays: refused, not a stack overflow. */
	strcpy(deep, "{\"x\": ");
	for (i = 0; i < 300; i++)
		strcat(deep, "[");
	T_EQ_INT(parse(deep, &n, why, sizeof why), -1);
	T_CHECK(strstr(why, "nested too deep") != NULL);
}

#define MANIFEST "{\"accord_version\": \"1\", \"store\": {}, \"files\": " \
	"[{\"path\": \"a.txt\"}, {\"path\": \"sub/b.txt\"}]}\n"

static void
t_prev_check_and_remove(void)
{
	struct exp_prev pv;
	char *cause = NULL, path[PATH_MAX];

	if (t_mkdtemp(dir, sizeof dir, "prev") == NULL)
		T_SKIP("cannot make a temporary directory");
	snprintf(path, sizeof path, "%s/sub", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/empty", dir);
	mkdir(path, 0755);
	put("manifest.json", MANIFEST);
	put("a.txt", "a");
	put("sub/b.txt", "b");
	put("sub/code.js", "mine");
	T_EQ_INT(exp_prev_check(dir, &pv, &cause), -1);
	T_CHECK(cause != NULL && strstr(cause, "sub/code.js is not in its "
	    "manifest") != NULL);
	free(cause);
	cause = NULL;
	snprintf(path, sizeof path, "%s/sub/code.js", dir);
	unlink(path);
	T_EQ_INT(exp_prev_check(dir, &pv, &cause), 0);
	T_CHECK(cause == NULL);
	/* A file put there after the check: never removed. */
	put("sub/code.js", "mine");
	T_EQ_INT((int)exp_prev_remove(dir, &pv), 2);	/* sub and its file */
	T_CHECK(!exists("a.txt") && !exists("sub/b.txt") &&
	    !exists("manifest.json") && !exists("empty"));
	T_CHECK(exists("sub/code.js"));
	exp_prev_free(&pv);
	/* Without it, the whole export goes. */
	snprintf(path, sizeof path, "%s/sub/code.js", dir);
	unlink(path);
	put("manifest.json", MANIFEST);
	put("a.txt", "a");
	put("sub/b.txt", "b");
	T_EQ_INT(exp_prev_check(dir, &pv, &cause), 0);
	T_EQ_INT((int)exp_prev_remove(dir, &pv), 0);
	T_CHECK(!exists(""));
	exp_prev_free(&pv);
	t_rmtree(dir);
}

int
main(void)
{
	T_RUN(t_prev_parse);
	T_RUN(t_prev_check_and_remove);
	return t_done();
}
