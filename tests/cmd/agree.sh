# accord agree: figures against independent tools (NLTK, statsmodels) on the
# demo project, slices by metadata and batch, guideline versions, undefined
# statistics, the sme role, and flag errors.
. "$(dirname "$0")/../lib.sh"

(cd "$ROOT" && DEMO_DIR="$T/demo" ACCORD="$ACCORD" sh scripts/demo.sh) \
	>"$T/demo.log" 2>&1 || { fail "demo project builds" "$(tail -3 "$T/demo.log")"; exit 1; }
DB=$T/demo/images.accord
PY=/usr/bin/python3

run "$ACCORD" agree "$DB" --json --bootstrap 200
cp "$T/out" "$T/default.json"
ok_if "--json exits 0 and parses" sh -c "[ $RC -eq 0 ] && $PY -c 'import json,sys; json.load(open(sys.argv[1]))' '$T/out'"

# Independent figures from the labels in force, read with sqlite3.
ok_if "figures equal NLTK alpha/kappa/Ao and statsmodels Fleiss" $PY - "$T/out" "$DB" <<'PY'
import json, sqlite3, sys, math
from nltk.metrics.agreement import AnnotationTask
from statsmodels.stats.inter_rater import fleiss_kappa, aggregate_raters
d = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
rows = db.execute("SELECT l.labeler, l.item, c.name FROM current_labels l "
                  "JOIN classes c ON c.id = l.class").fetchall()
t = AnnotationTask(data=[(a, str(i), k) for a, i, k in rows])
o = d["results"][0]["overall"]
def close(name, ours, ref):
    assert ours["why"] is None and abs(ours["value"] - ref) < 1e-9, (name, ours, ref)
close("alpha", o["alpha_nominal"], t.alpha())
close("cohen_mean", o["cohen_mean"], t.kappa())
close("percent", o["percent"], t.avg_Ao())
items = sorted({i for _, i, _ in rows})
classes = [c["name"] for c in d["classes"]]
table = [[sum(1 for _, i, k in rows if i == it and k == c) for c in classes]
         for it in items]
close("fleiss", o["fleiss"], fleiss_kappa(table))
assert o["labels"] == len(rows) and o["items"] == 60, o
assert o["alpha_ordinal"] == {"value": None, "why": "nominal scale"}, o["alpha_ordinal"]
# Per pair Cohen kappa, and each labeler's label count.
for p in o["pairs"]:
    close("pair", p["kappa"], t.kappa_pairwise(p["a"], p["b"]))
for l in o["labelers"]:
    assert l["labels"] == sum(1 for a, _, _ in rows if a == l["name"]), l
# The most disagreed item has the highest vote entropy.
def ent(it):
    ks = [k for _, i, k in rows if i == it]
    return -sum(ks.count(k) / len(ks) * math.log2(ks.count(k) / len(ks)) for k in set(ks))
top = d["results"][0]["most_disagreed"]
assert len(top) == 10 and abs(top[0]["entropy"] - max(ent(i) for i in items)) < 1e-9, top[0]
assert all(a["entropy"] >= b["entropy"] for a, b in zip(top, top[1:]))
ci = o["hlp_ci"]
assert ci["why"] is None and ci["lo"] <= o["hlp"]["value"] <= ci["hi"], ci
PY

run "$ACCORD" agree "$DB" --json --bootstrap 200
ok_if "the same seed gives the same output" cmp -s "$T/out" "$T/default.json"

run "$ACCORD" agree "$DB" --json --bootstrap 200 --guideline 1
ok_if "--guideline 1 equals the default on a one-version project" $PY -c "
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
assert b['guideline'] == 1 and b['results'][0]['guideline'] == 1
assert a['results'][0]['overall'] == b['results'][0]['overall']
" "$T/default.json" "$T/out"
run "$ACCORD" agree "$DB" --json --bootstrap 0 --guideline all
ok_if "--guideline all: one result per version, then all" $PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert [r['guideline'] for r in d['results']] == [1, None], d['results']
assert d['results'][0]['overall']['fleiss'] == d['results'][1]['overall']['fleiss']
assert d['results'][0]['overall']['hlp_ci']['why'] == 'no bootstrap'
" "$T/out"
run "$ACCORD" agree "$DB" --json --guideline 7 --bootstrap 0
ok_if "a version without labels reports undefined, not an error" $PY -c "
import json, sys
o = json.load(open(sys.argv[1]))['results'][0]['overall']
assert o['labels'] == 0 and o['fleiss'] == {'value': None, 'why': 'no labels'}, o
" "$T/out"

run "$ACCORD" agree "$DB" --json --by camera --bootstrap 50
ok_if "--by camera: one slice per camera with its item count" $PY - "$T/out" "$DB" <<'PY'
import json, sqlite3, sys
d = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
want = dict(db.execute("SELECT value, count(*) FROM current_meta WHERE key = 'camera' GROUP BY value"))
got = {s["name"]: s["items"] for s in d["results"][0]["slices"]}
assert got == want, (got, want)
assert all(s["agreement"]["items"] == s["items"] for s in d["results"][0]["slices"])
assert sum(s["agreement"]["labels"] for s in d["results"][0]["slices"]) == 180
PY
run "$ACCORD" agree "$DB" --json --by brightness --bootstrap 0
ok_if "--by brightness: 4 quantile slices of 15 items" $PY -c "
import json, sys
s = json.load(open(sys.argv[1]))['results'][0]['slices']
assert [x['name'].split(' [')[0] for x in s] == ['brightness Q%d' % i for i in range(1, 5)], s
assert [x['items'] for x in s] == [15] * 4, [x['items'] for x in s]
" "$T/out"
run "$ACCORD" agree "$DB" --by batch --bootstrap 0
ok_if "--by batch text table" sh -c "[ $RC -eq 0 ] && grep -q '^  demo  *60 ' '$T/out'"
sqlite3 "$DB" "INSERT INTO item_meta(item, key, value, source, created_at) SELECT id, 'shift', 'night', 'test', 'now' FROM items WHERE id <= 5"
run "$ACCORD" agree "$DB" --json --by shift --bootstrap 0
ok_if "items without the key fall in (none)" $PY -c "
import json, sys
s = json.load(open(sys.argv[1]))['results'][0]['slices']
assert [(x['name'], x['items']) for x in s] == [('night', 5), ('(none)', 55)], s
" "$T/out"
# Metadata CSV cells are stored as text; numbers among them still slice
# as numbers: quartiles for many values, numeric order for few.
sqlite3 "$DB" "INSERT INTO item_meta(item, key, value, source, created_at) SELECT id, 'snr', printf('%.1f', id * 1.5), 'csv:test', 'now' FROM items;
INSERT INTO item_meta(item, key, value, source, created_at) SELECT id, 'lens', CASE id % 3 WHEN 0 THEN '10' WHEN 1 THEN '2' ELSE '1' END, 'csv:test', 'now' FROM items"
run "$ACCORD" agree "$DB" --json --by snr --bootstrap 0
ok_if "numbers stored as text (CSV) are cut into quartiles" $PY -c "
import json, sys
s = json.load(open(sys.argv[1]))['results'][0]['slices']
assert [x['name'].split(' [')[0] for x in s] == ['snr Q%d' % i for i in range(1, 5)], s
assert [x['items'] for x in s] == [15] * 4, [x['items'] for x in s]
" "$T/out"
run "$ACCORD" agree "$DB" --json --by lens --bootstrap 0
ok_if "few numbers stored as text: one slice each, in numeric order" $PY -c "
import json, sys
s = json.load(open(sys.argv[1]))['results'][0]['slices']
assert [(x['name'], x['items']) for x in s] == [('lens = 1', 20), ('lens = 2', 20), ('lens = 10', 20)], s
" "$T/out"
run "$ACCORD" agree "$DB" --by nosuchkey
ok_if "an unknown --by key fails in one line" sh -c "[ $RC -eq 1 ] && grep -q \"no item has metadata key 'nosuchkey'\" '$T/err' && [ \$(wc -l < '$T/err') -eq 1 ]"

run "$ACCORD" agree "$DB" --bootstrap 100
ok_if "text report: team, classes, labelers, pairs, items" sh -c "[ $RC -eq 0 ] && grep -q 'Fleiss' '$T/out' && grep -q 'team HLP .*\\[' '$T/out' && grep -q '(borderline)' '$T/out' && grep -q 'class pairs behind' '$T/out' && grep -q 'img_0.*alice=' '$T/out'"
ok_if "no bars when stdout is not a terminal" sh -c "! grep -q '█' '$T/out'"

# Gold and adjudications: the newest row decides.
sqlite3 "$DB" "INSERT INTO gold(item, class, user, created_at) SELECT l.item, l.class, 'root', 'now' FROM current_labels l WHERE l.labeler = 'alice' AND l.item <= 4;
INSERT INTO gold(item, class, user, created_at) VALUES (4, NULL, 'root', 'later');"
run "$ACCORD" agree "$DB" --json --bootstrap 0
ok_if "gold accuracy per labeler (removed gold not counted)" $PY - "$T/out" "$DB" <<'PY'
import json, sqlite3, sys
d = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
lab = {l["name"]: l for l in d["results"][0]["overall"]["labelers"]}
assert lab["alice"]["gold_items"] == 3 and lab["alice"]["gold_accuracy"]["value"] == 1, lab["alice"]
n = db.execute("SELECT count(*) FROM current_labels l JOIN current_labels a ON a.item = l.item AND a.labeler = 'alice' WHERE l.labeler = 'bob' AND l.item <= 3 AND l.class = a.class").fetchone()[0]
assert abs(lab["bob"]["gold_accuracy"]["value"] - n / 3) < 1e-12, (lab["bob"], n)
PY

# One labeler: nothing to agree on, said with a reason.
D1=$T/one.accord
"$ACCORD" init "$D1" --task one --media image --classes ok,scratch,dent --borderline unsure >/dev/null
"$ACCORD" import "$D1" "$ROOT/assets/demo/images" >/dev/null 2>&1
{ head -1 "$ROOT/assets/demo/labels-images.csv"; grep ',alice,' "$ROOT/assets/demo/labels-images.csv" |
	sed "s|^images/|$ROOT/assets/demo/images/|"; } > "$T/one.csv"
"$ACCORD" labels import "$D1" "$T/one.csv" >/dev/null
run "$ACCORD" agree "$D1" --json
ok_if "one labeler: undefined with a reason, exit 0" $PY -c "
import json, sys
o = json.load(open(sys.argv[1]))['results'][0]['overall']
assert o['labels'] == 60, o['labels']
assert o['fleiss'] == {'value': None, 'why': 'one labeler'}, o['fleiss']
assert o['alpha_nominal']['value'] is None and o['alpha_nominal']['why']
" "$T/out"
run "$ACCORD" agree "$D1"
ok_if "one labeler text: 'undefined (one labeler)', no NaN" sh -c "[ $RC -eq 0 ] && grep -q 'undefined (one labeler)' '$T/out' && ! grep -qiw 'nan' '$T/out'"

for bad in "--bootstrap x" "--bootstrap -1" "--guideline 0" "--guideline v2" "--seed -3" "--nope" "--by"; do
	# shellcheck disable=SC2086
	run "$ACCORD" agree "$DB" $bad
	ok_if "bad flag '$bad' exits 2 with one line" sh -c "[ $RC -eq 2 ] && [ \$(wc -l < '$T/err') -eq 1 ]"
done
run "$ACCORD" agree
ok_if "no DB exits 2" rc_is 2
run "$ACCORD" agree "$T/missing.accord"
ok_if "a missing store exits 1" rc_is 1
run "$ACCORD" agree --help
ok_if "--help names the role" sh -c "[ $RC -eq 0 ] && grep -q 'sme or admin' '$T/out'"

LAB=$(test_user lab)
SME=$(test_user sme)
if ensure_user $LAB $SME; then
	chmod 777 "$T" "$T/demo"
	chmod 666 "$DB"*
	"$ACCORD" member "$DB" add $LAB >/dev/null
	"$ACCORD" member "$DB" add $SME --role sme >/dev/null
	chmod 666 "$DB"*
	run as $LAB "$ACCORD" agree "$DB"
	ok_if "a labeler is refused" sh -c "[ $RC -eq 1 ] && grep -q 'needs the sme role' '$T/err' && [ ! -s '$T/out' ]"
	run as $SME "$ACCORD" agree "$DB" --bootstrap 0
	ok_if "an sme may read agreement" rc_is 0
else
	skip "agree as a labeler (refused) and as an sme" "$WHY"
fi
