#!/usr/bin/python3
"""Decide what the demo data set contains; make-assets.sh renders it.

Usage: /usr/bin/python3 plan.py PLANDIR   (make-assets.sh runs it)

Writes the public metadata (images.csv, audio.csv), the hidden truth
(truth-images.csv, truth-audio.csv) and two tab-separated render plans,
PLANDIR/images.tsv and PLANDIR/audio.tsv, one line per media file, whose
columns are the arguments of render_image and render_audio in make-assets.sh.

Every random choice comes from random.Random(SEED), so the plan, and with it
the rendered files, is the same on every run.  Standard library only: this
runs under Debian's /usr/bin/python3.
"""

import csv
import math
import os
import random
import sys

SEED = 20240611
W, H = 240, 180

# Image population.  Borderline items carry the physical truth (a scratch or a
# dent really is there) but are faint enough that labelers disagree.
IMAGE_CLASSES = (
    [("ok", "clear")] * 25
    + [("scratch", "clear")] * 12
    + [("dent", "clear")] * 10
    + [("scratch", "borderline")] * 7
    + [("dent", "borderline")] * 6
)

# Stations: (factory, line, camera, number of images).  cam-c is an older
# camera that gives darker, softer pictures; it is used in both factories so
# that slicing by camera and slicing by factory or line give different groups.
STATIONS = [
    ("Porto", "Line 1", "cam-a", 14),
    ("Porto", "Line 1", "cam-c", 10),
    ("Porto", 'Line 2, "north"', "cam-b", 16),
    ("Brno", "Line 3", "cam-a", 10),
    ("Brno", "Line 3", "cam-c", 10),
]

# Surface finish per factory: the dark and light ends of the brushed texture.
FINISH = {
    "Porto": ("#78828d", "#bcc4cd"),  # bare brushed steel, slightly blue
    "Brno": ("#807a70", "#c6beb2"),  # champagne anodised aluminium
}

# Mostly 8-bit RGB PNG and baseline JPEG; one of each unusual encoding so the
# importer meets them all.
IMAGE_SPECIAL = ["png48", "png8", "pnggray", "png32", "jpggray", "jpgprog"]

SENTENCES = [
    "Please confirm the delivery address.",
    "The meeting starts at nine.",
    "Can you hear me clearly?",
    "Thank you for calling.",
    "I will send the report today.",
    "Your order number is four two seven.",
    "Turn left at the next light.",
    "We need two more chairs.",
    "It might rain this afternoon.",
    "Let me check that for you.",
    "The battery is almost empty.",
    "See you next week.",
]

# Speakers are espeak-ng voices (voice+variant), base speed (words per
# minute) and pitch (0-99).
SPEAKERS = {
    "s01": ("en", 165, 45),
    "s02": ("en-us", 175, 50),
    "s03": ("en+f3", 160, 60),
    "s04": ("en-us+f4", 180, 55),
    "s05": ("en-gb-scotland", 170, 40),
    "s06": ("en-029+m3", 165, 35),
}

# Audio population; borderline items are slightly noisy or mildly clipped.
AUDIO_CLASSES = (
    [("clean", "clear")] * 16
    + [("noisy", "clear")] * 8
    + [("clipped", "clear")] * 7
    + [("noisy", "borderline")] * 5
    + [("clipped", "borderline")] * 4
)

DEVICES = [("headset", 15), ("laptop mic", 13), ("phone", 12)]

# Mostly 16 kHz 16-bit mono WAV; some FLAC and Ogg Vorbis, one stereo WAV and
# one 8 kHz WAV (from the phone).
AUDIO_SPECIAL = ["flac"] * 7 + ["ogg"] * 6 + ["wavstereo", "wav8k"]


def quota(rng, pairs):
    """The values of (value..., count) pairs, each repeated count times, in a
    random order: exact proportions, unlike independent draws on a set this
    small."""
    out = [p[:-1] for p in pairs for _ in range(p[-1])]
    rng.shuffle(out)
    return out


def write_csv(path, header, rows):
    # RFC 4180: CRLF line ends, fields quoted only when they need it.
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)


def scratch_params(rng, faint):
    """A gently curved line: a dark groove with a bright lit edge 1 px off."""
    length = rng.uniform(14, 30) if faint else rng.uniform(60, 160)
    ang = rng.uniform(0, math.pi)
    dx, dy = math.cos(ang) * length / 2, math.sin(ang) * length / 2
    cx, cy = rng.uniform(30 + abs(dx), W - 30 - abs(dx)), rng.uniform(
        25 + abs(dy), H - 25 - abs(dy)
    )
    bend = rng.uniform(-0.25, 0.25) * length
    x1, y1, x2, y2 = cx - dx, cy - dy, cx + dx, cy + dy
    qx, qy = cx - math.sin(ang) * bend, cy + math.cos(ang) * bend

    def path(off):
        return "path 'M %.1f,%.1f Q %.1f,%.1f %.1f,%.1f'" % (
            x1, y1 + off, qx, qy + off, x2, y2 + off)

    if faint:
        width = rng.uniform(0.8, 1.0)
        ad, ab = rng.uniform(0.13, 0.20), rng.uniform(0.16, 0.24)
    else:
        width = rng.uniform(1.0, 1.6)
        ad, ab = rng.uniform(0.40, 0.65), rng.uniform(0.50, 0.80)
    return [path(0), path(-1), "%.2f" % width,
            "rgba(20,22,26,%.2f)" % ad, "rgba(255,255,255,%.2f)" % ab]


def dent_params(rng, shallow):
    """A depression lit from the top left: a dark disc with a smaller bright
    disc towards the light, both blurred, laid on with Overlay."""
    r = rng.uniform(12, 18) if shallow else rng.uniform(16, 28)
    depth = rng.uniform(8, 11) if shallow else rng.uniform(16, 26)
    x, y = rng.uniform(35, W - 35), rng.uniform(30, H - 30)
    hx, hy = x - r / 3, y - r / 3
    return ["circle %.1f,%.1f %.1f,%.1f" % (x, y, x + r, y),
            "circle %.1f,%.1f %.1f,%.1f" % (hx, hy, hx + r / 2, hy),
            "gray(%.1f%%)" % (50 - depth), "gray(%.1f%%)" % (50 + depth),
            "%.1f" % (r / 2)]


def plan_images(rng, plandir):
    items = IMAGE_CLASSES[:]
    rng.shuffle(items)
    fmts = IMAGE_SPECIAL + ["png24", "jpg"] * ((len(items) - 6) // 2)
    fmts += ["png24"] * (len(items) - len(fmts))
    rng.shuffle(fmts)
    stations = quota(rng, STATIONS)
    assert len(stations) == len(items)
    meta, truth, plan = [], [], []
    for i, ((cls, kind), fmt) in enumerate(zip(items, fmts), 1):
        ext = "jpg" if fmt.startswith("jpg") else "png"
        name = "images/img_%03d.%s" % (i, ext)
        factory, line, cam = stations[i - 1]
        lo, hi = FINISH[factory]
        # Light falls off from one corner to the opposite one.
        corner = rng.randrange(4)
        x0, y0 = (0, W)[corner & 1], (0, H)[corner >> 1]
        light = "%d,%d gray(100%%) %d,%d gray(%d%%)" % (
            x0, y0, W - x0, H - y0, rng.randint(66, 84))
        if cls == "scratch":
            defect = ["scratch"] + scratch_params(rng, kind == "borderline")
        elif cls == "dent":
            defect = ["dent"] + dent_params(rng, kind == "borderline")
        else:
            defect = ["none", "-", "-", "-", "-", "-"]
        plan.append([name, fmt, str(rng.randrange(1, 1 << 30)),
                     "%.1f" % rng.uniform(-4, 4), lo, hi, light, cam] + defect)
        meta.append([name, factory, line, cam])
        truth.append([name, cls, kind])
    write_csv("images.csv", ["file", "factory", "line", "camera"], meta)
    write_csv("truth-images.csv", ["file", "truth", "kind"], truth)
    with open(os.path.join(plandir, "images.tsv"), "w") as f:
        for row in plan:
            f.write("\t".join(row) + "\n")


def plan_audio(rng, plandir):
    items = AUDIO_CLASSES[:]
    rng.shuffle(items)
    fmts = AUDIO_SPECIAL + ["wav"] * (len(items) - len(AUDIO_SPECIAL))
    rng.shuffle(fmts)
    devices = [d[0] for d in quota(rng, DEVICES)]
    assert len(devices) == len(items)
    # The 8 kHz clip came over the phone: swap a phone into its place.
    j, k = fmts.index("wav8k"), devices.index("phone")
    devices[j], devices[k] = devices[k], devices[j]
    meta, truth, plan = [], [], []
    for i, ((cls, kind), fmt) in enumerate(zip(items, fmts), 1):
        ext = {"flac": "flac", "ogg": "ogg"}.get(fmt, "wav")
        name = "audio/clip_%03d.%s" % (i, ext)
        spk = rng.choice(sorted(SPEAKERS))
        voice, speed, pitch = SPEAKERS[spk]
        speed += rng.randint(-8, 12)
        pitch += rng.randint(-5, 5)
        device = devices[i - 1]
        # About a third of the clips keep some silence before and after the
        # speech, as a push-to-talk recording would.
        if rng.random() < 0.35:
            lead, trail = rng.uniform(0.25, 0.5), rng.uniform(0.2, 0.4)
        else:
            lead, trail = rng.uniform(0.0, 0.06), rng.uniform(0.0, 0.06)
        # Noise level is the RMS of the added noise in dBFS; speech is
        # normalised to peak -3 dBFS, which puts its RMS near -20 dBFS.
        noise, noisedb, clipdb = "none", "0", "0"
        if cls == "noisy":
            noise = rng.choice(["whitenoise", "pinknoise", "brownnoise"])
            lvl = rng.uniform(-44, -40) if kind == "borderline" \
                else rng.uniform(-30, -23)
            noisedb = "%.1f" % lvl
        if cls == "clipped":
            clipdb = "%.1f" % (rng.uniform(1.5, 3.0) if kind == "borderline"
                               else rng.uniform(9, 14))
        # Clean clips vary in level but never reach full scale.
        peak = "%.1f" % (-3 if cls != "clean" else rng.uniform(-9, -1.5))
        plan.append([name, fmt, voice, str(speed), str(pitch),
                     rng.choice(SENTENCES), device, "%.2f" % lead,
                     "%.2f" % trail, noise, noisedb,
                     "%.2f" % rng.uniform(0, 15), clipdb, peak])
        meta.append([name, device, spk])
        truth.append([name, cls, kind])
    write_csv("audio.csv", ["file", "device", "speaker"], meta)
    write_csv("truth-audio.csv", ["file", "truth", "kind"], truth)
    with open(os.path.join(plandir, "audio.tsv"), "w") as f:
        for row in plan:
            f.write("\t".join(row) + "\n")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: plan.py PLANDIR")
    plandir = os.path.abspath(sys.argv[1])
    # Paths in the CSVs are relative to this directory.
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    rng = random.Random(SEED)
    plan_images(rng, plandir)
    plan_audio(rng, plandir)


if __name__ == "__main__":
    main()
