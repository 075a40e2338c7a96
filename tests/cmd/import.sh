# accord import: every format, dedupe, metadata CSV, bad files, re-runs,
# and SIGKILL mid-import followed by a re-run.  Media are made by
# ImageMagick and sox, not by accord.
. "$(dirname "$0")/../lib.sh"

DB=$T/img.accord
"$ACCORD" init "$DB" --task t --media image --classes ok,bad >/dev/null
mkdir -p img/sub img/.hidden
convert -size 40x30 -seed 1 plasma:red-blue img/rgb8.png
convert -size 40x30 -seed 2 plasma: -depth 16 img/rgb16.png
convert -size 40x30 -seed 3 plasma: -colors 16 -type Palette PNG8:img/pal.png
convert -size 40x30 gradient:black-white -type Grayscale img/sub/grey.png
convert -size 40x30 -seed 4 plasma: -alpha set -channel A -evaluate set 50% +channel PNG32:img/rgba.png
convert -size 40x30 -seed 5 plasma: -quality 85 img/photo.jpg
convert -size 40x30 -seed 6 plasma: -colorspace Gray img/sub/grey.jpeg
cp img/rgb8.png img/sub/copy-of-rgb8.png
cp img/rgb8.png img/.hidden/skip.png
echo "not an image" > img/notes.txt

run "$ACCORD" import "$DB" img --batch first
ok_if "clean import exits 0" rc_is 0
ok_if "7 distinct contents from 8 files (dedupe)" sql_is "SELECT count(*) FROM items" "7"
ok_if "the copy is a second source of the same item" \
	sql_is "SELECT count(*) FROM item_sources s JOIN items i ON i.id = s.item WHERE i.path LIKE '%rgb8.png'" "2"
ok_if "hidden directories are skipped" sql_is "SELECT count(*) FROM item_sources WHERE path LIKE '%hidden%'" "0"
ok_if "summary says 1 duplicate and 1 other file skipped" sh -c "grep -q '1 duplicate content' '$T/out' && grep -q '1 other files skipped' '$T/out'"
ok_if "formats recorded" sql_is "SELECT group_concat(format, ',') FROM (SELECT DISTINCT format FROM items ORDER BY format)" "jpeg,png"
ok_if "16-bit PNG records depth 16" sql_is "SELECT depth FROM items WHERE path LIKE '%rgb16.png'" "16"
ok_if "dimensions stored" sql_is "SELECT DISTINCT width || 'x' || height FROM items" "40x30"
ok_if "sha256 matches sha256sum" sql_is "SELECT sha256 FROM items WHERE path LIKE '%photo.jpg'" "$(sha256sum img/photo.jpg | cut -c1-64)"
ok_if "every item has brightness, contrast, sharpness" \
	sql_is "SELECT count(*) FROM (SELECT item FROM item_meta WHERE key IN ('brightness','contrast','sharpness') GROUP BY item HAVING count(*) = 3)" "7"
ok_if "batch recorded" sql_is "SELECT DISTINCT b.name FROM items i JOIN batches b ON b.id = i.batch" "first"

run "$ACCORD" import "$DB" img --batch again
ok_if "re-run finds all unchanged" sh -c "[ $RC -eq 0 ] && grep -q '0 new items' '$T/out' && grep -q '8 unchanged' '$T/out'"
ok_if "re-run adds no item" sql_is "SELECT count(*) FROM items" "7"

# Bad files: one line each naming the file; the good ones still imported.
mkdir bad
convert -size 40x30 -seed 9 plasma: bad/good.png
: > bad/empty.png
head -c 200 img/rgb8.png > bad/truncated.png
head -c 300 img/photo.jpg > bad/truncated.jpg
cp img/photo.jpg bad/liar.png
dd if=/dev/urandom of=bad/noise.jpg bs=1k count=4 2>/dev/null
# A PNG whose header claims 100000x100000 pixels (CRC fixed up by python).
/usr/bin/python3 - bad/huge.png <<'PY'
import struct, sys, zlib
ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))
PY
run "$ACCORD" import "$DB" bad
ok_if "bad files make exit status 1" rc_is 1
ok_if "the good file is imported" sql_is "SELECT count(*) FROM items WHERE path LIKE '%bad/good.png'" "1"
ok_if "one error line per bad file (6)" err_lines 6
for f in empty.png truncated.png truncated.jpg liar.png noise.jpg huge.png; do
	ok_if "error line names $f" sh -c "[ \$(grep -c '/bad/$f: ' '$T/err') -eq 1 ]"
done
ok_if "zero-byte file is called that" err_has "empty.png: zero-byte file"
ok_if "wrong extension is called that" err_has "liar.png: content is JPEG"
ok_if "pixel limit is named" sh -c "grep 'huge.png' '$T/err' | grep -q 'limit'"
ok_if "no bad file became an item" sql_is "SELECT count(*) FROM items WHERE path LIKE '%/bad/%'" "1"
run "$ACCORD" import "$DB" img/notes.txt
ok_if "a named non-media file is an error" sh -c "[ $RC -eq 1 ] && grep -q 'notes.txt: unsupported file type' '$T/err'"
run "$ACCORD" import "$DB" "$T/nope"
ok_if "a missing path is an error line" sh -c "[ $RC -eq 1 ] && grep -q 'nope: No such file' '$T/err'"

# Metadata CSV: BOM, CRLF, quoted commas/quotes/newlines, relative paths and
# base names, unmatched rows reported.
printf '\357\273\277file,factory,line,camera\r\nrgb8.png,F1,"Line 2, ""north""",cam-a\r\nsub/grey.png,F2,"multi\nline",cam-b\r\nmissing.png,F3,x,y\r\nphoto.jpg,F1,L1,\r\n' > img/meta.csv
run "$ACCORD" import "$DB" img --meta img/meta.csv
ok_if "meta import exits 0 (unmatched rows are reported, not fatal)" rc_is 0
# Line 5: the quoted field of the row before spans two lines.
ok_if "unmatched row reported with file and line" err_has "meta.csv:5: row names no imported file (missing.png)"
ok_if "quoted value with comma and quotes stored" \
	sql_is "SELECT value FROM current_meta m JOIN items i ON i.id = m.item WHERE i.path LIKE '%/img/rgb8.png' AND key = 'line'" 'Line 2, "north"'
ok_if "base name matches a file in a subdirectory-free path; relative path matches" \
	sql_is "SELECT value FROM current_meta m JOIN items i ON i.id = m.item WHERE i.path LIKE '%sub/grey.png' AND key = 'camera'" "cam-b"
ok_if "embedded newline kept" sql_is "SELECT value = 'multi' || char(10) || 'line' FROM current_meta WHERE key = 'line' AND value LIKE 'multi%'" "1"
ok_if "empty cell stores nothing" sql_is "SELECT count(*) FROM current_meta m JOIN items i ON i.id = m.item WHERE i.path LIKE '%photo.jpg' AND key = 'camera'" "0"
run "$ACCORD" import "$DB" img --meta img/meta.csv
ok_if "re-applying the same metadata adds no rows" \
	sql_is "SELECT count(*) FROM item_meta WHERE source LIKE 'csv:%'" "8"
run "$ACCORD" items "$DB" --where camera=cam-a --json
ok_if "items --where on metadata, JSON Lines" sh -c "[ \$(wc -l < '$T/out') -eq 1 ] && /usr/bin/python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).read()); assert d[\"meta\"][\"factory\"]==\"F1\" and 0<=d[\"meta\"][\"brightness\"]<=1' '$T/out'"
# Every item listed with exactly its metadata keys in force (the CSV's on
# some items, only the metrics on others): items reads the metadata in one
# pass beside the items, which must not hand one item's keys to another.
run "$ACCORD" items "$DB"
sqlite3 -separator '	' "$DB" "SELECT item, group_concat(key, ',') FROM (SELECT item, key FROM current_meta ORDER BY item, key) GROUP BY item ORDER BY item" >"$T/keys.want"
awk -F'\t' '{ k = ""; for (i = 6; i <= NF; i++) { split($i, kv, "="); k = k (k == "" ? "" : ",") kv[1] } print $1 "\t" k }' "$T/out" >"$T/keys.got"
ok_if "items lists each item with its own metadata keys" sh -c \
	"[ $RC -eq 0 ] && [ \$(wc -l < '$T/keys.got') -eq \$(sqlite3 '$DB' 'SELECT count(*) FROM items') ] && cmp -s '$T/keys.want' '$T/keys.got' && grep -q 'camera' '$T/keys.got'"
run "$ACCORD" items "$DB" --where kind=image --where format=jpeg
ok_if "items --where on columns combine" sh -c "[ \$(wc -l < '$T/out') -eq 2 ]"
run "$ACCORD" items "$DB" --where nonsense
ok_if "a malformed --where is an error" rc_is 1

printf 'name,x\na,1\n' > bad-meta.csv
before=$(sqlite3 "$DB" "SELECT count(*) FROM item_sources")
run "$ACCORD" import "$DB" bad --meta bad-meta.csv
ok_if "a CSV without a file column stops the import before it starts" \
	sh -c "[ $RC -eq 1 ] && grep -q \"bad-meta.csv: no 'file' column\" '$T/err' && [ \$(wc -l < '$T/err') -eq 1 ]"
ok_if "nothing imported after a bad CSV" sql_is "SELECT count(*) FROM item_sources" "$before"
printf 'file,x\n"a.png,1\n' > bad-meta2.csv
run "$ACCORD" import "$DB" bad --meta bad-meta2.csv
ok_if "a broken CSV names the file and line" err_has "bad-meta2.csv: line 2: quoted field never closed"

# Audio project: WAV, FLAC, OGG; an image named into it is refused.
ADB=$T/aud.accord
"$ACCORD" init "$ADB" --task t --media audio --classes clean,noisy >/dev/null
mkdir aud
sox -n -r 16000 -b 16 aud/tone.wav synth 1.0 sine 440 vol 0.5
sox -n -r 44100 -c 2 aud/stereo.flac synth 0.5 pinknoise vol 0.3
sox -n -r 22050 aud/speech.ogg synth 0.7 sine 300-900 vol 0.4
run "$ACCORD" import "$ADB" aud img/rgb8.png
ok_if "audio import: an image is refused with a reason" sh -c "[ $RC -eq 1 ] && grep -q 'rgb8.png: is image, but this project labels audio' '$T/err'"
DB=$ADB
ok_if "wav, flac, ogg imported" sql_is "SELECT group_concat(format, ',') FROM (SELECT format FROM items ORDER BY format)" "flac,ogg,wav"
ok_if "rate, channels, frames stored" sql_is "SELECT rate || '/' || channels || '/' || frames FROM items WHERE format = 'flac'" "44100/2/22050"
ok_if "audio metrics stored" sql_is "SELECT count(DISTINCT key) FROM item_meta WHERE key IN ('duration_s','rms_db','peak_db','clipped','lead_silence_s','trail_silence_s')" "6"

# SIGKILL mid-import, then a re-run: whole items only, no duplicates.
DB=$T/kill.accord
"$ACCORD" init "$DB" --task t --media image --classes ok,bad >/dev/null
mkdir many
# 300 distinct 640x480 noise PNGs (stored with little compression), large
# enough that the sanitized import takes seconds and can be killed mid-way.
/usr/bin/python3 - many <<'PY'
import os, struct, sys, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
w, h = 640, 480
for i in range(300):
    rows = b"".join(b"\0" + os.urandom(w * 3) for _ in range(h))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b""))
    open(os.path.join(sys.argv[1], "n%03d.png" % i), "wb").write(png)
PY
"$ACCORD" import "$DB" many --jobs 1 >/dev/null 2>&1 &
pid=$!
n=0
while [ "$(sqlite3 "$DB" 'SELECT count(*) FROM items' 2>/dev/null || echo 0)" -lt 20 ] && [ $n -lt 400 ]; do
	sleep 0.02
	n=$((n + 1))
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
got=$(sqlite3 "$DB" 'SELECT count(*) FROM items')
ok_if "killed part-way ($got of 300 items committed)" sh -c "[ $got -gt 0 ] && [ $got -lt 300 ]"
ok_if "store intact after SIGKILL" sql_is "PRAGMA integrity_check" "ok"
ok_if "no half-written item (each has source and 3 metrics)" \
	sql_is "SELECT count(*) FROM items i WHERE (SELECT count(*) FROM item_meta m WHERE m.item = i.id) != 3 OR NOT EXISTS (SELECT 1 FROM item_sources s WHERE s.item = i.id)" "0"
run "$ACCORD" import "$DB" many --jobs 2
ok_if "re-run completes" rc_is 0
ok_if "all 300 imported exactly once" sql_is "SELECT count(*), count(DISTINCT sha256) FROM items" "300|300"
ok_if "one source per file" sql_is "SELECT count(*) FROM item_sources" "300"
ok_if "re-run skipped the committed ones" out_has " $got unchanged"

# On a terminal the import draws a progress bar; piped, one summary line.
DB=$T/tty.accord
"$ACCORD" init "$DB" --task t --media image --classes ok,bad >/dev/null
script -qec "'$ACCORD' import '$DB' '$T/many' --jobs 1" /dev/null >"$T/tty.out" 2>&1
ok_if "TTY import shows a progress bar with files/s and ETA" \
	sh -c "grep -q 'files/s' '$T/tty.out' && grep -q 'ETA' '$T/tty.out' && grep -q '/300 files' '$T/tty.out'"
"$ACCORD" init "$T/pipe.accord" --task t --media image --classes ok,bad >/dev/null
"$ACCORD" import "$T/pipe.accord" "$T/many" --jobs 2 >"$T/out" 2>"$T/err"
ok_if "piped import prints one summary line and no bar" \
	sh -c "[ \$(wc -l < '$T/out') -eq 1 ] && [ ! -s '$T/err' ] && grep -q 'imported 300 new items' '$T/out'"

# A header naming a column twice, or a metric: one line naming the CSV and
# the column (the message once read the header after freeing it).
DB=$T/hdr.accord
"$ACCORD" init "$DB" --task t --media image --classes ok,bad >/dev/null
mkdir hdr
cp img/rgb8.png hdr/
printf 'file,cam,cam\nrgb8.png,1,2\n' > hdr/dup.csv
run "$ACCORD" import "$DB" hdr --meta hdr/dup.csv
ok_if "a repeated column: exit 1, one line naming the CSV and the column" \
	sh -c "[ $RC -eq 1 ] && [ \$(wc -l < '$T/err') -eq 1 ] && grep -q \"hdr/dup.csv: column 'cam' appears twice\" '$T/err'"
ok_if "a repeated column: nothing imported" sql_is "SELECT count(*) FROM items" "0"
printf 'file,brightness\nrgb8.png,1\n' > hdr/metric.csv
run "$ACCORD" import "$DB" hdr --meta hdr/metric.csv
ok_if "a column named as a metric: exit 1, one line naming it" \
	sh -c "[ $RC -eq 1 ] && [ \$(wc -l < '$T/err') -eq 1 ] && grep -q \"hdr/metric.csv: column 'brightness' clashes\" '$T/err'"

# A directory with no usable media: no file to sort (qsort was given
# NULL), one line naming what it held, and a non-zero exit (issue 18: "0
# new items" with exit 0 hid a wrong directory or format).
mkdir nomedia nomedia2 webp
echo "not an image" > nomedia2/notes.txt
for i in 1 2 3; do cp "$ROOT/assets/demo/images/img_001.jpg" "webp/w$i.WEBP"; done
cp "$ROOT/assets/demo/images/img_001.jpg" webp/README
: > webp/a.wav
run "$ACCORD" import "$DB" nomedia
ok_if "an empty directory: exit 1, 0 new items" \
	sh -c "[ $RC -eq 1 ] && grep -q 'imported 0 new items from 0 files' '$T/out'"
ok_if "an empty directory: one line naming it, saying it is empty" \
	sh -c "[ \$(wc -l < '$T/err') -eq 1 ] && grep -q 'nomedia: no image files (.png .jpg .jpeg) here: the directory is empty' '$T/err'"
run "$ACCORD" import "$DB" webp
ok_if "a directory of other formats: exit 1, one line naming what it held" \
	sh -c "[ $RC -eq 1 ] && [ \$(wc -l < '$T/err') -eq 1 ] && grep -q 'webp: no image files (.png .jpg .jpeg) here: found ' '$T/err' && grep -q '3 .webp (format not supported)' '$T/err' && grep -q '1 without extension' '$T/err' && grep -q '1 .wav (audio, not image)' '$T/err'"
run "$ACCORD" import "$DB" nomedia2 hdr
ok_if "no media beside media: the one line names the empty directory, exit 1" \
	sh -c "[ $RC -eq 1 ] && [ \$(wc -l < '$T/err') -eq 1 ] && grep -q 'nomedia2: no image files .* here: found 1 .txt\$' '$T/err' && grep -q 'imported 1 new item' '$T/out'"
