#!/usr/bin/env python3
"""Render the fidelity dossier (docs/src/background/fidelity.md) from
the code and the test suite's results.

    dossier.py REPO_ROOT > fidelity.md

- Measured checks: target/dossier/*.json, written by tests/it/dossier.rs
  during `cargo test` (expected figure from theory or AWS's documentation,
  the measured figure, the error, the tolerance the test asserts).
- Rules: every AWS rule of src/aws/*.rs — the rows of a module's
  `//! | Rule | Where | Citation |` table where it has one, else every
  public item whose doc comment cites a source key (`ASG:…`, `CW:…`,
  `DDB:…`, `SQS:…`, `BOTO:…`, `API-…`, `HIST-…`, a worked example `WE-nn`).
  For each, the tests that name the function or constant (tests/it/ and the
  unit tests of src/), found by reading them.
- Worked examples: every `WE-nn` cited in src/aws/ and the tests that cite it.
Nothing here is typed by hand: a rule added to src/aws/ with its citation
appears here, and one without a test says so.
"""
import json
import pathlib
import re
import sys

CITE = re.compile(r"`((?:API-|HIST-)?[A-Z][A-Z0-9]*(?:@[0-9a-f]+)?:[^`\s]+)`|\b(WE-\d+)\b|https://[^\s`)>]+")
ITEM = re.compile(r"^pub (?:const|fn|struct|enum|static) ([A-Za-z_][A-Za-z0-9_]*)", re.M)


def tests_of(root):
    """(name, path, body) of every test function."""
    out = []
    files = sorted((root / "tests" / "it").glob("*.rs")) + sorted((root / "src").rglob("*.rs"))
    for f in files:
        text = f.read_text(encoding="utf-8")
        if f.parts[-3:-1] != ("tests", "it"):
            i = text.find("#[cfg(test)]")
            if i < 0:
                continue
            text = text[i:]
        starts = [m for m in re.finditer(r"#\[test\][^\n]*\n(?:\s*#\[[^\n]*\n)*\s*(?:pub )?fn ([a-z0-9_]+)", text)]
        # proptest! { fn name(...) } bodies count too.
        starts += [m for m in re.finditer(r"\n\s+fn ([a-z0-9_]+)\([^)]*\bin\b", text)]
        starts.sort(key=lambda m: m.start())
        for k, m in enumerate(starts):
            end = starts[k + 1].start() if k + 1 < len(starts) else len(text)
            out.append((m.group(1), str(f.relative_to(root)), text[m.start():end]))
    return out


def finder(tests):
    def find(names):
        hits = []
        for name, path, body in tests:
            if any(re.search(r"\b" + re.escape(n) + r"\b", body) for n in names):
                hits.append(f"`{path.replace('tests/it/', 'it/').replace('.rs', '')}::{name}`")
        return hits
    return find


def cell(s):
    return s.replace("|", "\\|").replace("\n", " ").strip()


def show_tests(hits):
    if not hits:
        return "**none found**"
    more = f" and {len(hits) - 3} more" if len(hits) > 3 else ""
    return ", ".join(hits[:3]) + more


def cites(text):
    out = []
    for m in CITE.finditer(text):
        c = m.group(1) or m.group(2) or m.group(0)
        if c not in out:
            out.append(c)
    return out


def module_rules(path, find):
    text = path.read_text(encoding="utf-8")
    head = [l[3:].strip() if l.startswith("//! ") else l[3:].strip() for l in text.splitlines() if l.startswith("//!")]
    table = [l for l in head if l.startswith("|")]
    rows = []
    if len(table) > 2:
        cols = [c.strip() for c in table[0].strip("|").split("|")]
        for line in table[2:]:
            cells = [c.strip() for c in line.strip("|").split("|")]
            d = dict(zip(cols, cells))
            where = d.get("Where", "")
            names = re.findall(r"\[`([A-Za-z_][A-Za-z0-9_:]*)`\]", where) or re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)", where)
            # `Type::method`: tests that use the type (a method name such as
            # `new` alone would match everything).
            names = [n.split("::")[0] for n in names]
            citation = next((v for k, v in d.items() if k.startswith("Citation")), "")
            grade = d.get("Grade") or ("GAP" if "GAP" in citation else "HIST" if "HIST" in citation else "DOC")
            rows.append((d.get("Rule", ""), where.replace("[", "").replace("]", ""), citation, grade, find(names)))
        return rows
    # No table: each public item whose doc comment cites a source.
    lines = text.split("\n")
    cut = text.find("#[cfg(test)]")
    doc = []
    for i, line in enumerate(lines):
        s = line.strip()
        if cut >= 0 and sum(len(l) + 1 for l in lines[:i]) >= cut:
            break
        if s.startswith("///"):
            doc.append(s[3:].strip())
            continue
        if s.startswith("#["):
            continue
        m = ITEM.match(s)
        if m and doc:
            d = " ".join(doc)
            c = cites(d)
            if c:
                first = re.split(r"(?<=\.)\s", d, maxsplit=1)[0]
                grade = "GAP" if re.search(r"\bGAP\b|undocumented|not documented", d) else ("HIST" if "HIST-" in d else "DOC")
                rows.append((first, f"`{m.group(1)}`", ", ".join(f"`{x}`" if not x.startswith("http") else x for x in c[:4]), grade, find([m.group(1)])))
        doc = []
    return rows


def main():
    root = pathlib.Path(sys.argv[1])
    tests = tests_of(root)
    find = finder(tests)
    print("# Fidelity dossier\n")
    print(
        "How close stratus is to AWS, rule by rule. **Generated** by `docs/build.sh` "
        "(`docs/tools/dossier.py`) from the code and from this build's run of the test "
        "suite — nothing on this page is typed by hand. Sources are the citation keys "
        "of the project's research notes (`ASG:<page>` a page of the EC2 Auto Scaling "
        "User Guide, `CW:` CloudWatch, `DDB:` DynamoDB, `SQS:`, `ELB:`, `API-…:` an API "
        "reference, `HIST-…@commit` an earlier version of a guide, `BOTO:` botocore's "
        "source) or the AWS page itself; `WE-nn` is a worked example, a figure derived "
        "from the documentation and checked by a test. Grades: **DOC** documented, "
        "**HIST** documented once and since removed, **GAP** not documented — a model "
        "or a parameter ([what is not modelled](not-modelled.md)).\n"
    )
    # Measured checks.
    print("## Measured against theory and AWS's figures\n")
    print(
        "Each check runs a whole simulation of a scenario written in the test, so that "
        "the expected figure follows from theory or from AWS's documentation alone, "
        "and asserts the tolerance; the measured figure is this build's.\n"
    )
    files = sorted((root / "target" / "dossier").glob("*.json"))
    if not files:
        sys.exit("dossier.py: no target/dossier/*.json: run `cargo test --test it dossier` first")
    print("| check | expected | measured | error | tolerance |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for f in files:
        d = json.loads(f.read_text(encoding="utf-8"))
        u = d["unit"]
        err = d["error"]
        rel = d.get("relative_error_pct", 0.0)
        err_s = f"{err:+.3g} {u}" + (f" ({rel:+.2f} %)" if d["expected"] else "")
        test = d["test"].split("::")[-1]
        print(
            f"| {cell(d['rule'])}<br>*source:* {cell(d['source'])}<br>*test:* `dossier::{test}` | "
            f"{d['expected']:.4g} {u} | {d['measured']:.4g} {u} | {err_s} | ±{d['tolerance']:.3g} {u} |"
        )
    print()
    # Rules by module.
    print("## Every rule, its source and its tests\n")
    print(
        "Per module of `src/aws/` (AWS's rules as pure functions). *Tests* are the test "
        "functions that name the rule's function or constant — through a whole run "
        "(`it/…`, the integration tests) or as a unit test (`src/…`).\n"
    )
    total = untested = 0
    for path in sorted((root / "src" / "aws").glob("*.rs")):
        if path.name == "mod.rs":
            continue
        rows = module_rules(path, find)
        if not rows:
            continue
        text = path.read_text(encoding="utf-8")
        summary = next((l[3:].strip() for l in text.splitlines() if l.startswith("//!")), "")
        print(f"### `src/aws/{path.name}`\n")
        if summary:
            print(f"{summary}\n")
        print("| rule | where | source | grade | tests |")
        print("| --- | --- | --- | --- | --- |")
        for rule, where, citation, grade, hits in rows:
            total += 1
            untested += not hits
            print(f"| {cell(rule)} | {cell(where)} | {cell(citation)} | {grade} | {show_tests(hits)} |")
        print()
    print(f"{total} rules; {total - untested} with a test that names them, {untested} without one found by name "
          "(a rule may still be covered by a test of the function that calls it).\n")
    # Worked examples.
    print("## Worked examples\n")
    we = {}
    for path in sorted((root / "src" / "aws").glob("*.rs")):
        for m in re.finditer(r"\bWE-(\d+)\b", path.read_text(encoding="utf-8")):
            we.setdefault(int(m.group(1)), set()).add(path.name)
    print("| example | cited in | tests that cite it |")
    print("| --- | --- | --- |")
    for n in sorted(we):
        hits = [f"`{p.replace('tests/it/', 'it/').replace('.rs', '')}::{name}`" for name, p, body in tests
                if re.search(rf"\bWE-0*{n}\b|\bwe_?0*{n}_", body, re.I)]
        print(f"| WE-{n:02d} | {', '.join('`' + f + '`' for f in sorted(we[n]))} | {show_tests(hits)} |")
    print()
    print("## What is not modelled\n")
    print("See [What is not modelled, and why](not-modelled.md).")


if __name__ == "__main__":
    main()
