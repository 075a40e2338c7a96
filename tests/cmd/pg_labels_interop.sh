# accord labels import of another tool's export into a PostgreSQL store
# (tests/pglib.sh's throwaway cluster): the Label Studio fixture gives the
# same labels, gold and provenance as on a SQLite file, the member rule
# holds on the server's members, and a bad file writes nothing there.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/pglib.sh"

need_commands psql convert
pg_start
chmod 777 "$T"

FIX=$ROOT/tests/fixtures/interop
uri() { echo "postgresql:///$1?host=$PGHOST&port=$PGPORT"; }
acc() { as "$PG_SUPER" "$ACCORD" "$@"; }
psql_as "$PG_SUPER" postgres "CREATE DATABASE interop"
ok_if "the database" rc_is 0
U=$(uri interop)
DB=$T/p.accord
INIT="--task t --media image --classes ok,scratch --borderline unsure --overlap 2"
mkdir img
for i in 1 2 3; do convert -size 20x20 -seed $i plasma: img/a$i.png; done
cp "$FIX"/label-studio.json "$FIX"/ls-users.csv "$T"/
chmod -R a+rX "$T"
for d in "$U" "$DB"; do
	acc init "$d" $INIT >/dev/null && acc import "$d" img --batch b1 >/dev/null ||
	    fail "set-up of $d"
done
chmod 666 "$DB"

# What each store holds, the same query on both.
Q="SELECT l.labeler || ':' || c.name || ':' || coalesce(CAST(l.seconds_spent AS text), '-') || ':' || l.created_at || ':' || l.origin || ':' || l.recorded_by FROM labels l JOIN classes c ON c.id = l.class ORDER BY l.labeler, l.created_at"
QG="SELECT c.name || ' by ' || g.\"user\" FROM gold g JOIN classes c ON c.id = g.class"
held() {
	if [ "$1" = "$U" ]; then
		psql_as "$PG_SUPER" interop "SET search_path = accord; $2"
		sed 's/:\([0-9]*\)\.0*:/:\1:/' "$T/out"
	else
		sqlite3 -batch -noheader "$DB" "$2" | sed 's/:\([0-9]*\)\.0*:/:\1:/'
	fi
}

run acc labels import "$U" label-studio.json --map-users ls-users.csv
ok_if "label studio export into PostgreSQL" \
	eval "[ $RC -eq 0 ] && out_has 'imported 4 labels from label-studio.json (label-studio); 1 annotation without a label skipped; 1 item made gold'"
run acc labels import "$DB" label-studio.json --map-users ls-users.csv
held "$U" "$Q" > pg.labels
held "$DB" "$Q" > lite.labels
ok_if "the same label rows, times, seconds and provenance on both stores" \
	eval "[ \$(wc -l < pg.labels) -eq 4 ] && cmp -s pg.labels lite.labels"
held "$U" "$QG" > pg.gold
held "$DB" "$QG" > lite.gold
ok_if "the same gold row on both stores" \
	eval "[ \"\$(cat pg.gold)\" = 'scratch by $PG_SUPER' ] && cmp -s pg.gold lite.gold"

# The member rule: the cluster's superuser is the project's admin.
printf 'file,labeler,class\nimg/a3.png,%s,ok\n' "$PG_SUPER" > member.csv
chmod a+r member.csv
run acc labels import "$U" member.csv
ok_if "a row under a member's name refused on PostgreSQL" \
	eval "[ $RC -ne 0 ] && err_has 'member.csv:2: labeler $PG_SUPER is a member of this project (admin)'"
psql_as "$PG_SUPER" interop "SELECT count(*) FROM accord.labels"
ok_if "nothing written by the refused import" out_has '^4$'
run acc labels import "$U" member.csv --as-member
psql_as "$PG_SUPER" interop "SELECT count(*) FROM accord.labels WHERE labeler = '$PG_SUPER' AND origin = 'import'"
ok_if "--as-member writes it on PostgreSQL" eval "[ $RC -eq 0 ] && out_has '^1$'"
