#!/usr/bin/python3
"""make_bad.py - writes the malformed-data corpus of tests/data/bad/.

Each file breaks exactly one rule of the loaders in src/data/; README.md
there lists what each one must make the loader say, and tests/test_data.c
loads every one of them. Output is deterministic (gzip mtime 0), so running
this again reproduces the committed files byte for byte:

    /usr/bin/python3 tests/data/make_bad.py

Standard library only (no NumPy: .npy files are written by hand, .npz
archives with zipfile and zlib, then broken where each rule needs it).
"""
import gzip
import io
import os
import struct
import zipfile
import zlib

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


OK_X = None  # set in main(): the good features and labels as .npy bytes
OK_Y = None


def npz(members, method=zipfile.ZIP_STORED):
    """A zip of (name, bytes) members, as np.savez (stored) or
    np.savez_compressed (deflated) lays it out; fixed dates."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, data)
    return bytearray(buf.getvalue())


def central(data, name):
    """The offset of member `name`'s central directory entry."""
    at = 0
    while True:
        at = data.index(b"PK\x01\x02", at)
        nlen = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + nlen] == name.encode():
            return at
        at += 4


def raw_deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def npz_by_hand(name, payload, usize, crc):
    """One deflated member whose directory gives `usize` and `crc`
    whatever `payload` (raw deflate) really holds."""
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(payload), usize,
                        len(name), 0) + name.encode() + payload
    cd = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(payload), usize,
                     len(name), 0, 0, 0, 0, 0, 0) + name.encode()
    y = npz([("y_train.npy", OK_Y)])   # a good labels member after it
    y_local_end = y.index(b"PK\x01\x02")
    y_cd = y[y_local_end:y.index(b"PK\x05\x06")]
    y_cd = bytearray(y_cd)
    struct.pack_into("<I", y_cd, 42, len(local))   # its local header now follows ours
    body = local + bytes(y[:y_local_end]) + cd + bytes(y_cd)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 2, 2, len(cd) + len(y_cd), len(local) + y_local_end, 0)
    return body + eocd


def bad_npz():
    """The archives of the npz rules: loaded with the default keys
    x_train and y_train."""
    good = [("x_train.npy", OK_X), ("y_train.npy", OK_Y)]
    write("missing-key.npz", npz([("x.npy", OK_X), ("y.npy", OK_Y)]))
    write("not-npy-member.npz", npz([("x_train", b"0,1,2\n3,4,5\n"), ("y_train.npy", OK_Y)]))
    data = npz(good)
    struct.pack_into("<I", data, len(data) - 6, 0xFFFFFFFF)   # the directory's offset: Zip64's marker
    write("zip64.npz", data)
    data = npz(good)
    at = central(data, "x_train.npy")
    struct.pack_into("<H", data, at + 8, 1)                   # general purpose flag bit 0
    write("encrypted.npz", data)
    data = npz(good)
    struct.pack_into("<H", data, central(data, "x_train.npy") + 10, 12)   # bzip2
    write("bzip2-member.npz", data)
    data = npz(good, zipfile.ZIP_DEFLATED)
    write("truncated.npz", bytes(data[:len(data) // 2]))
    data = npz(good)
    data[30 + len("x_train.npy") + OK_X.index(b"\n") + 1 + 4] ^= 0x40   # a byte of x's data: local header, name, .npy header
    write("crc-mismatch.npz", data)
    # a zip bomb: 8 MB of zeros behind a valid array, the directory giving
    # only the array's size (and CRC)
    write("bomb.npz", npz_by_hand("x_train.npy", raw_deflate(OK_X + bytes(8 << 20)), len(OK_X), zlib.crc32(OK_X)))
    # a member claiming 2 GiB from a few bytes
    write("overclaim.npz", npz_by_hand("x_train.npy", raw_deflate(OK_X), 1 << 31, zlib.crc32(OK_X)))
    # a deflate stream that ends 8 bytes short of the size its directory gives
    write("short-member.npz", npz_by_hand("x_train.npy", raw_deflate(OK_X[:-8]), len(OK_X), zlib.crc32(OK_X)))


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
    write("out-of-range-label.csv", b"x,y,label\n1,2,0\n3,4,2147483648\n")
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
    write("object.npy", npy("|O", (4, 3), b"\0" * 96))
    write("datetime.npy", npy("<M8[ns]", (4, 3), b"\0" * 96))
    write("long-double.npy", npy("<f16", (4, 3), b"\0" * 192))
    write("structured.npy", npy_raw("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (4, 3), }",
                                    f4([0.0] * 12)))
    write("zero-d-features.npy", npy("<f4", (), f4([1.0])))
    # big-endian and Fortran order are read; their bad values are found
    # where they sit in the (sample, feature) rows
    write("big-endian-nan.npy", npy(">f4", (4, 3), struct.pack(">12f", *([0.0] * 5 + [float("nan")] + [0.0] * 6))))
    write("fortran-inf.npy", npy("<f8", (4, 3), struct.pack("<12d", *([0.0] * 6 + [float("inf")] + [0.0] * 5)),
                                 fortran=True))
    write("truncated.npy.gz", gz(npy("<f4", (4, 3), f4([0.0] * 5))))
    write("cut.npy.gz", gz(npy("<f4", (4, 3), f4([float(i) for i in range(12)])))[:40])
    write("string-labels.npy", npy("<U3", (4,), "abcdefghijkl".encode("utf-32-le")))
    write("huge-u8-labels.npy", npy("<u8", (4,), struct.pack("<4Q", 0, 1, 2 ** 63, 2)))
    write("broken-header.npy", npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3}", f4([0.0] * 12)))
    write("truncated.npy", npy("<f4", (4, 3), f4([0.0] * 5)))
    write("oversized.npy", npy("<f4", (4, 3), f4([0.0] * 13)))
    write("shape-overflow.npy", npy("<f4", (2 ** 40, 2 ** 30), b""))
    write("bad-magic.npy", b"\x93NUMPX\x01\x00" + b"\0" * 60)
    write("nan-features.npy", npy("<f4", (4, 3), f4([0.0] * 7 + [float("nan")] + [0.0] * 4)))
    write("out-of-range-labels.npy", npy("<i8", (4,), struct.pack("<4q", 0, 1, -2 ** 31 - 1, 2)))
    write("fractional-labels.npy", npy("<f8", (4,), struct.pack("<4d", 0.0, 1.0, 2.5, 1.0)))
    write("count-mismatch.npy", npy("|u1", (5,), bytes([0, 1, 2, 1, 0])))
    write("empty.npy", b"")
    global OK_X, OK_Y
    OK_X = npy("<f4", (4, 3), f4([float(i) for i in range(12)]))
    OK_Y = npy("<i8", (4,), struct.pack("<4q", 0, 1, 2, 1))
    bad_npz()


if __name__ == "__main__":
    main()
