#!/usr/bin/env python3
"""corpus.py: writes the fuzzers' seed corpora into OUT/<harness>/ from the repository's fixtures, so that no large
binary is committed: the OSM fixtures themselves and small cuts of them (the header and first data blob of each PBF,
the first elements of each Overpass document, the start of the XML extracts), the tiny OSM files converted to PBF by
osmium (when it is installed) in several encodings and to Overpass JSON, the train profiles, graph files imported by
bogie, and the hand-written seeds of fuzz/seeds/<harness>/.

    python3 fuzz/corpus.py BOGIE OUT     (run from the repository's root; BOGIE is a built bogie binary)"""
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = os.path.join(ROOT, "tests", "data")
SMALL = 64 * 1024  # a fixture larger than this goes in as cuts only
SEEN = {}  # harness -> the seeds' bytes written so far


def put(out, harness, name, data):
    """Writes one seed, unless the harness already has one with the same bytes."""
    d = os.path.join(out, harness)
    os.makedirs(d, exist_ok=True)
    seen = SEEN.setdefault(harness, set())
    if data in seen:
        return
    seen.add(data)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def files(d, suffixes=None):
    if not os.path.isdir(d):
        return []
    return sorted(os.path.join(d, n) for n in os.listdir(d)
                  if os.path.isfile(os.path.join(d, n)) and (not suffixes or n.endswith(suffixes)))


def varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return v, i


def pbf_blobs(data):
    """Splits a PBF file into its (BlobHeader + Blob) frames, each with its 4-byte length prefix."""
    frames, i = [], 0
    while i + 4 <= len(data):
        hlen = int.from_bytes(data[i:i + 4], "big")
        header = data[i + 4:i + 4 + hlen]
        j, size = 0, None
        while j < len(header):
            key, j = varint(header, j)
            if key & 7 == 0:
                v, j = varint(header, j)
                if key >> 3 == 3:
                    size = v
            elif key & 7 == 2:
                n, j = varint(header, j)
                j += n
            else:
                return frames
        if size is None:
            return frames
        end = i + 4 + hlen + size
        frames.append(data[i:end])
        i = end
    return frames


def osm_to_overpass(path, geometry):
    """The OSM XML file at path as an Overpass API JSON document (with way geometry when asked)."""
    root = ET.parse(path).getroot()
    nodes, elements = {}, []
    for el in root:
        tags = {t.get("k"): t.get("v") for t in el.findall("tag")}
        if el.tag == "node":
            nodes[el.get("id")] = (float(el.get("lat")), float(el.get("lon")))
            e = {"type": "node", "id": int(el.get("id")), "lat": nodes[el.get("id")][0], "lon": nodes[el.get("id")][1]}
        elif el.tag == "way":
            refs = [nd.get("ref") for nd in el.findall("nd")]
            e = {"type": "way", "id": int(el.get("id")), "nodes": [int(r) for r in refs]}
            if geometry:
                e["geometry"] = [{"lat": nodes[r][0], "lon": nodes[r][1]} if r in nodes else None for r in refs]
        elif el.tag == "relation":
            e = {"type": "relation", "id": int(el.get("id")),
                 "members": [{"type": m.get("type"), "ref": int(m.get("ref")), "role": m.get("role", "")}
                             for m in el.findall("member")]}
        else:
            continue
        if tags:
            e["tags"] = tags
        elements.append(e)
    return json.dumps({"version": 0.6, "generator": "bogie fuzz/corpus.py", "elements": elements},
                      ensure_ascii=False, indent=1).encode()


def osmium(args):
    if not shutil.which("osmium"):
        return False
    return subprocess.run(["osmium"] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def main():
    bogie, out = sys.argv[1], sys.argv[2]
    shutil.rmtree(out, ignore_errors=True)
    tiny = files(os.path.join(TESTS, "tiny"), (".osm",))
    osm_dir = os.path.join(TESTS, "osm")
    tmp = tempfile.mkdtemp(prefix="bogie-corpus-")
    try:
        # PBF: the header and first data blob of each fixture, and the tiny files in osmium's encodings.
        for p in files(osm_dir, (".pbf",)):
            frames = pbf_blobs(read(p))
            base = os.path.basename(p)
            if len(frames) > 1:
                put(out, "pbf", base + ".blob1", frames[0] + frames[1])
        encodings = {"zlib": "pbf", "raw": "pbf,pbf_compression=none",
                     "nodense": "pbf,pbf_dense_nodes=false,pbf_compression=none",
                     "meta": "pbf,add_metadata=true,pbf_compression=none"}
        for p in tiny:
            name = os.path.basename(p)[:-4]
            for label, fmt in encodings.items():
                dst = os.path.join(tmp, "%s-%s.osm.pbf" % (name, label))
                if osmium(["cat", "-O", "-f", fmt, p, "-o", dst]):
                    put(out, "pbf", os.path.basename(dst), read(dst))
            dst = os.path.join(tmp, "%s-low.osm.pbf" % name)
            if osmium(["add-locations-to-ways", "-O", "-f", "pbf,pbf_compression=none", p, "-o", dst]):
                put(out, "pbf", os.path.basename(dst), read(dst))

        # XML: the tiny files, the corridor's start, the start of the Moscow extract, and the bad inputs.
        for p in tiny + files(os.path.join(TESTS, "bad"), (".osm",)):
            put(out, "xml", os.path.basename(p), read(p))
        corridor = read(os.path.join(ROOT, "data", "corridor", "corridor.osm"))
        put(out, "xml", "corridor-start.osm", corridor[:SMALL])
        for p in files(osm_dir, (".osm.gz",)):
            with gzip.open(p) as f:
                text = f.read(40000)
            put(out, "xml", os.path.basename(p)[:-3] + ".start", text[:text.rfind(b"\n") + 1])

        # Overpass JSON: the first elements of each fixture, the tiny files converted, and the bad inputs.
        for p in files(osm_dir, (".json",)):
            doc = json.loads(read(p))
            for k, n in ((0, 12), (1, 60)):
                cut = dict(doc, elements=doc["elements"][k * 12:k * 12 + n])
                put(out, "overpass", "%s.%d" % (os.path.basename(p), k), json.dumps(cut, ensure_ascii=False).encode())
        for p in tiny:
            name = os.path.basename(p)[:-4]
            put(out, "overpass", name + ".json", osm_to_overpass(p, False))
            put(out, "overpass", name + "-geom.json", osm_to_overpass(p, True))
        for p in files(os.path.join(TESTS, "bad"), (".json",)):
            put(out, "overpass", os.path.basename(p), read(p))

        # Train profiles.
        for p in files(os.path.join(ROOT, "data", "trains"), (".json",)) + files(os.path.join(TESTS, "trains"),
                                                                                   (".json",)):
            put(out, "train", os.path.basename(p), read(p))

        # Graph files: the tiny networks imported with and without country outlines.
        for p in tiny:
            name = os.path.basename(p)[:-4]
            for label, extra in (("plain", ["--no-borders"]), ("borders", ["--data", os.path.join(ROOT, "data")])):
                dst = os.path.join(tmp, "%s-%s.bogie" % (name, label))
                r = subprocess.run([bogie, "import", "-q"] + extra + [p, "-o", dst], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
                if r.returncode != 0:
                    sys.exit("corpus.py: importing %s failed: %s" % (p, r.stderr.decode(errors="replace")))
                put(out, "network", os.path.basename(dst), read(dst))

        # Hand-written seeds.
        seeds = os.path.join(ROOT, "fuzz", "seeds")
        for harness in sorted(os.listdir(seeds)) if os.path.isdir(seeds) else []:
            for p in files(os.path.join(seeds, harness)):
                put(out, harness, "seed-" + os.path.basename(p), read(p))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for harness in sorted(os.listdir(out)):
        d = os.path.join(out, harness)
        print("corpus.py: %s: %d seeds, %d bytes" % (harness, len(os.listdir(d)),
                                                    sum(os.path.getsize(os.path.join(d, n)) for n in os.listdir(d))))


if __name__ == "__main__":
    main()
