# accord stats end to end: the dashboard in a real terminal (a private tmux
# server, tests/e2e/tmux.lib) as real OS users, its figures read off the
# screen and compared with accord agree --json for each guideline version.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/e2e/tmux.lib"

PY=/usr/bin/python3
need_commands tmux runuser sqlite3 $PY
SME=$(test_user sme)
LAB=$(test_user l1)
ensure_user $SME $LAB || skip_all "the screens run as real OS users: $WHY"
trap 'tm_stop; lib_cleanup' EXIT
export LC_ALL=C.UTF-8
chmod 777 "$T"
DB=$T/p.accord
q1() { sqlite3 -batch -noheader "$DB" "$1"; }

# --- the project: labels under guideline v1, a v2, relabels under v2 ------
# Version 1 is the demo's 180 labels of alice, bob and carol, made on
# 2024-03-04..08.  Version 2 is added the way core/project.c writes
# version 1 (a guidelines row and its guideline_classes), since no command
# in this tree adds one; then the three relabel the first 24 items under
# it on 2024-03-11..13, agreeing more.
"$ACCORD" init "$DB" --task "e2e stats" --media image \
    --classes ok,scratch,dent --borderline unsure >/dev/null &&
    chmod 666 "$DB" &&
    "$ACCORD" member "$DB" add $SME --role sme >/dev/null &&
    "$ACCORD" member "$DB" add $LAB >/dev/null &&
    "$ACCORD" import "$DB" "$ROOT/assets/demo/images" >/dev/null
$PY - "$ROOT/assets/demo/labels-images.csv" "$T" <<'PY'
import csv, sys, os
rows = list(csv.DictReader(open(sys.argv[1])))
root = os.path.dirname(sys.argv[1])
with open(os.path.join(sys.argv[2], "v1.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["file", "labeler", "class", "guideline", "time"])
    for i, r in enumerate(rows):
        w.writerow([os.path.join(root, r["file"]), r["labeler"], r["class"],
                    1, "2024-03-%02dT10:00:00Z" % (4 + i % 5)])
# v2: items 1..24; on items 1..20 all three agree (the majority class of
# v1, or alice's when all differ); on 21..24 carol still says unsure.
by = {}
for r in rows:
    by.setdefault(r["file"], {})[r["labeler"]] = r["class"]
files = sorted(by)[:24]
with open(os.path.join(sys.argv[2], "v2.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["file", "labeler", "class", "guideline", "time"])
    for i, fn in enumerate(files):
        ks = list(by[fn].values())
        top = max(set(ks), key=lambda k: (ks.count(k), k == by[fn]["alice"]))
        for lab in ("alice", "bob", "carol"):
            k = "unsure" if i >= 20 and lab == "carol" else top
            if i >= 20 and lab != "carol" and k == "unsure":
                k = "ok"
            w.writerow([os.path.join(root, fn), lab, k, 2,
                        "2024-03-%02dT09:30:00+01:00" % (11 + i % 3)])
PY
"$ACCORD" labels import "$DB" "$T/v1.csv" >/dev/null &&
q1 "INSERT INTO guidelines (version, text, author, created_at, reason)
    SELECT 2, text || char(10) || 'Version 2: a mark you cannot decide on is unsure only when two experts would disagree.',
    'root', '2024-03-10T08:00:00Z', 'borderline redefined' FROM guidelines
    WHERE version = 1;
    INSERT INTO guideline_classes (version, class, description)
    SELECT 2, class, description FROM guideline_classes WHERE version = 1;" &&
"$ACCORD" labels import "$DB" "$T/v2.csv" >/dev/null
ok_if "set-up: 60 items, labels under guideline versions 1 and 2" sql_is \
	"SELECT group_concat(guideline || ':' || n) FROM (SELECT guideline,
	    count(*) n FROM current_labels GROUP BY guideline ORDER BY 1)" \
	"1:108,2:72"

for v in 1 2; do
	"$ACCORD" agree "$DB" --json --guideline $v --bootstrap 200 --seed 1 \
	    >"$T/agree$v.json"
done
"$ACCORD" agree "$DB" --json --bootstrap 200 --seed 1 >"$T/agree0.json"

# --- a labeler is refused ---------------------------------------------------
tm_start lab $LAB -- stats "$DB"
tm_exited lab
check "a labeler's accord stats exits 1" 1 "$TM_RC"
check "with one line saying the dashboard needs the sme role" "1|1" \
	"$(wc -l <"$T/lab.err")|$(grep -c "the stats dashboard needs the sme role ($LAB is labeler)" "$T/lab.err")"
check "and writes nothing to the terminal" 0 \
	"$(sed 's/\[exit [0-9]*\]//' "$T/lab.raw" | tr -d '\r\n' | wc -c)"
check "the refusal is audited under the real OS user" 1 \
	"$(q1 "SELECT count(*) FROM audit WHERE user = '$LAB' AND action = 'refused'")"

# --- the SME's dashboard ----------------------------------------------------
tm_start s $SME -- stats "$DB" --seed 1
if tm_wait s "computed in" 30; then
	pass "the SME's dashboard starts and computes"
else
	fail "the SME's dashboard starts and computes" "screen: $(tm_screen s |
	    grep -v '^ *$' | head -n 3 | tr '\n' '|') err: $(head -c 300 "$T/s.err")"
fi
check "it says computing... while it computes" 1 \
	"$(grep -c 'computing\.\.\.' "$T/s.raw" | sed 's/^[1-9][0-9]*$/1/')"
check_screen "the status bar names the filter and the bootstrap" 1 \
	eval 'tm_line s 0 | grep -c "accord stats | e2e stats | guideline: all | bootstrap 200, seed 1"'

# figures PANEL-ARGS: compare the screen (stdin) with the JSON files.
figures() {
	tm_screen s | $PY "$ROOT/tests/e2e/stats_check.py" "$T" "$@"
}
check_screen "versions panel: v1, v2 and all rows equal accord agree --guideline V --json" \
	ok figures versions
check_screen "versions panel: kappa and HLP sparklines show each version's level" \
	ok figures sparklines

tm send-keys -t s Tab
check_screen "Tab: the classes panel equals accord agree (all versions)" \
	ok figures classes 0
tm send-keys -t s Tab
check_screen "Tab: the labelers panel equals accord agree (all versions)" \
	ok figures labelers 0
tm send-keys -t s v
check_screen "v: the filter is guideline v1" 1 \
	eval 'tm_line s 0 | grep -c "guideline: v1 "'
check_screen "labelers under v1 equal accord agree --guideline 1" \
	ok figures labelers 1
tm send-keys -t s v
tm send-keys -t s Left
check_screen "v again: v2; Left: classes under v2 equal --guideline 2" \
	ok figures classes 2
tm send-keys -t s v
check_screen "v again: back to all versions" 1 \
	eval 'tm_line s 0 | grep -c "guideline: all "'

tm send-keys -t s 4
check_screen "4: the trend by day equals each day's items computed independently" \
	ok figures trend
tm send-keys -t s Right
check_screen "Right: the hot list shows the most disagreed item first, with its labels" \
	ok figures hot
tm send-keys -t s Down
check_screen "Down selects the second hot item (reverse video)" 1 \
	eval 'tm_cells s | awk '\''$1 == 4 && $2 == 12 { print ($6 ~ /r/) ? 1 : 0 }'\'''
id=$(tm_screen s | sed -n 5p | awk '{ print $2 }' | xargs -I{} sqlite3 "$DB" \
	"SELECT id FROM items WHERE path = '{}'")
# Enter shows accord review's screen for the item; q comes back.
tm send-keys -t s Enter
tm_gone s "accord stats |" 10
check_screen "Enter hands the terminal to accord review" 1 \
	eval "tm_line s 0 | grep -c ' accord | review | '"
tm send-keys -t s q
check_screen "q there comes back to the dashboard, which says so" 1 \
	eval "tm_screen s | grep -c 'accord review --item $id exited with status 0'"
check_screen "after the child the dashboard is redrawn whole" 1 \
	eval 'tm_line s 1 | grep -c "5 hot list"'

# r recomputes: new labels appear.
printf 'file,labeler,class,guideline,time\n%s,dave,unsure,2,2024-03-14T10:00:00Z\n' \
	"$ROOT/assets/demo/images/img_001.jpg" >"$T/v3.csv"
"$ACCORD" labels import "$DB" "$T/v3.csv" >/dev/null
tm send-keys -t s 1
tm send-keys -t s r
check_screen "r recomputes: the all row counts the new label (181)" 181 \
	eval 'tm_screen s | awk '\''$1 == "all" { print $3 }'\'''

# Resize.
tm resize-window -t s -x 60 -y 20
check_screen "at 60x20 the dashboard asks for a larger terminal" 1 \
	eval 'tm_screen s | grep -c "needs a larger terminal: at least 80x24"'
tm resize-window -t s -x 120 -y 40
check_screen "back at 120x40 the panel is redrawn" 1 \
	eval 'tm_screen s | grep -c "^ version  *items  *labels"'
tm send-keys -t s '?'
check_screen "? shows the keys" 1 eval 'tm_screen s | grep -c "keys (any key closes)"'
tm send-keys -t s x
tm_gone s "keys (any key closes)"
tm send-keys -t s q
tm_exited s
check "q quits with status 0" 0 "${TM_RC:-still running}"
check "nothing on stderr but the child's line" 0 \
	"$(grep -vc "unknown command 'review'" "$T/s.err")"

# ASCII when the locale is not UTF-8; no colour with NO_COLOR.
tm_start c $SME LANG=C NO_COLOR=1 -- stats "$DB" --bootstrap 0
tm_wait c "computed in" 30
check_screen "in the C locale the sparklines use the ASCII ramp" ok \
	eval 'tm_screen c | $PY "$ROOT/tests/e2e/stats_check.py" "$T" ascii'
check_screen "NO_COLOR: the sparkline cells have no colour" "def" \
	eval 'tm_cells c | awk '\''$1 == 8 && $2 == 22 { print $4 }'\'''
tm send-keys -t c q
tm_exited c
check "and q quits with status 0" 0 "${TM_RC:-still running}"

# --- keys while it computes: the figures come from a worker thread ---------
# 60,000 items x 3 labelers (180,000 label rows, written by SQL as
# labels import would) and 1,000 bootstrap replicates: a computation takes
# long enough under the sanitizers to press keys during it.
BIG=$T/big.accord
"$ACCORD" init "$BIG" --task big --media image --classes ok,scratch,dent \
    >/dev/null && chmod 666 "$BIG" &&
    "$ACCORD" member "$BIG" add $SME --role sme >/dev/null &&
    sqlite3 "$BIG" "INSERT INTO batches (name, created_by, created_at)
	VALUES ('b', 'root', 'now');
	WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n
	WHERE x < 60000) INSERT INTO items (sha256, path, kind, format, bytes,
	batch, imported_by, imported_at) SELECT printf('%064x', x), '/big/' ||
	x || '.png', 'image', 'png', 1, 1, 'root', 'now' FROM n;
	WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n
	WHERE x < 179999) INSERT INTO labels (item, labeler, class, guideline,
	created_at, origin, recorded_by) SELECT 1 + x / 3, 'l' || (x % 3),
	1 + abs(random()) % 3, 1, '2024-03-04T10:00:00Z', 'import', 'root'
	FROM n;"
tm_start b $SME -- stats "$BIG" --bootstrap 1000
if tm_wait b "computed in" 120; then
	pass "a dashboard of 180,000 labels computes"
else
	fail "a dashboard of 180,000 labels computes" "$(tm_screen b | grep -v '^ *$' | tail -n 2 | tr '\n' '|')"
fi
echo "# $(tm_screen b | grep -o 'computed in [0-9.]* s')"
tm send-keys -t b r 3
check_screen "r: while it computes, the old figures stay and 3 shows the labelers panel" 2 \
	eval 'tm_screen b | grep -c -e "computing\.\.\. (the figures shown are from" -e "^ labeler  *labels  *agree"'
ok_if "then the new figures arrive by themselves" tm_wait b "computed in" 120
# The trend comes after the first figures (each label's day is read
# then, of the same snapshot): every label was made on 2024-03-04.
tm send-keys -t b 4
ok_if "then their trend: 4 shows the one day's 60,000 items, all pairable" \
	tm_wait b "2024-03-04     60000     60000 " 120
tm send-keys -t b r
tm send-keys -t b q
tm_exited b 120
check "q during a computation waits for it and quits with status 0" 0 "${TM_RC:-still running}"
tm_stop
