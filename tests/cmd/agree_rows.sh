# accord agree reads the labels table in one pass in row order: the label
# in force must not depend on how rows of different items and labelers
# interleave, nor on whether item ids are dense (a direct table) or sparse
# (a binary search), nor on batches named by id.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3

# mkstore DB ID1 ID2 ID3: a store with items of those ids (in two batches)
# and the same label rows, interleaved across items and labelers, with a
# relabel and a withdrawal arriving after other items' rows.
mkstore() {
	"$ACCORD" init "$1" --task t --media image --classes ok,bad \
	    >/dev/null 2>&1 || return 1
	sqlite3 "$1" "
INSERT INTO batches (id, name, created_by, created_at) VALUES
  (7, 'first', 'root', 'now'), (9, 'second', 'root', 'now');
INSERT INTO items (id, sha256, path, kind, format, bytes, batch,
  imported_by, imported_at) VALUES
  ($2, printf('%064d', 1), '/a.png', 'image', 'png', 1, 7, 'root', 'now'),
  ($3, printf('%064d', 2), '/b.png', 'image', 'png', 1, 9, 'root', 'now'),
  ($4, printf('%064d', 3), '/c.png', 'image', 'png', 1, 9, 'root', 'now');
INSERT INTO labels (item, labeler, class, guideline, created_at, origin,
  recorded_by) VALUES
  ($2, 'ann', 1, 1, 'now', 'import', 'root'),
  ($3, 'bob', 2, 1, 'now', 'import', 'root'),
  ($4, 'ann', 2, 1, 'now', 'import', 'root'),
  ($2, 'bob', 1, 1, 'now', 'import', 'root'),
  ($3, 'cy', 2, 1, 'now', 'import', 'root'),
  ($4, 'bob', 1, 1, 'now', 'import', 'root'),
  ($3, 'ann', 1, 1, 'now', 'import', 'root'),
  ($2, 'cy', 2, 1, 'now', 'import', 'root'),
  ($4, 'cy', 2, 1, 'now', 'import', 'root'),
  ($3, 'ann', 2, 1, 'now', 'import', 'root'),
  ($4, 'cy', NULL, 1, 'now', 'import', 'root');"
}

mkstore "$T/dense.accord" 1 2 3 || { fail "dense store" "init or sqlite3 failed"; exit 1; }
mkstore "$T/sparse.accord" 1 2 9000000 || { fail "sparse store" "init or sqlite3 failed"; exit 1; }

run "$ACCORD" agree "$T/dense.accord" --json --bootstrap 0 --by batch
cp "$T/out" "$T/dense.json"
ok_if "interleaved rows: the newest row per (item, labeler) is in force" $PY - "$T/dense.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
o = d["results"][0]["overall"]
# In force: item 1 ann ok, bob ok, cy bad; item 2 bob bad, cy bad, ann bad
# (relabelled); item 3 ann bad, bob ok (cy withdrew).
assert (o["items"], o["labels"], o["pairable"]) == (3, 8, 3), o
assert [l["labels"] for l in o["labelers"]] == [3, 3, 2], o["labelers"]
assert [c["labels"] for c in o["classes"]] == [3, 5], o["classes"]
assert abs(o["percent"]["value"] - (1 / 3 + 1 + 0) / 3) < 1e-12, o["percent"]
s = {x["name"]: x["items"] for x in d["results"][0]["slices"]}
assert s == {"first": 1, "second": 2}, s
PY

run "$ACCORD" agree "$T/sparse.accord" --json --bootstrap 0 --by batch
ok_if "sparse item ids give the same figures as dense ones" $PY - "$T/dense.json" "$T/out" <<'PY'
import json, sys
a, b = (json.load(open(f))["results"][0] for f in sys.argv[1:3])
assert a["overall"] == b["overall"], (a["overall"], b["overall"])
assert a["slices"] == b["slices"]
assert [x["id"] for x in a["most_disagreed"]] == [3, 1], a["most_disagreed"]
assert [x["id"] for x in b["most_disagreed"]] == [9000000, 1], b["most_disagreed"]
PY

# Past RATINGS_PARALLEL_ROWS (100,000) label rows the newer rows are read
# by a second thread: relabels and withdrawals near the end supersede rows
# the first thread read, and must still win.
DB=$T/big.accord
"$ACCORD" init "$DB" --task t --media image --classes ok,bad,meh >/dev/null 2>&1
sql "
INSERT INTO batches (id, name, created_by, created_at) VALUES (1, 'b', 'root', 'now');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
INSERT INTO items (id, sha256, path, kind, format, bytes, batch, imported_by,
  imported_at)
SELECT i, printf('%064d', i), '/x/' || i || '.png', 'image', 'png', 1, 1,
  'root', 'now' FROM n;
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < 119999)
INSERT INTO labels (item, labeler, class, guideline, created_at, origin,
  recorded_by)
SELECT 1 + (k * 7919) % 30000, 'lab' || (k % 4), 1 + (k * 31 + k / 7) % 3, 1,
  'now', 'import', 'root' FROM n;
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < 11999)
INSERT INTO labels (item, labeler, class, guideline, created_at, origin,
  recorded_by)
SELECT 1 + (k * 104729) % 30000, 'lab' || (k % 4),
  CASE WHEN k % 6 = 0 THEN NULL ELSE 1 + k % 3 END, 1, 'now', 'import',
  'root' FROM n;"
run "$ACCORD" agree "$DB" --json --bootstrap 0
ok_if "132,000 rows read on two threads: the labels in force = current_labels" $PY - "$T/out" "$DB" <<'PY'
import json, sqlite3, sys
from collections import Counter
from nltk.metrics.agreement import AnnotationTask
o = json.load(open(sys.argv[1]))["results"][0]["overall"]
db = sqlite3.connect(sys.argv[2])
rows = db.execute("SELECT labeler, item, class FROM current_labels").fetchall()
assert db.execute("SELECT count(*) FROM labels").fetchone()[0] == 132000
assert o["labels"] == len(rows), (o["labels"], len(rows))
lab = Counter(r[0] for r in rows)
assert {l["name"]: l["labels"] for l in o["labelers"]} == dict(lab), o["labelers"]
cls = Counter(r[2] for r in rows)
assert [c["labels"] for c in o["classes"]] == [cls[1], cls[2], cls[3]], o["classes"]
a = AnnotationTask(data=rows).alpha()
assert abs(o["alpha_nominal"]["value"] - a) < 1e-9, (o["alpha_nominal"], a)
PY
