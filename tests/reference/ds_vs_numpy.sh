#!/bin/sh
# ds_vs_numpy.sh: Dawid-Skene (core/consensus.c) against the independent
# NumPy implementation in tests/reference/ds_numpy.py, on random data, and
# on the demo project through `accord export --method dawid-skene`.
#
# 120 seeded random data sets: 1-400 items, 1-7 labelers, 2-5 classes,
# 0-70% missing cells, labelers of random accuracy and bias around a
# latent class, alpha from 0.001 to 1, and some iteration caps below the
# convergence point (so unconverged fits are compared too).  The number
# of rounds and whether they converged must be equal; priors, every
# labeler's confusion matrix and every posterior equal to 1e-6, the
# objective to 1e-9 relative; every item's decision (majority under 3
# labels, else the most probable class given) and confidence equal.
#
# The stopping rule compares a relative change of the objective with
# 1e-12, and the two programs sum the objective in different orders
# (rounding differs by about 1e-16 of it): on a slow fit a change within
# a hair of the tolerance can stop one program a round before the other.
# Such a case (NumPy's change at the C round within 1% of the tolerance)
# is compared at the C program's round count and counted, not failed.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

REF="$ROOT/build/asan/ref/ds_ref"
PY=/usr/bin/python3

if [ ! -x "$REF" ]; then
	fail "tools" "$REF is missing (make build/asan/ref/ds_ref)"
	exit 1
fi
if ! "$PY" -c 'import numpy' 2>"$T/err"; then
	fail "tools" "python3-numpy is needed (scripts/deps.sh test): $(tail -n 1 "$T/err")"
	exit 1
fi

"$PY" - "$REF" "$ROOT/tests/reference" <<'PY'
import random, subprocess, sys
import numpy as np
sys.path.insert(0, sys.argv[2])
from ds_numpy import dawid_skene

REF = sys.argv[1]
TOL = 1e-6
rng = random.Random(20261130)
cases = []
for c in range(120):
    N = rng.choice([1, 2, 5, 20, 60, 150, 400])
    L = rng.randint(1, 7)
    K = rng.randint(2, 5)
    miss = rng.choice([0, 0.2, 0.5, 0.7])
    alpha = rng.choice([0.001, 0.01, 0.1, 1.0])
    max_iter = rng.choice([1, 3, 10000, 10000, 10000])
    prior = [rng.random() + 0.1 for _ in range(K)]
    acc = [rng.uniform(0.3, 0.95) for _ in range(L)]
    bias = [rng.randrange(K) for _ in range(L)]
    cells = []
    for i in range(N):
        t = rng.choices(range(K), prior)[0]
        row = []
        for j in range(L):
            if rng.random() < miss:
                row.append(-1)
            elif rng.random() < acc[j]:
                row.append(t)
            else:
                row.append(bias[j] if rng.random() < 0.5 else rng.randrange(K))
        cells.append(row)
    cases.append((N, L, K, alpha, max_iter, cells))

inp = []
for N, L, K, alpha, max_iter, cells in cases:
    inp.append(f"{N} {L} {K} {alpha!r} {max_iter}")
    for row in cells:
        inp.append(" ".join(map(str, row)))
out = subprocess.run([REF], input="\n".join(inp) + "\n", capture_output=True,
                     text=True, check=True).stdout.split("\n")

pos = 0
def block():
    global pos
    lines = []
    while out[pos] != "end":
        lines.append(out[pos].split())
        pos += 1
    pos += 1
    return lines

bad = []
worse = []     # SQUAREM's fit below plain EM's, or capped where EM was not
paired = []    # (plain rounds, SQUAREM rounds) where both converged
worst = 0.0
boundary = capped = 0
rounds = []
for c, (N, L, K, alpha, max_iter, cells) in enumerate(cases):
    b = block()
    assert b[0] == ["case", str(c)], b[0]
    it, conv, obj = int(b[1][1]), int(b[1][3]), float(b[1][5])
    few, unused = int(b[1][7]), int(b[1][9])
    prior = np.array([float(x) for x in b[2][1:]])
    conf = np.zeros((L, K, K))
    post = np.zeros((N, K))
    labels = {}
    for ln in b[3:]:
        if ln[0] == "confusion":
            conf[int(ln[1]), int(ln[2])] = [float(x) for x in ln[3:]]
        elif ln[0] == "posterior":
            post[int(ln[1])] = [float(x) for x in ln[2:]]
        elif ln[0] == "label":
            labels[int(ln[1])] = (int(ln[2]), float(ln[3]), int(ln[4]))
        elif ln[0] == "accelerated":
            fast = (int(ln[2]), int(ln[4]), float(ln[6]))
    ref = dawid_skene(cells, K, alpha, max_iter)
    if it != ref["iterations"] and abs(it - ref["iterations"]) == 1:
        full = dawid_skene(cells, K, alpha, max(it, ref["iterations"]), 0.0)
        r = min(it, ref["iterations"])   # the change at round r + 1 decided
        ch = full["changes"][r - 1] if r - 1 < len(full["changes"]) else None
        if ch is not None and abs(ch / 1e-10 - 1) < 0.01:
            boundary += 1
            ref = dawid_skene(cells, K, alpha, it, 0.0)
            ref["converged"] = bool(conv)
    d = max(np.abs(prior - ref["prior"]).max(),
            np.abs(conf - ref["confusion"]).max(),
            np.abs(post - ref["posterior"]).max())
    worst = max(worst, d)
    if it != ref["iterations"] or bool(conv) != ref["converged"] or d > TOL \
            or abs(obj - ref["objective"]) > 1e-9 * abs(ref["objective"]):
        bad.append(f"case {c}: iterations {it}/{ref['iterations']} converged "
                   f"{conv}/{ref['converged']} max diff {d:.3g} objective "
                   f"{obj!r}/{ref['objective']!r}")
        continue
    rounds.append(it)
    frounds, fconv, fobj = fast
    if conv and max_iter == 10000 and (not fconv or fobj < obj - 1e-9 * abs(obj)):
        worse.append(f"case {c}: plain EM {it} rounds, objective {obj!r}; "
                     f"SQUAREM {frounds} rounds, converged {fconv}, objective {fobj!r}")
    if conv and fconv:
        paired.append((it, frounds))
    capped += not conv and max_iter == 10000
    nfew = sum(1 for row in cells if 0 < sum(x >= 0 for x in row) < 3)
    nunused = 0
    for i in range(N):
        lab, cf, tie = labels[i]
        p = ref["posterior"][i]
        votes = [x for x in cells[i] if x >= 0]
        if len(votes) >= 3 and ref["label"][i] >= 0 and \
                int(np.argmax(p)) not in votes and \
                p.max() > p[ref["label"][i]]:
            nunused += 1
        given = sorted((p[k] for k in set(votes)), reverse=True)
        if len(votes) >= 3 and len(given) > 1 and given[0] - given[1] < 1e-7:
            ok = True        # too close to call from outside
        else:
            ok = (lab, tie) == (ref["label"][i], ref["tie"][i]) and \
                abs(cf - ref["confidence"][i]) < TOL
            ok = ok and (lab < 0 or lab in votes)
        if not ok:
            bad.append(f"case {c} item {i}: label {lab} {cf} {tie} vs "
                       f"{ref['label'][i]} {ref['confidence'][i]} {ref['tie'][i]}")
            break
    if (few, unused) != (nfew, nunused):
        bad.append(f"case {c}: few {few}/{nfew} unused {unused}/{nunused}")
print(f"# {len(cases)} data sets, largest difference {worst:.3g}; rounds "
      f"up to {max(rounds) if rounds else 0}, median "
      f"{sorted(rounds)[len(rounds) // 2] if rounds else 0}; {capped} at the "
      f"cap of 10000; {boundary} stopped a round apart at the tolerance")
pe, fe = sum(p for p, _ in paired), sum(f for _, f in paired)
print(f"# SQUAREM: {len(paired)} fits converged both ways, {pe} plain rounds, "
      f"{fe} accelerated; median {sorted(p for p, _ in paired)[len(paired) // 2] if paired else 0} "
      f"against {sorted(f for _, f in paired)[len(paired) // 2] if paired else 0}")
if worse or not paired:
    print("not ok - SQUAREM's fit is never below plain EM's: " + "; ".join(worse[:5]))
else:
    print("ok - SQUAREM's fit is never below plain EM's and never capped where EM converged")
if bad:
    print("not ok - Dawid-Skene equals NumPy to 1e-6 on random data: " + "; ".join(bad[:5]))
else:
    print("ok - Dawid-Skene equals NumPy to 1e-6 on random data (fit, rounds, labels)")
PY

# The demo project through the real command: the manifest's fit and the
# exported confidences against NumPy on the labels in force (sqlite3).
(cd "$ROOT" && DEMO_DIR="$T/demo" ACCORD="$ACCORD" sh scripts/demo.sh) \
	>"$T/demo.log" 2>&1 || { fail "demo project builds" "$(tail -3 "$T/demo.log")"; exit 1; }
DB=$T/demo/audio.accord
run "$ACCORD" export "$DB" --out "$T/ds" --format jsonl --method dawid-skene --include-borderline
ok_if "export --method dawid-skene runs on the demo" rc_is 0
ok_if "manifest fit and exported confidences equal NumPy" "$PY" - "$DB" "$T/ds" "$ROOT/tests/reference" <<'PY'
import json, sqlite3, sys
import numpy as np
sys.path.insert(0, sys.argv[3])
from ds_numpy import dawid_skene
db = sqlite3.connect(sys.argv[1])
m = json.load(open(sys.argv[2] + "/manifest.json"))
classes = [r[0] for r in db.execute("SELECT name FROM classes ORDER BY position")]
labelers = sorted(r[0] for r in db.execute("SELECT DISTINCT labeler FROM current_labels"))
items = [r[0] for r in db.execute("SELECT id FROM items ORDER BY id")]
cells = [[-1] * len(labelers) for _ in items]
for it, lab, cl in db.execute("SELECT l.item, l.labeler, c.position FROM current_labels l "
                              "JOIN classes c ON c.id = l.class"):
    cells[items.index(it)][labelers.index(lab)] = cl
ds = m["dawid_skene"]
# export takes SQUAREM's path, NumPy plain EM run to its limit (a change
# of at most 1e-15): the same fit to 1e-5 (SQUAREM stops at a relative
# change of 1e-10 between its accepted points).
ref = dawid_skene(cells, len(classes), ds["alpha"], 100000, 1e-15)
assert ref["converged"], ref["iterations"]
assert ds["tolerance"] == 1e-10 and ds["max_iterations"] == 10000, ds
assert ds["converged"] and ds["stopped"] == "converged", ds
assert ds["iterations"] < ref["iterations"], (ds["iterations"], ref["iterations"])
assert abs(ds["log_likelihood"] - ref["objective"]) <= 1e-9 * abs(ref["objective"])
assert list(ds["confusion"]) == labelers
for j, lab in enumerate(labelers):
    assert np.abs(np.array(ds["confusion"][lab]) - ref["confusion"][j]).max() < 1e-5, lab
assert np.abs(np.array([ds["prior"][c] for c in classes]) - ref["prior"]).max() < 1e-5
sha = {r[0]: r[1] for r in db.execute("SELECT sha256, id FROM items")}
n = 0
for line in open(sys.argv[2] + "/train.jsonl"):
    row = json.loads(line)
    i = items.index(sha[row["sha256"]])
    assert classes[ref["label"][i]] == row["label"], row
    assert abs(ref["confidence"][i] - row["confidence"]) < 1e-5, (row, ref["posterior"][i])
    nvotes = sum(x >= 0 for x in cells[i])
    assert row["source"] == ("majority" if nvotes < 3 else "dawid-skene"), row
    n += 1
assert n == m["counts"]["exported"] > 0
PY
