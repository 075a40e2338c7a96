# The rest of the commands on both stores: the same history written into a
# SQLite file and into a PostgreSQL database of a throwaway cluster
# (tests/pglib.sh), command by command, and every report read back from
# both (tests/cmd/pg_store.sh has status, agree, items, check, labels dump
# and a plain export).  Each step's output and status must be the same on
# both stores, the store's name and the times aside:
#
# - a second import batch with its own metrics, guideline edit/show/log/
#   diff, gold add/remove/list, config set/list, adjudicate (class,
#   ambiguous, relabel), errors (a predictions import, its report by tag,
#   by batch and by a metadata key, JSON and HTML), drift (text, JSON,
#   HTML), agree --html, export in every format, layout and method,
#   items --json and labels dump --json;
# - an audio project: import (decoded metrics as numbers), labels, agree,
#   export --format audiofolder.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/pglib.sh"

need_commands psql cmp sed convert
pg_start
chmod 777 "$T"

S=$ROOT/assets/demo
uri() { echo "postgresql:///$1?host=$PGHOST&port=$PGPORT"; }
acc() { as "$PG_SUPER" "$ACCORD" "$@"; }
for d in img aud; do
	psql_as "$PG_SUPER" postgres "CREATE DATABASE $d"
	[ "$RC" -eq 0 ] || { fail "CREATE DATABASE $d" "$(cat "$T/err")"; exit 1; }
done

# Files both stores read: a second batch of 24 images whose brightness
# and noise differ from the demo's, a new guideline text, predictions of a
# made-up model (the truth, wrong on every fourth item), labels for the
# second batch.
M=$T_SHARED/more
mkdir -p "$M"
i=0
while [ $i -lt 24 ]; do
	convert -size 40x30 "xc:gray$((30 + i * 2))" -attenuate 0.$((i % 9 + 1)) \
	    +noise Gaussian "$M/m$i.png" || { fail "convert"; exit 1; }
	i=$((i + 1))
done
{
	echo "file,labeler,class,seconds,note"
	i=0
	while [ $i -lt 24 ]; do
		for l in ann ben cid; do
			c=ok
			[ $((i % 3)) -eq 0 ] && c=dent
			[ $l = cid ] && [ $((i % 4)) -eq 0 ] && c=scratch
			echo "$M/m$i.png,$l,$c,$((i % 7 + 1)).5,"
		done
		i=$((i + 1))
	done
} >"$T_SHARED/more-labels.csv"
awk -F, 'NR > 1 { c = $2; if (NR % 4 == 0) c = (c == "ok" ? "dent" : "ok")
	printf "%s,%s,0.%d\n", $1, c, NR % 10 }' "$S/truth-images.csv" |
	{ echo "path,class,score"; cat; } >"$T_SHARED/preds.csv"
sed '$a\
A line added in version 2: dents deeper than 1 mm are dents, not scratches.' \
	"$S/guideline-images.md" >"$T_SHARED/guide2.md"
# Relabels in bulk (each supersedes a label in force) and a new labeler,
# in one import: the counts it moves are checked by check and status.
awk -F, 'NR == 1 { print "file,labeler,class" }
	NR > 1 && NR <= 31 && $2 == "alice" {
		print $1 ",alice," (NR % 2 ? "dent" : "unsure")
		if (NR <= 13) print $1 ",dave,ok" }' \
	"$S/labels-images.csv" >"$T_SHARED/relabel.csv"
chmod -R a+rX "$T_SHARED"
(cd "$S" && tar cf - images) | (cd "$T_SHARED" && tar xf -)
cp "$S/images.csv" "$S/labels-images.csv" "$S/truth-images.csv" "$T_SHARED/"
chmod -R a+rX "$T_SHARED"

DB=$T/i.accord
U=$(uri img)
INIT="--task defects --media image --classes ok,scratch,dent --borderline unsure --overlap 3 --guideline $S/guideline-images.md"
for d in "$DB" "$U"; do
	acc init "$d" $INIT >/dev/null 2>"$T/err.init" ||
		{ fail "init $d" "$(cat "$T/err.init")"; exit 1; }
done
chmod 666 "$DB"
chmod 777 "$T"

# same2 NAME CMD SUB ARGS...: as same, for the commands whose store comes
# after a subcommand (accord labels import DB FILE).
same2() {
	_n=$1
	_c2=$2
	_s2=$3
	shift 3
	acc() { as "$PG_SUPER" "$ACCORD" "$_c2" "$_s2" "$@"; }
	same "$_n" "" "$@"
	acc() { as "$PG_SUPER" "$ACCORD" "$@"; }
}

# Writes, each on both stores in turn, each compared.
same "import of the demo batch" import --meta "$T_SHARED/images.csv" --batch demo "$T_SHARED/images"
same "import of a second batch" import --batch more "$M"
same2 "labels import" labels import "$T_SHARED/labels-images.csv"
same2 "labels import of the second batch" labels import "$T_SHARED/more-labels.csv"
same2 "labels import of relabels and a new labeler" labels import "$T_SHARED/relabel.csv"
same "check after the relabels (the derived counts)" check
same "guideline edit --file" guideline edit --file "$T_SHARED/guide2.md" --reason "deep dents"
same "gold add" gold add 1 dent
same "gold add of a second item" gold add 2 scratch
same "gold remove" gold remove 2
same "config overlap" config overlap 2
same "config gold-rate as a percentage" config gold-rate 10%
same "adjudicate two items with a class" adjudicate 3 4 --class dent --note "checked under a lamp"
same "adjudicate ambiguous" adjudicate 5 --ambiguous --note "two defects"
same "adjudicate relabel" adjudicate 6 --relabel
SAME_RC=1
same "a bad adjudicate: unknown class, one line" adjudicate 7 --class nope
SAME_RC=0
same "errors imports predictions" errors --predictions "$T_SHARED/preds.csv" --run m1 --bootstrap 100

# Reads.
same "guideline show" guideline show
same "guideline show --version 1" guideline show --version 1
same "guideline log" guideline log
same "guideline diff 1 2" guideline diff 1 2
same "gold list" gold list
same "config list" config
same "config get" config gold-rate
same "status after all that" status --json
same "agree" agree --bootstrap 200
same "agree by batch" agree --by batch --bootstrap 0
same "agree --json by version" agree --json --guideline all --bootstrap 50
same "errors of the stored run" errors --run m1 --bootstrap 100
same "errors by batch" errors --run m1 --by batch --bootstrap 0
same "errors --json by camera" errors --run m1 --by camera --json --bootstrap 50
same "calibration of the majority" calibration
same "calibration --json of dawid-skene" calibration --method dawid-skene --json
same "drift between the batches" drift --from demo --to more
same "drift --json" drift --from demo --to more --json
same "items --json" items --json
same "items of the second batch" items --where batch=more
same "check" check
run acc backup "$U" "$T_SHARED/b.accord"
ok_if "backup of a PostgreSQL store is refused in one line naming pg_dump, nothing written" \
	eval 'rc_is 1 && err_lines 1 && err_has pg_dump && [ ! -e "$T_SHARED/b.accord" ] && [ ! -e "$T_SHARED/b.accord.tmp" ]'
acc labels dump "$DB" --json >"$T/a"
acc labels dump "$U" --json >"$T/b"
sed -i "s|$U|STORE|g; s|$DB|STORE|g; s/20[0-9-]*T[0-9:.]*Z/TIME/g" "$T/a" "$T/b"
ok_if "labels dump --json is the same" cmp -s "$T/a" "$T/b"

# HTML pages: the same page, the store's name and times aside.
html_same() {
	_n=$1
	shift
	_c=$1
	shift
	acc $_c "$DB" "$@" --html "$T_SHARED/a.html" >/dev/null 2>&1
	_ra=$?
	acc $_c "$U" "$@" --html "$T_SHARED/b.html" >/dev/null 2>&1
	_rb=$?
	for f in a b; do
		sed "s|$(echo "$U" | sed 's/&/\\&amp;/g')|STORE|g; s|$U|STORE|g; s|$DB|STORE|g; s/20[0-9-]*T[0-9:.]*Z/TIME/g; s/20[0-9-]* [0-9:]* UTC/TIME/g" \
		    "$T_SHARED/$f.html" >"$T/$f.html" 2>/dev/null
	done
	if [ "$_ra" -eq 0 ] && [ "$_rb" -eq 0 ] && [ -s "$T/a.html" ] &&
	    cmp -s "$T/a.html" "$T/b.html"; then
		pass "$_n"
	else
		fail "$_n" "status $_ra/$_rb; $(diff "$T/a.html" "$T/b.html" | head -4 | cut -c1-200 | tr '\n' '|')"
	fi
	rm -f "$T_SHARED/a.html" "$T_SHARED/b.html"
}
html_same "agree --html" agree --by camera --bootstrap 100
html_same "errors --html" errors --run m1 --bootstrap 100
html_same "drift --html" drift --from demo --to more
html_same "calibration --html" calibration --bins 5

# Exports: every format, layout and method.  The files must be the same;
# manifest.json names the store, its times and the hashes of the label,
# decision and gold rows (which hold the times they were made), so it is
# compared without those lines.
exp_same() {
	_n=$1
	shift
	acc export "$DB" --out "$T_SHARED/ea" "$@" >"$T/a" 2>&1
	_ra=$?
	acc export "$U" --out "$T_SHARED/eb" "$@" >"$T/b" 2>&1
	_rb=$?
	sed -i "s|$U|STORE|g; s|$DB|STORE|g; s|$T_SHARED/e[ab]|OUT|g; s/labels sha256 [0-9a-f.]*/labels sha256 ROWS/" "$T/a" "$T/b"
	for f in ea eb; do
		[ -f "$T_SHARED/$f/manifest.json" ] &&
		    grep -v -e '"store' -e '"created' -e '"time' -e '"path_of_store' \
		    -e '"checksum' -e '"snapshot' -e '_sha256"' \
		    "$T_SHARED/$f/manifest.json" >"$T/$f.manifest"
		rm -f "$T_SHARED/$f/manifest.json"
	done
	if [ "$_ra" -eq 0 ] && [ "$_rb" -eq 0 ] && cmp -s "$T/a" "$T/b" &&
	    diff -r "$T_SHARED/ea" "$T_SHARED/eb" >/dev/null &&
	    cmp -s "$T/ea.manifest" "$T/eb.manifest"; then
		pass "$_n"
	else
		fail "$_n" "status $_ra/$_rb; $(diff "$T/a" "$T/b" | head -3 | tr '\n' '|') $(diff -r "$T_SHARED/ea" "$T_SHARED/eb" | head -3 | tr '\n' '|') $(diff "$T/ea.manifest" "$T/eb.manifest" | head -3 | tr '\n' '|')"
	fi
	rm -rf "$T_SHARED/ea" "$T_SHARED/eb"
}
exp_same "export jsonl, adjudicated with a split" --format jsonl --split 70/15/15 --seed 4
exp_same "export imagefolder by class" --format imagefolder --layout by-class --split 80/20
exp_same "export by majority, borderline kept" --method majority --include-borderline
exp_same "export by Dawid-Skene, a confidence floor" --method dawid-skene --min-confidence 0.8
exp_same "export grouped by camera" --group-by camera --split 60/20/20 --seed 9

# An audio project: decoded metrics (durations, levels) are numbers on both.
DB=$T/a.accord
U=$(uri aud)
(cd "$S" && tar cf - audio) | (cd "$T_SHARED" && tar xf -)
cp "$S/audio.csv" "$S/labels-audio.csv" "$T_SHARED/"
chmod -R a+rX "$T_SHARED"
AINIT="--task noise --media audio --classes clean,noisy,clipped --borderline unsure --overlap 3"
for d in "$DB" "$U"; do
	acc init "$d" $AINIT >/dev/null 2>"$T/err.init" ||
		{ fail "init $d" "$(cat "$T/err.init")"; exit 1; }
done
chmod 666 "$DB"
same "audio import" import --meta "$T_SHARED/audio.csv" --batch a "$T_SHARED/audio"
same2 "audio labels import" labels import "$T_SHARED/labels-audio.csv"
same "audio items" items
same "audio agree by a decoded metric" agree --by duration_s --bootstrap 100
same "audio agree --json by speaker" agree --json --by speaker --bootstrap 0
exp_same "audio export, audiofolder grouped by speaker" --format audiofolder --group-by speaker --split 70/30
same "audio check" check
