# accord agree --html and terminal colours: a project with known labels
# (four labelers, one with a hostile name; a hostile class, path and
# metadata value; two guideline versions; gold items), the page checked for
# well-formedness, no network references and the figures of --json in its
# DOM, rendered in headless Chromium (screenshot not blank, charts drawn),
# atomic writing, and bars coloured on a TTY only.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
export PYTHONPATH="$ROOT/tests"
DB=$T/p.accord
EVIL_CLASS='<script>dent&amp;</script>'
EVIL_USER='mal<b>&lory'
EVIL_LINE='<b>L&3</b>'

# 25 images: 24 demo images and one under a path that is markup.
mkdir -p "$T/img/<script>alert(1)<"
i=0
for f in "$ROOT"/assets/demo/images/img_0*; do
	i=$((i + 1))
	[ $i -le 24 ] && cp "$f" "$T/img/$(printf 'i%02d' $i).${f##*.}"
	[ $i -eq 25 ] && cp "$f" "$T/img/<script>alert(1)</script>&b.${f##*.}"
done
EVIL_PATH=$(ls "$T"/img/*/script*)

# Labels: item k's truth is class k mod 4; labeler j is wrong (says the next
# class) when (7k + 3j) mod 5 == 0.  The hostile item gets four different
# labels.  alice and bob relabel items 1-12 under guideline version 2.
$PY - "$T" "$EVIL_CLASS" "$EVIL_USER" "$EVIL_LINE" <<'PY'
import csv, glob, os, sys
T, evil_class, evil_user, evil_line = sys.argv[1:]
classes = ["ok", "scratch", evil_class, "unsure"]
users = ["alice", "bob", "carol", evil_user]
items = sorted(p for p in glob.glob(T + "/img/i*"))
evil = glob.glob(T + "/img/*/script*")[0]
with open(T + "/meta.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["file", "line"])
    for k, p in enumerate(items + [evil]):
        w.writerow([p, ["L1", "L2", evil_line][k % 3]])
def rows(version, who, which):
    for k, p in enumerate(items):
        if k + 1 not in which:
            continue
        for j, u in enumerate(users):
            if u not in who:
                continue
            c = k % 4
            if (7 * k + 3 * j + version) % 5 == 0:
                c = (c + 1) % 4
            yield [p, u, classes[c], version]
with open(T + "/labels1.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["file", "labeler", "class", "guideline"])
    w.writerows(rows(1, users, range(1, 25)))
    for j, u in enumerate(users):
        w.writerow([evil, u, classes[j], 1])
with open(T + "/labels2.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["file", "labeler", "class", "guideline"])
    w.writerows(rows(2, ["alice", "bob"], range(1, 13)))
PY
setup() {
	"$ACCORD" init "$DB" --task 'defects <&> "QA"' --media image \
		--classes "ok,scratch,$EVIL_CLASS,unsure" --borderline unsure &&
	"$ACCORD" import "$DB" "$T/img" --meta "$T/meta.csv" &&
	"$ACCORD" labels import "$DB" "$T/labels1.csv" &&
	# No command adds a guideline version yet: insert the row as core
	# does (guidelines is append-only; INSERT is allowed).
	sqlite3 "$DB" "INSERT INTO guidelines(version, text, author, created_at, reason) VALUES (2, '# v2', 'root', '2026-01-01T00:00:00.000Z', 'test')" &&
	"$ACCORD" labels import "$DB" "$T/labels2.csv" &&
	sqlite3 "$DB" "INSERT INTO gold(item, class, user, created_at) SELECT id, (SELECT id FROM classes WHERE name = 'ok'), 'root', 'now' FROM items WHERE id IN (4, 8)"
}
setup >"$T/setup.log" 2>&1 || { fail "project builds" "$(tail -3 "$T/setup.log")"; exit 1; }

FLAGS="--by line --guideline all --bootstrap 200 --seed 7"
# shellcheck disable=SC2086
run "$ACCORD" agree "$DB" $FLAGS --json --html "$T/r.html"
cp "$T/out" "$T/r.json"
ok_if "--html with --json: exit 0, JSON on stdout, the page in FILE" sh -c "[ $RC -eq 0 ] && [ -s '$T/r.html' ] && $PY -c 'import json,sys; json.load(open(sys.argv[1]))' '$T/r.json' && ! grep -q '<html' '$T/r.json'"
ok_if "no temporary file left beside the page" sh -c "[ \$(ls '$T' | grep -c 'r.html.tmp') -eq 0 ]"
ok_if "the three results are v1, v2 and every version" $PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert [r['guideline'] for r in d['results']] == [1, 2, None], d['results']
" "$T/r.json"

ok_if "page is well formed, has no script and loads nothing" $PY - "$T/r.html" <<'PY'
import sys, htmlcheck
text = open(sys.argv[1], encoding="utf-8").read()
root, problems = htmlcheck.parse(text)
assert not problems, problems
refs = htmlcheck.external_refs(text)
assert not refs, refs
assert root.find_all(tag="svg"), "no svg"
PY

ok_if "every figure of --json is in the DOM (tables and charts)" $PY - "$T/r.html" "$T/r.json" <<'PY'
import json, sys, htmlcheck
root, _ = htmlcheck.parse(open(sys.argv[1], encoding="utf-8").read())
d = json.load(open(sys.argv[2]))
checked = 0
def num(cell, stat, what):
    """A td or bar holding a STAT: data-value and the shown text, or why."""
    global checked
    checked += 1
    if stat["value"] is None:
        assert cell.attrs.get("data-why") == stat["why"] or \
            "undefined (%s)" % stat["why"] in cell.text(), (what, stat, cell.attrs)
        assert "undefined (%s)" % stat["why"] in cell.text(), (what, cell.text())
        return
    assert abs(float(cell.attrs["data-value"]) - stat["value"]) < 1e-9, (what, cell.attrs, stat)
    assert "%.3f" % stat["value"] in cell.text() or \
        "%.3f" % stat["value"] in cell.find(tag="title").text(), (what, cell.text())
def ci(cell, c, what):
    global checked
    checked += 1
    if c["lo"] is None:
        assert "undefined (%s)" % c["why"] in cell.text(), (what, cell.text())
        return
    assert abs(float(cell.attrs["data-lo"]) - c["lo"]) < 1e-9, (what, cell.attrs, c)
    assert abs(float(cell.attrs["data-hi"]) - c["hi"]) < 1e-9, (what, cell.attrs, c)
rid = {1: "g1", 2: "g2", None: "all"}
vers = root.find(id="versions")
vchart = root.find(id="version-chart")
for res in d["results"]:
    R = rid[res["guideline"]]
    o = res["overall"]
    sec = root.find(tag="section", id=R)
    assert sec.attrs["data-guideline"] == str(res["guideline"] or "all")
    # Version chart and table.
    row = vers.find(tag="tr", data_result=R)
    group = vchart.find(tag="g", cls="group", data_group=
        "version %d" % res["guideline"] if res["guideline"] else "every version")
    for k in ("fleiss", "alpha_nominal", "percent", "hlp"):
        num(row.find(tag="td", data_key=k), o[k], (R, k))
        if o[k]["value"] is not None:
            num(group.find(tag="rect", cls="bar", data_series=k), o[k], (R, "chart", k))
    if o["hlp_ci"]["lo"] is not None:
        ci(group.find(tag="line", data_series="hlp"), o["hlp_ci"], (R, "chart ci"))
    # Overall table.
    ov = sec.find(tag="table", id=R + "-overall")
    for k in ("percent", "unanimous", "fleiss", "conger", "ac1", "alpha_nominal",
              "alpha_ordinal", "alpha_interval", "cohen_mean", "hlp"):
        num(ov.find(tag="tr", data_stat=k).find(tag="td", data_key=k), o[k], (R, k))
    ci(ov.find(tag="td", data_key="hlp_ci"), o["hlp_ci"], (R, "hlp_ci"))
    for k in ("percent", "fleiss", "ac1", "alpha_nominal", "alpha_ordinal",
              "alpha_interval"):
        ci(ov.find(tag="tr", data_stat=k).find(tag="td", data_key=k + "_ci"),
           o[k + "_ci"], (R, k + "_ci"))
    # Per labeler: table and chart, HLP with its interval as an error bar.
    lt = sec.find(tag="table", id=R + "-labelers")
    lc = sec.find(tag="svg", id=R + "-labeler-chart")
    for l in o["labelers"]:
        tr = lt.find(tag="tr", data_labeler=l["name"])
        g = lc.find(tag="g", cls="group", data_group=l["name"])
        for k in ("agree_others", "kappa_mean", "hlp", "gold_accuracy"):
            num(tr.find(tag="td", data_key=k), l[k], (R, l["name"], k))
            bars = g.find_all(tag="rect", cls="bar", data_series=k)
            if l[k]["value"] is None:
                assert not bars and "undefined (%s)" % l[k]["why"] in g.text(), (R, l["name"], k)
            else:
                num(bars[0], l[k], (R, l["name"], "chart", k))
        ci(tr.find(tag="td", data_key="hlp_ci"), l["hlp_ci"], (R, l["name"], "ci"))
        if l["hlp_ci"]["lo"] is not None:
            ci(g.find(tag="line", cls="ci", data_series="hlp"), l["hlp_ci"], (R, l["name"], "bar ci"))
    # Confusion heatmap: every cell's count as attribute and as text.
    hm = sec.find(tag="svg", id=R + "-confusion")
    names = [c["name"] for c in d["classes"]]
    cells = hm.find_all(tag="rect", cls="cell")
    assert len(cells) == len(names) ** 2, len(cells)
    for a, row in enumerate(o["confusion"]):
        for b, n in enumerate(row):
            cell = hm.find(tag="rect", cls="cell", data_row=names[a], data_col=names[b])
            assert int(cell.attrs["data-count"]) == n, (R, a, b, cell.attrs, n)
            assert cell.parent.find(tag="text", cls="count").text() == str(n)
            checked += 1
    # Per class, class pairs, labeler pairs.
    ct = sec.find(tag="table", id=R + "-classes")
    for c in o["classes"]:
        tr = ct.find(tag="tr", data_class=c["name"])
        num(tr.find(tag="td", data_key="specific"), c["specific"], (R, c["name"]))
        num(tr.find(tag="td", data_key="hlp"), c["hlp"], (R, c["name"], "hlp"))
        assert int(tr.find(tag="td", data_key="labels").text()) == c["labels"]
    dt = sec.find(tag="table", id=R + "-disagreements")
    assert [(t.attrs["data-a"], t.attrs["data-b"]) for t in dt.find_all(tag="tr")[1:]] == \
        [(x["a"], x["b"]) for x in o["disagreements"]]
    for x in o["disagreements"]:
        tr = dt.find(tag="tr", data_a=x["a"], data_b=x["b"])
        assert int(tr.find(tag="td", data_key="count").text()) == x["count"]
        assert "%.1f%%" % (100 * x["share"]) == tr.find(tag="td", data_key="share").text()
    pt = sec.find(tag="table", id=R + "-pairs")
    for p in o["pairs"]:
        num(pt.find(tag="tr", data_a=p["a"], data_b=p["b"]).find(tag="td", data_key="kappa"),
            p["kappa"], (R, p["a"], p["b"]))
    # Slices: table and the HLP chart with each slice's n.
    st = sec.find(tag="table", id=R + "-slices")
    sc = sec.find(tag="svg", id=R + "-slice-chart")
    assert len(res["slices"]) == 3, [s["name"] for s in res["slices"]]
    for s in res["slices"]:
        a = s["agreement"]
        tr = st.find(tag="tr", data_slice=s["name"])
        assert int(tr.find(tag="td", data_key="items").text()) == s["items"]
        for k in ("percent", "fleiss", "alpha_nominal", "hlp"):
            num(tr.find(tag="td", data_key=k), a[k], (R, s["name"], k))
        ci(tr.find(tag="td", data_key="hlp_ci"), a["hlp_ci"], (R, s["name"], "ci"))
        g = sc.find(tag="g", cls="group", data_group=s["name"])
        assert g.attrs["data-note"] == "n = %d item%s" % (s["items"], "" if s["items"] == 1 else "s")
        assert g.attrs["data-note"] in g.text()
        if a["hlp"]["value"] is not None:
            num(g.find(tag="rect", cls="bar", data_series="hlp"), a["hlp"], (R, s["name"], "bar"))
        if a["hlp_ci"]["lo"] is not None:
            ci(g.find(tag="line", cls="ci", data_series="hlp"), a["hlp_ci"], (R, s["name"], "bar ci"))
    # Most disagreed items, with paths and labels.
    it = sec.find(tag="table", id=R + "-items")
    rows = it.find_all(tag="tr")[1:]
    assert [int(r.attrs["data-item"]) for r in rows] == [m["id"] for m in res["most_disagreed"]]
    for r, m in zip(rows, res["most_disagreed"]):
        assert m["path"] in r.text(), (m["path"], r.text())
        num(r.find(tag="td", data_key="entropy"), {"value": m["entropy"]}, (R, "entropy"))
        for who, cls in m["labels"].items():
            assert "%s=%s" % (who, cls) in r.text(), (who, cls, r.text())
assert checked > 300, checked
PY

ok_if "undefined statistics read 'undefined (reason)' in the page" $PY - "$T/r.html" <<'PY'
import sys, htmlcheck
root, _ = htmlcheck.parse(open(sys.argv[1], encoding="utf-8").read())
row = root.find(id="all-overall").find(tag="tr", data_stat="alpha_ordinal")
assert row.find(tag="td", data_key="alpha_ordinal").text() == "undefined (nominal scale)", row.text()
assert "undefined (nominal scale)" in row.find(tag="td", data_key="alpha_ordinal_ci").text(), row.text()
# carol made no label under guideline version 2.
g2 = root.find(id="g2-labelers").find(tag="tr", data_labeler="carol")
assert g2.find(tag="td", data_key="hlp").text() == "undefined (no labels)", g2.text()
assert "HLP: undefined (no labels)" in root.find(id="g2-labeler-chart").find(
    tag="g", data_group="carol").text()
PY

ok_if "hostile path, class, labeler and metadata show escaped, never as markup" $PY - "$T/r.html" "$EVIL_PATH" "$EVIL_CLASS" "$EVIL_USER" "$EVIL_LINE" <<'PY'
import sys, htmlcheck
page, path, cls, user, line = sys.argv[1:]
text = open(page, encoding="utf-8").read()
assert "<script" not in text.lower().replace("&lt;script", ""), "raw <script"
assert "<b>" not in text, "raw <b>"
esc = lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
for s in (path, cls, user, line):
    assert esc(s) in text, s
root, problems = htmlcheck.parse(text)
assert not problems, problems
assert not root.find_all(tag="b") and not root.find_all(tag="script")
# The decoded DOM gives back the strings exactly.
items = root.find(id="all-items")
assert path in items.text() and cls in items.text() and user in items.text()
assert root.find(id="all-slices").find(tag="tr", data_slice=line)
assert root.find(id="all-confusion").find_all(tag="rect", data_row=cls)
assert root.find(id="all-labeler-chart").find(tag="g", data_group=user)
assert root.find_all(tag="title")[0].text() == 'accord agree: defects <&> "QA"'
PY

# Headless Chromium: render, screenshot, and the DOM after rendering.
CHROME_FLAGS="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-dev-shm-usage --no-first-run --user-data-dir=$T/chrome"
mkdir -p "$T/home" "$T/chrome"
# shellcheck disable=SC2086
HOME=$T/home timeout 120 chromium $CHROME_FLAGS --window-size=1200,2000 \
	--screenshot="$T/shot.png" "file://$T/r.html" >"$T/chrome.log" 2>&1
ok_if "chromium writes a screenshot" sh -c "[ -s '$T/shot.png' ] || { tail -5 '$T/chrome.log'; false; }"
# shellcheck disable=SC2086
HOME=$T/home timeout 120 chromium $CHROME_FLAGS --dump-dom "file://$T/r.html" \
	>"$T/dom.html" 2>"$T/chrome2.log"
ok_if "the screenshot is not blank and shows the bars and the heatmap" $PY - "$T/shot.png" "$T/r.html" <<'PY'
import sys, htmlcheck
hist = htmlcheck.histogram(sys.argv[1])
total = sum(hist.values())
white = hist.get((255, 255, 255), 0)
assert total == 1200 * 2000, total
assert (total - white) / total > 0.05, ("mostly white", white / total)
assert len(hist) > 50, len(hist)
near = lambda rgb: sum(n for c, n in hist.items() if max(abs(a - b) for a, b in zip(c, rgb)) <= 3)
# Solid bar colours of the first two series, and the heatmap's darkest
# cell (the largest count), in pixels.
for name, rgb in (("fleiss bars", (0x4e, 0x79, 0xa7)), ("alpha bars", (0xf2, 0x8e, 0x2b)),
                  ("heatmap maximum", (0x08, 0x30, 0x6b))):
    assert near(rgb) > 500, (name, near(rgb))
PY
ok_if "rendered DOM has the heatmap cells, bars and error bars" $PY - "$T/dom.html" "$T/r.json" <<'PY'
import json, sys, htmlcheck
root, _ = htmlcheck.parse(open(sys.argv[1], encoding="utf-8").read())
d = json.load(open(sys.argv[2]))
k = len(d["classes"])
for R in ("g1", "g2", "all"):
    assert len(root.find(id=R + "-confusion").find_all(tag="rect", cls="cell")) == k * k
    assert len(root.find(id=R + "-labeler-chart").find_all(tag="rect", cls="bar")) >= 4
    assert root.find(id=R + "-slice-chart").find_all(tag="line", cls="ci")
assert len(root.find(id="version-chart").find_all(tag="g", cls="group")) == 3
assert not root.find_all(tag="script") and not root.find_all(tag="b")
PY

# Atomic writing: a page that cannot be renamed into place leaves nothing.
mkdir "$T/isdir"
run "$ACCORD" agree "$DB" --bootstrap 0 --html "$T/isdir"
ok_if "a failed write: exit 1, one line naming the file, no temporary left" sh -c "[ $RC -eq 1 ] && [ \$(wc -l < '$T/err') -eq 1 ] && grep -q '$T/isdir' '$T/err' && [ -d '$T/isdir' ] && [ \$(ls '$T' | grep -c 'isdir.tmp') -eq 0 ] && grep -q 'Fleiss' '$T/out'"
run "$ACCORD" agree "$DB" --bootstrap 0 --html "$T/nodir/r.html"
ok_if "a missing directory: exit 1, one line" sh -c "[ $RC -eq 1 ] && [ \$(wc -l < '$T/err') -eq 1 ] && grep -q 'nodir/r.html' '$T/err'"
run "$ACCORD" agree "$DB" --html
ok_if "--html without a file is a usage error" rc_is 2
cp "$T/r.html" "$T/old.html"
run "$ACCORD" agree "$DB" --bootstrap 0 --html "$T/old.html"
ok_if "--html replaces an existing page (text output unchanged)" sh -c "[ $RC -eq 0 ] && ! cmp -s '$T/r.html' '$T/old.html' && grep -q 'data-bootstrap=\"0\"' '$T/old.html' && grep -q '^agreement' '$T/out'"

# Terminal colours: bars and SGR colours on a TTY only.
tty_run() {
	# script(1) gives the command a pseudo-terminal; its output is what
	# the terminal would show.
	env TERM=xterm "$@" script -qec "$ACCORD agree '$DB' --bootstrap 0 --by line" /dev/null </dev/null >"$T/tty.out" 2>&1
}
tty_run env
ok_if "TTY: bars coloured green/yellow/red by value" sh -c "grep -q '█' '$T/tty.out' && grep -q \"\$(printf '\\033')\\[3[123]m\" '$T/tty.out' && grep -q \"\$(printf '\\033')\\[0m\" '$T/tty.out'"
ok_if "TTY: the colour follows the bands" $PY - "$T/tty.out" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
seen = 0
for line in text.splitlines():
    m = re.search(r"^  (percent agreement|Fleiss' kappa|Gwet's AC1)\s+(-?\d\.\d{3}).*\x1b\[(3[123])m", line)
    if not m:
        continue
    v, sgr = float(m.group(2)), m.group(3)
    assert sgr == ("32" if v >= 0.8 else "33" if v >= 0.6 else "31"), line
    seen += 1
assert seen == 3, seen
PY
tty_run env NO_COLOR=1
ok_if "TTY with NO_COLOR: bars, no escape sequences" sh -c "grep -q '█' '$T/tty.out' && ! grep -q \"\$(printf '\\033')\" '$T/tty.out'"
tty_run env ACCORD_COLOR=none
ok_if "TTY with ACCORD_COLOR=none: bars, no escape sequences" sh -c "grep -q '█' '$T/tty.out' && ! grep -q \"\$(printf '\\033')\" '$T/tty.out'"
run "$ACCORD" agree "$DB" --bootstrap 0 --by line
ok_if "a pipe gets neither bars nor escape sequences" sh -c "[ $RC -eq 0 ] && ! grep -q '█' '$T/out' && ! grep -q \"\$(printf '\\033')\" '$T/out'"
