# accord label end to end on a PostgreSQL store: the real (sanitized)
# binary in a private tmux server (tests/e2e/tmux.lib), two labelers as
# real OS users logged in by peer authentication (tests/pglib.sh), checked
# on the screen and, as the cluster's superuser, in the database.  The
# screen's queue is the server's (accord.take, accord.progress, the lease
# functions): items come, labels land under the labeler's role, progress
# counts down, a skipped item's lease goes, undo withdraws and the item
# comes back, two labelers at overlap 1 never see the same item, and
# quitting leaves no lease behind.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/e2e/tmux.lib"
. "$ROOT/tests/pglib.sh"

need_commands tmux psql runuser
pg_start
L1=$(test_user l1)
L2=$(test_user l2)
pg_login "$L1" "$L2" || skip_all "the screens run as real OS users: $WHY"
trap 'tm_stop; pg_stop; lib_cleanup' EXIT
export LC_ALL=C.UTF-8
chmod 777 "$T"

has_item() { [ -n "$(tm_path "$1")" ]; }
started() {
	if tm_wait "$1" "classes (key: label)" && tm_until "$1" has_item "$1"
	then
		pass "$2"
	else
		fail "$2" "screen: $(tm_screen "$1" | grep -v '^ *$' | head -n 3 |
		    tr '\n' '|') err: $(head -c 300 "$T/$1.err" | tr '\n' '|')"
	fi
}
path_is() { [ "$(tm_path "$1")" = "$2" ]; }
status_has() { tm_line "$1" 0 | grep -qF -- "$2"; }

psql_as "$PG_SUPER" postgres "CREATE DATABASE e2e"
DB="postgresql:///e2e?host=$PGHOST&port=$PGPORT"
q1() { psql_as "$PG_SUPER" e2e "SET search_path = accord; $1"; cat "$T/out"; }
item_of() { q1 "SELECT coalesce((SELECT id FROM items WHERE path = '$1'), 0)"; }
leases_of() { q1 "SELECT count(*) FROM leases WHERE \"user\" = '$1'"; }

mkdir -m 755 "$T_SHARED/img"
cp "$ROOT"/assets/demo/images/* "$T_SHARED/img/"
chmod -R a+r "$T_SHARED/img"
as "$PG_SUPER" "$ACCORD" init "$DB" --task "e2e pg" --media image \
	--classes ok,scratch,dent --overlap 1 >/dev/null &&
	as "$PG_SUPER" "$ACCORD" config "$DB" show-paths full >/dev/null &&
	as "$PG_SUPER" "$ACCORD" import "$DB" "$T_SHARED/img" >/dev/null &&
	as "$PG_SUPER" "$ACCORD" member "$DB" add "$L1" >/dev/null &&
	as "$PG_SUPER" "$ACCORD" member "$DB" add "$L2" >/dev/null
ok_if "set-up: a PostgreSQL project of 60 images, overlap 1" \
	eval '[ "$(q1 "SELECT count(*) FROM items")" = 60 ]'

tm_start a "$L1" -- label "$DB"
started a "label starts on PostgreSQL for a labeler and shows an item"
ok_if "the status bar names the role and counts 60 left" \
	tm_until a status_has a " $L1 | guideline v1 | 0 done, 60 left"

# Five labels by class keys, each under the labeler's role.
want="" moved=0
for k in 1 2 3 1 2; do
	case $k in 1) c=ok ;; 2) c=scratch ;; 3) c=dent ;; esac
	want="$want$(tm_path a)|$c "
	tm_next a "$k" && moved=$((moved + 1))
done
check "five class keys move through five items" 5 "$moved"
check "each item shown got the class of the key pressed, in the server" "$want" \
	"$(q1 "SELECT i.path || '|' || c.name FROM labels l
	    JOIN items i ON i.id = l.item JOIN classes c ON c.id = l.class
	    WHERE l.labeler = '$L1' ORDER BY l.id" | tr '\n' ' ')"
ok_if "progress counts them: 5 done, 55 left" \
	tm_until a status_has a "5 done, 55 left"
check "the loader holds leases on the item shown and those ahead, no more" \
	ok "$(n=$(leases_of "$L1"); [ "$n" -ge 1 ] && [ "$n" -le 64 ] && echo ok || echo "$n")"

# A second labeler at overlap 1 gets none of the first one's items, shown,
# loaded ahead or labeled.
tm_start b "$L2" -- label "$DB"
started b "a second labeler's screen starts beside the first"
seen_b=""
for k in 1 1 1; do
	seen_b="$seen_b$(tm_path b)
"
	tm_next b "$k"
done
q1 "SELECT i.path FROM items i WHERE i.id IN (SELECT item FROM labels WHERE labeler = '$L1') OR i.id IN (SELECT item FROM leases WHERE \"user\" = '$L1')" >"$T/mine_a"
check "the second labeler saw three items, none of them one of the first's ($(wc -l <"$T/mine_a"))" "3|" \
	"$(printf '%s' "$seen_b" | grep -c .)|$(printf '%s' "$seen_b" | grep -xF -f "$T/mine_a")"

# Skip: the item goes, and so does its lease.
skipped=$(tm_path a)
tm_next a s
check "s skips the item and releases its lease" "0|0" \
	"$(q1 "SELECT count(*) FROM leases WHERE \"user\" = '$L1' AND item = $(item_of "$skipped")")|$(q1 "SELECT count(*) FROM labels WHERE item = $(item_of "$skipped")")"

# Undo: a withdrawing row superseding the label, the item back; labeling
# it again adds a row, then the screen returns to the item it was on.
p=$(tm_path a)
tm_next a 3
r=$(tm_path a)
tm send-keys -t a u
tm_until a path_is a "$p"
check "u shows the item labeled last again" "$p" "$(tm_path a)"
check "undo adds a row with class NULL superseding the label" \
	"dent/new NULL/prev" "$(rows_of "$p" "$L1")"
tm_next a 2
check "labeling the undone item again adds a row" \
	"dent/new NULL/prev scratch/prev" "$(rows_of "$p" "$L1")"
check "then the screen returns to the item it was on" "$r" "$(tm_path a)"

# Quit: every lease goes.
for n in a b; do
	tm send-keys -t "$n" q
	tm_exited "$n"
	check "q quits the screen ($n) with status 0" 0 "${TM_RC:-still running}"
done
check "quitting leaves no lease behind" "0" "$(q1 "SELECT count(*) FROM leases")"
check "no item has two labelers in force (overlap 1)" "0" \
	"$(q1 "SELECT count(*) FROM (SELECT item FROM current_labels GROUP BY item HAVING count(*) > 1) x")"
