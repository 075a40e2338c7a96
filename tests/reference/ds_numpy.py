"""Dawid & Skene (1979) EM, written independently of accord with NumPy.

The same model and schedule as core/consensus.c, from docs/statistics.md
("Dawid-Skene"):

  init   T[i, k] = share of item i's labels that are k (items with labels)
  M-step pi[j, k, l] = (alpha + sum_i T[i, k] n[i, j, l])
                       / (K alpha + sum_i T[i, k] sum_l n[i, j, l])
         p[k]        = (alpha + sum_i T[i, k]) / (K alpha + N_labeled)
  E-step T[i, k] proportional to p[k] prod_j prod_l pi[j, k, l] ** n[i, j, l]
  stop   after the round whose largest |T_new - T_old| < tol, or max_iter

n is a dense one-hot tensor items x labelers x classes, the M-step tensor
contractions (einsum), the E-step in logs: nothing is shared with the C
code but the formulas.  Items without labels take no part; their row of
the posterior is the prior.
"""
import numpy as np


def dawid_skene(cells, K, alpha, max_iter, tol=1e-6):
    cells = np.asarray(cells, dtype=int)
    N, L = cells.shape
    n = np.zeros((N, L, K))
    for k in range(K):
        n[:, :, k] = cells == k
    per_item = n.sum(axis=(1, 2))
    lab = per_item > 0
    T = np.zeros((N, K))
    T[lab] = n[lab].sum(axis=1) / per_item[lab, None]
    it, converged = 0, False
    while it < max_iter:
        num = alpha + np.einsum("ik,ijl->jkl", T[lab], n[lab])
        pi = num / num.sum(axis=2, keepdims=True)
        p = (alpha + T[lab].sum(axis=0)) / (K * alpha + lab.sum())
        logT = np.log(p)[None, :] + np.einsum("ijl,jkl->ik", n[lab], np.log(pi))
        logT -= logT.max(axis=1, keepdims=True)
        new = np.exp(logT)
        new /= new.sum(axis=1, keepdims=True)
        delta = np.abs(new - T[lab]).max() if lab.any() else 0.0
        T[lab] = new
        it += 1
        if delta < tol:
            converged = True
            break
    T[~lab] = p
    return {"iterations": it, "converged": converged, "prior": p,
            "confusion": pi, "posterior": T}
