# accord labels import|dump, status and the all-or-nothing rule for label
# files.
. "$(dirname "$0")/../lib.sh"

DB=$T/p.accord
"$ACCORD" init "$DB" --task t --media image --classes ok,scratch --borderline unsure --overlap 2 >/dev/null
mkdir img
for i in 1 2 3; do convert -size 20x20 -seed $i plasma: img/a$i.png; done
"$ACCORD" import "$DB" img --batch b1 >/dev/null
sha3=$(sha256sum img/a3.png | cut -c1-64)

cat > labels.csv <<CSV
file,labeler,class,seconds,note
img/a1.png,alice,ok,2.5,
img/a1.png,bob,ok,3,
img/a2.png,alice,scratch,4,"faint, but there"
a2.png,bob,unsure,9.25,café
$sha3,alice,ok,,
CSV
run "$ACCORD" labels import "$DB" labels.csv
ok_if "CSV labels import" sh -c "[ $RC -eq 0 ] && grep -q 'imported 5 labels' '$T/out'"
ok_if "labels stored with guideline version and seconds" \
	sql_is "SELECT labeler || ':' || guideline || ':' || seconds_spent FROM labels WHERE note = 'café'" "bob:1:9.25"
ok_if "provenance: label import row with file hash" \
	sql_is "SELECT sha256 FROM label_imports" "$(sha256sum labels.csv | cut -c1-64)"
run "$ACCORD" labels dump "$DB"
ok_if "dump shows provenance" sh -c "grep -q 'imported from $T/labels.csv by root' '$T/out'"

cat > more.jsonl <<JSON
{"file": "img/a1.png", "labeler": "alice", "class": "scratch", "seconds": 1, "time": "2026-11-01T10:00:00Z"}

{"sha256": "$sha3", "labeler": "carol", "class": "unsure", "note": "edge \"case\""}
JSON
run "$ACCORD" labels import "$DB" more.jsonl
ok_if "JSONL labels import" rc_is 0
ok_if "a new label supersedes the labeler's old one" \
	sql_is "SELECT count(*) FROM labels l JOIN labels o ON o.id = l.supersedes WHERE l.labeler = 'alice' AND o.labeler = 'alice' AND l.item = o.item" "1"
ok_if "superseded row kept, current view has the new class" \
	sql_is "SELECT c.name FROM current_labels l JOIN classes c ON c.id = l.class JOIN items i ON i.id = l.item WHERE l.labeler = 'alice' AND i.path LIKE '%a1.png'" "scratch"
ok_if "explicit time kept" sql_is "SELECT created_at FROM labels WHERE seconds_spent = 1" "2026-11-01T10:00:00Z"
run "$ACCORD" labels dump "$DB" --json
ok_if "dump --json: 7 rows, one superseded" sh -c "[ \$(wc -l < '$T/out') -eq 7 ] && [ \$(grep -c '\"current\":false' '$T/out') -eq 1 ]"
ok_if "dump --json parses" /usr/bin/python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$T/out"

before=$(sqlite3 "$DB" "SELECT count(*) FROM labels")
cat > bad.csv <<CSV
file,labeler,class
img/a1.png,dave,ok
img/nope.png,dave,ok
img/a2.png,dave,dent
img/a3.png,,ok
img/a3.png,erin,ok
CSV
run "$ACCORD" labels import "$DB" bad.csv
ok_if "bad label file exits 1" rc_is 1
ok_if "unknown item reported with line" err_has "bad.csv:3: no imported item at 'img/nope.png'"
ok_if "unknown class reported with line" err_has "bad.csv:4: unknown class 'dent'"
ok_if "missing labeler reported" err_has "bad.csv:5: no labeler"
ok_if "one line per bad row plus the summary" err_lines 4
ok_if "nothing imported from a bad file" sql_is "SELECT count(*) FROM labels" "$before"
printf '{"file": "img/a1.png", "labeler": "x", "class": "ok"}\n{"file": [1]}\n' > bad.jsonl
run "$ACCORD" labels import "$DB" bad.jsonl
ok_if "bad JSONL line reported, nothing imported" sh -c "[ $RC -eq 1 ] && grep -q 'bad.jsonl:2: nested' '$T/err' && [ \$(sqlite3 '$DB' 'SELECT count(*) FROM labels') -eq $before ]"
printf 'file,labeler,class\nimg/a1.png,z,ok\nimg/a1.png,z,scratch\n' > twice.csv
run "$ACCORD" labels import "$DB" twice.csv
ok_if "a labeler twice on one item in one file is refused" sh -c "[ $RC -eq 1 ] && grep -q 'more than once' '$T/err'"

run "$ACCORD" status "$DB"
ok_if "status text" sh -c "[ $RC -eq 0 ] && grep -q 'items     3 (3 image)' '$T/out' && grep -q 'batch   b1: 3 new items' '$T/out'"
ok_if "status counts items that reached overlap 2" out_has "3 items reached 2 labels, 0 partly labeled"
run "$ACCORD" status "$DB" --json
ok_if "status --json" /usr/bin/python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d['items'] == 3 and d['label_rows'] == 7 and d['labels_current'] == 6, d
assert d['items_complete'] == 3 and d['guideline_version'] == 1
lab = {l['name']: l for l in d['labelers']}
assert lab['alice']['labels'] == 3 and lab['alice']['rows'] == 4, lab
assert [c['name'] for c in d['classes']] == ['ok', 'scratch', 'unsure']
assert d['members'] == [{'user': 'root', 'role': 'admin'}]
" "$T/out"

LAB=$(test_user lab)
if ensure_user $LAB; then
	chmod 777 "$T"; chmod 666 "$DB"
	"$ACCORD" member "$DB" add $LAB >/dev/null
	run as $LAB "$ACCORD" labels import "$DB" "$T/labels.csv"
	ok_if "a labeler cannot import labels" sh -c "[ $RC -eq 1 ] && grep -q 'needs the admin role' '$T/err'"
	run as $LAB "$ACCORD" import "$DB" "$T/img"
	ok_if "a labeler cannot import items" sh -c "[ $RC -eq 1 ] && grep -q 'needs the admin role' '$T/err'"
	# Blind labeling: every labeler's labels are for SMEs and admins.
	run as $LAB "$ACCORD" labels dump "$DB"
	ok_if "a labeler cannot dump every label" sh -c "[ $RC -eq 1 ] && grep -q 'reading every label needs the sme role' '$T/err' && [ ! -s '$T/out' ]"
	ok_if "the refused dump is audited under the real user" \
		sql_is "SELECT count(*) FROM audit WHERE user = '$LAB' AND action = 'refused' AND detail LIKE 'reading every label%'" "1"
	run as $LAB "$ACCORD" status "$DB"
	ok_if "a labeler may read the status" sh -c "[ $RC -eq 0 ] && grep -q '$LAB (labeler)' '$T/out'"
	run as $LAB "$ACCORD" items "$DB"
	ok_if "a labeler may list items" sh -c "[ $RC -eq 0 ] && [ \$(wc -l <'$T/out') -eq 3 ]"
	"$ACCORD" member "$DB" remove $LAB >/dev/null
	for cmd in status items member; do
		verb=; [ $cmd = member ] && verb=list
		run as $LAB "$ACCORD" $cmd "$DB" $verb
		ok_if "a non-member cannot run $cmd $verb" sh -c "[ $RC -eq 1 ] && grep -q '$LAB is not a member' '$T/err' && [ ! -s '$T/out' ]"
	done
else
	skip "labels, import, status and items as a labeler OS user" "$WHY"
fi

# Base names: one that two items share is refused with the count; one
# that names a single item (seen at two paths) is found.  Rows of a large
# file are looked up against a sorted list read once (labels_io.c).
mkdir other
convert -size 20x20 -seed 9 plasma: other/a1.png
cp img/a2.png other/a2.png
"$ACCORD" import "$DB" other --batch b2 >/dev/null
printf 'file,labeler,class\na1.png,frank,ok\n' > amb.csv
run "$ACCORD" labels import "$DB" amb.csv
ok_if "a base name two items share is refused with the count" \
	sh -c "[ $RC -eq 1 ] && grep -q \"amb.csv:2: 'a1.png' names 2 items; give a path or the sha256\" '$T/err'"
printf 'file,labeler,class\na2.png,frank,ok\nnope.png,frank,ok\n' > one.csv
run "$ACCORD" labels import "$DB" one.csv
ok_if "an unknown base name is reported" err_has "one.csv:3: no imported item at 'nope.png'"
printf 'file,labeler,class\na2.png,frank,ok\na3.png,frank,scratch\n' > one.csv
run "$ACCORD" labels import "$DB" one.csv
ok_if "a base name of one item seen at two paths is found" \
	sql_is "SELECT group_concat(substr(i.path, -6) || '=' || c.name, ' ') FROM (SELECT * FROM current_labels WHERE labeler = 'frank' ORDER BY item) l JOIN items i ON i.id = l.item JOIN classes c ON c.id = l.class" "a2.png=ok a3.png=scratch"

# status counts each labeler's labels in force from the queue's counts
# (labeler_levels, labeler_rows, queue_levels; kept by trigger): relabels,
# withdrawals, a label given again after a withdrawal, and names with
# separators and UTF-8 give what current_labels gives, as do the overlap
# figures.
sql "INSERT INTO labels (item, labeler, class, guideline, created_at, origin, recorded_by)
	SELECT i.id, l.name, CASE WHEN (i.id + length(l.name) + v.n) % 4 = 0 THEN NULL ELSE (SELECT min(id) FROM classes) + (i.id + v.n) % 2 END,
	    1, 'now', 'import', 'root'
	FROM items i, (SELECT 'x,y;z:1' AS name UNION ALL SELECT 'zo' || char(235) UNION ALL SELECT 'b') l,
	    (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) v
	ORDER BY v.n, i.id, l.name" 2>"$T/err"
run "$ACCORD" status "$DB" --json
want=$(sql "SELECT group_concat(labeler || '=' || n || '/' || r, ' ') FROM (SELECT l.labeler, (SELECT count(*) FROM current_labels c WHERE c.labeler = l.labeler) AS n, count(*) AS r FROM labels l GROUP BY l.labeler ORDER BY l.labeler)")
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join("%s=%d/%d" % (l["name"], l["labels"], l["rows"]) for l in d["labelers"]))' "$T/out")
ok_if "status: each labeler's labels in force and rows, as current_labels says" \
	sh -c "[ $RC -eq 0 ] && [ -n '$want' ] && [ \"\$(printf '%s' '$got')\" = \"\$(printf '%s' '$want')\" ]"
k=$(sql "SELECT value FROM settings WHERE key = 'overlap' ORDER BY id DESC LIMIT 1")
want=$(sql "SELECT count(*) || ' ' || sum(n >= $k) || ' ' || sum(n > 0 AND n < $k) FROM (SELECT (SELECT count(*) FROM current_labels c WHERE c.item = i.id) AS n FROM items i) x" )
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["labels_current"] and "%d %d %d" % (d["items"], d["items_complete"], d["items_partial"]))' "$T/out")
ok_if "status: overlap figures as current_labels says ($want)" [ "$got" = "$want" ]
ok_if "status: labels in force as current_labels counts" \
	sql_is "SELECT count(*) FROM current_labels" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["labels_current"])' "$T/out")"
