# The labeling queue on PostgreSQL (core/queue_pg.c): labelers, real OS
# users connected by peer authentication, label through `accord label
# --script`, which takes items through the server's accord.take.
#
# - The same labels in the same turns give the same items, in the same
#   order, on a SQLite store and on a PostgreSQL one: the rules (overlap,
#   levels, leases, gold at its seeded rate, items sent back for
#   relabeling first) are the same on both.
# - Overlap k is never exceeded, and the derived counts match the labels.
# - A lease holds a slot until it expires, then the item is given again;
#   exclusions are never given; another batch is given only when asked.
# - Blind, against psql: a labeler calls take() and progress() and learns
#   an item id and its own counts, nothing else; the queue's helpers and
#   tables are refused; a lease longer than an hour is refused.
# - status works for a labeler and shows only what a labeler may see.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/pglib.sh"

need_commands psql sqlite3 cmp
pg_start
L1=$(test_user lab1)
L2=$(test_user lab2)
L3=$(test_user lab3)
SME=$(test_user sme)
pg_login "$L1" "$L2" "$L3" "$SME" || skip_all "labelers are real OS users: $WHY"
chmod 777 "$T"
S=$ROOT/assets/demo
uri() { echo "postgresql:///$1?host=$PGHOST&port=$PGPORT"; }
U=$(uri q)
DB=$T/q.accord
acc() { as "$PG_SUPER" "$ACCORD" "$@"; }
q() { psql_as "$PG_SUPER" q "$1"; cat "$T/out"; }
psql_as "$PG_SUPER" postgres "CREATE DATABASE q"

# The same project on both stores: 60 images in two batches (the first
# 40 and the last 20), overlap 2, gold items at a high rate, one item
# sent back for relabeling once the first labels are in.
mkdir -m 755 "$T_SHARED/b1" "$T_SHARED/b2"
i=0
for f in "$S"/images/*; do
	i=$((i + 1))
	if [ $i -le 40 ]; then cp "$f" "$T_SHARED/b1/"; else cp "$f" "$T_SHARED/b2/"; fi
done
chmod -R a+r "$T_SHARED/b1" "$T_SHARED/b2"
printf '# Again\n\n## ok\nNo mark.\n\n## scratch\nA line.\n\n## dent\nA dent.\n' \
	>"$T_SHARED/guideline.md"
chmod 644 "$T_SHARED/guideline.md"
# The SQLite store is the superuser's OS user's too, and every member's
# to write.
for d in "$DB" "$U"; do
	acc init "$d" --task q --media image --classes ok,scratch,dent \
		--overlap 2 >/dev/null &&
		acc import "$d" "$T_SHARED/b1" --batch one >/dev/null &&
		acc import "$d" "$T_SHARED/b2" --batch two >/dev/null &&
		for u in "$L1" "$L2" "$L3"; do acc member "$d" add "$u" >/dev/null || exit 1; done &&
		acc member "$d" add "$SME" --role sme >/dev/null &&
		acc config "$d" gold-rate 0.25 >/dev/null &&
		acc config "$d" gold-seed 7 >/dev/null &&
		{ [ "$d" = "$U" ] || chmod 666 "$DB"*; } &&
		as "$SME" "$ACCORD" gold "$d" add 5 scratch >/dev/null &&
		as "$SME" "$ACCORD" gold "$d" add 9 dent >/dev/null &&
		as "$SME" "$ACCORD" gold "$d" add 33 ok >/dev/null ||
		fail "building the project on $d"
done

# turn STORE USER N [BATCH]: USER labels N items of STORE (classes in a
# pattern of the user's own), the lines appended to $T/turns.STORE.
turn() {
	_d=$1 _u=$2 _n=$3
	shift 3
	awk -v n="$_n" -v u="$_u" 'BEGIN { c[0] = "ok"; c[1] = "scratch"; c[2] = "dent"
	    for (j = 0; j < n; j++) print c[(j + length(u)) % 3] }' >"$T_SHARED/script"
	chmod 644 "$T_SHARED/script"
	as "$_u" "$ACCORD" label "$_d" --script "$T_SHARED/script" "$@" \
	    >"$T/turn.out" 2>"$T/turn.err" || echo "turn failed: $(cat "$T/turn.err")"
	sed "s|^|$_u |" "$T/turn.out"
}
# Turns: three labelers, some in batch two only, one item sent back for
# relabeling half way, until the project is done.
play() {
	_d=$1
	turn "$_d" "$L1" 7
	turn "$_d" "$L2" 5
	turn "$_d" "$L3" 6 --batch two
	as "$SME" "$ACCORD" guideline "$_d" edit --file "$T_SHARED/guideline.md" --reason again >/dev/null
	as "$SME" "$ACCORD" adjudicate "$_d" 2 --relabel >/dev/null
	turn "$_d" "$L1" 9
	turn "$_d" "$L2" 11 --batch two
	turn "$_d" "$L3" 30
	turn "$_d" "$L1" 60
	turn "$_d" "$L2" 60
	turn "$_d" "$L3" 60
}
play "$DB" | sed "s|$T_SHARED/||" >"$T/seq.lite"
play "$U" | sed "s|$T_SHARED/||" >"$T/seq.pg"
ok_if "labelers label on PostgreSQL through accord label --script ($(grep -c '	' "$T/seq.pg") labels)" \
	eval '! grep -q "turn failed" "$T/seq.pg" && [ "$(grep -c "	" "$T/seq.pg")" -gt 100 ]'
ok_if "the same turns give the same items in the same order on both stores" \
	cmp -s "$T/seq.lite" "$T/seq.pg"
cmp -s "$T/seq.lite" "$T/seq.pg" || diff "$T/seq.lite" "$T/seq.pg" | head -n 6 | sed 's/^/# /'
gold_pg=$(q "SELECT count(*) FROM accord.labels WHERE item IN (5, 9, 33) AND labeler <> '$SME'")
ok_if "gold items reached the labelers ($gold_pg labels on them)" [ "$gold_pg" -gt 0 ]
ok_if "the item sent back was labeled again under the new guideline" \
	eval '[ "$(q "SELECT count(DISTINCT labeler) FROM accord.current_labels WHERE item = 2 AND guideline = 2")" -ge 1 ]'
ok_if "no item but gold and the one sent back has more than 2 labelers in force" \
	eval '[ "$(q "SELECT count(*) FROM (SELECT item FROM accord.current_labels WHERE item NOT IN (2, 5, 9, 33) GROUP BY item HAVING count(*) > 2) x")" -eq 0 ]'
ok_if "every other item has 2 labelers in force at the end" \
	eval '[ "$(q "SELECT count(*) FROM accord.items i WHERE i.id NOT IN (2, 5, 9, 33) AND (SELECT count(*) FROM accord.current_labels c WHERE c.item = i.id) <> 2")" -eq 0 ]'
ok_if "item_labelers matches the labels in force" \
	eval '[ "$(q "SELECT count(*) FROM accord.items i JOIN accord.item_labelers t ON t.item = i.id WHERE t.n <> (SELECT count(*) FROM accord.current_labels c WHERE c.item = i.id)")" -eq 0 ]'
ok_if "every label released its lease" eval '[ "$(q "SELECT count(*) FROM accord.leases")" -eq 0 ]'
run acc check "$U"
ok_if "check passes" rc_is 0

# -- Leases, exclusions and batches, with psql as the labeler. -------------
psql_as "$PG_SUPER" postgres "CREATE DATABASE lx"
X=$(uri lx)
acc init "$X" --task lx --media image --classes ok,bad --overlap 1 >/dev/null &&
	acc import "$X" "$T_SHARED/b1" --batch one >/dev/null &&
	acc import "$X" "$T_SHARED/b2" --batch two >/dev/null &&
	for u in "$L1" "$L2" "$L3"; do acc member "$X" add "$u" >/dev/null || exit 1; done ||
	fail "building the lease project"
lq() { psql_as "$1" lx "SET search_path = accord; $2"; }
lq "$L1" "SELECT accord.take(0, '{}', 2)"
first=$(cat "$T/out")
ok_if "a labeler takes an item with psql: only its id ($first)" \
	eval 'rc_is 0 && [ "$first" = 1 ]'
lq "$L1" "SELECT item, \"user\" FROM accord.leases"
ok_if "... and reads its own lease" out_has "^1|$L1\$"
lq "$L2" "SELECT count(*) FROM accord.leases"
ok_if "another labeler does not see it" out_has '^0$'
printf 'ok\n' >"$T_SHARED/one"
chmod 644 "$T_SHARED/one"
run as "$L2" "$ACCORD" label "$X" --script "$T_SHARED/one"
ok_if "the leased item is not given to another labeler (overlap 1)" \
	eval 'rc_is 0 && out_has "^2	"'
sleep 2.5
run as "$L2" "$ACCORD" label "$X" --script "$T_SHARED/one"
ok_if "once the lease expired the item is given again" \
	eval 'rc_is 0 && out_has "^1	"'
lq "$L3" "SELECT accord.take(0, '{3,4,5}', 60)"
ok_if "exclusions are never given" out_has '^6$'
psql_as "$PG_SUPER" lx "SELECT id FROM accord.batches WHERE name = 'two'"
two=$(cat "$T/out")
lq "$L3" "SELECT accord.take($two, '{}', 60)"
ok_if "take for another batch gives an item of that batch" out_has '^41$'
lq "$L3" "SELECT accord.take(99, '{}', 60)"
ok_if "... and a batch that does not exist is refused" \
	eval '[ "$RC" -ne 0 ] && err_has "no import batch 99"'
# What take would still give L3: unlabeled items no one else holds.
psql_as "$PG_SUPER" lx "SELECT count(*) FROM accord.item_labelers il WHERE il.n = 0 AND NOT EXISTS (SELECT 1 FROM accord.leases s WHERE s.item = il.item AND s.\"user\" <> '$L3' AND s.expires_at > extract(epoch FROM now()))"
open=$(cat "$T/out")
lq "$L3" "SELECT * FROM accord.progress(0)"
ok_if "progress gives a labeler its own counts: none done, $open open" \
	out_has "^0|$open\$"
lq "$L2" "SELECT done FROM accord.progress(0)"
ok_if "... and two done for the labeler with two labels" out_has '^2$'
lq "$L3" "SELECT accord.take(0, '{}', 7200)"
ok_if "a lease of two hours is refused" \
	eval '[ "$RC" -ne 0 ] && err_has "a lease lasts 0 to 3600 s"'
for f in "q_state(1, 'x', 0, 0)" "q_level(0, 0, 100, 'x', '{}', false)" \
    "q_lock(1)" "q_uniform(1, 'x', 1)"; do
	lq "$L3" "SELECT accord.$f"
	ok_if "the queue's helper ${f%%(*} is refused to a labeler" \
		eval '[ "$RC" -ne 0 ] && err_has "permission denied for function"'
done
lq "$L3" "SELECT count(*) FROM accord.item_labelers"
ok_if "the per-item counts stay unreadable" \
	eval '[ "$RC" -ne 0 ] && err_has "permission denied"'
lq "$L3" "SELECT count(*) FROM accord.labels"
ok_if "others' labels stay unreadable (none of its own yet)" out_has '^0$'
NOT=$(test_user out)
pg_login "$NOT" || skip_all "$WHY"
psql_as "$PG_SUPER" lx "GRANT CONNECT ON DATABASE lx TO \"$NOT\"; GRANT USAGE ON SCHEMA accord TO \"$NOT\""
lq "$NOT" "SELECT accord.take(0, '{}', 60)"
ok_if "a non-member cannot call take" \
	eval '[ "$RC" -ne 0 ] && err_has "permission denied"'
psql_as "$PG_SUPER" lx "REVOKE ALL ON SCHEMA accord FROM \"$NOT\"; REVOKE ALL ON DATABASE lx FROM \"$NOT\""
psql_as "$PG_SUPER" postgres "DROP ROLE \"$NOT\""

# -- An open item locked for a moment is waited for, not "nothing left". -----
psql_as "$PG_SUPER" postgres "CREATE DATABASE lk"
K=$(uri lk)
mkdir -m 755 "$T_SHARED/three"
cp $(ls "$T_SHARED"/b1/* | head -n 3) "$T_SHARED/three/"
chmod -R a+r "$T_SHARED/three"
acc init "$K" --task lk --media image --classes ok,bad --overlap 1 >/dev/null &&
	acc import "$K" "$T_SHARED/three" >/dev/null &&
	acc member "$K" add "$L1" >/dev/null ||
	fail "building the lock project"
printf 'ok\nok\n' >"$T_SHARED/two"
chmod 644 "$T_SHARED/two"
run as "$L1" "$ACCORD" label "$K" --script "$T_SHARED/two"
# The last open item's queue row held by another transaction for 2 s, as
# a label's or a take's transaction holds it for a moment.
as "$PG_SUPER" psql -X -q -d lk -c "BEGIN; SELECT 1 FROM accord.item_labelers WHERE item = 3 FOR UPDATE; SELECT pg_sleep(2); COMMIT" >/dev/null 2>&1 &
HOLDER=$!
sleep 0.5
t0=$(date +%s.%N)
run as "$L1" "$ACCORD" label "$K" --script "$T_SHARED/one"
t1=$(date +%s.%N)
wait $HOLDER
ok_if "a take finding the last item locked waits for it ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s), not nothing left" \
	eval 'rc_is 0 && out_has "^3	"'

# -- status as a labeler. ---------------------------------------------------
run as "$L2" "$ACCORD" status "$U"
ok_if "status works for a labeler on PostgreSQL" rc_is 0
ok_if "... saying the labels are the labeler's own" out_has "^labels .*(yours"
mine=$(q "SELECT count(*) FROM accord.current_labels WHERE labeler = '$L2'")
run as "$L2" "$ACCORD" status "$U" --json
ok_if "status --json for a labeler: the labeler alone, with its $mine labels; others' counts null" \
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["own_only"] is True and d["items"] == 60, d
assert [(l["name"], l["labels"]) for l in d["labelers"]] == [(sys.argv[2], int(sys.argv[3]))], d
assert d["labels_current"] == int(sys.argv[3]), d
assert d["items_complete"] is None and d["items_unlabeled"] is None, d' "$T/out" "$L2" "$mine"
run acc status "$U" --json
ok_if "... while the admin sees every labeler" \
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["own_only"] is False and len(d["labelers"]) == 3 and d["items_complete"] > 0, d' "$T/out"
