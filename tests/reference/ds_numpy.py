"""Dawid & Skene (1979) EM, written independently of accord with NumPy.

The same model, schedule and decisions as core/consensus.c, from
docs/statistics.md ("Dawid-Skene"):

  init   T[i, k] = share of item i's labels that are k (items with labels)
  M-step pi[j, k, l] = (alpha + sum_i T[i, k] n[i, j, l])
                       / (K alpha + sum_i T[i, k] sum_l n[i, j, l])
         p[k]        = (alpha + sum_i T[i, k]) / (K alpha + N_labeled)
  E-step T[i, k] proportional to p[k] prod_j prod_l pi[j, k, l] ** n[i, j, l]
  objective  sum_i log sum_k p[k] prod_j prod_l pi[j, k, l] ** n[i, j, l]
             + alpha (sum_k log p[k] + sum_jkl log pi[j, k, l])
  stop   from the second round, after the round whose objective changed by
         at most tol x |objective|, or after max_iter rounds (plain EM:
         consensus_dawid_skene with ds.plain; its default SQUAREM path is
         checked against this fit's objective)

  decide items with 1 or 2 labels: the majority vote (a tie is undecided)
         with its posterior; 3 or more: the class of largest posterior
         among the classes given to the item (within 1e-9: a tie)

n is a dense one-hot tensor items x labelers x classes, the M-step tensor
contractions (einsum), the E-step in logs: nothing is shared with the C
code but the formulas.  Items without labels take no part; their row of
the posterior is the prior.
"""
import numpy as np

TOL = 1e-10
MAX_ITER = 10000
MIN_LABELS = 3
TIE_EPS = 1e-9


def dawid_skene(cells, K, alpha, max_iter=MAX_ITER, tol=TOL):
    cells = np.asarray(cells, dtype=int)
    N, L = cells.shape
    n = np.zeros((N, L, K))
    for k in range(K):
        n[:, :, k] = cells == k
    per_item = n.sum(axis=(1, 2))
    lab = per_item > 0
    T = np.zeros((N, K))
    T[lab] = n[lab].sum(axis=1) / per_item[lab, None]
    state = {"it": 0, "converged": False, "obj": 0.0}
    changes = []

    def mstep(T):
        num = alpha + np.einsum("ik,ijl->jkl", T[lab], n[lab])
        pi = num / num.sum(axis=2, keepdims=True)
        p = (alpha + T[lab].sum(axis=0)) / (K * alpha + lab.sum())
        return np.concatenate([p, pi.ravel()])

    def estep(x, prev):
        """T and the objective at parameters x; True when converged."""
        p, pi = x[:K], x[K:].reshape(L, K, K)
        logT = np.log(p)[None, :] + np.einsum("ijl,jkl->ik", n[lab], np.log(pi))
        mx = logT.max(axis=1, keepdims=True)
        new = np.exp(logT - mx)
        s = new.sum(axis=1, keepdims=True)
        obj = float((mx + np.log(s)).sum()) + alpha * (np.log(p).sum() + np.log(pi).sum())
        T[lab] = new / s
        state["it"] += 1
        state["obj"] = obj
        if prev is None:
            return False
        changes.append(abs(obj - prev) / abs(obj) if obj != prev else 0.0)
        if abs(obj - prev) <= tol * abs(obj):
            state["converged"] = True
            return True
        return False

    x = mstep(T)
    if max_iter >= 1:
        # Plain EM: an M-step then an E-step a round.
        prev = None
        while state["it"] < max_iter:
            if state["it"] > 0:
                x = mstep(T)
            if estep(x, prev):
                break
            prev = state["obj"]
    p, pi = x[:K], x[K:].reshape(L, K, K)
    T[~lab] = p
    label, conf, tie = decide(cells, K, T)
    return {"iterations": state["it"], "converged": state["converged"],
            "prior": p, "confusion": pi, "posterior": T,
            "objective": state["obj"], "changes": changes, "label": label,
            "confidence": conf, "tie": tie}


def onecoin(cells, K):
    """The majority's one-coin model (docs/statistics.md): accuracy from
    the smoothed pairwise agreement, prevalences by EM; returns
    P(truth = c | vote counts)."""
    vv = [np.bincount([c for c in row if c >= 0], minlength=K) for row in cells]
    vv = [v for v in vv if v.sum() > 0]
    pairs = sum(int(v.sum()) * (int(v.sum()) - 1) // 2 for v in vv)
    agree = sum(int(x) * (int(x) - 1) // 2 for v in vv for x in v)
    P = (agree + 1) / (pairs + 2)
    disc = 1 - K + K * (K - 1) * P
    a = (1 + np.sqrt(disc)) / K if disc > 0 else 1 / K
    lr = np.log(a * (K - 1) / (1 - a))
    nlab = sum(int(v.sum()) for v in vv)
    prior = np.array([(sum(int(v[k]) for v in vv) + 1) / (nlab + K) for k in range(K)])
    for _ in range(1000):
        new = np.ones(K)
        for v in vv:
            w = np.log(prior) + v * lr
            e = np.exp(w - w.max())
            new += e / e.sum()
        new /= len(vv) + K
        moved = np.abs(new - prior).max()
        prior = new
        if moved < 1e-12:
            break

    def post(votes, c):
        w = np.log(prior) + votes * lr
        e = np.exp(w - w.max())
        return float(e[c] / e.sum())
    return post


def decide(cells, K, T):
    """Each item's consensus class (-1: none), confidence and tie flag:
    under MIN_LABELS labels the majority with its one-coin confidence."""
    N = len(cells)
    label, conf, tie = [-1] * N, [0.0] * N, [0] * N
    post = None
    for i in range(N):
        votes = np.bincount([c for c in cells[i] if c >= 0], minlength=K)
        n = votes.sum()
        if n == 0:
            continue
        if n < MIN_LABELS:
            top = votes.max()
            if (votes == top).sum() > 1:
                tie[i] = 1
                continue
            c = int(votes.argmax())
            if post is None:
                post = onecoin(cells, K)
            label[i], conf[i] = c, post(votes, c)
            continue
        else:
            v = np.where(votes > 0, T[i], -1.0)
            c = int(v.argmax())
            if ((v >= v[c] - TIE_EPS).sum()) > 1:
                tie[i] = 1
                continue
        label[i], conf[i] = c, float(T[i, c])
    return label, conf, tie
