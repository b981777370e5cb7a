#!/usr/bin/python3
"""make_bad.py - writes the malformed-data corpus of tests/data/bad/.

Each file breaks exactly one rule of the loaders in src/data/; README.md
there lists what each one must make the loader say, and tests/test_data.c
loads every one of them. Output is deterministic (gzip mtime 0), so running
this again reproduces the committed files byte for byte:

    /usr/bin/python3 tests/data/make_bad.py

Standard library only (no NumPy: .npy files are written by hand).
"""
import gzip
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bad")


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def idx_images(n, rows, cols, pixels=None):
    head = struct.pack(">IIII", 0x00000803, n, rows, cols)
    if pixels is None:
        pixels = bytes((i * 37) % 256 for i in range(n * rows * cols))
    return head + pixels


def idx_labels(labels):
    return struct.pack(">II", 0x00000801, len(labels)) + bytes(labels)


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def npy(descr, shape, payload, fortran=False, version=1):
    shape_text = "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
    head = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, "True" if fortran else "False", shape_text)
    return npy_raw(head, payload, version)


def npy_raw(head, payload, version=1):
    lenbytes = 2 if version == 1 else 4
    pad = 64 - (10 + (lenbytes - 2) + len(head) + 1) % 64
    head = head + " " * (pad % 64) + "\n"
    size = struct.pack("<H" if version == 1 else "<I", len(head))
    return b"\x93NUMPY" + bytes([version, 0]) + size + head.encode("latin1") + payload


def f4(values):
    return struct.pack("<%df" % len(values), *values)


def main():
    os.makedirs(OUT, exist_ok=True)

    # --- idx: good companions (3 images of 4x4, 3 labels)
    write("ok.idx3", idx_images(3, 4, 4))
    write("ok.idx1", idx_labels([0, 1, 2]))
    # --- idx: broken
    write("truncated.idx3", idx_images(3, 4, 4)[:-8])
    write("oversized.idx3", idx_images(3, 4, 4) + b"\0" * 5)
    write("wrong-magic.idx3", struct.pack(">I", 0x00000804) + idx_images(3, 4, 4)[4:])
    write("overflow.idx3", struct.pack(">IIII", 0x803, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF))
    write("count-mismatch.idx1", idx_labels([0, 1, 2, 3]))
    write("empty.idx3", b"")
    write("empty.idx1", b"")
    write("truncated-data.idx3.gz", gz(idx_images(3, 4, 4)[:-8]))
    write("oversized-data.idx3.gz", gz(idx_images(3, 4, 4) + b"\0" * 5))
    big = idx_images(3, 28, 28, bytes((i * i * 7 + i // 13) % 256 for i in range(3 * 28 * 28)))
    corrupt = bytearray(gz(big))
    for k in range(40, 60):                    # scramble the middle of the deflate stream
        corrupt[k] ^= 0x5A
    write("corrupt.idx3.gz", bytes(corrupt))
    whole = gz(big)
    write("truncated-stream.idx3.gz", whole[: len(whole) // 2])
    # a header promising 60000 x 28 x 28 bytes from a gzip file of a few dozen bytes
    write("overpromise.idx3.gz", gz(struct.pack(">IIII", 0x803, 60000, 28, 28)))

    # --- csv
    write("ragged.csv", b"a,b,label\n1,2,0\n3,1\n5,6,1\n")
    write("non-numeric.csv", b"1,2,0\n3,abc,1\n")
    write("nan.csv", b"1,2,0\n3,nan,1\n")
    write("inf.csv", b"1,2,0\n3,-inf,1\n")
    write("negative-label.csv", b"x,y,label\n1,2,0\n3,4,-1\n")
    write("fractional-label.csv", b"x,y,label\n1,2,0\n3,4,1.5\n")
    write("empty-field.csv", b"1,2,0\n3,,1\n")
    write("blank-middle.csv", b"1,2,0\n\n3,4,1\n")
    write("header-only.csv", b"x,y,label\n")
    write("mixed-labels.csv", b"x,y,label\n1,2,0\n3,4,hen\n")
    write("ragged-first-line.csv", b"3,2,a,b\n1,2,0\n3,4,1\n")
    write("empty.csv", b"")

    # --- npy: good companions (4 samples of 3 features, 4 labels)
    write("ok-features.npy", npy("<f4", (4, 3), f4([float(i) for i in range(12)])))
    write("ok-labels.npy", npy("<i8", (4,), struct.pack("<4q", 0, 1, 2, 1)))
    # --- npy: broken
    write("complex.npy", npy("<c8", (4, 3), b"\0" * 96))
    write("big-endian.npy", npy(">f4", (4, 3), struct.pack(">12f", *range(12))))
    write("fortran.npy", npy("<f4", (4, 3), f4([0.0] * 12), fortran=True))
    write("broken-header.npy", npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3}", f4([0.0] * 12)))
    write("truncated.npy", npy("<f4", (4, 3), f4([0.0] * 5)))
    write("oversized.npy", npy("<f4", (4, 3), f4([0.0] * 13)))
    write("shape-overflow.npy", npy("<f4", (2 ** 40, 2 ** 30), b""))
    write("bad-magic.npy", b"\x93NUMPX\x01\x00" + b"\0" * 60)
    write("one-d-features.npy", npy("<f4", (4,), f4([0.0] * 4)))
    write("nan-features.npy", npy("<f4", (4, 3), f4([0.0] * 7 + [float("nan")] + [0.0] * 4)))
    write("negative-labels.npy", npy("<i4", (4,), struct.pack("<4i", 0, 1, -1, 2)))
    write("fractional-labels.npy", npy("<f8", (4,), struct.pack("<4d", 0.0, 1.0, 2.5, 1.0)))
    write("count-mismatch.npy", npy("|u1", (5,), bytes([0, 1, 2, 1, 0])))
    write("empty.npy", b"")


if __name__ == "__main__":
    main()
