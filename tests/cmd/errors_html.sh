# accord errors --html and accord drift --html: a project with a hostile
# class, metadata value, tag and run name; the pages checked for
# well-formedness, no network references, the figures of --json in their
# DOM (tables and charts), escaping, and rendered in headless Chromium
# (screenshot not blank).
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
export PYTHONPATH="$ROOT/tests"
IMG=$ROOT/assets/demo/images
DB=$T/p.accord
EVIL_CLASS='<script>dent&amp;</script>'
EVIL_SITE='<b>S&1</b>'
EVIL_TAG='<i>blur"</i>'

"$ACCORD" init "$DB" --task 'errors <&> "QA"' --media image \
    --classes "ok,scratch,$EVIL_CLASS" >/dev/null
# 36 images, batch one (1-18) and two (19-36); sites A, B and the hostile
# one in turn; three labelers, the third wrong on every seventh item; the
# model wrong on every other item of site B and on a few more.
$PY - "$IMG" "$T" "$EVIL_CLASS" "$EVIL_SITE" <<'PY'
import os, sys
img, t, evil_class, evil_site = sys.argv[1:]
files = sorted(f for f in os.listdir(img) if f.startswith("img_"))[:36]
classes = ["ok", "scratch", evil_class]
import csv
with open(t + "/meta.csv", "w", newline="") as m, \
     open(t + "/labels.csv", "w", newline="") as l, \
     open(t + "/preds.csv", "w", newline="") as p, \
     open(t + "/one.txt", "w") as one, open(t + "/two.txt", "w") as two:
    mw, lw, pw = csv.writer(m), csv.writer(l), csv.writer(p)
    mw.writerow(["file", "site"])
    lw.writerow(["file", "labeler", "class"])
    pw.writerow(["path", "class", "score"])
    for i, f in enumerate(files):
        path = img + "/" + f
        (one if i < 18 else two).write(path + "\n")
        site = ["A", "B", evil_site][i % 3]
        mw.writerow([path, site])
        truth = (i * 5 + (i >= 18) * i) % 3
        for k, lab in enumerate(["l1", "l2", "l3"]):
            c = truth
            if k == 2 and i % 7 == 3:
                c = (truth + 1) % 3
            lw.writerow([path, lab, classes[c]])
        c = truth
        if (site == "B" and i % 2 == 0) or i % 11 == 5:
            c = (truth + 2) % 3
        pw.writerow([path, classes[c], 0.5])
PY
# shellcheck disable=SC2046
"$ACCORD" import "$DB" $(cat "$T/one.txt") --meta "$T/meta.csv" --batch one >/dev/null 2>&1
# shellcheck disable=SC2046
"$ACCORD" import "$DB" $(cat "$T/two.txt") --meta "$T/meta.csv" --batch two >/dev/null 2>&1
"$ACCORD" labels import "$DB" "$T/labels.csv" >/dev/null
# Tags are written by the label screen; here as it writes them.
sqlite3 "$DB" "INSERT INTO tags(item, user, tag, created_at) SELECT id, 'l1', '$(echo "$EVIL_TAG" | sed "s/'/''/g")', 'now' FROM items WHERE id % 4 = 1"
ok_if "project: 36 items in two batches, 108 labels, tags" sql_is "SELECT (SELECT count(*) FROM items) || '/' || (SELECT count(*) FROM labels) || '/' || (SELECT count(*) FROM tags)" "36/108/9"

run "$ACCORD" errors "$DB" --predictions "$T/preds.csv" --run '<u>run&1</u>' --by site --bootstrap 200 --seed 3 --json --html "$T/e.html"
cp "$T/out" "$T/e.json"
ok_if "errors --html with --json: exit 0, JSON on stdout, the page in FILE" sh -c "[ $RC -eq 0 ] && [ -s '$T/e.html' ] && $PY -c 'import json,sys; json.load(open(sys.argv[1]))' '$T/e.json' && ! grep -q '<html' '$T/e.json'"
ok_if "errors JSON: rows carry intervals from the bootstrap" $PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
o = d['overall']
for k in ('hlp', 'accuracy', 'gap', 'room'):
    assert o[k + '_ci']['lo'] is not None and o[k + '_ci']['lo'] <= o[k]['value'] <= o[k + '_ci']['hi'], (k, o)
assert len(d['slices']) == 3 and len(d['tags']) == 2, (d['slices'], d['tags'])
" "$T/e.json"
run "$ACCORD" drift "$DB" --from one --to two --json --html "$T/d.html"
cp "$T/out" "$T/d.json"
ok_if "drift --html with --json: exit 0, the page in FILE" sh -c "[ $RC -eq 0 ] && [ -s '$T/d.html' ] && $PY -c 'import json,sys; json.load(open(sys.argv[1]))' '$T/d.json'"

ok_if "both pages are well formed, have no script and load nothing" $PY - "$T/e.html" "$T/d.html" <<'PY'
import sys, htmlcheck
for page in sys.argv[1:]:
    text = open(page, encoding="utf-8").read()
    root, problems = htmlcheck.parse(text)
    assert not problems, (page, problems)
    refs = htmlcheck.external_refs(text)
    assert not refs, (page, refs)
    assert len(root.find_all(tag="svg")) >= 3, page
PY

ok_if "every errors figure of --json is in the DOM (tables and charts)" $PY - "$T/e.html" "$T/e.json" <<'PY'
import json, sys, htmlcheck
root, _ = htmlcheck.parse(open(sys.argv[1], encoding="utf-8").read())
d = json.load(open(sys.argv[2]))
checked = 0
def close(a, b):
    return abs(float(a) - b) < 1e-9
def stat(cell, s, what):
    global checked
    checked += 1
    if s["value"] is None:
        assert "undefined (%s)" % s["why"] in cell.text(), (what, cell.text())
        return
    assert close(cell.attrs["data-value"], s["value"]), (what, cell.attrs, s)
    assert "%.3f" % s["value"] in cell.text() or \
        "%.3f" % s["value"] in cell.find(tag="title").text(), (what, cell.text())
meta = root.find(id="meta")
assert meta.attrs["data-run"] == d["run"]["name"] and meta.attrs["data-sha256"] == d["run"]["sha256"]
for k in ("items", "predicted", "scored"):
    assert int(meta.attrs["data-" + k]) == d[k], k
for k in ("ambiguous", "ties", "unlabeled", "one_label"):
    assert int(meta.attrs["data-" + k.replace("_", "-")]) == d["left_out"][k], k
assert meta.attrs["data-bootstrap"] == "200" and meta.attrs["data-seed"] == "3"
for gid, rows in (("overall", [d["overall"]]), ("tags", d["tags"]), ("slices", d["slices"])):
    table = root.find(tag="table", id=gid)
    trs = table.find_all(tag="tr")[1:]
    # Same rows, same order (largest room first).
    assert [t.attrs["data-row"] for t in trs] == [r["name"] for r in rows], gid
    ec = root.find(tag="svg", id=gid + "-error-chart")
    rc = root.find_all(tag="svg", id=gid + "-room-chart")
    assert (gid == "overall") == (not rc), gid
    for r in rows:
        tr = table.find(tag="tr", data_row=r["name"])
        for k in ("items", "errors"):
            assert int(tr.find(tag="td", data_key=k).attrs["data-value"]) == r[k], (gid, k)
            checked += 1
        for k in ("data_share", "error_rate", "error_share"):
            stat(tr.find(tag="td", data_key=k), {"value": r[k]}, (gid, r["name"], k))
        for k in ("accuracy", "hlp", "gap", "room"):
            stat(tr.find(tag="td", data_key=k), r[k], (gid, r["name"], k))
            ci = tr.find(tag="td", data_key=k + "_ci")
            if r[k + "_ci"]["lo"] is None:
                assert "undefined (%s)" % r[k + "_ci"]["why"] in ci.text()
            else:
                assert close(ci.attrs["data-lo"], r[k + "_ci"]["lo"]) and close(ci.attrs["data-hi"], r[k + "_ci"]["hi"])
            checked += 1
        g = ec.find(tag="g", cls="group", data_group=r["name"])
        assert g.attrs["data-note"] == "n = %d, %d error%s" % (r["items"], r["errors"], "" if r["errors"] == 1 else "s")
        for k in ("accuracy", "hlp"):
            if r[k]["value"] is not None:
                stat(g.find(tag="rect", cls="bar", data_series=k), r[k], (gid, "chart", k))
            if r[k + "_ci"]["lo"] is not None:
                line = g.find(tag="line", cls="ci", data_series=k)
                assert close(line.attrs["data-lo"], r[k + "_ci"]["lo"]) and close(line.attrs["data-hi"], r[k + "_ci"]["hi"])
                checked += 1
        if rc:
            g = rc[0].find(tag="g", cls="group", data_group=r["name"])
            bars = g.find_all(tag="rect", cls="bar", data_series="room")
            if r["room"]["value"] is None:
                assert not bars and "undefined (%s)" % r["room"]["why"] in g.text()
            else:
                stat(bars[0], r["room"], (gid, r["name"], "room bar"))
                if r["room_ci"]["lo"] is not None:
                    line = g.find(tag="line", cls="ci", data_series="room")
                    assert close(line.attrs["data-lo"], r["room_ci"]["lo"]) and close(line.attrs["data-hi"], r["room_ci"]["hi"])
                    checked += 1
hm = root.find(tag="svg", id="confusion")
for a, row in enumerate(d["confusion"]):
    for b, n in enumerate(row):
        cell = hm.find(tag="rect", cls="cell", data_row=d["classes"][a], data_col=d["classes"][b])
        assert int(cell.attrs["data-count"]) == n, (a, b, cell.attrs, n)
        assert cell.parent.find(tag="text", cls="count").text() == str(n)
        checked += 1
assert sum(map(sum, d["confusion"])) == d["scored"] - d["left_out"]["ties"]
assert checked > 60, checked
PY

ok_if "every drift figure of --json is in the DOM (tables and charts)" $PY - "$T/d.html" "$T/d.json" <<'PY'
import json, sys, htmlcheck
root, _ = htmlcheck.parse(open(sys.argv[1], encoding="utf-8").read())
d = json.load(open(sys.argv[2]))
close = lambda a, b: abs(float(a) - b) < 1e-9
meta = root.find(id="meta")
assert meta.attrs["data-from"] == "one" and meta.attrs["data-to"] == "two"
assert int(meta.attrs["data-items-from"]) == d["from"]["items"]
assert close(meta.attrs["data-epsilon"], d["epsilon"])
# The page names the p-value's method per row, never one for all.
assert "asymptotic p-value" not in meta.text(), meta.text()
table = root.find(tag="table", id="shifts")
assert [t.attrs["data-shift"] for t in table.find_all(tag="tr")[1:]] == [s["name"] for s in d["shifts"]]
psi = root.find(tag="svg", id="psi-chart")
ks = root.find(tag="svg", id="ks-chart")
checked = 0
for s in d["shifts"]:
    tr = table.find(tag="tr", data_shift=s["name"])
    assert tr.attrs["data-kind"] == s["kind"]
    for k in ("n_from", "n_to", "psi", "bins", "mean_from", "mean_to", "ks_d", "ks_p",
              "chi2", "chi2_df", "chi2_p"):
        cell = tr.find(tag="td", data_key=k)
        if s[k] is None:
            assert "undefined (" in cell.text(), (s["name"], k, cell.text())
        else:
            assert close(cell.attrs["data-value"], s[k]), (s["name"], k, cell.attrs, s[k])
        checked += 1
    method = tr.find(tag="td", data_key="ks_method")
    if s["ks_method"] is None:
        assert "undefined (" in method.text(), (s["name"], method.text())
    else:
        assert method.text() == s["ks_method"], (s["name"], method.text(), s["ks_method"])
    bar = psi.find(tag="g", cls="group", data_group=s["name"]).find(tag="rect", cls="bar", data_series="psi")
    assert close(bar.attrs["data-value"], s["psi"]) and "%.3f" % s["psi"] in bar.text()
    if s["kind"] == "metric":
        g = ks.find(tag="g", cls="group", data_group=s["name"])
        assert close(g.find(tag="rect", cls="bar", data_series="ks_d").attrs["data-value"], s["ks_d"])
        assert g.attrs["data-note"] == "p = %.3g" % s["ks_p"], (g.attrs, s["ks_p"])
        checked += 1
assert any(s["kind"] == "labels" for s in d["shifts"]) and any(s["kind"] == "metric" for s in d["shifts"])
lab = root.find(tag="table", id="labels")
lc = root.find(tag="svg", id="labels-chart")
tf, tt = sum(d["labels"]["from"]), sum(d["labels"]["to"])
for c, f, t in zip(d["labels"]["classes"], d["labels"]["from"], d["labels"]["to"]):
    tr = lab.find(tag="tr", data_class=c)
    assert int(tr.find(tag="td", data_key="from").attrs["data-value"]) == f
    assert int(tr.find(tag="td", data_key="to").attrs["data-value"]) == t
    g = lc.find(tag="g", cls="group", data_group=c)
    assert close(g.find(tag="rect", cls="bar", data_series="from").attrs["data-value"], f / tf)
    assert close(g.find(tag="rect", cls="bar", data_series="to").attrs["data-value"], t / tt)
    checked += 1
assert checked > 40, checked
PY

ok_if "hostile class, metadata value, tag and run name show escaped, never as markup" $PY - "$T/e.html" "$EVIL_CLASS" "$EVIL_SITE" "$EVIL_TAG" '<u>run&1</u>' "$T/d.html" <<'PY'
import sys, htmlcheck
page, cls, site, tag, run, dpage = sys.argv[1:]
text = open(page, encoding="utf-8").read()
dtext = open(dpage, encoding="utf-8").read()
for t in (text, dtext):
    assert "<script" not in t.lower().replace("&lt;script", ""), "raw <script"
    for m in ("<b>", "<i>", "<u>"):
        assert m not in t, m
esc = lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
for s in (cls, site, tag, run):
    assert esc(s) in text, s
assert esc(cls) in dtext
root, problems = htmlcheck.parse(text)
assert not problems, problems
assert not root.find_all(tag="b") and not root.find_all(tag="i") and not root.find_all(tag="u")
assert root.find(id="slices").find(tag="tr", data_row=site)
assert root.find(id="tags").find(tag="tr", data_row=tag)
assert root.find(id="confusion").find_all(tag="rect", data_row=cls)
assert root.find(id="meta").attrs["data-run"] == run
assert root.find_all(tag="title")[0].text() == 'accord errors: errors <&> "QA"'
droot, _ = htmlcheck.parse(dtext)
assert droot.find(id="labels").find(tag="tr", data_class=cls)
PY

# Headless Chromium: render and screenshot both pages.
CHROME_FLAGS="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-dev-shm-usage --no-first-run --user-data-dir=$T/chrome"
mkdir -p "$T/home" "$T/chrome"
# The errors page is long: its heatmap comes last.
for p in e d; do
	# shellcheck disable=SC2086
	HOME=$T/home timeout 120 chromium $CHROME_FLAGS --window-size=1200,2600 \
		--screenshot="$T/$p.png" "file://$T/$p.html" >"$T/chrome.log" 2>&1
done
ok_if "chromium writes screenshots of both pages" sh -c "[ -s '$T/e.png' ] && [ -s '$T/d.png' ] || { tail -5 '$T/chrome.log'; false; }"
ok_if "the screenshots are not blank and show the bars and the heatmap" $PY - "$T/e.png" "$T/d.png" <<'PY'
import sys, htmlcheck
for shot, want in ((sys.argv[1], (("first series bars", (0x4e, 0x79, 0xa7)),
                                  ("heatmap maximum", (0x08, 0x30, 0x6b)))),
                   (sys.argv[2], (("first series bars", (0x4e, 0x79, 0xa7)),
                                  ("second series bars", (0xf2, 0x8e, 0x2b))))):
    hist = htmlcheck.histogram(shot)
    total = sum(hist.values())
    white = hist.get((255, 255, 255), 0)
    assert total == 1200 * 2600, total
    assert (total - white) / total > 0.03, (shot, "mostly white", white / total)
    assert len(hist) > 50, (shot, len(hist))
    near = lambda rgb: sum(n for c, n in hist.items() if max(abs(a - b) for a, b in zip(c, rgb)) <= 3)
    for name, rgb in want:
        assert near(rgb) > 300, (shot, name, near(rgb))
PY

# Usage and failures: one line naming the file.
run "$ACCORD" errors "$DB" --run '<u>run&1</u>' --html
ok_if "errors --html without a file is a usage error" rc_is 2
run "$ACCORD" drift "$DB" --from one --to two --html
ok_if "drift --html without a file is a usage error" rc_is 2
run "$ACCORD" errors "$DB" --run '<u>run&1</u>' --bootstrap x
ok_if "errors --bootstrap x is a usage error" rc_is 2
run "$ACCORD" errors "$DB" --run '<u>run&1</u>' --bootstrap 0 --html "$T/nodir/e.html"
ok_if "errors: a page that cannot be written: exit 1, one line naming it, text still printed" sh -c "[ $RC -eq 1 ] && [ \$(wc -l < '$T/err') -eq 1 ] && grep -q 'nodir/e.html' '$T/err' && grep -q '^error analysis' '$T/out'"
run "$ACCORD" drift "$DB" --from one --to two --html "$T/nodir/d.html"
ok_if "drift: a page that cannot be written: exit 1, one line naming it" sh -c "[ $RC -eq 1 ] && [ \$(wc -l < '$T/err') -eq 1 ] && grep -q 'nodir/d.html' '$T/err'"
run "$ACCORD" errors "$DB" --run '<u>run&1</u>' --bootstrap 0 --html "$T/e0.html"
ok_if "errors --bootstrap 0: the intervals read 'undefined (no bootstrap)'" sh -c "[ $RC -eq 0 ] && grep -q 'undefined (no bootstrap)' '$T/e0.html'"
