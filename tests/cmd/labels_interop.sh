# accord labels import of other tools' exports (Label Studio JSON, CVAT for
# images 1.1 XML, Prodigy JSONL, doccano JSONL), each on a file written to
# that tool's documented format (tests/fixtures/interop), detected by
# content or named with --format; bad input refused whole, one line a
# record; rows under a current member's name refused unless --as-member.
. "$(dirname "$0")/../lib.sh"

FIX=$ROOT/tests/fixtures/interop
DB=$T/p.accord
"$ACCORD" init "$DB" --task t --media image --classes ok,scratch \
    --borderline unsure --overlap 2 >/dev/null
mkdir img
for i in 1 2 3; do convert -size 20x20 -seed $i plasma: img/a$i.png; done
"$ACCORD" import "$DB" img --batch b1 >/dev/null
cp "$FIX"/* "$T"/

# labeler:class:seconds of the rows in force, by item path, for one labeler.
labels_of() {
	sql "SELECT substr(i.path, length(i.path) - 5) || '=' || c.name ||
	    coalesce(':' || l.seconds_spent, '') FROM current_labels l
	    JOIN items i ON i.id = l.item JOIN classes c ON c.id = l.class
	    WHERE l.labeler = '$1' ORDER BY i.path" | tr '\n' ' ' | sed 's/ $//'
}
nlabels() { sql "SELECT count(*) FROM labels"; }

# --- Label Studio ---------------------------------------------------------
run "$ACCORD" labels import "$DB" label-studio.json
ok_if "label studio: a bare annotator id without --map-users is refused, nothing written" \
	eval "[ $RC -ne 0 ] && grep -q 'label-studio.json:task 1, annotation 12: annotator 2 is named only by id; give --map-users' '$T/err' && [ \$(sqlite3 '$DB' 'SELECT count(*) FROM labels') -eq 0 ]"
ok_if "label studio: one line for the bad annotation and one summary" err_lines 2
run "$ACCORD" labels import "$DB" label-studio.json --map-users ls-users.csv
ok_if "label studio JSON export imported (detected)" \
	eval "[ $RC -eq 0 ] && grep -q 'imported 4 labels from label-studio.json (label-studio); 1 annotation without a label skipped; 1 item made gold' '$T/out'"
ok_if "label studio: email local part as labeler, lead_time as seconds, upload/local-files/s3 media" \
	eval "[ \"\$(labels_of alice)\" = 'a1.png=ok:4.288 a2.png=unsure:2.75 a3.png=ok:3.0' ]" 
ok_if "label studio: --map-users names the id's labeler" \
	eval "[ \"\$(labels_of bob)\" = 'a1.png=scratch:11.5' ]"
ok_if "label studio: annotation created_at kept as the label's time" \
	sql_is "SELECT created_at FROM labels WHERE labeler = 'bob'" "2026-11-02T09:40:02.319000Z"
ok_if "label studio: ground_truth makes the item gold with that class" \
	sql_is "SELECT substr(i.path, length(i.path) - 5) || '=' || c.name || ' by ' || g.user FROM gold g JOIN items i ON i.id = g.item JOIN classes c ON c.id = g.class" "a1.png=scratch by root"
ok_if "label studio: predictions are not imported as labels" \
	sql_is "SELECT count(*) FROM labels WHERE class = (SELECT id FROM classes WHERE name = 'unsure') AND labeler <> 'alice'" "0"
ok_if "label studio: the import is recorded with its format" \
	sql_is "SELECT count(*) FROM audit WHERE action = 'labels import' AND detail LIKE '%format label-studio%1 item made gold%'" "1"
run "$ACCORD" labels dump "$DB"
ok_if "label studio: dump shows the provenance" \
	eval "grep 'alice' '$T/out' | grep -q 'imported from $T/label-studio.json by root'"

# A single task object (Label Studio's target storage writes one a file).
/usr/bin/python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))[2]
t["annotations"][0]["completed_by"] = {"id": 9, "email": "gina@example.com"}
json.dump(t, open(sys.argv[2], "w"), indent=2)' label-studio.json task3.json
run "$ACCORD" labels import "$DB" task3.json
ok_if "label studio: one task object (cloud storage) imported" \
	eval "[ $RC -eq 0 ] && [ \"\$(labels_of gina)\" = 'a3.png=ok:3.0' ]"

# Bad Label Studio files: all or nothing, one line a record.
before=$(nlabels)
/usr/bin/python3 -c '
import json, sys
ts = json.load(open(sys.argv[1]))
for t in ts:
    for a in t["annotations"]:
        a["completed_by"] = {"id": 5, "email": "hal@example.com"}
ts[0]["annotations"][0]["result"][0]["value"]["choices"] = ["ok", "scratch"]
ts[1]["data"]["image"] = "/data/upload/3/0badf00d-missing.png"
ts[2]["annotations"][0]["result"][0]["value"]["choices"] = ["dent"]
ts[2]["annotations"][0]["result"].append({"type": "rectanglelabels", "value": {}})
json.dump(ts, open(sys.argv[2], "w"))' label-studio.json ls-bad.json
run "$ACCORD" labels import "$DB" ls-bad.json
ok_if "label studio: two choices in one annotation named" \
	err_has "ls-bad.json:task 1, annotation 11: 2 choices in one annotation"
ok_if "label studio: unmatched media named, one line" \
	err_has "ls-bad.json:task 2, annotation 13: no imported item at 'missing.png'"
ok_if "label studio: an unknown class lists the classes" \
	err_has "ls-bad.json:task 3, annotation 15: unknown class 'dent' (classes: ok, scratch, unsure)"
ok_if "label studio: bad file: one line each, a summary, nothing written" \
	eval "[ $RC -ne 0 ] && [ \$(wc -l < '$T/err') -eq 4 ] && grep -q '3 bad rows; nothing imported' '$T/err' && [ \$(sqlite3 '$DB' 'SELECT count(*) FROM labels') -eq $before ]"
printf '[{"id": 1, "data": {"image": "a1.png"}, "annotations": [' > ls-broken.json
run "$ACCORD" labels import "$DB" ls-broken.json
ok_if "label studio: broken JSON: one line naming file and place" \
	eval "[ $RC -ne 0 ] && err_lines 1 && grep -q '^accord: ls-broken.json: label-studio export: line 1, column' '$T/err'"
echo '"just a string"' > ls-string.json
run "$ACCORD" labels import "$DB" ls-string.json --format label-studio
ok_if "label studio: not an array of tasks said so" \
	eval "[ $RC -ne 0 ] && err_lines 1 && err_has 'not a Label Studio JSON export (an array of tasks): the file holds a string'"

# --- CVAT for images 1.1 --------------------------------------------------
run "$ACCORD" labels import "$DB" cvat-images-1.1.xml
ok_if "cvat: XML imported (detected), the task's assignee as labeler" \
	eval "[ $RC -eq 0 ] && grep -q 'imported 2 labels from cvat-images-1.1.xml (cvat); 1 annotation without a label skipped' '$T/out' && [ \"\$(labels_of carol)\" = 'a1.png=scratch a2.png=ok' ]"
sed 's/<username>carol/<username>carol2/' cvat-images-1.1.xml > cvat2.xml
run "$ACCORD" labels import "$DB" cvat2.xml --labeler ivan
ok_if "cvat: --labeler names the labeler" \
	eval "[ $RC -eq 0 ] && [ \"\$(labels_of ivan)\" = 'a1.png=scratch a2.png=ok' ]"
sed '/<assignee>/,/<\/assignee>/d' cvat-images-1.1.xml > cvat-noone.xml
line=$(grep -n 'name="img/a1.png' cvat-noone.xml | cut -d: -f1)
run "$ACCORD" labels import "$DB" cvat-noone.xml
ok_if "cvat: no annotator and no --labeler: one line per image" \
	eval "[ $RC -ne 0 ] && err_has 'cvat-noone.xml:$line: the export names no annotator' && err_lines 3"
sed 's|<tag label="ok" source="manual">|<tag label="ok" source="manual"></tag><tag label="scratch" source="manual">|' cvat-images-1.1.xml > cvat-two.xml
line=$(grep -n 'name="a2.png' cvat-two.xml | cut -d: -f1)
run "$ACCORD" labels import "$DB" cvat-two.xml
ok_if "cvat: two tags on one image refused" \
	eval "[ $RC -ne 0 ] && err_has 'cvat-two.xml:$line: 2 tags on a2.png'"
head -c 1500 cvat-images-1.1.xml > cvat-cut.xml
run "$ACCORD" labels import "$DB" cvat-cut.xml --format cvat
ok_if "cvat: truncated XML: one line with the parser's reason" \
	eval "[ $RC -ne 0 ] && err_lines 1 && grep -q '^accord: cvat-cut.xml: cvat export: line [0-9]*: ' '$T/err'"
cat > cvat-lol.xml <<'XML'
<?xml version="1.0"?>
<!DOCTYPE annotations [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<annotations><meta><task><assignee><username>&f;</username></assignee></task></meta></annotations>
XML
run "$ACCORD" labels import "$DB" cvat-lol.xml
ok_if "cvat: nested entity expansion refused by the parser" \
	eval "[ $RC -ne 0 ] && err_lines 1 && err_has 'cvat-lol.xml: cvat export: line'"

# --- Prodigy --------------------------------------------------------------
run "$ACCORD" labels import "$DB" prodigy.jsonl
ok_if "prodigy: JSONL imported (detected); ignore and choice reject skipped" \
	eval "[ $RC -eq 0 ] && grep -q 'imported 4 labels from prodigy.jsonl (prodigy); 2 annotations without a label skipped' '$T/out'"
ok_if "prodigy: choice accept, binary accept, binary reject -> the other class" \
	eval "[ \"\$(labels_of dave)\" = 'a1.png=ok a2.png=scratch a3.png=scratch' ]"
ok_if "prodigy: an option id that is no class is read through its text" \
	eval "[ \"\$(labels_of erin)\" = 'a2.png=scratch' ]"
ok_if "prodigy: _timestamp kept as the label's time" \
	sql_is "SELECT min(created_at) FROM labels WHERE labeler = 'dave'" "2026-01-01T00:00:00Z"
# An image inlined as base64 (Prodigy's default) matched by its sha256.
b64=$(base64 -w0 img/a3.png)
printf '{"image":"data:image/png;base64,%s","label":"ok","answer":"accept","_input_hash":1,"_task_hash":2,"_annotator_id":"defects-judy","_session_id":"defects-judy"}\n' "$b64" > prodigy-b64.jsonl
run "$ACCORD" labels import "$DB" prodigy-b64.jsonl
ok_if "prodigy: inline base64 image matched by its sha256" \
	eval "[ $RC -eq 0 ] && [ \"\$(labels_of judy)\" = 'a3.png=ok' ]"
before=$(nlabels)
cat > prodigy-bad.jsonl <<'JSONL'
{"image":"img/a1.png","label":"ok","answer":"maybe","_annotator_id":"x-kim"}
{"image":"img/a1.png","options":[{"id":"ok"},{"id":"scratch"}],"accept":["ok","scratch"],"answer":"accept","_annotator_id":"x-kim"}
{"image":"img/a2.png","label":"ok","answer":"accept","_annotator_id":
{"text":"no media here","label":"ok","answer":"accept","_annotator_id":"x-kim"}
{"image":"img/a3.png","label":"ok","answer":"accept"}
JSONL
run "$ACCORD" labels import "$DB" prodigy-bad.jsonl --format prodigy
ok_if "prodigy: bad answers, options, JSON, media, annotator: one line each" \
	eval "[ $RC -ne 0 ] && err_has \"prodigy-bad.jsonl:1: answer 'maybe' is not accept, reject or ignore\" && err_has 'prodigy-bad.jsonl:2: 2 options accepted' && err_has 'prodigy-bad.jsonl:3: column' && err_has 'prodigy-bad.jsonl:4: no path, image, audio or meta.file' && err_has 'prodigy-bad.jsonl:5: no _annotator_id or _session_id' && err_lines 6"
ok_if "prodigy: nothing written from a bad file" \
	eval "[ \$(sqlite3 '$DB' 'SELECT count(*) FROM labels') -eq $before ]"

# --- doccano --------------------------------------------------------------
run "$ACCORD" labels import "$DB" frank.jsonl
ok_if "doccano: JSONL imported (detected), labeler from the user's file name" \
	eval "[ $RC -eq 0 ] && grep -q 'imported 2 labels from frank.jsonl (doccano); 1 annotation without a label skipped' '$T/out' && [ \"\$(labels_of frank)\" = 'a1.png=ok a2.png=scratch' ]"
cp frank.jsonl all.jsonl
run "$ACCORD" labels import "$DB" all.jsonl
ok_if "doccano: a shared export (all.jsonl) wants --labeler" \
	eval "[ $RC -ne 0 ] && err_has 'all.jsonl:1: the file names no user'"
printf '{"id": 1, "text": "a sentence", "label": ["ok"]}\n{"id": 2, "filename": "a1.png", "label": [[0, 3, "ok"]]}\n' > text.jsonl
run "$ACCORD" labels import "$DB" text.jsonl --labeler lee
ok_if "doccano: text records and sequence labels refused, one line each" \
	eval "[ $RC -ne 0 ] && err_has 'text.jsonl:1: a text record (no filename)' && err_has 'text.jsonl:2: label holds an array' && err_lines 3"
run "$ACCORD" labels import "$DB" all.jsonl --labeler lee --format doccano
ok_if "doccano: --labeler and --format doccano" \
	eval "[ $RC -eq 0 ] && [ \"\$(labels_of lee)\" = 'a1.png=ok a2.png=scratch' ]"

# --- --format, detection of accord's own, option misuse --------------------
run "$ACCORD" labels import "$DB" frank.jsonl --format yaml
ok_if "unknown --format lists the formats" \
	eval "[ $RC -eq 2 ] && err_has \"unknown format 'yaml' (accord, label-studio, ls, cvat, prodigy, doccano)\""
run "$ACCORD" labels import "$DB" frank.jsonl --format accord
ok_if "--format accord reads accord's JSONL (and says what is missing)" \
	eval "[ $RC -ne 0 ] && err_has 'frank.jsonl:1: nested value'"
printf 'file,labeler,class,note\nimg/a1.png,mia,ok,"faint, left edge"\nimg/a2.png,pat@lab,scratch,\n' > own.csv
run "$ACCORD" labels import "$DB" own.csv --labeler x
ok_if "--labeler on accord's own file refused" \
	eval "[ $RC -ne 0 ] && err_lines 1 && err_has 'are for other tools'"
run "$ACCORD" labels import "$DB" own.csv
ok_if "accord's own CSV still detected and imported" \
	eval "[ $RC -eq 0 ] && grep -q 'imported 2 labels from own.csv (accord)' '$T/out'"
run "$ACCORD" labels dump "$DB" --as-member
ok_if "import options refused on dump" rc_is 2

# --- members' names --------------------------------------------------------
me=$(id -un)
printf 'file,labeler,class\nimg/a1.png,%s,unsure\nimg/a2.png,nora,ok\n' "$me" > member.csv
before=$(nlabels)
run "$ACCORD" labels import "$DB" member.csv
ok_if "a row under a current member's name is refused, nothing written" \
	eval "[ $RC -ne 0 ] && err_has 'member.csv:2: labeler $me is a member of this project (admin): an imported label would supersede their own; give --as-member' && err_lines 2 && [ \$(sqlite3 '$DB' 'SELECT count(*) FROM labels') -eq $before ]"
cat > member-ls.json <<JSON
[{"id": 1, "data": {"image": "a2.png"}, "annotations": [{"id": 1, "completed_by": {"id": 3, "email": "$me@example.com"}, "result": [{"type": "choices", "from_name": "c", "to_name": "image", "value": {"choices": ["ok"]}}]}]}]
JSON
run "$ACCORD" labels import "$DB" member-ls.json
ok_if "the same for another tool's annotator that maps to a member" \
	eval "[ $RC -ne 0 ] && err_has \"member-ls.json:task 1, annotation 1: labeler $me is a member\""
run "$ACCORD" labels import "$DB" member.csv --as-member
ok_if "--as-member imports under the member's name and says so" \
	eval "[ $RC -eq 0 ] && grep -q \"1 row under members' names (--as-member)\" '$T/out'"
ok_if "--as-member: the audit says who put rows under members' names" \
	sql_is "SELECT user || ': ' || (detail LIKE '%--as-member: 1 row under members%') FROM audit WHERE action = 'labels import' ORDER BY id DESC LIMIT 1" "$me: 1"
run "$ACCORD" labels dump "$DB"
ok_if "--as-member: dump's provenance names who imported the member's label" \
	eval "grep -P '\t$me\tunsure\t' '$T/out' | grep -q 'imported from $T/member.csv by $me'"

# --- round trip: accord -> Label Studio JSON -> accord ----------------------
# The Label Studio file is built from `labels dump --json` to Label Studio's
# documented export format (every labeler's annotation of a task, a note as
# a textarea result, the consensus as a prediction), as an exporter writes
# it; importing it into a second store with the same media must give the
# same labels in force: labeler, class, seconds, time and note (a name
# with an '@' in it too: users are written as NAME@accord.invalid).
DB2=$T/p2.accord
"$ACCORD" init "$DB2" --task t --media image --classes ok,scratch \
    --borderline unsure --overlap 2 >/dev/null
"$ACCORD" import "$DB2" img --batch b1 >/dev/null
"$ACCORD" labels dump "$DB" --json > dump.jsonl
/usr/bin/python3 - dump.jsonl rt.json <<'PY'
import collections, json, sys
tasks = collections.OrderedDict()
users = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if not r["current"] or r["class"] is None:
        continue
    t = tasks.setdefault(r["item"], {"id": r["item"], "data": {
        "image": r["path"], "sha256": r["sha256"]}, "annotations": [],
        "predictions": []})
    uid = users.setdefault(r["labeler"], len(users) + 1)
    result = [{"id": "c%d" % r["id"], "type": "choices", "from_name": "class",
               "to_name": "image", "origin": "manual",
               "value": {"choices": [r["class"]]}}]
    if r["note"]:
        result.append({"id": "n%d" % r["id"], "type": "textarea",
                       "from_name": "note", "to_name": "image",
                       "value": {"text": [r["note"]]}})
    a = {"id": r["id"], "completed_by": {"id": uid,
         "email": r["labeler"] + "@accord.invalid"},
         "result": result, "was_cancelled": False, "ground_truth": False,
         "created_at": r["created_at"], "task": r["item"]}
    if r["seconds"] is not None:
        a["lead_time"] = r["seconds"]
    t["annotations"].append(a)
for t in tasks.values():
    votes = collections.Counter(a["result"][0]["value"]["choices"][0]
                                for a in t["annotations"])
    cls, n = votes.most_common(1)[0]
    t["predictions"].append({"model_version": "accord consensus",
        "score": n / len(t["annotations"]),
        "result": [{"type": "choices", "from_name": "class",
                    "to_name": "image", "value": {"choices": [cls]}}]})
json.dump(list(tasks.values()), open(sys.argv[2], "w"), indent=1)
PY
run "$ACCORD" labels import "$DB2" rt.json --as-member
ok_if "round trip: the Label Studio file imports whole (--as-member: the member $me labeled too)" \
	eval "[ $RC -eq 0 ] && out_has \"1 row under members' names\""
in_force() {
	sqlite3 -batch -noheader "$1" "SELECT i.sha256, l.labeler, c.name,
	    CASE WHEN l.seconds_spent IS NULL THEN '-' ELSE printf('%.3f', l.seconds_spent) END, l.created_at, l.note
	    FROM current_labels l JOIN items i ON i.id = l.item
	    JOIN classes c ON c.id = l.class ORDER BY 1, 2"
}
in_force "$DB" > rt-before
in_force "$DB2" > rt-after
ok_if "round trip: the same labels in force (labeler, class, seconds, time, note)" \
	eval "[ -s rt-before ] && [ \$(wc -l < rt-before) -ge 20 ] && cmp -s rt-before rt-after"
ok_if "round trip: each imported row's provenance names the file and the admin" \
	eval "[ \$(sqlite3 '$DB2' \"SELECT count(*) FROM labels l JOIN label_imports li ON li.id = l.label_import WHERE l.origin = 'import' AND li.file = '$T/rt.json' AND l.recorded_by = '$me'\") -eq \$(wc -l < rt-after) ]"

# --- more refusals ----------------------------------------------------------
printf '[{"id": 7, "image": "/data/upload/3/3f2a9c1d-a1.png", "defect": "ok", "annotator": "alice@example.com", "annotation_id": 11, "lead_time": 4.2}]\n' > min.json
run "$ACCORD" labels import "$DB" min.json
ok_if "label studio: a JSON-MIN export is named and the fix said" \
	eval "[ $RC -ne 0 ] && err_has 'min.json:task 7: a JSON-MIN export: export the project as JSON'"
printf 'who,labeler\n2,bob\n' > bad-users.csv
run "$ACCORD" labels import "$DB" label-studio.json --map-users bad-users.csv
ok_if "--map-users with the wrong header: one line naming the map file" \
	eval "[ $RC -ne 0 ] && err_lines 1 && err_has 'bad-users.csv: --map-users wants a CSV with the header user,labeler'"
