# accord errors and accord drift on a generated project: the 60 demo images
# in two import batches, a metadata CSV with a `site` key, labels of three
# labelers via `accord labels import`, and model predictions whose errors
# sit in site B.  Figures are checked against Python reading the store.
. "$(dirname "$0")/../lib.sh"

PY=/usr/bin/python3
IMG=$ROOT/assets/demo/images
DB=$T/p.accord

# The project: items 1-30 batch one, 31-60 batch two; site A, B, C in turn.
"$ACCORD" init "$DB" --task gen --media image --classes ok,scratch,dent >/dev/null
$PY - "$IMG" "$T" <<'PY'
import os, random, sys
img, t = sys.argv[1], sys.argv[2]
files = sorted(f for f in os.listdir(img) if f.startswith("img_"))
rng = random.Random(7)
classes = ["ok", "scratch", "dent"]
with open(t + "/meta.csv", "w") as m, open(t + "/labels.csv", "w") as l, \
     open(t + "/truth.txt", "w") as tr:
    m.write("file,site,hour\n")
    l.write("file,labeler,class\n")
    for i, f in enumerate(files):
        site = "ABC"[i % 3]
        m.write("%s/%s,%s,%d\n" % (img, f, site, (i * 7) % 24))
        truth = classes[rng.randrange(3)]
        tr.write("%s %s %s\n" % (f, site, truth))
        for k, lab in enumerate(["l1", "l2", "l3"]):
            c = truth
            # One labeler in ten items disagrees: HLP below 1, no ties.
            if k == 2 and i % 10 == 3:
                c = classes[(classes.index(truth) + 1) % 3]
            l.write("%s/%s,%s,%s\n" % (img, f, lab, c))
PY
ls "$IMG"/img_0[0-2]* "$IMG"/img_030* > "$T/one.txt"
ls "$IMG"/img_* | grep -v -F -f "$T/one.txt" > "$T/two.txt"
# shellcheck disable=SC2046
"$ACCORD" import "$DB" $(cat "$T/one.txt") --meta "$T/meta.csv" --batch one >/dev/null 2>&1
# shellcheck disable=SC2046
"$ACCORD" import "$DB" $(cat "$T/two.txt") --meta "$T/meta.csv" --batch two >/dev/null 2>&1
"$ACCORD" labels import "$DB" "$T/labels.csv" >/dev/null
ok_if "project: 60 items in two batches, 180 labels" sql_is "SELECT (SELECT count(*) FROM items) || '/' || (SELECT count(*) FROM batches) || '/' || (SELECT count(*) FROM labels)" "60/2/180"

# Predictions: right everywhere but in site B, where every other item is
# wrong; then four bad rows.
$PY - "$T" <<'PY'
import sys
t = sys.argv[1]
classes = ["ok", "scratch", "dent"]
rows = [l.split() for l in open(t + "/truth.txt")]
with open(t + "/preds.csv", "w") as p:
    p.write("path,class,score\n")
    nb = 0
    for f, site, truth in rows:
        c = truth
        if site == "B":
            if nb % 2 == 0:
                c = classes[(classes.index(truth) + 1) % 3]
            nb += 1
        p.write("%s,%s,0.9\n" % (f, c))
    p.write("nosuch.jpg,ok,0.5\n")              # line 62
    p.write("%s,weird,0.5\n" % rows[0][0])      # line 63
    p.write("%s,ok,high\n" % rows[1][0])        # line 64
    p.write("%s,ok,0.1\n" % rows[2][0])         # line 65: item again
PY
cd "$T" || exit 1
run "$ACCORD" errors "$DB" --predictions preds.csv --by site --json
cp "$T/out" "$T/site.json"
ok_if "import with bad rows exits 0" rc_is 0
ok_if "each bad row is one line naming FILE:LINE" sh -c "[ \$(wc -l < '$T/err') -eq 4 ] &&
	grep -q '^accord: preds.csv:62: no imported item at .nosuch.jpg.' '$T/err' &&
	grep -q '^accord: preds.csv:63: unknown class .weird.' '$T/err' &&
	grep -q '^accord: preds.csv:64: score .high. is not a number' '$T/err' &&
	grep -q '^accord: preds.csv:65: item already predicted on line 4' '$T/err'"
ok_if "the good rows are kept, as run 'preds'" sql_is "SELECT r.name || ' ' || count(*) || ' ' || sum(p.score = 0.9) FROM predictions p JOIN prediction_runs r ON r.id = p.run" "preds 60 60"

# The scoring, written again from docs/statistics.md ("Error analysis"),
# reading the store: each item's reference (newest adjudication if its
# status is class, else newest gold row), labels in force, h and c.
cat >"$T/score.py" <<'PY'
import sqlite3
from collections import Counter

def load(path):
    db = sqlite3.connect(path)
    lab = {}
    for item, c in db.execute("SELECT item, class FROM current_labels"):
        lab.setdefault(item, []).append(c)
    adj = {}
    for item, c, status in db.execute("SELECT item, class, status FROM adjudications ORDER BY id"):
        adj[item] = (c, status)
    gold = {}
    for item, c in db.execute("SELECT item, class FROM gold ORDER BY id"):
        gold[item] = c
    pred = dict(db.execute("SELECT item, class FROM predictions p JOIN prediction_runs r "
                           "ON r.id = p.run WHERE r.name = 'preds'"))
    return db, lab, adj, gold, pred

def score(lab, adj, gold, pred):
    """{item: (h, c, consensus)} of the scored items."""
    out = {}
    for i, y in pred.items():
        a = adj.get(i)
        if a and a[1] == "ambiguous":
            continue
        ref = a[0] if a and a[1] == "class" else gold.get(i)
        v = lab.get(i, [])
        m = len(v)
        n = Counter(v)
        if ref is not None and m >= 1:
            h, c = n[ref] / m, float(y == ref)
        elif m >= 2:
            h = sum(k * (k - 1) for k in n.values()) / (m * (m - 1))
            c = n[y] / m
        else:
            continue
        top = n.most_common()
        cons = ref if ref is not None else (
            top[0][0] if len(top) == 1 or top[0][1] > top[1][1] else None)
        out[i] = (h, c, cons)
    return out
PY

ok_if "--by site: figures match Python from the store; B sorts first" env PYTHONPATH="$T" $PY - "$T/site.json" "$DB" <<'PY'
import json, math, sys
import score
d = json.load(open(sys.argv[1]))
db, lab, adj, gold, pred = score.load(sys.argv[2])
sc = score.score(lab, adj, gold, pred)
site = dict(db.execute("SELECT item, value FROM current_meta WHERE key = 'site'"))
n = len(sc)
assert d["scored"] == 60 == n and d["predicted"] == 60 and d["items"] == 60, d
assert d["left_out"] == {"ambiguous": 0, "ties": 0, "unlabeled": 0, "one_label": 0}, d["left_out"]
miss = sum(1 - c for h, c, k in sc.values())
def check(row, items):
    h = sum(sc[i][0] for i in items) / len(items)
    c = sum(sc[i][1] for i in items) / len(items)
    e = sum(sc[i][2] is not None and sc[i][2] != pred[i] for i in items)
    assert row["items"] == len(items) and row["errors"] == e, (row, len(items), e)
    assert abs(row["hlp"]["value"] - h) < 1e-12, (row, h)
    assert abs(row["accuracy"]["value"] - c) < 1e-12, (row, c)
    assert abs(row["error_rate"] - (1 - c)) < 1e-12, row
    assert abs(row["gap"]["value"] - (h - c)) < 1e-12, row
    assert abs(row["room"]["value"] - (h - c) * len(items) / n) < 1e-12, row
    assert abs(row["data_share"] - len(items) / n) < 1e-12, row
    assert abs(row["error_share"] - sum(1 - sc[i][1] for i in items) / miss) < 1e-12, row
    for k in ("hlp", "accuracy", "gap", "room"):
        ci = row[k + "_ci"]
        assert ci["why"] is None and ci["lo"] <= ci["hi"], (k, row)
        assert math.isfinite(ci["lo"]) and math.isfinite(ci["hi"]), (k, row)
        assert ci["lo"] - 1e-9 <= row[k]["value"] <= ci["hi"] + 1e-9, (k, row)
# The overall HLP is the plain mean of the items' h.
check(d["overall"], list(sc))
assert abs(d["overall"]["hlp"]["value"] - sum(v[0] for v in sc.values()) / n) < 1e-12
assert d["overall"]["errors"] == 10, d["overall"]
assert [s["name"] for s in d["slices"]][0] == "B", d["slices"]
rooms = [s["room"]["value"] for s in d["slices"]]
assert rooms == sorted(rooms, reverse=True), rooms
for s in d["slices"]:
    check(s, [i for i in sc if site[i] == s["name"]])
conf = [[0] * 3 for _ in range(3)]
ids = {r[0]: k for k, r in enumerate(db.execute("SELECT id FROM classes ORDER BY position"))}
for i, (h, c, k) in sc.items():
    conf[ids[k]][ids[pred[i]]] += 1
assert d["confusion"] == conf, (d["confusion"], conf)
assert d["tags"] == [], d["tags"]
assert d["run"]["name"] == "preds" and d["import"] == {"rows": 60, "bad": 4, "reused": False}
PY

run "$ACCORD" errors "$DB" --run preds --by site
ok_if "text: slices by room, with the JSON's figures and intervals" $PY - "$T/out" "$T/site.json" <<'PY'
import json, sys
text = open(sys.argv[1]).read().split("\n")
d = json.load(open(sys.argv[2]))
at = next(k for k, l in enumerate(text) if l.strip().startswith("by site"))
ci = lambda c: ["[%+.3f," % c["lo"], "%+.3f]" % c["hi"]]
for k, s in enumerate(d["slices"]):
    f = text[at + 1 + k].split()
    assert f[0] == s["name"] and int(f[1]) == s["items"] and int(f[2]) == s["errors"], (f, s)
    assert f[3:6] == ["%.3f" % s["data_share"], "%.3f" % s["accuracy"]["value"], "%.3f" % s["hlp"]["value"]], (f, s)
    assert f[6:] == ["%+.3f" % s["gap"]["value"]] + ci(s["gap_ci"]) + ["%+.3f" % s["room"]["value"]] + ci(s["room_ci"]), (f, s)
assert text[at + 1].split()[0] == "B"
o = d["overall"]
line = next(l for l in text if l.strip().startswith("gap "))
assert line.split()[1:] == ["%+.3f" % o["gap"]["value"]] + ci(o["gap_ci"]), line
assert any(l.strip().startswith("intervals: 95% BCa, 1000 bootstrap replicates") for l in text)
PY

# Tags in force: 'blurry' on B's wrong items (one user removed one again),
# 'dark' on three correct items of A.
sql "INSERT INTO tags(item, user, tag, created_at) SELECT p.item, 'l1', 'blurry', 'now' FROM predictions p
	JOIN current_meta m ON m.item = p.item AND m.key = 'site' AND m.value = 'B'
	WHERE p.class <> (SELECT class FROM current_labels l WHERE l.item = p.item AND l.labeler = 'l1');
INSERT INTO tags(item, user, tag, created_at) SELECT item, 'l1', 'dark', 'now' FROM current_meta WHERE key = 'site' AND value = 'A' LIMIT 3;
INSERT INTO tags(item, user, tag, removed, created_at) SELECT min(item), 'l1', 'blurry', 1, 'later' FROM tags WHERE tag = 'blurry';"
run "$ACCORD" errors "$DB" --run preds --json
ok_if "tags in force: blurry first (9 items, all wrong), then dark, (no tag)" env PYTHONPATH="$T" $PY -c "
import json, sys, score
d = json.load(open(sys.argv[1]))
db, lab, adj, gold, pred = score.load(sys.argv[2])
sc = score.score(lab, adj, gold, pred)
t = {r['name']: r for r in d['tags']}
assert [r['name'] for r in d['tags']][0] == 'blurry', d['tags']
assert set(t) == {'blurry', 'dark', '(no tag)'}, t.keys()
blurry = [i for (i,) in db.execute(\"SELECT DISTINCT item FROM tags WHERE tag = 'blurry' AND item <> (SELECT min(item) FROM tags WHERE tag = 'blurry')\")]
acc = sum(sc[i][1] for i in blurry) / len(blurry)
assert t['blurry']['items'] == 9 and t['blurry']['errors'] == 9, t['blurry']
assert abs(t['blurry']['accuracy']['value'] - acc) < 1e-12 and acc < 0.1, (t['blurry'], acc)
assert t['dark']['items'] == 3 and t['dark']['errors'] == 0
assert t['(no tag)']['items'] == 48 and t['(no tag)']['errors'] == 1
assert d['slices'] == [] and d['by'] is None and d['import'] is None
" "$T/out" "$DB"

# Adjudication: an ambiguous item is left out; a class overrides the labels.
sql "INSERT INTO adjudications(item, class, status, user, guideline, created_at) VALUES
	(1, NULL, 'ambiguous', 'root', 1, 'now'),
	(2, (SELECT class FROM predictions WHERE item = 2), 'class', 'root', 1, 'now'),
	(3, 1, 'class', 'root', 1, 'then'), (3, NULL, 'ambiguous', 'root', 1, 'later')"
run "$ACCORD" errors "$DB" --run preds --json
ok_if "adjudications: newest ambiguous left out, adjudicated class overrides" env PYTHONPATH="$T" $PY - "$T/out" "$DB" <<'PY'
import json, sys, score
d = json.load(open(sys.argv[1]))
db, lab, adj, gold, pred = score.load(sys.argv[2])
sc = score.score(lab, adj, gold, pred)
assert d["left_out"]["ambiguous"] == 2 and d["scored"] == 58 == len(sc), d["left_out"]
assert sum(map(sum, d["confusion"])) == 58
o = d["overall"]
assert abs(o["hlp"]["value"] - sum(v[0] for v in sc.values()) / 58) < 1e-12, o
assert abs(o["accuracy"]["value"] - sum(v[1] for v in sc.values()) / 58) < 1e-12, o
# Item 2: adjudicated to the model's class, so the model has full credit
# there and each person the share of labels naming that class.
assert sc[2][1] == 1.0
PY

# Gold counts for people and model alike: gold on items 4-9 (the model's
# class on 4-6, another on 7-9; item 5 gold then removed, 6 changed).
sql "INSERT INTO gold(item, class, user, created_at) VALUES
	(4, (SELECT class FROM predictions WHERE item = 4), 'root', 'now'),
	(5, (SELECT class FROM predictions WHERE item = 5), 'root', 'now'),
	(5, NULL, 'root', 'later'),
	(6, (SELECT min(id) FROM classes), 'root', 'now'),
	(6, (SELECT class FROM predictions WHERE item = 6), 'root', 'later'),
	(7, (SELECT id FROM classes WHERE id <> (SELECT class FROM predictions WHERE item = 7) LIMIT 1), 'root', 'now'),
	(8, (SELECT id FROM classes WHERE id <> (SELECT class FROM predictions WHERE item = 8) LIMIT 1), 'root', 'now'),
	(9, (SELECT id FROM classes WHERE id <> (SELECT class FROM predictions WHERE item = 9) LIMIT 1), 'root', 'now')"
run "$ACCORD" errors "$DB" --run preds --by site --json
ok_if "gold: the model is credited where it agrees with gold, as a person is" env PYTHONPATH="$T" $PY - "$T/out" "$DB" <<'PY'
import json, sys, score
d = json.load(open(sys.argv[1]))
db, lab, adj, gold, pred = score.load(sys.argv[2])
sc = score.score(lab, adj, gold, pred)
assert sc[4][1] == 1.0 and sc[6][1] == 1.0 and sc[7][1] == 0.0, (sc[4], sc[6], sc[7])
o = d["overall"]
n = len(sc)
assert abs(o["hlp"]["value"] - sum(v[0] for v in sc.values()) / n) < 1e-12, o
assert abs(o["accuracy"]["value"] - sum(v[1] for v in sc.values()) / n) < 1e-12, o
site = dict(db.execute("SELECT item, value FROM current_meta WHERE key = 'site'"))
for s in d["slices"]:
    items = [i for i in sc if site[i] == s["name"]]
    assert abs(s["hlp"]["value"] - sum(sc[i][0] for i in items) / len(items)) < 1e-12, s
    assert abs(s["room"]["value"] - sum(sc[i][0] - sc[i][1] for i in items) / n) < 1e-12, s
PY

run "$ACCORD" errors "$DB" --predictions preds.csv --json
ok_if "the same file again reuses the run" sh -c "[ $RC -eq 0 ] && $PY -c \"import json,sys; d=json.load(open('$T/out')); assert d['import'] == {'rows': 60, 'bad': 0, 'reused': True}\" && [ ! -s '$T/err' ] && [ \$(sqlite3 '$DB' 'SELECT count(*) FROM prediction_runs') -eq 1 ]"
sed 's/,0.9$/,0.8/' preds.csv > preds2.csv
run "$ACCORD" errors "$DB" --predictions preds2.csv --run preds
ok_if "another file under a used name fails in one line" sh -c "[ $RC -eq 1 ] && [ \$(wc -l < '$T/err') -eq 1 ] && grep -q \"run 'preds' exists with other content\" '$T/err'"

# JSON Lines, sha256 column and the 'prediction' key.
sqlite3 "$DB" "SELECT '{\"sha256\": \"' || sha256 || '\", \"prediction\": \"ok\"}' FROM items WHERE id <= 10" > m2.jsonl
echo '{"sha256": "nothex", "prediction": "ok"}' >> m2.jsonl
run "$ACCORD" errors "$DB" --predictions m2.jsonl --json
ok_if "JSON Lines with sha256 and prediction: run m2, bad line reported" sh -c "[ $RC -eq 0 ] && grep -q '^accord: m2.jsonl:11: sha256 .nothex. is not 64' '$T/err' && $PY -c \"import json; d=json.load(open('$T/out')); assert d['run']['name'] == 'm2' and d['predicted'] == 10, d\""
printf 'path,class\nnosuch.jpg,ok\n' > none.csv
run "$ACCORD" errors "$DB" --predictions none.csv
ok_if "no usable row: exit 1, nothing stored" sh -c "[ $RC -eq 1 ] && tail -1 '$T/err' | grep -q 'no usable prediction rows' && [ \$(sqlite3 '$DB' \"SELECT count(*) FROM prediction_runs WHERE name = 'none'\") -eq 0 ]"
run "$ACCORD" errors "$DB" --run nosuch
ok_if "an unknown run fails in one line" sh -c "[ $RC -eq 1 ] && grep -q \"no prediction run named 'nosuch'\" '$T/err' && [ \$(wc -l < '$T/err') -eq 1 ]"
run "$ACCORD" errors "$DB" --run preds --by brightness --json
cp "$T/out" "$T/bright.json"
run "$ACCORD" agree "$DB" --by brightness --json --bootstrap 0
ok_if "--by a numeric key: the quartile slices of agree --by" $PY -c "
import json, sys
s = json.load(open(sys.argv[1]))['slices']
a = json.load(open(sys.argv[2]))['results'][0]['slices']
assert sorted(x['name'] for x in s) == sorted(x['name'] for x in a), (s, a)
assert sorted(x['name'].split(' [')[0] for x in s) == ['brightness Q%d' % i for i in range(1, 5)], s
assert sum(x['items'] for x in s) == 58
" "$T/bright.json" "$T/out"

# Drift between the batches.
run "$ACCORD" drift "$DB" --from one --to two --json
ok_if "drift: KS, PSI and chi-square match SciPy on the store's values" $PY - "$T/out" "$DB" <<'PY'
import json, sqlite3, sys
import numpy as np
from scipy import stats
d = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
assert d["from"] == {"batch": "one", "items": 30} and d["to"] == {"batch": "two", "items": 30}, d
psis = [s["psi"] for s in d["shifts"]]
assert psis == sorted(psis, reverse=True), psis
names = {s["name"]: s for s in d["shifts"]}
assert {"brightness", "contrast", "sharpness", "hour", "labels"} <= set(names), names.keys()
assert "site" not in names  # text metadata; hour: numbers written as text
def vals(key, batch):
    return np.array([v for (v,) in db.execute(
        "SELECT m.value FROM current_meta m JOIN items i ON i.id = m.item JOIN batches b ON b.id = i.batch "
        "WHERE m.key = ? AND b.name = ?", (key, batch))], dtype=float)
for key in ("brightness", "sharpness", "hour"):
    a, b = vals(key, "one"), vals(key, "two")
    s = names[key]
    r = stats.ks_2samp(a, b)  # 30 and 30 values: SciPy's default is exact
    assert abs(s["ks_d"] - r.statistic) < 1e-9, (key, s, r)
    assert s["ks_method"] == "exact" and abs(s["ks_p"] - r.pvalue) < 1e-9, (key, s, r)
    a = np.sort(a)
    e = np.unique(a[np.arange(1, 10) * len(a) // 10])
    p = np.bincount(np.searchsorted(e, a, side="right"), minlength=len(e) + 1) / len(a)
    q = np.bincount(np.searchsorted(e, b, side="right"), minlength=len(e) + 1) / len(b)
    p, q = np.where(p == 0, 1e-4, p), np.where(q == 0, 1e-4, q)
    assert abs(s["psi"] - np.sum((q - p) * np.log(q / p))) < 1e-9, (key, s)
lf, lt = d["labels"]["from"], d["labels"]["to"]
def counts(bn):
    return [db.execute("SELECT count(*) FROM current_labels l JOIN items i ON i.id = l.item "
                       "JOIN batches b ON b.id = i.batch JOIN classes c ON c.id = l.class "
                       "WHERE b.name = ? AND c.name = ?", (bn, cn)).fetchone()[0]
            for cn in d["labels"]["classes"]]
assert lf == counts("one") and lt == counts("two"), (lf, lt)
chi2, p, dof, _ = stats.chi2_contingency([lf, lt], correction=False)
s = names["labels"]
assert s["kind"] == "labels" and s["ks_d"] is None, s
assert abs(s["chi2"] - chi2) < 1e-9 and abs(s["chi2_p"] - p) < 1e-9 and s["chi2_df"] == dof, (s, chi2, p, dof)
PY
run "$ACCORD" drift "$DB" --from one --to two
ok_if "drift text: a row per shift, largest PSI first, and label counts" sh -c "[ $RC -eq 0 ] && grep -q '^  brightness ' '$T/out' && grep -q 'chi-square .*df 2' '$T/out' && grep -q '^    scratch ' '$T/out'"
run "$ACCORD" drift "$DB" --from one --to nope
ok_if "drift: an unknown batch fails in one line" sh -c "[ $RC -eq 1 ] && grep -q \"no import batch named 'nope'\" '$T/err' && [ \$(wc -l < '$T/err') -eq 1 ]"
run "$ACCORD" drift "$DB" --from one --to one
ok_if "drift: the same batch twice fails" rc_is 1

for bad in "--from one" "--to two" "--from one --to two --nope" "--from"; do
	# shellcheck disable=SC2086
	run "$ACCORD" drift "$DB" $bad
	ok_if "drift: bad flags '$bad' exit 2 with one line" sh -c "[ $RC -eq 2 ] && [ \$(wc -l < '$T/err') -eq 1 ]"
done
for bad in "" "--by" "--run" "--nope"; do
	# shellcheck disable=SC2086
	run "$ACCORD" errors "$DB" $bad
	ok_if "errors: bad flags '$bad' exit 2 with one line" sh -c "[ $RC -eq 2 ] && [ \$(wc -l < '$T/err') -eq 1 ]"
done
run "$ACCORD" errors --help
ok_if "errors --help names the role and the columns" sh -c "[ $RC -eq 0 ] && grep -q 'sme or' '$T/out' && grep -q 'prediction' '$T/out'"
# Hostile numbers: a metric of +-1e308, whose plain sum overflows (four
# of them printed the mean as inf, and --json said null for a mean that
# exists).  The text shows no inf or nan; --json parses strictly (no
# Infinity, no NaN) and gives the means.
mkdir -p huge/a huge/b
n=0
for f in "$ROOT"/assets/demo/images/img_00[1-8].*; do
	n=$((n + 1))
	if [ $n -le 4 ]; then cp "$f" huge/a/; else cp "$f" huge/b/; fi
done
HDB=$T/huge.accord
{ echo file,big; for f in huge/a/*; do echo "${f##*/},1e308"; done; } >huge/a.csv
{ echo file,big; for f in huge/b/*; do echo "${f##*/},-1.7e308"; done; } >huge/b.csv
"$ACCORD" init "$HDB" --task huge --media image --classes ok,bad >/dev/null &&
	"$ACCORD" import "$HDB" huge/a --meta huge/a.csv --batch ha >/dev/null &&
	"$ACCORD" import "$HDB" huge/b --meta huge/b.csv --batch hb >/dev/null ||
	fail "the project of huge metrics"
run "$ACCORD" drift "$HDB" --from ha --to hb
ok_if "drift text: huge means are shown, never inf or nan" sh -c \
	"[ $RC -eq 0 ] && grep -q '^  big .* 1e+308 .*-1.7e+308' '$T/out' && ! grep -qi 'inf\|nan' '$T/out'"
run "$ACCORD" drift "$HDB" --from ha --to hb --json
ok_if "drift --json: strict JSON, the huge means as numbers" $PY - "$T/out" <<'PY'
import json, math, sys
def bad(c):
    raise ValueError("non-finite number in JSON: " + c)
d = json.loads(open(sys.argv[1]).read(), parse_constant=bad)
big = [s for s in d["shifts"] if s["name"] == "big"][0]
assert math.isclose(big["mean_from"], 1e308, rel_tol=1e-12), big
assert math.isclose(big["mean_to"], -1.7e308, rel_tol=1e-12), big
assert big["ks_d"] == 1 and big["ks_method"] == "exact", big
PY
# errors on the same hostile project, where figures are undefined: items
# with one label and none, a tag on an item that is not scored, a tag on
# one scored item (bootstrap replicates miss it).  --json parses strictly; the text says
# why each missing figure is missing and prints no inf or nan.
{
	echo file,labeler,class
	k=0
	for f in huge/a/* huge/b/*; do
		k=$((k + 1))
		case $k in
		1|2|3) echo "${f##*/},l1,ok"; echo "${f##*/},l2,ok" ;;
		4) echo "${f##*/},l1,ok"; echo "${f##*/},l2,bad" ;;
		5|6) echo "${f##*/},l1,bad" ;;
		esac
	done
} >huge/labels.csv
{ echo path,class; for f in huge/a/* huge/b/*; do echo "${f##*/},ok"; done; } >huge/preds.csv
"$ACCORD" labels import "$HDB" huge/labels.csv >/dev/null || fail "labels of the hostile project"
sqlite3 "$HDB" "INSERT INTO tags(item, user, tag, created_at) SELECT id, 'l1', 'lone', 'now' FROM items WHERE id = 5;
	INSERT INTO tags(item, user, tag, created_at) SELECT id, 'l1', 'solo', 'now' FROM items WHERE id = 4"
run "$ACCORD" errors "$HDB" --predictions huge/preds.csv --run preds --json
ok_if "errors --json on undefined figures: strict JSON, nulls with reasons" $PY - "$T/out" <<'PY'
import json, sys
def bad(c):
    raise ValueError("non-finite number in JSON: " + c)
d = json.loads(open(sys.argv[1]).read(), parse_constant=bad)
assert d["scored"] == 4 and d["left_out"] == {"ambiguous": 0, "ties": 1, "unlabeled": 2, "one_label": 2}, d
t = {r["name"]: r for r in d["tags"]}
lone, solo, o = t["lone"], t["solo"], d["overall"]
assert lone["items"] == 0 and lone["gap"] == {"value": None, "why": "no scored item"}, lone
assert lone["room_ci"] == {"lo": None, "hi": None, "why": "no scored item"}, lone
# Item 4: labels ok, bad; the model says ok: h 0, c 1/2.
assert solo["items"] == 1 and solo["gap"]["value"] == -0.5 and solo["room"]["value"] == -0.125, solo
assert solo["gap_ci"]["why"] == "too few items for a bootstrap interval" and solo["gap_ci"]["lo"] is None, solo
assert solo["room_ci"]["why"] is None and solo["room_ci"]["lo"] <= solo["room"]["value"] <= solo["room_ci"]["hi"], solo
assert [r["name"] for r in d["tags"]][-1] == "lone", d["tags"]
assert o["hlp"]["value"] == 0.75 and o["accuracy"]["value"] == 0.875, o
for k in ("hlp", "accuracy", "gap", "room"):
    assert o[k + "_ci"]["lo"] is not None, (k, o)
PY
run "$ACCORD" errors "$HDB" --run preds
ok_if "errors text: the reason of every missing figure, no inf or nan" sh -c \
	"[ $RC -eq 0 ] && grep -q '^  lone .*(no gap: no scored item)' '$T/out' &&
	grep -q '^  solo .*(no gap interval: too few items for a bootstrap interval)' '$T/out' &&
	grep -q '1 scored item without a consensus' '$T/out' && ! grep -qi 'inf\|nan' '$T/out'"
run "$ACCORD" errors "$HDB" --run preds --bootstrap 0 --json
ok_if "errors --bootstrap 0: every interval null, 'no bootstrap'" $PY -c "
import json, sys
d = json.loads(open(sys.argv[1]).read(), parse_constant=lambda c: 1 / 0)
o = d['overall']
assert all(o[k + '_ci'] == {'lo': None, 'hi': None, 'why': 'no bootstrap'} for k in ('hlp', 'accuracy', 'gap', 'room')), o
" "$T/out"
run "$ACCORD" drift --help
ok_if "drift --help" sh -c "[ $RC -eq 0 ] && grep -q 'Kolmogorov' '$T/out'"

LAB=$(test_user lab)
SME=$(test_user sme)
if ensure_user $LAB $SME; then
	chmod 777 "$T"
	"$ACCORD" member "$DB" add $LAB >/dev/null
	"$ACCORD" member "$DB" add $SME --role sme >/dev/null
	chmod 666 "$DB"*
	chmod 644 preds.csv
	run as $LAB "$ACCORD" errors "$DB" --run preds
	ok_if "a labeler is refused error analysis" sh -c "[ $RC -eq 1 ] && grep -q 'needs the sme role' '$T/err' && [ ! -s '$T/out' ] && [ \$(wc -l < '$T/err') -eq 1 ]"
	run as $LAB "$ACCORD" errors "$DB" --predictions preds.csv --run lab
	ok_if "a labeler cannot import predictions" sh -c "[ $RC -eq 1 ] && [ \$(sqlite3 '$DB' \"SELECT count(*) FROM prediction_runs WHERE name = 'lab'\") -eq 0 ]"
	run as $LAB "$ACCORD" drift "$DB" --from one --to two
	ok_if "a labeler is refused drift" sh -c "[ $RC -eq 1 ] && grep -q 'needs the sme role' '$T/err'"
	run as $SME "$ACCORD" errors "$DB" --predictions preds.csv --run sme --json
	ok_if "an sme imports and analyses; the run records who" sh -c "[ $RC -eq 0 ] && [ \"\$(sqlite3 '$DB' \"SELECT imported_by FROM prediction_runs WHERE name = 'sme'\")\" = $SME ]"
else
	skip "errors and drift as a labeler (refused) and as an sme" "$WHY"
fi
