//! A small table of text cells, printed as Markdown, as aligned text for the
//! terminal, or as CSV.

use crate::report::metrics::csv_field;

/// Rows of text cells under a header; `numeric` columns align right.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Column titles.
    pub header: Vec<String>,
    /// Right-aligned columns.
    pub numeric: Vec<bool>,
    /// Cells, row by row.
    pub rows: Vec<Vec<String>>,
}

fn width(s: &str) -> usize {
    s.chars().count()
}

impl Table {
    /// A table with these column titles (the first is text, the rest numeric).
    pub fn new(header: Vec<String>) -> Table {
        let numeric = (0..header.len()).map(|i| i > 0).collect();
        Table {
            header,
            numeric,
            rows: Vec::new(),
        }
    }

    fn widths(&self) -> Vec<usize> {
        let mut w: Vec<usize> = self.header.iter().map(|h| width(h)).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                if i < w.len() {
                    w[i] = w[i].max(width(c));
                }
            }
        }
        w
    }

    fn pad(&self, i: usize, s: &str, w: usize) -> String {
        let fill = " ".repeat(w.saturating_sub(width(s)));
        if self.numeric.get(i).copied().unwrap_or(false) {
            format!("{fill}{s}")
        } else {
            format!("{s}{fill}")
        }
    }

    /// A GitHub-flavoured Markdown table (`|` in cells escaped), aligned so
    /// it also reads as plain text.
    pub fn markdown(&self) -> String {
        let esc = |s: &str| s.replace('|', "\\|");
        let header: Vec<String> = self.header.iter().map(|h| esc(h)).collect();
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(|c| esc(c)).collect())
            .collect();
        let t = Table {
            header,
            numeric: self.numeric.clone(),
            rows,
        };
        let w = t.widths();
        let mut o = String::new();
        let line = |cells: &[String]| {
            let mut s = String::from("|");
            for (i, c) in cells.iter().enumerate() {
                s.push(' ');
                s.push_str(&t.pad(i, c, w[i]));
                s.push_str(" |");
            }
            s.push('\n');
            s
        };
        o.push_str(&line(&t.header));
        o.push('|');
        for (i, wi) in w.iter().enumerate() {
            let dashes = "-".repeat((*wi).max(3));
            if t.numeric[i] {
                o.push_str(&format!(" {}: |", &dashes[1..]));
            } else {
                o.push_str(&format!(" {dashes} |"));
            }
        }
        o.push('\n');
        for r in &t.rows {
            o.push_str(&line(r));
        }
        o
    }

    /// Aligned plain text, columns two spaces apart, a rule under the header.
    pub fn text(&self) -> String {
        let w = self.widths();
        let mut o = String::new();
        let line = |cells: &[String]| {
            let parts: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| self.pad(i, c, w[i]))
                .collect();
            format!("{}\n", parts.join("  ").trim_end())
        };
        o.push_str(&line(&self.header));
        let rule: Vec<String> = w.iter().map(|n| "─".repeat(*n)).collect();
        o.push_str(&format!("{}\n", rule.join("  ")));
        for r in &self.rows {
            o.push_str(&line(r));
        }
        o
    }

    /// CSV text (fields quoted when needed).
    pub fn csv(&self) -> String {
        let mut o = String::new();
        let line = |cells: &[String]| {
            let parts: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
            format!("{}\n", parts.join(","))
        };
        o.push_str(&line(&self.header));
        for r in &self.rows {
            o.push_str(&line(r));
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let mut t = Table::new(vec!["variant".into(), "p99 (ms)".into()]);
        t.rows.push(vec!["base".into(), "12.5".into()]);
        t.rows.push(vec!["a|b".into(), "130.0 (+940.0%)".into()]);
        let md = t.markdown();
        assert!(md.starts_with("| variant | "), "{md}");
        assert!(md.contains("a\\|b"));
        assert!(md.lines().nth(1).unwrap().ends_with(": |"));
        let txt = t.text();
        assert_eq!(txt.lines().count(), 4);
        assert!(t.csv().starts_with("variant,p99 (ms)\nbase,12.5\n"));
    }
}
