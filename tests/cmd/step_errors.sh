# A query step that fails is an error, never "no row", "not found" or "end
# of data".  Pages of one table are overwritten from outside (the store
# then reads as "database disk image is malformed" while its schema still
# loads); each command must exit 1 with one line naming the store and the
# problem, print nothing else and write nothing.
. "$(dirname "$0")/../lib.sh"

ME=$(id -un)
BASE=$T/base.accord
"$ACCORD" init "$BASE" --task t --media image --classes ok,bad >/dev/null
mkdir img
convert -size 40x30 -seed 1 plasma: img/a.png
convert -size 40x30 -seed 2 plasma: img/b.png
"$ACCORD" import "$BASE" img --batch one >/dev/null
if ! sqlite3 "$BASE" "SELECT count(*) FROM dbstat" >/dev/null 2>&1; then
	skip_all "this sqlite3 has no dbstat table to find a table's pages"
fi

# fresh NAME: a copy of the base store, its WAL folded in, as $DB.
fresh() {
	DB=$T/$1.accord
	cp "$BASE" "$DB"
	sql "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
}
# pages NAME [TYPE]: the pages of table or index NAME (sqlite3's dbstat).
pages() {
	sql "SELECT pageno FROM dbstat WHERE name = '$1'${2:+ AND pagetype = '$2'}"
}
# zero NAME: every page of NAME becomes zeros, no valid b-tree page.
zero() {
	for p in $(pages "$1"); do
		dd if=/dev/zero of="$DB" bs=4096 seek=$((p - 1)) count=1 \
		    conv=notrunc 2>/dev/null
	done
}
# cut_chain NAME: NAME's overflow pages point past the end of the file, so
# only a read of a column stored after a long value fails.
cut_chain() {
	for p in $(pages "$1" overflow); do
		printf '\377\377\377\377' | dd of="$DB" bs=1 \
		    seek=$(((p - 1) * 4096)) conv=notrunc 2>/dev/null
	done
}
# one_line: exit 1, nothing on stdout, one stderr line naming the store
# and the problem (no sanitizer report: that would be more lines).
one_line() {
	[ "$RC" -eq 1 ] && [ ! -s "$T/out" ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
	    grep -q "^accord: $DB: .*malformed" "$T/err"
}

# Settings unreadable: once "store has no setting task".
fresh settings
zero settings
for c in status agree config; do
	run "$ACCORD" $c "$DB"
	ok_if "settings unreadable: $c fails in one line naming the store" one_line
done
run "$ACCORD" export "$DB" --out "$T/exp"
ok_if "settings unreadable: export fails in one line" one_line
ok_if "settings unreadable: export wrote nothing" [ ! -e "$T/exp" ]

# Guidelines unreadable: once "no guideline version 0".
fresh guidelines
zero guidelines
run "$ACCORD" guideline "$DB" show
ok_if "guidelines unreadable: guideline show fails in one line" one_line

# Sources unreadable: a file imported before was once taken as new and
# read again (here it has become junk of the same size and time, so the
# old reading would name the file, not the store).
fresh sources
head -c "$(stat -c %s img/a.png)" /dev/urandom > junk
touch -r img/a.png junk
cp junk img/a.png
touch -r junk img/a.png
zero item_sources
items=$(sql "SELECT count(*) FROM items")
audit=$(sql "SELECT count(*) FROM audit")
run "$ACCORD" import "$DB" img
ok_if "sources unreadable: import fails in one line naming the store" one_line
ok_if "sources unreadable: import wrote nothing" \
	sql_is "SELECT count(*), (SELECT count(*) FROM audit) FROM items" "$items|$audit"

# The label screen when only the labeler's last guideline cannot be read
# (their row's guideline sits after a long note, past a cut chain): one
# line, and no leak (LeakSanitizer found the guideline text lost here).
fresh screen
sql "INSERT INTO guidelines SELECT 2, text, author, created_at, 'two' FROM guidelines WHERE version = 1; INSERT INTO labels (item, labeler, class, note, guideline, created_at, origin, recorded_by) VALUES (1, '$ME', (SELECT min(id) FROM classes), replace(hex(zeroblob(10000)), '0', 'x'), 2, '2026-01-01T00:00:00Z', 'screen', '$ME')"
sql "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cut_chain labels
script -qec "timeout 60 '$ACCORD' label '$DB'" /dev/null >"$T/err" 2>&1
RC=$?
: >"$T/out"
tr -d '\r' <"$T/err" >"$T/err2" && mv "$T/err2" "$T/err"
ok_if "last guideline unreadable: the label screen fails in one line" one_line

# The items' sha256 index unreadable: a predictions row named by sha256
# was once reported as "no item with sha256" (a bad row) while the store
# could not be read; it is the store's error and no run is stored.
fresh predict
sha=$(sql "SELECT sha256 FROM items WHERE id = 1")
printf 'sha256,class\n%s,ok\n' "$sha" >pred.csv
zero sqlite_autoindex_items_1
runs=$(sql "SELECT count(*) FROM prediction_runs")
run "$ACCORD" errors "$DB" --predictions pred.csv --run r1
ok_if "sha256 index unreadable: errors fails in one line, the store's error" \
	sh -c "[ $RC -eq 1 ] && [ \$(wc -l <'$T/err') -eq 1 ] && grep -q 'cannot read items: .*malformed' '$T/err'"
ok_if "sha256 index unreadable: no prediction run stored" \
	sql_is "SELECT count(*) FROM prediction_runs" "$runs"
