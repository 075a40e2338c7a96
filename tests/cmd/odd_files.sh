# Odd files (issue 17): a media file replaced after import by a FIFO, or
# by a symbolic link to a device, and a FIFO given where a command reads a
# file.  Every command refuses it in one line naming the file and what it
# is, and goes on with the next item (check) or stops as it does for a
# missing file (export, label --script --media); none waits on the FIFO.
# The old code opened the FIFO and waited for a writer for ever: every
# command here runs under timeout, so a hang is a failure (rc 124 or
# 137), never a stuck suite, and timeout -k kills what it started.
. "$(dirname "$0")/../lib.sh"

need_commands sqlite3 timeout mkfifo
S=$ROOT/assets/demo/images
DB=$T/p.accord

# t CMD...: run CMD, killed after 10 s (KILL 2 s after TERM).
t() { run timeout -k 2 10 "$@"; }
hung() { [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; }
# fails_in_one_line TEXT: not hung, status 1, one line on stderr holding TEXT
fails_in_one_line() {
	! hung && rc_is 1 && err_lines 1 && grep -qF -- "$1" "$T/err"
}
item_of() { sql "SELECT id FROM items WHERE path = '$1'"; }

mkdir m
cp "$S/img_001.jpg" "$S/img_002.jpg" "$S/img_004.jpg" m/
"$ACCORD" init "$DB" --task t --media image --classes ok,bad \
    --overlap 2 >/dev/null &&
    "$ACCORD" import "$DB" m >/dev/null
printf 'file,labeler,class\n' >l.csv
for f in img_001.jpg img_002.jpg img_004.jpg; do
	echo "m/$f,alice,ok" >>l.csv
done
"$ACCORD" labels import "$DB" l.csv >/dev/null
ok_if "set-up: 3 items, each with a label" sql_is \
	"SELECT count(*) || '/' || (SELECT count(*) FROM labels) FROM items" 3/3

F=$T/m/img_002.jpg
N=$(item_of "$F")
rm "$F" && mkfifo "$F"

# check: the FIFO is one unreadable path, the other items are hashed.
t "$ACCORD" check "$DB"
ok_if "check does not wait on a FIFO in place of an item's file" eval '! hung'
ok_if "check names the FIFO and what it is, in one line" grep -qxF \
	"unreadable  $F (item $N): is a FIFO, not a regular file" "$T/out"
ok_if "check goes on with the other items (2 intact), status 1" eval \
	'rc_is 1 && out_has "3 items, 2 intact, 1 with problems (0 missing, 0 changed, 1 unreadable paths)"'
t "$ACCORD" check "$DB" --json
ok_if "check --json: the FIFO is an unreadable problem saying so" \
	/usr/bin/python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d['unreadable'] == 1 and d['items_ok'] == 2, d
p = [x for x in d['problems'] if x['path'] == sys.argv[2]]
assert len(p) == 1 and 'is a FIFO' in json.dumps(p[0]), d['problems']
" "$T/out" "$F"

# export: a folder format reads every item's file; the FIFO fails the
# export in one line (as a missing file does), nothing half written.
t "$ACCORD" export "$DB" --out "$T/exp" --format imagefolder
ok_if "export does not wait on a FIFO: one line naming it, status 1" \
	fails_in_one_line "$F: is a FIFO, not a regular file"
ok_if "export left no directory, final or temporary" \
	eval '[ -z "$(ls -d "$T"/exp* 2>/dev/null)" ]'
t "$ACCORD" export "$DB" --out "$T/exp" --format imagefolder --layout by-class
ok_if "export --layout by-class: the same line" \
	fails_in_one_line "$F: is a FIFO, not a regular file"
t "$ACCORD" export "$DB" --out "$T/csv"
ok_if "export csv (no media read) still writes the labels" eval \
	'rc_is 0 && [ -s "$T/csv/train.csv" ]'

# label --script --media reads each item as the screen does: the items
# before the FIFO are labeled, the FIFO's stops the script in one line.
printf 'ok\nok\nok\n' >three
t "$ACCORD" label "$DB" --script three --media
ok_if "label --script --media does not wait on a FIFO: one line, status 1" \
	fails_in_one_line "item $N: cannot read the file: is a FIFO"
ok_if "label --script --media labeled the items before it" eval \
	'[ "$(wc -l <"$T/out")" -eq "$(sql "SELECT count(*) FROM labels WHERE labeler <> '"'alice'"'")" ]'

# A symbolic link to a device in place of a file: named for what it is.
D=$T/m/img_004.jpg
rm "$D" && ln -s /dev/null "$D"
t "$ACCORD" check "$DB"
ok_if "check names a link to a device as a character device" grep -qxF \
	"unreadable  $D (item $(item_of "$D")): is a character device, not a regular file" \
	"$T/out"
ok_if "check: the FIFO and the device unreadable, the last item intact" \
	eval '! hung && out_has "3 items, 1 intact, 2 with problems (0 missing, 0 changed, 2 unreadable paths)"'

# A FIFO given on the command line where a file is read.
mkfifo "$T/in.fifo"
t "$ACCORD" labels import "$DB" "$T/in.fifo"
ok_if "labels import of a FIFO: one line, no wait" \
	fails_in_one_line "is a FIFO, not a regular file"
t "$ACCORD" errors "$DB" --predictions "$T/in.fifo"
ok_if "errors --predictions of a FIFO: one line, no wait" \
	fails_in_one_line "is a FIFO, not a regular file"
t "$ACCORD" import "$DB" "$T/m/img_001.jpg" --meta "$T/in.fifo"
ok_if "import --meta of a FIFO: one line, no wait" \
	fails_in_one_line "is a FIFO, not a regular file"
t "$ACCORD" import "$DB" "$T/in.fifo"
ok_if "import of a FIFO: refused, no wait" \
	eval '! hung && rc_is 1 && err_has "in.fifo: not a regular file"'
ok_if "after all of it the store is intact and no label was lost" sql_is \
	"SELECT (SELECT count(*) FROM labels WHERE labeler = 'alice') || '/' ||
	    (SELECT count(*) FROM items)" 3/3
