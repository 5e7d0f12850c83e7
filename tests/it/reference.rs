//! The book's generated reference (`stratus reference`, src/report/reference.rs)
//! against what it describes: every field of the JSON Schema, every
//! subcommand and option of the command line, every summary key, metric
//! name and activity kind that the shipped scenarios' runs write.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use stratus::report::reference;
use stratus::scenario::{Guard, LoadOptions, load_file_checked};

/// The text of `## {name}` up to the next `## ` heading.
fn section<'a>(page: &'a str, heading: &str) -> Option<&'a str> {
    let start = page.find(&format!("\n## {heading}\n"))? + 1;
    let rest = &page[start + 3..];
    let end = rest
        .find("\n## ")
        .map(|i| i + start + 3)
        .unwrap_or(page.len());
    Some(&page[start..end])
}

fn props(v: &serde_json::Value) -> Vec<String> {
    v.get("properties")
        .and_then(|p| p.as_object())
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn scenario_format_covers_every_schema_field() {
    let page = reference::scenario_format();
    let schema: serde_json::Value =
        serde_json::from_str(&stratus::scenario::schema_json()).unwrap();
    let mut missing = Vec::new();
    let mut fields = 0;
    let top = section(&page, "Scenario (the top level)").expect("top-level section");
    for p in props(&schema) {
        fields += 1;
        if !top.contains(&format!("| `{p}`")) {
            missing.push(format!("Scenario.{p}"));
        }
    }
    let defs = schema["$defs"].as_object().unwrap();
    for (name, def) in defs {
        let Some(sec) = section(&page, name) else {
            missing.push(format!("{name} (no section)"));
            continue;
        };
        // Object types, and the object forms of tagged or untagged unions.
        let mut shapes = vec![def.clone()];
        for key in ["oneOf", "anyOf"] {
            if let Some(a) = def.get(key).and_then(|a| a.as_array()) {
                shapes.extend(a.iter().cloned());
            }
        }
        for shape in shapes {
            for p in props(&shape) {
                fields += 1;
                if !sec.contains(&format!("| `{p}`")) {
                    missing.push(format!("{name}.{p}"));
                }
            }
        }
        // Enumerations: every value.
        if let Some(vals) = def.get("enum").and_then(|e| e.as_array()) {
            for v in vals {
                let v = v.as_str().unwrap_or_default();
                if !sec.contains(&format!("`{v}`")) {
                    missing.push(format!("{name} = {v}"));
                }
            }
        }
        for key in ["oneOf", "anyOf"] {
            for alt in def
                .get(key)
                .and_then(|a| a.as_array())
                .into_iter()
                .flatten()
            {
                for c in alt
                    .get("enum")
                    .and_then(|e| e.as_array())
                    .into_iter()
                    .flatten()
                {
                    let c = c.as_str().unwrap_or_default();
                    if !sec.contains(&format!("`{c}`")) {
                        missing.push(format!("{name} = {c}"));
                    }
                }
                if let Some(c) = alt.get("const").and_then(|c| c.as_str())
                    && !sec.contains(&format!("`{c}`"))
                {
                    missing.push(format!("{name} = {c}"));
                }
            }
        }
    }
    assert!(
        fields > 200,
        "the schema has only {fields} fields: is it read?"
    );
    assert!(
        missing.is_empty(),
        "the scenario format reference lacks {} schema fields or values: {missing:?}",
        missing.len()
    );
    // Every link to a type points at a section that exists.
    for (i, _) in page.match_indices("](#") {
        let rest = &page[i + 3..];
        let anchor = &rest[..rest.find(')').unwrap()];
        let heading = defs.keys().find(|k| k.to_lowercase() == anchor);
        assert!(heading.is_some(), "a link to #{anchor}, which is no type");
    }
}

/// The (type, field) pairs of the schema: the top level as `Scenario`,
/// each definition's fields and those of its object forms.
fn schema_fields(schema: &serde_json::Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = props(schema)
        .into_iter()
        .map(|p| ("Scenario".to_string(), p))
        .collect();
    for (name, def) in schema["$defs"].as_object().unwrap() {
        let mut shapes = vec![def.clone()];
        for key in ["oneOf", "anyOf"] {
            if let Some(a) = def.get(key).and_then(|a| a.as_array()) {
                shapes.extend(a.iter().cloned());
            }
        }
        for shape in shapes {
            for p in props(&shape) {
                if !out.contains(&(name.clone(), p.clone())) {
                    out.push((name.clone(), p));
                }
            }
        }
    }
    out
}

#[test]
fn every_schema_field_has_an_example() {
    let schema: serde_json::Value =
        serde_json::from_str(&stratus::scenario::schema_json()).unwrap();
    let examples = reference::examples();
    let page = reference::scenario_format();
    let fields = schema_fields(&schema);
    let mut missing = Vec::new();
    let mut from_lessons = 0;
    for (ty, field) in &fields {
        match examples.get(&(ty.clone(), field.clone())) {
            Some((snippet, file)) if snippet.starts_with(&format!("{field}: ")) => {
                from_lessons += usize::from(!file.is_empty());
                // The page shows it in the field's row.
                let heading = if ty == "Scenario" {
                    "Scenario (the top level)"
                } else {
                    ty
                };
                let sec = section(&page, heading).unwrap_or_default();
                let shown = sec.lines().any(|l| {
                    l.trim_start().starts_with(&format!("| `{field}`"))
                        && l.contains(&format!("`{}`", snippet.replace('|', "\\|")))
                });
                if !shown {
                    missing.push(format!("{ty}.{field} (example not in its row)"));
                }
            }
            Some((snippet, _)) => missing.push(format!(
                "{ty}.{field} (example `{snippet}` is not `{field}: …`)"
            )),
            None => missing.push(format!("{ty}.{field}")),
        }
    }
    assert!(
        fields.len() > 200,
        "only {} fields: is the schema read?",
        fields.len()
    );
    assert!(
        missing.is_empty(),
        "{} of {} schema fields have no example (a shipped lesson that uses the field, or `#[schemars(example = …)]`): {missing:?}",
        missing.len(),
        fields.len()
    );
    // Most come from the lessons; the rest are the schema's own.
    assert!(
        from_lessons * 2 > fields.len(),
        "{from_lessons} of {} from the lessons",
        fields.len()
    );
}

#[test]
fn aws_defaults_are_split_out_of_the_descriptions() {
    let (aws, rest) = reference::aws_default(
        "Cooldown after a simple scaling activity (default 300s). AWS default: `300s` (ASG:ec2-auto-scaling-scaling-cooldowns). Applies to simple policies.",
    );
    assert_eq!(aws, "`300s` (ASG:ec2-auto-scaling-scaling-cooldowns)");
    assert_eq!(
        rest,
        "Cooldown after a simple scaling activity (default 300s). Applies to simple policies."
    );
    let (aws, rest) =
        reference::aws_default("Threshold ratio 0.9. AWS default: 0.9 × target (AAS:x).");
    assert_eq!(
        (aws.as_str(), rest.as_str()),
        ("0.9 × target (AAS:x)", "Threshold ratio 0.9.")
    );
    // The page shows a column of them, filled for the fields AWS documents.
    let page = reference::scenario_format();
    let filled = page
        .lines()
        .filter(|l| l.starts_with("| `") || l.starts_with("  | `"))
        .filter(|l| {
            let cells: Vec<&str> = l.split(" | ").collect();
            cells.len() > 3 && !cells[3].trim().is_empty()
        })
        .count();
    assert!(filled >= 40, "only {filled} fields show AWS's default");
}

#[test]
fn cli_reference_covers_every_command_and_option() {
    use clap::CommandFactory;
    let page = reference::cli();
    let cli = stratus::cli::Cli::command();
    let mut missing = Vec::new();
    let mut options = 0;
    for sub in cli.get_subcommands() {
        let name = sub.get_name();
        if !page.contains(&format!("## `stratus {name}`")) {
            missing.push(format!("stratus {name}"));
        }
        for arg in sub.get_arguments() {
            if let Some(long) = arg.get_long() {
                options += 1;
                if !page.contains(&format!("`--{long}")) {
                    missing.push(format!("stratus {name} --{long}"));
                }
            }
        }
    }
    assert!(options > 40, "only {options} options found");
    assert!(missing.is_empty(), "the CLI reference lacks {missing:?}");
    assert!(page.contains("## `stratus reference`"));
}

/// Dotted keys of a JSON value, with each resource map's names replaced by
/// the placeholder the reference uses.
fn flat(v: &serde_json::Value, prefix: &str, out: &mut BTreeSet<String>) {
    const MAPS: [(&str, &str); 8] = [
        ("auto_scaling_groups", "<group>"),
        ("load_balancers", "<lb>"),
        ("queues", "<queue>"),
        ("tables", "<table>"),
        ("functions", "<function>"),
        ("apis", "<api>"),
        ("topics", "<topic>"),
        ("streams", "<stream>"),
    ];
    let Some(m) = v.as_object() else {
        out.insert(prefix.trim_end_matches('.').to_string());
        return;
    };
    for (k, v) in m {
        if let Some((_, ph)) = MAPS.iter().find(|(n, _)| prefix.is_empty() && n == k) {
            for (_, r) in v.as_object().into_iter().flatten() {
                flat(r, &format!("{k}.{ph}."), out);
            }
        } else if k == "cloudwatch" && prefix.starts_with("load_balancers.") {
            out.insert(format!("{prefix}cloudwatch.<metric>"));
        } else {
            flat(v, &format!("{prefix}{k}."), out);
        }
    }
}

/// Runs every shipped scenario, shortened to 20 minutes where it is longer
/// (keys and names do not depend on the length; a scenario whose faults or
/// actions come later is run as it is, if it is no longer than 2 h).
fn shipped_runs() -> Vec<(String, stratus::run::RunResult)> {
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    for f in files {
        let short = LoadOptions {
            sets: vec!["duration=20m".into()],
            ..Default::default()
        };
        let guard = Guard { allow_huge: false };
        let sc = match load_file_checked(&f, &short, guard) {
            Ok(l) => l.scenario,
            Err(_) => match load_file_checked(&f, &LoadOptions::default(), guard) {
                Ok(l) if l.scenario.duration.as_secs_f64() <= 7200.0 => l.scenario,
                _ => continue,
            },
        };
        let r = stratus::run::simulate(&sc, None, &mut |_| {});
        out.push((f.display().to_string(), r));
    }
    assert!(out.len() >= 25, "only {} scenarios ran", out.len());
    // Outputs that only a variant writes (its base has no such resource).
    const VARIANT_ONLY: &[(&str, &str)] = &[(
        "scenarios/lambda-cold-starts.yaml",
        "auto-scaled-provisioned",
    )];
    for &(f, v) in VARIANT_ONLY {
        let opts = LoadOptions {
            variant: Some(v.into()),
            sets: vec!["duration=20m".into()],
            ..Default::default()
        };
        let sc = load_file_checked(std::path::Path::new(f), &opts, Guard { allow_huge: false })
            .unwrap_or_else(|d| panic!("{d}"))
            .scenario;
        let r = stratus::run::simulate(&sc, Some(v), &mut |_| {});
        out.push((format!("{f} --variant {v}"), r));
    }
    out
}

#[test]
fn outputs_reference_covers_what_runs_write() {
    let runs = shipped_runs();
    let documented_keys = reference::summary_keys();
    let documented_metrics: BTreeMap<&str, _> =
        reference::METRICS.iter().map(|m| (m.0, m)).collect();
    let documented_kinds: BTreeSet<&str> = reference::ACTIVITY_KINDS.iter().map(|k| k.0).collect();
    let mut keys = BTreeSet::new();
    let mut undocumented = BTreeSet::new();
    for (file, r) in &runs {
        let v = serde_json::to_value(&r.summary).unwrap();
        flat(&v, "", &mut keys);
        for (name, bytes) in stratus::report::output::run_files(r) {
            if name != "metrics.csv" {
                continue;
            }
            let text = String::from_utf8(bytes).unwrap();
            for line in text.lines().skip(1) {
                let metric = line.split(',').nth(2).unwrap_or_default();
                if !documented_metrics.contains_key(metric) {
                    undocumented.insert(format!("metric {metric} (in {file})"));
                }
            }
        }
        for a in &r.activities {
            if !documented_kinds.contains(a.what.kind()) {
                undocumented.insert(format!("activity kind {} (in {file})", a.what.kind()));
            }
        }
    }
    for k in &keys {
        if !documented_keys.contains_key(k.as_str()) {
            undocumented.insert(format!("summary key {k}"));
        }
    }
    assert!(
        undocumented.is_empty(),
        "stratus writes what src/report/reference.rs does not describe: {undocumented:?}"
    );
    // And the reference describes nothing the runs do not write (summary
    // keys: every run writes the same shape).
    let never: Vec<_> = documented_keys
        .keys()
        .filter(|k| !keys.contains(**k))
        .collect();
    assert!(never.is_empty(), "documented but never written: {never:?}");
    // Every producible metric (what alarms may use) is described.
    for (m, _) in stratus::aws::cloudwatch::PRODUCIBLE_METRICS {
        assert!(
            documented_metrics.contains_key(m),
            "PRODUCIBLE_METRICS has {m}, which the outputs reference does not describe"
        );
    }
}

#[test]
fn activity_kinds_match_the_code() {
    // Every `kind` string `Act::kind` can return, read from the source, is
    // described, and every described kind is one of them.
    let src = std::fs::read_to_string("src/report/activity.rs").unwrap();
    let start = src.find("pub fn kind(&self)").expect("Act::kind");
    let body = &src[start..start + src[start..].find("\n    }\n").unwrap()];
    let code: BTreeSet<&str> = body
        .split("=> \"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    let documented: BTreeSet<&str> = reference::ACTIVITY_KINDS.iter().map(|k| k.0).collect();
    assert!(code.len() >= 15, "read {code:?}");
    assert_eq!(code, documented, "Act::kind and the reference differ");
}

#[test]
fn documented_metric_names_are_the_codes() {
    // A described metric name is written somewhere in src/ (outside the
    // reference itself): the reference invents none.
    let mut text = String::new();
    let mut stack = vec![Path::new("src").to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") && !p.ends_with("reference.rs") {
                text.push_str(&std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    for (m, ..) in reference::METRICS {
        let bare = m.trim_end_matches("_p50").trim_end_matches("_p99");
        assert!(
            text.contains(&format!("\"{m}\"")) || text.contains(&format!("\"{bare}")),
            "{m} is described but appears nowhere in src/"
        );
    }
}

#[test]
fn reference_command_writes_the_pages() {
    let dir = crate::util::TempDir::new("reference");
    let out = dir.join("ref");
    assert_cmd::Command::cargo_bin("stratus")
        .unwrap()
        .args(["reference", "--out"])
        .arg(&out)
        .assert()
        .success();
    for (name, text) in reference::pages() {
        let written = std::fs::read_to_string(out.join(name)).unwrap();
        assert_eq!(written, text, "{name}");
    }
}

/// The README is the front door: short, its five-line scenario valid, its
/// links to files of the repository alive.
#[test]
fn readme_is_short_and_its_scenario_and_links_hold() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let lines = readme.lines().count();
    assert!(
        lines <= 220,
        "README.md has {lines} lines: keep it a front door (the book has the rest)"
    );
    let at = readme
        .find("## A scenario in five lines")
        .expect("README: the five-line scenario section");
    let start = at + readme[at..].find("```yaml\n").expect("its yaml block") + 8;
    let yaml = &readme[start..start + readme[start..].find("```").unwrap()];
    assert!(yaml.lines().count() <= 5, "{yaml}");
    let loaded = stratus::scenario::load_str_checked(
        yaml,
        "README.md",
        Path::new("."),
        &LoadOptions::default(),
        Guard { allow_huge: false },
    );
    assert!(
        loaded.is_ok(),
        "the README's scenario: {:?}",
        loaded.err().map(|d| d.to_string())
    );
    let mut broken = Vec::new();
    for (i, _) in readme.match_indices("](") {
        let rest = &readme[i + 2..];
        let target = &rest[..rest.find(')').unwrap()];
        if target.starts_with("http") || target.starts_with('#') {
            continue;
        }
        let path = target.split('#').next().unwrap();
        if !Path::new(path).exists() {
            broken.push(target.to_string());
        }
    }
    assert!(
        broken.is_empty(),
        "README links to missing files: {broken:?}"
    );
}
