#!/usr/bin/python3
# tiny_pngs.py DIR N PREFIX: N distinct 4x4 RGB PNGs DIR/PREFIX000000.png,
# ... (the index is in the pixels), written with zlib alone: items for
# tests that never decode media (the scripted labeler), made in a blink.
import os, struct, sys, zlib

d, n, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def chunk(t, b):
    crc = zlib.crc32(t + b) & 0xffffffff
    return struct.pack(">I", len(b)) + t + b + struct.pack(">I", crc)


ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
for i in range(n):
    px = struct.pack(">I", i)[1:] * 4
    png = (b"\x89PNG\r\n\x1a\n" + ihdr +
           chunk(b"IDAT", zlib.compress((b"\0" + px) * 4)) +
           chunk(b"IEND", b""))
    with open(os.path.join(d, "%s%06d.png" % (prefix, i)), "wb") as f:
        f.write(png)
