# Every command's --json (and export's manifest) on a project of hostile
# numbers parses strictly: no NaN, Infinity or -Infinity tokens, and no
# number that only parses to an infinity (1e400), anywhere.  The hostile
# project: metadata values at the ends of the double range (1e308,
# -1.7e308, 1.7976931348623157e308, the smallest denormal 4.9e-324),
# -0, 2^63 - 1, and the words nan, inf and Infinity as text; labels that
# leave some figures undefined (an item with one label, one labeler alone
# on another); gold on some items; predictions with scores of 1e308.
. "$(dirname "$0")/../lib.sh"

PY=/usr/bin/python3
DB=$T/p.accord
mkdir -p "$T/a" "$T/b"
n=0
for f in "$ROOT"/assets/demo/images/img_0[0-1]*; do
	n=$((n + 1))
	if [ $((n % 2)) -eq 0 ]; then cp "$f" "$T/a/"; else cp "$f" "$T/b/"; fi
done
# Per item: big, tiny, word, long; a and b differ so drift has shifts.
$PY - "$T" <<'PY'
import os, sys
t = sys.argv[1]
big = ["1e308", "1.7976931348623157e308", "-1.7e308", "-0"]
tiny = ["4.9e-324", "-4.9e-324", "2.2250738585072014e-308", "0"]
word = ["nan", "inf", "Infinity", "-inf"]
for side in "ab":
    files = sorted(os.listdir(t + "/" + side))
    with open(t + "/%s.csv" % side, "w") as m:
        m.write("file,big,tiny,word,long\n")
        for i, f in enumerate(files):
            m.write("%s,%s,%s,%s,%s\n" % (f, big[(i + (side == "b")) % 4],
                    tiny[i % 4], word[i % 4],
                    "9223372036854775807" if side == "a" else "-9223372036854775808"))
files = sorted(os.listdir(t + "/a")) + sorted(os.listdir(t + "/b"))
classes = ["ok", "scratch", "dent"]
with open(t + "/labels.csv", "w") as l, open(t + "/preds.csv", "w") as p:
    l.write("file,labeler,class\n")
    p.write("path,class,score\n")
    for i, f in enumerate(files):
        who = ["l1", "l2", "l3"] if i % 5 else ["l1"]
        if i == 7:
            who = ["l4"]
        for k, u in enumerate(who):
            l.write("%s,%s,%s\n" % (f, u, classes[(i + (k == 2 and i % 3 == 0)) % 3]))
        p.write("%s,%s,%s\n" % (f, classes[(i + (i % 4 == 0)) % 3], "1e308" if i % 2 else "-1e308"))
PY
"$ACCORD" init "$DB" --task hostile --media image --classes ok,scratch,dent >/dev/null &&
	"$ACCORD" import "$DB" "$T/a" --meta "$T/a.csv" --batch ba >/dev/null 2>&1 &&
	"$ACCORD" import "$DB" "$T/b" --meta "$T/b.csv" --batch bb >/dev/null 2>&1 &&
	"$ACCORD" labels import "$DB" "$T/labels.csv" >/dev/null ||
	fail "the hostile project" "$(cat "$T/err" 2>/dev/null)"
# Gold on every third item, its class as labeled by l1.
sqlite3 "$DB" "INSERT INTO gold(item, class, user, created_at)
	SELECT l.item, l.class, 'sme', '2026-12-03T00:00:00Z' FROM labels l
	WHERE l.labeler = 'l1' AND l.item % 3 = 0"
ok_if "project: 20 items, labels, gold" sql_is \
	"SELECT (SELECT count(*) FROM items) > 10 AND (SELECT count(*) FROM gold) > 2" "1"

cat >"$T/strict.py" <<'PY'
import json, math, sys
def bad(c):
    raise ValueError("non-finite token " + c)
def walk(v, path):
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError("number that is not finite at " + path)
    if isinstance(v, dict):
        for k, x in v.items():
            walk(x, path + "." + k)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            walk(x, "%s[%d]" % (path, i))
text = open(sys.argv[1]).read()
n = 0
for line in (text.splitlines() if sys.argv[2:] == ["lines"] else [text]):
    if line.strip():
        walk(json.loads(line, parse_constant=bad), "$")
        n += 1
assert n > 0, "no JSON"
PY

strict() {
	name=$1
	shift
	run "$@"
	ok_if "$name: exit 0, strict JSON" sh -c "[ $RC -eq 0 ] && $PY '$T/strict.py' '$T/out' ${LINES_MODE:-}"
}
strict "status --json" "$ACCORD" status "$DB" --json
LINES_MODE=lines strict "items --json" "$ACCORD" items "$DB" --json
LINES_MODE=lines strict "labels dump --json" "$ACCORD" labels dump "$DB" --json
strict "check --json" "$ACCORD" check "$DB" --json
strict "agree --json --guideline all --by big" "$ACCORD" agree "$DB" --json --guideline all --by big
strict "agree --json --by tiny" "$ACCORD" agree "$DB" --json --by tiny
strict "agree --json --by long" "$ACCORD" agree "$DB" --json --by long
strict "drift --json" "$ACCORD" drift "$DB" --from ba --to bb --json
strict "errors --json --by big" "$ACCORD" errors "$DB" --predictions "$T/preds.csv" --by big --json
strict "errors --json --by word" "$ACCORD" errors "$DB" --run preds --by word --json
strict "calibration --json" "$ACCORD" calibration "$DB" --json
strict "calibration --json, dawid-skene" "$ACCORD" calibration "$DB" --method dawid-skene --json
for m in majority dawid-skene; do
	run "$ACCORD" export "$DB" --out "$T/x-$m" --method "$m" --format jsonl
	ok_if "export --method $m: manifest and labels are strict JSON" sh -c \
		"[ $RC -eq 0 ] && $PY '$T/strict.py' '$T/x-$m/manifest.json' &&
		for f in '$T'/x-$m/*.jsonl; do $PY '$T/strict.py' \"\$f\" lines || exit 1; done"
done
# The text says why a figure is missing, and never prints inf or nan for
# a number (the metadata words are data: items and labels are left out).
for c in "agree $DB --by big" "drift $DB --from ba --to bb" "errors $DB --run preds --by big" "calibration $DB"; do
	# shellcheck disable=SC2086
	run "$ACCORD" $c
	ok_if "$(echo "$c" | cut -d' ' -f1) text: no inf or nan" sh -c \
		"[ $RC -eq 0 ] && ! grep -Eiq '(^|[^a-z])(-?inf|nan)([^a-z]|$)' '$T/out'"
done
run "$ACCORD" agree "$DB" --by big
ok_if "agree text: an undefined figure says why" grep -q 'undefined (' "$T/out"
