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
    """The tests of a module's rule names: unit tests of that module's own
    file that name it, and any other test that names it qualified by its
    module (`sqs::MAX_DELAY`) — a bare word elsewhere (`admit`,
    `Capacity`) is some other item."""
    def find(names, module):
        hits = []
        for name, path, body in tests:
            own = path == f"src/aws/{module}.rs"
            pats = [re.escape(n) if own else re.escape(module) + r"::" + re.escape(n) for n in names]
            if any(re.search(r"\b" + p + r"\b", body) for p in pats):
                hits.append(f"`{path.replace('tests/it/', 'it/').replace('.rs', '')}::{name}`")
        return hits
    return find


def anchor(s):
    """The id mdBook gives a `### s` heading."""
    return re.sub(r"[^a-z0-9_ -]", "", s.lower()).replace(" ", "-")


def err_text(d):
    u = d["unit"]
    rel = d.get("relative_error_pct", 0.0)
    return f"{d['error']:+.3g} {u}" + (f" ({rel:+.2f} %)" if d["expected"] else "")


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
    module = path.stem
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
            names = re.findall(r"\[`([A-Za-z_][A-Za-z0-9_:]*)`\]", where) or re.findall(r"`([A-Za-z_][A-Za-z0-9_:]*)", where)
            # `Type::method`: tests that use the type (a method name such as
            # `new` alone would match everything).
            # A qualifier in parentheses right after a name (`[`Capacity`]
            # (`adaptive`)`) tells rows on the same item apart.
            quals = dict(re.findall(r"\[`([A-Za-z_][A-Za-z0-9_:]*)`\]\s*\(`([^`]+)`", where))
            raw = [f"{n}({quals[n]})" if n in quals else n for n in names]
            names = [n.split("::")[0] for n in names]
            citation = next((v for k, v in d.items() if k.startswith("Citation")), "")
            grade = d.get("Grade") or ("GAP" if "GAP" in citation else "HIST" if "HIST" in citation else "DOC")
            rows.append((d.get("Rule", ""), where.replace("[", "").replace("]", ""), citation, grade, find(names, module), raw))
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
                rows.append((first, f"`{m.group(1)}`", ", ".join(f"`{x}`" if not x.startswith("http") else x for x in c[:4]), grade, find([m.group(1)], module), [m.group(1)]))
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
    records = [json.loads(f.read_text(encoding="utf-8")) for f in files]
    measured = [d for d in records if d.get("kind", "measured") == "measured"]
    by_rule = {}
    for d in records:
        for r in d.get("rules", []):
            by_rule.setdefault(r, []).append(d)
    print("| check | expected | measured | error | tolerance |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for d in measured:
        u = d["unit"]
        test = d["test"].split("::")[-1]
        print(
            f"| {cell(d['rule'])}<br>*source:* {cell(d['source'])}<br>*test:* `dossier::{test}` | "
            f"{d['expected']:.4g} {u} | {d['measured']:.4g} {u} | {err_text(d)} | ±{d['tolerance']:.3g} {u} |"
        )
    print()
    # Rules by module.
    print("## Every rule, its source, its tests and its error\n")
    print(
        "Per module of `src/aws/` (AWS's rules as pure functions). *Tests* are the "
        "dossier's checks of the rule (`it/dossier::…`), then the other tests that name "
        "the rule's function or constant: the unit tests of its module (`src/…`) and the "
        "integration tests (`it/…`) that name it with its module (`sqs::MAX_DELAY`). *Error* is what "
        "this build's run of the dossier's checks (`tests/it/dossier.rs`) found: "
        "**exact** where a check compares the rule's value or decision with the figure "
        "AWS documents (a limit, a default, a worked example) and it is equal — an exact "
        "check fails the build otherwise, so its error is zero; a signed error "
        "(measured − expected, with its tolerance) where a whole simulation is measured "
        "against a documented or theoretical figure; **GAP** where AWS documents no "
        "figure and the check is of stratus's parameter. The checks behind each row "
        "are listed under [the checks](#the-checks).\n"
    )
    total = untested = n_exact = n_measured = n_gap = n_none = 0
    for path in sorted((root / "src" / "aws").glob("*.rs")):
        if path.name == "mod.rs":
            continue
        rows = module_rules(path, find)
        if not rows:
            continue
        module = path.stem
        text = path.read_text(encoding="utf-8")
        summary = next((l[3:].strip() for l in text.splitlines() if l.startswith("//!")), "")
        print(f"### `src/aws/{path.name}`\n")
        if summary:
            print(f"{summary}\n")
        print("| rule | where | source | grade | tests | error |")
        print("| --- | --- | --- | --- | --- | --- |")
        for rule, where, citation, grade, hits, raw in rows:
            total += 1
            recs = []
            for n in raw:
                for d in by_rule.get(f"{module}::{n}", []):
                    if d not in recs:
                        recs.append(d)
            # The checks made for the rule first, then the other tests.
            mine = []
            for d in recs:
                t = "`" + d["test"].replace("tests/it/", "it/").replace(".rs", "") + "`"
                if t not in mine:
                    mine.append(t)
            hits = mine + [h for h in hits if h not in mine]
            untested += not hits
            meas = [d for d in recs if d.get("kind") == "measured"]
            ex = [d for d in recs if d.get("kind") == "exact"]
            gap = [d for d in recs if d.get("kind") == "gap"]
            ids = ", ".join(f"[{d['id']}](#{anchor(d['id'])})" for d in recs if d.get("kind") != "measured")
            if meas:
                n_measured += 1
                worst = max(meas, key=lambda d: abs(d.get("relative_error_pct", 0.0)))
                err = err_text(worst) + f" (±{worst['tolerance']:.3g} {worst['unit']})"
            elif ex:
                n_exact += 1
                err = f"**exact** ({ids})"
            elif gap:
                n_gap += 1
                err = f"**GAP** ({ids})"
            else:
                n_none += 1
                err = "not checked"
            print(f"| {cell(rule)} | {cell(where)} | {cell(citation)} | {grade} | {show_tests(hits)} | {err} |")
        print()
    print(f"**{total} rules**: {total - untested} with a test that names them, {untested} without one found by name; "
          f"{n_measured} with a measured error, {n_exact} checked exact against AWS's figure, "
          f"{n_gap} GAP (a parameter, checked as such), {n_none} not checked by the dossier.\n")
    # The exact checks.
    print("## The checks\n")
    print(
        "Every exact check of this build: what AWS documents, where, the value the check "
        "expects and the value the rule gave (both as the test prints them).\n"
    )
    for d in [d for d in records if d.get("kind") in ("exact", "gap")]:
        test = d["test"].replace("tests/it/", "it/").replace(".rs", "")
        print(f"### {d['id']}\n")
        print(f"{d['rule']}. *Source:* {d['source']}. *Test:* `{test}`. "
              f"*Rules:* {', '.join('`' + r + '`' for r in d['rules'])}.\n")
        print(f"- expected: `{d['expected']}`")
        print(f"- measured: `{d['measured']}`" + (" — **equal**" if d.get("passed") else " — **differs**"))
        print()
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
