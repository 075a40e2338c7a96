# Faults during import: SIGKILL at seeded random moments, a full disk and
# a read-only store.  Afterwards the store passes integrity_check, holds
# only whole items, and a re-run completes.  (Faults while labeling,
# reviewing and exporting are tested with those commands.)
. "$(dirname "$0")/../lib.sh"

N=240
mkdir img
# 240 distinct 320x320 PNGs of noise, written with Python's zlib (fast, no
# tools).  Big enough that an import spans several of its commits (every
# 0.5 s) even on a fast machine: with 128x128 ones a whole import took
# 0.2 s, one commit, and no kill could land inside it.
/usr/bin/python3 - "$T/img" $N <<'PY'
import os, struct, sys, zlib, random
d, n = sys.argv[1], int(sys.argv[2])
S = 320
def chunk(t, b):
    return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b) & 0xffffffff)
for i in range(n):
    r = random.Random(i)
    rows = b"".join(b"\0" + r.randbytes(S * 3) for _ in range(S))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", S, S, 8, 2, 0, 0, 0)) \
        + chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b"")
    open(os.path.join(d, "f%03d.png" % i), "wb").write(png)
PY

whole() {
	sql_is "PRAGMA integrity_check" "ok" &&
	sql_is "PRAGMA foreign_key_check" "" &&
	sql_is "SELECT count(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM item_sources s WHERE s.item = i.id) OR NOT EXISTS (SELECT 1 FROM item_meta m WHERE m.item = i.id AND m.key = 'sharpness')" "0"
}

SEED=${ACCORD_FAULT_SEED:-7}
partial=0
for i in 1 2 3 4 5 6; do
	# Kill when a seeded number of items (1 .. N-60) is committed: a
	# moment inside the import whatever the machine's speed.
	k=$(( (SEED * 7919 * i + i * i * 104729) % (N - 60) + 1 ))
	DB=$T/kill$i.accord
	"$ACCORD" init "$DB" --task t --media image --classes ok,bad >/dev/null
	"$ACCORD" import "$DB" img --jobs 2 >/dev/null 2>&1 &
	pid=$!
	# The import is stopped while the count is read (a WAL reader is not
	# blocked by its open transaction), so it only moves during the
	# sleep: on a loaded machine the count itself takes longer than the
	# rest of the import would.
	while kill -STOP $pid 2>/dev/null &&
	    [ "$(sql "SELECT count(*) FROM items" 2>/dev/null || echo 0)" -lt $k ]; do
		kill -CONT $pid 2>/dev/null
		sleep 0.01
	done
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	n=$(sql "SELECT count(*) FROM items")
	[ "$n" -ge $k ] && [ "$n" -lt $N ] && partial=$((partial + 1))
	ok_if "kill $i after $k items: the store is whole ($n items)" whole
	run "$ACCORD" import "$DB" img
	ok_if "kill $i: a re-run completes" sh -c "[ $RC -eq 0 ] && grep -q '$N files' '$T/out'"
	ok_if "kill $i: every file is one whole item" sh -c "whole() { :; }; [ \"\$(sqlite3 '$DB' 'SELECT count(*), count(DISTINCT sha256) FROM items')\" = '$N|$N' ]"
	ok_if "kill $i: still whole" whole
done
ok_if "the kills landed mid-import ($partial of 6 left part of the files)" [ "$partial" -ge 5 ]

if ! is_root || ! mkdir small || ! mount -t tmpfs -o size=416k tmpfs small 2>/dev/null; then
	skip "disk full and read-only" "they need root and a tmpfs mount"
	exit 0
fi
trap 'umount "$T/small" 2>/dev/null; lib_cleanup' EXIT
DB=$T/small/p.accord
"$ACCORD" init "$DB" --task t --media image --classes ok,bad >/dev/null
run "$ACCORD" import "$DB" img
ok_if "disk full: import fails" rc_is 1
ok_if "disk full: one clear line naming the store" sh -c "[ \$(wc -l <'$T/err') -eq 1 ] && grep -q 'p.accord.*full' '$T/err'"
ok_if "disk full: the store is whole" whole
before=$(sql "SELECT count(*) FROM items")
mount -o remount,size=16m "$T/small"
run "$ACCORD" import "$DB" img
ok_if "with room again the import completes ($before kept before)" sh -c "[ $RC -eq 0 ] && [ \$(sqlite3 '$DB' 'SELECT count(*) FROM items') -eq $N ]"
ok_if "and the store is whole" whole

mount -o remount,ro "$T/small"
run "$ACCORD" import "$DB" img
ok_if "read-only store: import fails with one clear line" sh -c "[ $RC -eq 1 ] && [ \$(wc -l <'$T/err') -eq 1 ] && grep -q 'p.accord' '$T/err' && grep -qi 'read-only\|readonly' '$T/err'"
mount -o remount,rw "$T/small"
ok_if "read-only: nothing changed" sql_is "SELECT count(*) FROM items" "$N"
