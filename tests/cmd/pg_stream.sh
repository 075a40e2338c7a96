# The big reads on PostgreSQL go through cursors, a batch of rows at a
# time (core/store_pg.c, sql_stream): a project with more label rows than
# one batch (1,024), copied from SQLite into a throwaway cluster
# (tests/pglib.sh), gives the same check, agree, labels dump, items and
# export on both stores; a reader whose output is not read for longer
# than the server's idle limit (5 s) still finishes; a read cut off by the
# server fails with one line and a non-zero status.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/pglib.sh"

need_commands psql sqlite3 cmp sed awk
pg_start
chmod 777 "$T"
S=$ROOT/assets/demo
uri() { echo "postgresql:///$1?host=$PGHOST&port=$PGPORT"; }
acc() { as "$PG_SUPER" "$ACCORD" "$@"; }
q() { psql_as "$PG_SUPER" "$1" "$2"; cat "$T/out"; }

# The demo's 60 images, labeled by 80 labelers (imported labels: they
# need not be OS users), then relabeled by one of them: more rows than
# three fetches of the cursors (a fourth is never sent ahead).
A=$T/a.accord
acc init "$A" --task defects --media image --classes ok,scratch,dent \
	--borderline unsure --overlap 3 >/dev/null &&
	acc import "$A" "$S/images" --meta "$S/images.csv" --batch demo >/dev/null ||
	{ fail "the demo project"; exit 1; }
awk -F, -v s="$S" 'NR == 1 { print "file,labeler,class,seconds,note"; next }
	{ for (j = 1; j <= 80; j++) {
		c = (NR * 7 + j * (j % 3 ? 1 : 5)) % 4
		printf "%s/%s,lab%02d,%s,%.1f,\n", s, $1, j,
		    c == 0 ? "ok" : c == 1 ? "scratch" : c == 2 ? "dent" : "unsure",
		    1 + (NR + j) % 5
	} }' "$S/images.csv" >"$T_SHARED/l1.csv"
awk -F, 'NR == 1 { print; next } $2 == "lab03" { $3 = "dent"; print }' OFS=, \
	"$T_SHARED/l1.csv" >"$T_SHARED/l2.csv"
chmod 644 "$T_SHARED/l1.csv" "$T_SHARED/l2.csv"
acc labels import "$A" "$T_SHARED/l1.csv" >/dev/null &&
	acc labels import "$A" "$T_SHARED/l2.csv" >/dev/null ||
	fail "the labels"
chmod 666 "$A"
AL=$(sqlite3 "$A" "SELECT count(*) FROM labels")
ok_if "more label rows ($AL) than three fetches of a cursor (3 x 1024)" \
	eval '[ "$AL" -gt 3200 ]'

q postgres "CREATE DATABASE st" >/dev/null
U=$(uri st)
run acc copy "$A" "$U"
ok_if "copied into PostgreSQL" rc_is 0

# same NAME CMD ARGS...: the same output on both stores, names and times
# aside, with status 0.
same() {
	_n=$1
	shift
	_c=$1
	shift
	acc $_c "$A" "$@" >"$T/a" 2>&1
	_ra=$?
	acc $_c "$U" "$@" >"$T/b" 2>&1
	_rb=$?
	sed -i "s|$A|STORE|g; s|$U|STORE|g; s/20[0-9-]*T[0-9:.]*Z/TIME/g" \
	    "$T/a" "$T/b"
	if [ "$_ra" -eq 0 ] && [ "$_rb" -eq 0 ] && cmp -s "$T/a" "$T/b"; then
		pass "$_n"
	else
		fail "$_n" "status $_ra/$_rb; $(diff "$T/a" "$T/b" | head -4 | tr '\n' '|')"
	fi
}
run acc check "$U"
ok_if "check passes on PostgreSQL (three cursors read side by side)" \
	eval 'rc_is 0 && out_has "ok: store intact"'
same "check" check
same "agree --json" agree --json --bootstrap 0
same "agree by camera" agree --by camera --bootstrap 100
same "labels dump" "labels dump"
same "labels dump --json" "labels dump" --json
same "items --json" items --json
same "status" status

# export: the same files, the manifest's store aside.
run acc export "$A" --format jsonl --out "$T_SHARED/ea"
ra=$RC
run acc export "$U" --format jsonl --out "$T_SHARED/eb"
ok_if "export on both" eval '[ "$ra" -eq 0 ] && rc_is 0'
d=
for f in $(cd "$T_SHARED/ea" && ls); do
	[ "$f" = manifest.json ] && continue
	cmp -s "$T_SHARED/ea/$f" "$T_SHARED/eb/$f" || d="$d $f"
done
ok_if "... the same exported files${d:+ (differ:$d)}" eval '[ -z "$d" ] && [ -n "$(ls "$T_SHARED/eb")" ]'

# A reader whose output waits: labels dump into a pipe nobody reads for
# 7 s.  Its cursor's transaction sits idle between two fetches for
# longer than accord's idle limit (5 s): a read transaction has the
# statement limit instead, and the dump completes.
acc labels dump "$A" >"$T/full"
(acc labels dump "$U"; echo "rc=$?") 2>"$T/err" | { sleep 7; cat; } >"$T/slow"
ok_if "a dump read slowly still finishes, whole" eval \
	'grep -q "^rc=0$" "$T/slow" && [ "$(grep -vc "^rc=" "$T/slow")" -eq "$(wc -l <"$T/full")" ] && [ ! -s "$T/err" ]'

# The server ends the connection between two fetches: one line, status
# non-zero.
(acc labels dump "$U"; echo "rc=$?") 2>"$T/err" | { sleep 3; cat; } >"$T/cut" &
bg=$!
sleep 1.5
q postgres "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'st' AND pid <> pg_backend_pid()" >/dev/null
wait "$bg"
ok_if "a read cut off by the server fails in one line" eval \
	'! grep -q "^rc=0$" "$T/cut" && grep -q "^rc=[1-9]" "$T/cut" && [ "$(wc -l <"$T/err")" -eq 1 ]'
n=$(q st "SELECT count(*) FROM pg_stat_activity WHERE datname = 'st' AND state LIKE 'idle in transaction%'")
ok_if "no session left in a transaction" eval '[ "$n" -eq 0 ]'
