//! The tidy time series: one row per metrics period per metric per resource,
//! with CloudWatch's metric names.

/// One datapoint.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Row {
    /// Period start, ns.
    pub t: u64,
    /// Resource index into [`Series::resources`].
    pub resource: u32,
    /// CloudWatch metric name.
    pub metric: &'static str,
    /// Value.
    pub value: f64,
}

/// All datapoints of a run.
#[derive(Clone, Debug, Default)]
pub struct Series {
    /// Resource names, indexed by `Row::resource`.
    pub resources: Vec<String>,
    /// Datapoints in time order.
    pub rows: Vec<Row>,
}

impl Series {
    /// Register a resource name; returns its index.
    pub fn resource(&mut self, name: &str) -> u32 {
        if let Some(i) = self.resources.iter().position(|r| r == name) {
            return i as u32;
        }
        self.resources.push(name.to_string());
        (self.resources.len() - 1) as u32
    }

    /// Add a datapoint.
    pub fn push(&mut self, t: u64, resource: u32, metric: &'static str, value: f64) {
        self.rows.push(Row {
            t,
            resource,
            metric,
            value,
        });
    }

    /// Values of one metric of one resource, as (t seconds, value).
    pub fn get(&self, resource: &str, metric: &str) -> Vec<(f64, f64)> {
        let Some(r) = self.resources.iter().position(|x| x == resource) else {
            return Vec::new();
        };
        self.rows
            .iter()
            .filter(|row| row.resource == r as u32 && row.metric == metric)
            .map(|row| (row.t as f64 / 1e9, row.value))
            .collect()
    }

    /// CSV text: `t_s,resource,metric,value`.
    pub fn to_csv(&self) -> String {
        let mut s = String::with_capacity(self.rows.len() * 40 + 32);
        s.push_str("t_s,resource,metric,value\n");
        for r in &self.rows {
            use std::fmt::Write;
            let _ = writeln!(
                s,
                "{},{},{},{}",
                fmt_secs(r.t),
                csv_field(&self.resources[r.resource as usize]),
                r.metric,
                fmt_num(r.value)
            );
        }
        s
    }
}

/// Seconds from ns: whole seconds print without a fraction.
pub fn fmt_secs(t: u64) -> String {
    if t.is_multiple_of(1_000_000_000) {
        (t / 1_000_000_000).to_string()
    } else {
        format!("{}", t as f64 / 1e9)
    }
}

/// Numbers print with at most 6 decimals, trailing zeros dropped (stable text).
pub fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return "0".into();
    }
    if v == v.trunc() && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// Quote a CSV field when needed.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_stably() {
        assert_eq!(fmt_num(3.0), "3");
        assert_eq!(fmt_num(0.1 + 0.2), "0.3");
        assert_eq!(fmt_num(12.3456789), "12.345679");
        assert_eq!(fmt_secs(60_000_000_000), "60");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }
}
