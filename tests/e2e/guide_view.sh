# The guideline viewer (issue 17): `g` on the label and review screens, at
# 80x24, with a 44-line guideline whose lines run past the width (Latin,
# accented and wide CJK text): the lines wrap (a long line's last word is
# on screen, on a row of its own), Down, PgDn and End reach the last line,
# Home comes back, `/word` Enter scrolls to a match on a later page and
# highlights it, n goes to the next, q and Esc close, and no key pressed
# in the viewer labeled or decided anything.  Real OS users in a private
# tmux server (tests/e2e/tmux.lib), checked on the screen and in the store.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/e2e/tmux.lib"

need_commands tmux runuser sqlite3 python3
L1=$(test_user gvl)
SME=$(test_user gvsme)
ensure_user $L1 $SME || skip_all "the screens run as real OS users: $WHY"
trap 'tm_stop; lib_cleanup' EXIT
export LC_ALL=C.UTF-8
chmod 777 "$T"

DB=$T/gv.accord
tm_demo_project "$DB" "e2e guide" $L1 $SME
q1() { sqlite3 -batch -noheader "$DB" "$1"; }

# The guideline: 44 lines.  Line 3 is 200 columns of words ending in
# "ENDTHREE", line 4 45 wide characters (90 columns, no space) ending in
# 尾, line 9 accented words ending in "FINÉ"; "needle" is on lines 5
# and 36, "haystack" on line 40 only, "LASTLINE" is line 44.
{
	echo "# Surface defects"
	echo ""
	printf 'General:'
	for w in one two three four five six seven eight nine ten eleven \
	    twelve thirteen fourteen fifteen sixteen seventeen eighteen \
	    nineteen twenty twentyone twentytwo twentythree twentyfour; do
		printf ' %s' "$w"
	done
	echo " ENDTHREE"
	printf '宽%.0s' $(seq 1 44); echo "尾"
	echo "Rule 05: a needle mark is a scratch."
	for i in 06 07 08; do echo "Rule $i: short rule."; done
	echo "Accents: éclat café naïve résumé déjà vu à la carte crème brûlée garçon façade señor año jalapeño FINÉ"
	for i in 10 11 12; do echo "Rule $i: short rule."; done
	echo "Rule 13: look at the whole part first."
	echo "## ok"
	for i in 15 16 17 18 19 20 21 22 23 24; do echo "Rule $i: no mark at all."; done
	echo "## scratch"
	for i in 26 27 28 29 30 31 32 33 34 35; do echo "Rule $i: a line cut into the surface."; done
	echo "Rule 36: the second needle."
	echo "## dent"
	for i in 38 39; do echo "Rule $i: a hollow."; done
	echo "Rule 40: a haystack of dents is one dent."
	for i in 41 42 43; do echo "Rule $i: a hollow."; done
	echo "LASTLINE: the end of the guideline."
} >"$T/guide.md"
check "set-up: the guideline has 44 lines" 44 "$(wc -l <"$T/guide.md" | tr -d ' ')"
run as $SME "$ACCORD" guideline "$DB" edit --file "$T/guide.md" --reason "long"
ok_if "set-up: the guideline is stored as v2" rc_is 0
chmod 666 "$DB"*

shows() { tm_screen "$1" | grep -qF -- "$2"; }
shows_re() { tm_screen "$1" | grep -qE -- "$2"; }
hides() { ! shows "$1" "$2"; }
# The row that shows TEXT (0-based), or nothing.
row_of() { tm_screen "$1" | grep -nF -- "$2" | head -1 | cut -d: -f1 | awk '{ print $1 - 1 }'; }
# Whether every cell of the first WORD on screen is in reverse video
# (tm_cells: one cell a line).
cat >"$T/rev.py" <<'EOF'
import sys
word = sys.argv[1]
cells = [l.split() for l in sys.stdin]
text = "".join(chr(int(c[2], 16)) for c in cells)
i = text.find(word)
print("yes" if i >= 0 and all("r" in c[5] for c in cells[i:i + len(word)])
      else "no")
EOF
reversed() { tm_cells "$1" | python3 "$T/rev.py" "$2"; }

# viewer NAME WHAT: the checks of one screen's viewer, `g` already shown.
viewer() {
	n=$1 w=$2
	ok_if "$w: g shows the guideline, header and first line" tm_until $n \
	    sh -c "tmux -u -S '$TM_SOCK' capture-pane -p -t $n | grep -qF 'guideline v2  (' &&
	    tmux -u -S '$TM_SOCK' capture-pane -p -t $n | grep -qF '# Surface defects'"
	ok_if "$w: the first page is lines 1-16" tm_wait $n "lines 1-16 of "
	# Wrapped, not cut: the long lines' last words are on screen, each on
	# a row below the one where its line starts.
	r0=$(row_of $n "General: one two") r1=$(row_of $n "ENDTHREE")
	check "$w: a 200-column line wraps: its last word is on a later row" yes \
	    "$([ -n "$r0" ] && [ -n "$r1" ] && [ "$r1" -gt "$r0" ] && echo yes || echo "no: rows '$r0' '$r1'")"
	r0=$(row_of $n "Accents: éclat") r1=$(row_of $n "FINÉ")
	check "$w: accented text wraps: its last word is on a later row" yes \
	    "$([ -n "$r0" ] && [ -n "$r1" ] && [ "$r1" -gt "$r0" ] && echo yes || echo "no: rows '$r0' '$r1'")"
	r0=$(row_of $n "宽宽宽") r1=$(row_of $n "尾")
	check "$w: 90 columns of wide characters wrap: the last is on a later row" yes \
	    "$([ -n "$r0" ] && [ -n "$r1" ] && [ "$r1" -gt "$r0" ] && echo yes || echo "no: rows '$r0' '$r1'")"
	check "$w: no row is wider than the terminal (80)" yes \
	    "$(tm_screen $n | /usr/bin/python3 -c '
import sys, unicodedata
w = max(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1
    for c in l.rstrip("\n")) for l in sys.stdin)
print("yes" if 40 < w <= 80 else "no: %d columns" % w)')"

	tm send-keys -t $n Down
	ok_if "$w: Down scrolls a line" tm_wait $n "lines 2-17 of "
	tm send-keys -t $n NPage
	ok_if "$w: PgDn scrolls a page" tm_wait $n "lines 17-32 of "
	tm send-keys -t $n End
	ok_if "$w: End shows the last page" tm_until $n shows_re $n \
	    'lines [0-9]+-([0-9]+) of \1( |$)'
	ok_if "$w: and the last line" tm_wait $n "LASTLINE: the end"
	tm send-keys -t $n PPage
	ok_if "$w: PgUp scrolls back" tm_gone $n "LASTLINE: the end"
	tm send-keys -t $n Home
	ok_if "$w: Home returns to the first line" tm_wait $n "lines 1-16 of "
	ok_if "$w: and shows it" tm_wait $n "# Surface defects"

	tm send-keys -t $n /
	tm_wait $n "/"
	tm send-keys -t $n -l haystack
	tm_wait $n "/haystack"
	tm send-keys -t $n Enter
	ok_if "$w: /haystack scrolls to its later page" tm_wait $n "Rule 40: a haystack"
	ok_if "$w: the first page is left" tm_gone $n "# Surface defects"
	check "$w: the match is highlighted" yes "$(reversed $n haystack)"
	tm send-keys -t $n Home
	ok_if "$w: Home again" tm_wait $n "lines 1-16 of "
	tm send-keys -t $n /
	tm send-keys -t $n -l needle
	tm_wait $n "/needle"
	tm send-keys -t $n Enter
	_rev_needle() { [ "$(reversed $n needle)" = yes ]; }
	ok_if "$w: /needle finds line 5 on the page shown, highlighted" \
	    tm_until $n _rev_needle
	check "$w: which does not scroll" yes \
	    "$(shows $n "lines 1-16 of " && echo yes || echo no)"
	tm send-keys -t $n n
	ok_if "$w: n goes on to the next needle, a page on" tm_wait $n "Rule 36: the second needle"
	check "$w: that one is highlighted" yes "$(reversed $n needle)"
	tm send-keys -t $n n
	ok_if "$w: n after the last starts from the top again" tm_wait $n "from the top again"
	ok_if "$w: at line 5" tm_wait $n "Rule 05: a needle"
}

# closes NAME WHAT KEY: KEY closes the viewer, the screen stays.
closes() {
	tm send-keys -t $1 $3
	ok_if "$2: $3 closes the viewer" tm_gone $1 "guideline v2  ("
	ok_if "$2: and the screen is still there" tm_wait $1 " accord | "
}

# --- the label screen --------------------------------------------------------
tm_start a $L1 -- label "$DB"
tm resize-window -t a -x 80 -y 24
has_item() { [ -n "$(tm_path "$1")" ]; }
if tm_wait a "classes (key: label)" && tm_until a has_item a; then
	pass "label: the screen shows an item at 80x24"
else
	fail "label: the screen shows an item at 80x24" "$(head -c 300 "$T/a.err")"
fi
p=$(tm_path a)
tm send-keys -t a g
viewer a label
closes a label q
check "label: the same item is on screen" "$p" "$(tm_path a)"
tm send-keys -t a g
tm_wait a "guideline v2  ("
tm send-keys -t a End
tm_wait a "LASTLINE: the end"
closes a label Escape
check "label: the same item is still on screen" "$p" "$(tm_path a)"
check "label: no key in the viewer labeled anything" 0 \
	"$(q1 "SELECT count(*) FROM labels WHERE labeler = '$L1'")"
tm send-keys -t a q
tm_exited a
check "label: q on the screen quits it (exit 0)" 0 "$TM_RC"

# --- the review screen -------------------------------------------------------
"$ACCORD" labels import "$DB" "$ROOT/assets/demo/labels-images.csv" \
    >/dev/null || fail "set-up: the demo's labels"
tm_start r $SME -- review "$DB"
tm resize-window -t r -x 80 -y 24
ok_if "review: the screen is up at 80x24" tm_wait r " accord | review | "
tm_gone r "loading..." >/dev/null
before=$(tm_line r 1)
tm send-keys -t r g
viewer r review
closes r review q
check "review: the same item is on screen" "$before" "$(tm_line r 1)"
tm send-keys -t r g
tm_wait r "guideline v2  ("
closes r review Escape
check "review: the same item is still on screen" "$before" "$(tm_line r 1)"
check "review: no key in the viewer decided, commented or made gold" 0/0/0 \
	"$(q1 "SELECT (SELECT count(*) FROM adjudications) || '/' ||
	    (SELECT count(*) FROM comments) || '/' || (SELECT count(*) FROM gold)")"
tm send-keys -t r q
tm_exited r
check "review: q on the screen quits it (exit 0)" 0 "$TM_RC"

reports=$(grep -l -E 'Sanitizer|runtime error' "$T"/*.err 2>/dev/null | tr '\n' ' ')
check "no sanitizer report" "" "$reports"
