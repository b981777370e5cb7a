#!/usr/bin/python3
"""make_npy.py - writes the NumPy fixtures of tests/data/npy/ with NumPy
itself, so that tests/test_data.c compares lrsweep's reading of every
dtype, byte order and memory order with NumPy's own conversion.

    /usr/bin/python3 tests/data/make_npy.py     (from anywhere)

Deterministic: rerunning it reproduces the committed bytes (fixed zip
dates, gzip mtime 0).

dtypes.npz (np.savez_compressed), for each dtype D of f2 f4 f8 i1 i2 i4 i8
u1 u2 u4 u8 b1, byte order O (le, be; one-byte dtypes only '|', named
le) and memory order M (c, f):
  x_D_O_M   features (3, 2, 2) of dtype D, byte order O, order M
  y_D_O     labels [2, 0, 1] (bool: [1, 0, 1]) of dtype D, byte order O
  ref_D     x_D as a.reshape(3, -1).astype(np.float32): what
            torch.from_numpy(a).float() and NumPy give, row-major
The values reach each dtype's edges: float16 subnormals and its largest
value, integers at their minimum and maximum, int64/uint64 beyond 2^53
(rounded to float32 once).

Besides it, files in the other containers:
  x-f8-be-f.npy, y-i2-be.npy   a big-endian Fortran-order .npy pair
  x-f8-be-f.npy.gz             the same features, gzip-compressed
  mnist-like.npz               np.savez_compressed with x_train, y_train,
                               x_test, y_test (uint8), as Keras' mnist.npz
  descriptor.npz               np.savez into a stream that cannot seek:
                               its members carry data descriptors
  one-feature.npy              features of shape (3,): one per sample
"""
import gzip
import io
import os
import zipfile

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "npy")

VALUES = {
    "f": {2: [0.5, -1.5, 65504.0, -65504.0, 2.0 ** -24, -(2.0 ** -14), 3.140625, 0.0, 1e-3, 100.0, -7.0, 1.0],
          4: [0.1, -1.5, 3.4e38, -3.4e38, 1e-45, 2.0 ** -126, 16777217.0, 0.0, 1e-3, 100.0, -7.0, 1.0],
          8: [0.1, -1.5, 3.4e38, -1e-300, 1e-40, 2.0 ** -126, 16777217.0, 0.0, 1.0 / 3, 100.0, -7.0, 1.0]},
    "i": {1: [-128, 127, 0, -1, 1, 5, -5, 100, -100, 2, 3, 4],
          2: [-32768, 32767, 0, -1, 1, 5, -5, 1000, -1000, 2, 3, 4],
          4: [-2 ** 31, 2 ** 31 - 1, 0, -1, 16777217, 5, -5, 10 ** 9, -10 ** 9, 2, 3, 4],
          8: [-2 ** 63, 2 ** 63 - 1, 0, -1, 2 ** 53 + 1, 16777217, -(2 ** 53) - 3, 10 ** 18, -10 ** 18, 2, 3, 4]},
    "u": {1: [0, 255, 1, 2, 128, 127, 3, 4, 5, 6, 7, 8],
          2: [0, 65535, 1, 2, 32768, 127, 3, 4, 5, 6, 7, 8],
          4: [0, 2 ** 32 - 1, 1, 16777217, 2 ** 31, 127, 3, 4, 5, 6, 7, 8],
          8: [0, 2 ** 64 - 1, 1, 2 ** 53 + 1, 2 ** 63, 16777217, 3, 4, 5, 6, 7, 8]},
    "b": {1: [True, False, True, True, False, False, True, False, True, True, False, True]},
}
DTYPES = ["f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1"]


def dtype(d, order):
    kind, size = d[0], int(d[1])
    np_kind = {"f": "f", "i": "i", "u": "u", "b": "?"}[kind]
    t = np.dtype(np_kind + (str(size) if kind != "b" else ""))
    return t if size == 1 else t.newbyteorder("<" if order == "le" else ">")


def savez(path, arrays, compressed=False):
    """np.savez's layout with fixed dates, for byte-identical output."""
    method = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", compression=method) as z:
        for key, a in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asanyarray(a), allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, buf.getvalue())


class NoSeek(io.RawIOBase):
    """A write-only stream that cannot seek, as a pipe: zipfile then
    writes a data descriptor after each member."""

    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.data += b
        return len(b)


def main():
    os.makedirs(OUT, exist_ok=True)
    arrays = {}
    for d in DTYPES:
        kind, size = d[0], int(d[1])
        base = np.array(VALUES[kind][size], dtype=dtype(d, "le")).reshape(3, 2, 2)
        arrays["ref_" + d] = base.reshape(3, -1).astype(np.float32)
        for order in (["le"] if size == 1 else ["le", "be"]):
            a = base.astype(dtype(d, order))
            arrays[f"x_{d}_{order}_c"] = np.ascontiguousarray(a)
            arrays[f"x_{d}_{order}_f"] = np.asfortranarray(a)
            arrays[f"y_{d}_{order}"] = np.array([1, 0, 1] if kind == "b" else [2, 0, 1]).astype(dtype(d, order))
    savez(os.path.join(OUT, "dtypes.npz"), arrays, compressed=True)

    x = np.asfortranarray((np.arange(-6, 6).reshape(3, 2, 2) / 4).astype(">f8"))
    np.save(os.path.join(OUT, "x-f8-be-f.npy"), x)
    np.save(os.path.join(OUT, "y-i2-be.npy"), np.array([2, 0, 1], dtype=">i2"))
    with open(os.path.join(OUT, "x-f8-be-f.npy"), "rb") as f:
        with open(os.path.join(OUT, "x-f8-be-f.npy.gz"), "wb") as g:
            g.write(gzip.compress(f.read(), mtime=0))
    np.save(os.path.join(OUT, "one-feature.npy"), np.array([0.5, -1.0, 2.0], dtype="<f4"))
    pix = (np.arange(5 * 2 * 2) * 37 % 256).astype(np.uint8).reshape(5, 2, 2)
    savez(os.path.join(OUT, "mnist-like.npz"),
          {"x_train": pix[:3], "y_train": np.array([1, 0, 2], np.uint8),
           "x_test": pix[3:], "y_test": np.array([0, 2], np.uint8)}, compressed=True)
    pipe = NoSeek()
    with zipfile.ZipFile(pipe, "w") as z:
        for key, a in {"x_train": x, "y_train": np.array([2, 0, 1], dtype=">i2")}.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, a)
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            with z.open(info, "w") as m:
                m.write(buf.getvalue())
    with open(os.path.join(OUT, "descriptor.npz"), "wb") as f:
        f.write(pipe.data)


if __name__ == "__main__":
    main()
