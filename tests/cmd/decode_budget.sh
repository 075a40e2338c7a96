# The decode budget (issue 17, "Bounded memory"; media.h): import's --jobs
# workers hold at most the budget of files read and pixels decoded at
# once, however many there are.  The issue's case was 16 decode bombs
# within the pixel cap taking 3.2 GB at --jobs 16.
#
# Here 16 bombs of 4096x4096 (48 KB files, 48 MiB decoded each; written
# by tests/gen_media.py) are imported with --jobs 16 under a budget of
# 64 MiB (ACCORD_DECODE_BUDGET, so the test stays small; `make bench`
# measures the issue's own case at the default 512 MiB): peak RSS must
# stay under the budget plus 40 MiB for the process itself (its RSS
# importing small files is about 15 MiB).  The control, the same import
# with a budget too large to bind, must hold several decodes at once (over
# 150 MiB): the bound above is the budget's doing.  A budget smaller
# than one image must not stall: each image then runs alone.
#
# Peak RSS is the import process's ru_maxrss, measured on the -O2 build
# ($ROOT/accord, what users run): the sanitized build's shadow memory
# and red zones inflate RSS several times.
. "$(dirname "$0")/../lib.sh"

PLAIN=$ROOT/accord
[ -x /usr/bin/python3 ] || skip_all "needs /usr/bin/python3"
[ -x "$PLAIN" ] || skip_all "needs the plain build at $PLAIN (make all)"
mkdir bombs
/usr/bin/python3 "$ROOT/tests/gen_media.py" png-bomb bombs 16 4096 4096 ||
    skip_all "tests/gen_media.py could not write the bombs"

# import_kb BUDGET_MB DB: import bombs/ into a fresh DB with --jobs 16;
# prints the peak RSS in KiB, then the import's summary line.
import_kb() {
	"$PLAIN" init "$2" --task budget --media image --classes a,b \
	    >/dev/null || return 1
	ACCORD_DECODE_BUDGET=$1 /usr/bin/python3 - "$PLAIN" "$2" <<'EOF'
import resource, subprocess, sys
r = subprocess.run([sys.argv[1], "import", sys.argv[2], "bombs",
    "--jobs", "16"], capture_output=True, text=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(r.stdout.strip().splitlines()[-1] if r.returncode == 0 else
    "failed: " + r.stderr.strip())
EOF
}

# budget MB NAME: the import under that budget; kb its peak RSS.
budget() {
	run import_kb "$1" "$T/b$1.accord"
	kb=$(sed -n 1p "$T/out")
	echo "# budget $1 MiB ($2), --jobs 16: peak RSS $kb KiB"
}

budget 64 "smaller than the 16 images"
ok_if "--jobs 16 imports all 16 bombs under a 64 MiB budget" \
	grep -q "^imported 16 new items" "$T/out"
ok_if "peak RSS stays under the budget + 40 MiB ($kb KiB < $(((64 + 40) * 1024)))" \
	[ -n "$kb" ] && [ "$kb" -lt $(((64 + 40) * 1024)) ]

budget 100000 "not binding"
ok_if "control: without a binding budget the same import holds several decodes (> 150 MiB: $kb KiB)" \
	[ -n "$kb" ] && [ "$kb" -gt $((150 * 1024)) ]

budget 16 "smaller than one image"
ok_if "a budget smaller than one image: each runs alone, all 16 imported" \
	grep -q "^imported 16 new items" "$T/out"
ok_if "... holding one decode at a time ($kb KiB < $(((48 + 40) * 1024)))" \
	[ -n "$kb" ] && [ "$kb" -lt $(((48 + 40) * 1024)) ]
