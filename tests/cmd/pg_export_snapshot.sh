# accord export on PostgreSQL reads one snapshot (a REPEATABLE READ READ
# ONLY transaction) while four writers import labels by other labelers
# into the same database (tests/pglib.sh: a throwaway cluster): every
# export succeeds, and each is one moment of the store: writers take the
# project's write lock, so label ids are given in commit order and the
# snapshot is the first label_rows rows, whose checksum and per-item
# counts of labels in force the export must carry (tests/export_snapshot.py;
# SQLite: the same in export_safe.sh).
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/pglib.sh"

need_commands psql
pg_start
chmod 777 "$T"
PY=/usr/bin/python3
S=$ROOT/assets/demo
acc() { as "$PG_SUPER" "$ACCORD" "$@"; }
TAB=$(printf '\t')

A=$T/a.accord
acc init "$A" --task defects --media image --classes ok,scratch,dent \
	--borderline unsure --overlap 3 >/dev/null &&
	acc import "$A" "$S/images" --meta "$S/images.csv" --batch demo >/dev/null &&
	acc labels import "$A" "$S/labels-images.csv" >/dev/null ||
	{ fail "the demo project"; exit 1; }
psql_as "$PG_SUPER" postgres "CREATE DATABASE snap"
U="postgresql:///snap?host=$PGHOST&port=$PGPORT"
run acc copy "$A" "$U"
ok_if "copied into PostgreSQL" rc_is 0

"$PY" "$ROOT/tests/export_snapshot.py" writers "$S/images" "$T_SHARED"
chmod 644 "$T_SHARED"/w*.csv
: >"$T/stop"
for w in 0 1 2 3; do
	( while [ -e "$T/stop" ]; do
		acc labels import "$U" "$T_SHARED/w$w.csv" >/dev/null 2>>"$T/writer.err" || echo "w$w failed" >>"$T/writer.fail"
	done ) &
done
sleep 2

# The store's rows, as the export hashes them (psql -A: NULL is empty).
pgrows() { as "$PG_SUPER" psql -X -q -At -F "$TAB" -d snap -c "$1" </dev/null; }
fails=0 bad=0 i=0
while [ $i -lt 10 ]; do
	i=$((i + 1))
	acc export "$U" --out "$T/sn$i" --format jsonl --method majority >"$T/sn.out" 2>"$T/sn.err" ||
		{ fails=$((fails + 1)); sed 's/^/# /' "$T/sn.err" >&2; continue; }
done
rm -f "$T/stop"
wait
pgrows "SELECT id, item, labeler, class, guideline, created_at FROM accord.labels ORDER BY id" >"$T/labels.tsv"
pgrows "SELECT id, sha256 FROM accord.items" >"$T/items.tsv"
snapcheck() {
	"$PY" "$ROOT/tests/export_snapshot.py" check "$1" "$T/labels.tsv" \
	    "$T/items.tsv" >"$T/snap.log" 2>&1 ||
		{ tail -2 "$T/snap.log" | sed 's/^/# /' >&2; return 1; }
}
for d in "$T"/sn[0-9]*; do
	snapcheck "$d" || bad=$((bad + 1))
done
ok_if "10 exports from PostgreSQL under 4 writers: none failed" [ "$fails" -eq 0 ]
ok_if "... each one moment of the store (checksum and labels per item)" [ "$bad" -eq 0 ]
first=$(sed -n 's/.*"label_rows": \([0-9]*\).*/\1/p' "$T/sn1/manifest.json" 2>/dev/null)
last=$(sed -n 's/.*"label_rows": \([0-9]*\).*/\1/p' "$T/sn10/manifest.json" 2>/dev/null)
echo "# label rows seen by the first and the last export: $first, $last"
ok_if "... while the writers wrote, and the exports saw the rows arrive" sh -c \
	"[ ! -e '$T/writer.fail' ] && [ '${last:-0}' -gt '${first:-0}' ]"
psql_as "$PG_SUPER" snap "SELECT count(*) FROM pg_stat_activity WHERE datname = 'snap' AND state LIKE 'idle in transaction%'"
ok_if "no session left in a transaction" sh -c "[ \"\$(cat '$T/out')\" = 0 ]"
