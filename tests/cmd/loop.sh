# The whole definition loop on the demo images, as real OS users:
# three labelers disagree on the borderline items -> the SME rewrites the
# definitions (EDITOR script, --reason) and sends those items back -> each
# labeler's next items are exactly those, relabeled under v2 -> accord agree
# shows higher agreement for v2 on those items than v1 had on them.
. "$(dirname "$0")/../lib.sh"

L1=$(test_user l1) L2=$(test_user l2) L3=$(test_user l3) SME=$(test_user sme)
ensure_user $L1 $L2 $L3 $SME || skip_all "the loop runs as real OS users: $WHY"
chmod 777 "$T"
DB=$T/loop.accord
S=$ROOT/assets/demo
PY=/usr/bin/python3

# A metadata column `kind` (clear | borderline) from the demo's truth file.
# Bare base names match the imported files of that name.
cut -d, -f1,3 "$S/truth-images.csv" | sed 's|^images/||' >"$T/kind.csv"
"$ACCORD" init "$DB" --task "surface defects" --media image \
	--classes ok,scratch,dent --borderline unsure --overlap 3 \
	--guideline "$S/guideline-images.md" >/dev/null &&
	"$ACCORD" import "$DB" "$S/images" --meta "$T/kind.csv" >/dev/null 2>&1 ||
	{ fail "demo project" "$(cat "$T/err" 2>/dev/null)"; exit 1; }
for u in $L1 $L2 $L3; do
	"$ACCORD" member "$DB" add $u >/dev/null
done
"$ACCORD" member "$DB" add $SME --role sme >/dev/null
chmod 666 "$DB"*
ok_if "60 items, 13 borderline" sql_is "SELECT count(*) || '/' || sum(value = 'borderline') FROM current_meta WHERE key = 'kind'" "60/13"

# Scripts in queue order (item id order on a fresh project).  Clear items:
# everyone gives the true class.  Borderline: l1 the true class, l2
# unsure, l3 the other defect.
$PY - "$DB" "$S/truth-images.csv" "$T" <<'PY'
import csv, os, sqlite3, sys
db, truth, t = sys.argv[1:]
tr = {r["file"].split("/")[-1]: r for r in csv.DictReader(open(truth))}
rows = sqlite3.connect(db).execute("SELECT id, path FROM items ORDER BY id").fetchall()
other = {"scratch": "dent", "dent": "scratch"}
with open(os.path.join(t, "l1.v1"), "w") as a, open(os.path.join(t, "l2.v1"), "w") as b, \
     open(os.path.join(t, "l3.v1"), "w") as c, open(os.path.join(t, "v2"), "w") as v2, \
     open(os.path.join(t, "border"), "w") as bl:
    for i, path in rows:
        r = tr[os.path.basename(path)]
        if r["kind"] == "borderline":
            a.write(r["truth"] + "\n"); b.write("unsure,looks faint\n")
            c.write(other[r["truth"]] + "\n"); v2.write(r["truth"] + "\n")
            bl.write("%d\n" % i)
        else:
            for f in (a, b, c):
                f.write(r["truth"] + "\n")
PY
for n in 1 2 3; do
	run as $(test_user l$n) "$ACCORD" label "$DB" --script "$T/l$n.v1"
	ok_if "labeler $n labels 60 items through the queue" sh -c "[ $RC -eq 0 ] && [ \$(wc -l <'$T/out') -eq 60 ]"
done
ok_if "180 labels under v1, each labeler's own" sql_is "SELECT count(*) || '/' || count(DISTINCT labeler) FROM labels WHERE guideline = 1 AND recorded_by = labeler" "180/3"

run "$ACCORD" agree "$DB" --by kind --guideline 1 --bootstrap 0 --json
cp "$T/out" "$T/before.json"
ok_if "v1: the borderline items disagree" $PY -c "
import json, sys
s = {x['name']: x['agreement'] for x in json.load(open(sys.argv[1]))['results'][0]['slices']}
assert s['borderline']['items'] == 13 and s['borderline']['percent']['value'] == 0, s['borderline']['percent']
assert s['clear']['percent']['value'] == 1
" "$T/before.json"

# The SME rewrites the definitions of scratch, dent and unsure.
cat >"$T/ed.sh" <<'EOF'
#!/bin/sh
/usr/bin/python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
t = re.sub(r"## scratch\n.*?(?=\n## )", "## scratch\nAny line across the brushing, however faint, is a scratch.\n", t, flags=re.S)
t = re.sub(r"## dent\n.*?(?=\n## )", "## dent\nAny round patch of shading, however soft, is a dent.\n", t, flags=re.S)
t = re.sub(r"## unsure\n.*", "## unsure\nOnly when the photo itself is unusable.\n", t, flags=re.S)
open(sys.argv[1], "w").write(t)
PY
EOF
chmod 755 "$T/ed.sh"
run as $SME env EDITOR="$T/ed.sh" "$ACCORD" guideline "$DB" edit --reason "faint marks count"
ok_if "the SME saves guideline v2" sh -c "[ $RC -eq 0 ] && grep -q 'guideline v2 saved' '$T/out'"
ok_if "v2 describes unsure anew" sql_is "SELECT description FROM guideline_classes g JOIN classes c ON c.id = g.class WHERE version = 2 AND c.name = 'unsure'" "Only when the photo itself is unusable."

run as $L1 "$ACCORD" adjudicate "$DB" $(cat "$T/border") --relabel
ok_if "a labeler cannot send items back" sh -c "[ $RC -eq 1 ] && grep -q 'needs the sme role' '$T/err'"
run as $SME "$ACCORD" adjudicate "$DB" $(cat "$T/border") --relabel --note "relabel under v2"
ok_if "the SME sends the 13 borderline items back" sql_is "SELECT count(*) FROM adjudications WHERE status = 'relabel' AND guideline = 2 AND user = '$SME'" 13

# Each labeler's next 13 items are exactly those, in the order sent back.
for n in 1 2 3; do
	run as $(test_user l$n) "$ACCORD" label "$DB" --script "$T/v2"
	cut -f1 "$T/out" >"$T/got$n"
	ok_if "labeler $n relabels the items sent back, first and in order" cmp -s "$T/got$n" "$T/border"
done
run as $L1 "$ACCORD" label "$DB" --script "$T/v2"
ok_if "then nothing is left" sh -c "[ $RC -eq 0 ] && grep -q 'nothing left' '$T/out'"
ok_if "old labels stay, tied to v1" sql_is "SELECT count(*) FROM labels WHERE guideline = 1 AND item IN (SELECT item FROM current_meta WHERE key = 'kind' AND value = 'borderline')" 39
ok_if "new labels are in force, under v2" sql_is "SELECT count(*) FROM current_labels WHERE guideline = 2" 39

run "$ACCORD" agree "$DB" --by kind --guideline all --bootstrap 0 --json
ok_if "agree --guideline all: in one run, v1 as it was and v2 agreeing more on those items" $PY -c "
import json, sys
before = {x['name']: x['agreement'] for x in json.load(open(sys.argv[1]))['results'][0]['slices']}
d = json.load(open(sys.argv[2]))
assert [r['guideline'] for r in d['results']] == [1, 2, None], [r['guideline'] for r in d['results']]
v1 = {x['name']: x['agreement'] for x in d['results'][0]['slices']}
v2 = {x['name']: x['agreement'] for x in d['results'][1]['slices']}
b1, b2 = v1['borderline'], v2['borderline']
# The same run still shows v1 as it was before the relabel: the labels made
# under v1 count for v1 though v2 labels superseded them.
for k in ('items', 'labels', 'percent', 'fleiss', 'alpha_nominal'):
    assert b1[k] == before['borderline'][k], (k, b1[k], before['borderline'][k])
assert b2['items'] == 13 and b2['labels'] == 39, b2
assert b2['percent']['value'] > b1['percent']['value'], (b1['percent'], b2['percent'])
assert b2['fleiss']['value'] is None or b2['percent']['value'] == 1
print('# borderline items: percent agreement v1 %.3f -> v2 %.3f' % (b1['percent']['value'], b2['percent']['value']))
" "$T/before.json" "$T/out"
