# Faults while labeling and reviewing: four scripted labelers (real OS
# users) and an SME running `accord adjudicate`, `accord gold add` and
# `accord guideline edit --file` work on one project; at a seeded random
# moment every one of them is killed with SIGKILL.  After each kill:
# PRAGMA integrity_check is ok, every label and decision a process had
# reported as accepted (its output lines are printed and flushed after the
# commit) is in the store, and a re-run of each command completes.  At the
# end the labelers finish the project: every item that is not gold has
# exactly k labelers in force.  (Kills during import are in faults.sh,
# during export in export.sh.)
#
#   ACCORD_FAULT_SEED  the seed (default 11); KILL_ROUNDS rounds (default 10)
#   KILL_PG=1          the same on a PostgreSQL database of a throwaway
#                      cluster (tests/pglib.sh): the members log in by peer
#                      authentication, labelers take through accord.take,
#                      and "whole" is accord check (the server checks its
#                      own pages) where SQLite's is integrity_check.
. "$(dirname "$0")/../lib.sh"

LABELERS=
for i in 1 2 3 4; do LABELERS="$LABELERS $(test_user st0$i)"; done
SME=$(test_user sme)
ensure_user $LABELERS $SME || skip_all "labelers are real OS users: $WHY"
chmod 777 "$T"
DB=$T/kill.accord
# In SQL both stores read: a tab.
TAB="'	'"
PG=${KILL_PG:-}
if [ -n "$PG" ]; then
	. "$ROOT/tests/pglib.sh"
	pg_start
	psql_as "$PG_SUPER" postgres "CREATE DATABASE kill" ||
		{ fail "creating the database"; exit 1; }
	DB="postgresql:///kill?host=$PGHOST&port=$PGPORT"
	sql() {
		as "$PG_SUPER" psql -X -q -At -v ON_ERROR_STOP=1 -d kill \
		    -c "SET search_path = accord, pg_catalog; $1" </dev/null
	}
	sql_is() { _sq=$(sql "$1"); [ "$_sq" = "$2" ] || { echo "# sql: $1 -> '$_sq', expected '$2'" >&2; RC="sql:$_sq"; return 1; }; }
	acc() { as "$PG_SUPER" "$ACCORD" "$@"; }
else
	acc() { "$ACCORD" "$@"; }
fi
# Room for every round's labels (4 x 30 x 10 at overlap 3): a round that
# found nothing left to label would test nothing.
ITEMS=400
K=3
SEED=${ACCORD_FAULT_SEED:-11}
ROUNDS=${KILL_ROUNDS:-10}

# Distinct 4x4 PNGs; the scripted labeler never decodes them.
mkdir img
/usr/bin/python3 "$ROOT/tests/stress/tiny_pngs.py" "$T/img" $ITEMS k
chmod -R a+rX img
acc init "$DB" --task kill --media image --classes ok,bad \
	--overlap $K >/dev/null &&
	acc import "$DB" "$T/img" >/dev/null &&
	for u in $LABELERS; do acc member "$DB" add $u >/dev/null || exit 1; done &&
	acc member "$DB" add $SME --role sme >/dev/null ||
	{ fail "building the project"; exit 1; }
[ -n "$PG" ] || chmod 666 "$DB"*

# rnd N SALT: a number in 0..N-1 fixed by the seed, the round and SALT.
rnd() {
	awk -v s="$SEED" -v r="$r" -v salt="$2" -v n="$1" \
	    'BEGIN { srand(s * 100003 + r * 1009 + salt); print int(rand() * n) }'
}
# guideline_file FILE TAG: a guideline text of its own for each save.
guideline_file() {
	printf '# Kill loop guideline %s\n\n## ok\nNo mark (%s).\n\n## bad\nAny mark.\n' \
	    "$2" "$2" >"$1"
}
# Background jobs get their own process group, so a kill reaches runuser
# and the accord under it at once.
alive() {
	for p in $PIDS; do kill -0 "$p" 2>/dev/null && return 0; done
	return 1
}

# said: what the processes reported, all rounds.  db_lines: the same
# sentences made from the store's rows; every said line must be one.
: >"$T/said.sme"
for u in $LABELERS; do : >"$T/said.$u"; done
db_lines() {
	sql "SELECT 'item ' || a.item || ': ' || coalesce(c.name, a.status) FROM adjudications a LEFT JOIN classes c ON c.id = a.class WHERE a.\"user\" = '$SME'
	     UNION SELECT 'item ' || g.item || ' is gold: ' || c.name FROM gold g JOIN classes c ON c.id = g.class WHERE g.\"user\" = '$SME'
	     UNION SELECT 'guideline v' || version || ' saved' FROM guidelines WHERE author = '$SME'" | sort -u >"$T/db.sme"
	for u in $LABELERS; do
		sql "SELECT l.item || $TAB || c.name FROM labels l JOIN classes c ON c.id = l.class WHERE l.labeler = '$u'" | sort -u >"$T/db.$u"
	done
}
all_kept() {
	db_lines
	sort -u "$T/said.sme" | comm -23 - "$T/db.sme" >"$T/missing"
	for u in $LABELERS; do
		cut -f1,3 "$T/said.$u" | sort -u | comm -23 - "$T/db.$u" |
		    sed "s/^/$u /" >>"$T/missing"
	done
	[ ! -s "$T/missing" ] || { echo "# missing: $(head -n 5 "$T/missing" | tr '\n' '|')"; return 1; }
}
whole() {
	if [ -n "$PG" ]; then
		acc check "$DB" >"$T/check.out" 2>&1 ||
		    { echo "# check: $(head -c 300 "$T/check.out" | tr '\n' '|')"; return 1; }
	else
		sql_is "PRAGMA integrity_check" ok && sql_is "PRAGMA foreign_key_check" ""
	fi
}

landed=0 smekilled=0 smesaid=0
start=$(date +%s)
for r in $(seq 1 "$ROUNDS"); do
	# Bounded runtime on a busy machine: at least 5 rounds, then none
	# started after 55 s.
	if [ "$r" -gt 5 ] && [ $(( $(date +%s) - start )) -gt 55 ]; then
		echo "# stopping after $((r - 1)) rounds: 55 s are up"
		ROUNDS=$((r - 1))
		break
	fi
	PIDS=
	n=0
	for u in $LABELERS; do
		n=$((n + 1))
		awk -v s="$((SEED + r + n))" 'BEGIN { srand(s); for (j = 0; j < 30; j++)
		    print (rand() < 0.3 ? "bad" : "ok") }' >"$T/$u.script"
		setsid runuser -u $u -- env ASAN_OPTIONS="$ASAN_OPTIONS" \
		    "$ACCORD" label "$DB" --script "$T/$u.script" \
		    >"$T/$u.out" 2>"$T/$u.err" &
		PIDS="$PIDS $!"
	done
	# The SME: decisions on 12 items, gold, a new guideline; three times.
	items=
	for j in 1 2 3 4 5 6 7 8 9 10 11 12; do
		items="$items $(( $(rnd $ITEMS $j) + 1 ))"
	done
	how=$(case $(rnd 3 50) in 0) echo "--class ok" ;; 1) echo "--class bad" ;; *) echo "--ambiguous" ;; esac)
	for j in 1 2 3; do guideline_file "$T/g.$r.$j" "$r.$j"; done
	setsid sh -c '
		db=$1 sme=$2 acc=$3 t=$4 r=$5 how=$6 items=$7
		for j in 1 2 3; do
			runuser -u $sme -- env ASAN_OPTIONS="$ASAN_OPTIONS" "$acc" adjudicate "$db" $items $how
			runuser -u $sme -- env ASAN_OPTIONS="$ASAN_OPTIONS" "$acc" gold "$db" add $((r * 3 + j)) bad
			runuser -u $sme -- env ASAN_OPTIONS="$ASAN_OPTIONS" "$acc" guideline "$db" edit --file "$t/g.$r.$j" --reason "round $r.$j"
		done' sh "$DB" $SME "$ACCORD" "$T" "$r" "$how" "$items" \
	    >"$T/sme.out" 2>"$T/sme.err" &
	SMEPID=$!
	PIDS="$PIDS $SMEPID"

	# Kill once the labelers have reported m labels (m seeded, 0..59),
	# plus a seeded 0-49 ms: a moment inside the work whatever the speed.
	m=$(rnd 60 7)
	while alive && [ "$(cat "$T/$(test_user st0)"?.out | wc -l)" -lt "$m" ]; do
		sleep 0.01
	done
	sleep "0.0$(rnd 5 9)$(rnd 10 8)"
	alive && landed=$((landed + 1))
	kill -0 $SMEPID 2>/dev/null && smekilled=$((smekilled + 1))
	for p in $PIDS; do kill -s KILL -- "-$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	for u in $LABELERS; do grep -v 'nothing left' "$T/$u.out" >>"$T/said.$u"; done
	grep -v 'no change' "$T/sme.out" >>"$T/said.sme"
	smesaid=$((smesaid + $(grep -c '^item ' "$T/sme.out")))
	got=$(cat "$T/$(test_user st0)"?.out | wc -l)
	ok_if "round $r (killed after $m+ labels; $got reported): store whole" whole
	ok_if "round $r: every label and decision reported is in the store" all_kept

	# Re-runs complete: each labeler, and each of the SME's commands.
	rerun=0
	for u in $LABELERS; do
		printf 'ok\nbad\n' >"$T/$u.script"
		run as $u "$ACCORD" label "$DB" --script "$T/$u.script"
		[ "$RC" -eq 0 ] && grep -v 'nothing left' "$T/out" >>"$T/said.$u" || rerun=$((rerun + 1))
	done
	run as $SME "$ACCORD" adjudicate "$DB" $items --class bad
	[ "$RC" -eq 0 ] && cat "$T/out" >>"$T/said.sme" || rerun=$((rerun + 1))
	run as $SME "$ACCORD" gold "$DB" add $((100 + r)) ok
	[ "$RC" -eq 0 ] && cat "$T/out" >>"$T/said.sme" || rerun=$((rerun + 1))
	guideline_file "$T/g.$r.re" "$r.re"
	run as $SME "$ACCORD" guideline "$DB" edit --file "$T/g.$r.re" --reason "re-run $r"
	[ "$RC" -eq 0 ] && grep -q 'saved' "$T/out" && cat "$T/out" >>"$T/said.sme" || rerun=$((rerun + 1))
	ok_if "round $r: every re-run completes" [ "$rerun" -eq 0 ]
done
echo "# $ROUNDS rounds in $(( $(date +%s) - start ))s; kills landed mid-work in $landed, during the SME's commands in $smekilled"
ok_if "the killed SME commands had reported decisions ($smesaid)" [ "$smesaid" -gt 0 ]
ok_if "the kills landed while work was running ($landed of $ROUNDS)" [ "$landed" -ge $((ROUNDS * 3 / 4)) ]
ok_if "and while the SME's commands ran ($smekilled of $ROUNDS)" [ "$smekilled" -ge $((ROUNDS / 2)) ]
ok_if "the kills cut the SME's work short (fewer than $((ROUNDS * 3)) saves)" \
	sql_is "SELECT CASE WHEN count(*) < $ROUNDS * 3 THEN 1 ELSE 0 END FROM guidelines WHERE author = '$SME' AND reason LIKE 'round %'" 1

# The labelers finish the project, the killed ones' leases included.
for u in $LABELERS; do
	awk 'BEGIN { for (j = 0; j < 400; j++) print "ok" }' >"$T/$u.script"
	run as $u "$ACCORD" label "$DB" --script "$T/$u.script"
	ok_if "$u labels until nothing is left" sh -c "[ $RC -eq 0 ] && grep -q 'nothing left' '$T/out'"
	grep -v 'nothing left' "$T/out" >>"$T/said.$u"
done
ok_if "at the end every label reported is in the store" all_kept
ok_if "every item that is not gold has exactly $K labelers in force" \
	sql_is "SELECT count(*) FROM items i WHERE i.id NOT IN (SELECT item FROM gold) AND (SELECT count(*) FROM current_labels c WHERE c.item = i.id) != $K" 0
ok_if "the queue's per-item counts (item_labelers) match the labels in force" \
	sql_is "SELECT count(*) FROM items i LEFT JOIN item_labelers t ON t.item = i.id WHERE t.n IS DISTINCT FROM (SELECT count(*) FROM current_labels c WHERE c.item = i.id)" 0
ok_if "no (item, labeler) has two label rows" \
	sql_is "SELECT count(*) FROM (SELECT 1 FROM labels GROUP BY item, labeler HAVING count(*) > 1) x" 0
ok_if "and the store is whole" whole

# A label is reported only once it is on disk.  Labels commit without a
# sync inside the write lock and then sync the WAL themselves (group
# commit, store_sync_wal): under strace, an fdatasync or fsync of the
# store's -wal comes before each label's line reaches standard output.
if [ -n "$PG" ]; then
	: # The server's commit is durable when it returns; no WAL of ours.
elif command -v strace >/dev/null 2>&1; then
	"$ACCORD" init "$T/sync.accord" --task sync --media image --classes ok,bad \
		--overlap 1 >/dev/null && "$ACCORD" import "$T/sync.accord" img >/dev/null ||
		fail "building the sync project"
	awk 'BEGIN { for (j = 0; j < 5; j++) print "bad" }' >"$T/sync.script"
	strace -f -y -e trace=fsync,fdatasync,write -o "$T/strace" \
		"$ACCORD" label "$T/sync.accord" --script "$T/sync.script" >"$T/out" 2>"$T/err"
	ok_if "five labels under strace" sh -c "[ \$(grep -c 'bad\$' '$T/out') -eq 5 ]"
	awk '/sync\((|[0-9]+<)[^>]*sync\.accord-wal>\) += 0/ { synced = 1 }
	    /^[0-9]+ +write\(1</ { if (!synced) bad++; synced = 0; lines++ }
	    END { exit !(lines == 5 && bad == 0) }' "$T/strace"
	ok_if "each label's WAL is synced before its line is printed" [ $? -eq 0 ]
else
	skip "each label's WAL is synced before its line is printed" "strace is not installed"
fi
