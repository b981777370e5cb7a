#!/usr/bin/python3
"""make_data.py - the data files of the bound-quality benchmark.

Writes into DIR (default results/bounds-bench/data), each file only when it is
missing:
  fashion6k-train-{images,labels}   the first 6,000 Fashion-MNIST training
                                    samples as raw idx files
  fashion3k-at20k-train-*,          3,000 and 4,000 Fashion-MNIST training
  fashion4k-at40k-train-*           samples from offsets 20,000 and 40,000
                                    (images no other problem trains on)
  breast_cancer.csv, wine.csv,      scikit-learn's bundled real data sets
  digits.csv                        (python3-sklearn), label last, no header
  tab-mixed20.csv, tab-mixed30.csv, tabular sets this script generates
  tab-sparse50.csv, tab-wide60.csv  (seeded): features on scales spread over
                                    five decades, labels from a random teacher
  diabetes3.csv                     scikit-learn's diabetes data (442 rows,
                                    10 features), its regression target cut
                                    at its tertiles into classes 0, 1, 2
  boston5.csv                       scikit-learn's Boston house prices (506
                                    rows, 13 features), the price cut at
                                    its quintiles into classes 0..4
  tab-mixed12.csv, tab-deep40.csv   two more generated tabular sets
  fashion5k-at50k-train-*           5,000 Fashion-MNIST training samples
                                    from offset 50,000
  tab-mixed16.csv, tab-wide80.csv   two more generated tabular sets
  fashion2k-at30k-train-*           2,000 Fashion-MNIST training samples
                                    from offset 30,000
  tab-mixed24.csv, tab-bin120.csv   two more generated tabular sets (the
                                    second with two classes)
  tab-mixed36.csv, tab-wide200.csv  two more generated tabular sets (the
                                    second with 200 features, 10 of them
                                    informative)
  diabetes2.csv                     scikit-learn's diabetes data, its target
                                    cut at its median into classes 0, 1
  fashion2500-at12k-train-*,        2,500 and 1,500 Fashion-MNIST training
  fashion1500-at57k-train-*         samples from offsets 12,000 and 57,000
  tab-mixed8.csv, tab-mixed28.csv,  three more generated tabular sets (8
  tab-mixed64.csv                   features and 5 classes; 28 features and
                                    12 classes; 64 features and 5 classes)
  digits2.csv                       scikit-learn's digits, the label cut to
                                    the digit's parity (0 even, 1 odd)
  fashion1200-at35k-train-*,        1,200 and 1,000 Fashion-MNIST training
  fashion1000-at45k-train-*         samples from offsets 35,000 and 45,000
  fashion1500-at24k-train-*,        1,500 and 1,000 Fashion-MNIST training
  fashion1000-at47k-train-*         samples from offsets 24,000 and 47,000
  fashion-tops3-at6k-train-*        the first 1,500 Fashion-MNIST training
                                    images from offset 6,000 (up to 10,984)
                                    of its three upper-body classes only:
                                    T-shirt/top, pullover, shirt (labels 0,
                                    2, 6 as Fashion-MNIST numbers them)
  boston2.csv                       Boston house prices, the price cut at
                                    its median into classes 0, 1
  digits4x4.csv                     scikit-learn's digits pooled to 4x4:
                                    each 2x2 block of pixels summed (16
                                    features from 0 to 64), the digit last
  tab-mild10.csv, tab-mixed48.csv,  three more generated tabular sets (10
  tab-few4.csv                      features, 3 classes, scales over 1.2
                                    decades only; 48 features, 40 of them
                                    informative, 9 classes; 4 features, 2
                                    classes, 6,000 rows)
  fashion1200-at27k-train-*,        1,200 and 800 Fashion-MNIST training
  fashion800-at55k-train-*          samples from offsets 27,000 and 55,000
  fashion-shoes3-at16k-train-*      the first 1,000 Fashion-MNIST training
                                    images from offset 16,000 (up to 20,000)
                                    of its three footwear classes only:
                                    sandal, sneaker, ankle boot (labels 5,
                                    7, 9 as Fashion-MNIST numbers them)
  tab-sparse32.csv, tab-20c24.csv,  three more generated tabular sets (32
  tab-raw12.csv                     features, 4 of them informative, 3
                                    classes; 24 features, 20 classes; 12
                                    features, 4 classes, scales over 2
                                    decades)
  fashion1000-at33k-train-*,        1,000 Fashion-MNIST training samples
  fashion1000-at48k-train-*         from offsets 33,000 and 48,000
  fashion-4c-at36k-train-*          the first 1,200 Fashion-MNIST training
                                    images from offset 36,500 (up to 40,000)
                                    of four distinct classes only: trouser,
                                    dress, coat, bag (labels 1, 3, 4, 8 as
                                    Fashion-MNIST numbers them)
  boston3.csv                       Boston house prices, the price cut at
                                    its tertiles into classes 0, 1, 2
  tab-mixed40.csv, tab-all20.csv,   three more generated tabular sets (40
  tab-raw6.csv                      features, 20 of them informative, 7
                                    classes; 20 features, all informative,
                                    6 classes; 6 features, 3 classes,
                                    scales over 1.5 decades)
  fashion1200-at28500-train-*,      1,200 and 1,000 Fashion-MNIST training
  fashion1000-at44k-train-*         samples from offsets 28,500 and 44,000
  fashion-pullcoat2-at16k-train-*   the first 750 Fashion-MNIST training
                                    images from offset 16,000 (up to 20,000:
                                    images the footwear set leaves out) of
                                    two look-alike classes only: pullover
                                    and coat (labels 2, 4)
  diabetes4.csv                     scikit-learn's diabetes data, its target
                                    cut at its quartiles into classes 0..3
  digits3.csv                       scikit-learn's digits, the label cut to
                                    the digit modulo 3 (0 for 0, 3, 6, 9; 1
                                    for 1, 4, 7; 2 for 2, 5, 8)
  tab-mixed18.csv, tab-bin16.csv,   four more generated tabular sets (18
  tab-wide100.csv, tab-raw9.csv     features, 14 informative, 4 classes; 16
                                    features, 8 informative, 2 classes,
                                    8,000 rows; 100 features, 50
                                    informative, 11 classes; 9 features, 5
                                    classes, scales over 1.2 decades)
  fashion1000-at58500-train-*,      1,000 and 800 Fashion-MNIST training
  fashion800-at46k-train-*          samples from offsets 58,500 and 46,000
  fashion-5c-at14500-train-*        the first 700 Fashion-MNIST training
                                    images from offset 14,500 (up to 16,000)
                                    of five classes: trouser, dress,
                                    sandal, shirt, bag (labels 1, 3, 5, 6, 8
                                    as Fashion-MNIST numbers them)
  digits5.csv                       scikit-learn's digits, the label cut to
                                    the digit modulo 5 (0 for 0 and 5, 1 for
                                    1 and 6, ... 4 for 4 and 9)
  boston4.csv                       Boston house prices, the price cut at
                                    its quartiles into classes 0..3
  tab-mixed14.csv, tab-wide150.csv, four more generated tabular sets (14
  tab-raw8.csv, tab-8c20.csv        features, 10 informative, 3 classes,
                                    5,000 rows; 150 features, 30
                                    informative, 5 classes, 1,200 rows; 8
                                    features, 4 classes, scales over 1.2
                                    decades; 20 features, 12 informative,
                                    8 classes, 6,000 rows)
  fashion1000-at49k-train-*,        1,000, 1,500 and 800 Fashion-MNIST
  fashion1500-at25500-train-*,      training samples from offsets 49,000,
  fashion800-at55800-train-*        25,500 and 55,800
  fashion-apparel6-at32k-train-*    the first 560 Fashion-MNIST training
                                    images from offset 32,000 (up to 33,000)
                                    of its six garment classes: T-shirt/top,
                                    trouser, pullover, dress, coat, shirt
                                    (labels 0, 1, 2, 3, 4, 6)
  tab-mixed26.csv, tab-mixed44.csv, three more generated tabular sets (26
  tab-raw10.csv                     features, 16 informative, 6 classes,
                                    4,000 rows; 44 features, 22
                                    informative, 3 classes, 2,000 rows; 10
                                    features, 3 classes, scales over 1
                                    decade)
  fashion1000-at23k-train-*,        1,000, 1,000 and 500 Fashion-MNIST
  fashion1000-at34k-train-*,        training samples from offsets 23,000,
  fashion500-at59500-train-*        34,000 and 59,500 (the last 500)
  tab-mixed22.csv, tab-wide90.csv,  four more generated tabular sets (22
  tab-bin34.csv, tab-raw7.csv       features, 11 informative, 5 classes,
                                    3,000 rows; 90 features, 20
                                    informative, 4 classes, 1,500 rows; 34
                                    features, 12 informative, 2 classes,
                                    5,000 rows; 7 features, 4 classes,
                                    2,500 rows, scales over 1.2 decades)
  diabetes5.csv                     scikit-learn's diabetes data, its target
                                    cut at its quintiles into classes 0..4
  digits4.csv                       scikit-learn's digits, the label cut to
                                    the digit modulo 4 (0 for 0, 4, 8; 1 for
                                    1, 5, 9; 2 for 2, 6; 3 for 3, 7)
  fashion1000-at11k-train-*,        1,000 and 400 Fashion-MNIST training
  fashion400-at56600-train-*        samples from offsets 11,000 and 56,600
  fashion-5c-at16k-train-*          the first 900 Fashion-MNIST training
                                    images from offset 16,000 (up to 17,871:
                                    classes the footwear and pullover/coat
                                    sets leave out) of five classes:
                                    T-shirt/top, trouser, dress, shirt, bag
                                    (labels 0, 1, 3, 6, 8)
  tab-sparse60.csv, tab-all12.csv,  four more generated tabular sets (60
  tab-raw5.csv, tab-bin40.csv       features, 8 informative, 6 classes,
                                    2,500 rows; 12 features, all
                                    informative, 3 classes, 6,000 rows; 5
                                    features, 3 classes, 2,000 rows, scales
                                    over 0.9 decade; 40 features, 30
                                    informative, 2 classes, 3,000 rows)
  boston6.csv                       Boston house prices, the price cut at
                                    its sextiles into classes 0..5
  digits6.csv                       scikit-learn's digits, the label cut to
                                    the digit modulo 6 (0 for 0, 6; 1 for 1,
                                    7; 2 for 2, 8; 3 for 3, 9; 4; 5)
  fashion-7c-at6k-train-*           the first 1,000 Fashion-MNIST training
                                    images from offset 6,000 (up to 11,000:
                                    classes the upper-body set leaves out)
                                    of seven classes: trouser, dress, coat,
                                    sandal, sneaker, bag, ankle boot (labels
                                    1, 3, 4, 5, 7, 8, 9)
  fashion-4c-at17900-train-*        the first 700 Fashion-MNIST training
                                    images from offset 17,900 (up to 20,000:
                                    past the images the five-class set at
                                    16,000 took, classes the footwear and
                                    pullover/coat sets leave out) of four
                                    classes: T-shirt/top, dress, shirt, bag
                                    (labels 0, 3, 6, 8)
  digits7.csv                       scikit-learn's digits, the label cut to
                                    the digit modulo 7 (0 for 0, 7; 1 for 1,
                                    8; 2 for 2, 9; 3; 4; 5; 6)
  tab-mixed15.csv, tab-bin24.csv,   five more generated tabular sets (15
  tab-wide120.csv, tab-raw11.csv,   features, 9 informative, 7 classes,
  tab-deep50.csv                    3,500 rows; 24 features, 6 informative,
                                    2 classes, 4,000 rows; 120 features, 40
                                    informative, 6 classes, 2,000 rows; 11
                                    features, 4 classes, 3,000 rows, scales
                                    over 0.9 decade; 50 features, 25
                                    informative, 10 classes, 5,000 rows)
  fashiontest1200-at6k-train-*,     1,200, 800 and 700 of Fashion-MNIST's
  fashiontest800-at8500-train-*,    test images from offsets 6,000, 8,500
  fashiontest700-at9300-train-*     and 9,300 (as a problem's training data)
  fashion-sneakboot-at36500-train-* the first 600 Fashion-MNIST training
                                    images from offset 36,500 (up to
                                    40,000: classes the four-class set
                                    there leaves out) of sneakers and ankle
                                    boots (labels 7, 9)
  digits8.csv                       scikit-learn's digits, the label cut to
                                    the digit modulo 8 (0 for 0, 8; 1 for
                                    1, 9; 2 to 7)
  tab-mixed32.csv, tab-rawbin6.csv, three more generated tabular sets (32
  tab-wide70.csv                    features, 16 informative, 5 classes,
                                    3,000 rows; 6 features, 5 informative,
                                    2 classes, 2,500 rows, scales over 0.9
                                    decade; 70 features, 35 informative, 9
                                    classes, 3,000 rows)

Standard library only, deterministic: the same files on every machine.
"""
import gzip
import math
import os
import random
import struct
import sys

FASHION = "/usr/share/datasets/fashion-mnist"
SKLEARN = "/usr/lib/python3/dist-packages/sklearn/datasets/data"


def fashion_subset(out, n, stem="fashion6k", offset=0, source="train"):
    """N Fashion-MNIST samples from OFFSET of its training set (SOURCE
    "train") or of its test set ("t10k"), as raw idx files named
    STEM-train-images and STEM-train-labels (the problem's training data)."""
    for kind, magic, item in (("images", 0x803, 784), ("labels", 0x801, 1)):
        path = os.path.join(out, "%s-train-%s" % (stem, kind))
        if os.path.exists(path):
            continue
        src = os.path.join(FASHION, "%s-%s-idx%d-ubyte.gz" % (source, kind, 3 if kind == "images" else 1))
        with gzip.open(src, "rb") as f:
            head = f.read(16 if kind == "images" else 8)
            f.read(offset * item)
            body = f.read(n * item)
        if kind == "images":
            head = struct.pack(">IIII", magic, n, 28, 28)
        else:
            head = struct.pack(">II", magic, n)
        with open(path + ".tmp", "wb") as f:
            f.write(head + body)
        os.replace(path + ".tmp", path)


def fashion_classes(out, stem, offset, n, classes, stop):
    """The first N Fashion-MNIST training samples at or after OFFSET whose
    label is one of CLASSES, as raw idx files (labels kept as they are);
    every image taken lies before STOP."""
    paths = [os.path.join(out, "%s-train-%s" % (stem, k)) for k in ("images", "labels")]
    if all(os.path.exists(p) for p in paths):
        return
    with gzip.open(os.path.join(FASHION, "train-images-idx3-ubyte.gz"), "rb") as f:
        images = f.read()[16:]
    with gzip.open(os.path.join(FASHION, "train-labels-idx1-ubyte.gz"), "rb") as f:
        labels = f.read()[8:]
    keep = [i for i in range(offset, stop) if labels[i] in classes][:n]
    assert len(keep) == n, "fewer than %d samples of %s before %d" % (n, classes, stop)
    body = b"".join(images[i * 784:(i + 1) * 784] for i in keep)
    heads = (struct.pack(">IIII", 0x803, n, 28, 28), struct.pack(">II", 0x801, n))
    for path, head, data in zip(paths, heads, (body, bytes(labels[i] for i in keep))):
        with open(path + ".tmp", "wb") as f:
            f.write(head + data)
        os.replace(path + ".tmp", path)


def write_csv(path, rows):
    with open(path + ".tmp", "w") as f:
        for r in rows:
            f.write(",".join(r) + "\n")
    os.replace(path + ".tmp", path)


def sklearn_csv(out, name, src, skip_first):
    path = os.path.join(out, name)
    if os.path.exists(path):
        return
    full = os.path.join(SKLEARN, src)
    opener = gzip.open if src.endswith(".gz") else open
    with opener(full, "rt") as f:
        lines = f.read().split("\n")
    if skip_first:
        lines = lines[1:]
    rows = [l.strip().split(",") for l in lines if l.strip()]
    # digits stores labels as floats ("0.0"): whole numbers for lrsweep
    for r in rows:
        r[-1] = str(int(float(r[-1])))
    write_csv(path, rows)


def read_diabetes():
    """Scikit-learn's diabetes data: its 442 rows of 10 raw features (as
    text) and its regression target."""
    with gzip.open(os.path.join(SKLEARN, "diabetes_data_raw.csv.gz"), "rt") as f:
        xs = [l.split() for l in f.read().split("\n") if l.strip()]
    with gzip.open(os.path.join(SKLEARN, "diabetes_target.csv.gz"), "rt") as f:
        ys = [float(l) for l in f.read().split("\n") if l.strip()]
    assert len(xs) == len(ys)
    return xs, ys


def diabetes_quantiles(out, name, parts):
    """Real features, classes from the target cut into PARTS quantiles (0
    lowest .. PARTS-1; ties go to the lower class): 3 for the tertiles, 2
    for the median, 4 for the quartiles, 5 for the quintiles."""
    path = os.path.join(out, name)
    if os.path.exists(path):
        return
    xs, ys = read_diabetes()
    order = sorted(ys)
    cuts = [order[k * len(order) // parts] for k in range(1, parts)]
    write_csv(path, [x + [str(sum(1 for c in cuts if y > c))] for x, y in zip(xs, ys)])


def digits_modulo(out, name, m):
    """Scikit-learn's digits (64 pixels), the label replaced by the digit
    modulo M: 2 for its parity (0 even, 1 odd), 3 for three classes that
    each join three or four digits, 4 for four classes of two or three
    digits, 5 for five classes of two digits each, 6 for four classes of
    two digits and two of one, 7 for three classes of two digits and four
    of one, 8 for two classes of two digits and six of one."""
    path = os.path.join(out, name)
    if os.path.exists(path):
        return
    with gzip.open(os.path.join(SKLEARN, "digits.csv.gz"), "rt") as f:
        rows = [l.strip().split(",") for l in f.read().split("\n") if l.strip()]
    write_csv(path, [r[:-1] + [str(int(float(r[-1])) % m)] for r in rows])


def digits_pooled(out, name):
    """Scikit-learn's digits at half their resolution: each 2x2 block of
    the 8x8 image summed (16 features, row by row, 0 to 64), the digit
    last."""
    path = os.path.join(out, name)
    if os.path.exists(path):
        return
    with gzip.open(os.path.join(SKLEARN, "digits.csv.gz"), "rt") as f:
        rows = [l.strip().split(",") for l in f.read().split("\n") if l.strip()]
    pooled = []
    for r in rows:
        px = [int(float(v)) for v in r[:-1]]
        blocks = [px[8 * y + x] + px[8 * y + x + 1] + px[8 * y + x + 8] + px[8 * y + x + 9]
                  for y in range(0, 8, 2) for x in range(0, 8, 2)]
        pooled.append([str(b) for b in blocks] + [str(int(float(r[-1])))])
    write_csv(path, pooled)


def boston_quantiles(out, name, parts):
    """Boston house prices: 13 real features, classes from the price cut
    into PARTS quantiles (0 cheapest .. PARTS-1; ties go to the lower
    class): 5 for the quintiles, 2 for the median, 3 for the tertiles, 4
    for the quartiles, 6 for the sextiles."""
    path = os.path.join(out, name)
    if os.path.exists(path):
        return
    with open(os.path.join(SKLEARN, "boston_house_prices.csv")) as f:
        lines = [l.strip() for l in f.read().split("\n")[2:] if l.strip()]
    rows = [l.split(",") for l in lines]
    ys = [float(r[-1]) for r in rows]
    order = sorted(ys)
    cuts = [order[k * len(order) // parts] for k in range(1, parts)]
    labels = [sum(1 for c in cuts if y > c) for y in ys]
    write_csv(path, [r[:-1] + [str(c)] for r, c in zip(rows, labels)])


def teacher_tabular(out, name, seed, n, features, informative, classes, decades=(-2, 3)):
    """Gaussian inputs, labels = argmax of a random one-hidden-layer teacher
    over the informative features, then every feature rescaled by 10^U(DECADES),
    10^U(-2,3) unless told, and shifted: the mixed scales tabular users bring."""
    path = os.path.join(out, name)
    if os.path.exists(path):
        return
    rng = random.Random(seed)
    hidden = 16
    w1 = [[rng.gauss(0, 1) for _ in range(informative)] for _ in range(hidden)]
    w2 = [[rng.gauss(0, 1) for _ in range(hidden)] for _ in range(classes)]
    scale = [10 ** rng.uniform(*decades) for _ in range(features)]
    shift = [rng.uniform(-5, 5) * s for s in scale]
    rows = []
    for _ in range(n):
        x = [rng.gauss(0, 1) for _ in range(features)]
        h = [math.tanh(sum(a * b for a, b in zip(w, x[:informative]))) for w in w1]
        z = [sum(a * b for a, b in zip(w, h)) + rng.gauss(0, 0.3) for w in w2]
        y = max(range(classes), key=lambda k: z[k])
        rows.append(["%.6g" % (v * s + o) for v, s, o in zip(x, scale, shift)] + [str(y)])
    write_csv(path, rows)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "results/bounds-bench/data"
    os.makedirs(out, exist_ok=True)
    fashion_subset(out, 6000)
    sklearn_csv(out, "breast_cancer.csv", "breast_cancer.csv", True)
    sklearn_csv(out, "wine.csv", "wine_data.csv", True)
    sklearn_csv(out, "digits.csv", "digits.csv.gz", False)
    teacher_tabular(out, "tab-mixed20.csv", 20, 4000, 20, 12, 5)
    teacher_tabular(out, "tab-mixed30.csv", 30, 8000, 30, 20, 4)
    teacher_tabular(out, "tab-sparse50.csv", 50, 5000, 50, 6, 3)
    teacher_tabular(out, "tab-wide60.csv", 60, 6000, 60, 30, 10)
    diabetes_quantiles(out, "diabetes3.csv", 3)
    fashion_subset(out, 3000, "fashion3k-at20k", 20000)
    fashion_subset(out, 4000, "fashion4k-at40k", 40000)
    boston_quantiles(out, "boston5.csv", 5)
    teacher_tabular(out, "tab-mixed12.csv", 12, 3000, 12, 8, 4)
    teacher_tabular(out, "tab-deep40.csv", 40, 6000, 40, 25, 6)
    fashion_subset(out, 5000, "fashion5k-at50k", 50000)
    teacher_tabular(out, "tab-mixed16.csv", 16, 2500, 16, 10, 3)
    teacher_tabular(out, "tab-wide80.csv", 80, 8000, 80, 40, 8)
    fashion_subset(out, 2000, "fashion2k-at30k", 30000)
    teacher_tabular(out, "tab-mixed24.csv", 24, 3000, 24, 12, 6)
    teacher_tabular(out, "tab-bin120.csv", 120, 3000, 120, 15, 2)
    teacher_tabular(out, "tab-mixed36.csv", 36, 5000, 36, 18, 7)
    teacher_tabular(out, "tab-wide200.csv", 200, 2000, 200, 10, 4)
    diabetes_quantiles(out, "diabetes2.csv", 2)
    fashion_subset(out, 2500, "fashion2500-at12k", 12000)
    fashion_subset(out, 1500, "fashion1500-at57k", 57000)
    teacher_tabular(out, "tab-mixed8.csv", 8, 2500, 8, 6, 5)
    teacher_tabular(out, "tab-mixed28.csv", 28, 4000, 28, 14, 12)
    teacher_tabular(out, "tab-mixed64.csv", 64, 4000, 64, 32, 5)
    digits_modulo(out, "digits2.csv", 2)
    fashion_subset(out, 1200, "fashion1200-at35k", 35000)
    fashion_subset(out, 1000, "fashion1000-at45k", 45000)
    fashion_subset(out, 1500, "fashion1500-at24k", 24000)
    fashion_subset(out, 1000, "fashion1000-at47k", 47000)
    fashion_classes(out, "fashion-tops3-at6k", 6000, 1500, (0, 2, 6), 12000)
    boston_quantiles(out, "boston2.csv", 2)
    digits_pooled(out, "digits4x4.csv")
    teacher_tabular(out, "tab-mild10.csv", 10, 1600, 10, 8, 3, (-0.5, 0.7))
    teacher_tabular(out, "tab-mixed48.csv", 48, 3000, 48, 40, 9)
    teacher_tabular(out, "tab-few4.csv", 4, 6000, 4, 4, 2)
    fashion_subset(out, 1200, "fashion1200-at27k", 27000)
    fashion_subset(out, 800, "fashion800-at55k", 55000)
    fashion_classes(out, "fashion-shoes3-at16k", 16000, 1000, (5, 7, 9), 20000)
    teacher_tabular(out, "tab-sparse32.csv", 86, 2400, 32, 4, 3)
    teacher_tabular(out, "tab-20c24.csv", 87, 5000, 24, 24, 20)
    teacher_tabular(out, "tab-raw12.csv", 88, 2000, 12, 10, 4, (-1, 1))
    fashion_subset(out, 1000, "fashion1000-at33k", 33000)
    fashion_subset(out, 1000, "fashion1000-at48k", 48000)
    fashion_classes(out, "fashion-4c-at36k", 36500, 1200, (1, 3, 4, 8), 40000)
    boston_quantiles(out, "boston3.csv", 3)
    teacher_tabular(out, "tab-mixed40.csv", 100, 3500, 40, 20, 7)
    teacher_tabular(out, "tab-all20.csv", 101, 4000, 20, 20, 6)
    teacher_tabular(out, "tab-raw6.csv", 102, 3000, 6, 5, 3, (-1, 0.5))
    fashion_subset(out, 1200, "fashion1200-at28500", 28500)
    fashion_subset(out, 1000, "fashion1000-at44k", 44000)
    fashion_classes(out, "fashion-pullcoat2-at16k", 16000, 750, (2, 4), 20000)
    diabetes_quantiles(out, "diabetes4.csv", 4)
    digits_modulo(out, "digits3.csv", 3)
    teacher_tabular(out, "tab-mixed18.csv", 112, 3000, 18, 14, 4)
    teacher_tabular(out, "tab-bin16.csv", 113, 8000, 16, 8, 2)
    teacher_tabular(out, "tab-wide100.csv", 114, 2500, 100, 50, 11)
    teacher_tabular(out, "tab-raw9.csv", 115, 3000, 9, 7, 5, (-0.6, 0.6))
    fashion_subset(out, 1000, "fashion1000-at58500", 58500)
    fashion_subset(out, 800, "fashion800-at46k", 46000)
    fashion_classes(out, "fashion-5c-at14500", 14500, 700, (1, 3, 5, 6, 8), 16000)
    digits_modulo(out, "digits5.csv", 5)
    boston_quantiles(out, "boston4.csv", 4)
    teacher_tabular(out, "tab-mixed14.csv", 125, 5000, 14, 10, 3)
    teacher_tabular(out, "tab-wide150.csv", 126, 1200, 150, 30, 5)
    teacher_tabular(out, "tab-raw8.csv", 127, 2500, 8, 6, 4, (-0.8, 0.4))
    teacher_tabular(out, "tab-8c20.csv", 131, 6000, 20, 12, 8)
    fashion_subset(out, 1000, "fashion1000-at49k", 49000)
    fashion_subset(out, 1500, "fashion1500-at25500", 25500)
    fashion_subset(out, 800, "fashion800-at55800", 55800)
    fashion_classes(out, "fashion-apparel6-at32k", 32000, 560, (0, 1, 2, 3, 4, 6), 33000)
    teacher_tabular(out, "tab-mixed26.csv", 138, 4000, 26, 16, 6)
    teacher_tabular(out, "tab-mixed44.csv", 139, 2000, 44, 22, 3)
    teacher_tabular(out, "tab-raw10.csv", 145, 3500, 10, 7, 3, (-0.5, 0.5))
    fashion_subset(out, 1000, "fashion1000-at23k", 23000)
    fashion_subset(out, 1000, "fashion1000-at34k", 34000)
    fashion_subset(out, 500, "fashion500-at59500", 59500)
    teacher_tabular(out, "tab-mixed22.csv", 149, 3000, 22, 11, 5)
    teacher_tabular(out, "tab-wide90.csv", 150, 1500, 90, 20, 4)
    teacher_tabular(out, "tab-bin34.csv", 151, 5000, 34, 12, 2)
    teacher_tabular(out, "tab-raw7.csv", 158, 2500, 7, 6, 4, (-0.4, 0.8))
    diabetes_quantiles(out, "diabetes5.csv", 5)
    digits_modulo(out, "digits4.csv", 4)
    fashion_subset(out, 1000, "fashion1000-at11k", 11000)
    fashion_classes(out, "fashion-5c-at16k", 16000, 900, (0, 1, 3, 6, 8), 20000)
    fashion_subset(out, 400, "fashion400-at56600", 56600)
    teacher_tabular(out, "tab-sparse60.csv", 162, 2500, 60, 8, 6)
    teacher_tabular(out, "tab-all12.csv", 163, 6000, 12, 12, 3)
    teacher_tabular(out, "tab-raw5.csv", 164, 2000, 5, 4, 3, (-0.3, 0.6))
    teacher_tabular(out, "tab-bin40.csv", 171, 3000, 40, 30, 2)
    boston_quantiles(out, "boston6.csv", 6)
    digits_modulo(out, "digits6.csv", 6)
    fashion_classes(out, "fashion-7c-at6k", 6000, 1000, (1, 3, 4, 5, 7, 8, 9), 11000)
    fashion_classes(out, "fashion-4c-at17900", 17900, 700, (0, 3, 6, 8), 20000)
    digits_modulo(out, "digits7.csv", 7)
    teacher_tabular(out, "tab-mixed15.csv", 175, 3500, 15, 9, 7)
    teacher_tabular(out, "tab-bin24.csv", 176, 4000, 24, 6, 2)
    teacher_tabular(out, "tab-wide120.csv", 177, 2000, 120, 40, 6)
    teacher_tabular(out, "tab-raw11.csv", 178, 3000, 11, 9, 4, (-0.4, 0.5))
    teacher_tabular(out, "tab-deep50.csv", 184, 5000, 50, 25, 10)
    fashion_subset(out, 1200, "fashiontest1200-at6k", 6000, "t10k")
    fashion_classes(out, "fashion-sneakboot-at36500", 36500, 600, (7, 9), 40000)
    fashion_subset(out, 800, "fashiontest800-at8500", 8500, "t10k")
    digits_modulo(out, "digits8.csv", 8)
    teacher_tabular(out, "tab-mixed32.csv", 191, 3000, 32, 16, 5)
    teacher_tabular(out, "tab-rawbin6.csv", 192, 2500, 6, 5, 2, (-0.5, 0.4))
    teacher_tabular(out, "tab-wide70.csv", 193, 3000, 70, 35, 9)
    fashion_subset(out, 700, "fashiontest700-at9300", 9300, "t10k")


if __name__ == "__main__":
    main()
