# tests/bench/measure.sh: what agree_bench.sh and errors_bench.sh share
# (sourced; needs PY and LOG set).
#
# measure OUT STDOUT CMD...: runs CMD with its stdout to the file STDOUT,
# and writes "wall=S cpu=S rss_kb=K rc=N" to OUT; cpu is the child's user
# plus system time, peak RSS its ru_maxrss (KiB on Linux).
measure() {
	out=$1
	shift
	"$PY" - "$out" "$@" 2>>"$LOG" <<'PYEOF'
import resource, subprocess, sys, time
out, stdout, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(stdout, "wb") as f:
    t = time.monotonic()
    rc = subprocess.run(cmd, stdout=f).returncode
    wall = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(out, "w") as f:
    f.write("wall=%.3f cpu=%.3f rss_kb=%d rc=%d\n"
            % (wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, rc))
PYEOF
}

# field NAME FILE: the value of NAME=... in FILE's line.
field() {
	tr ' ' '\n' <"$2" | sed -n "s/^$1=//p"
}

# The machine, once at the top of a benchmark's output.
bench_header() {
	echo "   $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), seed $SEED"
	echo "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	awk -v n="$(nproc)" '$1 > n / 2 { printf "   WARNING: load %s on %d CPUs: other work is running and inflates wall times\n", $1, n }' /proc/loadavg
}
