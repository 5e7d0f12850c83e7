//! Diagnostics: one problem per line, `FILE:LINE:COL: PATH: message`.
//!
//! Positions come from a [`Pos`], which remembers where a value came from: the
//! scenario file, a `--set` argument, `--variant` or `--seed` (see the module
//! docs of `load.rs` for how those pseudo-locations read).

use std::fmt;

/// Where a node (or a problem) comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub(crate) enum Origin {
    /// The scenario file.
    #[default]
    File,
    /// A `--set PATH=VALUE` argument; the line is the argument's ordinal (1 = first `--set`),
    /// the column counts characters in `PATH=VALUE`.
    Set,
    /// The `--variant NAME` option.
    Variant,
    /// The `--seed N` option.
    Seed,
}

/// A position: origin, 1-based line, 1-based column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub(crate) struct Pos {
    pub origin: Origin,
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub(crate) fn file(line: u32, col: u32) -> Pos {
        Pos {
            origin: Origin::File,
            line,
            col,
        }
    }

    pub(crate) fn new(origin: Origin, line: u32, col: u32) -> Pos {
        Pos { origin, line, col }
    }
}

/// One problem in a scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// File as given, or `--set`, `--variant`, `--seed` for values from the command line.
    pub file: String,
    /// 1-based line (for `--set`: which `--set`, 1 = the first).
    pub line: usize,
    /// 1-based column, in characters (for `--set`: within `PATH=VALUE`).
    pub col: usize,
    /// Field path like `auto_scaling_groups[web].scaling_policies[cpu50].target`; empty when the
    /// problem is not about one field (a YAML syntax error, an unreadable file).
    pub path: String,
    /// What is wrong, with the hint (did you mean, expected form) included.
    pub message: String,
}

impl Diagnostic {
    /// Builds a diagnostic at a position, naming the file for file positions.
    pub(crate) fn at(
        file: &str,
        pos: Pos,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        let file = match pos.origin {
            Origin::File => file.to_string(),
            Origin::Set => "--set".to_string(),
            Origin::Variant => "--variant".to_string(),
            Origin::Seed => "--seed".to_string(),
        };
        // One line per problem, whatever the text holds.
        let flat = |s: String| {
            if s.contains(['\n', '\r']) {
                s.replace('\r', "\\r").replace('\n', "\\n")
            } else {
                s
            }
        };
        Diagnostic {
            file,
            line: pos.line.max(1) as usize,
            col: pos.col.max(1) as usize,
            path: flat(path.into()),
            message: flat(message.into()),
        }
    }

    /// The source line this diagnostic points at, with a caret under the column, when the
    /// diagnostic is in `src` (a plain-text snippet for terminals).
    pub fn snippet(&self, src: &str) -> Option<String> {
        let text = src.lines().nth(self.line.checked_sub(1)?)?;
        let width = text.chars().take(self.col.saturating_sub(1)).count();
        let lineno = self.line.to_string();
        let pad = " ".repeat(lineno.len());
        Some(format!(
            "{pad} |\n{lineno} | {text}\n{pad} | {}^",
            " ".repeat(width)
        ))
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.col, self.message
            )
        } else {
            write!(
                f,
                "{}:{}:{}: {}: {}",
                self.file, self.line, self.col, self.path, self.message
            )
        }
    }
}

/// All problems found, in the order of the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// A single problem.
    pub fn one(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
    /// Whether there are no problems.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Number of problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// The problems.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }
}

impl fmt::Display for Diagnostics {
    /// One line per problem: `FILE:LINE:COL: PATH: message` (no `PATH: ` when there is no path).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Edit distance over characters (Levenshtein, with a swap of two neighbours
/// counting as one edit: optimal string alignment).
pub(crate) fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (j, x) in d.iter_mut().enumerate().take(w) {
        *x = j;
    }
    for i in 1..=a.len() {
        d[i * w] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub(crate) fn did_you_mean<'a, I, S>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str> + 'a,
{
    let lw = word.to_lowercase();
    let mut best: Option<(usize, String)> = None;
    for c in candidates {
        let c = c.as_ref();
        if c == word {
            continue;
        }
        let lc = c.to_lowercase();
        let d = if lc == lw {
            0
        } else {
            // Dashes and underscores are easy to confuse.
            let norm = |s: &str| s.replace('-', "_");
            if norm(&lc) == norm(&lw) {
                0
            } else {
                levenshtein(&lw, &lc)
            }
        };
        let len = word.chars().count().max(c.chars().count());
        let limit = match len {
            0..=2 => 0,
            3..=5 => 1,
            6..=9 => 2,
            _ => 3,
        };
        let shorter = lw.chars().count().min(lc.chars().count());
        let close = d <= limit || (shorter >= 3 && (lc.starts_with(&lw) || lw.starts_with(&lc)));
        if close && best.as_ref().is_none_or(|(bd, _)| d < *bd) {
            best = Some((d, c.to_string()));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levenshtein_counts_edits() {
        assert_eq!(levenshtein("webb", "web"), 1);
        assert_eq!(levenshtein("desird", "desired"), 1);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("maen", "mean"), 1);
    }

    #[test]
    fn suggestions_are_close_only() {
        assert_eq!(did_you_mean("webb", ["web", "api"]).as_deref(), Some("web"));
        assert_eq!(
            did_you_mean("desird", ["min", "max", "desired"]).as_deref(),
            Some("desired")
        );
        assert_eq!(did_you_mean("elb", ["EC2", "ELB"]).as_deref(), Some("ELB"));
        assert_eq!(did_you_mean("zzzzzz", ["web", "api"]), None);
        assert_eq!(did_you_mean("a", ["b"]), None);
        assert_eq!(did_you_mean("t", ["timeout"]), None);
        assert_eq!(
            did_you_mean("desired_capacity", ["min", "desired"]).as_deref(),
            Some("desired")
        );
        assert_eq!(
            did_you_mean("round-robin", ["round_robin"]).as_deref(),
            Some("round_robin")
        );
    }

    #[test]
    fn display_is_one_line_per_problem() {
        let d = Diagnostics(vec![
            Diagnostic::at(
                "x.yaml",
                Pos::file(14, 7),
                "auto_scaling_groups[web].min",
                "min (5) is greater than max (3)",
            ),
            Diagnostic::at("x.yaml", Pos::file(2, 1), "", "bad"),
            Diagnostic::at("x.yaml", Pos::new(Origin::Set, 1, 9), "duration", "oops"),
        ]);
        assert_eq!(
            d.to_string(),
            "x.yaml:14:7: auto_scaling_groups[web].min: min (5) is greater than max (3)\nx.yaml:2:1: bad\n--set:1:9: duration: oops\n"
        );
    }

    #[test]
    fn snippet_points_at_column() {
        let d = Diagnostic::at("x", Pos::file(2, 5), "a", "m");
        let s = d.snippet("a: 1\nb:  2\n").unwrap();
        assert!(s.contains("2 | b:  2"), "{s}");
        assert!(s.ends_with("|     ^"), "{s}");
    }
}
