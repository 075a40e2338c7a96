# The same project on both stores: accord on a PostgreSQL database of a
# throwaway cluster (tests/pglib.sh) gives what it gives on a SQLite file
# for the same commands and data (agree, status, items, export, check,
# labels), and what belongs to the server is the server's: `init URI`
# builds the schema in one transaction (a second init, or one that fails,
# leaves the database as it was), `member add` makes the login role and
# grants the project's member role (or says which SQL the DBA runs), and
# the identity is the connection's role, not the OS user's name.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/pglib.sh"

need_commands psql cmp sed
pg_start
ADM=$(test_user adm)
LAB=$(test_user lab)
NEW=$(test_user new)
pg_login "$ADM" "$LAB" || skip_all "members are real OS users: $WHY"
ensure_user "$NEW" || skip_all "members are real OS users: $WHY"
chmod 777 "$T"

S=$ROOT/assets/demo
uri() { echo "postgresql:///$1?host=$PGHOST&port=$PGPORT"; }
U=$(uri proj)
DB=$T/p.accord
psql_as "$PG_SUPER" postgres "CREATE DATABASE proj"
ok_if "the DBA's database" rc_is 0

# accord as the cluster's superuser (the DBA's role) or another OS user.
acc() { as "$PG_SUPER" "$ACCORD" "$@"; }
INIT="--task defects --media image --classes ok,scratch,dent --borderline unsure --overlap 3 --guideline $S/guideline-images.md"
run acc init "$U" $INIT
ok_if "init URI creates the project" eval 'rc_is 0 && out_has "admin $PG_SUPER"'
run acc init "$DB" $INIT
run acc init "$U" $INIT
ok_if "a second init of the database is refused, one line" \
	eval 'rc_is 1 && err_lines 1 && err_has "already holds an accord project"'
psql_as "$PG_SUPER" proj "SELECT count(*) FROM accord.members"
ok_if "the refused init changed nothing" out_has '^1$'

# A failed init leaves no schema: a role that may connect but not create.
psql_as "$PG_SUPER" postgres "CREATE DATABASE empty"
run as "$LAB" "$ACCORD" init "$(uri empty)" $INIT
ok_if "init without the rights fails in one line" eval 'rc_is 1 && err_lines 1'
psql_as "$PG_SUPER" empty "SELECT count(*) FROM pg_namespace WHERE nspname = 'accord'"
ok_if "... and leaves no schema behind" out_has '^0$'
run acc status "$(uri empty)"
ok_if "a database without a project: one line" \
	eval 'rc_is 1 && err_lines 1 && err_has "no accord project"'

# The same data into both stores.
for d in "$DB" "$U"; do
	acc import "$d" "$S/images" --meta "$S/images.csv" --batch demo >/dev/null 2>"$T/err.import" ||
		fail "import into $d" "$(cat "$T/err.import")"
	acc labels import "$d" "$S/labels-images.csv" >/dev/null 2>"$T/err.labels" ||
		fail "labels import into $d" "$(cat "$T/err.labels")"
done
chmod 666 "$DB"
same "status is the same on both stores" status
same "status --json too" status --json
same "agree by camera is the same" agree --by camera
same "agree --json by brightness (a metric: numbers) is the same" agree --json --by brightness
same "agree by version with a bootstrap is the same" agree --guideline all --bootstrap 200
same "items with a metadata filter are the same" items --where camera=cam-c
same "items by a metric's value are the same" items --where line="Line 1"
same "check passes on both" check
SAME_RC=1
same "drift between one batch and itself refuses the same way" drift --from demo --to demo
SAME_RC=0
same "member list is the same" member list
acc labels dump "$DB" >"$T/a"; acc labels dump "$U" >"$T/b"
sed -i "s/20[0-9-]*T[0-9:.]*Z/TIME/g" "$T/a" "$T/b"
ok_if "labels dump is the same" cmp -s "$T/a" "$T/b"
for d in "$DB" "$U"; do
	n=$(basename "$(echo "$d" | tr '/?&:=' '_____')")
	acc export "$d" --out "$T_SHARED/x-$n" --split 70/15/15 --seed 3 >/dev/null 2>&1 ||
		fail "export $d"
done
ok_if "export writes the same label files on both" \
	diff -r -x manifest.json "$T_SHARED/x-$(basename "$(echo "$DB" | tr '/?&:=' '_____')")" \
	"$T_SHARED/x-$(basename "$(echo "$U" | tr '/?&:=' '_____')")"

# Labeling, in a project of its own with nothing labeled yet: the admin
# labels three items.
psql_as "$PG_SUPER" postgres "CREATE DATABASE lab"
L=$(uri lab)
acc init "$L" $INIT >/dev/null && acc import "$L" "$S/images" --batch demo >/dev/null
printf 'ok\nscratch,a note\nunsure\n' >"$T_SHARED/script"
chmod 644 "$T_SHARED/script"
run acc label "$L" --script "$T_SHARED/script"
ok_if "label --script on PostgreSQL labels three items" \
	eval 'rc_is 0 && [ "$(wc -l <"$T/out")" -eq 3 ]'
psql_as "$PG_SUPER" lab "SELECT count(*) FROM accord.labels WHERE labeler = '$PG_SUPER' AND note = 'a note'"
ok_if "... under the connection's role, with the note" out_has '^1$'

# Members are the server's roles.
run acc member "$U" add "$NEW" --role labeler
ok_if "member add makes a missing role" rc_is 0
psql_as "$PG_SUPER" proj "SELECT rolcanlogin, rolsuper, rolcreaterole, pg_has_role('$NEW', 'proj_member', 'MEMBER') FROM pg_roles WHERE rolname = '$NEW'"
ok_if "... LOGIN, no other rights, in the project's member role" out_has '^t|f|f|t$'
run acc member "$U" add "$LAB" --role labeler
ok_if "member add of an existing role grants the member role" rc_is 0
run acc member "$U" add "$ADM" --role admin
ok_if "an admin is added" rc_is 0
X2=$(test_user x2)
run as "$ADM" "$ACCORD" member "$U" add "$X2" --role labeler
ok_if "an admin without CREATEROLE adds a member (the server makes the role)" rc_is 0
psql_as "$PG_SUPER" proj "SELECT rolcreaterole FROM pg_roles WHERE rolname = '$ADM'"
ok_if "... the admin never had CREATEROLE" out_has '^f$'
SU2=$(test_user su2)
psql_as "$PG_SUPER" postgres "CREATE ROLE \"$SU2\" SUPERUSER LOGIN"
run as "$ADM" "$ACCORD" member "$U" add "$SU2" --role labeler
ok_if "a superuser cannot be made a member through accord: one line" \
	eval 'rc_is 1 && err_lines 1 && err_has "server refused"'
psql_as "$PG_SUPER" postgres "DROP ROLE \"$SU2\""
run as "$ADM" "$ACCORD" member "$U" remove "$X2"
psql_as "$PG_SUPER" postgres "DROP ROLE \"$X2\""
run acc member "$U" remove "$NEW"
psql_as "$PG_SUPER" proj "SELECT pg_has_role('$NEW', 'proj_member', 'MEMBER')"
ok_if "member remove takes the member role back" eval 'out_has "^f$"'
psql_as "$PG_SUPER" postgres "DROP ROLE \"$NEW\""

# The identity is the role: USER, LOGNAME and PGUSER of the same OS user
# change nothing the server would not refuse.
run as "$LAB" env USER="$PG_SUPER" LOGNAME="$PG_SUPER" "$ACCORD" member "$U" list
ok_if "a labeler lists members as itself" rc_is 0
run as "$LAB" env PGUSER="$PG_SUPER" "$ACCORD" status "$U"
ok_if "PGUSER naming another role is refused by peer authentication" \
	eval 'rc_is 1 && err_lines 1 && err_has "authentication failed"'

# A store made by an older accord (PostgreSQL schema 1: migration 1 and
# its security) migrates on open when a superuser opens it, in one
# transaction, as a SQLite store does; a member's command says who must.
SCHEMA_SQL=$ROOT/build/asan/pg/schema_sql
if ! [ -x "$SCHEMA_SQL" ]; then
	skip "an older store migrates on open" "build $SCHEMA_SQL first (make build/asan/pg/schema_sql)"
	exit 0
fi
psql_as "$PG_SUPER" postgres "CREATE DATABASE old"
{
	pg_schema1 old "$ADM"
	# Schema 1's security: today's without the tables schema 2 adds,
	# the function schema 3 adds and the labels column schema 4 adds.
	"$SCHEMA_SQL" security old | grep -v 'media_' |
	    sed 's/, accord\.label_put([^)]*)//; s/, view) ON accord\.labels /) ON accord.labels /'
	echo "RESET ROLE; GRANT \"old_member\" TO \"$ADM\";"
	echo "COMMIT;"
} >"$T_SHARED/old.sql"
chmod 644 "$T_SHARED/old.sql"
as "$PG_SUPER" psql -X -q -v ON_ERROR_STOP=1 -d old -f "$T_SHARED/old.sql" >"$T/out" 2>"$T/err"
RC=$?
ok_if "an older accord's store (schema 1)" rc_is 0
O=$(uri old)
run as "$ADM" "$ACCORD" status "$O"
ok_if "a member's command on it says a superuser migrates it, one line" \
	eval 'rc_is 1 && err_lines 1 && err_has "a superuser (the DBA) migrates it"'
psql_as "$PG_SUPER" old "SELECT version FROM accord.schema_version"
ok_if "... and changes nothing" out_has '^1$'
printf 'file,labeler,class\nimages/img_001.jpg,ann,ok\nimages/img_002.jpg,ann,bad\n' >"$T_SHARED/old-labels.csv"
cp -r "$S/images" "$T_SHARED/" 2>/dev/null
chmod -R a+rX "$T_SHARED"
run acc status "$O"
ok_if "the superuser's first command migrates it" rc_is 0
psql_as "$PG_SUPER" old "SELECT version FROM accord.schema_version"
ok_if "... to schema $("$SCHEMA_SQL" migrations | grep -c 'UPDATE schema_version')" \
	out_has "^$("$SCHEMA_SQL" migrations | grep -c 'UPDATE schema_version')\$"
run as "$ADM" "$ACCORD" import "$O" "$T_SHARED/images" --store-media
ok_if "... and the admin keeps media in it (schema 2's tables, granted)" rc_is 0
run as "$ADM" "$ACCORD" labels import "$O" "$T_SHARED/old-labels.csv"
run as "$ADM" "$ACCORD" check "$O"
ok_if "... labels go in under the new trigger, and check passes" rc_is 0
printf 'ok\n' >"$T_SHARED/one-label"
chmod 644 "$T_SHARED/one-label"
run as "$ADM" "$ACCORD" label "$O" --script "$T_SHARED/one-label"
ok_if "... and the queue's functions are there: a member labels through them" \
	eval 'rc_is 0 && [ "$(wc -l <"$T/out")" -eq 1 ]'

# Schema 4: accord.label_put takes what the labeler saw of the image and
# keeps it in labels.view (the label screen passes it; NULL: fitted and
# unadjusted).
psql_as "$ADM" old "SELECT label_id IS NOT NULL FROM accord.label_put(
    (SELECT min(id) FROM accord.items), (SELECT min(id) FROM accord.classes),
    '', 2.5, '2026-01-02T03:04:05.000Z', 'zoom=3 region=1,4,31,24')"
ok_if "... label_put takes the view a labeler saw" eval 'rc_is 0 && out_has "^t$"'
psql_as "$ADM" old "SELECT coalesce(view, 'NULL') FROM accord.labels
    ORDER BY id DESC LIMIT 2"
ok_if "... and keeps it with the label (NULL for the script's)" \
	eval 'rc_is 0 && [ "$(tr "\n" "|" <"$T/out")" = "zoom=3 region=1,4,31,24|NULL|" ]'
