#!/usr/bin/env python3
"""The commands the book shows, and their real output.

    commands.py list SRC_DIR            one line per command: CHAPTER:LINE<TAB>COMMAND
    commands.py fill SRC_DIR WORK_DIR   insert each command's stdout (WORK_DIR/cmd-N.out,
                                        N counting from 1 in `list` order) under it
    commands.py library SRC_DIR SCENARIOS_DIR
                                        replace the `<!-- scenario-library` marker of
                                        tutorials/course.md with a table of every scenario

A command is a `$ stratus ...` line of a ```console block (a trailing
backslash continues it on the next line). docs/build.sh runs each with the
built binary against the shipped scenarios, so a chapter whose command no
longer runs fails the build, and the output the book shows is that run's.
"""
import pathlib
import re
import sys

MAX_LINES = 25


def blocks(lines, path):
    """(first line index, last line index, command) of each command."""
    out = []
    in_console = False
    pending = None
    for i, line in enumerate(lines):
        s = line.strip()
        if s.startswith("```"):
            if in_console and pending is not None:
                sys.exit(f"{path}:{i + 1}: a command ends with a backslash at the end of its block")
            in_console = not in_console and s[3:].strip().split(",")[0] == "console"
            continue
        if not in_console:
            continue
        if pending is not None:
            pending[2] += " " + s.rstrip("\\").strip()
            if not s.endswith("\\"):
                pending[1] = i
                out.append(tuple(pending))
                pending = None
            continue
        if s.startswith("$ stratus ") or s == "$ stratus":
            cmd = s[2:].rstrip("\\").strip()
            if s.endswith("\\"):
                pending = [i, i, cmd]
            else:
                out.append((i, i, cmd))
    return out


def chapters(src):
    return [md for md in sorted(src.rglob("*.md")) if "generated" not in md.relative_to(src).parts]


def cmd_list(src):
    for md in chapters(src):
        lines = md.read_text(encoding="utf-8").splitlines()
        for first, _, cmd in blocks(lines, md):
            print(f"{md.relative_to(src)}:{first + 1}\t{cmd}")


def cmd_fill(src, work):
    n = 0
    for md in chapters(src):
        lines = md.read_text(encoding="utf-8").splitlines()
        found = blocks(lines, md)
        if not found:
            continue
        inserts = {}
        for _, last, _ in found:
            n += 1
            out = (work / f"cmd-{n}.out").read_text(encoding="utf-8", errors="replace").rstrip("\n")
            out_lines = out.splitlines() if out else []
            if len(out_lines) > MAX_LINES:
                more = len(out_lines) - MAX_LINES
                out_lines = out_lines[:MAX_LINES] + [f"… ({more} more lines)"]
            inserts[last] = out_lines
        new = []
        for i, line in enumerate(lines):
            new.append(line)
            new.extend(inserts.get(i, []))
        md.write_text("\n".join(new) + "\n", encoding="utf-8")


def lesson(path):
    """The first sentence of a scenario's `# Lesson:` header."""
    text = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        s = line.lstrip("#").strip()
        if text or s.lower().startswith("lesson:"):
            if not s:
                break
            text.append(s)
    para = " ".join(text)
    para = re.sub(r"^lesson:\s*", "", para, flags=re.I)
    m = re.match(r"(.+?[.!?])(\s|$)", para)
    return (m.group(1) if m else para).replace("|", "\\|")


def cmd_library(src, scenarios):
    page = src / "tutorials" / "course.md"
    text = page.read_text(encoding="utf-8")
    rows = ["| scenario | lesson |", "| --- | --- |"]
    for sc in sorted(scenarios.glob("*.yaml")):
        rows.append(f"| [`{sc.stem}`](../scenarios/{sc.name}) | {lesson(sc) or '(no `# Lesson:` header)'} |")
    i = text.index("<!-- scenario-library")
    page.write_text(text[:i] + "\n".join(rows) + "\n", encoding="utf-8")


def main():
    mode = sys.argv[1]
    src = pathlib.Path(sys.argv[2])
    if mode == "list":
        cmd_list(src)
    elif mode == "fill":
        cmd_fill(src, pathlib.Path(sys.argv[3]))
    elif mode == "library":
        cmd_library(src, pathlib.Path(sys.argv[3]))
    else:
        sys.exit(f"commands.py: unknown mode {mode}")


if __name__ == "__main__":
    main()
