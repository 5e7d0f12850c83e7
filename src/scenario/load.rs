//! The loader: YAML → positioned tree → variant and `--set` edits → typed
//! scenario → validation (and trace files), with every problem reported as
//! `FILE:LINE:COL: PATH: message`.
//!
//! Where problems point:
//! - in the file: the line and column (in characters, from 1) of the key for an
//!   unknown field, of the value for a bad value or a broken reference, of the
//!   enclosing map for a missing field (the path then names the missing field);
//! - in a `--set PATH=VALUE`: the file is `--set`, the line is which `--set` it
//!   is (1 = the first given), the column counts characters in `PATH=VALUE`, so
//!   `--set:2:26: workloads[clients].rate: …` is the 26th character of the
//!   second `--set`. A bad path points at the step that failed;
//! - values a variant sets keep their real positions in the file (and the
//!   message says which variant when the base scenario itself is fine);
//! - `--variant:1:1: variants: …` for an unknown variant, `--seed:1:1` for
//!   the seed.
//!
//! Loading the base scenario (no `--variant`, no `--set`) also checks that each
//! variant of the file applies cleanly, so `stratus validate` catches broken
//! variants.
//!
//! Every phase that can still be checked is: a typing error in a map entry
//! (an unknown key, a value of the wrong type) is reported, the entry is
//! dropped and typing goes on, so one run reports every unknown key, and
//! then the references and ranges of the rest; problems under a dropped
//! value are not reported (they would be about its default). A missing
//! required field stops there. Warnings (problems that do not stop a run)
//! come back with the scenario from [`load_file_checked`], which also
//! estimates the run's size and refuses an absurd one
//! (`super::estimate`) unless [`Guard::allow_huge`].

use super::de::{DeError, from_node};
use super::diag::{Origin, Pos, did_you_mean};
use super::dist::Rate;
use super::estimate::{self, Estimate};
use super::model::Scenario;
use super::set::{FieldPath, PathError, locate, parse_path, set_at};
use super::tree::{Kind, Node, PosMap, Style, TreeError, parse};
use super::validate::validate;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use super::diag::{Diagnostic, Diagnostics};

/// Options applied while loading.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// `PATH=VALUE` overrides, applied in order after the variant's.
    pub sets: Vec<String>,
    /// Apply this variant's `set` first.
    pub variant: Option<String>,
    /// Override the seed.
    pub seed: Option<u64>,
}

/// What the loader refuses beyond bad input.
#[derive(Clone, Copy, Debug, Default)]
pub struct Guard {
    /// Load a scenario whose estimated events are above
    /// [`estimate::HUGE_EVENTS`] (`--allow-huge`).
    pub allow_huge: bool,
}

/// A loaded scenario, its warnings and its estimated size.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The scenario.
    pub scenario: Scenario,
    /// Problems that do not stop a run, as `FILE:LINE:COL: PATH: message`.
    pub warnings: Vec<Diagnostic>,
    /// The run's estimated events.
    pub estimate: Estimate,
}

/// Load a scenario file (trace files are read relative to its folder).
/// Warnings are dropped and the size guard is off; see [`load_file_checked`].
pub fn load_file(path: &Path, opts: &LoadOptions) -> Result<Scenario, Diagnostics> {
    let guard = Guard { allow_huge: true };
    load_file_checked(path, opts, guard).map(|l| l.scenario)
}

/// Load a scenario file with its warnings and size estimate; refuses a run
/// estimated above [`estimate::HUGE_EVENTS`] events unless
/// `guard.allow_huge`.
pub fn load_file_checked(
    path: &Path,
    opts: &LoadOptions,
    guard: Guard,
) -> Result<Loaded, Diagnostics> {
    let shown = path.display().to_string();
    let src = read_source(path, &shown)?;
    let base = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    load_str_checked(&src, &shown, base, opts, guard)
}

fn read_source(path: &Path, shown: &str) -> Result<String, Diagnostics> {
    let bytes = std::fs::read(path).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::IsADirectory => "this is a folder, not a scenario file".to_string(),
            _ => e.to_string(),
        };
        Diagnostics::one(Diagnostic::at(
            shown,
            Pos::file(1, 1),
            "",
            format!("cannot read the scenario: {why}"),
        ))
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let before = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let text = String::from_utf8_lossy(before);
        let line = text.matches('\n').count() + 1;
        let col = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Diagnostics::one(Diagnostic::at(
            shown,
            Pos::file(line as u32, col as u32),
            "",
            "the file is not valid UTF-8 text",
        ))
    })
}

/// Load a scenario from text; `file` names it in messages, `base_dir` is where
/// trace files are looked up.
pub fn load_str(
    src: &str,
    file: &str,
    base_dir: &Path,
    opts: &LoadOptions,
) -> Result<Scenario, Diagnostics> {
    let guard = Guard { allow_huge: true };
    load_str_checked(src, file, base_dir, opts, guard).map(|l| l.scenario)
}

/// [`load_str`] with warnings and the size guard ([`load_file_checked`]).
pub fn load_str_checked(
    src: &str,
    file: &str,
    base_dir: &Path,
    opts: &LoadOptions,
    guard: Guard,
) -> Result<Loaded, Diagnostics> {
    let base = parse_root(src, file)?;
    let mut traces = TraceCache::default();
    let loaded = build(&base, file, base_dir, opts, &mut traces, guard)?;
    if opts.variant.is_none() && opts.sets.is_empty() {
        // The base is fine: check that every variant applies cleanly too.
        let mut all = Vec::new();
        for name in loaded.scenario.variants.iter().map(|v| v.name.clone()) {
            let o = LoadOptions {
                variant: Some(name.clone()),
                ..opts.clone()
            };
            let any = Guard { allow_huge: true };
            if let Err(d) = build(&base, file, base_dir, &o, &mut traces, any) {
                all.extend(d.0.into_iter().map(|mut x| {
                    x.message = format!("in variant \"{name}\": {}", x.message);
                    x
                }));
            }
        }
        if !all.is_empty() {
            return Err(Diagnostics(dedup(all)));
        }
    }
    Ok(loaded)
}

/// The scenario text `src` with `opts` applied (the variant's `set`, then
/// the `--set`s, then the seed) and written back as YAML (comments and
/// layout are not kept). Checks that the result loads.
pub fn edited_yaml(src: &str, file: &str, opts: &LoadOptions) -> Result<String, Diagnostics> {
    let mut root = parse_root(src, file)?;
    if let Some(v) = &opts.variant {
        apply_variant(&mut root, v, file)?;
    }
    let mut diags = Vec::new();
    for (k, s) in opts.sets.iter().enumerate() {
        if let Err(d) = apply_set(&mut root, s, k + 1, file) {
            diags.push(d);
        }
    }
    if !diags.is_empty() {
        return Err(Diagnostics(diags));
    }
    if let Some(seed) = opts.seed {
        let pos = Pos::new(Origin::Seed, 1, 1);
        let segs = parse_path("seed").expect("a fixed path");
        let value = Node::scalar(seed.to_string(), Style::Plain, pos);
        set_at(&mut root, &segs, value, pos)
            .map_err(|e| Diagnostics::one(Diagnostic::at(file, pos, e.path, e.message)))?;
    }
    Ok(super::emit::to_yaml(&root))
}

/// The names of a scenario file's variants, in file order.
pub fn variant_names(path: &Path) -> Result<Vec<String>, Diagnostics> {
    let shown = path.display().to_string();
    let src = read_source(path, &shown)?;
    variant_names_str(&src, &shown)
}

/// The names of the variants of a scenario given as text.
pub fn variant_names_str(src: &str, file: &str) -> Result<Vec<String>, Diagnostics> {
    let root = parse_root(src, file)?;
    let Some(vs) = root.get("variants") else {
        return Ok(Vec::new());
    };
    match &vs.kind {
        Kind::Seq(items) => {
            let mut names = Vec::new();
            let mut bad = Vec::new();
            for (i, it) in items.iter().enumerate() {
                match it.name() {
                    Some(n) => names.push(n.to_string()),
                    None => bad.push(Diagnostic::at(
                        file,
                        it.pos,
                        format!("variants[{i}]"),
                        "a variant needs a `name`",
                    )),
                }
            }
            if bad.is_empty() {
                Ok(names)
            } else {
                Err(Diagnostics(bad))
            }
        }
        _ if vs.is_null() => Ok(Vec::new()),
        _ => Err(Diagnostics::one(Diagnostic::at(
            file,
            vs.pos,
            "variants",
            format!("expected a list, found {}", vs.describe()),
        ))),
    }
}

/// JSON Schema of the format.
pub fn schema_json() -> String {
    serde_json::to_string_pretty(&schemars::schema_for!(Scenario)).unwrap_or_default()
}

fn tree_diag(file: &str, e: TreeError) -> Diagnostic {
    Diagnostic::at(file, e.pos, "", e.message)
}

fn parse_root(src: &str, file: &str) -> Result<Node, Diagnostics> {
    let root = parse(src, PosMap::file()).map_err(|e| Diagnostics::one(tree_diag(file, e)))?;
    let Some(root) = root else {
        return Err(Diagnostics::one(Diagnostic::at(
            file,
            Pos::file(1, 1),
            "",
            "the scenario is empty: expected a map with at least `name` and `duration`",
        )));
    };
    if !matches!(root.kind, Kind::Map(_)) {
        return Err(Diagnostics::one(Diagnostic::at(
            file,
            root.pos,
            "",
            format!(
                "a scenario is a map (`name: …`, `duration: …`, …), found {}",
                root.describe()
            ),
        )));
    }
    Ok(root)
}

/// Applies the options to a copy of `base`, types and validates it.
fn build(
    base: &Node,
    file: &str,
    base_dir: &Path,
    opts: &LoadOptions,
    traces: &mut TraceCache,
    guard: Guard,
) -> Result<Loaded, Diagnostics> {
    let mut root = base.clone();
    if let Some(v) = &opts.variant {
        apply_variant(&mut root, v, file)?;
    }
    let mut diags = Vec::new();
    for (k, s) in opts.sets.iter().enumerate() {
        if let Err(d) = apply_set(&mut root, s, k + 1, file) {
            diags.push(d);
        }
    }
    if !diags.is_empty() {
        return Err(Diagnostics(diags));
    }
    if let Some(seed) = opts.seed {
        let pos = Pos::new(Origin::Seed, 1, 1);
        let segs = parse_path("seed").expect("a fixed path");
        let value = Node::scalar(seed.to_string(), Style::Plain, pos);
        set_at(&mut root, &segs, value, pos)
            .map_err(|e| Diagnostics::one(Diagnostic::at(file, pos, e.path, e.message)))?;
    }
    let (mut scenario, mut diags, dropped, touched) = type_all(&mut root, file)?;
    name_default_zones(&mut scenario, &root);
    let mut warnings = Vec::new();
    for p in validate(&scenario, &root) {
        let path = p.path.to_string();
        // Nothing about a dropped value's default, or about the make-up of
        // a map an entry was dropped from.
        if dropped.iter().any(|d| is_under(&path, d)) || touched.contains(&path) {
            continue;
        }
        let d = Diagnostic::at(file, locate(&root, &p.path.0).pos, path, p.message);
        if p.warning {
            warnings.push(d);
        } else {
            diags.push(d);
        }
    }
    load_traces(&mut scenario, &root, file, base_dir, traces, &mut diags);
    if !diags.is_empty() {
        return Err(Diagnostics(dedup(diags)));
    }
    let estimate = estimate::estimate(&scenario);
    if !guard.allow_huge
        && let Some((path, message)) = estimate::refusal(&scenario, &estimate)
    {
        let at = locate(&root, &path.0).pos;
        return Err(Diagnostics::one(Diagnostic::at(
            file,
            at,
            path.to_string(),
            message,
        )));
    }
    Ok(Loaded {
        scenario,
        warnings: dedup(warnings),
        estimate,
    })
}

/// Types the tree; after an error in a map entry (an unknown key, a value
/// of the wrong type) drops the entry and types again, so every such error
/// is reported. Returns the scenario typed from what is left, the errors,
/// the paths of the dropped values and of the maps they were dropped from.
/// Stops at an error it cannot drop (a missing field, a bad list item, a
/// bad top level) and at one at or above a map it dropped from (which may
/// be the drop's doing, like a distribution left without its `mean`).
fn type_all(root: &mut Node, file: &str) -> Result<Typed, Diagnostics> {
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut dropped: Vec<String> = Vec::new();
    let mut touched: Vec<String> = Vec::new();
    // Each pass drops one entry; a scenario has far fewer errors than this.
    for _ in 0..200 {
        match from_node::<Scenario>(root) {
            Ok(s) => return Ok((s, diags, dropped, touched)),
            Err(e) => {
                let unknown = e.unknown_field;
                let missing = e.message.starts_with("missing required field");
                let d = de_diag(file, e.clone());
                if (missing && dropped.contains(&d.path))
                    || touched.iter().any(|t| is_under(t, &d.path))
                {
                    // Caused by an earlier drop.
                    break;
                }
                let path = d.path.clone();
                diags.push(d);
                let removed = match e.loc.as_ref().map(|l| l.0) {
                    Some(pos) if !missing => drop_entry(root, pos, unknown),
                    _ => false,
                };
                if !removed {
                    break;
                }
                touched.push(parent_path(&path).to_string());
                if !unknown {
                    dropped.push(path);
                }
            }
        }
    }
    Err(Diagnostics(dedup(diags)))
}

/// A typed scenario, its typing errors, the dropped values' paths and the
/// paths of the maps they were dropped from ([`type_all`]).
type Typed = (Scenario, Vec<Diagnostic>, Vec<String>, Vec<String>);

/// The path of the map or list holding `p` (`a.b[c].d` → `a.b[c]`).
fn parent_path(p: &str) -> &str {
    let mut depth = 0usize;
    let mut cut = 0;
    for (i, ch) in p.char_indices() {
        match ch {
            '[' => {
                if depth == 0 {
                    cut = i;
                }
                depth += 1;
            }
            ']' => depth = depth.saturating_sub(1),
            '.' if depth == 0 => cut = i,
            _ => {}
        }
    }
    &p[..cut]
}

/// Removes the map entry whose key (`key`) or value is at `pos`, the
/// outermost one first; false if there is none.
fn drop_entry(node: &mut Node, pos: Pos, key: bool) -> bool {
    match &mut node.kind {
        Kind::Map(entries) => {
            if let Some(i) = entries
                .iter()
                .position(|(k, v)| if key { k.pos == pos } else { v.pos == pos })
            {
                entries.remove(i);
                return true;
            }
            entries.iter_mut().any(|(_, v)| drop_entry(v, pos, key))
        }
        Kind::Seq(items) => items.iter_mut().any(|v| drop_entry(v, pos, key)),
        Kind::Scalar(_) => false,
    }
}

/// Whether field path `p` is `under` or inside it.
fn is_under(p: &str, under: &str) -> bool {
    p == under
        || (p.starts_with(under) && matches!(p.as_bytes().get(under.len()), Some(b'.' | b'[')))
}

/// A group that names no zones gets its region's `a` zone (`us-east-1a`
/// in the default region).
fn name_default_zones(s: &mut Scenario, root: &Node) {
    let Some(Kind::Seq(items)) = root.get("auto_scaling_groups").map(|n| &n.kind) else {
        return;
    };
    for (g, item) in s.auto_scaling_groups.iter_mut().zip(items) {
        if item.get("availability_zones").is_none() {
            g.availability_zones = vec![format!("{}a", s.region)];
        }
    }
}

fn de_diag(file: &str, e: DeError) -> Diagnostic {
    let (pos, path) = e.loc.clone().unwrap_or((Pos::file(1, 1), String::new()));
    Diagnostic::at(file, pos, path, e.message)
}

/// Sorts by position (file first, then command-line values) and drops repeats.
fn dedup(mut v: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = std::collections::HashSet::new();
    v.retain(|d| seen.insert(d.to_string()));
    v.sort_by_key(|d| (d.file.starts_with("--"), d.file.clone(), d.line, d.col));
    v
}

fn apply_variant(root: &mut Node, name: &str, file: &str) -> Result<(), Diagnostics> {
    let cli = Pos::new(Origin::Variant, 1, 1);
    let items: &[Node] = match root.get("variants").map(|v| &v.kind) {
        Some(Kind::Seq(items)) => items,
        _ => &[],
    };
    let names: Vec<&str> = items.iter().filter_map(Node::name).collect();
    let Some(variant) = items.iter().find(|it| it.name() == Some(name)) else {
        let hint = match did_you_mean(name, names.iter()) {
            Some(s) => format!(" (did you mean \"{s}\"?)"),
            None if names.is_empty() => " (the scenario has no variants)".to_string(),
            None => format!(
                " (the variants are {})",
                names
                    .iter()
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        return Err(Diagnostics::one(Diagnostic::at(
            file,
            cli,
            "variants",
            format!("no variant named \"{name}\"{hint}"),
        )));
    };
    let vpath = format!("variants[{name}].set");
    let sets: Vec<(super::tree::Key, Node)> = match variant.get("set") {
        None => Vec::new(),
        Some(n) => match &n.kind {
            Kind::Map(e) => e.clone(),
            _ if n.is_null() => Vec::new(),
            _ => {
                return Err(Diagnostics::one(Diagnostic::at(
                    file,
                    n.pos,
                    vpath,
                    format!("expected a map of `path: value`, found {}", n.describe()),
                )));
            }
        },
    };
    let mut diags = Vec::new();
    for (key, value) in sets {
        let at = |e: PathError| {
            let pos = Pos {
                col: key.pos.col + e.col as u32,
                ..key.pos
            };
            let path = if e.path.is_empty() {
                format!("{vpath}.{}", key.text)
            } else {
                e.path
            };
            Diagnostic::at(file, pos, path, e.message)
        };
        match parse_path(&key.text) {
            Err(e) => diags.push(at(e)),
            Ok(segs) => {
                if let Err(e) = set_at(root, &segs, value, key.pos) {
                    diags.push(at(e));
                }
            }
        }
    }
    if diags.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(diags))
    }
}

/// Applies one `--set PATH=VALUE` (the `ordinal`-th, from 1).
fn apply_set(root: &mut Node, arg: &str, ordinal: usize, file: &str) -> Result<(), Diagnostic> {
    let line = ordinal as u32;
    let at = |col: usize| Pos::new(Origin::Set, line, col as u32 + 1);
    // Split at the first `=` outside brackets (names may hold `=` inside `[...]`).
    let mut depth = 0usize;
    let mut split = None;
    for (ci, (bi, ch)) in arg.char_indices().enumerate() {
        match ch {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '=' if depth == 0 => {
                split = Some((bi, ci));
                break;
            }
            _ => {}
        }
    }
    // An unclosed `[` hides every `=`: then split at the first one (the path is reported).
    let split = split.or_else(|| arg.find('=').map(|bi| (bi, arg[..bi].chars().count())));
    let Some((bi, ci)) = split else {
        return Err(Diagnostic::at(
            file,
            at(0),
            "",
            format!("expected PATH=VALUE, like `auto_scaling_groups[web].max=40`, found `{arg}`"),
        ));
    };
    let (path_text, value_text) = (&arg[..bi], &arg[bi + 1..]);
    let segs =
        parse_path(path_text).map_err(|e| Diagnostic::at(file, at(e.col), e.path, e.message))?;
    let shown = FieldPath(segs.iter().map(|s| s.seg.clone()).collect()).to_string();
    let pm = PosMap {
        origin: Origin::Set,
        fixed_line: Some(line),
        col_offset: ci as u32 + 1,
    };
    let value = match parse(value_text, pm) {
        Ok(Some(v)) => v,
        Ok(None) => Node::scalar("~", Style::Plain, at(ci + 1)),
        Err(e) => return Err(Diagnostic::at(file, e.pos, shown, e.message)),
    };
    set_at(root, &segs, value, at(0))
        .map_err(|e| Diagnostic::at(file, at(e.col), e.path, e.message))
}

// ------------------------------------------------------------------ traces

#[derive(Default)]
struct TraceCache(HashMap<PathBuf, Result<Vec<(f64, f64)>, String>>);

fn load_traces(
    s: &mut Scenario,
    root: &Node,
    file: &str,
    base_dir: &Path,
    cache: &mut TraceCache,
    diags: &mut Vec<Diagnostic>,
) {
    for (i, w) in s.workloads.iter_mut().enumerate() {
        if let Rate::Trace {
            file: tf, points, ..
        } = &mut w.rate
        {
            let p = FieldPath::root()
                .key("workloads")
                .item(Some(&w.name), i)
                .key("rate")
                .key("file");
            let full = base_dir.join(&*tf);
            let r = cache
                .0
                .entry(full.clone())
                .or_insert_with(|| read_trace(&full, tf));
            match r {
                Ok(v) => *points = v.clone(),
                Err(m) => diags.push(Diagnostic::at(
                    file,
                    locate(root, &p.0).pos,
                    p.to_string(),
                    m.clone(),
                )),
            }
        }
    }
}

/// Reads a `t_s,rps` CSV into sorted points.
fn read_trace(full: &Path, shown: &str) -> Result<Vec<(f64, f64)>, String> {
    let bytes = std::fs::read(full).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            _ => e.to_string(),
        };
        format!(
            "cannot read trace file \"{shown}\" (looked for {}): {why}",
            full.display()
        )
    })?;
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .flexible(true)
        .from_reader(bytes.as_slice());
    let head = rdr
        .headers()
        .map_err(|e| format!("trace file \"{shown}\": {e}"))?
        .iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
    if head != ["t_s", "rps"] {
        return Err(format!(
            "trace file \"{shown}\" must start with the header `t_s,rps`, found `{}`",
            head.join(",")
        ));
    }
    let mut out: Vec<(f64, f64)> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| format!("trace file \"{shown}\": {e}"))?;
        let line = rec.position().map_or(0, |p| p.line());
        let here = format!("trace file \"{shown}\" line {line}");
        if rec.len() != 2 {
            return Err(format!(
                "{here}: expected 2 columns (t_s,rps), found {}",
                rec.len()
            ));
        }
        let num = |i: usize, what: &str| -> Result<f64, String> {
            let t = &rec[i];
            match t.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
                _ => Err(format!(
                    "{here}: {what} must be a number ≥ 0, found \"{t}\""
                )),
            }
        };
        let t = num(0, "t_s")?;
        let r = num(1, "rps")?;
        if let Some(&(prev, _)) = out.last()
            && t <= prev
        {
            return Err(format!(
                "{here}: t_s must increase from row to row ({t} comes after {prev})"
            ));
        }
        out.push((t, r));
    }
    if out.is_empty() {
        return Err(format!("trace file \"{shown}\" has no rows"));
    }
    Ok(out)
}
