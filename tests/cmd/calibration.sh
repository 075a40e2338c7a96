#!/bin/sh
# accord calibration: a simulated project with known truth (every item
# gold with its true class), labeled through `accord labels import` by 8
# labelers of accuracy 0.75 (errors uniform) with 3 labels an item and
# classes of prevalence 0.6/0.3/0.1.  The majority and Dawid-Skene
# confidences must be calibrated there (ECE < 0.05); the table must equal
# one recomputed in Python from the confidences `accord export` writes;
# --json is strict JSON; the HTML page is well formed, holds the figures
# and renders; bad input fails with one line naming the file.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
export PYTHONPATH="$ROOT/tests"
DB=$T/c.accord
N=1500

"$ACCORD" init "$DB" --task 'calibration <&> "sim"' --media image \
    --classes "ok,dent,scratch" >/dev/null
$PY - "$T" "$N" <<'PY'
import csv, os, random, struct, sys, zlib
t, n = sys.argv[1], int(sys.argv[2])
os.makedirs(t + "/img")
def png(path, seed):
    # An 8 x 8 RGB image whose pixels spell the seed: every file differs.
    px = bytearray((x * 31 + y * 17 + c) % 256 for y in range(8)
                   for x in range(8) for c in range(3))
    px[0:3] = bytes((seed >> 16, (seed >> 8) & 255, seed & 255))
    raw = b"".join(b"\0" + bytes(px[y * 24:(y + 1) * 24]) for y in range(8))
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
rng = random.Random(20261203)
classes = ["ok", "dent", "scratch"]
with open(t + "/labels.csv", "w", newline="") as lf, open(t + "/truth.csv", "w", newline="") as tf:
    lw, tw = csv.writer(lf, lineterminator="\n"), csv.writer(tf, lineterminator="\n")
    lw.writerow(["file", "labeler", "class"])
    for i in range(n):
        path = "%s/img/i%05d.png" % (t, i)
        png(path, i)
        truth = rng.choices(range(3), [0.6, 0.3, 0.1])[0]
        tw.writerow([path, classes[truth]])
        for lab in rng.sample(range(8), 3):
            c = truth if rng.random() < 0.75 else (truth + rng.randrange(1, 3)) % 3
            lw.writerow([path, "lab%d" % lab, classes[c]])
PY
"$ACCORD" import "$DB" "$T/img" >/dev/null 2>&1
"$ACCORD" labels import "$DB" "$T/labels.csv" >/dev/null
# Gold as `accord gold add` writes it: one row through the command, the
# rest in one transaction (1500 processes would be slow under ASan).
FIRST=$(head -n 1 "$T/truth.csv")
"$ACCORD" gold "$DB" add "${FIRST%,*}" "${FIRST##*,}" >/dev/null
$PY - "$DB" "$T/truth.csv" <<'PY'
import csv, getpass, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cls = dict(db.execute("SELECT name, id FROM classes"))
item = dict(db.execute("SELECT path, id FROM items"))
have = {r[0] for r in db.execute("SELECT item FROM gold")}
with db:
    for path, c in csv.reader(open(sys.argv[2])):
        if item[path] not in have:
            db.execute("INSERT INTO gold(item, class, user, created_at) VALUES (?, ?, ?, "
                       "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))", (item[path], cls[c], getpass.getuser()))
PY
ok_if "project: $N items, 3 labels each, every item gold" sql_is "SELECT (SELECT count(*) FROM items) || '/' || (SELECT count(*) FROM labels) || '/' || (SELECT count(DISTINCT item) FROM gold)" "$N/$((N * 3))/$N"

for m in majority dawid-skene; do
	run "$ACCORD" calibration "$DB" --method $m --json --html "$T/$m.html"
	cp "$T/out" "$T/$m.json"
	ok_if "calibration --method $m --json: exit 0, strict JSON" sh -c "[ $RC -eq 0 ] && $PY -c '
import json, sys
json.load(open(sys.argv[1]), parse_constant=lambda c: sys.exit(\"not strict JSON: \" + c))' '$T/$m.json'"
	ok_if "$m: ECE below 0.05 on the simulated project" $PY - "$T/$m.json" "$m" "$N" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("# %s: ECE %.4f, largest bin gap %.4f, Brier %.4f, %d scored, %d ties"
      % (sys.argv[2], d["ece"], d["mce"], d["brier"], d["scored"], d["ties"]))
assert d["method"] == sys.argv[2] and d["gold"] == int(sys.argv[3]), d
assert d["scored"] + d["ties"] + d["unlabeled"] == d["gold"]
assert sum(b["count"] for b in d["bins"]) == d["scored"] > 1300
assert d["ece"] < 0.05, d["ece"]
PY
	# The confidences accord export writes, scored here against the truth.
	run "$ACCORD" export "$DB" --out "$T/exp-$m" --format jsonl --method $m --include-borderline
	ok_if "$m: the table equals one recomputed from export's confidences" $PY - "$T/$m.json" "$T/exp-$m/train.jsonl" "$T/truth.csv" <<'PY'
import csv, json, sys
d = json.load(open(sys.argv[1]))
truth = dict(csv.reader(open(sys.argv[3])))
rows = [json.loads(l) for l in open(sys.argv[2])]
B = len(d["bins"])
n = [0] * B; cs = [0.0] * B; ok = [0] * B
for r in rows:
    b = min(int(r["confidence"] * B), B - 1)
    n[b] += 1; cs[b] += r["confidence"]; ok[b] += r["label"] == truth[r["path"]]
N = sum(n)
assert N == d["scored"], (N, d["scored"])
ece = sum(n[b] / N * abs(ok[b] / n[b] - cs[b] / n[b]) for b in range(B) if n[b])
assert abs(ece - d["ece"]) < 1e-9, (ece, d["ece"])
for b in range(B):
    assert d["bins"][b]["count"] == n[b], b
    if n[b]:
        assert abs(d["bins"][b]["confidence"] - cs[b] / n[b]) < 1e-9
        assert abs(d["bins"][b]["accuracy"] - ok[b] / n[b]) < 1e-9
    else:
        assert d["bins"][b]["confidence"] is None
# One label is never certainty, and the old vote share is not what is written.
assert all(r["confidence"] < 1 for r in rows)
assert sum(abs(r["confidence"] - round(r["confidence"] * 3) / 3) > 1e-6 for r in rows) > len(rows) // 2
PY
done

ok_if "the pages are well formed, load nothing, and hold the figures" $PY - "$T" <<'PY'
import json, sys, htmlcheck
t = sys.argv[1]
for m in ("majority", "dawid-skene"):
    text = open("%s/%s.html" % (t, m), encoding="utf-8").read()
    root, problems = htmlcheck.parse(text)
    assert not problems, (m, problems)
    assert not htmlcheck.external_refs(text), m
    d = json.load(open("%s/%s.json" % (t, m)))
    meta = root.find(id="meta")
    assert meta.attrs["data-method"] == m
    assert abs(float(meta.attrs["data-ece"]) - d["ece"]) < 1e-9
    assert int(meta.attrs["data-scored"]) == d["scored"]
    assert root.find_all(tag="title")[0].text() == 'accord calibration: calibration <&> "sim" (%s)' % m
    svg = root.find(tag="svg", id="reliability")
    bars = svg.find_all(tag="rect", cls="bin")
    assert len(bars) == sum(1 for b in d["bins"] if b["count"]), m
    for r in bars:
        b = d["bins"][int(round(float(r.attrs["data-lo"]) * len(d["bins"])))]
        assert int(r.attrs["data-count"]) == b["count"]
        assert abs(float(r.attrs["data-accuracy"]) - b["accuracy"]) < 1e-9
    assert svg.find_all(tag="line", cls="diagonal")
    trs = root.find(tag="table", id="bins").find_all(tag="tr")[1:]
    assert len(trs) == len(d["bins"])
PY

if command -v chromium >/dev/null 2>&1 && command -v convert >/dev/null 2>&1; then
	mkdir -p "$T/home" "$T/chrome"
	HOME=$T/home timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-dev-shm-usage --no-first-run \
		--user-data-dir="$T/chrome" --window-size=800,900 \
		--screenshot="$T/m.png" "file://$T/majority.html" >"$T/chrome.log" 2>&1
	ok_if "chromium renders the reliability diagram (its bars are drawn)" $PY - "$T/m.png" <<'PY'
import sys, htmlcheck
hist = htmlcheck.histogram(sys.argv[1])
near = lambda rgb: sum(n for c, n in hist.items() if max(abs(a - b) for a, b in zip(c, rgb)) <= 3)
assert near((0x6a, 0x9f, 0xd4)) > 2000, near((0x6a, 0x9f, 0xd4))
PY
else
	skip "chromium renders the reliability diagram" "chromium or ImageMagick missing"
fi

# Text output, and usage and failures: one line.
run "$ACCORD" calibration "$DB" --bins 5
ok_if "text: five bins and the ECE line" sh -c "[ $RC -eq 0 ] && grep -q '^\[0.80, 1.00\]' '$T/out' && grep -q '^ECE 0.0' '$T/out'"
run "$ACCORD" calibration "$DB" --method adjudicated
ok_if "--method adjudicated is a usage error (one line)" sh -c "[ $RC -eq 2 ] && [ \$(wc -l <'$T/err') -eq 1 ]"
run "$ACCORD" calibration "$DB" --bins 0
ok_if "--bins 0 is a usage error" rc_is 2
run "$ACCORD" calibration "$T/nope.accord"
ok_if "a missing store fails with one line naming it" sh -c "[ $RC -eq 1 ] && [ \$(wc -l <'$T/err') -eq 1 ] && grep -q 'nope.accord' '$T/err'"
run "$ACCORD" calibration "$DB" --html "$T/no/such/dir/p.html"
ok_if "an unwritable --html fails with one line naming the file" sh -c "[ $RC -eq 1 ] && [ \$(wc -l <'$T/err') -eq 1 ] && grep -q 'p.html' '$T/err'"
sqlite3 "$DB" "DELETE FROM gold" 2>/dev/null || sql "INSERT INTO gold(item, class, user, created_at) SELECT id, NULL, 'x', 'now' FROM items"
run "$ACCORD" calibration "$DB" --json
ok_if "no gold: exit 0, figures null, says so in text" sh -c "[ $RC -eq 0 ] && $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"scored\"] == 0 and d[\"ece\"] is None and d[\"bins\"][0][\"confidence\"] is None, d' '$T/out'"
