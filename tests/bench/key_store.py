#!/usr/bin/python3
# key_store.py: a generated store (build/bench/gen_store) made fit for the
# label screen's keystroke benchmark (tests/bench/label_bench.sh with
# LABEL_BENCH_STORE; tests/bench/scale_bench.sh's keystroke row).  A
# generated item has no file behind it, so the items a user's queue hands
# out first are pointed at real files.
#
#   key_store.py point DB MEDIA USER IDS
#
# MEDIA is a store the files were imported into (`accord import`): its
# items' rows, in path order, become the rows of the first items of
# USER's queue in DB (path, hash, size, format, dimensions), so the label
# screen reads, verifies and decodes them as imported content.  The
# queue's order is core/queue.c's: the levels (item_labelers.n, labelers
# in force) from overlap - 1 down, each by id, passing over the items
# USER has a label in force on.  Leases are deleted first (a live lease
# moves its item up a level: the take run's last one may be left), and
# a store with gold items or items sent back for relabeling is refused:
# those come first or at their own rate, not in that order.  IDS gets
# the pointed item ids in queue order, one a line.
#
#   key_store.py check DB USER IDS AFTER KEYS TRACE
#
# After the run: the label rows of USER with an id above AFTER must be
# KEYS labels of the first KEYS items of IDS, one each, in that order,
# and TRACE (ACCORD_TRACE) must hold the same KEYS label actions.  The
# figures of a run that labeled anything else (a wrong guess of the
# queue's order, an item without its file) would not be the ones wanted.
# Prints one line; exit 0 when it holds, 1 when not.
import hashlib
import sqlite3
import sys


def die(msg):
    print("key_store: %s" % msg)
    sys.exit(1)


def in_force(con, item, user):
    # label_int.h's LABEL_IN_FORCE: the user's newest row on the item
    # has a class.
    r = con.execute("SELECT class FROM labels WHERE item = ? AND "
                    "labeler = ? ORDER BY id DESC LIMIT 1",
                    (item, user)).fetchone()
    return r is not None and r[0] is not None


def point(db, media, user, ids_file):
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA busy_timeout = 10000")
    m = sqlite3.connect("file:%s?mode=ro" % media, uri=True)
    cols = ("path, sha256, kind, format, bytes, width, height, depth, "
            "channels, rate, frames")
    files = m.execute("SELECT %s FROM items ORDER BY path" % cols).fetchall()
    if not files:
        die("%s: no items" % media)
    # The content the label screen will check against the imported hash.
    for f in files:
        with open(f[0], "rb") as fh:
            if hashlib.sha256(fh.read()).hexdigest() != f[1]:
                die("%s: its SHA-256 is not the imported one" % f[0])
    r = con.execute("SELECT role, active FROM members WHERE user = ? "
                    "ORDER BY id DESC LIMIT 1", (user,)).fetchone()
    if r is None or not r[1]:
        die("%s is not a member of %s" % (user, db))
    k = con.execute("SELECT value FROM settings WHERE key = 'overlap' "
                    "ORDER BY id DESC LIMIT 1").fetchone()
    k = max(1, int(k[0])) if k else 1
    con.execute("BEGIN IMMEDIATE")
    if con.execute("SELECT count(*) FROM gold").fetchone()[0] or \
            con.execute("SELECT count(*) FROM adjudications WHERE "
                        "status = 'relabel'").fetchone()[0]:
        die("%s has gold or relabel items: the queue's order is not "
            "the overlap rule's alone" % db)
    con.execute("DELETE FROM leases")
    ids = []
    for t in range(k - 1, -1, -1):
        for (item,) in con.execute("SELECT item FROM item_labelers "
                                   "WHERE n = ? ORDER BY item", (t,)):
            if not in_force(con, item, user):
                ids.append(item)
                if len(ids) == len(files):
                    break
        if len(ids) == len(files):
            break
    if len(ids) < len(files):
        die("the queue of %s holds %d items, not %d" % (user, len(ids),
                                                        len(files)))
    for item, f in zip(ids, files):
        con.execute("UPDATE items SET path = ?, sha256 = ?, kind = ?, "
                    "format = ?, bytes = ?, width = ?, height = ?, "
                    "depth = ?, channels = ?, rate = ?, frames = ? "
                    "WHERE id = ?", f + (item,))
    con.execute("COMMIT")
    with open(ids_file, "w") as fh:
        fh.write("".join("%d\n" % i for i in ids))
    print("pointed items %d..%d (%d, levels from %d down) at %d files" % (
        min(ids), max(ids), len(ids), k - 1, len(files)))


def check(db, user, ids_file, after, keys, trace):
    want = [int(x) for x in open(ids_file).read().split()][:keys]
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    rows = con.execute("SELECT item, class FROM labels WHERE labeler = ? "
                       "AND id > ? ORDER BY id", (user, after)).fetchall()
    got = [r[0] for r in rows]
    traced = []
    for line in open(trace):
        f = dict(w.split("=", 1) for w in line.split() if "=" in w)
        if f.get("action") == "label":
            traced.append(int(f.get("item", "0")))
    why = None
    if len(want) < keys:
        why = "%d items pointed at files, %d keys" % (len(want), keys)
    elif got != want:
        bad = [i for i in got if i not in set(want)]
        why = ("%d label rows of %s, not one on each of the first %d items "
               "pointed at files in queue order; %d on other items (%s)" % (
                   len(got), user, keys, len(bad),
                   " ".join(map(str, bad[:5]))))
    elif any(r[1] is None for r in rows):
        why = "a label row without a class"
    elif traced != want:
        why = "%d label lines in the trace, not the %d items labeled" % (
            len(traced), keys)
    if why:
        print("check failed: %s" % why)
        sys.exit(1)
    print("%d labels on the %d items pointed at files, in queue order; "
          "%d trace lines" % (len(got), keys, len(traced)))


if len(sys.argv) == 6 and sys.argv[1] == "point":
    point(*sys.argv[2:6])
elif len(sys.argv) == 8 and sys.argv[1] == "check":
    check(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]),
          int(sys.argv[6]), sys.argv[7])
else:
    die("usage: key_store.py point DB MEDIA USER IDS | "
        "check DB USER IDS AFTER KEYS TRACE")
