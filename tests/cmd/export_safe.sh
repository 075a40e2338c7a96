# accord export, safe to open and to train on (issue 18): --force replaces
# only an export (never a directory that merely has a manifest.json); CSV
# cells a spreadsheet would run as formulas are neutralised (--csv-raw
# keeps them); media are copied, so writing into the export leaves the
# imported files alone (--link shares them); by-class layouts have every
# class folder in every split and classes.txt; group-aware splits reach
# every split when the groups allow, and say why when not; export reads
# one snapshot while labelers write.
. "$(dirname "$0")/../lib.sh"

PY=/usr/bin/python3
need_commands sqlite3
(cd "$ROOT" && DEMO_DIR="$T/demo" ACCORD="$ACCORD" sh scripts/demo.sh) \
	>"$T/demo.log" 2>&1 || { fail "demo project builds" "$(tail -3 "$T/demo.log")"; exit 1; }
DB=$T/demo/images.accord
ADB=$T/demo/audio.accord

# --- --force -------------------------------------------------------------

# The issue's case: a project directory with a file named manifest.json.
mkdir -p "$T/proj/src"
echo 'console.log(1)' >"$T/proj/src/code.js"
echo '{"name": "proj"}' >"$T/proj/manifest.json"
run "$ACCORD" export "$DB" --out "$T/proj" --force
ok_if "--force refuses a directory whose manifest.json is not accord's (one line)" sh -c \
	"[ $RC -eq 1 ] && [ \$(wc -l <'$T/err') -eq 1 ] && grep -q 'proj: not an accord export' '$T/err' && [ -f '$T/proj/src/code.js' ] && [ -f '$T/proj/manifest.json' ]"
printf '{"accord_version": "1", "store": {}, "files": [' >"$T/proj/manifest.json"
run "$ACCORD" export "$DB" --out "$T/proj" --force
ok_if "--force refuses a manifest.json that is not JSON" sh -c \
	"[ $RC -eq 1 ] && [ \$(wc -l <'$T/err') -eq 1 ] && grep -q 'not JSON' '$T/err' && [ -f '$T/proj/src/code.js' ]"

# An earlier export with a file put in it since.
run "$ACCORD" export "$DB" --out "$T/ex" --split 70/30
ok_if "an export to replace" rc_is 0
echo 'my notes' >"$T/ex/notes.txt"
run "$ACCORD" export "$DB" --out "$T/ex" --force --format jsonl
ok_if "--force refuses an export holding a file its manifest does not list" sh -c \
	"[ $RC -eq 1 ] && [ \$(wc -l <'$T/err') -eq 1 ] && grep -q 'notes.txt is not in its manifest' '$T/err' && [ -f '$T/ex/notes.txt' ] && [ -f '$T/ex/train.csv' ]"
rm "$T/ex/notes.txt"
ln -s /etc/passwd "$T/ex/link"
run "$ACCORD" export "$DB" --out "$T/ex" --force --format jsonl
ok_if "... or a symbolic link" sh -c "[ $RC -eq 1 ] && grep -q 'link is not in its manifest' '$T/err' && [ -L '$T/ex/link' ]"
rm "$T/ex/link"
echo x >"$T/plainfile"
run "$ACCORD" export "$DB" --out "$T/plainfile" --force
ok_if "--force refuses a file" sh -c "[ $RC -eq 1 ] && [ \$(wc -l <'$T/err') -eq 1 ] && [ \"\$(cat '$T/plainfile')\" = x ]"
run "$ACCORD" export "$DB" --out "$T/ex" --force --format jsonl
ok_if "--force replaces an export whose manifest lists every file" sh -c \
	"[ $RC -eq 0 ] && [ -f '$T/ex/train.jsonl' ] && [ ! -e '$T/ex/train.csv' ] && ! ls -d '$T'/ex.tmp-* '$T'/ex.kept-* 2>/dev/null"
run "$ACCORD" export "$DB" --out "$T/bc" --format imagefolder --layout by-class --split 70/15/15
run "$ACCORD" export "$DB" --out "$T/bc" --force --format imagefolder --layout by-class --split 80/20
ok_if "--force replaces a by-class export (its empty class folders too)" sh -c \
	"[ $RC -eq 0 ] && [ -d '$T/bc/test' ] && [ ! -e '$T/bc/dev' ]"

# --- spreadsheet formulas ------------------------------------------------

# A project of its own media (in $T: the copy checks below write into
# exports) with hostile names, classes, notes and metadata.
H=$T/hostile
mkdir -p "$H/img"
S=$ROOT/assets/demo/images
cp "$S/img_001.jpg" "$H/img/=cmd.jpg"
cp "$S/img_002.jpg" "$H/img/-x.jpg"
cp "$S/img_003.jpg" "$H/img/plain.jpg"
cp "$S/img_004.jpg" "$H/img/@at.jpg"
cp "$S/img_006.jpg" "$H/img/+p.jpg"
printf 'file,note,score,site\n=cmd.jpg,"=HYPERLINK(""http://x"",""y"")",-0.5,+1+1\n-x.jpg,@SUM(A1),+3,-2+3\nplain.jpg,"\ttab",1e-3,ok\n@at.jpg,"\rcr",-.5e+2,=1\n+p.jpg,-,-1e5,+\n' >"$H/meta.csv"
printf 'file,labeler,class\n=cmd.jpg,alice,=evil\n-x.jpg,alice,-neg\nplain.jpg,alice,ok\n@at.jpg,alice,ok\n+p.jpg,alice,-neg\n' >"$H/labels.csv"
HDB=$H/p.accord
{ "$ACCORD" init "$HDB" --task t --media image --classes ok,-neg,=evil --borderline unsure --overlap 1 &&
  "$ACCORD" import "$HDB" "$H/img" --meta "$H/meta.csv" &&
  "$ACCORD" labels import "$HDB" "$H/labels.csv"; } >"$T/h.log" 2>&1 ||
	{ fail "hostile project builds" "$(tail -3 "$T/h.log")"; exit 1; }

# The scan: every cell of every CSV under DIR; a cell that begins with
# = + - @ tab or CR must be a number (a spreadsheet reads a number, not a
# formula).  With raw=DIR2, DIR's cells must be DIR2's with a ' before
# each formula, and nothing else changed.  file_name cells name files.
cat >"$T/scan.py" <<'PY'
import csv, os, re, sys
out = sys.argv[1]
raw = sys.argv[2] if len(sys.argv) > 2 else None
num = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
def formula(c):
    return c[:1] in ("=", "+", "-", "@", "\t", "\r") and not num.match(c)
def cells(path):
    return list(csv.reader(open(path, newline="")))
n = quoted = 0
for root, _, files in os.walk(out):
    for f in files:
        if not f.endswith(".csv"):
            continue
        p = os.path.join(root, f)
        rows = cells(p)
        hdr = rows[0]
        for r in rows:
            for c in r:
                n += 1
                assert not formula(c), (p, c)
                quoted += c.startswith("'")
            if r is not hdr and "file_name" in hdr:
                fn = r[hdr.index("file_name")]
                assert os.path.isfile(os.path.join(root, fn)), fn
        if raw:
            rr = cells(os.path.join(raw, os.path.relpath(p, out)))
            assert len(rr) == len(rows)
            for a, b in zip(rows, rr):
                for x, y in zip(a, b):
                    assert x == ("'" + y if formula(y) else y), (x, y)
            assert any(formula(y) for r in rr for y in r), "raw has no formula"
assert quoted >= 8, quoted
print(n, "cells,", quoted, "neutralised")
PY
scan() { "$PY" "$T/scan.py" "$@" >"$T/scan.log" 2>&1 || { tail -3 "$T/scan.log" | sed 's/^/# /' >&2; return 1; }; }

run "$ACCORD" export "$HDB" --out "$T/hc" --method majority
run "$ACCORD" export "$HDB" --out "$T/hcr" --method majority --csv-raw
ok_if "csv: no cell a spreadsheet runs; each is the raw cell with a ' (numbers like -0.5 as they are)" scan "$T/hc" "$T/hcr"
ok_if "... numbers untouched" sh -c "grep -q ',-0.5,' '$T/hc/train.csv' && grep -q ',+3,' '$T/hc/train.csv' && grep -q ',-.5e+2,' '$T/hc/train.csv'"
ok_if "... and the manifest records csv_raw" sh -c \
	"grep -q '\"csv_raw\": false' '$T/hc/manifest.json' && grep -q '\"csv_raw\": true' '$T/hcr/manifest.json'"
run "$ACCORD" export "$HDB" --out "$T/hi" --method majority --format imagefolder
run "$ACCORD" export "$HDB" --out "$T/hir" --method majority --format imagefolder --csv-raw
ok_if "imagefolder metadata.csv: no formula, and file_name still names the file" scan "$T/hi"
ok_if "... a file named =cmd.jpg is exported under its hash prefix" sh -c \
	"ls '$T/hi/train' | grep -q '^[0-9a-f]\{12\}-=cmd.jpg\$' && [ -f '$T/hir/train/=cmd.jpg' ]"
run "$ACCORD" export "$HDB" --out "$T/hb" --method majority --format imagefolder --layout by-class
ok_if "by-class with a class named -neg: refused in one line (its folder would be a formula cell)" sh -c \
	"[ $RC -eq 1 ] && [ \$(wc -l <'$T/err') -eq 1 ] && grep -q -- \"class '-neg'\" '$T/err' && grep -q -- '--csv-raw' '$T/err' && [ ! -e '$T/hb' ]"
run "$ACCORD" export "$HDB" --out "$T/hb" --method majority --format imagefolder --layout by-class --csv-raw
ok_if "... with --csv-raw it is written" sh -c "[ $RC -eq 0 ] && [ -d '$T/hb/train/-neg' ] && [ -d '$T/hb/train/=evil' ]"

# --- copies, not links ---------------------------------------------------

run "$ACCORD" export "$HDB" --out "$T/cp" --method majority --format imagefolder
ok_if "imagefolder copies by default (its own inode, one link)" sh -c \
	"[ $RC -eq 0 ] && grep -q '5 media copied' '$T/out' && [ \$(stat -c %h '$T/cp/train/plain.jpg') -eq 1 ] && [ \$(stat -c %i '$T/cp/train/plain.jpg') != \$(stat -c %i '$H/img/plain.jpg') ] && grep -q '\"media\": \"copy\"' '$T/cp/manifest.json'"
before=$(sha256sum <"$H/img/plain.jpg")
# Only ever into a copy: were it the imported file, the check fails first.
if [ "$(stat -c %i "$T/cp/train/plain.jpg")" != "$(stat -c %i "$H/img/plain.jpg")" ]; then
	echo 'written by a trainer' >>"$T/cp/train/plain.jpg"
fi
run "$ACCORD" check "$HDB"
ok_if "writing into the exported file leaves the original, and accord check, unchanged" sh -c \
	"[ $RC -eq 0 ] && [ \"\$(sha256sum <'$H/img/plain.jpg')\" = '$before' ] && grep -q '0 changed' '$T/out'"
run "$ACCORD" export "$HDB" --out "$T/ln" --method majority --format imagefolder --link
ok_if "--link hard-links on request" sh -c \
	"[ $RC -eq 0 ] && grep -q '5 hard-linked' '$T/out' && [ \$(stat -c %i '$T/ln/train/plain.jpg') = \$(stat -c %i '$H/img/plain.jpg') ] && grep -q '\"media\": \"link\"' '$T/ln/manifest.json'"
run "$ACCORD" export --help
ok_if "--link's help names the risk" sh -c "grep -A4 -- '--link' '$T/out' | grep -q 'changes the other'"

# --- by-class: every class folder, classes.txt ---------------------------

# torchvision's ImageFolder: classes = sorted(entry.name for entry in
# os.scandir(root) if entry.is_dir()), index = position.
cat >"$T/folders.py" <<'PY'
import csv, json, os, sys
out, want = sys.argv[1], sys.argv[2].split(",")
classes = open(os.path.join(out, "classes.txt")).read().split("\n")
assert classes[-1] == "" and classes[:-1] == sorted(want), classes
classes = classes[:-1]
m = json.load(open(os.path.join(out, "manifest.json")))
assert m["class_folders"] == classes, m["class_folders"]
assert "classes.txt" in [f["path"] for f in m["files"]]
splits = [s for s in sorted(os.listdir(out)) if os.path.isdir(os.path.join(out, s))]
assert len(splits) >= 2, splits
for s in splits:
    d = os.path.join(out, s)
    found = sorted(e.name for e in os.scandir(d) if e.is_dir())
    assert found == classes, (s, found)          # same indices in every split
    for r in csv.DictReader(open(os.path.join(d, "metadata.csv"), newline="")):
        assert r["file_name"].split("/")[0] == r["label"], r
print(splits, classes)
PY
folders() { "$PY" "$T/folders.py" "$@" >"$T/f.log" 2>&1 || { tail -3 "$T/f.log" | sed 's/^/# /' >&2; return 1; }; }
run "$ACCORD" export "$DB" --out "$T/tv" --format imagefolder --layout by-class --split 70/15/15
ok_if "by-class: every class folder in every split, classes.txt in ImageFolder's order" folders "$T/tv" ok,scratch,dent
run "$ACCORD" export "$DB" --out "$T/tvb" --format imagefolder --layout by-class --split 70/15/15 --include-borderline
ok_if "... the borderline class too with --include-borderline" folders "$T/tvb" ok,scratch,dent,unsure
run "$ACCORD" export "$DB" --out "$T/flat" --format imagefolder --split 70/30
ok_if "flat layouts have no classes.txt" sh -c "[ $RC -eq 0 ] && [ ! -e '$T/flat/classes.txt' ] && grep -q '\"class_folders\": null' '$T/flat/manifest.json'"

# --- group-aware splits --------------------------------------------------

# Totals per split, shares in the manifest recomputed from its counts.
cat >"$T/groups.py" <<'PY'
import json, sys
m = json.load(open(sys.argv[1] + "/manifest.json"))
sp, sh, opt = m["counts"]["splits"], m["counts"]["shares"], m["options"]["split"]
R = sum(opt.values())
tot = {s: v["total"] for s, v in sp.items()}
N = sum(tot.values())
cls = m["classes"]
for s in sp:
    assert abs(sh[s]["target"] - opt[s] / R) < 1e-12
    assert abs(sh[s]["achieved"] - tot[s] / N) < 1e-12
    for c in cls:
        nc = sum(sp[t][c] for t in sp)
        want = None if nc == 0 else sp[s][c] / nc
        got = sh[s]["by_class"][c]
        assert (got is None and want is None) or abs(got - want) < 1e-12, (s, c)
print("/".join(str(tot[s]) for s in sp), ";".join(m["notes"]))
PY
totals() { "$PY" "$T/groups.py" "$1" 2>&1; }
all=1
for seed in 1 2 3 4 5; do
	rm -rf "$T/ag"
	run "$ACCORD" export "$ADB" --out "$T/ag" --format audiofolder --group-by speaker --split 80/10/10 --seed "$seed"
	t=$(totals "$T/ag")
	echo "# audio demo, speakers, 80/10/10, seed $seed: $t"
	[ "$RC" -eq 0 ] && [ "$t" = "27/5/5 " ] || all=0
done
ok_if "audio demo --group-by speaker 80/10/10: 27/5/5 with every seed, shares in the manifest" [ "$all" -eq 1 ]
ok_if "... the shares printed per split and class, with the target" sh -c \
	"grep -q '^share  *clean  *noisy  *clipped  *unsure  *total  *target' '$T/out' && grep -q '^test .* 0.100\$' '$T/out'"
run "$ACCORD" export "$ADB" --out "$T/ag2" --format audiofolder --group-by speaker --split 80/10/10 --seed 5
ok_if "... the same seed, the same files" sh -c \
	"$PY -c \"import json; f=lambda d: json.load(open(d+'/manifest.json'))['files']; assert f('$T/ag') == f('$T/ag2')\""
run "$ACCORD" export "$DB" --out "$T/cam" --group-by camera --split 70/15/15
t=$(totals "$T/cam")
echo "# image demo, cameras, 70/15/15: $t"
ok_if "image demo --group-by camera 70/15/15: every split has a camera" sh -c \
	"[ $RC -eq 0 ] && ! echo '$t' | grep -q '/0/\|/0 \|^0/'"
run "$ACCORD" export "$DB" --out "$T/fac" --group-by factory --split 80/10/10
t=$(totals "$T/fac")
echo "# image demo, factories, 80/10/10: $t"
ok_if "two factories for three splits: train and test get one, and the warning says why" sh -c \
	"[ $RC -eq 0 ] && [ \$(wc -l <'$T/err') -eq 1 ] && grep -q 'dev is empty: .* 2 values of factory for 3 splits' '$T/err' && echo '$t' | grep -q '^[1-9][0-9]*/0/[1-9][0-9]* dev is empty'"

# --- one snapshot while labelers write -----------------------------------

# Four writers import labels by other labelers in a loop (each import one
# write transaction) while export runs; every export must succeed and be
# one moment of the store: with one SQLite writer at a time label ids are
# given in commit order, so the snapshot is the first label_rows rows, and
# its checksum and every item's number of labels in force must be theirs
# (tests/export_snapshot.py, shared with pg_export_snapshot.sh).
SN=$T/snap.accord
cp "$DB" "$SN"
"$PY" "$ROOT/tests/export_snapshot.py" writers "$ROOT/assets/demo/images" "$T"
: >"$T/stop"
for w in 0 1 2 3; do
	( while [ -e "$T/stop" ]; do
		"$ACCORD" labels import "$SN" "$T/w$w.csv" >/dev/null 2>>"$T/writer.err" || echo "w$w failed" >>"$T/writer.fail"
	done ) &
done
sleep 1
fails=0 bad=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	"$ACCORD" export "$SN" --out "$T/sn$i" --format jsonl --method majority >"$T/sn.out" 2>"$T/sn.err" ||
		{ fails=$((fails + 1)); sed 's/^/# /' "$T/sn.err" >&2; }
done
rm -f "$T/stop"
wait
TAB=$(printf '\t')
sqlite3 -batch -noheader -separator "$TAB" "$SN" "SELECT id, item, labeler, class, guideline, created_at FROM labels ORDER BY id" >"$T/labels.tsv"
sqlite3 -batch -noheader -separator "$TAB" "$SN" "SELECT id, sha256 FROM items" >"$T/items.tsv"
for d in "$T"/sn[0-9]*; do
	"$PY" "$ROOT/tests/export_snapshot.py" check "$d" "$T/labels.tsv" \
	    "$T/items.tsv" >"$T/snap.log" 2>&1 ||
		{ bad=$((bad + 1)); tail -2 "$T/snap.log" | sed 's/^/# /' >&2; }
done
ok_if "12 exports under 4 writers: none failed" [ "$fails" -eq 0 ]
ok_if "... each one moment of the store (checksum and labels per item)" [ "$bad" -eq 0 ]
ok_if "... while the writers wrote" sh -c "[ ! -e '$T/writer.fail' ] && [ \$(sqlite3 '$SN' 'SELECT count(*) FROM labels') -gt \$(sqlite3 '$DB' 'SELECT count(*) FROM labels') ]"
first=$(sed -n 's/.*"label_rows": \([0-9]*\).*/\1/p' "$T/sn1/manifest.json")
last=$(sed -n 's/.*"label_rows": \([0-9]*\).*/\1/p' "$T/sn12/manifest.json" 2>/dev/null)
echo "# label rows seen by the first and the last export: $first, $last"
ok_if "... and the exports saw them arrive" [ "${last:-0}" -gt "${first:-0}" ]
ok_if "no retry loop left to give up" sh -c "! grep -rq 'kept changing while it was read' '$ROOT/core'"
