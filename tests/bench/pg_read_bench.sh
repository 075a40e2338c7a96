#!/bin/sh
# tests/bench/pg_read_bench.sh: the big reads on PostgreSQL against the
# same on SQLite (issue 15: "agree --bootstrap 0 over 1M labels and export
# of 100k items on PostgreSQL within 2x of the same on SQLite").
#
# Makes two SQLite stores with the generators of the other benchmarks:
#  - build/bench/gen_store, ITEMS x 5 labelers (default 222,222 items:
#    about 1,000,000 label rows, as agree_bench.sh's model);
#  - build/bench/gen_export, 100,000 items x 3 labels of 20 labelers with
#    four metadata values an item (as export_bench.sh);
# copies each into a database of a throwaway PostgreSQL cluster with
# `accord copy`, and then times, on SQLite and on PostgreSQL in turns
# (BENCH_RUNS rounds, default 3; the fastest run of each kept):
#
#   agree   `agree --json --bootstrap 0` on the 1M-label store
#   export  `export --format jsonl` (with its manifest) of the 100k items
#   check   `check` on the 1M-label store
#   status  `status` on the 1M-label store
#   dump    `labels dump` on the 1M-label store
#   items   `items` on the 100k-item store (metadata per item)
#
# Wall time, CPU time (user + system) and peak RSS of the accord process
# (wait4(2)); the server's own CPU and memory are not counted, and are
# said apart: the wall time is what the targets are about.  Outputs are
# compared, not only timed: agree's JSON, check's, status's, dump's and
# items' output, and every exported file but the manifest (which names
# its store), must be the same on both stores byte for byte once the
# store's name is replaced; a difference is a FAIL of that row.
#
# The cluster: initdb and pg_ctl in a fresh directory under $TMPDIR, on a
# Unix socket there only (no TCP), peer authentication, fsync on (a real
# server's settings otherwise: PostgreSQL 15's defaults), run by an OS
# user this script creates under a name of its own (tests/lib.sh
# test_user pgrd) and removes on exit, with the cluster.  That user also
# makes the stores and runs every command (it is their admin, and the
# cluster's superuser).  No system service is used or touched.
#
# A report: the exit status is 0 whether or not a target is met (2 if it
# could not run); one verdict line per row, the last lines.
#
#   BENCH_SMALL=1   20,000 x 5 labelers and 10,000 export items
#   BENCH_ITEMS=N   items of the agree store (default 222222)
#   BENCH_RUNS=N    rounds (default 3)
#   BENCH_SEED=N    generator seed (default 1)
#   BENCH_BEFORE=BIN  also time another build of accord (an older one) on
#                   the PostgreSQL stores, in the same rounds: a table of
#                   its figures follows (not compared, no verdict)
#
# Needs root (the cluster runs as another OS user), PostgreSQL 15's
# initdb/pg_ctl, createdb, Debian's python3, build/bench/gen_store,
# build/bench/gen_export and ./accord (`make bench`).
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
BIN=$ROOT/build/bench
ACCORD=$ROOT/accord
export ROOT ACCORD
if [ "${BENCH_SMALL:-0}" != 0 ]; then
	NITEMS=${BENCH_ITEMS:-20000} NEXPORT=10000
else
	NITEMS=${BENCH_ITEMS:-222222} NEXPORT=100000
fi
NLAB=5
SEED=${BENCH_SEED:-1}
RUNS=${BENCH_RUNS:-3}
TARGET=2

die() {
	echo "pg_read_bench: $*" >&2
	exit 2
}
for b in "$BIN/gen_store" "$BIN/gen_export" "$ACCORD"; do
	[ -x "$b" ] || die "$b is missing; run 'make bench'"
done
[ "$(id -u)" -eq 0 ] || die "needs root: the cluster runs as an OS user of its own"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || die "python3 is missing"
: "${PG_BINDIR:=$(pg_config --bindir 2>/dev/null)}"
[ -x "$PG_BINDIR/initdb" ] ||
    PG_BINDIR=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -n 1)
[ -x "$PG_BINDIR/initdb" ] && [ -x "$PG_BINDIR/pg_ctl" ] ||
    die "PostgreSQL's initdb and pg_ctl (postgresql-15) are missing"

# tests/lib.sh: $T (removed on exit), the OS user made and removed by
# name.  Its checks' output is not used here.
. "$ROOT/tests/lib.sh"
PGU=$(test_user pgrd)
ensure_user "$PGU" || die "cannot create the OS user $PGU: $WHY"
PGD=$T/pg
W=$T/work
LOG=$T/log
: >"$LOG"
chmod 755 "$T"
mkdir -p "$PGD" "$W" && chown "$PGU" "$PGD" "$W" || die "cannot create $W"

pg_down() {
	if [ -f "$PGD/data/postmaster.pid" ]; then
		as "$PGU" "$PG_BINDIR/pg_ctl" -D "$PGD/data" -m fast -w -t 60 \
		    stop >/dev/null 2>&1 ||
		    kill -KILL "$(head -n 1 "$PGD/data/postmaster.pid")" \
		    2>/dev/null
	fi
}
trap 'pg_down; lib_cleanup' EXIT

PGPORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
as "$PGU" "$PG_BINDIR/initdb" -D "$PGD/data" -E UTF8 --locale=C \
    --auth-local=peer --auth-host=reject >>"$LOG" 2>&1 ||
    die "initdb failed (see $LOG)"
echo "local all all peer" >"$PGD/data/pg_hba.conf"
as "$PGU" "$PG_BINDIR/pg_ctl" -D "$PGD/data" -l "$PGD/server.log" -w \
    -t 60 -o "-k $PGD -p $PGPORT -c listen_addresses=" start >>"$LOG" 2>&1 ||
    die "pg_ctl start failed (see $PGD/server.log)"
uri() { echo "postgresql:///$1?host=$PGD&port=$PGPORT"; }
# pu CMD...: as the cluster's user, with its log.
pu() { as "$PGU" "$@" >>"$LOG" 2>&1; }

echo "== accord reads, PostgreSQL against SQLite: agree/check/status/dump on $NITEMS items x $NLAB labelers, export/items on $NEXPORT items x 3"
echo "   $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)); PostgreSQL $("$PG_BINDIR/postgres" --version | sed 's/.* \([0-9.]*\).*/\1/'), fsync on, Unix socket; seed $SEED, best of $RUNS"
echo "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v n="$(nproc)" '$1 > n / 2 { printf "   warning: load %s on %d CPUs: other work is running; wall times read high (compare cpu)\n", $1, n }' /proc/loadavg

# The stores, made and copied by the cluster's user (their admin).
A=$W/agree.accord E=$W/export.accord
gen=$(as "$PGU" "$BIN/gen_store" "$A" "$NITEMS" "$NLAB" "$SEED" 2>>"$LOG") ||
    die "gen_store failed (see $LOG)"
echo "   gen_store: $gen"
pu "$ACCORD" init "$E" --task "export bench" --media image \
    --classes ok,scratch,dent --borderline unsure --overlap 3 &&
    pu "$BIN/gen_export" "$E" "$NEXPORT" 3 "$SEED" 20 ||
    die "gen_export failed (see $LOG)"
for d in agree export; do
	pu "$PG_BINDIR/createdb" -h "$PGD" -p "$PGPORT" "bench_$d" ||
	    die "createdb bench_$d failed (see $LOG)"
done
AU=$(uri bench_agree) EU=$(uri bench_export)
t0=$(date +%s)
pu "$ACCORD" copy "$A" "$AU" || die "accord copy $A failed (see $LOG)"
t1=$(date +%s)
pu "$ACCORD" copy "$E" "$EU" || die "accord copy $E failed (see $LOG)"
t2=$(date +%s)
echo "   accord copy into PostgreSQL: $((t1 - t0)) s (1M-label store), $((t2 - t1)) s (export store)"
# Everything from the page cache; the copies' writeback done first.
sync
cat "$A" "$E" >/dev/null

# Each row: name, the two stores, what its output is compared as (the
# stdout, or the files of --out), its exit status on both, and the
# command's arguments with @ for the store.  check exits 1: the
# generated items have no files behind them, and it says so for each.
cat >"$W/rows" <<EOF
agree	$A	$AU	stdout	0	agree @ --json --bootstrap 0
export	$E	$EU	outdir	0	export @ --format jsonl --out OUT
check	$A	$AU	stdout	1	check @
status	$A	$AU	stdout	0	status @
dump	$A	$AU	stdout	0	labels dump @
items	$E	$EU	stdout	0	items @
EOF
chmod -R a+rX "$W"

# The rounds, run by the cluster's user: for each row, SQLite then
# PostgreSQL, RUNS times over; the fastest run of each that exited 0.
as "$PGU" "$PY" - "$ACCORD" "$W" "$RUNS" "${BENCH_BEFORE:-}" \
    >"$W/results" 2>>"$LOG" <<'EOF'
import os, shutil, sys, time
accord, w, runs, before = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    sys.argv[4]
rows = [l.rstrip("\n").split("\t") for l in open(w + "/rows")]

def run(accord, args, out):
    with open(out + ".stdout", "wb") as f, open(out + ".stderr", "wb") as e:
        t = time.monotonic()
        pid = os.fork()
        if pid == 0:
            os.dup2(f.fileno(), 1)
            os.dup2(e.fileno(), 2)
            try:
                os.execv(accord, [accord] + args)
            finally:
                os._exit(127)
        _, status, ru = os.wait4(pid, 0)
        wall = time.monotonic() - t
    return (wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss,
            os.waitstatus_to_exitcode(status))

best = {}
for r in range(runs):
    for name, lite, pg, kind, want, cmd in rows:
        sides = [("sqlite", lite, accord), ("pg", pg, accord)]
        if before:
            sides.append(("before", pg, before))
        for side, store, binary in sides:
            out = "%s/%s.%s" % (w, name, side)
            shutil.rmtree(out + ".d", ignore_errors=True)
            args = [store if a == "@" else out + ".d" if a == "OUT" else a
                    for a in cmd.split(" ")]
            m = run(binary, args, out)
            sys.stderr.write("round %d %s %s: wall=%.3f cpu=%.3f "
                             "rss_kb=%d rc=%d\n" % ((r + 1, name, side) + m))
            k = (name, side)
            ok = m[3] == int(want)
            if k not in best or (ok, -m[0]) > (best[k][3] == int(want),
                                               -best[k][0]):
                best[k] = m
for name, lite, pg, kind, want, cmd in rows:
    for side in ("sqlite", "pg") + (("before",) if before else ()):
        print("%s %s wall=%.3f cpu=%.3f rss_kb=%d rc=%d"
              % ((name, side) + best[(name, side)]))
EOF
[ -s "$W/results" ] || die "the timed runs failed (see $LOG)"

# same NAME: the outputs of the last runs on both stores agree, the
# store's name aside; prints 1 or 0, and what differs to the log.
same() {
	while IFS='	' read -r n lite pg kind want cmd; do
		[ "$n" = "$1" ] || continue
		a=$W/$n.sqlite b=$W/$n.pg
		if [ "$kind" = outdir ]; then
			# Every file but the manifest, which names its store.
			x=$( (cd "$a.d" 2>/dev/null && find . -type f ! -name manifest.json | sort) )
			y=$( (cd "$b.d" 2>/dev/null && find . -type f ! -name manifest.json | sort) )
			[ -n "$x" ] && [ "$x" = "$y" ] || { echo "$n: files differ: $x / $y" >>"$LOG"; echo 0; return; }
			for f in $x; do
				cmp -s "$a.d/$f" "$b.d/$f" ||
				    { echo "$n: $f differs" >>"$LOG"; echo 0; return; }
			done
		else
			# (dump's provenance names the SQLite file copied.)
			sed "s|$pg|STORE|g; s|$lite|STORE|g" "$a.stdout" >"$a.norm"
			sed "s|$pg|STORE|g; s|$lite|STORE|g" "$b.stdout" >"$b.norm"
			[ -s "$a.norm" ] && cmp -s "$a.norm" "$b.norm" ||
			    { echo "$n: output differs:" >>"$LOG"; diff "$a.norm" "$b.norm" | head -n 10 >>"$LOG"; echo 0; return; }
		fi
	done <"$W/rows"
	echo 1
}

for n in agree export check status dump items; do
	echo "$n $(same "$n") $(awk -F'\t' -v n="$n" '$1 == n { print $5 }' "$W/rows")"
done >"$W/same"

awk -v target="$TARGET" '
FNR == NR { same[$1] = $2; want[$1] = $3; next }
$2 == "before" {
	for (i = 3; i <= NF; i++) { split($i, kv, "="); v[$1, $2, kv[1]] = kv[2] }
	before = 1
	next
}
{
	for (i = 3; i <= NF; i++) { split($i, kv, "="); v[$1, $2, kv[1]] = kv[2] }
	if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
}
END {
	printf "\n%-7s %9s %9s %6s %8s %8s %9s %9s %6s  %s\n", "read",
	    "sqlite s", "pg s", "ratio", "sqlite c", "pg cpu", "sqlite MiB",
	    "pg MiB", "same", "verdict"
	for (k = 1; k <= n; k++) {
		r = order[k]
		a = v[r, "sqlite", "wall"]; b = v[r, "pg", "wall"]
		ratio = a > 0 ? b / a : 0
		ok = v[r, "sqlite", "rc"] == want[r] && v[r, "pg", "rc"] == want[r]
		if (!ok)
			verdict = sprintf("FAIL (exit %d / %d)", v[r, "sqlite", "rc"], v[r, "pg", "rc"])
		else if (same[r] != 1)
			verdict = "FAIL (outputs differ)"
		else if (ratio <= target)
			verdict = sprintf("PASS (within %sx)", target)
		else
			verdict = sprintf("FAIL (%.2fx, over %sx)", ratio, target)
		line[k] = sprintf("verdict %s: %s", r, verdict)
		printf "%-7s %9.3f %9.3f %6.2f %8.2f %8.2f %9.1f %9.1f %6s  %s\n",
		    r, a, b, ratio, v[r, "sqlite", "cpu"], v[r, "pg", "cpu"],
		    v[r, "sqlite", "rss_kb"] / 1024, v[r, "pg", "rss_kb"] / 1024,
		    same[r] == 1 ? "yes" : "NO", verdict
	}
	printf "\nwall and CPU seconds and peak RSS of the accord process (the server aside), best of the rounds\n"
	if (before) {
		printf "\nBENCH_BEFORE on PostgreSQL, the same rounds:\n%-7s %9s %8s %9s %6s\n", "read", "pg s", "pg cpu", "pg MiB", "exit"
		for (k = 1; k <= n; k++)
			printf "%-7s %9.3f %8.2f %9.1f %6d\n", order[k], v[order[k], "before", "wall"], v[order[k], "before", "cpu"], v[order[k], "before", "rss_kb"] / 1024, v[order[k], "before", "rc"]
		printf "\n"
	}
	for (k = 1; k <= n; k++)
		print line[k]
}' "$W/same" "$W/results"
grep -A 12 ': output differs\|: files differ\|differs$' "$LOG" | sed 's/^/   /'
echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
