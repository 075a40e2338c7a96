# accord copy SRC DST: a whole project with its history, between any two
# stores (SQLite file, PostgreSQL database of a throwaway cluster,
# tests/pglib.sh).  The demo project with history (labels imported and
# then superseded, a withdrawn label, two guideline versions,
# adjudications of each kind, comments, tags, gold, a prediction run,
# members, a setting changed) goes SQLite -> SQLite, SQLite -> PostgreSQL,
# PostgreSQL -> PostgreSQL and PostgreSQL -> SQLite: check passes on each
# copy, and status, agree, labels dump, export, items, gold, guideline and
# errors print the same on the copy as on the original; the copy back to
# SQLite holds the original's rows, ids and value types.  A DST that exists
# (a file, a database with a project, a planted -wal), that cannot be
# reached, a SRC that is not a project and a copier without the role are
# refused in one line with nothing written; a copy killed (SIGKILL) while
# it runs leaves no DST file, or an empty database.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/pglib.sh"

need_commands psql sqlite3 cmp sed awk
pg_start
L1=$(test_user l1)
SME=$(test_user sme)
pg_login "$L1" "$SME" || skip_all "members are real OS users: $WHY"
chmod 777 "$T"
S=$ROOT/assets/demo
uri() { echo "postgresql:///$1?host=$PGHOST&port=$PGPORT"; }
# accord as the cluster's superuser, the DBA, who made the projects.
acc() { as "$PG_SUPER" "$ACCORD" "$@"; }
q() { psql_as "$PG_SUPER" "$1" "$2"; cat "$T/out"; }

# The original, on SQLite, with history in every table.
A=$T/a.accord
acc init "$A" --task defects --media image --classes ok,scratch,dent \
	--borderline unsure --overlap 3 --guideline "$S/guideline-images.md" \
	>/dev/null &&
	acc import "$A" "$S/images" --meta "$S/images.csv" --batch demo >/dev/null &&
	acc labels import "$A" "$S/labels-images.csv" >/dev/null ||
	{ fail "the demo project"; exit 1; }
chmod 666 "$A"
acc member "$A" add "$L1" --role labeler >/dev/null &&
	acc member "$A" add "$SME" --role sme >/dev/null &&
	acc config "$A" gold-rate 0.1 >/dev/null || fail "members and settings"
sed 's/## scratch/## scratch\nAny line across the brushing is a scratch./' \
	"$S/guideline-images.md" >"$T_SHARED/g2.md"
chmod 644 "$T_SHARED/g2.md"
acc guideline "$A" edit --file "$T_SHARED/g2.md" --reason "faint lines" >/dev/null ||
	fail "guideline v2"
# Media kept in the store (import --store-media: media_blobs and
# media_chunks, bytes with NULs in them), one content under two names.
mkdir -p "$T_SHARED/kept"
convert -size 300x200 xc:gray40 +noise Gaussian "$T_SHARED/kept/k1.png" &&
	convert -size 64x48 plasma:fractal "$T_SHARED/kept/k2.jpg" &&
	cp "$T_SHARED/kept/k1.png" "$T_SHARED/kept/k1-again.png" &&
	chmod -R a+rX "$T_SHARED/kept" &&
	acc import "$A" "$T_SHARED/kept" --batch kept --store-media >/dev/null ||
	fail "media kept in the store"
# Alice changes her mind on five items under v2 (superseding rows).
{ echo "file,labeler,class,seconds,note"
  grep -m5 ',alice,' "$S/labels-images.csv" |
	sed "s|^|$S/|; s/,alice,[a-z]*,\([^,]*\),.*/,alice,unsure,\1,changed her mind/"; } \
	>"$T_SHARED/relabel.csv"
chmod 644 "$T_SHARED/relabel.csv"
acc labels import "$A" "$T_SHARED/relabel.csv" >/dev/null || fail "relabels"
acc adjudicate "$A" 1 2 --class scratch --note "deep line" >/dev/null &&
	acc adjudicate "$A" 3 --ambiguous --note "can't tell" >/dev/null &&
	acc adjudicate "$A" 4 --relabel >/dev/null &&
	acc adjudicate "$A" 1 --class dent --note "on second look" >/dev/null ||
	fail "adjudications"
acc gold "$A" add 5 ok >/dev/null && acc gold "$A" add 6 dent >/dev/null &&
	acc gold "$A" remove 6 >/dev/null || fail "gold"
awk -F, -v s="$S" 'NR == 1 { print "file,class,score"; next }
	{ print s "/" $1 "," (NR % 3 ? "ok" : "dent") "," (NR % 7) / 7 }' \
	"$S/images.csv" >"$T_SHARED/pred.csv"
chmod 644 "$T_SHARED/pred.csv"
acc errors "$A" --predictions "$T_SHARED/pred.csv" --run m1 --bootstrap 0 \
	>/dev/null || fail "a prediction run"
# What only the screens write: a comment, tags, a withdrawn label; a NaN
# metric (NULL) and an integer metadata value beside the texts and reals;
# a lease.
sqlite3 "$A" "
INSERT INTO comments (item, user, text, created_at) VALUES
  (1, '$SME', 'look at the corner', '2026-01-02T03:04:05.000Z'),
  (1, 'alice', 'it''s a \"dent\"', '2026-01-02T03:05:05.000Z');
INSERT INTO tags (item, user, tag, removed, created_at) VALUES
  (2, 'alice', 'blurry', 0, '2026-01-02T03:04:05.000Z'),
  (2, 'alice', 'blurry', 1, '2026-01-02T03:06:05.000Z');
INSERT INTO labels (item, labeler, class, note, guideline, seconds_spent,
  created_at, supersedes, origin, label_import, recorded_by, view)
  SELECT item, labeler, class, '', 2, 4.5, '2026-01-02T03:06:30.000Z', id,
  'screen', NULL, labeler, 'zoom=3 region=1,4,31,24 contrast=1.19'
  FROM labels WHERE labeler = 'alice' AND class IS NOT NULL
  ORDER BY id DESC LIMIT 1;
INSERT INTO labels (item, labeler, class, note, guideline, seconds_spent,
  created_at, supersedes, origin, label_import, recorded_by)
  SELECT item, labeler, NULL, '', 2, NULL, '2026-01-02T03:07:05.000Z', id,
  'screen', NULL, labeler FROM labels WHERE labeler = 'bob' AND item = 7
  ORDER BY id DESC LIMIT 1;
INSERT INTO item_meta (item, key, value, source, created_at) VALUES
  (8, 'sharpness', NULL, 'metric', '2026-01-02T03:04:05.000Z'),
  (8, 'shift', 3, 'csv', '2026-01-02T03:04:05.000Z');
INSERT INTO leases (item, user, expires_at) VALUES (9, 'bob', 1e12);" ||
	fail "rows of the screens"
run acc check "$A"
ok_if "the original passes check" rc_is 0
DB=$A ok_if "the original has a label with the view its labeler saw" \
	sql_is "SELECT count(*) FROM labels WHERE view LIKE 'zoom=3 %'" 1
AL=$(sqlite3 "$A" "SELECT count(*) FROM labels")
AI=$(sqlite3 "$A" "SELECT count(*) FROM items")
v=$(sqlite3 "$A" "SELECT count(supersedes) || '/' || (count(*) - count(class)) FROM labels")
ok_if "... with superseded and withdrawn label rows ($v)" eval '[ "$v" = 7/1 ]'

# same NAME X Y CMD ARGS...: CMD prints the same on stores X and Y (their
# names and the run's times aside), with the same status.
same() {
	_n=$1 _x=$2 _y=$3
	shift 3
	_c=$1
	shift
	acc $_c "$_x" "$@" >"$T/a" 2>&1
	_ra=$?
	acc $_c "$_y" "$@" >"$T/b" 2>&1
	_rb=$?
	sed -i "s|$_x|STORE|g; s|$_y|STORE|g; s/20[0-9-]*T[0-9:.]*Z/TIME/g" \
	    "$T/a" "$T/b"
	if [ "$_ra" -eq "$_rb" ] && cmp -s "$T/a" "$T/b"; then
		pass "$_n"
	else
		fail "$_n" "status $_ra/$_rb; $(diff "$T/a" "$T/b" | head -4 | tr '\n' '|')"
	fi
}
# alike WHAT X Y: the commands that read a project print the same on both.
N=0
alike() {
	_w=$1 _x=$2 _y=$3
	run acc check "$_y"
	ok_if "$_w: check passes on the copy" eval 'rc_is 0 && out_has "ok: store intact"'
	same "$_w: status" "$_x" "$_y" status
	same "$_w: status --json" "$_x" "$_y" status --json
	same "$_w: agree by camera" "$_x" "$_y" agree --by camera --bootstrap 200
	same "$_w: agree by version" "$_x" "$_y" agree --by-version --bootstrap 0
	same "$_w: agree --json by a metric" "$_x" "$_y" agree --json --by brightness --bootstrap 0
	same "$_w: labels dump" "$_x" "$_y" "labels dump"
	same "$_w: labels dump --json" "$_x" "$_y" "labels dump" --json
	same "$_w: items" "$_x" "$_y" items --json
	same "$_w: items by an integer value" "$_x" "$_y" items --where shift=3
	same "$_w: gold list" "$_x" "$_y" gold list
	same "$_w: guideline log" "$_x" "$_y" guideline log
	same "$_w: member list" "$_x" "$_y" member list
	same "$_w: config" "$_x" "$_y" config
	same "$_w: errors of the stored run" "$_x" "$_y" errors --run m1 --bootstrap 0
	N=$((N + 1))
	for _s in "$_x" "$_y"; do
		rm -rf "$T_SHARED/x$N"
		acc export "$_s" --out "$T_SHARED/x$N" --split 70/15/15 --seed 3 \
		    >/dev/null 2>"$T/err" || fail "$_w: export $_s" "$(cat "$T/err")"
		mv "$T_SHARED/x$N" "$T_SHARED/x$N-$([ "$_s" = "$_x" ] && echo a || echo b)"
	done
	# The manifest names the source store and the time: the rest is data.
	for _m in a b; do
		sed -i 's/"[a-z_]*": "20[0-9-]*T[0-9:.]*Z"//; /"store/d; /"source/d' \
		    "$T_SHARED/x$N-$_m/manifest.json"
	done
	ok_if "$_w: export writes the same files" \
	    diff -r "$T_SHARED/x$N-a" "$T_SHARED/x$N-b"
}

# SQLite -> SQLite.
B=$T/b.accord
run acc copy "$A" "$B"
ok_if "SQLite -> SQLite copies" eval 'rc_is 0 && out_has "$AI items, $AL labels"'
ok_if "... leaving no DST.tmp or side files" \
	eval '[ -f "$B" ] && [ ! -e "$B.tmp" ] && [ ! -e "$B-wal" ] && [ ! -e "$B-journal" ]'
alike "SQLite -> SQLite" "$A" "$B"

# Every row of the record, its id and its value's type, as the original's
# (the derived tables, made again, too); the audit gains the copy's row.
# rows_same NAME X Y: SQLite stores X and Y hold the same rows.
rows_same() {
	_bad=
	for _t in $(sqlite3 "$2" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('audit', 'leases') ORDER BY 1"); do
		_cols=$(sqlite3 "$2" "SELECT group_concat('quote(' || name || ')', ' || ''|'' || ') FROM pragma_table_info('$_t')")
		sqlite3 "$2" "SELECT $_cols FROM $_t ORDER BY 1" >"$T/r1"
		sqlite3 "$3" "SELECT $_cols FROM $_t ORDER BY 1" >"$T/r2"
		cmp -s "$T/r1" "$T/r2" || _bad="$_bad $_t"
	done
	# Up to the copy's own row: the original's audit has grown since.
	_c=$(sqlite3 "$3" "SELECT min(id) FROM audit WHERE action = 'copy'")
	sqlite3 "$2" "SELECT * FROM audit WHERE id < $_c ORDER BY id" >"$T/r1"
	sqlite3 "$3" "SELECT * FROM audit WHERE id < $_c ORDER BY id" >"$T/r2"
	cmp -s "$T/r1" "$T/r2" || _bad="$_bad audit"
	if [ -z "$_bad" ]; then pass "$1"; else fail "$1" "differ:$_bad"; fi
}
rows_same "SQLite -> SQLite: every table's rows, ids and value types" "$A" "$B"
ok_if "... one audit row says where the copy came from" \
	eval '[ "$(sqlite3 "$B" "SELECT count(*) FROM audit WHERE action = '\''copy'\'' AND detail = '\''from $A'\''")" -eq 1 ]'
ok_if "... the leases of running sessions are not copied" \
	eval '[ "$(sqlite3 "$B" "SELECT count(*) FROM leases")" -eq 0 ]'

# SQLite -> PostgreSQL.
psql_as "$PG_SUPER" postgres "CREATE DATABASE pa"
PA=$(uri pa)
run acc copy "$A" "$PA"
ok_if "SQLite -> PostgreSQL copies" eval 'rc_is 0 && out_has "$AI items, $AL labels"'
sed -n 's/^  //p' "$T/out" >"$T_SHARED/dba.sql"
chmod 644 "$T_SHARED/dba.sql"
ok_if "... and prints the SQL that lets the members log in" \
	eval 'grep -q "^GRANT \"pa_member\" TO \"$L1\";$" "$T_SHARED/dba.sql" && grep -q "^GRANT \"pa_member\" TO \"$SME\";$" "$T_SHARED/dba.sql"'
alike "SQLite -> PostgreSQL" "$A" "$PA"
ok_if "... the values keep their types" eval \
	'[ "$(q pa "SELECT string_agg(value_type || count, '\'','\'' ORDER BY value_type) FROM (SELECT value_type, count(*) FROM accord.item_meta GROUP BY 1) x")" = "$(sqlite3 "$A" "SELECT group_concat(t || n, '\'','\'') FROM (SELECT typeof(value) t, count(*) n FROM item_meta GROUP BY 1 ORDER BY 1)")" ]'
as "$PG_SUPER" psql -X -q -v ON_ERROR_STOP=1 -d pa -f "$T_SHARED/dba.sql" >/dev/null 2>"$T/err"
run as "$L1" "$ACCORD" member "$PA" list
ok_if "... after which a member works on the copy as itself" \
	eval 'rc_is 0 && out_has "$SME"'
run as "$SME" "$ACCORD" adjudicate "$PA" 5 --class ok --note "as itself"
ok_if "... an sme decides, with an id after the copied ones" \
	eval 'rc_is 0 && [ "$(q pa "SELECT max(id) FROM accord.adjudications WHERE \"user\" = '\''$SME'\''")" -gt "$(sqlite3 "$A" "SELECT max(id) FROM adjudications")" ]'
{ echo "file,labeler,class"; echo "$S/$(sed -n 10p "$S/images.csv" | cut -d, -f1),dave,dent"; } \
	>"$T_SHARED/one.csv"
chmod 644 "$T_SHARED/one.csv"
run acc labels import "$PA" "$T_SHARED/one.csv"
ok_if "... and a new label gets the id after the copied ones" \
	eval 'rc_is 0 && [ "$(q pa "SELECT id FROM accord.labels WHERE labeler = '\''dave'\''")" -eq "$(($(sqlite3 "$A" "SELECT max(id) FROM labels") + 1))" ]'

# PostgreSQL -> PostgreSQL (the copy as the original: one label more).
psql_as "$PG_SUPER" postgres "CREATE DATABASE pb"
PB=$(uri pb)
run acc copy "$PA" "$PB"
ok_if "PostgreSQL -> PostgreSQL copies" eval 'rc_is 0 && out_has "$AI items, $((AL + 1)) labels"'
alike "PostgreSQL -> PostgreSQL" "$PA" "$PB"

# PostgreSQL -> SQLite, and a copy back of the original.
C=$T/c.accord
run acc copy "$PB" "$C"
ok_if "PostgreSQL -> SQLite copies" eval 'rc_is 0 && out_has "$AI items, $((AL + 1)) labels"'
alike "PostgreSQL -> SQLite" "$PB" "$C"
psql_as "$PG_SUPER" postgres "CREATE DATABASE pc"
PC=$(uri pc)
A2=$T/a2.accord
acc copy "$A" "$PC" >/dev/null && run acc copy "$PC" "$A2"
ok_if "SQLite -> PostgreSQL -> SQLite copies" rc_is 0
rows_same "... giving back the original's rows, ids and value types" "$A" "$A2"
ok_if "... the media kept in the store among them, byte for byte" \
	eval '[ "$(sqlite3 "$A2" "SELECT count(*) || '\''/'\'' || sum(length(data)) FROM media_chunks")" = "$(sqlite3 "$A" "SELECT count(*) || '\''/'\'' || sum(length(data)) FROM media_chunks")" ] && [ "$(sqlite3 "$A" "SELECT count(*) FROM media_blobs")" -eq 2 ]'
# With the files gone, the copies still hold them.
mv "$T_SHARED/kept" "$T_SHARED/kept.away"
for d in "$PC" "$A2"; do
	run acc check "$d"
	ok_if "check of a copy passes with the kept media's files gone ($(echo "$d" | cut -c1-20))" rc_is 0
done
mv "$T_SHARED/kept.away" "$T_SHARED/kept"

# Refusals: one line, nothing written.
echo "not a store" >"$T/exists"
cp "$T/exists" "$T/exists.before"
run acc copy "$A" "$T/exists"
ok_if "an existing DST file is refused in one line" \
	eval 'rc_is 1 && err_lines 1 && err_has "already exists"'
ok_if "... and left as it was" cmp -s "$T/exists" "$T/exists.before"
: >"$T/d.accord-wal"
run acc copy "$A" "$T/d.accord"
ok_if "a DST with a planted -wal is refused in one line" \
	eval 'rc_is 1 && err_lines 1 && err_has "d.accord-wal exists"'
ok_if "... and nothing is made" eval '[ ! -e "$T/d.accord" ] && [ ! -e "$T/d.accord.tmp" ]'
run acc copy "$A" "$T/no/such/dir/d.accord"
ok_if "a DST in no directory is refused in one line" eval 'rc_is 1 && err_lines 1'
n=$(q pb "SELECT count(*) FROM accord.labels")
run acc copy "$A" "$PB"
ok_if "a database holding a project is refused in one line" \
	eval 'rc_is 1 && err_lines 1 && err_has "already holds an accord project"'
ok_if "... and left as it was" eval '[ "$(q pb "SELECT count(*) FROM accord.labels")" -eq "$n" ]'
run acc copy "$A" "postgresql:///nowhere?host=$PGHOST&port=1"
ok_if "an unreachable server is refused in one line" \
	eval 'rc_is 1 && err_lines 1 && err_has "cannot connect"'
run acc copy "$T/exists" "$T/e.accord"
ok_if "a SRC that is not a project is refused in one line" \
	eval 'rc_is 1 && err_lines 1 && err_has "not an accord project" && [ ! -e "$T/e.accord" ] && [ ! -e "$T/e.accord.tmp" ]'
run as "$L1" "$ACCORD" copy "$A" "$T/f.accord"
ok_if "a labeler may not copy: one line naming SRC" \
	eval 'rc_is 1 && err_lines 1 && err_has "^accord: $A: .*needs the sme role" && [ ! -e "$T/f.accord" ]'
run as "$L1" "$ACCORD" copy "$PA" "$T/f.accord"
ok_if "... nor on PostgreSQL" eval 'rc_is 1 && err_lines 1 && [ ! -e "$T/f.accord" ]'
run acc copy "$A"
ok_if "copy without DST is a usage error" eval 'rc_is 2 && err_lines 1'

# Killed while it runs: a bigger original (24,000 more labels, written
# straight into the file), so that the copy is caught midway.
K=$T/k.accord
cp "$A" "$K"
# 50 rounds of 8 labelers relabeling every item, each row superseding
# the pair's row before (labels import's way, not the screen's).
r=1
{ echo "BEGIN;"
  while [ $r -le 50 ]; do
	echo "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
	  WHERE i < 8) INSERT INTO labels (item, labeler, class, note,
	  guideline, seconds_spent, created_at, supersedes, origin,
	  label_import, recorded_by) SELECT it.id, 'bulk' || n.i,
	  1 + (it.id + n.i + $r) % 3, '', 2, 1.5, '2026-01-03T00:00:00.000Z',
	  (SELECT max(id) FROM labels l WHERE l.item = it.id AND
	  l.labeler = 'bulk' || n.i), 'import', NULL, '$PG_SUPER'
	  FROM n, items it ORDER BY n.i, it.id;"
	r=$((r + 1))
  done
  echo "COMMIT;"; } | sqlite3 "$K" || fail "the bulk labels"
KL=$(sqlite3 "$K" "SELECT count(*) FROM labels")
chmod 666 "$K"
# killed DST READY: start a copy of K to DST, wait until READY (a
# command) holds, then SIGKILL it.  $WAS: READY held.
killed() {
	setsid runuser -u "$PG_SUPER" -- env ASAN_OPTIONS="$ASAN_OPTIONS" \
	    "$ACCORD" copy "$K" "$1" >"$T/k.out" 2>"$T/k.err" &
	_p=$!
	WAS=0
	_i=0
	while [ $_i -lt 400 ] && kill -0 $_p 2>/dev/null; do
		if eval "$2"; then WAS=1; break; fi
		sleep 0.02
		_i=$((_i + 1))
	done
	sleep 0.2
	kill -s KILL -- "-$_p" 2>/dev/null
	wait $_p 2>/dev/null
	return 0
}
KD=$T/kd.accord
killed "$KD" '[ -e "$KD.tmp" ]'
ok_if "a copy to SQLite killed midway leaves no DST" \
	eval '[ "$WAS" -eq 1 ] && [ ! -e "$KD" ] && [ -e "$KD.tmp" ]'
run acc copy "$K" "$KD"
ok_if "... the next copy refuses its DST.tmp in one line" \
	eval 'rc_is 1 && err_lines 1 && err_has "kd.accord.tmp exists"'
rm -f "$KD.tmp" "$KD.tmp-wal" "$KD.tmp-shm"
run acc copy "$K" "$KD"
ok_if "... and once it is removed, copies it all" \
	eval 'rc_is 0 && out_has "$KL labels"'
psql_as "$PG_SUPER" postgres "CREATE DATABASE pk"
PK=$(uri pk)
killed "$PK" '[ "$(q postgres "SELECT count(*) FROM pg_stat_activity WHERE datname = '\''pk'\'' AND xact_start IS NOT NULL")" -ge 1 ]'
sleep 0.5
ok_if "a copy to PostgreSQL killed midway leaves the database empty" \
	eval '[ "$WAS" -eq 1 ] && [ "$(q pk "SELECT count(*) FROM pg_namespace WHERE nspname = '\''accord'\''")" -eq 0 ] && [ "$(q pk "SELECT count(*) FROM pg_roles WHERE rolname LIKE '\''pk\\_%'\''")" -eq 0 ]'
run acc copy "$K" "$PK"
ok_if "... and the copy run again completes" eval 'rc_is 0 && out_has "$KL labels"'
run acc check "$PK"
ok_if "... and passes check" rc_is 0
