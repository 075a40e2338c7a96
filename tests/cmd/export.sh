# accord export: every format read back by a Python standard-library
# reader and checked against the store (sqlite3 module), manifest hashes
# against the files, split ratios per class, groups, SME decisions,
# roles, refusals, and SIGKILL leaving no partial directory.
. "$(dirname "$0")/../lib.sh"

PY=/usr/bin/python3
(cd "$ROOT" && DEMO_DIR="$T/demo" ACCORD="$ACCORD" sh scripts/demo.sh) \
	>"$T/demo.log" 2>&1 || { fail "demo project builds" "$(tail -3 "$T/demo.log")"; exit 1; }
DB=$T/demo/images.accord
ADB=$T/demo/audio.accord

# The reader: loads an export of any format and checks it against the
# store.  Majority labels are recomputed here from current_labels with the
# documented rules (a tie is left out; adjudication, then gold, win with
# --method adjudicated; ambiguous is always left out).
cat >"$T/check.py" <<'PY'
import csv, hashlib, json, os, sqlite3, sys
from collections import Counter
db_path, out, fmt = sys.argv[1], sys.argv[2], sys.argv[3]
opts = dict(a.split("=", 1) for a in sys.argv[4:])
db = sqlite3.connect(db_path)
m = json.load(open(os.path.join(out, "manifest.json")))

def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()

# Every written file is in the manifest with its hash, and nothing else is.
listed = {f["path"]: f for f in m["files"]}
on_disk = set()
for root, _, files in os.walk(out):
    for f in files:
        rel = os.path.relpath(os.path.join(root, f), out)
        if rel != "manifest.json":
            on_disk.add(rel)
assert on_disk == set(listed), (sorted(on_disk ^ set(listed)))
for rel, f in listed.items():
    p = os.path.join(out, rel)
    assert sha(p) == f["sha256"] and os.path.getsize(p) == f["bytes"], rel

# The label checksum, recomputed from its documented definition.
h = hashlib.sha256()
for row in db.execute("SELECT id, item, labeler, class, guideline, created_at "
                      "FROM labels ORDER BY id"):
    h.update(("\t".join("" if v is None else str(v) for v in row) + "\n").encode())
assert m["store"]["labels_sha256"] == h.hexdigest()
assert m["store"]["schema_version"] == db.execute("PRAGMA user_version").fetchone()[0]

classes = [r[0] for r in db.execute("SELECT name FROM classes ORDER BY position")]
border = [r[0] for r in db.execute("SELECT name FROM classes WHERE is_borderline")]
items = {r[0]: (r[1], r[2]) for r in db.execute("SELECT id, path, sha256 FROM items")}
by_sha = {s: i for i, (p, s) in items.items()}
votes = {}
for it, name in db.execute("SELECT l.item, c.name FROM current_labels l JOIN classes c ON c.id = l.class"):
    votes.setdefault(it, []).append(name)
def newest(sql):
    d = {}
    for it, v in db.execute(sql):
        d[it] = v
    return d
adj = newest("SELECT a.item, a.status || ':' || ifnull(c.name, '') FROM adjudications a "
             "LEFT JOIN classes c ON c.id = a.class ORDER BY a.item, a.id")
gold = newest("SELECT g.item, c.name FROM gold g LEFT JOIN classes c ON c.id = g.class ORDER BY g.item, g.id")
meta = {}
for it, k, v in db.execute("SELECT item, key, value FROM current_meta"):
    if v is not None:
        meta.setdefault(it, {})[k] = v

# The majority's confidence: P(truth = class | votes) under the one-coin
# model of docs/statistics.md, recomputed here from its definition.
import math
K = len(classes)
pairs = agree = 0
vv = []
for it, names in votes.items():
    cnt = [names.count(c) for c in classes]
    n = sum(cnt)
    pairs += n * (n - 1) // 2
    agree += sum(c * (c - 1) // 2 for c in cnt)
    vv.append(cnt)
P = (agree + 1) / (pairs + 2)
disc = 1 - K + K * (K - 1) * P
a = (1 + math.sqrt(disc)) / K if disc > 0 else 1 / K
lr = math.log(a * (K - 1) / (1 - a))
nlab = sum(sum(c) for c in vv)
prior = [(sum(c[k] for c in vv) + 1) / (nlab + K) for k in range(K)]
for _ in range(1000):
    new = [1.0] * K
    for cnt in vv:
        w = [math.log(prior[k]) + cnt[k] * lr for k in range(K)]
        mx = max(w)
        e = [math.exp(x - mx) for x in w]
        for k in range(K):
            new[k] += e[k] / sum(e)
    new = [x / (len(vv) + K) for x in new]
    moved = max(abs(x - y) for x, y in zip(new, prior))
    prior = new
    if moved < 1e-12:
        break
def onecoin(cnt, c):
    w = [math.log(prior[k]) + cnt[k] * lr for k in range(K)]
    mx = max(w)
    return math.exp(w[c] - mx) / sum(math.exp(x - mx) for x in w)
if m["majority"] is not None:
    mj = m["majority"]
    assert mj["model"] == "one-coin" and mj["label_pairs"] == pairs, mj
    assert abs(mj["accuracy"] - a) < 1e-12, (mj, a)

method = m["method"]
expect, reasons = {}, {}
for it in items:
    a = adj.get(it, "")
    if a.startswith("ambiguous"):
        reasons[it] = "ambiguous"; continue
    v = Counter(votes.get(it, []))
    label, conf, src = None, None, None
    if method == "adjudicated" and a.startswith("class:"):
        label, conf, src = a[6:], 1.0, "adjudication"
    elif method == "adjudicated" and gold.get(it):
        label, conf, src = gold[it], 1.0, "gold"
    elif v:
        top = v.most_common()
        if len(top) > 1 and top[0][1] == top[1][1]:
            reasons[it] = "tie"; continue
        label, src = top[0][0], "majority"
        conf = onecoin([v[c] for c in classes], classes.index(label))
    else:
        reasons[it] = "unlabeled"; continue
    if label in border and "include_borderline" not in opts:
        reasons[it] = "borderline"; continue
    if conf < float(opts.get("min", 0)):
        reasons[it] = "low_confidence"; continue
    expect[it] = (label, conf, src)

got = {}
def take(it, label, conf, nlab, split, src):
    assert it not in got, it
    got[it] = (label, float(conf), src)
    assert int(nlab) == len(votes.get(it, [])), (it, nlab)
    got_split[it] = split
got_split = {}
if fmt in ("csv", "jsonl"):
    for f in listed:
        split = f.rsplit(".", 1)[0]
        if fmt == "csv":
            rows = list(csv.DictReader(open(os.path.join(out, f), newline="")))
        else:
            rows = [json.loads(l) for l in open(os.path.join(out, f))]
        for r in rows:
            it = by_sha[r["sha256"]]
            assert r["path"] == items[it][0] and r["split"] == split, r
            take(it, r["label"], r["confidence"], r["labels"], split, r["source"])
            mv = r["meta"] if fmt == "jsonl" else {k: r[k] for k in meta.get(it, {})}
            for k, v in meta.get(it, {}).items():
                if isinstance(v, str):
                    assert mv[k] == v, (k, v, mv[k])
                else:
                    assert float(mv[k]) == float(v), (k, v, mv[k])
else:
    for split in os.listdir(out):
        d = os.path.join(out, split)
        if not os.path.isdir(d):
            continue
        for r in csv.DictReader(open(os.path.join(d, "metadata.csv"), newline="")):
            fn = r["file_name"]
            p = os.path.join(d, fn)
            it = by_sha[r["sha256"]]
            assert sha(p) == r["sha256"], fn          # the file is the item
            if opts.get("layout") == "by-class":
                assert fn.split("/")[0] == r["label"], fn
            else:
                assert "/" not in fn, fn
            base = os.path.basename(items[it][0])
            assert os.path.basename(fn) in (base, r["sha256"][:12] + "-" + base), fn
            take(it, r["label"], r["confidence"], r["labels"], split, r["source"])
assert set(got) == set(expect), (sorted(set(got) ^ set(expect))[:10])
for it, (label, conf, src) in expect.items():
    g = got[it]
    assert g[0] == label and abs(g[1] - conf) < 1e-9 and g[2] == src, (it, g, expect[it])
left = {x["id"]: x["reason"] for x in m["left_out"]}
assert left == reasons, (left, reasons)
assert m["counts"]["exported"] == len(expect)

# Counts per split and class: as the manifest says, and per class each
# split within one item of its share (without --group-by).
ratio = m["options"]["split"]
tot = sum(ratio.values())
for s in ratio:
    for c in classes:
        n = sum(1 for it in got if got_split[it] == s and got[it][0] == c)
        assert m["counts"]["splits"][s][c] == n, (s, c)
        if m["options"]["group_by"] is None:
            nc = sum(1 for it in got if got[it][0] == c)
            assert abs(n - nc * ratio[s] / tot) < 1, (s, c, n, nc)
if m["options"]["group_by"]:
    key = m["options"]["group_by"]
    where = {}
    for it, s in got_split.items():
        v = meta.get(it, {}).get(key)
        if v is not None:
            where.setdefault(v, set()).add(s)
    assert all(len(s) == 1 for s in where.values()), where
print("checked", len(got), "items")
PY
check() { "$PY" "$T/check.py" "$@" >"$T/check.log" 2>&1 || { sed 's/^/# /' "$T/check.log" | tail -5 >&2; return 1; }; }

run "$ACCORD" export "$DB" --out "$T/csv" --split 70/15/15 --seed 3
ok_if "csv export exits 0 and prints counts per split and class" sh -c \
	"[ $RC -eq 0 ] && grep -q '^split  *ok  *scratch  *dent  *unsure  *total' '$T/out' && grep -q '^dev ' '$T/out' && grep -q '^left out: ' '$T/out'"
ok_if "csv: labels, confidences, hashes, metadata, ratios, manifest" check "$DB" "$T/csv" csv
ok_if "no temporary directory is left" sh -c "! ls -d '$T'/csv.tmp-* 2>/dev/null"
ok_if "the export is in the audit table" sql_is \
	"SELECT count(*) FROM audit WHERE action = 'export' AND detail LIKE '$T/csv:%'" 1

run "$ACCORD" export "$DB" --out "$T/csv2" --split 70/15/15 --seed 3
ok_if "the same seed gives the same files" "$PY" -c "
import json, sys
a, b = (json.load(open(p + '/manifest.json')) for p in sys.argv[1:])
assert a['files'] == b['files'], 'differ'
" "$T/csv" "$T/csv2"
run "$ACCORD" export "$DB" --out "$T/csv3" --split 70/15/15 --seed 4
ok_if "another seed gives another split" "$PY" -c "
import json, sys
a, b = (json.load(open(p + '/manifest.json')) for p in sys.argv[1:])
assert a['files'] != b['files'] and a['counts'] == b['counts']
" "$T/csv" "$T/csv3"

run "$ACCORD" export "$DB" --out "$T/jsonl" --format jsonl --split 80/20 --include-borderline --min-confidence 0.7
ok_if "jsonl with --include-borderline --min-confidence" check "$DB" "$T/jsonl" jsonl include_borderline=1 min=0.7
run "$ACCORD" export "$DB" --out "$T/hf" --format imagefolder --split 70/15/15
ok_if "imagefolder: SPLIT/metadata.csv, file_name, hashes of the files" check "$DB" "$T/hf" imagefolder
ok_if "imagefolder copies the images (--link hard-links: export_safe.sh)" sh -c "grep -q 'media copied' '$T/out' && [ \$(stat -c %h \$(ls '$T'/hf/*/img_001.jpg)) -eq 1 ]"
run "$ACCORD" export "$DB" --out "$T/tv" --format imagefolder --layout by-class --split 70/15/15
ok_if "imagefolder --layout by-class: SPLIT/CLASS/FILE" check "$DB" "$T/tv" imagefolder layout=by-class
run "$ACCORD" export "$ADB" --out "$T/af" --format audiofolder --split 80/20 --group-by speaker
ok_if "audiofolder --group-by speaker: each speaker in one split" check "$ADB" "$T/af" audiofolder

# SME decisions: an ambiguous item is left out, an adjudicated class and a
# gold class win with --method adjudicated, not with --method majority.
sql "INSERT INTO adjudications(item, class, status, user, guideline, created_at)
     VALUES (1, NULL, 'ambiguous', 'root', 1, 'now'),
            (2, (SELECT id FROM classes WHERE name = 'ok'), 'class', 'root', 1, 'now'),
            (29, (SELECT id FROM classes WHERE name = 'dent'), 'class', 'root', 1, 'now');
     INSERT INTO gold(item, class, user, created_at)
     VALUES (3, (SELECT id FROM classes WHERE name = 'dent'), 'root', 'now');"
run "$ACCORD" export "$DB" --out "$T/adj" --format jsonl
ok_if "adjudicated: ambiguous left out, adjudication and gold win" check "$DB" "$T/adj" jsonl
ok_if "the adjudicated item carries source and guideline" grep -q '"label":"ok","confidence":1,"labels":3,"split":"train","guideline":1,"source":"adjudication"' "$T/adj/train.jsonl"
run "$ACCORD" export "$DB" --out "$T/maj" --format csv --method majority
ok_if "--method majority: votes only, ambiguous still out" check "$DB" "$T/maj" csv

# Name clashes: two files named a.png in different directories.
mkdir -p "$T/gen/x" "$T/gen/y"
cp "$ROOT/assets/demo/images/img_005.png" "$T/gen/x/a.png"
cp "$ROOT/assets/demo/images/img_008.png" "$T/gen/y/a.png"
G=$T/gen.accord
"$ACCORD" init "$G" --task t --media image --classes ok,bad >/dev/null 2>&1
"$ACCORD" import "$G" "$T/gen" >/dev/null 2>&1
printf 'file,labeler,class\nx/a.png,ann,ok\ny/a.png,ann,bad\n' >"$T/gen/l.csv"
"$ACCORD" labels import "$G" "$T/gen/l.csv" >/dev/null 2>&1
run "$ACCORD" export "$G" --out "$T/clash" --format imagefolder
ok_if "same base name from two directories: sha256-prefixed names" sh -c \
	"[ $RC -eq 0 ] && [ \$(ls '$T/clash/train' | grep -c -- '-a.png\$') -eq 2 ]"
ok_if "clash export reads back" check "$G" "$T/clash" imagefolder

# Refusals: an existing DIR, --force only over an earlier export, bad
# usage, the wrong folder format, and a labeler.
run "$ACCORD" export "$DB" --out "$T/csv"
ok_if "an existing DIR is refused (exit 1, one line)" sh -c "[ $RC -eq 1 ] && grep -q 'already exists' '$T/err' && [ \$(wc -l <'$T/err') -eq 1 ]"
mkdir "$T/precious" && echo keep >"$T/precious/f"
run "$ACCORD" export "$DB" --out "$T/precious" --force
ok_if "--force refuses a directory that is not an export" sh -c "[ $RC -eq 1 ] && grep -q 'not an accord export' '$T/err' && [ -f '$T/precious/f' ]"
run "$ACCORD" export "$DB" --out "$T/csv" --force --format jsonl
ok_if "--force replaces an earlier export" sh -c "[ $RC -eq 0 ] && [ -f '$T/csv/train.jsonl' ] && [ ! -e '$T/csv/train.csv' ] && ! ls -d '$T'/csv.tmp-* 2>/dev/null"
run "$ACCORD" export "$DB" --out "$T/u1" --split 70/abc
ok_if "bad --split is a usage error" sh -c "[ $RC -eq 2 ] && [ ! -e '$T/u1' ]"
run "$ACCORD" export "$DB" --out "$T/u2" --method vote
ok_if "bad --method is a usage error" rc_is 2
run "$ACCORD" export "$DB"
ok_if "--out is required" sh -c "[ $RC -eq 2 ] && grep -q -- '--out' '$T/err'"
run "$ACCORD" export "$DB" --out "$T/u3" --format audiofolder
ok_if "audiofolder on an image project fails with one line" sh -c "[ $RC -eq 1 ] && [ \$(wc -l <'$T/err') -eq 1 ] && [ ! -e '$T/u3' ]"
run "$ACCORD" export "$DB" --out "$T/u4" --group-by nosuchkey
ok_if "--group-by an unknown key fails" sh -c "[ $RC -eq 1 ] && grep -q nosuchkey '$T/err' && [ ! -e '$T/u4' ]"
run "$ACCORD" export --help
ok_if "--help" sh -c "[ $RC -eq 0 ] && grep -q -- '--group-by' '$T/out'"

LAB=$(test_user lab)
if ensure_user $LAB; then
	chmod -R a+rwX "$T"
	"$ACCORD" member "$DB" add $LAB --role labeler >/dev/null 2>&1
	run as $LAB "$ACCORD" export "$DB" --out "$T/bylabeler"
	ok_if "a labeler is refused in core, with an audit row" sh -c \
		"[ $RC -eq 1 ] && [ ! -e '$T/bylabeler' ] && grep -q 'sme' '$T/err'" 
	ok_if "the refusal is audited" sql_is \
		"SELECT count(*) FROM audit WHERE action = 'refused' AND user = '$LAB' AND detail LIKE '%export%'" 1
	"$ACCORD" member "$DB" add $LAB --role sme >/dev/null 2>&1
	run as $LAB "$ACCORD" export "$DB" --out "$T/bysme" --format jsonl
	ok_if "an sme may export" sh -c "[ $RC -eq 0 ] && [ -f '$T/bysme/manifest.json' ]"
else
	skip "export as a labeler (refused, audited) and as an sme" "$WHY"
fi

# A large generated project (rows written straight with sqlite3, which is
# faster than importing 40,000 files): SIGKILL at random moments of an
# export leaves either no DIR or a complete one, never a partial DIR; the
# next export removes the abandoned temporary directories.
BIG=$T/big.accord
"$ACCORD" init "$BIG" --task big --media image --classes a,b,c --borderline u >/dev/null 2>&1
"$PY" - "$BIG" <<'PY'
import random, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rng = random.Random(7)
cls = [r[0] for r in db.execute("SELECT id FROM classes ORDER BY position")]
db.execute("INSERT INTO batches(name, created_by, created_at) VALUES ('gen', 'root', 'now')")
b = db.execute("SELECT id FROM batches WHERE name = 'gen'").fetchone()[0]
N = 40000
db.executemany("INSERT INTO items(id, sha256, path, kind, format, bytes, batch, imported_by, imported_at) "
               "VALUES (?, ?, ?, 'image', 'png', 100, ?, 'root', 'now')",
               [(i, "%064x" % i, "/data/cam%d/img%06d.png" % (i % 7, i), b) for i in range(1, N + 1)])
db.executemany("INSERT INTO item_meta(item, key, value, source, created_at) VALUES (?, 'camera', ?, 'csv:gen', 'now')",
               [(i, "cam%d" % (i % 50)) for i in range(1, N + 1)])
rows = []
for i in range(1, N + 1):
    t = rng.choice(cls[:3])
    for lab in ("ann", "ben", "cat"):
        rows.append((i, lab, t if rng.random() < 0.8 else rng.choice(cls)))
db.executemany("INSERT INTO labels(item, labeler, class, guideline, created_at, origin, recorded_by) "
               "VALUES (?, ?, ?, 1, 'now', 'import', 'root')", rows)
db.commit()
PY
t0=$(date +%s%N)
run "$ACCORD" export "$BIG" --out "$T/bigref" --format jsonl --split 70/15/15 --group-by camera
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# 40,000-item jsonl export under ASan: ${ms} ms"
ok_if "large grouped export completes and reads back" check "$BIG" "$T/bigref" jsonl
partial=0
complete=0
i=0
while [ $i -lt 8 ]; do
	i=$((i + 1))
	# Kill somewhere between the start and a little past the usual end.
	d=$(( (ms * (i * 13 % 11)) / 10 ))
	"$ACCORD" export "$BIG" --out "$T/killed" --format jsonl --split 70/15/15 >/dev/null 2>&1 &
	pid=$!
	sleep "$(awk "BEGIN { print $d / 1000 }")"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if [ -e "$T/killed" ]; then
		if check "$BIG" "$T/killed" jsonl; then
			complete=$((complete + 1))
		else
			partial=$((partial + 1))
		fi
		rm -rf "$T/killed"
	fi
done
echo "# SIGKILL: $complete of 8 runs had finished, $partial partial"
ok_if "SIGKILL never leaves a partial DIR (8 random kills)" [ "$partial" -eq 0 ]
run "$ACCORD" export "$BIG" --out "$T/killed" --format csv
ok_if "the next export removes abandoned temporary directories" sh -c \
	"[ $RC -eq 0 ] && ! ls -d '$T'/killed.tmp-* 2>/dev/null"

# SIGINT stops an export cleanly: nothing at DIR, no temporary directory.
"$ACCORD" export "$BIG" --out "$T/intr" --format jsonl >/dev/null 2>"$T/err" &
pid=$!
sleep "$(awk "BEGIN { print $ms / 3000 }")"
kill -INT "$pid" 2>/dev/null
wait "$pid"
RC=$?
ok_if "SIGINT: no DIR and no temporary directory left" sh -c \
	"[ ! -e '$T/intr' ] || [ -f '$T/intr/manifest.json' ]; ! ls -d '$T'/intr.tmp-* 2>/dev/null"
