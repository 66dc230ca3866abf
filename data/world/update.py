#!/usr/bin/env python3
"""update.py: regenerates data/world/ (countries-10m.json, countries.csv, LICENSE.world-atlas) from the npm packages
world-atlas (Natural Earth admin-0 outlines as TopoJSON) and i18n-iso-countries (ISO 3166-1 codes).

Not needed at build time: the generated files are committed. Run it only to move to new package versions:

    python3 data/world/update.py                      # the pinned versions below
    python3 data/world/update.py --world-atlas 2.0.2 --codes 7.14.0

It installs both packages with npm into a temporary directory (npm uses whatever registry it is configured for),
copies the 1:10m TopoJSON unchanged, and writes countries.csv: one row per feature of objects.countries, in the
file's order, with columns numeric,alpha2,alpha3,name. Python 3 standard library only; deterministic.
"""
import argparse
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

WORLD_ATLAS_VERSION = "2.0.2"
CODES_VERSION = "7.14.0"

# Features of world-atlas that carry no ISO numeric id, and what this file assigns to them. Only features whose
# ISO 3166 code is unambiguous get one; every other feature keeps empty codes and its name. See PROVENANCE.md.
MANUAL = {
    # Kosovo has no ISO 3166-1 entry; XK is the user-assigned code in general use (European Commission, IMF,
    # Unicode CLDR). No alpha-3 is equally settled, so none is given.
    "Kosovo": ("XK", ""),
    # The Baikonur lease area is Kazakh territory leased to Russia; ISO 3166-2:KZ lists it as a city of Kazakhstan.
    # Kazakhstan's railways run through it, so it is Kazakhstan here, not a country of its own.
    "Baikonur": ("KZ", "KAZ"),
}

HERE = os.path.dirname(os.path.abspath(__file__))


def npm_install(tmp, world_atlas, codes):
    cmd = ["npm", "install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--prefix", tmp,
           "world-atlas@" + world_atlas, "i18n-iso-countries@" + codes]
    subprocess.run(cmd, check=True, stdout=sys.stderr)
    return os.path.join(tmp, "node_modules")


def package_version(mods, name):
    with open(os.path.join(mods, name, "package.json"), encoding="utf-8") as f:
        return json.load(f)["version"]


def build_csv(topo, codes):
    by_numeric = {row[2]: row for row in codes}  # [alpha2, alpha3, numeric, ...]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(["numeric", "alpha2", "alpha3", "name"])
    unmatched = []
    for feature in topo["objects"]["countries"]["geometries"]:
        name = feature.get("properties", {}).get("name", "")
        numeric = feature.get("id", "")
        if numeric:
            if numeric not in by_numeric:
                sys.exit("update.py: feature %r has ISO numeric %s, which the code table lacks" % (name, numeric))
            alpha2, alpha3 = by_numeric[numeric][0], by_numeric[numeric][1]
        elif name in MANUAL:
            alpha2, alpha3 = MANUAL[name]
        else:
            alpha2 = alpha3 = ""
            unmatched.append(name)
        w.writerow([numeric, alpha2, alpha3, name])
    return out.getvalue(), unmatched


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--world-atlas", default=WORLD_ATLAS_VERSION)
    ap.add_argument("--codes", default=CODES_VERSION, help="version of i18n-iso-countries")
    ap.add_argument("--out", default=HERE, help="output directory (default: this script's)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bogie-world-") as tmp:
        mods = npm_install(tmp, args.world_atlas, args.codes)
        wa = os.path.join(mods, "world-atlas")
        shutil.copyfile(os.path.join(wa, "countries-10m.json"), os.path.join(args.out, "countries-10m.json"))
        shutil.copyfile(os.path.join(wa, "LICENSE"), os.path.join(args.out, "LICENSE.world-atlas"))
        with open(os.path.join(wa, "countries-10m.json"), encoding="utf-8") as f:
            topo = json.load(f)
        with open(os.path.join(mods, "i18n-iso-countries", "codes.json"), encoding="utf-8") as f:
            codes = json.load(f)
        text, unmatched = build_csv(topo, codes)
        with open(os.path.join(args.out, "countries.csv"), "w", encoding="utf-8", newline="") as f:
            f.write(text)
        print("world-atlas %s, i18n-iso-countries %s: %d features; without codes: %s" % (
            package_version(mods, "world-atlas"), package_version(mods, "i18n-iso-countries"),
            len(topo["objects"]["countries"]["geometries"]), ", ".join(unmatched)))


if __name__ == "__main__":
    main()
