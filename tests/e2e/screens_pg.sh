# The SME's screens on a PostgreSQL store, end to end in a real terminal
# (a private tmux server, tests/e2e/tmux.lib), as real OS users connecting
# with peer authentication to a throwaway cluster (tests/pglib.sh):
#
# - review and stats draw the same first screen on a PostgreSQL store as
#   on a SQLite file holding the same labels (the store's name and the
#   computing time aside);
# - review's keys write to the server: a class, ambiguous, a comment,
#   gold, each audited under the SME's role;
# - a labeler is refused both screens in one line, before any drawing,
#   and the refusal is audited.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/pglib.sh"
. "$ROOT/tests/e2e/tmux.lib"

need_commands tmux psql runuser
pg_start
SME=$(test_user sme)
LAB=$(test_user lab)
pg_login "$SME" "$LAB" || skip_all "the screens run as real OS users: $WHY"
trap 'tm_stop; pg_stop; lib_cleanup' EXIT
export LC_ALL=C.UTF-8
chmod 777 "$T"

acc() { as "$PG_SUPER" "$ACCORD" "$@"; }
pq() { psql_as "$PG_SUPER" scr "$1"; cat "$T/out"; }

# --- set-up: the demo images and their labels in both stores ---------------
S=$ROOT/assets/demo
psql_as "$PG_SUPER" postgres "CREATE DATABASE scr"
U="postgresql:///scr?host=$PGHOST&port=$PGPORT"
DB=$T/scr.accord
for d in "$DB" "$U"; do
	acc init "$d" --task "e2e screens" --media image \
	    --classes ok,scratch,dent --borderline unsure >/dev/null &&
	    { [ "$d" = "$U" ] || chmod 666 "$DB"; } &&
	    acc member "$d" add "$SME" --role sme >/dev/null &&
	    acc member "$d" add "$LAB" >/dev/null &&
	    acc import "$d" "$S/images" --meta "$S/images.csv" >/dev/null &&
	    acc labels import "$d" "$S/labels-images.csv" >/dev/null ||
	    { fail "set-up of $d"; exit 1; }
done
check "set-up: 60 items and 180 labels in force on the server" "60|180" \
	"$(pq "SELECT (SELECT count(*) FROM accord.items) || '|' ||
	    (SELECT count(*) FROM accord.current_labels)")"

# The screen without its first line's store name and times.
plain() {
	tm_screen "$1" | sed "s|$U|STORE|g; s|$DB|STORE|g;
	    s/computed in [0-9.]* s/computed in T/; s/[0-9.]* ms/T ms/g;
	    s/computed [0-9][0-9]:[0-9][0-9]:[0-9][0-9]/computed HH:MM:SS/g;
	    s/import-20[0-9T:-]*/import-TIME/g"
}

# --- a labeler is refused --------------------------------------------------
for c in review stats; do
	tm_start "l$c" "$LAB" -- $c "$U"
	tm_exited "l$c"
	check "a labeler's $c on PostgreSQL exits 1 with one line" "1|1" \
	    "$TM_RC|$(wc -l <"$T/l$c.err")"
	check "... and draws nothing" 0 \
	    "$(sed 's/\[exit [0-9]*\]//' "$T/l$c.raw" | tr -d '\r\n' | wc -c)"
done
check "both refusals are audited under the labeler's role" 2 \
	"$(pq "SELECT count(*) FROM accord.audit WHERE \"user\" = '$LAB' AND action = 'refused'")"

# --- review: the same first screen on both, then keys write to the server --
tm_start ra "$SME" -- review "$DB"
tm_start rb "$SME" -- review "$U"
if tm_wait ra " accord | review | " && tm_wait rb " accord | review | " &&
    tm_until ra eval 'tm_screen ra | grep -q "labels in force"' &&
    tm_until rb eval 'tm_screen rb | grep -q "labels in force"'; then
	pass "review starts on both stores"
else
	fail "review starts on both stores" "$(tm_screen rb | head -3 | tr '\n' '|') err: $(head -c 300 "$T/rb.err")"
fi
# screens_same A B: sessions A and B show the same (names and times
# aside); read again until they do (a capture can catch a screen mid-draw:
# the picture is drawn after the text) or the wait ends.
_screens_same() {
	plain "$1" >"$T/$1.txt"
	plain "$2" >"$T/$2.txt"
	cmp -s "$T/$1.txt" "$T/$2.txt"
}
screens_same() { tm_until "$2" _screens_same "$1" "$2"; }
ok_if "review's first screen is the same on both stores" \
	eval 'screens_same ra rb && [ -n "$(tm_path rb)" ]'
[ -n "${KEEP:-}" ] && diff "$T/ra.txt" "$T/rb.txt" >&2
tm send-keys -t ra q

item_of() {
	pq "SELECT id FROM accord.items WHERE path = '$(printf %s "$1" | sed "s/'/''/g")'"
}
p1=$(tm_path rb)
tm_next rb 2
check "2 decides scratch on the server, by the SME" "class|scratch|$SME" \
	"$(pq "SELECT a.status || '|' || c.name || '|' || a.\"user\" FROM
	    accord.adjudications a JOIN accord.classes c ON c.id = a.class
	    WHERE a.item = $(item_of "$p1")")"
p2=$(tm_path rb)
tm_next rb a
check "a marks the next one ambiguous" "ambiguous|$SME" \
	"$(pq "SELECT status || '|' || \"user\" FROM accord.adjudications
	    WHERE item = $(item_of "$p2")")"
p3=$(tm_path rb)
NOTE='ça ressemble à une rayure'
tm send-keys -t rb c
tm send-keys -t rb -l "$NOTE"
tm_wait rb "comment: $NOTE"
tm send-keys -t rb Enter
ok_if "c adds a comment the thread shows" tm_until rb eval \
	'tm_screen rb | grep -qF "$SME: ça ressemble"'
check "... stored byte for byte on the server" "$NOTE|$SME" \
	"$(pq "SELECT text || '|' || \"user\" FROM accord.comments WHERE
	    item = $(item_of "$p3")")"
tm send-keys -t rb G
tm_wait rb "gold: press the item's class key"
tm send-keys -t rb 3
ok_if "G 3 makes the item gold" tm_until rb eval \
	'tm_screen rb | grep -qF "gold: dent"'
check "... a gold row by the SME" "dent|$SME" \
	"$(pq "SELECT c.name || '|' || g.\"user\" FROM accord.gold g JOIN
	    accord.classes c ON c.id = g.class WHERE g.item = $(item_of "$p3")")"
check "every action audited under the SME's role" 4 \
	"$(pq "SELECT count(*) FROM accord.audit WHERE \"user\" = '$SME' AND
	    action IN ('adjudicate', 'comment', 'gold add')")"
tm send-keys -t rb q
tm_exited rb
check "review quits with status 0" 0 "$TM_RC"

# --- stats: the same dashboard on both stores -------------------------------
# The SQLite store gets the same decisions first, so both hold the same.
acc adjudicate "$DB" "$p1" --class scratch >/dev/null &&
	acc adjudicate "$DB" "$p2" --ambiguous >/dev/null ||
	fail "the same decisions in the SQLite store"
tm_start sa "$SME" -- stats "$DB" --seed 1
tm_start sb "$SME" -- stats "$U" --seed 1
if tm_wait sa "computed in" 60 && tm_wait sb "computed in" 60; then
	pass "stats computes on both stores"
else
	fail "stats computes on both stores" "$(tm_screen sb | grep -v '^ *$' | head -3 | tr '\n' '|') err: $(head -c 300 "$T/sb.err")"
fi
# The trend panel comes after the first screen, on each store in its own
# time: up to 30 s for both to have drawn it under a sanitized build.
_w=$TM_WAIT
TM_WAIT=30
if screens_same sa sb && grep -q "kappa\|alpha" "$T/sb.txt"; then
	pass "the dashboard's first screen is the same on both stores"
else
	fail "the dashboard's first screen is the same on both stores" \
	    "$(diff "$T/sa.txt" "$T/sb.txt" | head -n 8 | tr '\n' '|')"
fi
TM_WAIT=$_w
[ -n "${KEEP:-}" ] && diff "$T/sa.txt" "$T/sb.txt" >&2
tm send-keys -t sa q
tm send-keys -t sb q
tm_exited sb
check "stats quits with status 0" 0 "$TM_RC"
