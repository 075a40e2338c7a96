/*
 * test_suggest.c: the closest-name helper every "no such X" message uses
 * (core/suggest.c), and how text reaches a terminal or JSON inert
 * (acc_printable, buf_json_str: bidirectional and other invisible format
 * characters, C1 controls).
 */
#include "accord/suggest.h"
#include "accord/util.h"
#include "t.h"

static void
t_distance_counts_each_edit_once(void)
{
	T_EQ_INT(suggest_distance("", ""), 0);
	T_EQ_INT(suggest_distance("", "abc"), 3);
	T_EQ_INT(suggest_distance("scratch", "scratch"), 0);
	T_EQ_INT(suggest_distance("scrath", "scratch"), 1);	/* deletion */
	T_EQ_INT(suggest_distance("sctratch", "scratch"), 1);	/* insertion */
	T_EQ_INT(suggest_distance("scrbtch", "scratch"), 1);	/* change */
	T_EQ_INT(suggest_distance("scartch", "scratch"), 1);	/* swap */
	T_EQ_INT(suggest_distance("Scratch", "scratch"), 0);	/* case */
	T_EQ_INT(suggest_distance("kitten", "sitting"), 3);
	/* Optimal string alignment: "ca" -> "abc" is 3, not 2 (the swapped
	 * pair may not be edited again). */
	T_EQ_INT(suggest_distance("ca", "abc"), 3);
	T_EQ_INT(suggest_distance("week3", "week2"), 1);
}

static void
t_closest_only_when_near_and_unique(void)
{
	const char *cls[] = { "ok", "scratch", "dent", "unsure" };
	const char *wk[] = { "week1", "week2" };

	T_EQ_STR(suggest_closest("scrath", cls, 4), "scratch");
	T_EQ_STR(suggest_closest("dnet", cls, 4), "dent");
	T_EQ_STR(suggest_closest("unsrue", cls, 4), "unsure");
	/* Too far to be a typo of anything. */
	T_CHECK(suggest_closest("banana", cls, 4) == NULL);
	/* A short word: one edit at most ("no" is 2 from "ok"). */
	T_CHECK(suggest_closest("no", cls, 4) == NULL);
	/* As near to both: no guess. */
	T_CHECK(suggest_closest("week3", wk, 2) == NULL);
	T_EQ_STR(suggest_closest("wek2", wk, 2), "week2");
	T_CHECK(suggest_closest("x", NULL, 0) == NULL);
}

/* suggest_choices(word, what, names, n) gives want. */
static void
choices_is(const char *word, const char *what, const char *const *names,
    size_t n, const char *want)
{
	char *s = suggest_choices(word, what, names, n);

	T_EQ_STR(s, want);
	free(s);
}

static void
t_choices_line(void)
{
	const char *cls[] = { "ok", "scratch", "dent", "unsure" };
	const char *odd[] = { "a\x1b[2Jb", "c" };
	const char *v[] = { "1", "2" };
	const char *many[40];
	char names[40][8], *s;
	int i;

	choices_is("scrath", "classes", cls, 4,
	    "did you mean 'scratch'? classes: ok, scratch, dent, unsure");
	choices_is("zzzzzz", "classes", cls, 4,
	    "classes: ok, scratch, dent, unsure");
	choices_is("x", "prediction runs", NULL, 0,
	    "there are no prediction runs");
	/* Numbers are listed, never guessed at. */
	choices_is("9", "versions", v, 2, "versions: 1, 2");
	/* Names from a store are made inert before they are listed. */
	choices_is("zzz", "keys", odd, 2, "keys: a?[2Jb, c");
	for (i = 0; i < 40; i++) {
		snprintf(names[i], sizeof names[i], "n%02d", i);
		many[i] = names[i];
	}
	s = suggest_choices("zzzzzz", "batches", many, 40);
	T_CHECK(strstr(s, "n29, ... (40 in all)") != NULL);
	T_CHECK(strstr(s, "n30") == NULL);
	free(s);
}

static void
t_printable_escapes_bidi_and_format(void)
{
	/* U+202E RLO, U+2066 LRI, U+2069 PDI, U+200F RLM, U+061C ALM. */
	char *p = acc_printable("cat\xe2\x80\xae" "gnp.exe \xe2\x81\xa6x"
	    "\xe2\x81\xa9 \xe2\x80\x8f\xd8\x9c caf\xc3\xa9 \xe2\x80\x94");

	T_EQ_STR(p, "cat?gnp.exe ?x? ?? caf\xc3\xa9 \xe2\x80\x94");
	free(p);
	T_CHECK(acc_invisible(0x202a) && acc_invisible(0x202e));
	T_CHECK(acc_invisible(0x2066) && acc_invisible(0x2069));
	T_CHECK(acc_invisible(0x9b) && acc_invisible(0x7f));
	T_CHECK(!acc_invisible(0x2029) && !acc_invisible(0x206a));
	T_CHECK(!acc_invisible(0xa0) && !acc_invisible('a'));
}

static void
t_json_escapes_c1_and_format(void)
{
	struct buf b = { 0 };

	buf_json_str(&b, "a\xc2\x9b" "b\xe2\x80\xae" "c\xc3\xa9\x7f");
	T_EQ_STR(b.s, "\"a\\u009bb\\u202ec\xc3\xa9\\u007f\"");
	buf_free(&b);
}

int
main(void)
{
	T_RUN(t_distance_counts_each_edit_once);
	T_RUN(t_closest_only_when_near_and_unique);
	T_RUN(t_choices_line);
	T_RUN(t_printable_escapes_bidi_and_format);
	T_RUN(t_json_escapes_c1_and_format);
	return t_done();
}
