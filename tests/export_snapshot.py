# tests/export_snapshot.py: the writers and the check of the tests that
# export while labelers write (tests/cmd/export_safe.sh on SQLite,
# tests/cmd/pg_export_snapshot.sh on PostgreSQL).
#
#   writers IMAGES DIR      DIR/w0.csv .. w3.csv: labels of every .jpg in
#                           IMAGES by five labelers per writer
#   check EXPORT LABELS ITEMS
#                           EXPORT (a jsonl export, no split) is one moment
#                           of the store whose labels table, read after the
#                           writers stopped, is LABELS (id, item, labeler,
#                           class, guideline, created_at; tab-separated,
#                           NULL empty, in id order) and ITEMS (id, sha256).
#
# Writers take the store's write lock, so label ids are given in commit
# order and a snapshot is the first label_rows rows: the manifest's label
# checksum must be theirs, and each exported item's count of labels in
# force (its labelers among those rows) must match.
import hashlib, json, os, sys

if sys.argv[1] == "writers":
    imgs = sorted(f for f in os.listdir(sys.argv[2]) if f.endswith(".jpg"))
    for w in range(4):
        with open(os.path.join(sys.argv[3], "w%d.csv" % w), "w") as f:
            f.write("file,labeler,class\n")
            for k, im in enumerate(imgs):
                f.write("%s,writer%d_%d,%s\n" % (im, w, k % 5,
                        ("ok", "scratch", "dent")[(k + w) % 3]))
    sys.exit(0)

out, labels, items = sys.argv[2:5]
m = json.load(open(os.path.join(out, "manifest.json")))
n = m["store"]["label_rows"]
lines = open(labels, encoding="utf-8").read().split("\n")[:n]
assert len(lines) == n, (len(lines), n)
h = hashlib.sha256()
for l in lines:
    h.update((l + "\n").encode())
assert h.hexdigest() == m["store"]["labels_sha256"], \
    "the checksum is not of the first label_rows rows"
per_item, seen = {}, set()
for l in lines:
    _id, item, who = l.split("\t")[:3]
    if (item, who) not in seen:
        seen.add((item, who))
        per_item[item] = per_item.get(item, 0) + 1
ids = dict(reversed(l.split("\t")) for l in open(items).read().split("\n") if l)
for l in open(os.path.join(out, "train.jsonl")):
    r = json.loads(l)
    assert r["labels"] == per_item[ids[r["sha256"]]], (r["path"], r["labels"])
