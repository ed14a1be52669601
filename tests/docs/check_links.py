#!/usr/bin/env python3
"""Every link in README.md and docs/ resolves to a file inside the tree it is read from.

    python3 tests/docs/check_links.py              # the repository
    python3 tests/docs/check_links.py --root DIR   # an installed copy (/usr/share/doc/kiemdiem)

A link is `[text](target)` or `![alt](target)`. It fails when the target is a web address or an
absolute path (a link that leaves the tree), when it climbs out of the tree with `..`, when the
file is missing, or when its `#anchor` names no heading of the target. Prints one line per broken
link (file:line: target: reason) and exits 1 if there is any.
"""
import argparse
import os
import re
import sys
import unicodedata

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^\s*```")


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`", "", heading.strip().lower())
    text = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return text.replace(" ", "-")


def anchors(path):
    out = set()
    in_fence = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if FENCE.match(line):
                in_fence = not in_fence
            elif not in_fence and line.startswith("#"):
                out.add(slug(line.lstrip("#")))
    return out


def documents(root):
    found = []
    for top in ["README.md", "docs"]:
        p = os.path.join(root, top)
        if os.path.isfile(p):
            found.append(p)
        for dirpath, _, files in os.walk(p) if os.path.isdir(p) else []:
            found += [os.path.join(dirpath, f) for f in sorted(files) if f.endswith(".md")]
    return found


def check(root):
    root = os.path.realpath(root)
    problems, count = [], 0
    docs = documents(root)
    if not docs:
        return [f"{root}: no README.md or docs/ to check"], 0
    for doc in docs:
        in_fence = False
        with open(doc, encoding="utf-8") as f:
            lines = f.read().split("\n")
        for n, line in enumerate(lines, 1):
            if FENCE.match(line):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            for m in LINK.finditer(line):
                target = m.group(1)
                count += 1
                where = f"{os.path.relpath(doc, root)}:{n}: {target}"
                if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                    problems.append(f"{where}: a web address or scheme; the docs link only files of the repository")
                    continue
                path, _, anchor = target.partition("#")
                if path.startswith("/"):
                    problems.append(f"{where}: an absolute path")
                    continue
                dest = os.path.realpath(os.path.join(os.path.dirname(doc), path)) if path else doc
                if dest != root and not dest.startswith(root + os.sep):
                    problems.append(f"{where}: leaves the tree")
                elif not os.path.exists(dest):
                    problems.append(f"{where}: no such file")
                elif anchor and dest.endswith(".md") and anchor not in anchors(dest):
                    problems.append(f"{where}: no heading '#{anchor}' in {os.path.relpath(dest, root)}")
        text = "\n".join(lines)
        for banned in ["../shared", "DOMAIN.md", "PRODUCT.md", "STYLE.md"]:
            if banned in text:
                problems.append(f"{os.path.relpath(doc, root)}: mentions {banned}, a file outside the repository")
    return problems, count


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    args = ap.parse_args()
    problems, count = check(args.root)
    for p in problems:
        print(p)
    print(f"links: {count} checked in {args.root}, {len(problems)} broken")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
