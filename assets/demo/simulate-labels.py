#!/usr/bin/python3
"""Simulate three labelers on the demo data set.

Usage: /usr/bin/python3 simulate-labels.py   (make-assets.sh runs it after
plan.py has written the truth and metadata files)

Reads truth-images.csv, truth-audio.csv and the metadata CSVs, and writes
labels-images.csv and labels-audio.csv with the header

    file,labeler,class,seconds,note

where file is relative to the CSV's directory exactly as in the metadata CSV,
class is one of the task's classes or the borderline class "unsure", seconds
is the time the labeler spent on the item, and note is usually empty.

The model (all draws from random.Random(SEED), so the output is fixed):
- Clear items: each labeler gets her own share right (about 93-97 %); her
  mistakes fall twice as often on cam-c's dark, soft photos and on phone
  audio, and go to a neighbouring class, never uniformly at random.
- Borderline items: the labelers disagree for a reason.  On faint image
  defects alice calls what she sees, bob says "ok" unless it is obvious,
  carol marks them "unsure".  On audio bob is the strict one (any hiss or
  flattened peak counts), alice lets it pass as "clean", carol says "unsure".
- Time: log-normal around a per-labeler pace, about twice as long on
  borderline items, with the odd long pause.
Standard library only: this runs under Debian's /usr/bin/python3.
"""

import csv
import math
import os
import random

SEED = 7411

# name: (accuracy on clear items, pace factor for time spent)
LABELERS = {
    "alice": (0.965, 1.0),
    "bob": (0.93, 0.75),
    "carol": (0.95, 1.35),
}

# Where a mistake on a clear item goes: (class, weight).
NEIGHBOURS = {
    "ok": [("scratch", 3), ("dent", 2)],
    "scratch": [("ok", 3), ("dent", 1)],
    "dent": [("ok", 3), ("scratch", 1)],
    "clean": [("noisy", 3), ("clipped", 1)],
    "noisy": [("clean", 3), ("clipped", 1)],
    "clipped": [("noisy", 2), ("clean", 2)],
}

# Answers on borderline items, by (truth, labeler): (class, weight).
BORDERLINE = {
    ("scratch", "alice"): [("scratch", 75), ("ok", 10), ("unsure", 15)],
    ("scratch", "bob"): [("ok", 70), ("scratch", 20), ("unsure", 10)],
    ("scratch", "carol"): [("unsure", 60), ("scratch", 25), ("ok", 15)],
    ("dent", "alice"): [("dent", 65), ("ok", 20), ("unsure", 15)],
    ("dent", "bob"): [("ok", 70), ("dent", 20), ("unsure", 10)],
    ("dent", "carol"): [("unsure", 55), ("dent", 30), ("ok", 15)],
    ("noisy", "alice"): [("clean", 65), ("noisy", 25), ("unsure", 10)],
    ("noisy", "bob"): [("noisy", 75), ("clean", 15), ("unsure", 10)],
    ("noisy", "carol"): [("unsure", 55), ("noisy", 30), ("clean", 15)],
    ("clipped", "alice"): [("clean", 60), ("clipped", 30), ("unsure", 10)],
    ("clipped", "bob"): [("clipped", 70), ("clean", 20), ("unsure", 10)],
    ("clipped", "carol"): [("unsure", 55), ("clipped", 30), ("clean", 15)],
}

# Free-text notes on borderline items, by the class the labeler chose.  The
# first of each list has a comma, to exercise CSV quoting.
NOTES = {
    "scratch": ["short mark, maybe a scratch", "faint line near the edge",
                "only visible when zoomed in"],
    "dent": ["shallow, only visible at an angle",
             "slight shading, maybe a dent"],
    "ok": ["faint, probably a reflection", "lighting, not a defect",
           "probably just the brushing"],
    "noisy": ["slight hiss, mostly in the pauses", "some background noise"],
    "clipped": ["loud, peaks sound flattened", "peaks sound a bit harsh"],
    "clean": ["a little hiss, but usable", "fine at normal volume"],
    "unsure": ["hard to tell, needs a second look", "can't decide",
               "needs a second opinion"],
}
# carol sometimes writes in French; one such note per file exercises UTF-8.
NOTE_UTF8 = {"images": "léger défaut, à revoir",
             "audio": "léger souffle, à réécouter"}


def pick(rng, pairs):
    return rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def sample(rng, items, k, weight):
    """k distinct items, each drawn with probability proportional to
    weight(item) (Efraimidis and Spirakis, "Weighted random sampling with a
    reservoir", Inf. Process. Lett. 97(5), 2006: keep the k largest
    u ** (1 / w))."""
    keyed = sorted(items, key=lambda it: rng.random() ** (1.0 / weight(it)))
    return keyed[len(keyed) - k:]


def simulate(rng, modality, hard, base_seconds):
    """hard(meta_row) says whether an item is harder than usual (dark camera,
    phone line): mistakes land on it twice as often.  base_seconds is the
    median time a labeler of average pace spends on a clear item."""
    meta = {r["file"]: r for r in read_csv(modality + ".csv")}
    items = read_csv("truth-%s.csv" % modality)
    clear = [it for it in items if it["kind"] == "clear"]
    rows = []
    for name, (acc, pace) in LABELERS.items():
        # A fixed number of mistakes rather than one coin per item: with
        # 30-50 clear items, independent coins would often put a labeler
        # outside the accuracy she is meant to have.
        nwrong = round((1 - acc) * len(clear))
        wrong = {it["file"] for it in sample(
            rng, clear, nwrong,
            lambda it: 2.0 if hard(meta[it["file"]]) else 1.0)}
        for it in items:
            truth, border = it["truth"], it["kind"] == "borderline"
            if border:
                cls = pick(rng, BORDERLINE[(truth, name)])
            elif it["file"] not in wrong:
                cls = truth
            elif name == "carol" and rng.random() < 0.3:
                cls = "unsure"
            else:
                cls = pick(rng, NEIGHBOURS[truth])
            median = base_seconds * pace * (2.2 if border else 1.0)
            secs = median * math.exp(rng.gauss(0, 0.35))
            if rng.random() < 0.02:
                secs += rng.uniform(20, 60)  # interrupted
            note = ""
            if border and rng.random() < (0.45 if name == "carol" else 0.25):
                note = rng.choice(NOTES[cls])
            rows.append([it["file"], name, cls, "%.1f" % secs, note])

    # Each file promises a note with a comma and one with non-ASCII text;
    # if chance gave none, put them on alice's and carol's first borderline
    # item.
    border = {it["file"] for it in items if it["kind"] == "borderline"}

    def first(labeler):
        return next(r for r in rows if r[1] == labeler and r[0] in border)

    if not any("," in r[4] for r in rows):
        r = first("alice")
        r[4] = NOTES[r[2]][0]
    if not any(not r[4].isascii() for r in rows):
        first("carol")[4] = NOTE_UTF8[modality]

    with open("labels-%s.csv" % modality, "w", newline="",
              encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["file", "labeler", "class", "seconds", "note"])
        w.writerows(rows)


def main():
    # Paths in the CSVs are relative to this directory.
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    rng = random.Random(SEED)
    simulate(rng, "images", lambda m: m["camera"] == "cam-c", 3.2)
    simulate(rng, "audio", lambda m: m["device"] == "phone", 5.0)


if __name__ == "__main__":
    main()
