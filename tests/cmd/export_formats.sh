# accord export --format label-studio and --format hf on the image and the
# audio demo projects, each read back by an independent Python checker that
# follows the tool's documented format (Label Studio's "JSON format of
# annotated tasks"; Hugging Face's ImageFolder/AudioFolder and dataset
# card rules) and compares it with the store; bad options; and, when
# `labels import` reads Label Studio JSON, accord -> Label Studio -> accord.
. "$(dirname "$0")/../lib.sh"

PY=/usr/bin/python3
"$PY" -c 'import yaml' 2>/dev/null || skip_all "needs python3-yaml to read the dataset card"
(cd "$ROOT" && DEMO_DIR="$T/demo" ACCORD="$ACCORD" sh scripts/demo.sh) \
	>"$T/demo.log" 2>&1 || { fail "demo project builds" "$(tail -3 "$T/demo.log")"; exit 1; }
DB=$T/demo/images.accord
ADB=$T/demo/audio.accord

# SME decisions on the image project: an ambiguous item (no prediction),
# an adjudication to a class nobody gave (only the prediction says it) and
# gold that two labelers gave (their annotations are the ground truth).
sqlite3 "$DB" "INSERT INTO adjudications(item, class, status, user, guideline, created_at)
     VALUES (1, NULL, 'ambiguous', 'root', 1, '2026-01-02T03:04:05Z'),
            (2, (SELECT id FROM classes WHERE name = 'ok'), 'class', 'root', 1, '2026-01-02T03:04:05Z');
     INSERT INTO gold(item, class, user, created_at)
     VALUES (3, (SELECT id FROM classes WHERE name = 'ok'), 'root', '2026-01-02T03:04:05Z');"

# The reference: a jsonl export of the same options, its rows by sha256.
cat >"$T/refrows.py" <<'PY'
import json, os
def load(ref):
    rows = {}
    for f in os.listdir(ref):
        if f.endswith(".jsonl"):
            for line in open(os.path.join(ref, f)):
                r = json.loads(line)
                rows[r["sha256"]] = r
    return rows
PY

# Label Studio: tasks.json against the store and a jsonl export of the
# same options (its confidences and splits), label_config.xml against the
# classes.
cat >"$T/ls.py" <<'PY'
import json, os, sqlite3, sys, urllib.parse
import refrows
import xml.etree.ElementTree as ET
db_path, out, ref, prefix = sys.argv[1:5]
db = sqlite3.connect(db_path)
media = db.execute("SELECT value FROM settings WHERE key = 'media' ORDER BY id DESC").fetchone()
classes = [r[0] for r in db.execute("SELECT name FROM classes ORDER BY position")]
items = {r[0]: (r[1], r[2]) for r in db.execute("SELECT id, path, sha256 FROM items")}
kind = "audio" if any(p.endswith((".wav", ".flac")) for p, _ in items.values()) else "image"

# The config: <Image|Audio name=KIND value=$KIND>, <Choices name=label
# toName=KIND> with one <Choice> per class, in position order.
v = ET.parse(os.path.join(out, "label_config.xml")).getroot()
assert v.tag == "View", v.tag
obj = v.find(kind.capitalize())
assert obj is not None and obj.get("name") == kind and obj.get("value") == "$" + kind
ch = v.find("Choices")
assert ch.get("name") == "label" and ch.get("toName") == kind
assert [c.get("value") for c in ch.findall("Choice")] == classes

# The store's labels in force, decisions and the reference export.
labels = {}
for row in db.execute("SELECT l.item, l.id, l.labeler, c.name, l.seconds_spent, l.created_at "
                      "FROM current_labels l JOIN classes c ON c.id = l.class"):
    labels.setdefault(row[0], []).append(row[1:])
def newest(sql):
    d = {}
    for it, val in db.execute(sql):
        d[it] = val
    return d
adj = newest("SELECT a.item, CASE a.status WHEN 'class' THEN c.name END FROM adjudications a "
             "LEFT JOIN classes c ON c.id = a.class ORDER BY a.item, a.id")
gold = newest("SELECT g.item, c.name FROM gold g LEFT JOIN classes c ON c.id = g.class ORDER BY g.item, g.id")
ref_rows = refrows.load(ref)
man = json.load(open(os.path.join(ref, "manifest.json")))
left = {x["sha256"]: x["reason"] for x in man["left_out"]}
mv = "accord " + man["method"] + ("/" + man["fallback"] if man["fallback"] else "")

tasks = json.load(open(os.path.join(out, "tasks.json")))
assert isinstance(tasks, list) and len(tasks) == len(items), len(tasks)
seen = set()
nann = npred = ngt = 0
for t in tasks:
    assert set(t) >= {"id", "data", "annotations", "predictions"}, t.keys()
    it = t["id"]
    path, sha = items[it]
    seen.add(it)
    d = t["data"]
    assert d[kind] == prefix + urllib.parse.quote(path, safe="/-._~"), (d[kind], path)
    assert d["sha256"] == sha
    want = sorted(labels.get(it, []), key=lambda r: r[1])
    got = sorted(t["annotations"], key=lambda a: a["completed_by"]["email"])
    assert len(got) == len(want), (it, got, want)
    truth = adj.get(it) or gold.get(it)
    for a, (lid, who, cls, secs, at) in zip(got, want):
        assert a["id"] == lid and a["task"] == it
        assert a["completed_by"]["email"] == who + "@accord.invalid", a["completed_by"]
        assert isinstance(a["completed_by"]["id"], int) and a["completed_by"]["id"] > 0
        assert a["was_cancelled"] is False
        assert a["created_at"] == at
        assert (a["lead_time"] is None and secs is None) or abs(a["lead_time"] - secs) < 1e-9, (a, secs)
        assert a["ground_truth"] is (truth is not None and truth == cls), (it, a, truth)
        ngt += a["ground_truth"]
        [res] = a["result"]
        assert res["type"] == "choices" and res["from_name"] == "label" and res["to_name"] == kind
        assert res["value"] == {"choices": [cls]}, res
        nann += 1
    if sha in ref_rows:
        r = ref_rows[sha]
        [p] = t["predictions"]
        assert p["model_version"] == mv, p
        assert p["score"] == r["confidence"], (p["score"], r["confidence"])
        assert p["result"][0]["value"] == {"choices": [r["label"]]}
        assert d["split"] == r["split"] and "left_out" not in d
        npred += 1
    else:
        assert d["left_out"] == left[sha] and "split" not in d, (d, left.get(sha))
        if left[sha] in ("tie", "unlabeled", "ambiguous"):
            assert t["predictions"] == [], t["predictions"]
assert seen == set(items)
assert nann == sum(len(v) for v in labels.values())
print("tasks", len(tasks), "annotations", nann, "predictions", npred, "ground truth", ngt)
PY

# Hugging Face: the card's YAML, the splits and metadata.jsonl per split,
# read by the rules of the datasets docs (ImageFolder/AudioFolder: split
# folders, file_name relative to the metadata file, a label inferred from
# the folder names as ClassLabel(sorted(names)); the card's
# dataset_info.features), against a jsonl export of the same options.
cat >"$T/hf.py" <<'PY'
import hashlib, json, os, sqlite3, sys, yaml
import refrows
db_path, out, ref, kind = sys.argv[1:5]
db = sqlite3.connect(db_path)
classes = [r[0] for r in db.execute("SELECT name FROM classes WHERE NOT is_borderline ORDER BY name")]
text = open(os.path.join(out, "README.md")).read()
assert text.startswith("---\n")
card = yaml.safe_load(text.split("---\n")[1])
[cfg] = card["configs"]
splits = {s["split"]: s["path"] for s in cfg["data_files"]}
feats = card["dataset_info"]["features"]
assert feats[0] == {"name": kind, "dtype": kind}, feats[0]
[lab] = [f for f in feats if f["name"] == "label"]
names = lab["dtype"]["class_label"]["names"]
names = [names[k] for k in sorted(names, key=int)]
# The indices: ClassLabel(names) of the card, the folder builder's
# sorted(folder names), and classes.txt's lines agree.
assert names == sorted(names) == classes, (names, classes)
assert open(os.path.join(out, "classes.txt")).read().split("\n")[:-1] == names
# the card's snippet: the metadata makes label text; classes.txt casts it
assert 'ds.cast_column("label", ClassLabel(names=names))' in text
assert 'load_dataset("%sfolder", data_dir=d)' % kind in text
cols = [f["name"] for f in feats[1:]]
ref_rows = refrows.load(ref)
dirs = {d for d in os.listdir(out) if os.path.isdir(os.path.join(out, d))}
assert dirs == set(splits) and dirs <= {"train", "validation", "test"}, (dirs, splits)
n = 0
for s, pattern in splits.items():
    assert pattern == s + "/**", pattern
    # every class folder in every split, as classes.txt lists them
    assert sorted(e for e in os.listdir(os.path.join(out, s)) if e != "metadata.jsonl") == names
    rows = [json.loads(l) for l in open(os.path.join(out, s, "metadata.jsonl"))]
    listed = set()
    for r in rows:
        assert list(r)[0] == "file_name" and list(r)[1:] == cols, (list(r), cols)
        fn = r["file_name"]
        assert fn.split("/")[0] == r["label"] and r["label"] in names, r
        p = os.path.join(out, s, fn)
        assert hashlib.sha256(open(p, "rb").read()).hexdigest() == r["sha256"], fn
        want = ref_rows.pop(r["sha256"])
        assert r["confidence"] == want["confidence"] and r["label"] == want["label"]
        assert {"dev": "validation"}.get(want["split"], want["split"]) == s
        for k, v in want["meta"].items():
            col = "meta_" + k if k in ("file_name", "label", "sha256", "confidence", "labels",
                                       "guideline", "source", "image", "audio", "path", "split", "meta") else k
            assert r[col] == v, (k, r[col], v)
        listed.add(fn)
        n += 1
    media = {os.path.relpath(os.path.join(root, f), os.path.join(out, s))
             for root, _, files in os.walk(os.path.join(out, s)) for f in files if f != "metadata.jsonl"}
    assert media == listed, media ^ listed
assert not ref_rows, list(ref_rows)[:3]
print("hf rows", n)
PY

lscheck() { "$PY" "$T/ls.py" "$@" >"$T/check.log" 2>&1 || { sed 's/^/# /' "$T/check.log" | tail -5 >&2; return 1; }; }
hfcheck() { "$PY" "$T/hf.py" "$@" >"$T/check.log" 2>&1 || { sed 's/^/# /' "$T/check.log" | tail -5 >&2; return 1; }; }

LOCAL=/data/local-files/?d=
run "$ACCORD" export "$DB" --out "$T/ls" --format label-studio --split 70/15/15 --seed 5
ok_if "label-studio export exits 0 and writes tasks.json, label_config.xml, manifest.json" sh -c \
	"[ $RC -eq 0 ] && [ \"\$(ls '$T/ls' | tr '\n' ' ')\" = 'label_config.xml manifest.json tasks.json ' ]"
ok_if "label-studio says the left-out items are tasks too" "$PY" -c "
import json, sys
m = json.load(open(sys.argv[1] + '/manifest.json'))
n, k = len(json.load(open(sys.argv[1] + '/tasks.json'))), len(m['left_out'])
want = 'accord export: tasks.json holds all %d items: the %d left out carry data.left_out and no split' % (n, k)
assert k > 0 and want in open(sys.argv[2]).read().splitlines(), want
" "$T/ls" "$T/err"
"$ACCORD" export "$DB" --out "$T/ref" --format jsonl --split 70/15/15 --seed 5 >/dev/null 2>&1
ok_if "label-studio (images): every labeler's annotation, ground truth, consensus prediction and score" \
	lscheck "$DB" "$T/ls" "$T/ref" "$LOCAL"
ok_if "the decisions show: 2 ground truths (item 3), item 2's adjudication as a score-1 prediction" "$PY" -c "
import json, sys
t = {x['id']: x for x in json.load(open(sys.argv[1]))}
assert sum(a['ground_truth'] for x in t.values() for a in x['annotations']) == 2
assert [a['ground_truth'] for a in t[3]['annotations']] == [True, True, False]
p = t[2]['predictions'][0]
assert p['score'] == 1 and p['result'][0]['value']['choices'] == ['ok'], p
assert t[1]['data']['left_out'] == 'ambiguous' and t[1]['predictions'] == []
" "$T/ls/tasks.json"

run "$ACCORD" export "$ADB" --out "$T/lsa" --format label-studio --method majority --ls-url-prefix 'https://media.example/a b/'
"$ACCORD" export "$ADB" --out "$T/refa" --format jsonl --method majority >/dev/null 2>&1
ok_if "label-studio (audio, --ls-url-prefix, --method majority): <Audio>, data.audio URLs" \
	lscheck "$ADB" "$T/lsa" "$T/refa" 'https://media.example/a b/'

run "$ACCORD" export "$DB" --out "$T/hf" --format hf --split 70/15/15 --seed 5
ok_if "hf export exits 0" rc_is 0
ok_if "hf (images): card, class_label names, validation split, metadata.jsonl per split" \
	hfcheck "$DB" "$T/hf" "$T/ref" image
"$ACCORD" export "$ADB" --out "$T/refa2" --format jsonl --split 80/20 --group-by speaker >/dev/null 2>&1
run "$ACCORD" export "$ADB" --out "$T/hfa" --format hf --split 80/20 --group-by speaker
ok_if "hf (audio, --group-by speaker): audiofolder layout and card" \
	hfcheck "$ADB" "$T/hfa" "$T/refa2" audio

# Bad input: one line, nothing written.
run "$ACCORD" export "$DB" --out "$T/bad1" --format parquet
ok_if "an unknown --format lists the formats" sh -c \
	"[ $RC -ne 0 ] && grep -q 'hf or label-studio' '$T/err' && [ ! -e '$T/bad1' ]"
run "$ACCORD" export "$DB" --out "$T/bad2" --format hf --layout flat
ok_if "hf refuses --layout" sh -c "[ $RC -ne 0 ] && grep -q 'hf always has class folders' '$T/err' && [ ! -e '$T/bad2' ]"
run "$ACCORD" export "$DB" --out "$T/bad3" --format csv --ls-url-prefix http://x/
ok_if "--ls-url-prefix without label-studio is refused" sh -c \
	"[ $RC -ne 0 ] && grep -q 'ls-url-prefix is for label-studio' '$T/err' && [ ! -e '$T/bad3' ]"
run "$ACCORD" export "$DB" --out "$T/ls" --format label-studio
ok_if "an existing DIR is refused without --force" sh -c "[ $RC -ne 0 ] && grep -q 'already exists' '$T/err'"
run "$ACCORD" export "$DB" --out "$T/ls" --format hf --force
ok_if "--force replaces a label-studio export with an hf one" sh -c "[ $RC -eq 0 ] && [ -f '$T/ls/README.md' ] && [ ! -e '$T/ls/tasks.json' ]"

# The round trip: the tasks imported into a fresh project with the same
# media give every labeler's label back, with its time and seconds.
if "$ACCORD" labels import --help 2>&1 | grep -q 'label-studio'; then
	R=$T/rt.accord
	"$ACCORD" init "$R" --task "surface defects" --media image \
		--classes ok,scratch,dent --borderline unsure --overlap 3 >/dev/null 2>&1
	"$ACCORD" import "$R" "$ROOT/assets/demo/images" >/dev/null 2>&1
	"$ACCORD" export "$DB" --out "$T/ls2" --format label-studio >/dev/null 2>&1
	run "$ACCORD" labels import "$R" "$T/ls2/tasks.json" --format label-studio
	ok_if "round trip: labels import reads the export" rc_is 0
	ok_if "round trip: the same labelers, classes, times and seconds" "$PY" -c "
import sqlite3, sys
q = ('SELECT i.sha256, l.labeler, c.name, l.created_at, round(l.seconds_spent, 3) FROM current_labels l '
     'JOIN items i ON i.id = l.item JOIN classes c ON c.id = l.class ORDER BY 1, 2')
a, b = (sqlite3.connect(p).execute(q).fetchall() for p in sys.argv[1:])
assert a == b, [x for x in a if x not in b][:3] + [x for x in b if x not in a][:3]
" "$DB" "$R"
	ok_if "round trip: the ground truth comes back as gold (item 3: ok)" "$PY" -c "
import sqlite3, sys
q = ('SELECT i.sha256, c.name FROM gold g JOIN items i ON i.id = g.item JOIN classes c ON c.id = g.class')
a, b = (sqlite3.connect(p).execute(q).fetchall() for p in sys.argv[1:])
assert a == b and len(a) == 1, (a, b)
" "$DB" "$R"
else
	skip "round trip accord -> Label Studio -> accord" "this accord's labels import does not read label-studio"
fi
