# Load: STRESS_LABELERS labeler processes, each a real OS user
# (test_user st01, ...), label one project at once, STRESS_LABELS labels
# each, through `accord label --script` (the screen's queue_take and
# label_put, without curses).  Afterwards: every label a labeler was told
# was accepted (a line of its output, printed after the commit) is a row,
# and nothing else is; no (item, labeler) has two rows; no item has more
# than k labelers in force; no lease is left; PRAGMA integrity_check is ok.
# Prints labels/s and the take and commit latency p50/p99 (ACCORD_TRACE).
#
# `make test` runs 16 x 100 with the sanitized binary; `make bench`
# (tests/bench/stress_bench.sh) runs 16 x 1000 with ./accord.
#
#   STRESS_LABELERS  labeler processes (default 16, at most 99)
#   STRESS_LABELS    labels per labeler (default 100)
#   STRESS_ITEMS     items (default labelers x labels x 3/8: room for every
#                    label at overlap 3, with an eighth to spare)
#   STRESS_THINK     MIN-MAX: each labeler looks at each item for a random
#                    MIN to MAX seconds before labeling the next (say 1-3:
#                    what labelers feel when they work at a human pace)
#   STRESS_STORE     label a copy of this store (one made by
#                    build/bench/gen_store, say) instead of a fresh project
#                    of tiny PNGs: its items, overlap and labels stay, the
#                    labelers are added as members, and the checks below
#                    count only their labels where others are there too
#   STRESS_PG=1      the project is a PostgreSQL database of a throwaway
#                    cluster (tests/pglib.sh), the labelers its members by
#                    peer authentication, taking through accord.take: the
#                    same checks, asked of the server (accord check for
#                    SQLite's integrity_check).  With STRESS_PG_ITEMS=N
#                    (and no STRESS_STORE) the project is N generated
#                    items instead, made in SQL (paths to no file: the
#                    scripted labeler never opens one), for the 1M-item
#                    benchmark.
. "$(dirname "$0")/../lib.sh"

L=${STRESS_LABELERS:-16}
N=${STRESS_LABELS:-100}
ITEMS=${STRESS_ITEMS:-$((L * N * 3 / 8))}
K=3
PY=/usr/bin/python3
STORE=${STRESS_STORE:-}

[ "$L" -ge 1 ] && [ "$L" -le 99 ] || { fail "STRESS_LABELERS must be 1..99"; exit 1; }
[ -n "$STORE" ] || [ $((ITEMS * K)) -ge $((L * N)) ] ||
	{ fail "$ITEMS items at overlap $K cannot take $L x $N labels"; exit 1; }
USERS=
for i in $(seq 1 "$L"); do
	USERS="$USERS $(test_user st$(printf %02d "$i"))"
done
ensure_user $USERS || skip_all "labelers are real OS users: $WHY"
chmod 777 "$T"
DB=$T/stress.accord
# The stress users' names as an SQL list, for counts in a shared store.
IN_USERS=$(echo $USERS | sed "s/\([^ ]*\)/'\1'/g; s/ /, /g")
# In SQL both stores read: a tab, a row's name of an item's label.
TAB="'	'"
PG=${STRESS_PG:-}
if [ -n "$PG" ]; then
	[ -z "$STORE" ] || { fail "STRESS_STORE is a SQLite file; STRESS_PG makes its own"; exit 1; }
	. "$ROOT/tests/pglib.sh"
	pg_start
	psql_as "$PG_SUPER" postgres "CREATE DATABASE stress" ||
		{ fail "creating the database"; exit 1; }
	DB="postgresql:///stress?host=$PGHOST&port=$PGPORT"
	# The same checks, asked of the server as its superuser.
	sql() {
		as "$PG_SUPER" psql -X -q -At -v ON_ERROR_STOP=1 -d stress \
		    -c "SET search_path = accord, pg_catalog; $1" </dev/null
	}
	sql_is() { _sq=$(sql "$1"); [ "$_sq" = "$2" ] || { echo "# sql: $1 -> '$_sq', expected '$2'" >&2; RC="sql:$_sq"; return 1; }; }
	acc() { as "$PG_SUPER" "$ACCORD" "$@"; }
else
	acc() { "$ACCORD" "$@"; }
fi

if [ -n "$PG" ] && [ -n "${STRESS_PG_ITEMS:-}" ]; then
	# N items in one batch, made in SQL without the per-row triggers
	# (as accord copy writes), then the derived tables made from them.
	# Like build/bench/gen_store: three labelers (gen1..gen3) on 90% of
	# the cells, overlap 5, so every item is open to a new labeler and
	# the levels the queue walks are full.
	ITEMS=$STRESS_PG_ITEMS
	K=5
	acc init "$DB" --task stress --media image --classes ok,bad \
		--overlap $K >/dev/null &&
		sql "SET session_replication_role = replica;
		INSERT INTO batches (name, created_by, created_at) VALUES ('gen', 'gen', 't');
		INSERT INTO items (sha256, path, kind, format, bytes, batch, imported_by, imported_at)
		  SELECT lpad(to_hex(i), 64, '0'), '/gen/' || i || '.png', 'image', 'png', 100,
		  (SELECT id FROM batches WHERE name = 'gen'), 'gen', 't'
		  FROM generate_series(1, $ITEMS) i;
		INSERT INTO labels (item, labeler, class, note, guideline, created_at, origin, recorded_by)
		  SELECT i, 'gen' || l, 1 + (i + l) % 2, '', 1, 't', 'import', 'gen'
		  FROM generate_series(1, $ITEMS) i, generate_series(1, 3) l
		  WHERE (i * 7 + l * 13) % 10 <> 0 ORDER BY i, l;
		SELECT derived_rebuild(); SELECT ids_sync(); ANALYZE;" >/dev/null &&
		# The bulk load's pages are written (and its rows' hint bits
		# set) before the labelers start, not by the checkpointer
		# during their commits: as the other benchmarks sync first.
		as "$PG_SUPER" psql -X -q -d stress -c VACUUM -c CHECKPOINT \
		    </dev/null >/dev/null &&
		for u in $USERS; do acc member "$DB" add "$u" >/dev/null || exit 1; done ||
		{ fail "building the project of $ITEMS items"; exit 1; }
	room=$(sql "SELECT sum(greatest($K - n, 0)) FROM item_labelers")
	[ "${room:-0}" -ge $((L * N)) ] ||
		{ fail "$ITEMS items have room for ${room:-0} labels, not $L x $N"; exit 1; }
	old_labelers=0 C1=ok C2=bad
elif [ -n "$STORE" ]; then
	cp --reflink=auto "$STORE" "$DB" || { fail "copying $STORE"; exit 1; }
	ITEMS=$(sql "SELECT count(*) FROM items")
	K=$(sql "SELECT value FROM settings WHERE key = 'overlap' ORDER BY id DESC LIMIT 1")
	room=$(sql "SELECT sum(max($K - n, 0)) FROM item_labelers")
	[ "${room:-0}" -ge $((L * N)) ] ||
		{ fail "$STORE has room for ${room:-0} labels, not $L x $N"; exit 1; }
	old_labelers=$(sql "SELECT count(*) FROM current_members WHERE role = 'labeler'")
	C1=$(sql "SELECT name FROM classes ORDER BY id LIMIT 1")
	C2=$(sql "SELECT name FROM classes ORDER BY id DESC LIMIT 1")
	for u in $USERS; do "$ACCORD" member "$DB" add "$u" >/dev/null || exit 1; done ||
		{ fail "adding the labelers to a copy of $STORE"; exit 1; }
else
	old_labelers=0 C1=ok C2=bad
	# Distinct 4x4 PNGs (the id in the pixels), written with Python's
	# zlib.  The scripted labeler never decodes media; the items only
	# need to exist.
	mkdir img
	/usr/bin/python3 "$ROOT/tests/stress/tiny_pngs.py" "$T/img" $ITEMS s
	chmod -R a+rX img
	acc init "$DB" --task stress --media image --classes ok,bad \
		--overlap $K >/dev/null &&
		acc import "$DB" "$T/img" --jobs 2 >/dev/null &&
		for u in $USERS; do acc member "$DB" add "$u" >/dev/null || exit 1; done ||
		{ fail "building the project"; exit 1; }
fi
[ -n "$PG" ] || chmod 666 "$DB"*
ok_if "$ITEMS items, $L labelers" sql_is "SELECT (SELECT count(*) FROM items) || '/' || (SELECT count(*) FROM current_members WHERE role = 'labeler')" "$ITEMS/$((L + old_labelers))"

# Each labeler's script: N labels, classes in a pattern of its own.
i=0
for u in $USERS; do
	i=$((i + 1))
	awk -v n="$N" -v s="$i" -v a="$C1" -v b="$C2" 'BEGIN { for (j = 0; j < n; j++)
	    print ((j * s + s) % 3 == 0 ? b : a) }' >"$T/$u.script"
done

# Start every labeler, let them wait for one go, and time from the go to
# the last one done.
# With STRESS_THINK the script reaches the labeler a line at a time, each
# after the think time, so the next take comes that long after the label;
# and each labeler opens the screen at a random moment of the first think
# time's span after the go (people do not start in the same millisecond:
# 64 new server sessions planning their statements at one instant on two
# CPUs made every first label wait 0.4 s).
THINK=${STRESS_THINK:-}
i=0
for u in $USERS; do
	i=$((i + 1))
	as "$u" env ACCORD_TRACE="$T/$u.trace" sh -c \
	    'while [ ! -e "$1/go" ]; do sleep 0.01; done
	     if [ -n "$6" ]; then
		sleep "$(awk -v t="$6" -v seed="$7" "BEGIN { split(t, r, \"-\"); srand(seed * 7 + 1); print rand() * r[2] }")"
		awk -v t="$6" -v seed="$7" "BEGIN { split(t, r, \"-\"); srand(seed) }
		    { print; fflush(); system(\"sleep \" r[1] + rand() * (r[2] - r[1])) }" "$4" |
		    "$2" label "$3" --script - >"$5.out" 2>"$5.err"
	     else
		exec "$2" label "$3" --script "$4" >"$5.out" 2>"$5.err"
	     fi
	    ' sh "$T" "$ACCORD" "$DB" "$T/$u.script" "$T/$u" "$THINK" "$i" &
	echo $! >>"$T/pids"
done
sleep 0.5
t0=$(date +%s.%N)
touch "$T/go"
bad=0
for p in $(cat "$T/pids"); do
	wait "$p" || bad=$((bad + 1))
done
t1=$(date +%s.%N)
ok_if "all $L labelers exit 0" [ "$bad" -eq 0 ]
for u in $USERS; do
	[ -s "$T/$u.err" ] && echo "# $u: $(head -c 300 "$T/$u.err")"
done

# Every line printed is a row of that labeler, and every row a line.
short=0 lost=0
for u in $USERS; do
	[ "$(wc -l <"$T/$u.out")" -eq "$N" ] || short=$((short + 1))
	cut -f1,3 "$T/$u.out" | sort >"$T/$u.said"
	sql "SELECT l.item || $TAB || c.name FROM labels l JOIN classes c ON c.id = l.class WHERE l.labeler = '$u'" | sort >"$T/$u.rows"
	cmp -s "$T/$u.said" "$T/$u.rows" || lost=$((lost + 1))
done
ok_if "each labeler was told $N labels were accepted" [ "$short" -eq 0 ]
ok_if "the store holds exactly the labels each labeler was told of" [ "$lost" -eq 0 ]
ok_if "$((L * N)) label rows, $N per labeler" sql_is "SELECT count(*) || '/' || min(c) || '/' || max(c) FROM (SELECT labeler, count(*) AS c FROM labels WHERE labeler IN ($IN_USERS) GROUP BY labeler) x" "$L/$N/$N"
ok_if "no (item, labeler) has two rows" sql_is "SELECT count(*) FROM (SELECT 1 FROM labels GROUP BY item, labeler HAVING count(*) > 1) x" 0
# On the generated PostgreSQL project only the items the labelers
# labeled (a pass over 1M items is minutes; the others are as made).
OURS="SELECT item FROM labels WHERE labeler IN ($IN_USERS)"
[ -n "${STRESS_PG_ITEMS:-}" ] && ONLY="i.id IN ($OURS) AND" || ONLY=
[ -n "${STRESS_PG_ITEMS:-}" ] && WHERE="WHERE item IN ($OURS)" || WHERE=
ok_if "no item has more than $K labelers in force" sql_is "SELECT count(*) FROM (SELECT item FROM current_labels $WHERE GROUP BY item HAVING count(*) > $K) x" 0
ok_if "the queue's per-item counts (item_labelers) match the labels in force" \
	sql_is "SELECT count(*) FROM items i LEFT JOIN item_labelers t ON t.item = i.id WHERE $ONLY t.n IS DISTINCT FROM (SELECT count(*) FROM current_labels c WHERE c.item = i.id)" 0
ok_if "every label released its lease" sql_is "SELECT count(*) FROM leases" 0
if [ -n "$PG" ] && [ -z "${STRESS_PG_ITEMS:-}" ]; then
	run acc check "$DB"
	ok_if "accord check passes (the server checks its own pages)" rc_is 0
elif [ -n "$PG" ]; then
	# Generated items have no files for check to hash.
	ok_if "queue_levels counts every item once" \
		sql_is "SELECT sum(items) = (SELECT count(*) FROM items) FROM queue_levels" t
else
	ok_if "integrity_check ok" sql_is "PRAGMA integrity_check" ok
fi

# Figures.  The take holds the write lock for the queue's scan; the commit
# is label_put, BEGIN IMMEDIATE to a synced COMMIT, waits included.
$PY -c '
import sys
take, commit, later, later_c = [], [], [], []
for name in sys.argv[4:]:
    for i, line in enumerate(open(name)):
        f = dict(w.split("=") for w in line.split())
        take.append(float(f["take"])); commit.append(float(f["commit"]))
        if i > 0:
            later.append(float(f["take"]))
            later_c.append(float(f["commit"]))
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p / 100.0 * len(v)))]
wall = float(sys.argv[2]) - float(sys.argv[1])
print("# %d labels by %s labelers in %.2f s: %.1f labels/s" % (len(commit), sys.argv[3], wall, len(commit) / wall))
print("# commit latency ms: p50 %.2f p99 %.2f max %.2f" % (pct(commit, 50), pct(commit, 99), max(commit)))
print("# take latency ms:   p50 %.2f p99 %.2f max %.2f" % (pct(take, 50), pct(take, 99), max(take)))
if later:
    print("# take latency ms after each labeler'"'"'s first (process start, cold caches): p50 %.2f p99 %.2f" % (pct(later, 50), pct(later, 99)))
    print("# commit latency ms after each labeler'"'"'s first (a new server session plans its statements): p50 %.2f p99 %.2f" % (pct(later_c, 50), pct(later_c, 99)))
print("# load average after: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
' "$t0" "$t1" "$L" "$T"/*.trace >"$T/figures"
cat "$T/figures"
ok_if "the trace has one line per label" [ "$(cat "$T"/*.trace | wc -l)" -eq $((L * N)) ]
if [ -n "${STRESS_FIGURES:-}" ]; then
	cp "$T/figures" "$STRESS_FIGURES"
fi
