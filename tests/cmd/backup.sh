# accord backup: pauses only while another connection writes, and the
# check of the copy (quick_check, the copy is the snapshot).  The basics
# (refusals, never overwriting, a consistent copy under a writer) are in
# check_backup.sh.
. "$(dirname "$0")/../lib.sh"

DB=$T/p.accord
"$ACCORD" init "$DB" --task t --media image --classes ok,scratch >/dev/null
mkdir img
for i in $(seq 1 40); do convert -size 64x48 -seed $i plasma: img/a$i.png; done
"$ACCORD" import "$DB" img >/dev/null
# Some 800 pages, so that a copy in small steps lasts long enough for a
# writer to be scheduled during it on a loaded machine.
sqlite3 "$DB" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
	WHERE i < 3000) INSERT INTO audit (at, user, action, detail) SELECT
	'2026-12-02T00:00:00Z', 'pad', 'test', hex(randomblob(500)) FROM n"
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
pages=$(sqlite3 "$DB" "PRAGMA page_count")

# steps_secs: "STEPS SECONDS PAUSES" from the last backup's summary line.
steps_secs() {
	sed -n 's/.* \([0-9]*\) steps, \([0-9]*\) pauses, \([0-9.]*\) s;.*/\1 \3 \2/p' "$T/out"
}

# A quiet store: a page a step and 1 s pauses would take a second per
# page; no other connection writes, so there is no pause at all.
run "$ACCORD" backup "$DB" "$T/quiet.accord" --step-pages 1 --pause-ms 1000
set -- $(steps_secs)
ok_if "a quiet store is copied without pauses ($pages pages, ${1:-?} steps, ${3:-?} pauses, ${2:-?} s)" \
	sh -c "[ $RC -eq 0 ] && [ ${1:-0} -ge 20 ] && [ ${3:-1} -eq 0 ] && awk 'BEGIN { exit !(${2:-99} < 5) }'"
ok_if "the copy holds every page" sh -c "[ \"\$(sqlite3 '$T/quiet.accord' 'PRAGMA page_count')\" = $pages ]"

# Another connection committing all the time: a 50 ms pause after each
# step in which it wrote, so the copy takes at least about steps x 50 ms.
/usr/bin/python3 - "$DB" "$T/writer.stop" >"$T/writer.out" 2>&1 <<'PY' &
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
c.execute("PRAGMA synchronous = OFF")
n = 0
while not os.path.exists(sys.argv[2]):
    c.execute("INSERT INTO audit (at, user, action, detail) VALUES "
              "('2026-12-02T00:00:00Z', 'writer', 'test', '')")
    n += 1
print(n)
PY
wpid=$!
while [ "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE user = 'writer'")" -lt 20 ]; do sleep 0.05; done
run "$ACCORD" backup "$DB" "$T/busy.accord" --step-pages 16 --pause-ms 50
touch "$T/writer.stop"
wait "$wpid"
set -- $(steps_secs)
# Under load the writer may not commit during every step: a pause after
# each step in which the WAL grew, and only then, each of --pause-ms.
ok_if "while another connection writes, it pauses after the steps it wrote in (${1:-?} steps, ${3:-?} pauses, ${2:-?} s)" \
	sh -c "[ $RC -eq 0 ] && [ ${1:-0} -ge 10 ] && [ ${3:-0} -ge 1 ] && [ ${3:-0} -le ${1:-0} ] && awk 'BEGIN { exit !(${2:-0} >= ${3:-0} * 0.05 * 0.9) }'"
ok_if "the busy copy is one snapshot and passes integrity_check" \
	sh -c "[ \"\$(sqlite3 '$T/busy.accord' 'PRAGMA integrity_check')\" = ok ] && [ \$(sqlite3 '$T/busy.accord' \"SELECT count(*) FROM audit WHERE user = 'writer'\") -lt \$(sqlite3 '$DB' \"SELECT count(*) FROM audit WHERE user = 'writer'\") ]"

# A store whose b-tree is broken: the copy fails quick_check; one line,
# exit 1, nothing left at FILE or FILE.tmp.
cp "$DB" bad.accord
root=$(sqlite3 bad.accord "SELECT rootpage FROM sqlite_master WHERE name = 'item_sources'")
psize=$(sqlite3 bad.accord "PRAGMA page_size")
# The page type byte of the table's root page: 0 is no b-tree page.
printf '\000' | dd of=bad.accord bs=1 seek=$(( (root - 1) * psize )) conv=notrunc 2>/dev/null
run "$ACCORD" backup bad.accord "$T/bad-copy.accord"
ok_if "a broken b-tree: exit 1, one line naming quick_check" \
	sh -c "[ $RC -eq 1 ] && [ \$(wc -l < '$T/err') -eq 1 ] && grep -q 'bad-copy.accord: the copy fails quick_check: ' '$T/err'"
ok_if "nothing left at FILE, FILE.tmp or their -wal/-shm" \
	sh -c "! ls '$T'/bad-copy.accord* 2>/dev/null | grep -q ."

# Damage only integrity_check sees (a row missing from an index) is the
# store's, copied page for page: the backup succeeds, and `accord check`
# on the store or the copy reports it.
cp "$DB" idx.accord
# The index on item_sources(item) redefined over another column: its
# entries no longer match the rows.
sqlite3 idx.accord "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = replace(sql, 'item_sources(item)', 'item_sources(bytes)') WHERE name = 'item_sources_item'"
run "$ACCORD" backup idx.accord "$T/idx-copy.accord"
ok_if "index-only damage: the backup copies it" rc_is 0
run "$ACCORD" check "$T/idx-copy.accord"
ok_if "and accord check on the copy reports it" \
	sh -c "[ $RC -eq 1 ] && grep -q '^integrity .*item_sources_item' '$T/out'"
