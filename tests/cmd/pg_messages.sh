# The "no such X" suggestions on a PostgreSQL store (issue 18): the lists
# come from the same queries as on SQLite (include/accord/suggest.h), and
# PostgreSQL reads some of them differently ("user" unquoted is the
# current role).  tests/cmd/messages.sh has the SQLite side.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/pglib.sh"

need_commands psql
pg_start
chmod 777 "$T"

URI="postgresql:///msg?host=$PGHOST&port=$PGPORT"
acc() { as "$PG_SUPER" "$ACCORD" "$@"; }
psql_as "$PG_SUPER" postgres "CREATE DATABASE msg"
[ "$RC" -eq 0 ] || { fail "CREATE DATABASE msg" "$(cat "$T/err")"; exit 1; }
mkdir "$T_SHARED/img"
cp "$ROOT/assets/demo/images/img_00"[1-4].jpg "$T_SHARED/img/"
chmod -R a+rX "$T_SHARED"

# says WANT: the last run failed with one line on stderr holding WANT.
says() { [ "$RC" -eq 1 ] && err_lines 1 && grep -qF -- "$1" "$T/err"; }

run acc init "$URI" --task t --media image --classes ok,scratch,dent
ok_if "init on PostgreSQL" rc_is 0
run acc import "$URI" "$T_SHARED/img" --batch week1
ok_if "import on PostgreSQL" rc_is 0
run acc adjudicate "$URI" 1 --class scrath
ok_if "PostgreSQL: adjudicate --class scrath: did you mean scratch" \
    says "did you mean 'scratch'? classes: ok, scratch, dent"
run acc drift "$URI" --from week1 --to wek1
ok_if "PostgreSQL: drift: did you mean week1, the batches" \
    says "no import batch named 'wek1' (did you mean 'week1'? import batches: week1)"
run acc items "$URI" --where brightnes=1
ok_if "PostgreSQL: items --where: did you mean brightness, the keys" \
    says "did you mean 'brightness'? keys: kind, format, batch, sha256, path, brightness"
run acc member "$URI" remove "${PG_SUPER}x"
ok_if "PostgreSQL: member remove: the members, not the current role" \
    says "no member named '${PG_SUPER}x' (did you mean '$PG_SUPER'? members: $PG_SUPER)"
run acc guideline "$URI" show --version 7
ok_if "PostgreSQL: guideline show --version 7: the versions" \
    says "no guideline version 7 (versions: 1)"
run acc errors "$URI" --run nosuch
ok_if "PostgreSQL: errors --run: there are no runs" \
    says "there are no prediction runs"
