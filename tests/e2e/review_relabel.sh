# review's r (send back for relabeling) says, in the screen, when nobody
# will be offered the item: its labels in force under the guideline in
# force already number the overlap, so it waits for the next version
# (docs/guide.md, "Relabeling"; issue 17).  An sme as a real OS user in a
# private tmux server, checked on the screen and in the store.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/e2e/tmux.lib"

need_commands tmux runuser sqlite3
SME=$(test_user rsme)
ensure_user $SME || skip_all "the screen runs as a real OS user: $WHY"
trap 'tm_stop; lib_cleanup' EXIT
export LC_ALL=C.UTF-8
chmod 777 "$T"

DB=$T/rel.accord
q1() { sqlite3 -batch -noheader "$DB" "$1"; }
# Overlap 3.  Items 1-3: three labelers who disagree (full under v1);
# items 4-6: two who disagree (room for a third).
"$ACCORD" init "$DB" --task "e2e relabel" --media image --classes ok,bad \
    --overlap 3 >/dev/null &&
    chmod 666 "$DB" &&
    "$ACCORD" member "$DB" add $SME --role sme >/dev/null &&
    "$ACCORD" import "$DB" "$ROOT"/assets/demo/images/img_00[1-6].* \
    >/dev/null 2>&1 ||
    fail "set-up: the project"
{
	echo file,labeler,class
	q1 "SELECT path FROM items WHERE id <= 3" | sed 's/$/,a,ok/'
	q1 "SELECT path FROM items WHERE id <= 3" | sed 's/$/,b,bad/'
	q1 "SELECT path FROM items WHERE id <= 3" | sed 's/$/,c,ok/'
	q1 "SELECT path FROM items WHERE id > 3" | sed 's/$/,a,ok/'
	q1 "SELECT path FROM items WHERE id > 3" | sed 's/$/,b,bad/'
} >"$T/labels.csv"
"$ACCORD" labels import "$DB" "$T/labels.csv" >/dev/null ||
	fail "set-up: the labels"
ok_if "set-up: 6 items, 15 labels in force under v1" sql_is \
	"SELECT count(*) || '/' || sum(guideline = 1) FROM current_labels" "15/15"

tm_start s $SME -- review "$DB"
if tm_wait s " accord | review | "; then
	pass "review starts"
else
	fail "review starts" "$(head -c 300 "$T/s.err")"
fi
# The queue puts the three-label items first (more labels at equal entropy
# breaks no tie here: items 1-3 have 3 labels, 4-6 have 2).
cur() { q1 "SELECT coalesce((SELECT id FROM items WHERE path = '$(tm_path s)'), 0)"; }
sent() {
	_it=$(cur)
	tm send-keys -t s r
	tm_wait s "item $_it: $1" && [ "$(q1 "SELECT status FROM adjudications WHERE item = $_it ORDER BY id DESC LIMIT 1")" = relabel ]
}
seen=""
for n in 1 2 3 4 5 6; do
	it=$(cur)
	labels=$(q1 "SELECT count(*) FROM current_labels WHERE item = $it")
	if [ "$labels" = 3 ]; then
		ok_if "r on an item with 3 labels under v1 (overlap 3): the screen says it waits for v2" \
			sent "sent back; waits for guideline v2 (3 labels under v1; e edits)"
	else
		ok_if "r on an item with 2 labels under v1: sent back for relabeling" \
			sent "sent back for relabeling"
	fi
	seen="$seen $labels"
	[ "$n" -lt 6 ] && tm_until s eval '[ "$(cur)" != "$it" ]'
done
check "every item was reviewed, three of each kind" "2 2 2 3 3 3" \
	"$(echo $seen | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"
tm send-keys -t s q
tm_exited s
reports=$(grep -l -E 'Sanitizer|runtime error' "$T"/*.err 2>/dev/null | tr '\n' ' ')
check "no sanitizer report" "" "$reports"
