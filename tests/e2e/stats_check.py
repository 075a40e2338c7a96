"""Checks for tests/e2e/stats.sh: reads a capture of the accord stats
screen on stdin and compares what a panel shows with the accord agree
--json output ($T/agree{0,1,2}.json: all versions, v1, v2) or with
figures computed here from the store ($T/p.accord).  Prints "ok", or what
differs.

usage: stats_check.py T versions|sparklines|classes V|labelers V|trend|hot|ascii
"""
import datetime
import json
import sqlite3
import sys

T, what = sys.argv[1], sys.argv[2]
arg = sys.argv[3] if len(sys.argv) > 3 else None
screen = sys.stdin.read().split("\n")
agree = {v: json.load(open("%s/agree%d.json" % (T, v))) for v in (0, 1, 2)}
bad = []


def f3(stat):
    return "%.3f" % stat["value"] if stat["why"] is None else "-"


def ci(c):
    return "[%.3f, %.3f]" % (c["lo"], c["hi"]) if c["why"] is None else "-"


def level(stat):
    if stat["why"] is not None:
        return " "
    v = stat["value"]
    h = 0 if not v > 0 else 7 if v >= 1 else int(v * 7 + 0.5)
    return chr(0x2581 + h)


def overall(v):
    return agree[v]["results"][0]["overall"]


def rows_after(header):
    """The screen rows after the row starting with header, up to a blank."""
    out, on = [], False
    for line in screen:
        if on:
            if not line.strip():
                break
            out.append(line)
        elif line.startswith(header):
            on = True
    return out


def expect(name, want, got):
    if want != got:
        bad.append("%s: want %r, got %r" % (name, want, got))


if what == "versions":
    rows = {r.split()[0]: r for r in rows_after(" version ")}
    for name, v in (("v1", 1), ("v2", 2), ("all", 0)):
        o = overall(v)
        want = [name, str(o["labeled"]), str(o["labels"]), f3(o["percent"]),
                f3(o["fleiss"]), f3(o["alpha_nominal"]), f3(o["hlp"])]
        got = rows.get(name, "").split()
        expect(name, " ".join(want) + " " + ci(o["hlp_ci"]), " ".join(got))
elif what == "sparklines":
    for label, key in (("kappa by version", "fleiss"), ("HLP by version", "hlp")):
        line = [l for l in screen if l.startswith(" " + label)]
        want = level(overall(1)[key]) + level(overall(2)[key])
        expect(label, want, line[0][22:24] if line else None)
elif what in ("classes", "labelers"):
    v = int(arg)
    o = overall(v)
    rows = rows_after(" class " if what == "classes" else " labeler ")
    for i, c in enumerate(o[what]):
        got = rows[i] if i < len(rows) else ""
        if what == "classes":
            want = "%s %d %s %s" % (c["name"], c["labels"], f3(c["specific"]),
                                    f3(c["hlp"]))
            expect(c["name"], want, " ".join(got[:44].split()))
            # Sparklines across versions: specific at 47, HLP at 83.
            sp = [cc for cc in overall(1)["classes"] if cc["name"] == c["name"]]
            s2 = [cc for cc in overall(2)["classes"] if cc["name"] == c["name"]]
            expect(c["name"] + " sparklines",
                   level(sp[0]["specific"]) + level(s2[0]["specific"]) + "|" +
                   level(sp[0]["hlp"]) + level(s2[0]["hlp"]),
                   got[47:49] + "|" + got[83:85])
        else:
            gold = f3(c["gold_accuracy"]) if c["gold_items"] else "-"
            want = "%s %d %s %s %s %s" % (c["name"], c["labels"],
                                          f3(c["agree_others"]), gold,
                                          f3(c["hlp"]), ci(c["hlp_ci"]))
            expect(c["name"], want, " ".join(got[:73].split()))
elif what == "trend":
    from statsmodels.stats.inter_rater import fleiss_kappa
    db = sqlite3.connect(T + "/p.accord")
    newest, labs = {}, {}
    for item, cls, at in db.execute(
            "SELECT item, class, created_at FROM current_labels"):
        t = datetime.datetime.fromisoformat(at.replace("Z", "+00:00"))
        day = t.astimezone(datetime.timezone.utc).date().isoformat()
        newest[item] = max(newest.get(item, day), day)
        labs.setdefault(item, []).append(cls)
    classes = [r[0] for r in db.execute("SELECT id FROM classes ORDER BY position")]
    days = sorted(set(newest.values()), reverse=True)
    rows = rows_after(" day ")
    for i, day in enumerate(days):
        items = [it for it in newest if newest[it] == day]
        pair = [labs[it] for it in items if len(labs[it]) >= 2]
        pct = sum(sum(ks.count(a) * (ks.count(a) - 1) for a in set(ks)) /
                  (len(ks) * (len(ks) - 1)) for ks in pair) / len(pair)
        kap = fleiss_kappa([[ks.count(c) for c in classes] for ks in pair])
        want = "%s %d %d %.3f %.3f" % (day, len(items), len(pair), pct, kap)
        expect(day, want, " ".join(rows[i].split()) if i < len(rows) else "")
    expect("no more rows", len(days), len(rows))
    line = [l for l in screen if l.startswith(" percent")]
    expect("percent sparkline has one character per day from the first to "
           "the last", (datetime.date.fromisoformat(days[0]) -
                        datetime.date.fromisoformat(days[-1])).days + 1,
           len(line[0][12:].rstrip()) if line else 0)
elif what == "hot":
    top = agree[0]["results"][0]["most_disagreed"][0]
    rows = rows_after(" entropy ")
    got = rows[0].split() if rows else []
    want = ["%.2f" % top["entropy"], top["path"]] + [
        "%s=%s" % kv for kv in top["labels"].items()]
    expect("first hot item", " ".join(want), " ".join(got))
elif what == "ascii":
    text = "\n".join(screen)
    expect("no block elements", [], [c for c in text if 0x2581 <= ord(c) <= 0x2588])
    line = [l for l in screen if l.startswith(" kappa by version")]
    got = line[0][22:24] if line else ""
    expect("ASCII ramp characters", True,
           len(got) == 2 and all(c in "_.-:=+*#" for c in got))
else:
    bad.append("unknown check " + what)

print("ok" if not bad else "; ".join(bad))
