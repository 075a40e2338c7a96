#!/bin/sh
# tests/bench/errors_bench.sh: the `accord errors` benchmark (issue 16).
#
# build/bench/gen_store makes the agree benchmark's store: 200,000 items x
# 5 labelers (3 ordinal classes, 10% of the cells empty, about 900,000
# label rows; metadata `site`; see tests/bench/gen_store.c).  Then:
#
#  - tags `blurry`, `dark`, `glare` on 10% of the items each (SQL, as the
#    label screen writes them);
#  - a prediction run of every item: labeler2's label where there is one,
#    moved to the next class on every fifth item, else a class by item id;
#    imported once with `accord errors --predictions FILE --bootstrap 0`
#    (timed, not compared: the import is not what the target is about);
#  - (e) `accord errors DB --run model --by site --bootstrap 1000 --json`:
#    import of nothing, analysis of 200,000 items with intervals for the
#    overall row, 4 tags and 4 sites: wall time and peak RSS, the fastest
#    of BENCH_RUNS (default 5) runs.
#
# Values are checked, not only times: the overall HLP and model accuracy
# of (e) must equal, to 1e-12, the means of each item's h and c written
# again in Python from docs/statistics.md on the store's labels, and every
# interval must be finite and hold its figure.
#
# Target (issue 16): (e) under 2 s.  A report: the exit status is 0
# whether or not the target is met (2 if it could not run); the verdict is
# the last line.
#
#   BENCH_SMALL=1       20,000 items, for a quick try
#   BENCH_ITEMS=N       items (default 200000)
#   BENCH_SEED=N        generator seed (default 1)
#   BENCH_RUNS=N        runs of (e) (default 5)
#
# Needs build/bench/gen_store and ./accord (`make bench`), sqlite3 and
# Debian's /usr/bin/python3.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
BIN=$ROOT/build/bench
ACCORD=$ROOT/accord
WORK=$BIN/errors
PY=/usr/bin/python3
if [ "${BENCH_SMALL:-0}" != 0 ]; then
	NITEMS=${BENCH_ITEMS:-20000}
else
	NITEMS=${BENCH_ITEMS:-200000}
fi
SEED=${BENCH_SEED:-1}
RUNS=${BENCH_RUNS:-5}
TARGET=2

die() {
	echo "errors_bench: $*" >&2
	exit 2
}

for b in "$BIN/gen_store" "$ACCORD"; do
	[ -x "$b" ] || die "$b is missing; run 'make bench'"
done
command -v sqlite3 >/dev/null || die "sqlite3 (the CLI) is missing"
[ -x "$PY" ] || die "$PY is missing"

rm -rf "$WORK"
mkdir -p "$WORK" || die "cannot create $WORK"
LOG=$WORK/log
: >"$LOG"
DB=$WORK/errors.accord

. "$(dirname "$0")/measure.sh"

echo "== accord errors benchmark: $NITEMS items x 5 labelers, 3 classes, 1000 bootstrap replicates"
bench_header

gen=$("$BIN/gen_store" "$DB" "$NITEMS" 5 "$SEED" 2>>"$LOG") ||
    die "gen_store failed (see $LOG)"
echo "   generated (not compared): $gen"
sqlite3 "$DB" "INSERT INTO tags(item, user, tag, created_at)
	SELECT id, 'bench', CASE id % 3 WHEN 0 THEN 'blurry' WHEN 1 THEN 'dark'
	ELSE 'glare' END, 'now' FROM items WHERE id % 10 < 3" 2>>"$LOG" ||
    die "cannot tag items (see $LOG)"
sqlite3 -csv "$DB" "SELECT 'sha256', 'class' UNION ALL SELECT * FROM (
	SELECT i.sha256, (SELECT name FROM classes WHERE position = (CASE
	WHEN l.class IS NULL THEN i.id % 3 WHEN i.id % 5 = 0 THEN
	(c.position + 1) % 3 ELSE c.position END)) FROM items i
	LEFT JOIN current_labels l ON l.item = i.id AND l.labeler = 'labeler2'
	LEFT JOIN classes c ON c.id = l.class ORDER BY i.id)" \
    >"$WORK/model.csv" 2>>"$LOG" || die "cannot write predictions (see $LOG)"
measure "$WORK/import" /dev/null "$ACCORD" errors "$DB" --predictions \
    "$WORK/model.csv" --bootstrap 0 --json
[ "$(field rc "$WORK/import")" -eq 0 ] || die "import failed (see $LOG)"
echo "   import of $(($(wc -l <"$WORK/model.csv") - 1)) predictions with the analysis, no bootstrap (not compared): $(field wall "$WORK/import") s"
sync
cat "$DB" >/dev/null

for r in $(seq 1 "$RUNS"); do
	measure "$WORK/e.$r" "$WORK/e.json" "$ACCORD" errors "$DB" --run model \
	    --by site --bootstrap 1000 --json
	echo "   round $r: (e) $(field wall "$WORK/e.$r") s"
done
E=$(for f in "$WORK"/e.[0-9]*; do
	[ "$(field rc "$f")" -eq 0 ] && echo "$(field wall "$f") $f"
done | sort -n | head -n 1 | cut -d' ' -f2)
[ -n "$E" ] || die "accord errors failed (see $LOG and $WORK)"

"$PY" - "$DB" "$WORK/e.json" >"$WORK/check" 2>>"$LOG" <<'EOF' ||
import json, math, sqlite3, sys
from collections import Counter
db, out = sys.argv[1], sys.argv[2]
d = json.loads(open(out).read(), parse_constant=lambda c: 1 / 0)
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
lab = {}
for item, c in con.execute("SELECT item, class FROM current_labels"):
    lab.setdefault(item, []).append(c)
pred = dict(con.execute("SELECT item, class FROM predictions"))
hs = cs = n = 0
for i, y in pred.items():
    v = lab.get(i, [])
    m = len(v)
    if m < 2:
        continue   # no gold or adjudication in this store
    k = Counter(v)
    hs += sum(x * (x - 1) for x in k.values()) / (m * (m - 1))
    cs += k[y] / m
    n += 1
o = d["overall"]
assert d["scored"] == n, (d["scored"], n)
assert abs(o["hlp"]["value"] - hs / n) < 1e-12, (o["hlp"], hs / n)
assert abs(o["accuracy"]["value"] - cs / n) < 1e-12, (o["accuracy"], cs / n)
for r in [o] + d["tags"] + d["slices"]:
    for f in ("hlp", "accuracy", "gap", "room"):
        ci = r[f + "_ci"]
        assert ci["why"] is None and math.isfinite(ci["lo"]) and ci["lo"] <= r[f]["value"] <= ci["hi"], (r["name"], f, ci)
print("scored=%d hlp=%.4f accuracy=%.4f gap=%+.4f [%+.4f, %+.4f] groups=%d"
      % (n, o["hlp"]["value"], o["accuracy"]["value"], o["gap"]["value"],
         o["gap_ci"]["lo"], o["gap_ci"]["hi"], len(d["tags"]) + len(d["slices"])))
EOF
    die "the figures of (e) do not match Python's (see $LOG)"

echo "   checked against Python on the store: $(cat "$WORK/check")"
echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v wall="$(field wall "$E")" -v rss="$(field rss_kb "$E")" \
    -v cpu="$(field cpu "$E")" -v target="$TARGET" -v n="$NITEMS" 'BEGIN {
	printf "   (e) accord errors --bootstrap 1000 --by site: %.3f s wall, %.3f s cpu, peak RSS %.1f MB\n",
	    wall, cpu, rss / 1024
	if (wall < target)
		printf "verdict: PASS: errors with 1000 replicates on %d items in %.2f s, under the %d s target (%.1fx margin)\n",
		    n, wall, target, target / wall
	else
		printf "verdict: FAIL: errors with 1000 replicates on %d items in %.2f s, over the %d s target\n",
		    n, wall, target
}'
exit 0
