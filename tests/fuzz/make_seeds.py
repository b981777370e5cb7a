#!/usr/bin/python3
"""make_seeds.py - writes the seed corpora of tests/fuzz/corpus/: for each
fuzz target, small valid inputs of every kind it reads (so the fuzzer
starts past the headers) and the malformed files of tests/data/bad/ and
tests/data/bad_experiments/ in the target's input layout.

    /usr/bin/python3 tests/fuzz/make_seeds.py     (from the repository root)

The layouts (see each tests/fuzz/fuzz_T.c): idx and npy take an options
byte, two bytes giving the length of the first file, then both files; csv
takes three option bytes then the file; experiment takes the YAML file;
schedule takes the arguments of `lrsweep schedule`, one a line; params
takes a YAML document (a trainer's params).
"""
import glob
import gzip
import io
import os
import struct

import numpy as np

ROOT = "tests/fuzz/corpus"
BAD = "tests/data/bad"


def put(target, name, data):
    os.makedirs(f"{ROOT}/{target}", exist_ok=True)
    with open(f"{ROOT}/{target}/{name}", "wb") as f:
        f.write(data)


def pair(opt, a, b):
    return bytes([opt]) + struct.pack("<H", len(a)) + a + b


def idx_images(n, rows, cols):
    body = bytes((i * 37) % 256 for i in range(n * rows * cols))
    return struct.pack(">IIII", 0x803, n, rows, cols) + body


def idx_labels(n, classes=3):
    return struct.pack(">II", 0x801, n) + bytes(i % classes for i in range(n))


def npy(arr, fortran=False):
    buf = io.BytesIO()
    np.save(buf, np.asfortranarray(arr) if fortran else arr)
    return buf.getvalue()


def seeds_idx():
    img, lab = idx_images(4, 2, 3), idx_labels(4)
    for opt in (0, 1, 2, 5, 0x1b):
        put("idx", f"ok-{opt}", pair(opt, img, lab))
    put("idx", "ok-gz", pair(3, gzip.compress(img), gzip.compress(lab)))
    put("idx", "ok-gz-images", pair(0, gzip.compress(img), lab))
    ok_img, ok_lab = open(f"{BAD}/ok.idx3", "rb").read(), open(f"{BAD}/ok.idx1", "rb").read()
    for path in sorted(glob.glob(f"{BAD}/*.idx3*")):
        put("idx", "bad-" + os.path.basename(path), pair(0, open(path, "rb").read(), ok_lab))
    for path in sorted(glob.glob(f"{BAD}/*.idx1*")):
        put("idx", "bad-" + os.path.basename(path), pair(0, ok_img, open(path, "rb").read()))


def seeds_npy():
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    y = np.array([0, 1, 2, 1])
    dtypes = ["<f4", ">f4", "<f8", "<f2", "u1", "i1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "?"]
    for i, dt in enumerate(dtypes):
        put("npy", f"ok-{dt.replace('<', 'le').replace('>', 'be')}",
            pair(i & 7, npy(x.astype(dt)), npy(y.astype(dtypes[(i + 5) % 12] if dt != "?" else "u1"))))
    put("npy", "ok-3d", pair(0, npy(np.zeros((2, 2, 2), np.float32)), npy(np.array([0, 1], np.int64))))
    put("npy", "fortran", pair(0, npy(x, fortran=True), npy(y)))
    ok_x, ok_y = open(f"{BAD}/ok-features.npy", "rb").read(), open(f"{BAD}/ok-labels.npy", "rb").read()
    for path in sorted(glob.glob(f"{BAD}/*.npy")):
        data = open(path, "rb").read()
        put("npy", "bad-x-" + os.path.basename(path), pair(0, data, ok_y))
        put("npy", "bad-y-" + os.path.basename(path), pair(0, ok_x, data))


def seeds_npz():
    """Archives as np.savez and np.savez_compressed write them (the keys
    x_train and y_train), those of tests/data/npy/, and the broken ones
    of tests/data/bad/; each after an options byte."""
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    y = np.array([0, 1, 2, 1])
    for i, (save, fx, fy) in enumerate([(np.savez, x, y), (np.savez_compressed, x, y),
                                        (np.savez, x.astype(">f8"), y.astype("u1")),
                                        (np.savez_compressed, np.asfortranarray(x.astype(np.uint8)), y.astype("?"))]):
        buf = io.BytesIO()
        save(buf, x_train=fx, y_train=fy)
        put("npz", f"ok-{i}", bytes([i & 7]) + buf.getvalue())
    for path in sorted(glob.glob("tests/data/npy/*.npz")) + sorted(glob.glob(f"{BAD}/*.npz")):
        if os.path.getsize(path) < 10000:
            put("npz", os.path.basename(path), bytes([0]) + open(path, "rb").read())


def seeds_csv():
    good = {
        "plain": b"0.5,1,2,0\n1.5,2,3,1\n2.5,3,4,2\n",
        "header": b"a,b,label\n1,2,0\n3,4,1\n",
        "quoted": b'"a","b","label"\n"1","2","0"\n',
        "crlf": b"1,2,0\r\n3,4,1\r\n",
        "blank-end": b"1,2,0\n3,4,1\n\n\n",
        "first": b"0,1.5,2\n1,2.5,3\n",
        "spaces": b" 1 , 2 , 0 \n 3 , 4 , 1 \n",
        "exp": b"1e3,-2E-2,0\n.5,+3,1\n",
    }
    for i, (name, data) in enumerate(good.items()):
        put("csv", f"ok-{name}", bytes([i * 9 % 256, i * 17 % 256, 0]) + data)
    # byte 2: the delimiter (bits 0-2: detected , ; tab |), skip_rows (bits 4-5)
    layouts = {
        "names": (0, b'x,y,species\n1,2,hen\n3,4,"cock"\n5,6,Duck\n7,8,hen\n'),
        "names-no-header": (0, b"1,2,hen\n3,4,cock\n5,6,hen\n"),
        "numbered-header": (0, b"0,1,label\n1,2,0\n3,4,1\n"),
        "one-based": (0, b"0.5,1\n1.5,2\n2.5,3\n3.5,1\n"),
        "semicolon": (0, b"a;b;label\n1.5;2;0\n3;4;1\n"),
        "semicolon-given": (2, b"a;b,c;label\n1;2;hen\n3;4;cock\n"),
        "tab": (3, b"1\t2\t0\n3\t4\t1\n"),
        "tab-detected": (0, b"x\ty\tlabel\n1\t2\tb\n3\t4\ta\n"),
        "pipe": (4, b"a|b|label\n1|2|0\n3|4|1\n"),
        "skip-sklearn": (0x10, b"3,2,a,b\n1,2,0\n3,4,1\n5,6,0\n"),
        "skip-three": (0x30, b"title\n\nn,d\nx,y,label\n1,2,0\n3,4,1\n"),
        "decimal-comma": (0, b"a;b;c\n1,5;2,5;0\n"),
        "mixed-labels": (0, b"1,2,0\n3,4,hen\n"),
        # the forms real exporters write: RFC 4180 quotes, a delimiter
        # ending every row, pandas' index column, BOM, CR-only line ends,
        # missing values, decimal commas
        "quoted-delimiter": (0, b'x,y,species\n1,2,"cat, black"\n"3.5", 4 ,"say ""hi"""\n5,6,"cat, black"\n'),
        "quoted-semicolon": (2, b'"a;1";b;label\n"1,5";"2";"0"\n3;4;1\n'),
        "trailing-comma": (0, b"a,b,label,\n1,2,0,\n3,4,1,\n"),
        "trailing-tab": (3, b"1\t2\tcat\t\n3\t4\tdog\t\n"),
        "trailing-quoted": (0, b'1,2,"x",\n3,4,"y,",\n5,6,"x" ,\n'),
        "pandas-index": (0, b",a,b,label\n0,1,2,0\n1,3,4,1\n"),
        "bom-header": (0, b'\xef\xbb\xbf"a","b","label"\n1,2,0\n3,4,1\n'),
        "cr-only": (0, b"a,b,label\r1,2,0\r3,4,1\r"),
        "missing": (0, b"a,b,label\n1,NA,0\n3,,1\n?,4,1\n"),
        "open-quote": (0, b'a,b,label\n1,"2,0\n3",4,1\n'),
        "inch-mark": (0, b'screen 15";weight;label\n1.5;2;0\n3;4;1\n'),
        # gzip'ed (mtime 0: the same bytes on every run): the rows after
        # the first are read ahead from a stream that cannot seek
        "gz-trailing": (0, gzip.compress(b"a,b,label,\n1,2,0,\n3,4,1,\n", mtime=0)),
        "gz-numbered-header": (0, gzip.compress(b"0,1,label\n1,2,0\n3,4,1\n", mtime=0)),
    }
    for i, (name, (opt2, data)) in enumerate(layouts.items()):
        put("csv", f"layout-{name}", bytes([(i * 2) % 8, (i % 2) * 16, opt2]) + data)
    for path in sorted(glob.glob(f"{BAD}/*.csv")):
        put("csv", "bad-" + os.path.basename(path), b"\x00\x00\x00" + open(path, "rb").read())


def seeds_experiment():
    for path in sorted(glob.glob("experiments/*.yaml")):
        put("experiment", os.path.basename(path), open(path, "rb").read())
    for path in sorted(glob.glob("tests/data/bad_experiments/*")):
        put("experiment", "bad-" + os.path.basename(path), open(path, "rb").read())
    put("experiment", "csv-options.yaml", b"""name: csv-options
data:
  train: {format: csv, path: birds.csv, label: species, header: true, delimiter: ";", skip_rows: 1}
  test: {format: csv, path: birds-test.tsv, label: species, delimiter: tab}
  normalize: standardize
model: {hidden: [8]}
trials:
  schedules: [{type: constant}]
""")
    put("experiment", "bad-csv-options.yaml", b"""name: bad-csv-options
data:
  train: {format: csv, path: a.csv, delimiter: colon, skip_rows: -1}
  test: {format: idx, images: i, labels: l, delimiter: ",", skip_rows: 2}
""")
    put("experiment", "synthetic-grid.yaml", b"""name: grid
data:
  source: synthetic
  kind: blobs
  samples: 200
model: {hidden: [8]}
optimizer: {name: sgd, momentum: 0.9}
batch_size: 16
epochs: 2
trials:
  schedules:
    - {type: triangular, step_size: "1 epochs", base_lr: "@min", max_lr: {grid: ["@max", "@max/2"]}}
    - {type: sequential, milestones: [5], schedules: [{type: linear}, {type: cosine_annealing}]}
  space:
    batch_size: {choice: [16, 32]}
    weight_decay: {log_uniform: [1e-5, 1e-3]}
  search: random
  samples: 4
  seeds: [1, 2]
  pruning: {rule: asha, min_epochs: 1, reduction: 2}
""")
    # what the YAML layer reads: merge keys, core tags, YAML 1.1 booleans,
    # a trainer's free-form params (searched, written to the program as JSON)
    put("experiment", "trainer-params.yaml", b"""name: trainer-params
seed: 3
trainer: {command: [/usr/bin/python3, train.py, "{params_file}", "{args}"], timeout: 3 s}
params:
  <<: &base {width: 64, dropout: 0.1, flag: yes, off_by: off, text: !!str on}
  again: *base
  nested: {a: [1, 2.5e300, -0, .inf, null, ~, "caf\u00e9", 'It''s', "\U0001F600", 0x1f, 1e400]}
  width: {grid: [32, 64, 128]}
  dropout: {choice: [0, 0.2]}
  tagged: !!float 1
  big: 123456789012345678901234567890
  empty: ""
optimizer: {type: sgd, momentum: 0.9}
batch_size: 10
trials:
  epochs: 2
  seeds: [1, 2]
  schedules: [{type: one_cycle, max_lr: 0.1}]
""")
    # lrsweep's own numeric keys in YAML 1.2's forms (0x, 0o, 0b, underscores)
    put("experiment", "number-forms.yaml", b"""name: number-forms
seed: 0x2A
data: {train: {format: synthetic, kind: blobs, samples: 2_00, classes: 0b11, dims: 0o10}, validation: 0.2_5}
model: {hidden: [0x10, 1_6]}
optimizer: {type: sgd, momentum: 9e-1, weight_decay: 1_0e-5}
batch_size: 0b10000
trials:
  epochs: 2e0
  seeds: [0x1, 0o2, 0b11, 4_0]
  schedules: [{type: step, step_size: 0x2, gamma: 0.5_0}]
  timeout: 1_0 s
params: {a: .inf, b: -.NaN, c: 0x_1, d: 18446744073709551617}
""")
    put("experiment", "merge-tags.yaml", b"""%YAML 1.1
---
name: !!str merge-tags
data: {train: {format: synthetic, kind: blobs, samples: !!int 200, classes: 3, dims: 64}}
model: &m {<<: [{hidden: [8], activation: relu}, {init: he}], hidden: [16]}
optimizer: {type: sgd, nesterov: True, momentum: !!float 0.9}
trials:
  schedules: [{type: step, step_size: 2, gamma: {grid: [0.5, 0.1]}}]
  seeds: !!seq [1, 2]
  space: {model.activation: {choice: [relu, tanh]}}
""")
    # layer stacks (SPEC §13): every layer type and setting, on 8x8 images
    # (the target's stand-in data) and on flat data
    put("experiment", "layers-image.yaml", b"""name: layers-image
data:
  train: {format: synthetic, kind: blobs, samples: 200, classes: 3, dims: 64}
model:
  input: [1, 8, 8]
  init: he
  layers:
    - {conv: 4, kernel: 3, stride: 1, padding: 1}
    - {batchnorm, momentum: 0.2, eps: 1.0e-3}
    - relu
    - {maxpool: 2, stride: 2, padding: 1, ceil: true}
    - {conv: 8, kernel: 1}
    - sigmoid
    - {avgpool: 3, ceil: true}
    - {dropout: 0.25}
    - {linear: 16}
    - tanh
    - dropout
    - {linear: 3}
trials:
  epochs: 2
  schedules: [{type: constant}, {type: triangular2, step_size: "1 epochs"}]
""")
    put("experiment", "layers-flat.yaml", b"""name: layers-flat
data:
  train: {format: synthetic, kind: spirals, samples: 300, classes: 3}
model:
  layers: [{linear: 32}, relu, {linear: 32}, tanh, {linear: 3}]
trials:
  epochs: 2
  space:
    batch_size: {grid: [16, 32]}
""")


def seeds_schedule():
    args = [
        ["constant", "--steps", "10", "--lr", "0.1", "--factor", "0.5", "--total_iters", "3"],
        ["step", "--steps", "20", "--lr", "0.1", "--step_size", "2 epochs", "--steps-per-epoch", "3"],
        ["multistep", "--steps", "20", "--milestones", "3,8", "--gamma", "0.5", "--max-lr", "0.2"],
        ["exponential", "--steps", "4", "--lr", "0.1", "--gamma", "1e300", "--format", "json"],
        ["linear", "--steps", "10", "--start_factor", "0.1", "--max-lr", "1", "--format", "table"],
        ["polynomial", "--steps", "10", "--power", "2", "--lr", "@max/4", "--max-lr", "1"],
        ["cosine_annealing", "--steps", "30", "--T_max", "10", "--min-lr", "0.01", "--max-lr", "0.1"],
        ["cosine_annealing_warm_restarts", "--steps", "30", "--T_0", "5", "--T_mult", "2", "--lr", "0.1"],
        ["one_cycle", "--steps", "30", "--max_lr", "0.2", "--three_phase", "true", "--anneal_strategy", "linear"],
        ["cyclic", "--steps", "30", "--base_lr", "@min", "--max_lr", "@max", "--step_size_up", "4",
         "--mode", "exp_range", "--gamma", "0.99", "--min-lr", "0.001", "--max-lr", "0.1"],
        ["triangular", "--steps", "30", "--step_size", "1 epochs", "--steps-per-epoch", "4",
         "--min-lr", "0.01", "--max-lr", "0.1", "--window", "triangular"],
        ["triangular2", "--steps", "30", "--step_size", "3", "--base_lr", "0.01", "--max_lr", "0.1"],
        ["exp_range", "--steps", "30", "--step_size", "3", "--gamma", "0.9", "--base_lr", "@min*2",
         "--max-lr", "1", "--min-lr", "0.001"],
        ["exponential_decay", "--steps", "20", "--decay_rate", "0.5", "--decay_steps", "4", "--staircase", "true",
         "--initial_learning_rate", "0.1"],
        ["inverse_time_decay", "--steps", "20", "--decay_rate", "0.5", "--initial_learning_rate", "0.1"],
        ["piecewise_constant_decay", "--steps", "20", "--boundaries", "5,10", "--values", "0.1,0.01,0.001"],
        ["polynomial_decay", "--steps", "20", "--cycle", "true", "--decay_steps", "6", "--initial_learning_rate", "1"],
        ["cosine_decay", "--steps", "20", "--warmup_steps", "5", "--warmup_target", "0.1", "--min-lr", "0.001"],
        ["cosine_decay_restarts", "--steps", "30", "--first_decay_steps", "4", "--t_mul", "1.5", "--m_mul", "0.8",
         "--initial_learning_rate", "0.1"],
        ["linear_cosine_decay", "--steps", "20", "--num_periods", "2", "--initial_learning_rate", "0.1"],
        ["noisy_linear_cosine_decay", "--steps", "20", "--seed", "7", "--initial_learning_rate", "0.1"],
        ["sgdr", "--steps", "40", "--min-lr", "0.01", "--max-lr", "0.2", "--cycle_length", "1",
         "--steps-per-epoch", "5", "--mult_factor", "2", "--lr_decay", "0.9"],
        ["reduce_on_plateau", "--steps", "12", "--lr", "0.1", "--patience", "0", "--steps-per-epoch", "3",
         "--metrics", "0.5,0.6,0.6,0.4", "--mode", "max", "--threshold_mode", "abs"],
        ["sequential", "--steps", "50", "--max-lr", "0.1", "--milestones", "10",
         "--schedules", "[{type: linear, start_factor: 0.1, total_iters: 10}, {type: cosine_annealing}]"],
        ["step", "--step_size", "3", "--gama", "0.5"],
        ["triangulr", "--steps", "3"],
        ["--help"],
        ["one_cycle", "--help"],
        ["--list"],
    ]
    for i, a in enumerate(args):
        put("schedule", f"{i:02d}-{a[0].lstrip('-')}", "\n".join(a).encode())


def seeds_params():
    """YAML documents whose every scalar lrsweep writes as JSON for a
    trainer: booleans of YAML 1.1, numbers of every spelling, strings
    needing escapes, tags, merge keys, aliases, nesting."""
    bools = " ".join(f"b{i}: {w}," for i, w in enumerate(
        "true True TRUE false False FALSE yes Yes YES no No NO on On ON off Off OFF y n".split()))
    docs = {
        "booleans": f"{{{bools} quoted: 'yes', tagged: !!str off, bool: !!bool true}}",
        "numbers": "{a: 1, b: -0, c: 0.1, d: 1e300, e: 1e400, f: -1e-400, g: .inf, h: -.Inf, i: .nan, "
                   "j: 0x1f, k: 0o17, l: 1_000, m: +5, n: 1., o: .5, p: 123456789012345678901234567890, "
                   "q: 4.9e-324, r: ' 1', s: '1 ', t: 1e-5, u: !!int 3, v: !!float 2}",
        "bases": "{a: 0b1_0_1, b: -0x_FF, c: 0o7_7, d: 017, e: 09, f: 0X1F, g: 0x, h: 1__0, i: 1_, "
                 "j: 1_000.5e-3, k: 1_e3, l: 1:30, m: -1:30.5, n: 0x10000000000000001, "
                 "o: 9007199254740993, p: -18446744073709551617, q: 1.0e+999, r: 0." + "0" * 400 + "1, "
                 "s: 0x" + "f" * 3500 + ", t: 1" + "0" * 4299 + ", u: 1" + "0" * 4300 + "}",
        "nulls": "{a: null, b: ~, c: , d: Null, e: NULL, f: !!null '', g: 'null'}",
        "strings": "{a: \"caf\\u00e9\", b: \"tab\\there\", c: \"\\x85 next-line\", d: \"\\u2028 \\u202e\", "
                   "e: \"\\U0001F600\", f: 'It''s \"q\" \\\\ back', g: \"\\x7f\\x01\\e\"}",
        "merge": "base: &b {width: 64, flag: yes}\nparams:\n  <<: *b\n  width: 128\n  again: *b\n"
                 "  list: [*b, *b]\n  more: {<<: [*b, {depth: 2}]}\n",
        "keys": "{yes: 1, 1: yes, 'a\"b': 2, \"k\\u00e9\": 3, '': 5}",
        "searched": "{width: {grid: [32, 64]}, dropout: {choice: [0, 0.2, off]}, lr: {log_uniform: [1e-5, 1e-1]}}",
        "list": "[1, yes, x, [], {}, [[[]]], {a: {b: {c: [on]}}}]",
        "scalar": "on",
        "deep-32": "[" * 32 + "1" + "]" * 32,
        "more-bases": "{a: .INF, b: -.inf, c: .NaN, d: 0x_, e: 0b2, f: 0o8, g: 1_000_000_000_000_000_000_000, "
                      "h: 0x1p3, i: +0x10, j: -0b0, k: 1:2:3, l: 08, m: 0.1_2, n: _1, o: 0b, p: -0o, q: 0x1.8, "
                      "r: 1e1_0, s: 0B11, t: 0O17, u: +.inf, v: 1__, w: 60:60, x: 0:0.5, y: 0x-1, z: 1e-_3}",
    }
    for name, text in docs.items():
        put("params", name, text.encode())


if __name__ == "__main__":
    seeds_idx()
    seeds_npy()
    seeds_npz()
    seeds_csv()
    seeds_experiment()
    seeds_schedule()
    seeds_params()
