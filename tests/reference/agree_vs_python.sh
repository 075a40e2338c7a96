#!/bin/sh
# agree_vs_python.sh: the agreement engine against independent Python
# implementations, on random ratings matrices.
#
# Debian's /usr/bin/python3 makes 400 seeded random matrices (0-60 items,
# 1-6 labelers, 1-5 classes, 0-60% missing cells, labels from labelers of
# random accuracy around a latent class, sometimes one class only,
# sometimes adjudicated and gold labels) and build/asan/ref/agree_ref
# prints every statistic at %.17g.  Compared to 1e-9:
#
#  - Krippendorff's alpha: NLTK 3.8 AnnotationTask.alpha().  It is
#    Krippendorff's coincidence-matrix alpha (items with fewer than two
#    labels dropped) for any distance function: binary_distance for
#    nominal, interval_distance ((a - b)^2, on class positions) for
#    interval, and for ordinal Krippendorff's ordinal metric, written here
#    from the pairable marginals (NLTK has none).  NLTK returns 1 when
#    only one label value occurs and divides by zero when no item has two
#    labels; accord reports both as undefined, so those cases are checked
#    for being undefined, not compared.
#  - Cohen's kappa of every labeler pair on the items both labeled:
#    sklearn cohen_kappa_score and statsmodels cohens_kappa (2-D table).
#  - Complete matrices only (NLTK's pairwise methods assume every coder
#    labeled every item, statsmodels' fleiss_kappa a constant number of
#    labels per item): Fleiss' kappa = statsmodels fleiss_kappa and NLTK
#    pi() (Fleiss' "multi-pi"); accord's Conger kappa = NLTK multi_kappa()
#    (Davies and Fleiss 1982, the same as Conger 1980 on complete data);
#    mean pairwise Cohen = NLTK kappa(); percent agreement = NLTK
#    avg_Ao().  NLTK's multi_kappa is not Fleiss' kappa: it is compared
#    with Conger's, like with like.
#  - With missing cells no packaged tool computes Fleiss, Conger or AC1 the
#    way Gwet (2014) generalises them, so they are compared with a Python
#    transcription of those formulas (as in Gwet's irrCAC R package);
#    likewise specific agreement, the pooled confusion, the disagreement
#    pairs, per-labeler agreement, gold accuracy and HLP (pairwise, each
#    item once, docs/statistics.md) against straightforward Python loops.
#  - The bootstrap intervals against a Python replay of the documented
#    generator (xoshiro256** seeded by splitmix64; each replicate's
#    counts per pattern as conditional binomials, largest pattern first,
#    for the patterns of 48 items or more, by inversion or Hormann's
#    BTRD; Lemire's bounded integers over the items of the others) and
#    BCa (SciPy's normal quantiles, a jackknife leaving out each item in
#    turn, type-7 percentiles; Wilson where HLP's replicates have no
#    spread): HLP's over judgement lists, percent, Fleiss, AC1 and the
#    alphas' over the items' class count vectors, each coefficient of a
#    replicate recomputed from its items; and against a run on two
#    threads.
#  - Undefined statistics: the same ones, for the same reasons.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

REF="$ROOT/build/asan/ref/agree_ref"
PY=/usr/bin/python3

if [ ! -x "$REF" ]; then
	fail "tools" "$REF is missing (make build/asan/ref/agree_ref)"
	exit 1
fi
if ! "$PY" -c 'import nltk.metrics.agreement, sklearn.metrics, statsmodels.stats.inter_rater, numpy' 2>"$T/err"; then
	fail "tools" "python3-nltk, python3-sklearn and python3-statsmodels are needed (scripts/deps.sh test): $(tail -n 1 "$T/err")"
	exit 1
fi

"$PY" - "$REF" "$T" <<'EOF'
import bisect
import math
import random
import subprocess
import sys
import warnings
from collections import Counter

import numpy as np
from scipy.stats import norm
from nltk.metrics.agreement import AnnotationTask
from nltk.metrics.distance import binary_distance, interval_distance
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import cohens_kappa, fleiss_kappa

warnings.simplefilter("ignore")
REF, TMP = sys.argv[1], sys.argv[2]
TOL = 1e-9
NCASES = 400
BOOT, SEED = 200, 20240611

ONE_CLASS = "one class only"
NOMINAL = "nominal scale"


def gen(rng, idx):
    n = 0 if idx % 97 == 0 else rng.randint(1, 60)
    L = rng.randint(1, 6)
    k = rng.randint(1, 5)
    miss = rng.choice([0.0, 0.0, 0.0, 0.1, 0.3, 0.6])
    ordinal = int(rng.random() < 0.5)
    if ordinal:
        bl = rng.randint(1, k - 2) if k >= 3 and rng.random() < 0.7 else -1
    else:
        bl = rng.randrange(-1, k)
    mode = rng.choice(["latent"] * 6 + ["uniform", "one"])
    prev = [rng.random() + 0.05 for _ in range(k)]
    acc = [rng.uniform(0.3, 1.0) for _ in range(L)]
    one = rng.randrange(k)
    cells, truth = [], []
    for _ in range(n):
        t = rng.choices(range(k), prev)[0]
        truth.append(t)
        row = []
        for j in range(L):
            if rng.random() < miss:
                row.append(-1)
            elif mode == "one":
                row.append(one)
            elif mode == "uniform" or rng.random() >= acc[j]:
                row.append(rng.randrange(k))
            else:
                row.append(t)
        cells.append(row)
    ref = gold = None
    if rng.random() < 0.3:
        ref = [t if rng.random() < 0.3 else -1 for t in truth]
    if rng.random() < 0.3:
        gold = [rng.randrange(k) if rng.random() < 0.3 else -1 for _ in truth]
    return dict(n=n, L=L, k=k, ordinal=ordinal, bl=bl, cells=cells,
                ref=ref, gold=gold)


def write(cases, path):
    with open(path, "w") as f:
        for c in cases:
            f.write("%d %d %d %d %d %d %d\n" % (
                c["n"], c["L"], c["k"], c["ordinal"], c["bl"],
                c["ref"] is not None, c["gold"] is not None))
            for i, row in enumerate(c["cells"]):
                extra = []
                if c["ref"] is not None:
                    extra.append(c["ref"][i])
                if c["gold"] is not None:
                    extra.append(c["gold"][i])
                f.write(" ".join(map(str, row + extra)) + "\n")


def run(args):
    p = subprocess.run([REF] + args, capture_output=True, text=True)
    if p.returncode != 0:
        print("not ok - agree_ref runs: rc=%d %s" % (p.returncode, p.stderr[:300].replace("\n", "|")))
        sys.exit(1)
    return p.stdout


def parse(text):
    """Cases as dicts: key (name plus indices) -> value tuple or ('undefined', why)."""
    out, cur = [], None
    for line in text.splitlines():
        t = line.split()
        if t[0] == "case":
            cur = {}
        elif t[0] == "end":
            out.append(cur)
        else:
            if "undefined" in t:
                u = t.index("undefined")
                cur[tuple(t[:u])] = ("undefined", " ".join(t[u + 1:]))
            else:
                name = t[0]
                nidx = {"confusion": 2, "disagreement": 1}.get(name)
                if name.startswith("pair_"):
                    nidx = 2
                if nidx is None:
                    nidx = 1 if (name.startswith("class_") or name.startswith("labeler_")) else 0
                key = tuple(t[:1 + nidx])
                cur[key] = tuple(float(x) for x in t[1 + nidx:])
    return out


class Check:
    def __init__(self, name):
        self.name, self.n, self.bad = name, 0, []

    def near(self, case, what, ours, theirs):
        self.n += 1
        if ours is None or theirs is None or isinstance(ours, str) or \
                not math.isfinite(theirs) or abs(ours - theirs) > TOL:
            self.bad.append("case %d %s: accord %r, reference %r" % (case, what, ours, theirs))

    def same(self, case, what, ours, theirs):
        self.n += 1
        if ours != theirs:
            self.bad.append("case %d %s: accord %r, reference %r" % (case, what, ours, theirs))

    def report(self):
        if self.bad:
            print("not ok - %s: %d of %d differ; %s" % (self.name, len(self.bad), self.n, "; ".join(self.bad[:3])))
        elif self.n == 0:
            print("not ok - %s: nothing compared" % self.name)
        else:
            print("ok - %s (%d comparisons)" % (self.name, self.n))


checks = {}


def chk(name):
    if name not in checks:
        checks[name] = Check(name)
    return checks[name]


def val(r, *key):
    v = r[tuple(str(x) for x in key)]
    if v[0] == "undefined":
        return "undefined: " + v[1]
    return v[0] if len(v) == 1 else v


def defined(r, *key):
    return r[tuple(str(x) for x in key)][0] != "undefined"


def why(r, *key):
    v = r[tuple(str(x) for x in key)]
    return v[1] if v[0] == "undefined" else None


def labels_of(c):
    return [[(j, x) for j, x in enumerate(row) if x >= 0] for row in c["cells"]]


def base_reason(c):
    items = labels_of(c)
    nlabels = sum(len(it) for it in items)
    active = {j for it in items for j, _ in it}
    if nlabels == 0:
        return "no labels"
    if len(active) < 2:
        return "one labeler"
    if not any(len(it) >= 2 for it in items):
        return "no item with two labels"
    return None


def gwet(c):
    """Gwet (2014) p_a, Fleiss p_e, AC1 p_e, Conger p_e, written from irrCAC's R."""
    k, items = c["k"], labels_of(c)
    lab = [it for it in items if len(it) >= 1]
    pair = [it for it in items if len(it) >= 2]
    pa = sum(sum(n * (n - 1) for n in Counter(x for _, x in it).values()) /
             (len(it) * (len(it) - 1)) for it in pair) / len(pair)
    pi = [sum(Counter(x for _, x in it)[q] / len(it) for it in lab) / len(lab) for q in range(k)]
    pe_f = sum(p * p for p in pi)
    pe_ac1 = sum(p * (1 - p) for p in pi) / (k - 1) if k > 1 else None
    per = {}
    for it in items:
        for j, x in it:
            per.setdefault(j, Counter())[x] += 1
    raters = sorted(per)
    prop = {g: [per[g][q] / sum(per[g].values()) for q in range(k)] for g in raters}
    r = len(raters)
    pe_c = sum(sum(prop[g][q] * prop[h][q] for q in range(k))
               for g in raters for h in raters if g != h) / (r * (r - 1))
    return pa, pe_f, pe_ac1, pe_c


def ordinal_distance(items):
    nc = Counter(x for it in items if len(it) >= 2 for _, x in it)

    def d(a, b):
        lo, hi = min(a, b), max(a, b)
        return (sum(nc[g] for g in range(lo, hi + 1)) - (nc[a] + nc[b]) / 2) ** 2
    return d


def item_ref(c, u):
    if c["ref"] is not None and c["ref"][u] >= 0:
        return c["ref"][u]
    if c["gold"] is not None and c["gold"][u] >= 0:
        return c["gold"][u]
    return -1


def hlp(c):
    """Per-item judgement lists [(labeler, num, den)], and HLP sums: a label
    scores 1/0 against the item's reference, else the share of the item's
    other labels that agree; an item's HLP is the mean of its scores."""
    k, L = c["k"], c["L"]
    credit, scored = [0.0] * L, [0] * L
    ccred, cw = [0.0] * k, [0.0] * k
    lists, values = [], []
    for u, it in enumerate(labels_of(c)):
        ref = item_ref(c, u)
        m = len(it)
        cnt = Counter(x for _, x in it)
        if ref < 0 and m < 2 or m == 0:
            continue
        if ref >= 0:
            cw[ref] += 1
            ccred[ref] += cnt[ref] / m
        else:
            for q, n in cnt.items():
                cw[q] += n / m
                ccred[q] += n * (n - 1) / (m * (m - 1))
        jl = []
        for j, x in it:
            num, den = (int(x == ref), 1) if ref >= 0 else (cnt[x] - 1, m - 1)
            scored[j] += 1
            credit[j] += num / den
            jl.append((j, num, den))
        lists.append(tuple(jl))
        values.append(sum(n / d for _, n, d in jl) / len(jl))
    return lists, credit, scored, ccred, cw, values


M64 = (1 << 64) - 1


class Rng:
    """xoshiro256** seeded by splitmix64; 32-bit draws high half first."""

    def __init__(self, seed, rep):
        x = (seed + rep * 4 * 0x9E3779B97F4A7C15) & M64
        self.s = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & M64
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            self.s.append(z ^ (z >> 31))
        self.half = None

    def next64(self):
        s = self.s
        rot = lambda v, k: ((v << k) | (v >> (64 - k))) & M64
        result = (rot((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rot(s[3], 45)
        return result

    def u32(self):
        if self.half is not None:
            h, self.half = self.half, None
            return h
        v = self.next64()
        self.half = v & 0xFFFFFFFF
        return v >> 32

    def below(self, n):
        x = self.u32()
        m = x * n
        if (m & 0xFFFFFFFF) < n:
            t = ((1 << 32) - n) % n
            while (m & 0xFFFFFFFF) < t:
                x = self.u32()
                m = x * n
        return m >> 32


    def uniform(self):
        """(0, 1): the top 52 bits of an output and a half, over 2^52."""
        return ((self.next64() >> 12) + 0.5) * 2.0 ** -52


# Stirling's error log k! - (k + 1/2) log(k + 1) + (k + 1) - log(2 pi) / 2.
FC = [0.081061466795327258, 0.041340695955409294, 0.027677925684998339,
      0.020790672103765093, 0.016644691189821192, 0.013876128823070748,
      0.011896709945891770, 0.010411265261972096, 0.009255462182712733,
      0.008330563433362871]


def fc(k):
    if k < 10:
        return FC[k]
    k1 = k + 1.0
    k1sq = k1 * k1
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / k1sq) / k1sq) / k1


def binomial(r, n, p):
    """Bin(n, p): BINV (Kachitvichyanukul and Schmeiser 1988) below n p =
    10, else BTRD (Hormann 1993), each on p <= 1/2, operation for
    operation as core/agree_boot.c does them in doubles."""
    if n == 0 or p <= 0:
        return 0
    if p >= 1:
        return n
    if p > 0.5:
        return n - binomial(r, n, 1 - p)
    q = 1 - p
    if n * p < 10:
        s = p / q
        a = (n + 1.0) * s
        f0 = math.exp(n * math.log1p(-p))
        while True:
            u = r.uniform()
            f = f0
            x = 0
            while u > f:
                u -= f
                x += 1
                if x > n:
                    break
                f *= a / x - s
            if x <= n:
                return x
    m = math.floor((n + 1.0) * p)
    ratio = p / q
    nr = (n + 1.0) * ratio
    npq = n * p * q
    sq = math.sqrt(npq)
    b = 1.15 + 2.53 * sq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    alpha = (2.83 + 5.1 / b) * sq
    vr = 0.92 - 4.2 / b
    urvr = 0.86 * vr
    while True:
        v = r.uniform()
        if v <= urvr:
            u = v / vr - 0.43
            return math.floor((2 * a / (0.5 - abs(u)) + b) * u + c)
        if v >= vr:
            u = r.uniform() - 0.5
        else:
            u = v / vr - 0.93
            u = (-0.5 if u < 0 else 0.5) - u
            v = r.uniform() * vr
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + c)
        if k < 0 or k > n:
            continue
        v = v * alpha / (a / (us * us) + b)
        km = abs(k - m)
        if km <= 15:
            f = 1.0
            if m < k:
                for i in range(m + 1, k + 1):
                    f *= nr / i - ratio
            else:
                for i in range(k + 1, m + 1):
                    v *= nr / i - ratio
            if v <= f:
                return k
            continue
        v = math.log(v)
        rho = (km / npq) * (((km / 3.0 + 0.625) * km + 1.0 / 6) / npq + 0.5)
        t = -float(km) * km / (2 * npq)
        if v < t - rho:
            return k
        if v > t + rho:
            continue
        nm = n - m + 1.0
        h = (m + 0.5) * math.log((m + 1.0) / (ratio * nm)) + fc(m) + fc(n - m)
        nk = n - k + 1.0
        if v <= h + (n + 1.0) * math.log(nm / nk) + \
                (k + 0.5) * math.log(nk * ratio / (k + 1.0)) - fc(k) - fc(n - k):
            return k


BINOMIAL_MIN = 48


def norm_cdf(x):
    return 0.5 * math.erfc(-x / math.sqrt(2))


def bca(est, reps, jack, conf):
    """BCa from replicates and the jackknife values of every item (None:
    no acceleration); None when the replicates have no spread."""
    reps = sorted(reps)
    B = len(reps)
    if reps[0] == reps[-1]:
        return None
    tie = 1e-12 * max(1.0, abs(est))
    p0 = sum(1 if v < est - tie else 0.5 if v <= est + tie else 0 for v in reps) / B
    p0 = min(max(p0, 0.5 / B), 1 - 0.5 / B)
    z0 = float(norm.ppf(p0))
    a = 0.0
    if jack is not None:
        mean = sum(jack) / len(jack)
        s2 = sum((mean - v) ** 2 for v in jack)
        s3 = sum((mean - v) ** 3 for v in jack)
        if s2 > 0:
            a = s3 / (6 * s2 ** 1.5)
    za = float(norm.ppf((1 + conf) / 2))

    def level(z):
        t = z0 + z
        den = 1 - a * t
        if not den > 0:
            return 0.0 if z < 0 else 1.0
        return norm_cdf(z0 + t / den)
    q = lambda p: float(np.percentile(reps, 100 * p))
    return q(level(-za)), q(level(za))


def wilson(p, n, conf):
    z = float(norm.ppf((1 + conf) / 2))
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


def resample(keys, B, seed):
    """Each replicate's count per distinct key (in order of first
    appearance), as core/agree_boot.c draws them."""
    ids, order, count = {}, [], []
    for key in keys:
        if key not in ids:
            ids[key] = len(order)
            order.append(key)
            count.append(0)
        count[ids[key]] += 1
    N = sum(count)
    # Largest first, ties in order of appearance; the small ones last.
    big = sorted(range(len(order)), key=lambda p: (-count[p], p))
    small = [p for p in big if count[p] < BINOMIAL_MIN]
    big = big[:len(big) - len(small)]
    cum = [0]
    for p in small:
        cum.append(cum[-1] + count[p])
    hists = []
    for rep in range(B):
        r = Rng(seed, rep)
        hist = [0] * len(order)
        left = rest = N
        for p in big:
            hist[p] = binomial(r, left, count[p] / rest)
            left -= hist[p]
            rest -= count[p]
        for _ in range(left):
            hist[small[bisect.bisect_right(cum, r.below(rest)) - 1]] += 1
        hists.append(hist)
    return order, hists


def boot_replay(c, B, seed, conf):
    lists, credit, scored, _, _, values = hlp(c)
    if not lists:
        return None
    order, hists = resample(lists, B, seed)
    team, lab = [], [[] for _ in range(c["L"])]
    for hist in hists:
        tc = tw = 0.0
        lc, lw = [0.0] * c["L"], [0.0] * c["L"]
        for p, jl in enumerate(order):
            h = hist[p]
            if not h:
                continue
            tc += h * sum(n / d for _, n, d in jl) / len(jl)
            tw += h
            for j, n, d in jl:
                lw[j] += h
                lc[j] += h * n / d
        team.append(tc / tw)
        for j in range(c["L"]):
            lab[j].append(lc[j] / lw[j] if lw[j] > 0 else None)
    N = len(lists)
    est = sum(values) / N
    # The jackknife: the figure without each item in turn.
    jack = [(sum(values) - v) / (N - 1) for v in values] if N >= 2 else None
    teamci = bca(est, team, jack, conf) or wilson(est, N, conf)
    labci = []
    for j in range(c["L"]):
        if not scored[j] or any(x is None for x in lab[j]):
            labci.append(None)
            continue
        e = credit[j] / scored[j]
        jk = None
        if scored[j] >= 2:
            jk = []
            for jl in lists:
                mine = [n / d for h, n, d in jl if h == j]
                jk.append((credit[j] - mine[0]) / (scored[j] - 1) if mine else e)
        labci.append(bca(e, lab[j], jk, conf) or wilson(e, scored[j], conf))
    return teamci, labci


def coefs(k, ordinal, vecs):
    """Percent, Fleiss, AC1 and the alphas of items given as class count
    vectors (Gwet 2014 and Krippendorff 2011, written out again); None
    where undefined."""
    lab = [v for v in vecs if sum(v.values()) >= 1]
    pair = [v for v in vecs if sum(v.values()) >= 2]
    if not pair:
        return None
    pa = sum(sum(n * (n - 1) for n in v.values()) /
             (sum(v.values()) * (sum(v.values()) - 1)) for v in pair) / len(pair)
    pi = [sum(v[q] / sum(v.values()) for v in lab) / len(lab) for q in range(k)]
    out = {"percent": pa}
    if sum(p > 0 for p in pi) >= 2:
        pe = sum(p * p for p in pi)
        out["fleiss"] = (pa - pe) / (1 - pe)
    if k >= 2:
        pe = sum(p * (1 - p) for p in pi) / (k - 1)
        out["ac1"] = (pa - pe) / (1 - pe)
    nc = Counter()
    o = Counter()
    for v in pair:
        m = sum(v.values())
        for a in v:
            nc[a] += v[a]
            for b in v:
                o[(a, b)] += (v[a] * (v[a] - 1) if a == b else v[a] * v[b]) / (m - 1)
    if sum(1 for q in nc if nc[q] > 0) >= 2:
        n = sum(nc.values())
        metrics = {"alpha_nominal": lambda a, b: 1.0}
        if ordinal:
            metrics["alpha_interval"] = lambda a, b: float((a - b) ** 2)
            metrics["alpha_ordinal"] = lambda a, b: (
                sum(nc[g] for g in range(a, b + 1)) - (nc[a] + nc[b]) / 2) ** 2
        for name, d2 in metrics.items():
            num = sum(o[(a, b)] * d2(a, b) for a in range(k) for b in range(a + 1, k))
            den = sum(nc[a] * nc[b] * d2(a, b) for a in range(k) for b in range(a + 1, k))
            out[name] = 1 - (n - 1) * num / den
    return out


BRANCH = Counter()
COEFS = ("percent", "fleiss", "ac1", "alpha_nominal", "alpha_ordinal", "alpha_interval")
CBOOT_SEED = 0x636f656673756d73


def alpha_sums(vecs, k, metric):
    """Krippendorff's n, num, den and the largest d2 between used classes."""
    pair = [v for v in vecs if sum(v.values()) >= 2]
    nc, o = Counter(), Counter()
    for v in pair:
        m = sum(v.values())
        for a in v:
            nc[a] += v[a]
            for b in v:
                o[(a, b)] += (v[a] * (v[a] - 1) if a == b else v[a] * v[b]) / (m - 1)
    d2 = {0: lambda a, b: 1.0, 2: lambda a, b: float((a - b) ** 2),
          1: lambda a, b: (sum(nc[g] for g in range(a, b + 1)) - (nc[a] + nc[b]) / 2) ** 2}[metric]
    used = [q for q in range(k) if nc[q] > 0]
    num = sum(o[(a, b)] * d2(a, b) for a in used for b in used if a < b)
    den = sum(nc[a] * nc[b] * d2(a, b) for a in used for b in used if a < b)
    dmax = max([d2(a, b) for a in used for b in used if a < b] or [0.0])
    return sum(nc.values()), num, den, dmax


def coef_replay(c, B, seed, conf):
    """The coefficients' intervals: items resampled by class count vector
    (classes ascending), BCa with the jackknife over the items; with 1 to
    4 pairable items in disagreement, 1 - estimate scaled by Wilson's
    interval of the disagreement share; with none, [the coefficient at
    Wilson's largest share for 0 disagreements, 1]."""
    vecs = [Counter(x for _, x in it) for it in labels_of(c) if it]
    keys = [tuple(sorted(v.items())) for v in vecs]
    full = coefs(c["k"], c["ordinal"], vecs)
    if full is None:
        return None
    order, hists = resample(keys, B, seed ^ CBOOT_SEED)
    reps = []
    for hist in hists:
        vs = []
        for p, key in enumerate(order):
            vs += [Counter(dict(key))] * hist[p]
        reps.append(coefs(c["k"], c["ordinal"], vs))
    jacks = [coefs(c["k"], c["ordinal"], vecs[:u] + vecs[u + 1:]) for u in range(len(vecs))]
    pair = [v for v in vecs if sum(v.values()) >= 2]
    n2 = len(pair)
    split = sum(1 for v in vecs if len(v) >= 2)
    w = 1 - full["percent"]
    z = float(norm.ppf((1 + conf) / 2))
    out = {}
    for name in COEFS:
        if name not in full:
            continue
        if any(r is None or name not in r for r in reps):
            out[name] = "undefined in some resamples"
            continue
        est = full[name]
        if 0 < split < 5:
            BRANCH["few"] += 1
            wlo, whi = wilson(w, n2, conf)
            out[name] = (1 - (1 - est) * whi / w, 1 - (1 - est) * wlo / w)
            continue
        jk = [j[name] if j is not None and name in j else None for j in jacks]
        ci = bca(est, [r[name] for r in reps], None if None in jk else jk, conf)
        if ci is None and est >= 1 - 1e-12:
            BRANCH["floor"] += 1
            w0 = z * z / (n2 + z * z)
            if name == "percent":
                lo = 1 - w0
            elif name in ("fleiss", "ac1"):
                lab = [v for v in vecs if sum(v.values()) >= 1]
                pi = [sum(v[q] / sum(v.values()) for v in lab) / len(lab) for q in range(c["k"])]
                pe = sum(p * p for p in pi) if name == "fleiss" else \
                    sum(p * (1 - p) for p in pi) / (c["k"] - 1)
                lo = (1 - w0 - pe) / (1 - pe)
            else:
                n, _, den, dmax = alpha_sums(vecs, c["k"], COEFS.index(name) - 3)
                lo = 1 - (n - 1) * n * w0 * dmax / (2 * den) if den > 0 else None
            ci = (lo, 1.0) if lo is not None else None
        out[name] = ci if ci is not None else "every resample gave the same value"
    return out


rng = random.Random(SEED)
cases = [gen(rng, i) for i in range(NCASES)]
write(cases, TMP + "/in.txt")
res = parse(run(["-b", str(BOOT), "-s", "77", "-t", "1", TMP + "/in.txt"]))
res2 = parse(run(["-b", str(BOOT), "-s", "77", "-t", "2", TMP + "/in.txt"]))
if len(res) != NCASES:
    print("not ok - agree_ref prints every case: %d of %d" % (len(res), NCASES))
    sys.exit(1)

for ci, (c, r) in enumerate(zip(cases, res)):
    items = labels_of(c)
    k, L = c["k"], c["L"]
    base = base_reason(c)
    complete = c["n"] > 0 and L >= 2 and all(len(it) == L for it in items)
    pairable_classes = {x for it in items if len(it) >= 2 for _, x in it}
    used = {x for it in items for _, x in it}
    data = [(j, u, x) for u, it in enumerate(items) for j, x in it]

    # Reasons for the main statistics.
    w = chk("undefined statistics and their reasons = Python")
    exp = {}
    for name in ("percent", "unanimous", "fleiss", "conger", "ac1",
                 "alpha_nominal", "alpha_ordinal", "alpha_interval"):
        exp[name] = base
    if base is None:
        if len(used) < 2:
            exp["fleiss"] = exp["conger"] = ONE_CLASS
        if k < 2:
            exp["ac1"] = ONE_CLASS
        if len(pairable_classes) < 2:
            exp["alpha_nominal"] = exp["alpha_ordinal"] = exp["alpha_interval"] = ONE_CLASS
    if not c["ordinal"]:
        exp["alpha_ordinal"] = exp["alpha_interval"] = NOMINAL
    for name, e in exp.items():
        w.same(ci, name, why(r, name), e)

    # Krippendorff's alpha against NLTK.
    if base is None and len(pairable_classes) >= 2:
        chk("alpha nominal = NLTK alpha (binary_distance)").near(
            ci, "alpha", val(r, "alpha_nominal"), AnnotationTask(data, binary_distance).alpha())
        if c["ordinal"]:
            chk("alpha interval = NLTK alpha (interval_distance)").near(
                ci, "alpha", val(r, "alpha_interval"), AnnotationTask(data, interval_distance).alpha())
            chk("alpha ordinal = NLTK alpha (Krippendorff's ordinal metric)").near(
                ci, "alpha", val(r, "alpha_ordinal"), AnnotationTask(data, ordinal_distance(items)).alpha())

    # Cohen's kappa per pair.
    kap = {}
    for a in range(L):
        for b in range(a + 1, L):
            sh = [(row[a], row[b]) for row in c["cells"] if row[a] >= 0 and row[b] >= 0]
            w2 = chk("pairwise Cohen: items shared, p_o, p_e = Python")
            w2.same(ci, "nshared %d-%d" % (a, b), int(val(r, "pair_shared", a, b)), len(sh))
            if not sh:
                chk("undefined statistics and their reasons = Python").same(
                    ci, "pair kappa", why(r, "pair_kappa", a, b), "no item labeled by both")
                continue
            n = len(sh)
            po = sum(x == y for x, y in sh) / n
            ca, cb = Counter(x for x, _ in sh), Counter(y for _, y in sh)
            pe = sum(ca[q] * cb[q] for q in range(k)) / (n * n)
            w2.near(ci, "p_o", val(r, "pair_observed", a, b), po)
            w2.near(ci, "p_e", val(r, "pair_expected", a, b), pe)
            ours = val(r, "pair_kappa", a, b)
            if sum(ca[q] * cb[q] for q in range(k)) == n * n:
                chk("undefined statistics and their reasons = Python").same(
                    ci, "pair kappa", why(r, "pair_kappa", a, b), ONE_CLASS)
                continue
            kap[(a, b)] = ours
            chk("pairwise Cohen kappa = sklearn cohen_kappa_score").near(
                ci, "kappa %d-%d" % (a, b), ours,
                float(cohen_kappa_score([x for x, _ in sh], [y for _, y in sh])))
            tab = np.zeros((k, k))
            for x, y in sh:
                tab[x, y] += 1
            chk("pairwise Cohen kappa = statsmodels cohens_kappa").near(
                ci, "kappa %d-%d" % (a, b), ours, float(cohens_kappa(tab).kappa))
    if kap:
        chk("mean Cohen kappa = mean of the pairs").near(
            ci, "cohen_mean", val(r, "cohen_mean"), sum(kap.values()) / len(kap))
    else:
        chk("undefined statistics and their reasons = Python").same(
            ci, "cohen_mean", defined(r, "cohen_mean"), False)

    # Complete data: statsmodels and NLTK's multi-coder coefficients.
    if complete and base is None:
        table = np.array([[Counter(row)[q] for q in range(k)] for row in c["cells"]])
        task = AnnotationTask(data)
        chk("percent agreement = NLTK avg_Ao (complete data)").near(
            ci, "percent", val(r, "percent"), task.avg_Ao())
        if len(used) >= 2:
            chk("Fleiss kappa = statsmodels fleiss_kappa (complete data)").near(
                ci, "fleiss", val(r, "fleiss"), float(fleiss_kappa(table)))
            chk("Fleiss kappa = NLTK pi (complete data)").near(
                ci, "fleiss", val(r, "fleiss"), task.pi())
            chk("Conger kappa = NLTK multi_kappa, Davies & Fleiss (complete data)").near(
                ci, "conger", val(r, "conger"), task.multi_kappa())
        if len(kap) == L * (L - 1) // 2:
            chk("mean Cohen kappa = NLTK kappa (complete data)").near(
                ci, "cohen_mean", val(r, "cohen_mean"), task.kappa())

    # Gwet's generalisations with any missing pattern.
    if base is None:
        pa, pe_f, pe_ac1, pe_c = gwet(c)
        g = chk("percent, Fleiss, Conger, AC1 with missing labels = Gwet (2014) in Python")
        g.near(ci, "percent", val(r, "percent"), pa)
        if len(used) >= 2:
            g.near(ci, "fleiss", val(r, "fleiss"), (pa - pe_f) / (1 - pe_f))
            g.near(ci, "conger", val(r, "conger"), (pa - pe_c) / (1 - pe_c))
        if k >= 2:
            g.near(ci, "ac1", val(r, "ac1"), (pa - pe_ac1) / (1 - pe_ac1))
        pit = [it for it in items if len(it) >= 2]
        g.near(ci, "unanimous", val(r, "unanimous"),
               sum(len({x for _, x in it}) == 1 for it in pit) / len(pit))

    # Pooled confusion, specific agreement, disagreement pairs.
    conf = [[0] * k for _ in range(k)]
    for it in items:
        for p, (_, x) in enumerate(it):
            for q, (_, y) in enumerate(it):
                if p != q:
                    conf[x][y] += 1
    cc = chk("pooled confusion and specific agreement = Python")
    for x in range(k):
        for y in range(k):
            cc.same(ci, "confusion %d %d" % (x, y), int(val(r, "confusion", x, y)), conf[x][y])
        den = sum(cnt * (len(it) - 1) for it in items if len(it) >= 2
                  for cnt in [Counter(z for _, z in it)[x]])
        num = sum(cnt * (cnt - 1) for it in items if len(it) >= 2
                  for cnt in [Counter(z for _, z in it)[x]])
        if base is None and den > 0:
            cc.near(ci, "specific %d" % x, val(r, "class_specific", x), num / den)
        else:
            cc.same(ci, "specific %d" % x, defined(r, "class_specific", x), False)
        cc.same(ci, "nlabels %d" % x, int(val(r, "class_nlabels", x)),
                sum(1 for it in items for _, z in it if z == x))
        cc.same(ci, "borderline %d" % x, int(val(r, "class_borderline", x)), int(x == c["bl"]))
    dis = sorted(((conf[x][y], x, y) for x in range(k) for y in range(x + 1, k) if conf[x][y]),
                 key=lambda t: (-t[0], t[1], t[2]))
    tot = sum(t[0] for t in dis)
    dd = chk("disagreement pairs, most first = Python")
    dd.same(ci, "count", sum(1 for key in r if key[0] == "disagreement"), len(dis))
    for i, (n, x, y) in enumerate(dis):
        v = r.get(("disagreement", str(i)))
        dd.same(ci, "pair %d" % i, v[:3] if v else None, (float(x), float(y), float(n)))
        if v:
            dd.near(ci, "share %d" % i, v[3], n / tot)

    # Per labeler: agreement with the others, kappa mean, gold accuracy.
    pl = chk("per-labeler agreement, mean kappa and gold accuracy = Python")
    for j in range(L):
        agree = pairs = 0
        for it in items:
            mine = [x for h, x in it if h == j]
            if mine:
                for h, y in it:
                    if h != j:
                        pairs += 1
                        agree += y == mine[0]
        if pairs:
            pl.near(ci, "agree_others %d" % j, val(r, "labeler_agree_others", j), agree / pairs)
            ks = [v for (a, b), v in kap.items() if j in (a, b)]
            if ks:
                pl.near(ci, "kappa_mean %d" % j, val(r, "labeler_kappa_mean", j), sum(ks) / len(ks))
            else:
                pl.same(ci, "kappa_mean %d" % j, why(r, "labeler_kappa_mean", j), ONE_CLASS)
        else:
            pl.same(ci, "agree_others %d" % j, defined(r, "labeler_agree_others", j), False)
        gi = [(row[j], c["gold"][u]) for u, row in enumerate(c["cells"])
              if c["gold"] is not None and c["gold"][u] >= 0 and row[j] >= 0]
        if gi:
            pl.near(ci, "gold %d" % j, val(r, "labeler_gold_accuracy", j),
                    sum(x == g for x, g in gi) / len(gi))
        else:
            pl.same(ci, "gold %d" % j, defined(r, "labeler_gold_accuracy", j), False)

    # HLP.
    lists, credit, scored, ccred, cw, values = hlp(c)
    hh = chk("HLP per labeler, per class and team = Python")
    for j in range(L):
        hh.same(ci, "nscored %d" % j, int(val(r, "labeler_nscored", j)), scored[j])
        if scored[j]:
            hh.near(ci, "hlp %d" % j, val(r, "labeler_hlp", j), credit[j] / scored[j])
        else:
            hh.same(ci, "hlp %d" % j, defined(r, "labeler_hlp", j), False)
    for x in range(k):
        hh.near(ci, "class weight %d" % x, val(r, "class_hlp_weight", x), cw[x])
        if cw[x] > 0:
            hh.near(ci, "class hlp %d" % x, val(r, "class_hlp", x), ccred[x] / cw[x])
    if values:
        hh.near(ci, "team", val(r, "team_hlp"), sum(values) / len(values))
    else:
        hh.same(ci, "team", defined(r, "team_hlp"), False)
    hh.same(ci, "hlp_items", int(val(r, "hlp_items")), len(lists))

    # Bootstrap: a replay of the generator, and thread independence.
    th = chk("bootstrap intervals on 2 threads = on 1 thread")
    th.same(ci, "all lines", res2[ci], r)
    if ci % 4 == 0:
        rb = boot_replay(c, BOOT, 77, 0.95)
        bb = chk("HLP intervals = Python replay of the generator and BCa")
        if rb is None:
            bb.same(ci, "team ci", defined(r, "team_hlp_ci"), False)
        else:
            team, labci = rb
            v = val(r, "team_hlp_ci")
            bb.near(ci, "team lo", v[0], team[0])
            bb.near(ci, "team hi", v[1], team[1])
            for j in range(L):
                if labci[j] is None or not scored[j]:
                    bb.same(ci, "labeler ci %d" % j, defined(r, "labeler_hlp_ci", j), False)
                else:
                    v = val(r, "labeler_hlp_ci", j)
                    bb.near(ci, "lo %d" % j, v[0], labci[j][0])
                    bb.near(ci, "hi %d" % j, v[1], labci[j][1])
        cb = chk("coefficient intervals = Python replay of the generator and BCa")
        cr = coef_replay(c, BOOT, 77, 0.95)
        for name in COEFS:
            want = None if cr is None else cr.get(name)
            if isinstance(want, tuple):
                v = val(r, name + "_ci")
                cb.near(ci, name + " lo", v[0], want[0])
                cb.near(ci, name + " hi", v[1], want[1])
            else:
                cb.same(ci, name + " ci defined", defined(r, name + "_ci"), False)
                if isinstance(want, str):
                    cb.same(ci, name + " ci why", why(r, name + "_ci"), want)

print("# coefficient intervals replayed: %d by Wilson below 5 disagreeing items, %d at 1 without disagreement" % (BRANCH["few"], BRANCH["floor"]))
for c in checks.values():
    c.report()
EOF
