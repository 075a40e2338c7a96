# Faults on a PostgreSQL store (a throwaway cluster, tests/pglib.sh):
#
# - A client stopped (SIGSTOP) in the middle of a long write transaction,
#   as by a suspended terminal or a dead SSH link, holds the project's
#   write lock: the server ends its session after
#   idle_in_transaction_session_timeout (5 s, set by accord on its
#   connections), so another writer goes on within seconds, not never;
#   the stopped one, continued, fails in one line and wrote nothing.
# - SIGKILL during labels import, import, export, adjudicate and label:
#   nothing half written (accord check passes, the import's rows are all
#   there or none), every label and decision a process reported is in the
#   store, and a re-run completes.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/pglib.sh"

need_commands psql awk
pg_start
chmod 777 "$T"
S=$ROOT/assets/demo
U="postgresql:///faults?host=$PGHOST&port=$PGPORT"
acc() { as "$PG_SUPER" "$ACCORD" "$@"; }
q() { psql_as "$PG_SUPER" faults "$1"; cat "$T/out"; }
psql_as "$PG_SUPER" postgres "CREATE DATABASE faults"
acc init "$U" --task faults --media image --classes ok,scratch,dent \
	--borderline unsure --overlap 3 >/dev/null &&
	acc import "$U" "$S/images" --batch demo >/dev/null ||
	{ fail "building the project"; exit 1; }

# 60 items x 40 made-up labelers: a labels import of 2,400 rows, one
# transaction of several seconds.
awk -F, -v s="$S" 'NR > 1 { f[++n] = $1 } END {
	print "file,labeler,class"
	for (l = 1; l <= 40; l++) for (i = 1; i <= n; i++)
		print s "/" f[i] ",bulk" l "," (i % 3 == 0 ? "dent" : "ok") }' \
	"$S/images.csv" >"$T_SHARED/bulk.csv"
chmod 644 "$T_SHARED/bulk.csv"

# Stopped while it holds the write lock.  setpriv execs accord in place
# (runuser would fork it and wait: util-linux su stops itself again when it
# sees its child's earlier stop after the SIGCONT, and the test hung there
# for ever on a loaded machine), so $BULK is accord itself and only it is
# stopped.
setpriv --reuid="$PG_SUPER" --regid="$(id -g "$PG_SUPER")" --init-groups \
	env HOME="$T_SHARED" ASAN_OPTIONS="$ASAN_OPTIONS" TMPDIR="$T_SHARED" \
	"$ACCORD" labels import "$U" "$T_SHARED/bulk.csv" >"$T/bulk.out" 2>"$T/bulk.err" &
BULK=$!
# Once its rows are going in (the server shows its session writing).
i=0
while [ $i -lt 300 ]; do
	n=$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")
	[ "$n" -ge 1 ] && break
	sleep 0.1
	i=$((i + 1))
done
kill -s STOP "$BULK"
t0=$(date +%s)
run acc adjudicate "$U" 1 --class ok --note "while stopped"
t1=$(date +%s)
ok_if "another writer goes on while a client is stopped holding the lock ($((t1 - t0)) s)" \
	eval 'rc_is 0 && [ $((t1 - t0)) -le 15 ]'
kill -s CONT "$BULK"
# A watchdog: whatever goes wrong, the test ends (it fails) within 2 min.
(sleep 120; kill -s KILL "$BULK" 2>/dev/null) &
WD=$!
wait $BULK
rc=$?
kill "$WD" 2>/dev/null
ok_if "the stopped import, continued, fails in one line" \
	eval '[ $rc -ne 0 ] && [ "$(wc -l <"$T/bulk.err")" -eq 1 ]'
ok_if "... and wrote none of its rows" eval '[ "$(q "SELECT count(*) FROM accord.labels")" -eq 0 ]'

# SIGKILL at a moment inside each command, then: check passes, and what
# was reported is there.
# killed NAME CMD...: start CMD as the superuser's OS user, kill it after
# a moment that grows each round, wait.
killed() {
	_n=$1
	shift
	setsid runuser -u "$PG_SUPER" -- env ASAN_OPTIONS="$ASAN_OPTIONS" \
	    "$@" >"$T/$_n.out" 2>"$T/$_n.err" &
	_p=$!
	sleep "$DELAY"
	kill -s KILL -- "-$_p" 2>/dev/null
	wait $_p 2>/dev/null
	return 0
}
whole() {
	run acc check "$U"
	rc_is 0
}
for DELAY in 0.3 0.8 1.5; do
	killed lbulk "$ACCORD" labels import "$U" "$T_SHARED/bulk.csv"
	n=$(q "SELECT count(*) FROM accord.labels WHERE labeler LIKE 'bulk%'")
	ok_if "labels import killed after $DELAY s: all 2400 rows or none ($n)" \
		eval '[ "$n" -eq 0 ] || [ "$n" -eq 2400 ]'
	ok_if "... the store is whole" whole
	[ "$n" -eq 2400 ] && break
done

mkdir -m 755 "$T_SHARED/more"
/usr/bin/python3 "$ROOT/tests/stress/tiny_pngs.py" "$T_SHARED/more" 3000 f
chmod -R a+r "$T_SHARED/more"
killed imp "$ACCORD" import "$U" "$T_SHARED/more" --batch more
ok_if "import killed: every item has its source row" eval \
	'[ "$(q "SELECT count(*) FROM accord.items i WHERE NOT EXISTS (SELECT 1 FROM accord.item_sources s WHERE s.item = i.id)")" -eq 0 ]'
ok_if "... the store is whole" whole
run acc import "$U" "$T_SHARED/more" --batch more
ok_if "... and the import run again completes" rc_is 0
ok_if "... with every file in" eval '[ "$(q "SELECT count(*) FROM accord.items")" -eq 3060 ]'

killed exp "$ACCORD" export "$U" --out "$T_SHARED/exp"
ok_if "export killed: nothing half written at the destination" \
	eval '[ ! -e "$T_SHARED/exp" ] || [ -e "$T_SHARED/exp/manifest.json" ]'
run acc export "$U" --out "$T_SHARED/exp" --force
ok_if "... and export run again completes" rc_is 0

ITEMS=$(seq 2 400 | tr '\n' ' ')
killed adj "$ACCORD" adjudicate "$U" $ITEMS --class scratch
said=$(grep -c '^item ' "$T/adj.out")
got=$(q "SELECT count(*) FROM accord.adjudications WHERE note = '' AND class = (SELECT id FROM accord.classes WHERE name = 'scratch')")
ok_if "adjudicate killed: every decision it reported is there ($said reported, $got stored)" \
	eval '[ "$got" -ge "$said" ]'
ok_if "... the store is whole" whole

yes ok | head -n 500 >"$T_SHARED/script"
chmod 644 "$T_SHARED/script"
DELAY=2
killed lab "$ACCORD" label "$U" --script "$T_SHARED/script"
cut -f1 "$T/lab.out" | sort -n >"$T/said"
q "SELECT item FROM accord.labels WHERE labeler = '$PG_SUPER' ORDER BY item" >"$T/db"
ok_if "label killed: every label it reported is there ($(wc -l <"$T/said") reported)" \
	eval '[ -z "$(comm -23 "$T/said" "$T/db")" ] && [ -s "$T/said" ]'
ok_if "... the store is whole" whole
