#!/usr/bin/env python3
"""check-layout.py: checks that src/ keeps the layout described in src/README.md.

  tools/check-layout.py [--src DIR] [--objects DIR]

Checks, each failure printed as "FILE:LINE: what is wrong":
  - every folder of src/ is a known stage and has a README.md;
  - every file opens with a comment naming itself ("/* name.c: ...");
  - an #include "stage/file.h" points down the pipeline: to the file's own stage or a lower one, never to a higher
    stage or to a sibling of the same rank (osm and ref);
  - no function is longer than MAX_FUNCTION_LINES lines;
  - with --objects (the build's obj/ folder): the same rule over the symbols each object file uses from the others
    (nm), and no circle of object files that use each other's symbols.
Exits 1 when anything is wrong, 2 on bad usage; prints "layout: ok" otherwise.
"""
import argparse
import os
import re
import subprocess
import sys

# The stages in the order data flows through them; a stage may use its own files and those of lower ranks.
STAGE_RANK = {
    "base": 0,
    "osm": 1,
    "ref": 1,
    "net": 2,
    "route": 3,
    "journey": 4,
    "output": 5,
    "serve": 6,
    "cli": 7,
}
MAX_FUNCTION_LINES = 150

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
# A function definition starts at column 0 with a type and a name followed by "(", and its body opens with a "{" alone
# on a line at column 0 (the style clang-format keeps here).
FUNC_START_RE = re.compile(r"^[A-Za-z_][\w \*]*?\b([A-Za-z_]\w*)\s*\(")


def may_use(user, used):
    """True when a file of stage user may use a file of stage used."""
    if user == used:
        return True
    return STAGE_RANK[used] < STAGE_RANK[user]


def stage_files(src):
    for stage in sorted(os.listdir(src)):
        folder = os.path.join(src, stage)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith((".c", ".h")):
                yield stage, os.path.join(folder, name)


def check_folders(src, problems):
    for stage in sorted(os.listdir(src)):
        folder = os.path.join(src, stage)
        if not os.path.isdir(folder):
            if stage.endswith((".c", ".h")):
                problems.append(f"{folder}:1: a source file outside the stage folders")
            continue
        if stage not in STAGE_RANK:
            problems.append(f"{folder}:1: not a known stage (known: {', '.join(STAGE_RANK)})")
        elif not os.path.isfile(os.path.join(folder, "README.md")):
            problems.append(f"{folder}/README.md:1: every stage needs a README.md saying what it owns and may use")


def check_opening(path, lines, problems):
    name = os.path.basename(path)
    if not lines or not lines[0].startswith(f"/* {name}: "):
        problems.append(f'{path}:1: the file must open with "/* {name}: " and a sentence on what it is for')


def check_includes(stage, path, lines, problems):
    for i, line in enumerate(lines, 1):
        m = INCLUDE_RE.match(line)
        if not m or "/" not in m.group(1):
            continue
        used = m.group(1).split("/")[0]
        if used not in STAGE_RANK:
            continue
        if not may_use(stage, used):
            problems.append(f'{path}:{i}: {stage}/ may not include "{m.group(1)}": {used}/ is '
                            f"{'a sibling' if STAGE_RANK[used] == STAGE_RANK[stage] else 'a later stage'}")


def check_functions(path, lines, problems):
    start = None
    name = None
    for i, line in enumerate(lines, 1):
        if start is None:
            m = FUNC_START_RE.match(line)
            if m and not line.startswith(("typedef", "struct", "enum", "union", "#")) and "=" not in line[:m.end()] \
                    and not line.rstrip().endswith(";"):
                name = m.group(1)
                head = i
            if line.rstrip() == "{" and name is not None:
                start = head
            elif line.rstrip().endswith(";") or line.strip() == "":
                name = None
        elif line.rstrip() == "}":
            length = i - start + 1
            if length > MAX_FUNCTION_LINES:
                problems.append(f"{path}:{start}: {name}() is {length} lines, over {MAX_FUNCTION_LINES}")
            start = None
            name = None


def object_symbols(objects):
    """Per object file under objects: (stage, defined symbols, undefined symbols)."""
    table = {}
    for stage in sorted(os.listdir(objects)):
        folder = os.path.join(objects, stage)
        if stage not in STAGE_RANK or not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".o"):
                continue
            path = os.path.join(folder, name)
            out = subprocess.run(["nm", path], check=True, capture_output=True, text=True).stdout
            defined, undefined = set(), set()
            for row in out.splitlines():
                parts = row.split()
                if len(parts) == 3 and parts[1] in "TDBRCV":
                    defined.add(parts[2])
                elif len(parts) == 2 and parts[0] == "U":
                    undefined.add(parts[1])
            table[f"{stage}/{name}"] = (stage, defined, undefined)
    return table


def circles(graph):
    """The strongly connected components of more than one node (Tarjan), each sorted."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def check_objects(objects, problems):
    table = object_symbols(objects)
    owner = {}
    for obj, (_, defined, _) in table.items():
        for sym in defined:
            owner[sym] = obj
    graph = {obj: set() for obj in table}
    for obj, (stage, _, undefined) in table.items():
        for sym in sorted(undefined):
            other = owner.get(sym)
            if other is None or other == obj:
                continue
            graph[obj].add(other)
            if not may_use(stage, table[other][0]):
                problems.append(f"{objects}/{obj}:1: uses {sym} from {other}, a stage it may not use")
    for comp in circles(graph):
        problems.append(f"{objects}/{comp[0]}:1: object files use each other in a circle: {' -> '.join(comp)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", default="src")
    ap.add_argument("--objects", help="the build's obj/ folder, for the symbol checks")
    args = ap.parse_args()
    if not os.path.isdir(args.src):
        print(f"check-layout: {args.src}: no such folder", file=sys.stderr)
        return 2
    problems = []
    check_folders(args.src, problems)
    for stage, path in stage_files(args.src):
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        check_opening(path, lines, problems)
        if stage in STAGE_RANK:
            check_includes(stage, path, lines, problems)
        check_functions(path, lines, problems)
    if args.objects:
        if not os.path.isdir(args.objects):
            print(f"check-layout: {args.objects}: no such folder", file=sys.stderr)
            return 2
        check_objects(args.objects, problems)
    for p in problems:
        print(p)
    if problems:
        print(f"layout: {len(problems)} problem(s); src/README.md says what goes where", file=sys.stderr)
        return 1
    print("layout: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
