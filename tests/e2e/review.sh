# accord review end to end: the SME review screen driven by keys in a real
# terminal (a private tmux server, tests/e2e/tmux.lib) as real OS users,
# checked on the screen and in the store.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/e2e/tmux.lib"

need_commands tmux python3 runuser sqlite3
SME=$(test_user sme)
L1=$(test_user l1)
ensure_user $SME $L1 || skip_all "the screens run as real OS users: $WHY"
trap 'tm_stop; lib_cleanup' EXIT
export LC_ALL=C.UTF-8
chmod 777 "$T"

q1() { sqlite3 -batch -noheader "$DB" "$1"; }
item_of() {
	q1 "SELECT coalesce((SELECT id FROM items WHERE path =
	    '$(printf %s "$1" | sed "s/'/''/g")'), 0)"
}
status_has() { tm_line "$1" 0 | grep -qF -- "$2"; }
# At 120 columns the panel starts at column 73 (two fifths of the width).
panel() { tm_cols "$1" 73 120; }
panel_has() { panel "$1" | grep -qF -- "$2"; }
screen_err() {
	echo "screen: $(tm_screen "$1" | grep -v '^ *$' | sed -n '1p;$p' |
	    tr '\n' '|') err: $(head -c 300 "$T/$1.err" | tr '\n' '|')"
}

# The disagreement queue computed here, independently of core/review.c:
# items with two or more distinct classes among the labels in force,
# by vote entropy (bits) descending, then more labels, then id; one path
# per line.  $1: "A/B" to keep items labeled both A and B, or "".
expected_queue() {
	q1 "SELECT l.item, i.path, c.name FROM current_labels l
	    JOIN items i ON i.id = l.item JOIN classes c ON c.id = l.class" |
	    /usr/bin/python3 -c '
import sys, math, collections
pair = sys.argv[1].split("/") if sys.argv[1] else None
votes, paths = collections.defaultdict(list), {}
for line in sys.stdin:
    item, path, cls = line.rstrip("\n").split("|")
    votes[int(item)].append(cls)
    paths[int(item)] = path
rows = []
for item, v in votes.items():
    cnt = collections.Counter(v)
    if len(cnt) < 2 or (pair and not all(p in cnt for p in pair)):
        continue
    h = -sum(n / len(v) * math.log2(n / len(v)) for n in cnt.values())
    rows.append((-round(h, 9), -len(v), item))
for r in sorted(rows):
    print(paths[r[2]])
' "$1"
}

# --- set-up: the demo images and their three labelers' labels ---------------
DB=$T/rev.accord
"$ACCORD" init "$DB" --task "e2e review" --media image \
    --classes ok,scratch,dent --borderline unsure >/dev/null &&
    chmod 666 "$DB" &&
    "$ACCORD" member "$DB" add $SME --role sme >/dev/null &&
    "$ACCORD" member "$DB" add $L1 >/dev/null &&
    "$ACCORD" import "$DB" "$ROOT/assets/demo/images" \
    --meta "$ROOT/assets/demo/images.csv" >/dev/null &&
    "$ACCORD" labels import "$DB" "$ROOT/assets/demo/labels-images.csv" \
    >/dev/null
ok_if "set-up: 60 demo images with 180 imported labels" sql_is \
	"SELECT count(*) || '/' || (SELECT count(*) FROM current_labels)
	FROM items" "60/180"
expected_queue "" >"$T/queue"
NQ=$(wc -l <"$T/queue")

# --- a labeler is refused, before any screen, and it is audited -------------
run as $L1 "$ACCORD" review "$DB"
ok_if "a labeler is refused review: exit 1, one line naming the store" \
	eval 'rc_is 1 && err_lines 1 && err_has "^accord: $DB: reviewing labels needs the sme role ($L1 is labeler)"'
ok_if "the refusal is audited" sql_is "SELECT count(*) FROM audit WHERE
	user = '$L1' AND action = 'refused' AND detail LIKE 'reviewing labels%'" 1

# --- the SME's session --------------------------------------------------------
tm_start s $SME -- review "$DB"
if tm_wait s " accord | review | " && tm_until s status_has s "1/$NQ |"; then
	pass "review starts for an sme with the queue of $NQ disagreed items"
else
	fail "review starts for an sme" "$(screen_err s)"
fi
check "the first item is the most disagreed (vote entropy, then labels)" \
	"$(sed -n 1p "$T/queue")" "$(tm_path s)"
p1=$(tm_path s)
ok_if "the panel lists every label in force with labeler, class, version" \
	tm_until s eval "panel s | grep -Eq '^ (alice|bob|carol) +[a-z]+ +v1 +[0-9.]+s'"
ok_if "the status bar shows the entropy in bits" tm_until s status_has s \
	"| H 1.58 bits |"
ok_if "the panel counts the labels in force" tm_until s panel_has s \
	"labels in force (3)"

# 1. A class key decides that class and moves on.
tm_next s 2
check "2 writes an adjudication: class scratch, by the SME, under v1" \
	"class|scratch|$SME|1" "$(q1 "SELECT a.status || '|' || c.name || '|' ||
	    a.user || '|' || a.guideline FROM adjudications a JOIN classes c ON
	    c.id = a.class WHERE a.item = $(item_of "$p1")")"
ok_if "and shows the next item of the queue" tm_until s status_has s "2/$NQ |"
check "the second item is the queue's second" "$(sed -n 2p "$T/queue")" \
	"$(tm_path s)"

# 2. a: ambiguous.
p2=$(tm_path s)
tm_next s a
check "a marks the item ambiguous (a row, no class)" "ambiguous|NULL|$SME" \
	"$(q1 "SELECT status || '|' || coalesce(class, 'NULL') || '|' || user
	    FROM adjudications WHERE item = $(item_of "$p2")")"

# 3. c: a comment in UTF-8, byte for byte, shown in the thread.
p3=$(tm_path s)
NOTE='ça ressemble à une rayure — voir le bord'
tm send-keys -t s c
tm send-keys -t s -l "$NOTE"
tm_wait s "comment: $NOTE"
tm send-keys -t s Enter
ok_if "c adds a comment; the thread shows it" tm_until s panel_has s \
	"$SME: ça ressemble"
check "the comment is stored byte-exact with its author" \
	"$(printf %s "$NOTE" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)|$SME" \
	"$(q1 "SELECT hex(text) || '|' || user FROM comments WHERE
	    item = $(item_of "$p3")")"
check "a comment does not move on" "$p3" "$(tm_path s)"

# 4. r: send back for relabeling.
tm_next s r
check "r sends the item back (status relabel, guideline v1)" "relabel|1" \
	"$(q1 "SELECT status || '|' || guideline FROM adjudications WHERE
	    item = $(item_of "$p3")")"

# 5. G then a class key: gold.
p4=$(tm_path s)
tm send-keys -t s G
tm_wait s "gold: press the item's class key"
tm send-keys -t s 3
ok_if "G 3 makes the item gold; the panel says so" tm_until s panel_has s \
	"gold: dent"
check "a gold row with class dent by the SME" "dent|$SME" \
	"$(q1 "SELECT c.name || '|' || g.user FROM gold g JOIN classes c ON
	    c.id = g.class WHERE g.item = $(item_of "$p4")")"
check "every action was audited" 5 "$(q1 "SELECT count(*) FROM audit WHERE
	user = '$SME' AND action IN ('adjudicate', 'comment', 'gold add')")"

# 6. p goes back: the first item shows its decision.
tm send-keys -t s p p p p
ok_if "p walks back to the first item" tm_until s status_has s "1/$NQ |"
ok_if "its decision is in the status bar and the panel" tm_until s eval \
	'status_has s "decided scratch" && panel_has s "$SME: scratch v1"'

# 7. /: a class-pair filter.
tm send-keys -t s /
tm_wait s "filter: "
tm send-keys -t s -l "ok/dent"
tm send-keys -t s Enter
expected_queue ok/dent >"$T/pair"
NP=$(wc -l <"$T/pair")
ok_if "/ ok/dent filters the queue to the $NP items labeled ok and dent" \
	tm_until s status_has s "/$NP | "
ok_if "the status bar shows the filter in force" tm_until s status_has s \
	"filter: ok/dent"
i=0 both=0
while [ $i -lt "$NP" ]; do
	p=$(tm_path s)
	both=$((both + $(q1 "SELECT count(DISTINCT c.name) = 2 FROM
	    current_labels l JOIN classes c ON c.id = l.class WHERE
	    l.item = $(item_of "$p") AND c.name IN ('ok', 'dent')")))
	i=$((i + 1))
	[ $i -lt "$NP" ] && tm_next s n
done
check "n walks the filtered queue; each item has ok and dent labels" \
	"$NP" "$both"
tm send-keys -t s n
ok_if "n past the end says so" tm_wait s "end of the queue"

# 8. ? lists every key.
tm send-keys -t s '?'
ok_if "? shows the help overlay with every action" tm_until s eval \
	'tm_screen s | grep -q "mark ambiguous" && tm_screen s | grep -q "send back" && tm_screen s | grep -q "edit the guideline"'
tm send-keys -t s x
tm_gone s "review keys (any key closes)"

# 9. Resize: too small asks for more; back to size redraws.
tm resize-window -t s -x 70 -y 20
ok_if "below 80x24 the screen asks for a larger terminal" tm_wait s \
	"at least 80x24"
tm resize-window -t s -x 120 -y 40
ok_if "back at 120x40 the review is redrawn" tm_until s status_has s \
	" accord | review | "

# 10. q quits with status 0 and a count of the rows written: 3
# adjudications, a comment and a gold row.
tm send-keys -t s q
if tm_exited s && [ "$TM_RC" = 0 ]; then
	pass "q quits with status 0"
else
	fail "q quits with status 0" "rc=${TM_RC:-running} $(screen_err s)"
fi
if tm_wait s "5 review rows saved" 2; then
	pass "on quitting it says how many rows were saved"
else
	fail "on quitting it says how many rows were saved" "$(screen_err s)"
fi

# 11. e: accord guideline DB edit as a child with the terminal handed over.
cat >"$T/editor.sh" <<'EOF'
#!/bin/sh
# One more sentence for the last class's description.
printf 'A mark under 2 mm that catches no fingernail is unsure.\n' >>"$1"
EOF
chmod 755 "$T/editor.sh"
tm_start e $SME EDITOR="$T/editor.sh" VISUAL="$T/editor.sh" -- review "$DB"
tm_wait e " accord | review | "
tm send-keys -t e e
# The reason prompt of accord guideline edit, if it asks on the terminal.
sleep 1
tm send-keys -t e -l "define unsure by size"
tm send-keys -t e Enter
ok_if "e runs accord guideline edit: a new guideline version" \
	tm_until e eval '[ "$(q1 "SELECT max(version) FROM guidelines")" = 2 ]'
ok_if "after the editor the screen is back, at guideline v2" \
	tm_until e status_has e "guideline v2"
tm send-keys -t e q
if tm_exited e && [ "$TM_RC" = 0 ]; then
	pass "q quits with status 0 after the editor"
else
	fail "q quits with status 0 after the editor" \
	    "rc=${TM_RC:-running} $(screen_err e)"
fi

# 12. --item opens at an item, even one the queue leaves out (agreed).
agreed=$(q1 "SELECT item FROM current_labels GROUP BY item HAVING
	count(DISTINCT class) = 1 ORDER BY item LIMIT 1")
tm_start i $SME -- review "$DB" --item "$agreed"
ok_if "--item ID opens at that item, marked as outside the queue" \
	tm_until i status_has i "item $agreed (not in the queue)"
check "--item shows that item's file" "$(q1 "SELECT path FROM items WHERE
	id = $agreed")" "$(tm_path i)"
tm send-keys -t i n
ok_if "n from there goes into the queue" tm_until i status_has i "2/$((NQ + 1)) |"
tm send-keys -t i q
tm_exited i

# 13. --pair on the command line; a bad class is one line, exit 1.
run as $SME "$ACCORD" review "$DB" --pair ok/nosuch
ok_if "--pair with an unknown class fails with one line" eval \
	'rc_is 1 && err_lines 1 && err_has "no class named .nosuch."'
run as $SME "$ACCORD" review "$DB" --pair okdent
ok_if "--pair without a slash is a usage error (exit 2)" rc_is 2
tm_start f $SME -- review "$DB" --pair ok/dent --hide-decided
ok_if "--pair and --hide-decided set the filter" tm_until f status_has f \
	"filter: ok/dent decided=hide"
tm send-keys -t f q
tm_exited f

# 14. w: a note ("why") the next decision carries; PgDn/PgUp scroll the
# panel when an item's thread is longer than the terminal.
tm_start w $SME -- review "$DB"
tm_wait w " accord | review | "
pw=$(tm_path w)
WHY='rayure < 2 mm, donc "unsure" — voir v2'
tm send-keys -t w w
tm_wait w "why (the next decision carries it):"
tm send-keys -t w -l "$WHY"
tm send-keys -t w Enter
ok_if "w keeps the note and the panel shows it" tm_until w panel_has w \
	"why (next decision): rayure"
tm_next w b
check "the decision carries the note byte for byte (class unsure)" \
	"unsure|$(printf %s "$WHY" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" \
	"$(q1 "SELECT c.name || '|' || hex(a.note) FROM adjudications a JOIN
	    classes c ON c.id = a.class WHERE a.item = $(item_of "$pw") ORDER BY
	    a.id DESC LIMIT 1")"
ok_if "the message says the note went with it" tm_wait w "(with its note)"
ok_if "the next item has no note pending" eval '! panel_has w "why (next decision)"'
pn=$(tm_path w)
tm_next w a
check "a decision without w has an empty note" "ambiguous|" \
	"$(q1 "SELECT status || '|' || note FROM adjudications WHERE
	    item = $(item_of "$pn") ORDER BY id DESC LIMIT 1")"
# 40 comments on the item on screen: more lines than the panel has.
pl=$(tm_path w)
q1 "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE
	x < 40) INSERT INTO comments (item, user, text, created_at) SELECT
	$(item_of "$pl"), '$SME', 'comment number ' || x, '2026-11-30T06:00:00Z'
	FROM n"
tm_next w p
tm_next w n
ok_if "a thread longer than the panel ends in '... more: PgDn'" \
	tm_until w panel_has w "... more: PgDn"
ok_if "the first comments show, the last does not" eval \
	'panel_has w "comment number 1" && ! panel_has w "comment number 40"'
tm send-keys -t w NPage NPage NPage
ok_if "PgDn scrolls the panel to the last comment" tm_until w panel_has w \
	"comment number 40"
ok_if "the decide line stays at the top" panel_has w "decide:"
tm send-keys -t w NPage
ok_if "PgDn at the end says so" tm_wait w "the panel shows its last line"
tm send-keys -t w PPage PPage PPage PPage PPage
ok_if "PgUp scrolls back to the labels" tm_until w panel_has w \
	"labels in force"
tm send-keys -t w q
tm_exited w
