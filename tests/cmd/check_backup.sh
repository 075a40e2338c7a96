# accord check (integrity + files re-hashed, exit status) and accord backup
# (online backup while another process keeps writing labels).
. "$(dirname "$0")/../lib.sh"

for c in check backup; do
	run "$ACCORD" "$c" --help
	ok_if "$c --help prints usage" sh -c "[ $RC -eq 0 ] && grep -q 'usage: accord $c' '$T/out'"
done
run "$ACCORD" check --help
ok_if "check --help states the exit status" out_has "1 problems were found"
run "$ACCORD" check
ok_if "check without DB exits 2 with one line" sh -c "[ $RC -eq 2 ] && [ \$(wc -l < '$T/err') -eq 1 ]"
run "$ACCORD" backup "$T/x.accord"
ok_if "backup without FILE exits 2" rc_is 2

DB=$T/p.accord
"$ACCORD" init "$DB" --task t --media image --classes ok,scratch --overlap 2 >/dev/null
mkdir img img2
for i in 1 2 3 4; do convert -size 24x16 -seed $i plasma: img/a$i.png; done
cp img/a4.png img2/copy4.png
"$ACCORD" import "$DB" img img2 --batch b1 >/dev/null

run "$ACCORD" check "$DB"
ok_if "intact project: exit 0 and an ok summary" sh -c "[ $RC -eq 0 ] && grep -q '^ok: store intact; 4 items, 4 intact' '$T/out'"

# Item 4 was seen at two paths: losing one of them is fine.
rm img2/copy4.png
run "$ACCORD" check "$DB"
ok_if "an item is intact while one of its paths hashes right" rc_is 0

mv img/a1.png img/moved.png
convert -size 24x16 -seed 99 plasma: img/a2.png
run "$ACCORD" check "$DB"
ok_if "problems found: exit 1" rc_is 1
ok_if "moved file listed as missing, one line" sh -c "[ \$(grep -c '^missing .*img/a1.png (item 1)' '$T/out') -eq 1 ]"
ok_if "changed file listed" out_has "^changed .*img/a2.png (item 2)"
ok_if "intact items not listed" sh -c "! grep -q 'a3.png' '$T/out'"
ok_if "summary counts" out_has "^problems: store intact; 4 items, 2 intact, 2 with problems (1 missing, 1 changed, 0 unreadable paths)"
run "$ACCORD" check "$DB" --json
ok_if "check --json" /usr/bin/python3 -c "
import json, sys, hashlib
d = json.load(open(sys.argv[1]))
assert d['ok'] is False and d['integrity'] == 'ok', d
assert (d['items'], d['items_ok'], d['items_bad']) == (4, 2, 2), d
st = {p['path'].rsplit('/', 1)[1]: p for p in d['problems']}
assert st['a1.png']['state'] == 'missing' and st['a2.png']['state'] == 'changed', st
assert st['a2.png']['found_sha256'] == hashlib.sha256(open('img/a2.png', 'rb').read()).hexdigest()
" "$T/out"
mv img/moved.png img/a1.png

SME=$(test_user sme)
LAB=$(test_user lab)
if ensure_user $SME $LAB; then
	"$ACCORD" member "$DB" add $SME --role sme >/dev/null
	"$ACCORD" member "$DB" add $LAB --role labeler >/dev/null
	chmod 777 "$T"
	chmod 666 "$DB"
	chmod 000 img/a3.png
	run as $SME "$ACCORD" check "$DB"
	ok_if "an sme may check; an unreadable file is listed with the error" \
		sh -c "[ $RC -eq 1 ] && grep -q '^unreadable .*a3.png (item 3): Permission denied' '$T/out'"
	chmod 644 img/a3.png
	run as $LAB "$ACCORD" check "$DB"
	ok_if "a labeler may not check (one line, exit 1)" \
		sh -c "[ $RC -eq 1 ] && [ \$(wc -l < '$T/err') -eq 1 ] && grep -q 'needs the sme role' '$T/err'"
	ok_if "the refusal is audited" sql_is "SELECT count(*) FROM audit WHERE action = 'refused' AND user = '$LAB'" "1"
	run as $LAB "$ACCORD" backup "$DB" "$T/lab.accord"
	ok_if "a labeler may not back up" sh -c "[ $RC -eq 1 ] && grep -q 'needs the sme role' '$T/err' && [ ! -e '$T/lab.accord' ] && [ ! -e '$T/lab.accord.tmp' ]"
else
	skip "check and backup as an sme and a labeler" "$WHY"
fi

# A damaged store: integrity_check complains and check exits 1.
cp "$DB" bad.accord
sqlite3 bad.accord "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
# Change one stored sha256 in the items table's page but not in its UNIQUE
# index's: the two disagree, which only integrity_check notices.
/usr/bin/python3 - bad.accord <<'PY'
import sqlite3, sys
db = sys.argv[1]
c = sqlite3.connect(db)
sha = c.execute("SELECT sha256 FROM items ORDER BY id DESC LIMIT 1").fetchone()[0].encode()
c.close()
data = bytearray(open(db, 'rb').read())
i = data.find(sha)
assert i >= 0 and data.find(sha, i + 1) >= 0
data[i] = ord('0') if data[i] != ord('0') else ord('1')
open(db, 'wb').write(data)
PY
run "$ACCORD" check bad.accord
ok_if "a damaged store: exit 1 and the integrity complaint shown" \
	sh -c "[ $RC -eq 1 ] && grep -q '^integrity .*missing from index' '$T/out' && grep -q 'store DAMAGED' '$T/out'"

# item_labels, the labels packed per item that agree reads, is derived by
# trigger; check rebuilds it from labels and names an item that differs.
cp "$DB" packed.accord
run "$ACCORD" check packed.accord
ok_if "an intact store's packed label rows equal its labels" \
	sh -c "! grep -q '^integrity' '$T/out' && grep -q 'store intact' '$T/out'"
sqlite3 packed.accord "INSERT OR REPLACE INTO item_labels (item, rows) VALUES (2, '99999,1,1,1:x;')"
run "$ACCORD" check packed.accord
ok_if "packed label rows that differ from labels: exit 1, the item named" \
	sh -c "[ $RC -eq 1 ] && grep -q '^integrity *item_labels (the packed label rows) differs from labels on 1 item, the first item 2' '$T/out' && grep -q 'store DAMAGED' '$T/out'"

sqlite3 packed.accord "INSERT OR REPLACE INTO item_labels (item, rows) VALUES (2, '7,1,1,9:short;')"
run "$ACCORD" agree packed.accord --bootstrap 0
ok_if "agree on packed rows that cannot be read: one line naming the store and the item, exit 1" \
	sh -c "[ $RC -eq 1 ] && [ \$(wc -l < '$T/err') -eq 1 ] && grep -q 'packed.accord: the packed label rows of item 2 are damaged (item_labels); accord check tells more' '$T/err'"

# Backup of a quiet store.
run "$ACCORD" backup "$DB" "$T/b1.accord"
ok_if "backup succeeds" sh -c "[ $RC -eq 0 ] && grep -q 'integrity ok' '$T/out'"
ok_if "the copy passes integrity_check" sh -c "[ \"\$(sqlite3 '$T/b1.accord' 'PRAGMA integrity_check')\" = ok ]"
ok_if "no .tmp left behind" test ! -e "$T/b1.accord.tmp"
run "$ACCORD" status "$T/b1.accord"
ok_if "the copy opens as a store" sh -c "[ $RC -eq 0 ] && grep -q 'items     4' '$T/out'"
ok_if "the backup is audited" sql_is "SELECT count(*) FROM audit WHERE action = 'backup'" "1"
sum=$(cksum < "$T/b1.accord")
run "$ACCORD" backup "$DB" "$T/b1.accord"
ok_if "backup never overwrites FILE" sh -c "[ $RC -eq 1 ] && grep -q 'already exists' '$T/err' && [ \"\$(cksum < '$T/b1.accord')\" = '$sum' ]"
: > "$T/b2.accord.tmp"
run "$ACCORD" backup "$DB" "$T/b2.accord"
ok_if "backup refuses when FILE.tmp exists" sh -c "[ $RC -eq 1 ] && grep -q '.tmp file exists' '$T/err' && [ ! -e '$T/b2.accord' ]"
rm -f "$T/b2.accord.tmp"
run "$ACCORD" backup "$DB" "$T/nodir/b.accord"
ok_if "backup into a missing directory fails with one line" sh -c "[ $RC -eq 1 ] && [ \$(wc -l < '$T/err') -eq 1 ]"

# Backup while another process imports labels continuously.  Each import
# is one transaction of 4 rows, so a consistent copy holds a multiple of 4
# labels, one label_imports row per 4.
n=0
for who in w1 w2 w3 w4 w5 w6 w7 w8; do
	printf 'file,labeler,class\nimg/a1.png,%s,ok\nimg/a2.png,%s,scratch\nimg/a3.png,%s,ok\nimg/a4.png,%s,ok\n' "$who" "$who" "$who" "$who" > "l$who.csv"
done
: > writer.stop
rm writer.stop
(
	i=0
	while [ ! -e writer.stop ]; do
		i=$((i + 1))
		"$ACCORD" labels import "$DB" "lw$(( i % 8 + 1 )).csv" >/dev/null 2>>writer.err || echo "fail $i" >>writer.err
	done
	echo "$i" > writer.count
) &
wpid=$!
# Let the writer get going, then copy slowly: one page a step.
while [ "$(sqlite3 -cmd '.timeout 5000' "$DB" 'SELECT count(*) FROM label_imports')" -lt 3 ]; do sleep 0.1; done
before=$(sqlite3 -cmd '.timeout 5000' "$DB" 'SELECT count(*) FROM labels')
run "$ACCORD" backup "$DB" "$T/live.accord" --step-pages 1 --pause-ms 30
brc=$RC
touch writer.stop
wait "$wpid"
after=$(sqlite3 -cmd '.timeout 5000' "$DB" 'SELECT count(*) FROM labels')
ok_if "backup completes while labels are written" sh -c "[ $brc -eq 0 ] && [ \$(grep -o '[0-9]* steps' '$T/out' | cut -d' ' -f1) -gt 10 ]"
ok_if "the writer kept working during the backup" sh -c "[ ! -s writer.err ] && [ $after -gt $before ]"
copy=$(sqlite3 "$T/live.accord" 'SELECT count(*) FROM labels')
imports=$(sqlite3 "$T/live.accord" 'SELECT count(*) FROM label_imports')
ok_if "the live copy passes integrity_check" sh -c "[ \"\$(sqlite3 '$T/live.accord' 'PRAGMA integrity_check')\" = ok ]"
ok_if "the live copy is one consistent snapshot (whole imports only)" \
	sh -c "[ $copy -ge $before ] && [ $copy -le $after ] && [ $copy -eq \$(( $imports * 4 )) ]"
echo "# backup under load: $before labels before, $copy in the copy, $after after; $(cat writer.count) imports"

# Stores larger than one of check's read batches (1024 items): 3000 items
# written with SQL, most at paths where nothing is; some with several
# paths, one path recorded twice, none at all (items.path then), around
# the batch boundaries too.  The expected listing is worked out here from
# the store and the files, item by item.
BIG=$T/big.accord
"$ACCORD" init "$BIG" --task t --media image --classes ok,bad >/dev/null
mkdir big
/usr/bin/python3 - "$BIG" "$T/big" <<'PY'
import hashlib, os, sqlite3, sys
db, d = sys.argv[1], sys.argv[2]
c = sqlite3.connect(db)
now = '2026-01-01T00:00:00Z'
c.execute("INSERT INTO batches (name, created_by, created_at) VALUES ('b1', 'u', ?), ('b2', 'u', ?)", (now, now))
def content(i): return b'item %d' % i
nosrc = {1, 1023, 1024, 1025, 2048, 2049, 3000}
extra = {1022: ['z', 'a'], 1023: [], 1024: [], 1026: ['y', 'b', 'b2'], 2047: ['q'], 2999: ['r']}
intact = {5, 1022, 1024, 2047, 2999}          # one path holds the content
changed = {6, 1025, 1026, 2050}               # a file with other content
for i in range(1, 3001):
    c.execute("INSERT INTO items (id, sha256, path, kind, format, bytes, batch, imported_by, imported_at) "
              "VALUES (?, ?, ?, 'image', 'png', 7, 1, 'u', ?)",
              (i, hashlib.sha256(content(i)).hexdigest(), '%s/i%04d' % (d, i), now))
    if i in nosrc:
        continue
    for p in ['i%04d' % i] + extra.get(i, []):
        c.execute("INSERT INTO item_sources (item, path, bytes, mtime, batch, seen_at) VALUES (?, ?, 7, 0, 1, ?)",
                  (i, '%s/%s' % (d, p), now))
# One path of two items recorded again by a second batch.
for i in (1026, 2048):
    c.execute("INSERT INTO item_sources (item, path, bytes, mtime, batch, seen_at) VALUES (?, ?, 7, 0, 2, ?)",
              (i, '%s/i%04d' % (d, i), now))
c.commit()
for i in intact:
    paths = sorted(p for (p,) in c.execute("SELECT path FROM item_sources WHERE item = ?", (i,))) or ['%s/i%04d' % (d, i)]
    open(paths[-1], 'wb').write(content(i))
for i in changed:
    open('%s/i%04d' % (d, i), 'wb').write(b'other')
os.mkdir('%s/i0007' % d)                      # unreadable: a directory
# The expected listing.
out, n_ok, n_bad, cnt = [], 0, 0, {'missing': 0, 'changed': 0, 'unreadable': 0}
for (i, sha) in c.execute("SELECT id, sha256 FROM items ORDER BY id").fetchall():
    paths = sorted({p for (p,) in c.execute("SELECT path FROM item_sources WHERE item = ?", (i,))}) or \
        [c.execute("SELECT path FROM items WHERE id = ?", (i,)).fetchone()[0]]
    lines = []
    for p in paths:
        if os.path.isdir(p):
            st, extra_s = 'unreadable', ': is a directory, not a regular file'
        elif os.path.exists(p):
            if hashlib.sha256(open(p, 'rb').read()).hexdigest() == sha:
                lines = None
                break
            st, extra_s = 'changed', ''
        else:
            st, extra_s = 'missing', ''
        lines.append(('%-11s %s (item %d)%s' % (st, p, i, extra_s), st))
    if lines is None:
        n_ok += 1
        continue
    n_bad += 1
    for line, st in lines:
        out.append(line)
        cnt[st] += 1
out.append('problems: store intact; 3000 items, %d intact, %d with problems '
           '(%d missing, %d changed, %d unreadable paths)' % (n_ok, n_bad, cnt['missing'], cnt['changed'], cnt['unreadable']))
open('big.want', 'w').write('\n'.join(out) + '\n')
PY
run "$ACCORD" check "$BIG"
ok_if "check over several read batches lists every problem path once, in item and path order" \
	sh -c "[ $RC -eq 1 ] && cmp -s big.want '$T/out' && grep -q ' 3000 items, 5 intact,' '$T/out'"
run "$ACCORD" check "$BIG" --json
ok_if "check --json over several read batches" /usr/bin/python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
want = open('big.want').read().splitlines()
assert (d['items'], d['items_ok'], d['items_bad']) == (3000, 5, 2995), d['items_bad']
assert len(d['problems']) == len(want) - 1 == d['missing'] + d['changed'] + d['unreadable'], len(d['problems'])
for p, line in zip(d['problems'], want):
    assert line.startswith('%-11s %s (item %d)' % (p['state'], p['path'], p['item'])), (p, line)
" "$T/out"

# A damaged store whose items cannot all be read: a leaf page in the
# middle of the items table overwritten.  check says so and lists no file,
# not even of the items before the damage.
cp "$BIG" bigbad.accord
sqlite3 bigbad.accord "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
/usr/bin/python3 - bigbad.accord <<'PY'
import sqlite3, sys
db = sys.argv[1]
c = sqlite3.connect(db)
ps = c.execute("PRAGMA page_size").fetchone()[0]
pages = [p for (p,) in c.execute("SELECT pageno FROM dbstat WHERE name = 'items' AND pagetype = 'leaf' ORDER BY pageno")]
c.close()
pg = pages[len(pages) // 2]
with open(db, 'r+b') as f:
    f.seek((pg - 1) * ps)
    f.write(b'\x0d' + b'\xff' * (ps - 1))
PY
run "$ACCORD" check bigbad.accord
ok_if "items that cannot be read: DAMAGED, 0 items, no file listed" \
	sh -c "[ $RC -eq 1 ] && [ \$(wc -l < '$T/out') -eq 2 ] && grep -q '^integrity ' '$T/out' && grep -q '^problems: store DAMAGED; 0 items, 0 intact, 0 with problems' '$T/out'"

# check's memory does not grow with the store: the plain build (ASan
# reserves terabytes of address space) under an address-space cap that
# lets it check the 4-item project, plus 16 MB, checks 200,000 items.
# Holding every item's paths took 40 MB more at 200,000 items.
PLAIN=$ROOT/accord
# capped CAP DB: the plain build checks DB under an address-space cap of
# CAP KB: its output in vm.out, its status in vm.rc (and the shell's own
# word on an abort for want of memory in /dev/null).
capped() {
	sh -c '(ulimit -v "$1" && exec "$2" check "$3" ${4:+"$4"} >vm.out 2>&1); echo $? >vm.rc' \
		sh "$1" "$PLAIN" "$2" "${3:-}" 2>/dev/null
}
if [ -x "$PLAIN" ]; then
	cap=8192
	while [ $cap -le 262144 ]; do
		capped $cap "$DB"
		grep -q '^[a-z]*: store intact; 4 items' vm.out && break
		cap=$((cap + 1024))
	done
	HUGE=$T/huge.accord
	"$ACCORD" init "$HUGE" --task t --media image --classes ok,bad >/dev/null
	sqlite3 "$HUGE" "BEGIN;
INSERT INTO batches (name, created_by, created_at) VALUES ('g', 'u', '2026-01-01T00:00:00Z');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO items (id, sha256, path, kind, format, bytes, batch, imported_by, imported_at)
SELECT i, printf('%064x', i), printf('$T/huge/img%07d.png', i), 'image', 'png', 1000, 1, 'u', '2026-01-01T00:00:00Z' FROM n;
INSERT INTO item_sources (item, path, bytes, mtime, batch, seen_at) SELECT id, path, 1000, 0, 1, imported_at FROM items;
INSERT INTO labels (item, labeler, class, guideline, created_at, origin, recorded_by)
SELECT id, 'lab1', 1 + id % 2, 1, '2026-01-01T00:00:00Z', 'import', 'u' FROM items;
COMMIT;"
	cap=$((cap + 16384))
	capped $cap "$HUGE"
	RC=$(cat vm.rc)
	tail -n 1 vm.out >"$T/err"
	ok_if "check of 200,000 items runs in the memory of 4 items + 16 MB ($cap KB of address space)" \
		sh -c "[ $RC -eq 1 ] && [ \$(wc -l < vm.out) -eq 200001 ] && grep -q '^problems: store intact; 200000 items, 0 intact, 200000 with problems (200000 missing,' vm.out"
	# --json spools the problems to an unnamed file in TMPDIR past 64 KB.
	capped $cap "$HUGE" --json
	RC=$(cat vm.rc)
	ok_if "check --json of the same in the same memory, every problem listed" \
		sh -c "[ $RC -eq 1 ] && python3 -c 'import json, sys; d = json.load(open(\"vm.out\")); sys.exit(not (len(d[\"problems\"]) == 200000 and d[\"missing\"] == 200000 and d[\"problems\"][-1][\"item\"] == 200000))'"
else
	skip "check's memory at 200,000 items" "needs the plain build $PLAIN (make all)"
fi
