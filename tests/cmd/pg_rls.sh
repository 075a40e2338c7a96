# The PostgreSQL schema's security model (core/schema_pg.c), tried from
# outside with psql as real OS users over peer authentication, the way a
# member with a shell would try it: a labeler reads others' labels, notes,
# the counts on items, adjudications, gold and the audit; changes or
# deletes history; labels under another name; a non-member reads anything;
# an admin changes history or the tables' triggers.  Every attempt is
# refused by the server, with the error checked, and the paths accord
# needs work.  Also: the derived tables the triggers keep hold what
# SQLite's triggers give for the same label rows, and item_labels is byte
# for byte what label_pack writes.  Until `accord init URI` exists the
# schema is loaded by tests/pg/schema_sql and psql as the superuser.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/pglib.sh"

need_commands sqlite3 awk cmp
SCHEMA_SQL=$ROOT/build/asan/pg/schema_sql
[ -x "$SCHEMA_SQL" ] || skip_all "build $SCHEMA_SQL first (make build/asan/pg/schema_sql)"
pg_start

L1=$(test_user lab1)
L2=$(test_user lab2)
SME=$(test_user sme)
ADM=$(test_user adm)
EX=$(test_user ex)
OUT=$(test_user out)
pg_login "$L1" "$L2" "$SME" "$ADM" "$EX" "$OUT" ||
	skip_all "members are tried as real OS users: $WHY"

# A database name that needs quoting everywhere: the role prefix is it.
PDB="acc-team's \"db\""
qi() { printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')"; }
OWNER=$("$SCHEMA_SQL" role "$PDB" owner)
MEMBER=$("$SCHEMA_SQL" role "$PDB" member)
K=1094931012	# SCHEMA_PG_WRITER_LOCK

super() { psql_as "$PG_SUPER" "$PDB" "$1"; }
# as_owner SQL: run as the project's owner role (what a migration does).
as_owner() { super "SET ROLE $OWNER; SET search_path = accord, pg_catalog; $1"; }

psql_as "$PG_SUPER" postgres "CREATE DATABASE $(qi "$PDB") ENCODING 'UTF8' TEMPLATE template0"
ok_if "a project database is created" rc_is 0
{
	echo "BEGIN;"
	"$SCHEMA_SQL" prepare "$PDB"
	echo "SET LOCAL ROLE $OWNER;"
	echo "SET LOCAL search_path = accord, pg_catalog;"
	"$SCHEMA_SQL" migrations
	"$SCHEMA_SQL" security "$PDB"
	echo "COMMIT;"
} >"$T_SHARED/init.sql"
chmod 644 "$T_SHARED/init.sql"
as "$PG_SUPER" psql -X -q -v ON_ERROR_STOP=1 -d "$PDB" \
	-f "$T_SHARED/init.sql" >"$T/out" 2>"$T/err"
RC=$?
ok_if "prepare, migrations and security load in one transaction, silently" \
	eval '[ "$RC" -eq 0 ] && ! [ -s "$T/err" ]'
# Nothing after this means anything without the schema.
[ "$RC" -eq 0 ] || exit 1
# The newest migration's number, as schema_sql bumps it.
LATEST=$("$SCHEMA_SQL" migrations | sed -n 's/^UPDATE schema_version SET version = \([0-9]*\);$/\1/p' | tail -n 1)
super "SELECT version FROM accord.schema_version"
ok_if "schema_version holds the newest migration's number ($LATEST)" \
	eval '[ -n "$LATEST" ] && [ "$LATEST" -ge 3 ] && out_has "^$LATEST\$"'
# Loading the security part again changes nothing and fails nothing.
{ echo "BEGIN; SET LOCAL ROLE $OWNER;"; "$SCHEMA_SQL" security "$PDB"; echo "COMMIT;"; } >"$T_SHARED/sec.sql"
chmod 644 "$T_SHARED/sec.sql"
as "$PG_SUPER" psql -X -q -v ON_ERROR_STOP=1 -d "$PDB" \
	-f "$T_SHARED/sec.sql" >"$T/out" 2>"$T/err"
RC=$?
ok_if "the security SQL can be run again" rc_is 0

# label_rows SEED N GUIDELINE "NAME...": N label rows on items 1 to 6 as
# INSERTs both dialects take, labelers drawn from the names, each row a
# class or (1 in 4, when the pair has a label in force) a withdrawal,
# superseding the pair's newest row; the same rows for the same SEED.
label_rows() {
	awk -v seed="$1" -v n="$2" -v g="$3" -v names="$4" 'BEGIN {
		k = split(names, who, " ")
		for (r = 1; r <= n; r++) {
			seed = (seed * 1103515245 + 12345) % 2147483648
			it = 1 + int(seed / 65536) % 6
			seed = (seed * 1103515245 + 12345) % 2147483648
			l = who[1 + int(seed / 65536) % k]
			seed = (seed * 1103515245 + 12345) % 2147483648
			c = 1 + int(seed / 65536) % 4
			p = it SUBSEP l
			if (c == 4 && held[p]) { cls = "NULL"; held[p] = 0 }
			else { if (c == 4) c = 1; cls = c; held[p] = 1 }
			printf "INSERT INTO labels (item, labeler, class, note, " \
			    "guideline, created_at, supersedes, origin, " \
			    "recorded_by) VALUES (%d, '\''%s'\'', %s, '\'''\'', %d, " \
			    "'\''t'\'', (SELECT max(id) FROM labels WHERE item = %d " \
			    "AND labeler = '\''%s'\''), '\''screen'\'', " \
			    "'\''f'\'');\n", it, l, cls, g, it, l
		}
	}'
}

# -- The derived state against SQLite's, for the same rows. ----------------
# Rows both dialects accept; 80 label rows by four labelers (one name with
# the packing's own separators and a two-byte letter) on 6 items in 2
# batches, with withdrawals of labels in force.
{
	echo "INSERT INTO batches (name, created_by, created_at) VALUES"
	echo "  ('b1', 'f', 't'), ('b2', 'f', 't');"
	echo "INSERT INTO classes (name, key, position) VALUES ('cat', 'c', 1),"
	echo "  ('dog', 'd', 2), ('unsure', 'u', 3);"
	echo "INSERT INTO guidelines (version, text, author, created_at, reason)"
	echo "  VALUES (1, 'g', 'f', 't', 'init');"
	for i in 1 2 3 4 5 6; do
		b=1
		[ $i -gt 4 ] && b=2
		echo "INSERT INTO items (sha256, path, kind, format, bytes, batch,"
		echo "  imported_by, imported_at) VALUES ('$(printf %064d $i)',"
		echo "  '/m/$i.png', 'image', 'png', 10, $b, 'f', 't');"
	done
	label_rows 7 80 1 "ann bo zoë c,d;1:x"
} >"$T_SHARED/rows.sql"
chmod 644 "$T_SHARED/rows.sql"
"$SCHEMA_SQL" sqlite-migrations >"$T/sqlite.sql"
sqlite3 -batch "$T/ref.db" <"$T/sqlite.sql" >/dev/null &&
	sqlite3 -batch "$T/ref.db" <"$T_SHARED/rows.sql"
ok_if "the same rows load into a SQLite store of schema 5" rc_is 0
as "$PG_SUPER" psql -X -q -v ON_ERROR_STOP=1 -d "$PDB" -c "SET ROLE $OWNER" \
	-c "SET search_path = accord, pg_catalog" -f "$T_SHARED/rows.sql" \
	>"$T/out" 2>"$T/err"
RC=$?
ok_if "the same rows load into PostgreSQL as the owner" rc_is 0

DERIVED="item_labelers:SELECT item, n, batch FROM item_labelers ORDER BY item
item_labels:SELECT item, rows FROM item_labels ORDER BY item
queue_levels:SELECT batch, n, items FROM queue_levels ORDER BY batch, n
labeler_levels:SELECT labeler, batch, n, items FROM labeler_levels ORDER BY labeler, batch, n
labeler_rows:SELECT labeler, rows FROM labeler_rows ORDER BY labeler
current_labels:SELECT item, labeler, class FROM current_labels ORDER BY item, labeler"
echo "$DERIVED" | while IFS=: read -r name q; do
	sqlite3 -batch -noheader "$T/ref.db" "$q" >"$T/lite.$name"
	super "SET search_path = accord, pg_catalog; $q"
	cp "$T/out" "$T/pg.$name"
	if [ -s "$T/lite.$name" ] && cmp -s "$T/lite.$name" "$T/pg.$name"; then
		pass "derived $name is SQLite's ($(wc -l <"$T/pg.$name") rows)"
	else
		fail "derived $name is SQLite's" "$(diff "$T/lite.$name" "$T/pg.$name" | head -n 6 | tr '\n' '|')"
	fi
done
# derived_rebuild makes the same again from labels and items, set by set
# (levels nobody is at aside), from nothing (as after rows copied in
# without triggers) and over what is there (run twice).
super "SET session_replication_role = replica; DELETE FROM accord.item_labels; DELETE FROM accord.item_labelers; DELETE FROM accord.queue_levels; DELETE FROM accord.labeler_levels; DELETE FROM accord.labeler_rows; RESET session_replication_role; SELECT count(*) FROM accord.item_labelers"
ok_if "the derived tables are emptied (triggers off)" out_has '^0$'
super "SELECT accord.derived_rebuild(); SELECT accord.derived_rebuild()"
ok_if "derived_rebuild runs (as the owner, through the superuser)" rc_is 0
echo "$DERIVED" | sed 's/ FROM queue_levels / FROM queue_levels WHERE items <> 0 /; s/ FROM labeler_levels / FROM labeler_levels WHERE items <> 0 /' |
while IFS=: read -r name q; do
	sqlite3 -batch -noheader "$T/ref.db" "$q" >"$T/lite.$name"
	super "SET search_path = accord, pg_catalog; $q"
	if [ -s "$T/lite.$name" ] && cmp -s "$T/lite.$name" "$T/out"; then
		pass "rebuilt $name is SQLite's ($(wc -l <"$T/out") rows)"
	else
		fail "rebuilt $name is SQLite's" "$(diff "$T/lite.$name" "$T/out" | head -n 6 | tr '\n' '|')"
	fi
done
super "SELECT count(*) FROM accord.labels WHERE class IS NULL"
ok_if "the rows include withdrawals" eval '[ "$(cat "$T/out")" -gt 0 ]'

# item_labels.rows, byte for byte label_pack's (core/label.c) of the rows.
super "SELECT item, id, coalesce(class, 0), guideline, labeler FROM accord.labels ORDER BY item, id"
cp "$T/out" "$T/rows.txt"
packs=0 bad=
for i in 1 2 3 4 5 6; do
	sed -n "s/^$i|//p" "$T/rows.txt" | "$SCHEMA_SQL" pack >"$T/want"
	super "SELECT rows FROM accord.item_labels WHERE item = $i"
	printf '%s' "$(cat "$T/out")" >"$T/got"
	[ -s "$T/want" ] && cmp -s "$T/want" "$T/got" &&
		packs=$((packs + 1)) || bad="$bad $i"
done
ok_if "item_labels.rows is label_pack's, byte for byte, on every item" \
	eval '[ "$packs" -eq 6 ] && [ -z "$bad" ]'
super "SELECT rows FROM accord.item_labels WHERE rows LIKE '%,4:zoë;%' LIMIT 1"
ok_if "a name's length is counted in bytes (zoë is 4)" out_has 'zoë'

# -- Fixture for the members. -------------------------------------------------
as_owner "INSERT INTO members (\"user\", role, active, changed_by, changed_at) VALUES
  ('$L1', 'labeler', 1, 'f', 't'), ('$L2', 'labeler', 1, 'f', 't'),
  ('$SME', 'sme', 1, 'f', 't'), ('$ADM', 'admin', 1, 'f', 't'),
  ('$EX', 'labeler', 1, 'f', 't'), ('$EX', 'labeler', 0, 'f', 't');
INSERT INTO settings (key, value, set_by, set_at) VALUES ('overlap', '2', 'f', 't');
INSERT INTO labels (item, labeler, class, note, guideline, created_at, origin, recorded_by)
  VALUES (1, '$L2', 2, 'secret-of-lab2', 1, 't', 'screen', '$L2');
INSERT INTO labels (item, labeler, class, note, guideline, created_at, origin, recorded_by)
  VALUES (2, '$L1', 1, 'mine-of-lab1', 1, 't', 'screen', '$L1');
INSERT INTO adjudications (item, class, status, \"user\", guideline, created_at)
  VALUES (1, 2, 'class', '$SME', 1, 't');
INSERT INTO gold (item, class, \"user\", created_at) VALUES (3, 1, '$SME', 't');
INSERT INTO comments (item, \"user\", text, created_at) VALUES (1, '$SME', 'c', 't');
INSERT INTO audit (at, \"user\", action, detail) VALUES ('t', '$ADM', 'init', '');
INSERT INTO tags (item, \"user\", tag, created_at) VALUES (1, '$L2', 'blurry', 't');
INSERT INTO leases (item, \"user\", expires_at) VALUES (4, '$L2', 4e9);
INSERT INTO prediction_runs (name, file, sha256, imported_by, imported_at)
  VALUES ('m1', 'p.csv', 'x', '$SME', 't');
INSERT INTO predictions (run, item, class, score) VALUES (1, 1, 1, 0.5);
INSERT INTO label_imports (file, sha256, rows, imported_by, imported_at)
  VALUES ('l.csv', 'x', 0, '$ADM', 't');
INSERT INTO item_meta (item, key, value, value_type, value_num, source, created_at)
  VALUES (1, 'site', 'north', 'text', NULL, 'csv:m.csv', 't'),
         (1, 'snr', '12.5', 'real', 12.5, 'metric', 't')"
ok_if "the members' fixture loads as the owner" rc_is 0
grants="GRANT $MEMBER TO $(qi "$L1"), $(qi "$L2"), $(qi "$SME"), $(qi "$ADM"), $(qi "$EX")"
super "$grants"
ok_if "members' logins are granted the member role" rc_is 0

# refused NAME USER SQL PATTERN: the server refuses SQL as USER, with an
# error matching PATTERN (grep -E).
refused() {
	psql_as "$2" "$PDB" "SET search_path = accord, pg_catalog; $3"
	if [ "$RC" -ne 0 ] && grep -Eq -- "$4" "$T/err"; then
		pass "$1"
	else
		fail "$1" "rc=$RC out=$(head -c 200 "$T/out" | tr '\n' '|') err=$(head -c 300 "$T/err" | tr '\n' '|')"
	fi
}
# gives NAME USER SQL WANT: SQL as USER succeeds and prints exactly WANT.
gives() {
	psql_as "$2" "$PDB" "SET search_path = accord, pg_catalog; $3"
	if [ "$RC" -eq 0 ] && [ "$(cat "$T/out")" = "$4" ]; then
		pass "$1"
	else
		fail "$1" "rc=$RC want '$4' got '$(head -c 200 "$T/out" | tr '\n' '|')' err=$(head -c 300 "$T/err" | tr '\n' '|')"
	fi
}
DENIED='permission denied'
RLS='violates row-level security policy'
NEEDS_SME='permission denied: reading [a-z_]+ needs the sme role'

# -- A labeler. -------------------------------------------------------------
gives "a labeler's role is labeler (my_role)" "$L1" "SELECT my_role()" labeler
gives "a labeler reads only its own labels" "$L1" \
	"SELECT count(*), count(*) FILTER (WHERE labeler <> session_user) FROM labels" "1|0"
gives "a labeler reads no other's note" "$L1" \
	"SELECT count(*) FROM labels WHERE note = 'secret-of-lab2' OR labeler = '$L2'" 0
gives "current_labels (a view) shows a labeler only its own" "$L1" \
	"SELECT string_agg(labeler || ':' || note, ',') FROM current_labels" "$L1:mine-of-lab1"
for t in item_labelers item_labels queue_levels labeler_levels adjudications \
	gold comments audit predictions prediction_runs label_imports; do
	refused "a labeler may not read $t" "$L1" "SELECT count(*) FROM $t" "$NEEDS_SME"
done
gives "a labeler reads its own labeler_rows only" "$L1" \
	"SELECT string_agg(labeler, ',') FROM labeler_rows" "$L1"
gives "a labeler reads no other's tags" "$L1" "SELECT count(*) FROM tags" 0
gives "a labeler reads no other's leases" "$L1" "SELECT count(*) FROM leases" 0
gives "a labeler reads items, metadata, classes, settings, members" "$L1" \
	"SELECT (SELECT count(*) FROM items) || ',' || (SELECT count(*) FROM current_meta) || ',' || (SELECT count(*) FROM classes) || ',' || (SELECT count(*) FROM settings) || ',' || (SELECT count(*) FROM current_members)" "6,2,3,1,4"
refused "a labeler may not UPDATE its own label" "$L1" \
	"UPDATE labels SET class = 2 WHERE labeler = session_user" "$DENIED for table labels"
refused "a labeler may not DELETE its own label" "$L1" \
	"DELETE FROM labels WHERE labeler = session_user" "$DENIED for table labels"
refused "a labeler may not TRUNCATE labels" "$L1" "TRUNCATE labels" "$DENIED for table labels"
refused "a labeler may not UPDATE item_labelers" "$L1" \
	"UPDATE item_labelers SET n = 0" "$DENIED for table item_labelers"
refused "a labeler may not INSERT a label under another's name" "$L1" \
	"INSERT INTO labels (item, labeler, class, guideline, created_at, origin, recorded_by) VALUES (3, '$L2', 1, 1, 't', 'screen', '$L1')" "$RLS"
# Item 1 has a label of lab2's: the refusal must not depend on it.
refused "a label under another's name is refused before its rows are looked at (no supersedes)" "$L1" \
	"INSERT INTO labels (item, labeler, class, guideline, created_at, origin, recorded_by) VALUES (1, '$L2', 1, 1, 't', 'screen', '$L1')" "$RLS"
refused "a label under another's name is refused before its rows are looked at (a withdrawal)" "$L1" \
	"INSERT INTO labels (item, labeler, class, guideline, created_at, origin, recorded_by) VALUES (1, '$L2', NULL, 1, 't', 'screen', '$L1')" "$RLS"
refused "a labeler may not INSERT a label recorded by another" "$L1" \
	"INSERT INTO labels (item, labeler, class, guideline, created_at, origin, recorded_by) VALUES (3, '$L1', 1, 1, 't', 'screen', '$L2')" "$RLS"
refused "a labeler may not INSERT an imported label row" "$L1" \
	"INSERT INTO labels (item, labeler, class, guideline, created_at, origin, recorded_by) VALUES (3, '$L1', 1, 1, 't', 'import', '$L1')" "$RLS"
refused "a labeler may not choose a label's id" "$L1" \
	"INSERT INTO labels (id, item, labeler, class, guideline, created_at, origin, recorded_by) VALUES (1000000, 3, '$L1', 1, 1, 't', 'screen', '$L1')" "$DENIED for table labels"
refused "a label row must supersede its pair's newest row" "$L1" \
	"INSERT INTO labels (item, labeler, class, guideline, created_at, origin, recorded_by) VALUES (2, '$L1', 1, 1, 't', 'screen', '$L1')" "supersedes its pair's newest row"
refused "a labeler may not withdraw a label it does not have" "$L1" \
	"INSERT INTO labels (item, labeler, class, guideline, created_at, origin, recorded_by) VALUES (5, '$L1', NULL, 1, 't', 'screen', '$L1')" "no label in force to withdraw"
refused "a labeler may not make itself admin" "$L1" \
	"INSERT INTO members (\"user\", role, active, changed_by, changed_at) VALUES (session_user, 'admin', 1, session_user, 't')" "$RLS"
refused "a labeler may not write settings" "$L1" \
	"INSERT INTO settings (key, value, set_by, set_at) VALUES ('overlap', '1', session_user, 't')" "$RLS"
refused "a labeler may not adjudicate" "$L1" \
	"INSERT INTO adjudications (item, class, status, \"user\", guideline, created_at) VALUES (1, 1, 'class', session_user, 1, 't')" "$RLS"
refused "a labeler may not write a lease directly" "$L1" \
	"INSERT INTO leases (item, \"user\", expires_at) VALUES (1, session_user, 1e12)" "$DENIED for table leases"
refused "a labeler may not tag under another's name" "$L1" \
	"INSERT INTO tags (item, \"user\", tag, created_at) VALUES (1, '$L2', 'x', 't')" "$RLS"
refused "a labeler may not write audit rows under another's name" "$L1" \
	"INSERT INTO audit (at, \"user\", action, detail) VALUES ('t', '$ADM', 'x', '')" "$RLS"
refused "a labeler may not make a temporary table (no shadowing)" "$L1" \
	"CREATE TEMP TABLE members (\"user\" text, role text, active int, id int)" "$DENIED to create temporary tables"
refused "a labeler may not become the owner role" "$L1" "SET ROLE $OWNER" "$DENIED to set role"
refused "a labeler may not create objects in schema accord" "$L1" \
	"CREATE TABLE accord.x (a int)" "$DENIED for schema accord"
refused "a labeler may not call the owner's ids_sync" "$L1" "SELECT ids_sync()" "$DENIED for function ids_sync"
refused "an admin may not call the owner's derived_rebuild" "$ADM" "SELECT derived_rebuild()" "$DENIED for function derived_rebuild"
refused "a labeler may not read the sequences" "$L1" \
	"SELECT last_value FROM labels_id_seq" "$DENIED for (sequence|table) labels_id_seq"

# What a labeler may do.
gives "a labeler inserts its own label and reads it back" "$L1" \
	"INSERT INTO labels (item, labeler, class, note, guideline, created_at, origin, recorded_by) VALUES (3, session_user, 1, 'n3', 1, 't', 'screen', session_user); SELECT class || ':' || note FROM current_labels WHERE item = 3" "1:n3"
super "SELECT n FROM accord.item_labelers WHERE item = 3"
ok_if "its label moved item 3's count (as the owner's trigger)" eval \
	'[ "$(cat "$T/out")" = "$(sqlite3 "$T/ref.db" "SELECT n + 1 FROM item_labelers WHERE item = 3")" ]'
gives "a labeler withdraws its own label" "$L1" \
	"INSERT INTO labels (item, labeler, class, guideline, created_at, supersedes, origin, recorded_by) VALUES (3, session_user, NULL, 1, 't', (SELECT max(id) FROM labels WHERE item = 3 AND labeler = session_user), 'screen', session_user); SELECT count(*) FROM current_labels WHERE item = 3" 0
gives "a labeler tags and audits under its own name" "$L1" \
	"INSERT INTO tags (item, \"user\", tag, created_at) VALUES (1, session_user, 'dark', 't'); INSERT INTO audit (at, \"user\", action, detail) VALUES ('t', session_user, 'refused', 'x'); SELECT tag FROM tags" dark
gives "a labeler takes and drops a lease through the functions" "$L1" \
	"SELECT lease_put(2, 300) > lease_now(); SELECT item FROM leases; SELECT lease_drop(2); SELECT count(*) FROM leases" "t
2

0"
refused "a lease is at most an hour" "$L1" "SELECT lease_put(2, 1e9)" "a lease lasts"

# -- A member no longer in force, and a non-member. -------------------------
refused "a removed member (inactive row) reads nothing" "$EX" \
	"SELECT count(*) FROM items" "not a member of this project"
refused "a removed member cannot take a lease" "$EX" \
	"SELECT lease_put(1, 60)" "not a member of this project"
refused "a removed member may not label" "$EX" \
	"INSERT INTO labels (item, labeler, class, guideline, created_at, origin, recorded_by) VALUES (6, session_user, 1, 1, 't', 'screen', session_user)" "$RLS"
refused "a non-member may not even connect" "$OUT" "SELECT 1" "$DENIED for database"
super "GRANT CONNECT ON DATABASE $(qi "$PDB") TO $(qi "$OUT")"
for t in labels items members settings; do
	refused "a non-member let in still may not read $t" "$OUT" \
		"SELECT count(*) FROM accord.$t" "$DENIED for schema accord"
done
refused "a non-member may not call my_role" "$OUT" "SELECT accord.my_role()" "$DENIED for schema accord"
super "REVOKE CONNECT ON DATABASE $(qi "$PDB") FROM $(qi "$OUT")"

# -- An SME. ------------------------------------------------------------------
super "SELECT count(*) FROM accord.labels"
all=$(cat "$T/out")
gives "an SME reads every label" "$SME" "SELECT count(*) FROM labels" "$all"
gives "an SME reads others' notes" "$SME" \
	"SELECT note FROM labels WHERE labeler = '$L2'" secret-of-lab2
gives "an SME reads the counts, gold, audit and predictions" "$SME" \
	"SELECT (SELECT count(*) FROM item_labelers) || ',' || (SELECT count(*) FROM gold) || ',' || (SELECT count(*) > 0 FROM audit) || ',' || (SELECT count(*) FROM predictions)" "6,1,true,1"
gives "an SME adjudicates, comments and adds gold under its name" "$SME" \
	"INSERT INTO adjudications (item, class, status, \"user\", guideline, created_at) VALUES (2, 1, 'class', session_user, 1, 't'); INSERT INTO comments (item, \"user\", text, created_at) VALUES (2, session_user, 'x', 't'); INSERT INTO gold (item, class, \"user\", created_at) VALUES (4, 2, session_user, 't'); SELECT count(*) FROM adjudications" 2
refused "an SME may not adjudicate under another's name" "$SME" \
	"INSERT INTO adjudications (item, class, status, \"user\", guideline, created_at) VALUES (2, 1, 'class', '$ADM', 1, 't')" "$RLS"
refused "an SME may not change an adjudication" "$SME" \
	"UPDATE adjudications SET class = 2" "$DENIED for table adjudications"
refused "an SME may not add members" "$SME" \
	"INSERT INTO members (\"user\", role, active, changed_by, changed_at) VALUES ('$L2', 'sme', 1, session_user, 't')" "$RLS"
gives "an SME writes the next guideline" "$SME" \
	"INSERT INTO guidelines (version, text, author, created_at, reason) VALUES (2, 'g2', session_user, 't', 'r'); SELECT max(version) FROM guidelines" 2
refused "a guideline version must be the next one" "$SME" \
	"INSERT INTO guidelines (version, text, author, created_at, reason) VALUES (99, 'g', session_user, 't', 'r')" "not the next one"
refused "a labeler labels under the guideline in force only" "$L1" \
	"INSERT INTO labels (item, labeler, class, guideline, created_at, origin, recorded_by) VALUES (6, session_user, 1, 1, 't', 'screen', session_user)" "guideline in force, not 1"
gives "a labeler labels under the new guideline" "$L1" \
	"INSERT INTO labels (item, labeler, class, guideline, created_at, origin, recorded_by) VALUES (6, session_user, 1, 2, 't', 'screen', session_user); SELECT guideline FROM current_labels WHERE item = 6" 2
# Planner statistics would show others' values (pg_stats hides the tables
# whose rows a policy filters for the reader).
super "ANALYZE; SELECT count(*) > 0 FROM pg_stats WHERE schemaname = 'accord' AND tablename = 'labels'"
ok_if "the superuser sees the statistics of labels" out_has '^t$'
gives "a labeler sees no statistics of the project's tables" "$L1" \
	"SELECT count(*) FROM pg_stats WHERE schemaname = 'accord'" 0

# -- An admin. ----------------------------------------------------------------
refused "an admin may not UPDATE labels" "$ADM" "UPDATE labels SET class = 1" "$DENIED for table labels"
refused "an admin may not DELETE labels" "$ADM" "DELETE FROM labels" "$DENIED for table labels"
refused "an admin may not DELETE audit rows" "$ADM" "DELETE FROM audit" "$DENIED for table audit"
refused "an admin may not disable the append-only trigger" "$ADM" \
	"ALTER TABLE labels DISABLE TRIGGER labels_no_update" "must be owner of table labels"
refused "an admin may not turn row-level security off" "$ADM" \
	"ALTER TABLE labels NO FORCE ROW LEVEL SECURITY" "must be owner of table labels"
refused "an admin may not drop a policy" "$ADM" \
	"DROP POLICY member_read ON labels" "must be owner of (table|relation) labels"
refused "an admin may not drop a table" "$ADM" "DROP TABLE audit" "must be owner of table audit"
refused "an admin may not replace my_role" "$ADM" \
	"CREATE OR REPLACE FUNCTION accord.my_role() RETURNS text LANGUAGE sql AS 'SELECT ''admin'''" "$DENIED for schema accord|must be owner"
refused "an admin may not give itself the owner role" "$ADM" "GRANT $OWNER TO CURRENT_USER" "must have admin option on role|$DENIED to grant role"
# Logins are made members through member_login, which runs as the
# project's role manager: admins hold no CREATEROLE (in PostgreSQL 15 it
# would let them grant themselves the owner role).
NEWL=$(test_user newl)
gives "an admin makes a member's login (created, granted)" "$ADM" \
	"SELECT member_login('$NEWL', true); SELECT rolcanlogin AND NOT rolcreaterole AND pg_has_role('$NEWL', (SELECT member_role FROM project_roles), 'MEMBER') FROM pg_roles WHERE rolname = '$NEWL'" "
t"
gives "an admin ends a member's login" "$ADM" \
	"SELECT member_login('$NEWL', false); SELECT count(*) FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.member WHERE r.rolname = '$NEWL'" "
0"
super "DROP ROLE IF EXISTS \"$NEWL\""
refused "an SME may not make logins" "$SME" "SELECT member_login('x', true)" "needs the admin role"
refused "a labeler may not make logins" "$L1" "SELECT member_login('x', true)" "needs the admin role"
refused "member_login refuses the project's own roles" "$ADM" "SELECT member_login(owner_role, true) FROM project_roles" "no member login may be named"
refused "member_login refuses a superuser" "$ADM" "SELECT member_login('$PG_SUPER', true)" "is a superuser"
refused "member_login refuses a group role" "$ADM" "SELECT member_login('pg_read_all_data', true)" "cannot log in"
gives "an admin adds a member and a setting" "$ADM" \
	"INSERT INTO members (\"user\", role, active, changed_by, changed_at) VALUES ('$OUT', 'labeler', 1, session_user, 't'); INSERT INTO settings (key, value, set_by, set_at) VALUES ('overlap', '3', session_user, 't'); SELECT count(*) FROM current_members" 5
gives "an admin records imported labels under the file's names" "$ADM" \
	"INSERT INTO labels (item, labeler, class, guideline, created_at, origin, label_import, recorded_by) VALUES (6, 'someone', 1, 1, 't', 'import', 1, session_user); SELECT count(*) FROM labels WHERE labeler = 'someone'" 1
refused "an admin may not record labels under another recorder" "$ADM" \
	"INSERT INTO labels (item, labeler, class, guideline, created_at, origin, label_import, recorded_by) VALUES (5, 'someone', 1, 1, 't', 'import', 1, '$SME')" "$RLS"

# -- History refuses change even past the grants (the superuser). ------------
super "UPDATE accord.labels SET note = 'x'"
ok_if "UPDATE of labels fails even for the superuser (trigger)" err_has "labels rows are never changed"
super "DELETE FROM accord.members"
ok_if "DELETE of members fails even for the superuser (trigger)" err_has "members rows are never deleted"
super "TRUNCATE accord.audit"
ok_if "TRUNCATE of audit fails even for the superuser (trigger)" err_has "audit rows are never deleted"

# -- Ids in commit order: the writer lock comes before the id. ---------------
# A writer holding the lock inserts after one that waits for it started
# its INSERT; the waiter's id must still be the larger.
( as "$PG_SUPER" psql -X -q -At -v ON_ERROR_STOP=1 -d "$PDB" -c "BEGIN" \
	-c "SELECT pg_advisory_xact_lock($K)" -c "SELECT pg_sleep(1.5)" \
	-c "INSERT INTO accord.comments (item, \"user\", text, created_at) VALUES (1, 'x', 'first', 't')" \
	-c "COMMIT" >/dev/null 2>"$T/err.first" ) &
sleep 0.5
as "$PG_SUPER" psql -X -q -At -v ON_ERROR_STOP=1 -d "$PDB" \
	-c "INSERT INTO accord.comments (item, \"user\", text, created_at) VALUES (1, 'x', 'second', 't')" \
	>/dev/null 2>"$T/err"
wait
super "SELECT string_agg(text, ',' ORDER BY id) FROM accord.comments WHERE text IN ('first', 'second')"
ok_if "a writer waiting for the lock gets its id after the holder's" out_has '^first,second$'

# -- Labelers at once: the derived tables stay what the labels say. ---------
# Four writers label the same six items, one row a transaction, with
# withdrawals; afterwards the derived tables are what derived_rebuild
# makes from the labels, and every item's packed rows rise.
for w in 1 2 3 4; do
	label_rows $((w * 7)) 60 2 "w$w" >"$T_SHARED/w$w.sql"
	chmod 644 "$T_SHARED/w$w.sql"
done
for w in 1 2 3 4; do
	as "$PG_SUPER" psql -X -q -v ON_ERROR_STOP=1 -d "$PDB" -c "SET ROLE $OWNER" \
		-c "SET search_path = accord, pg_catalog" -f "$T_SHARED/w$w.sql" \
		>/dev/null 2>"$T/err.w$w" &
done
wait
ok_if "four writers at once: every label row is written" eval \
	'! [ -s "$T/err.w1" ] && ! [ -s "$T/err.w2" ] && ! [ -s "$T/err.w3" ] && ! [ -s "$T/err.w4" ]'
NONZERO=$(echo "$DERIVED" | sed 's/ FROM queue_levels / FROM queue_levels WHERE items <> 0 /; s/ FROM labeler_levels / FROM labeler_levels WHERE items <> 0 /')
echo "$NONZERO" | while IFS=: read -r name q; do
	super "SET search_path = accord, pg_catalog; $q"
	cp "$T/out" "$T/live.$name"
done
super "SELECT accord.derived_rebuild()"
echo "$NONZERO" | while IFS=: read -r name q; do
	super "SET search_path = accord, pg_catalog; $q"
	if cmp -s "$T/live.$name" "$T/out"; then
		pass "after writers at once, $name is what the labels say"
	else
		fail "after writers at once, $name is what the labels say" "$(diff "$T/live.$name" "$T/out" | head -n 6 | tr '\n' '|')"
	fi
done

# The schema is the owner's, and no login can act as the owner.
super "SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = 'accord' AND pg_get_userbyid(c.relowner) <> '$(printf '%s' "$PDB" | sed "s/'/''/g")_owner'"
ok_if "every object in schema accord is the owner role's" out_has '^0$'
super "SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = 'accord' AND c.relkind = 'r' AND NOT (c.relrowsecurity AND c.relforcerowsecurity)"
ok_if "every table has row-level security on and forced" out_has '^0$'
super "SELECT count(*) FROM information_schema.role_table_grants WHERE table_schema = 'accord' AND privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER', 'REFERENCES') AND grantee <> '$(printf '%s' "$PDB" | sed "s/'/''/g")_owner'"
ok_if "nobody but the owner holds UPDATE, DELETE, TRUNCATE, TRIGGER or REFERENCES" out_has '^0$'

# A labeler holds at most 64 leases: 64 more items in a batch of their own.
as_owner "INSERT INTO batches (name, created_by, created_at) VALUES ('b3', 'f', 't');
INSERT INTO items (sha256, path, kind, format, bytes, batch, imported_by, imported_at)
  SELECT lpad(g::text, 64, 'f'), '/m/x' || g, 'image', 'png', 1, 3, 'f', 't' FROM generate_series(1, 64) g"
gives "a labeler takes 64 leases, and renews one" "$L1" \
	"SELECT count(lease_put(id, 60)) FROM items WHERE batch = 3; SELECT lease_put((SELECT min(id) FROM items WHERE batch = 3), 60) > 0" "64
t"
refused "a labeler may not hold a 65th lease" "$L1" "SELECT lease_put(1, 60)" "holds 64 leases"

# A project whose owner role a login can already act as is not set up.
psql_as "$PG_SUPER" postgres "CREATE DATABASE taken ENCODING 'UTF8' TEMPLATE template0"
psql_as "$PG_SUPER" postgres "CREATE ROLE taken_owner NOLOGIN; GRANT taken_owner TO \"$L1\""
{ echo "BEGIN;"; "$SCHEMA_SQL" prepare taken; echo "COMMIT;"; } >"$T_SHARED/taken.sql"
chmod 644 "$T_SHARED/taken.sql"
as "$PG_SUPER" psql -X -q -v ON_ERROR_STOP=1 -d taken -f "$T_SHARED/taken.sql" \
	>"$T/out" 2>"$T/err"
RC=$?
ok_if "prepare refuses an owner role a login is a member of" \
	eval '[ "$RC" -ne 0 ] && grep -q "taken_owner exists and can log in or has members" "$T/err"'
