# accord import --store-media: each file's bytes kept in the store, once
# per content, so that labeling, export and check go on when the files
# are gone or cannot be read (a labeler on another host).  On a SQLite
# file and on a PostgreSQL database of a throwaway cluster
# (tests/pglib.sh), where a labeler is another OS user under peer
# authentication who cannot read the media directory.  Media are made by
# ImageMagick and sox, not by accord; a project without the flag is the
# control (the same steps fail there).  Also: a damaged copy is named by
# check, the size limit, a schema 5 SQLite store migrating on open and
# PostgreSQL's migration 2 applied to a schema 1 database.
. "$(dirname "$0")/../lib.sh"

need_commands sqlite3 convert sox cmp sha256sum awk
S=$ROOT/assets/demo
MiB=1048576

# Media of other tools: PNG and JPEG from ImageMagick, one PNG of noise
# over 3 MiB (four chunks), the same bytes under a second name.
mkdir -p src/sub ref
convert -size 64x48 gradient:red-blue src/grad.png
convert -size 80x60 xc:white -fill black -draw "circle 40,30 40,10" \
	-quality 90 src/disc.jpg
convert -size 1100x1000 xc:gray +noise Random src/noise.png
cp src/grad.png src/sub/grad-copy.png
cp src/grad.png src/disc.jpg src/noise.png ref/
NFILES=4
# What the store should hold: distinct contents, and their chunks.
NDISTINCT=$(sha256sum src/*.png src/*.jpg src/sub/*.png | cut -c1-64 | sort -u | wc -l)
NCHUNKS=$(for f in src/grad.png src/disc.jpg src/noise.png; do
	stat -c %s "$f"; done | awk -v m=$MiB '{ n += int(($1 + m - 1) / m) } END { print n }')

INIT="--task t --media image --classes ok,bad --overlap 1 --guideline $S/guideline-images.md"
labels() { yes "${2:-ok}" | head -n "$1"; }
# exported_same DIR: every media file under DIR is byte for byte the
# original of its name, and there are $NDISTINCT of them.
exported_same() {
	_n=0
	for _f in $(find "$1" -type f ! -name '*.csv' ! -name '*.json'); do
		cmp -s "$_f" "ref/$(basename "$_f")" || return 1
		_n=$((_n + 1))
	done
	[ "$_n" -eq "$NDISTINCT" ]
}

# --- SQLite ---------------------------------------------------------------

DB=$T/m.accord
"$ACCORD" init "$DB" $INIT >/dev/null
run "$ACCORD" import "$DB" src --store-media --batch one
ok_if "import --store-media exits 0 and says what it stored" \
	eval 'rc_is 0 && out_has "media stored: $NDISTINCT new contents"'
ok_if "one blob per distinct content ($NDISTINCT from $NFILES files)" \
	sql_is "SELECT count(*) FROM media_blobs" "$NDISTINCT"
ok_if "the blobs are the items' contents" \
	sql_is "SELECT count(*) FROM items i JOIN media_blobs b ON b.sha256 = i.sha256" "$NDISTINCT"
ok_if "the bytes are in 1 MiB chunks ($NCHUNKS)" \
	sql_is "SELECT count(*) || ' ' || max(length(data)) FROM media_chunks" "$NCHUNKS $MiB"
ok_if "a blob's size is its file's" \
	sql_is "SELECT bytes FROM media_blobs WHERE sha256 = '$(sha256sum src/noise.png | cut -c1-64)'" \
	"$(stat -c %s src/noise.png)"

# The same bytes again, under new names and a changed mtime: stored once.
mkdir src2
cp src/grad.png src2/grad-again.png
cp src/noise.png src2/noise-again.png
touch -d '2001-01-01' src/sub/grad-copy.png
run "$ACCORD" import "$DB" src src2 --store-media --batch two
ok_if "same bytes imported again: no new blob, no new chunk" \
	eval 'rc_is 0 && sql_is "SELECT count(*) FROM media_blobs" "$NDISTINCT" &&
	    sql_is "SELECT count(*) FROM media_chunks" "$NCHUNKS"'
ok_if "... and no new item" sql_is "SELECT count(*) FROM items" "$NDISTINCT"

# The files go away; the store has them.
rm -rf src src2
labels "$NDISTINCT" >"$T/script"
run "$ACCORD" label "$DB" --script "$T/script" --media
ok_if "label --script --media labels every item with the files gone" \
	eval 'rc_is 0 && [ "$(wc -l <"$T/out")" -eq "$NDISTINCT" ]'
ok_if "... decoding the stored bytes (sizes of the originals)" \
	eval 'out_has "	64x48$" && out_has "	80x60$" && out_has "	1100x1000$"'
run "$ACCORD" export "$DB" --out "$T/x" --format imagefolder --split 100/0/0
ok_if "export writes the stored files out" \
	eval 'rc_is 0 && out_has "$NDISTINCT written out of the store"'
ok_if "... byte for byte the originals" exported_same "$T/x"
run "$ACCORD" check "$DB"
ok_if "check passes with the files gone, reading the stored copies" \
	eval 'rc_is 0 && out_has "$NDISTINCT kept in the store, 0 damaged"'

# A damaged copy (the store refuses changes: the trigger goes first).
ITEM=$(sql "SELECT id FROM items WHERE sha256 = '$(sha256sum ref/noise.png | cut -c1-64)'")
sql "DROP TRIGGER media_chunks_no_update; UPDATE media_chunks SET data = zeroblob(length(data)) WHERE part = 2 AND sha256 = (SELECT sha256 FROM items WHERE id = $ITEM)"
run "$ACCORD" check "$DB"
ok_if "check names the item whose stored copy is damaged" \
	eval 'rc_is 1 && [ "$(grep -c "^damaged" "$T/out")" -eq 1 ] && out_has "(item $ITEM): the stored copy hashes to"'
run "$ACCORD" export "$DB" --out "$T/x2" --format imagefolder --split 100/0/0
ok_if "export refuses the damaged copy in one line, writes nothing" \
	eval 'rc_is 1 && err_lines 1 && err_has "damaged" && ! [ -e "$T/x2" ]'

# The writers refuse to change stored bytes.
run sqlite3 "$DB" "UPDATE media_blobs SET bytes = 1"
ok_if "media_blobs rows are never changed" err_has "never changed"
run sqlite3 "$DB" "DELETE FROM media_chunks"
ok_if "media_chunks rows are never deleted" err_has "never deleted"

# The control: the same steps without --store-media fail once the files
# are gone.
mkdir -p src
cp ref/* src/
P=$T/paths.accord
"$ACCORD" init "$P" $INIT >/dev/null
"$ACCORD" import "$P" src >/dev/null
ok_if "without the flag nothing is stored" \
	eval 'DB=$P sql_is "SELECT count(*) FROM media_blobs" 0'
mv src src.away
run "$ACCORD" label "$P" --script "$T/script" --media
ok_if "without it, label --media fails on a missing file in one line" \
	eval 'rc_is 1 && err_lines 1 && err_has "cannot read the file"'
run "$ACCORD" check "$P"
ok_if "... and check reports the paths missing" \
	eval 'rc_is 1 && out_has "^missing"'
# A later import with the flag adds the bytes to the items it has.
mv src.away src
run "$ACCORD" import "$P" src --store-media
ok_if "a re-run with --store-media adds the bytes of items imported without" \
	eval 'rc_is 0 && DB=$P sql_is "SELECT count(*) FROM media_blobs" "$NDISTINCT"'
ok_if "... without a second source row per path" \
	eval 'DB=$P sql_is "SELECT count(*) FROM item_sources" "$NDISTINCT"'

# The size limit: a clear line, nothing of the file written.
mkdir big
cp ref/noise.png big/noise2.png
printf 'x' >>big/noise2.png	# other bytes: not in the store yet
convert -size 20x20 xc:red big/small.png
Q=$T/limit.accord
"$ACCORD" init "$Q" $INIT >/dev/null
run "$ACCORD" import "$Q" big --store-media --max-size 1M
ok_if "a file over --max-size fails in one line naming it and the limit" \
	eval 'rc_is 1 && err_lines 1 && err_has "big/noise2.png: file is [0-9]* bytes, over the 1048576-byte limit"'
ok_if "... nothing of it is written, the small one is" \
	eval 'DB=$Q sql_is "SELECT count(*) FROM items" 1 && DB=$Q sql_is "SELECT count(*) FROM media_blobs" 1'
run "$ACCORD" import "$Q" big --max-size 3G
ok_if "--max-size above 2G is a usage error" eval 'rc_is 2 && err_lines 1'

# A schema 5 store (this accord's schema without the media tables and
# schema 7's labels.view) migrates when opened, and can keep media then.
V5=$T/v5.accord
"$ACCORD" init "$V5" $INIT >/dev/null
"$ACCORD" import "$V5" src >/dev/null
NEWEST=$(sqlite3 "$V5" "PRAGMA user_version")
sqlite3 "$V5" "ALTER TABLE labels DROP COLUMN view; DROP TABLE media_chunks; DROP TABLE media_blobs; PRAGMA user_version = 5"
ok_if "a schema 5 store is made" eval 'DB=$V5 sql_is "PRAGMA user_version" 5'
run "$ACCORD" import "$V5" src --store-media
ok_if "a schema 5 store migrates on open and keeps the media" \
	eval 'rc_is 0 && DB=$V5 sql_is "PRAGMA user_version" "$NEWEST" && DB=$V5 sql_is "SELECT count(*) FROM media_blobs" "$NDISTINCT"'
rm -rf src
run "$ACCORD" check "$V5"
ok_if "... and checks clean with the files gone" rc_is 0

# Audio: sox's WAV, FLAC and Ogg Vorbis.
mkdir -p au aref
sox -n -r 16000 -c 1 au/tone.wav synth 0.5 sine 440
sox -n -r 22050 -c 2 au/chirp.flac synth 0.75 sine 200-2000
sox -n -r 16000 -c 1 au/noise.ogg synth 0.4 whitenoise vol 0.3 2>/dev/null ||
	rm -f au/noise.ogg
cp au/* aref/
NAU=$(ls au | wc -l)
A=$T/a.accord
"$ACCORD" init "$A" --task t --media audio --classes ok,bad --overlap 1 \
	--guideline "$S/guideline-audio.md" >/dev/null
run "$ACCORD" import "$A" au --store-media
ok_if "audio import --store-media keeps $NAU clips" \
	eval 'rc_is 0 && DB=$A sql_is "SELECT count(*) FROM media_blobs" "$NAU"'
rm -rf au
labels "$NAU" >"$T/ascript"
run "$ACCORD" label "$A" --script "$T/ascript" --media
ok_if "audio labels with the files gone, durations from the stored bytes" \
	eval 'rc_is 0 && out_has "	0.500s$" && out_has "	0.750s$"'
run "$ACCORD" export "$A" --out "$T/ax" --format audiofolder --split 100/0/0
NDISTINCT=$NAU
ok_if "audiofolder export writes the stored clips byte for byte" \
	eval 'rc_is 0 && mv ref ref.img && mv aref ref && exported_same "$T/ax"; _r=$?; mv ref aref; mv ref.img ref; [ $_r -eq 0 ]'
NDISTINCT=$(ls ref | wc -l)

# --- PostgreSQL -----------------------------------------------------------

. "$ROOT/tests/pglib.sh"
pg_start
LAB=$(test_user lab)
SME=$(test_user sme)
OUT=$(test_user out)
pg_login "$LAB" "$SME" "$OUT" || skip_all "members are real OS users: $WHY"
chmod 777 "$T"
uri() { echo "postgresql:///$1?host=$PGHOST&port=$PGPORT"; }
acc() { as "$PG_SUPER" "$ACCORD" "$@"; }
psql_as "$PG_SUPER" postgres "CREATE DATABASE media"
U=$(uri media)
run acc init "$U" $INIT
ok_if "init URI" rc_is 0
run acc member "$U" add "$LAB" --role labeler
ok_if "a labeler is added" rc_is 0
run acc member "$U" add "$SME" --role sme
ok_if "an SME is added" rc_is 0

# The media directory: the importing admin's alone.
MD=$T/pgmedia
mkdir -p "$MD/sub" "$MD/paths"
cp ref/* "$MD/"
cp ref/grad.png "$MD/sub/grad-copy.png"
convert -size 30x20 xc:blue "$MD/paths/only-a-path.png"
chown -R "$PG_SUPER" "$MD"
chmod -R go-rwx "$MD"
run as "$LAB" cat "$MD/grad.png"
ok_if "the labeler cannot read the media directory" eval '! rc_is 0'
run as "$SME" cat "$MD/grad.png"
ok_if "nor can the SME" eval '! rc_is 0'
run acc import "$U" "$MD/grad.png" "$MD/disc.jpg" "$MD/noise.png" \
	--store-media --batch stored
ok_if "import --store-media on PostgreSQL" \
	eval 'rc_is 0 && out_has "media stored: $NDISTINCT new contents"'
psql_as "$PG_SUPER" media "SELECT (SELECT count(*) FROM accord.media_blobs) || ' ' || (SELECT count(*) FROM accord.media_chunks)"
ok_if "one blob per content, in 1 MiB chunks" out_has "^$NDISTINCT $NCHUNKS$"
run acc import "$U" "$MD/paths" --batch paths
ok_if "one more item by path only" rc_is 0

labels "$NDISTINCT" >"$T_SHARED/script"
chmod 644 "$T_SHARED/script"
# label_as USER WHO: the stored batch, then the path-only one, as USER.
label_as() {
	run as "$1" "$ACCORD" label "$U" --batch stored --script "$T_SHARED/script" --media
	ok_if "$2 labels the stored items without reading the files" \
		eval 'rc_is 0 && [ "$(wc -l <"$T/out")" -eq "$NDISTINCT" ] && out_has "	1100x1000$"'
	run as "$1" "$ACCORD" label "$U" --batch paths --script "$T_SHARED/script" --media
	ok_if "... but not the item the store has only the path of (one line)" \
		eval 'rc_is 1 && err_lines 1 && err_has "cannot read the file"'
}
# A labeler takes items through the queue on PostgreSQL.  Where this
# build's queue does not let one (it reads the SMEs' counts and writes
# leases itself), that is a skip, and the admin labels instead, from a
# host (here: a moment) where the files are gone.
run as "$LAB" "$ACCORD" label "$U" --batch stored --script /dev/null
if rc_is 1 && err_has "needs the sme role"; then
	skip "a labeler (peer auth) who cannot read the files labels stored media on PostgreSQL" \
	    "this build's queue refuses labelers on PostgreSQL: $(cut -d: -f4- "$T/err" | head -c 100)"
	mv "$MD" "$T/gone"
	label_as "$PG_SUPER" "the admin, with the files gone,"
	mv "$T/gone" "$MD"
else
	label_as "$LAB" "a labeler (peer auth) who cannot read the files"
fi
psql_as "$LAB" media "SELECT count(*) FROM accord.media_chunks"
ok_if "a member reads the stored chunks" eval 'rc_is 0 && out_has "^$NCHUNKS$"'
psql_as "$LAB" media "INSERT INTO accord.media_blobs (sha256, bytes, parts, stored_by, stored_at) VALUES (repeat('a', 64), 0, 0, current_user, 'now')"
ok_if "a labeler cannot store media" eval '! rc_is 0 && err_has "permission denied\|row-level security"'
psql_as "$OUT" media "SELECT count(*) FROM accord.media_chunks"
ok_if "a non-member reads nothing" eval '! rc_is 0'
psql_as "$PG_SUPER" media "UPDATE accord.media_chunks SET part = part"
ok_if "nobody changes stored bytes, the superuser included" err_has "never changed"

# Export and check as an SME who cannot read the files (peer auth).
run as "$SME" "$ACCORD" export "$U" --out "$T_SHARED/px" --format imagefolder --split 100/0/0
ok_if "export on PostgreSQL, by an SME who cannot read the files, writes the stored ones" \
	eval 'rc_is 0 && out_has "$NDISTINCT written out of the store"'
ok_if "... byte for byte the originals" exported_same "$T_SHARED/px"
run as "$SME" "$ACCORD" check "$U"
ok_if "check by the SME: the stored items intact, the path-only one unreadable" \
	eval 'rc_is 1 && out_has "$NDISTINCT kept in the store, 0 damaged" && [ "$(grep -c "^unreadable" "$T/out")" -eq 1 ]'
# The files go away: the admin's check says the same, missing.
mv "$MD" "$T/gone"
run acc check "$U"
ok_if "check on PostgreSQL with the files gone: only the path-only item missing" \
	eval 'rc_is 1 && out_has "$NDISTINCT kept in the store, 0 damaged" && [ "$(grep -c "^missing" "$T/out")" -eq 1 ]'

# The same bytes again under other names: stored once.  (After the
# export: on PostgreSQL a duplicate uses up an item id, and this build's
# export reads items with gaps in their ids through SQLite's INDEXED BY.)
mv "$T/gone" "$MD"
run acc import "$U" "$MD/sub" "$MD/noise.png" --store-media --batch again
psql_as "$PG_SUPER" media "SELECT (SELECT count(*) FROM accord.media_blobs) || ' ' || (SELECT count(*) FROM accord.media_chunks) || ' ' || (SELECT count(*) FROM accord.items)"
ok_if "the same bytes imported again under other names: no new blob or chunk" \
	out_has "^$NDISTINCT $NCHUNKS $((NDISTINCT + 1))$"
ITEM=$(as "$PG_SUPER" psql -X -At -d media -c "SELECT id FROM accord.items WHERE sha256 = '$(sha256sum ref/disc.jpg | cut -c1-64)'")
psql_as "$PG_SUPER" media "SET session_replication_role = replica; UPDATE accord.media_chunks SET data = '\\x00'::bytea || substring(data from 2) WHERE part = 0 AND sha256 = (SELECT sha256 FROM accord.items WHERE id = $ITEM)"
ok_if "the superuser damages a copy behind the triggers" rc_is 0
run acc check "$U"
ok_if "check on PostgreSQL names the item whose copy is damaged" \
	eval 'rc_is 1 && [ "$(grep -c "^damaged" "$T/out")" -eq 1 ] && out_has "(item $ITEM): the stored copy hashes to"'

# PostgreSQL's migration 2 on a schema 1 database with a project in it,
# and the later ones after it (the security SQL is the newest schema's).
SCHEMA_SQL=$ROOT/build/asan/pg/schema_sql
if ! [ -x "$SCHEMA_SQL" ]; then
	skip "PostgreSQL migration 2 on a schema 1 database" "build $SCHEMA_SQL first (make build/asan/pg/schema_sql)"
	exit 0
fi
psql_as "$PG_SUPER" postgres "CREATE DATABASE old"
OWNER=$("$SCHEMA_SQL" role old owner)
{
	pg_schema1 old
	echo "COMMIT;"
	echo "BEGIN; SET LOCAL ROLE $OWNER; SET LOCAL search_path = accord, pg_catalog;"
	v=2
	while "$SCHEMA_SQL" migration $v 2>/dev/null; do v=$((v + 1)); done
	"$SCHEMA_SQL" security old
	echo "COMMIT;"
} >"$T_SHARED/old.sql"
chmod 644 "$T_SHARED/old.sql"
as "$PG_SUPER" psql -X -q -v ON_ERROR_STOP=1 -d old -f "$T_SHARED/old.sql" >"$T/out" 2>"$T/err"
RC=$?
ok_if "migrations 2 on apply to a schema 1 database in one transaction" rc_is 0
run acc import "$(uri old)" "$MD/grad.png" "$MD/disc.jpg" --store-media
ok_if "... which then keeps media" \
	eval 'rc_is 0 && out_has "media stored: 2 new contents"'
LATEST=$("$SCHEMA_SQL" migrations | sed -n 's/^UPDATE schema_version SET version = \([0-9]*\);$/\1/p' | tail -n 1)
psql_as "$PG_SUPER" old "SELECT version FROM accord.schema_version"
ok_if "... at the newest schema version ($LATEST)" \
	eval '[ -n "$LATEST" ] && [ "$LATEST" -ge 2 ] && out_has "^$LATEST\$"'
