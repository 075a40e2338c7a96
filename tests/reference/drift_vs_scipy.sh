#!/bin/sh
# drift_vs_scipy.sh: accord drift's statistics against SciPy and NumPy, on
# seeded random samples (Debian's /usr/bin/python3 with python3-scipy).
#
#  - KS D: scipy.stats.ks_2samp(a, b, method='asymp').statistic, to 1e-9,
#    on continuous samples and on samples with many ties (small integers),
#    sizes 1 to 3000, equal and unequal.
#  - KS p-value, exact (equal sizes at any size; others while na nb <=
#    1e8): scipy.stats.ks_2samp(a, b, method='exact').pvalue, to 1e-9
#    relative (p-values down to 1e-60 and below among the shifted pairs).
#    Beyond that (one pair of 12,000 and 9,000 here) it is Kolmogorov's
#    limiting distribution at sqrt(en) D, en = na nb / (na + nb):
#    scipy.stats.kstwobign.sf(sqrt(en) D) (the same as
#    scipy.special.kolmogorov), to 1e-9; ks_2samp's 'asymp' uses kstwo at
#    n = round(en) there, checked to be within 0.01.
#  - Kolmogorov's distribution on a grid of x from 0.01 to 4: kstwobign.sf,
#    to 1e-9 (both of accord's series, below and above x = 1).
#  - PSI over the deciles of the first sample: a NumPy one-liner with the
#    documented cut points (values of rank floor(j n / 10)), bins by
#    searchsorted(side='right'), empty shares 1e-4; to 1e-9.
#  - Chi-square tail: scipy.stats.chi2.sf, df 1 to 30, to 1e-9.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

REF="$ROOT/build/asan/ref/drift_ref"
PY=/usr/bin/python3

if [ ! -x "$REF" ]; then
	fail "tools" "$REF is missing (make build/asan/ref/drift_ref)"
	exit 1
fi
if ! "$PY" -c 'import scipy.stats, numpy' 2>"$T/err"; then
	fail "tools" "python3-scipy is needed (scripts/deps.sh test): $(tail -n 1 "$T/err")"
	exit 1
fi

"$PY" - "$REF" <<'PY'
import subprocess, sys, warnings
import numpy as np
from scipy import stats

warnings.simplefilter("ignore")
REF = sys.argv[1]
TOL = 1e-9
rng = np.random.default_rng(20261130)

def psi_numpy(a, b):
    a, b = np.sort(a), np.asarray(b)
    e = np.unique(a[np.arange(1, 10) * len(a) // 10])
    p = np.bincount(np.searchsorted(e, a, side="right"), minlength=len(e) + 1) / len(a)
    q = np.bincount(np.searchsorted(e, b, side="right"), minlength=len(e) + 1) / len(b)
    p, q = np.where(p == 0, 1e-4, p), np.where(q == 0, 1e-4, q)
    return np.sum((q - p) * np.log(q / p)), len(e) + 1

cases, lines = [], []
sizes = [(1, 1), (1, 5), (3, 2), (10, 10), (29, 31), (50, 200), (400, 300),
         (1000, 1000), (3000, 2500), (20000, 20000), (12000, 9000)]
for na, nb in sizes:
    for kind in ("normal", "ties", "shifted"):
        for _ in range(4 if na * nb <= 10 ** 7 else 1):
            if kind == "ties":
                a = rng.integers(0, 6, na).astype(float)
                b = rng.integers(0, 7, nb).astype(float)
            else:
                shift = rng.uniform(0, 1) if kind == "shifted" else 0
                a = rng.normal(0, 1, na)
                b = rng.normal(shift, rng.uniform(0.7, 1.5), nb)
            cases.append((a, b))
            lines.append("ks %d %d %s %s" % (na, nb, " ".join(repr(float(x)) for x in a),
                                              " ".join(repr(float(x)) for x in b)))
grid = [0.01 * k for k in range(1, 401)]
lines += ["kolmogorov %r" % x for x in grid]
chis = [(float(rng.uniform(0, 3 * df + 5)), df) for df in range(1, 31) for _ in range(5)]
lines += ["chi2 %r %d" % c for c in chis]
out = subprocess.run([REF], input="\n".join(lines) + "\n", capture_output=True,
                     text=True, check=True).stdout.split("\n")

def check(name, ok, why=""):
    print(("ok - " if ok else "not ok - ") + name + ("" if ok else ": " + why))

bad_d = bad_p = bad_psi = 0
nexact = nasymp = 0
far = 0.0
for (a, b), line in zip(cases, out):
    d, p, psi, bins, exact = line.split()
    d, p, psi, bins, exact = float(d), float(p), float(psi), int(bins), int(exact)
    want_psi, want_bins = psi_numpy(a, b)
    if exact:
        nexact += 1
        r = stats.ks_2samp(a, b, method="exact")
        want_p, what = r.pvalue, "ks_2samp exact"
    else:
        nasymp += 1
        r = stats.ks_2samp(a, b, method="asymp")
        en = len(a) * len(b) / (len(a) + len(b))
        want_p, what = stats.kstwobign.sf(np.sqrt(en) * r.statistic), "kstwobign"
        far = max(far, abs(p - r.pvalue))
    if abs(d - r.statistic) > TOL:
        bad_d += 1
        print("# D %r vs scipy %r (n %d, %d)" % (d, r.statistic, len(a), len(b)))
    # Exact p-values to 1e-9 relative: a tiny p keeps its digits too.
    if abs(p - want_p) > (TOL * want_p if exact else TOL):
        bad_p += 1
        print("# p %r vs %s %r (n %d, %d)" % (p, what, want_p, len(a), len(b)))
    if abs(psi - want_psi) > TOL or bins != want_bins:
        bad_psi += 1
        print("# psi %r/%d vs numpy %r/%d" % (psi, bins, want_psi, want_bins))
check("KS D equals scipy ks_2samp on %d sample pairs (ties included)" % len(cases), bad_d == 0, "%d differ" % bad_d)
check("KS p equals ks_2samp(method='exact') on %d pairs and kstwobign on %d (12000 x 9000)"
      % (nexact, nasymp), bad_p == 0 and nasymp == 3, "%d differ, %d asymptotic" % (bad_p, nasymp))
print("# smallest exact p compared: %.3g" % min(float(l.split()[1]) for l in out[:len(cases)] if int(l.split()[4]) and float(l.split()[1]) > 0))
print("# |p - ks_2samp asymp p| at 12000 x 9000: %.3g" % far)
check("asymptotic p within 0.01 of ks_2samp(method='asymp') at 12000 x 9000", far < 0.01, "%.4g" % far)
check("PSI equals the NumPy one-liner on %d pairs" % len(cases), bad_psi == 0, "%d differ" % bad_psi)
k = out[len(cases):len(cases) + len(grid)]
worst = max(abs(float(v) - stats.kstwobign.sf(x)) for v, x in zip(k, grid))
check("Kolmogorov distribution equals kstwobign.sf on x = 0.01..4", worst < TOL, "worst %g" % worst)
c = out[len(cases) + len(grid):len(cases) + len(grid) + len(chis)]
worst = max(abs(float(v) - stats.chi2.sf(x, df)) for v, (x, df) in zip(c, chis))
check("chi-square tail equals scipy chi2.sf, df 1..30", worst < TOL, "worst %g" % worst)
PY
