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
