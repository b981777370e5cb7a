#!/usr/bin/python3
"""make_number_table.py - writes tests/number_table.h, the numbers of an
experiment file as PyYAML reads them and as lrsweep writes them to a
trainer (src/common/number.c, lrs_node_json).

Each form is read by PyYAML (yaml.safe_load of "v: FORM") and its value
written as lrsweep writes JSON: an integer with all its digits ("%.17g" up
to 2^53, as lrsweep always wrote them), a real as "%.17g", a string
quoted. Where lrsweep reads a form differently on purpose, DIFFERENT says
what it writes and why; the script checks that every other row is one
json.loads reads back to PyYAML's value and type, so no difference goes
unlisted. tests/test_common.c checks lrsweep against the table.

    /usr/bin/python3 tests/data/make_number_table.py

Needs PyYAML (python3-yaml). Deterministic: a second run writes the same.
"""
import json
import math
import os

import yaml

FORMS = [
    # integers, decimal
    "0", "7", "-7", "+7", "128", "-0", "1_000", "1__000", "1_", "-1_000",
    "017", "0017", "0_17", "09",
    # hexadecimal, octal, binary
    "0x1f", "0xFF", "0xff_ff", "-0x1f", "+0x1f", "0X1F", "0x", "0x_", "0xg",
    "0o17", "-0o17", "0o8", "0O17", "0b101", "-0b101", "0b1_0_1", "0b2", "0B101",
    # past 2^53, 2^64, and far beyond
    "9007199254740992", "9007199254740993", "-9007199254740993",
    "18446744073709551615", "18446744073709551617",
    "123456789012345678901234567890", "0x10000000000000001", "0xffffffffffffffffffff",
    # reals
    "0.1", "0.10", "1.10", ".5", "-.5", "+.5", "5.", "1.0", "-2.5",
    "1e-3", "1E3", "1e+3", "2e0", "1.5e3", "1.0e-3", "1.0e+3", "1_000.5", "1_0.0_1", "1_e3",
    "1.0e-400", "1e999", "1.0e+999",
    # infinities and NaN
    ".inf", "-.inf", "+.inf", ".Inf", "-.Inf", ".INF", ".nan", ".NaN", ".NAN", "-.nan",
    "inf", "-inf", "nan", "infinity", "Infinity",
    # YAML 1.1's base 60, and near-numbers
    "1:30", "1:30.5", "190:20:30", "-1:30",
    "1e", "1.2.3", "1e1_0", "._5", ".", "+", "_1", "0.1e", "1 000", "1,000", "0x1p3",
]

REFUSED = None  # the experiment file refuses the form in params (line:column)

DIFFERENT = {
    "-0": ("-0", "written as lrsweep always wrote it; json.loads reads int 0, PyYAML's value"),
    # leading zeros are decimal, as in YAML 1.2 (PyYAML's YAML 1.1: octal)
    "017": ("17", "leading zeros are decimal (YAML 1.2); PyYAML reads octal 15"),
    "0017": ("17", "leading zeros are decimal (YAML 1.2); PyYAML reads octal 15"),
    "0_17": ("17", "leading zeros are decimal (YAML 1.2); PyYAML reads octal 15"),
    "09": ("9", "a number (YAML 1.2); PyYAML's YAML 1.1 has no such octal and keeps the string"),
    # YAML 1.2's 0o
    "0o17": ("15", "YAML 1.2's octal; PyYAML keeps the string"),
    "-0o17": ("-15", "YAML 1.2's octal, signed like every integer; PyYAML keeps the string"),
    "0x_": ("\"0x_\"", "no digit: a string; PyYAML fails (int('', 16))"),
    # reals PyYAML leaves strings: YAML 1.2 reads them as numbers
    "+.5": ("0.5", "a number (YAML 1.2); PyYAML wants a digit before a signed point"),
    "-.5": ("-0.5", "a number (YAML 1.2); PyYAML wants a digit before a signed point"),
    "1e-3": ("0.001", "a number (YAML 1.2); PyYAML wants a point in a real"),
    "1E3": ("1000", "a number (YAML 1.2); PyYAML wants a point in a real"),
    "1e+3": ("1000", "a number (YAML 1.2); PyYAML wants a point in a real"),
    "2e0": ("2", "a number (YAML 1.2); PyYAML wants a point in a real"),
    "1.5e3": ("1500", "a number (YAML 1.2); PyYAML wants a sign in an exponent"),
    "1_e3": ("1000", "a number with PyYAML's underscores; PyYAML wants a point in a real"),
    # a real of whole value is written without a point, as lrsweep always did
    "5.": ("5", "whole value written without a point (Python reads int 5, not 5.0)"),
    "1.0": ("1", "whole value written without a point (Python reads int 1, not 1.0)"),
    "1.0e+3": ("1000", "whole value written without a point (Python reads int 1000)"),
    "1.0e-400": ("0", "below the smallest double: 0, as float() gives; written without a point"),
    # JSON has no infinity and no NaN: refused at line:column
    "1e999": (REFUSED, "past the largest double, as .inf is; PyYAML keeps the string"),
    # YAML 1.1's base 60: YAML 1.2 dropped it, a string
    "1:30": ("\"1:30\"", "YAML 1.1's base 60, a number to PyYAML; YAML 1.2 dropped it: a string"),
    "1:30.5": ("\"1:30.5\"", "YAML 1.1's base 60, a number to PyYAML; YAML 1.2 dropped it: a string"),
    "190:20:30": ("\"190:20:30\"", "YAML 1.1's base 60, a number to PyYAML; YAML 1.2 dropped it: a string"),
    "-1:30": ("\"-1:30\"", "YAML 1.1's base 60, a number to PyYAML; YAML 1.2 dropped it: a string"),
}


def lrsweep_json(value):
    """PyYAML's value as lrsweep writes JSON."""
    if value is True or value is False:
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return "%.17g" % value if abs(value) <= 2 ** 53 else str(value)
    if isinstance(value, float):
        return "%.17g" % value if math.isfinite(value) else REFUSED
    return json.dumps(value)


def main():
    rows = []
    for form in FORMS:
        try:
            value = yaml.safe_load("v: " + form)["v"]
            pyyaml = repr(value)
        except ValueError as e:
            value, pyyaml = None, "fails: %s" % e
        if form in DIFFERENT:
            want, why = DIFFERENT[form]
        else:
            want, why = lrsweep_json(value), ""
            if isinstance(value, float) and not math.isfinite(value):
                why = "JSON has no infinity or NaN: refused at its line:column"
            else:
                back = json.loads(want)
                assert back == value and type(back) is type(value), (form, value, want)
        rows.append((form, want, pyyaml, why))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "number_table.h")
    with open(out, "w") as f:
        f.write("/* number_table.h - written by tests/data/make_number_table.py (PyYAML %s):\n"
                " * each form of a plain scalar, the JSON lrsweep writes for it in a\n"
                " * trainer's params (NULL: the experiment file refuses it there, at its\n"
                " * line:column), PyYAML's reading, and why lrsweep reads it otherwise\n"
                " * (empty: the same value and type as PyYAML's, read back by json.loads). */\n"
                % yaml.__version__)
        f.write("static const struct number_row {\n"
                "\tconst char *form, *json, *pyyaml, *why;\n"
                "} number_table[] = {\n")
        for form, want, pyyaml, why in rows:
            f.write("\t{ %s, %s, %s, %s },\n" % (c_string(form), c_string(want) if want is not None else "NULL",
                                                  c_string(pyyaml), c_string(why)))
        f.write("};\n")


def c_string(s):
    return json.dumps(s)   # ASCII only: a C string literal too


if __name__ == "__main__":
    main()
