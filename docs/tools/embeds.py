#!/usr/bin/env python3
"""Fail when a chart a chapter embeds was not produced by the chapter's runs.

    embeds.py SRC_DIR

Every image or link of a chapter that points into `generated/` (where
docs/build.sh copies what the chapters' commands wrote) must exist; charts
are never committed, so a renamed chart or a command that no longer writes
it fails the build, naming the chapter and the file.
"""
import pathlib
import re
import sys

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def main():
    src = pathlib.Path(sys.argv[1])
    missing = []
    found = 0
    for md in sorted(src.rglob("*.md")):
        if "generated" in md.parts:
            continue
        for n, line in enumerate(md.read_text(encoding="utf-8").splitlines(), 1):
            for target in LINK.findall(line):
                if "generated/" not in target:
                    continue
                found += 1
                path = (md.parent / target.split("#")[0]).resolve()
                if not path.exists():
                    missing.append(f"docs/src/{md.relative_to(src)}:{n}: {target} was not produced by the chapter's commands")
    for m in missing:
        print(f"docs/build.sh: {m}", file=sys.stderr)
    if missing:
        sys.exit(1)
    print(f"docs: {found} generated charts and files embedded, all produced")


if __name__ == "__main__":
    main()
