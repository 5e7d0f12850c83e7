//! An owned, positioned YAML tree, built from `granit_parser` events.
//!
//! Every node and every key keeps where it came from, so that `--set`,
//! variants, typing and validation can all point at the right line and column.
//! Scalars keep their text and whether they were quoted; their YAML 1.2 core
//! type (null, bool, int, float, string) is resolved on demand, so a quoted
//! `"30"` stays a string.

use super::diag::{Origin, Pos};
use serde_saphyr::granit_parser::{Event, Marker, Options, Parser, ScalarStyle};
use std::collections::HashMap;

/// Most nodes a document may expand to (aliases included): a guard against
/// "billion laughs" documents.
pub(crate) const NODE_BUDGET: usize = 250_000;
/// Deepest nesting accepted (the deserializer recurses once per level).
const NESTING_LIMIT: usize = 64;

/// A YAML node with its position.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub kind: Kind,
    pub pos: Pos,
}

/// What a node holds.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    Map(Vec<(Key, Node)>),
    Seq(Vec<Node>),
    Scalar(Scalar),
}

/// A mapping key (always a scalar here), with its own position.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Key {
    pub text: String,
    pub pos: Pos,
}

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// Plain: its type is resolved by the YAML 1.2 core schema.
    Plain,
    /// Quoted, block (`|`, `>`) or tagged `!!str`: always a string.
    Text,
}

/// A scalar's text and style.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Scalar {
    pub text: String,
    pub style: Style,
}

/// A scalar's resolved value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Value<'a> {
    Null,
    Bool(bool),
    UInt(u64),
    Int(i64),
    Float(f64),
    Str(&'a str),
}

impl Scalar {
    /// The YAML 1.2 core-schema value of this scalar.
    pub(crate) fn resolve(&self) -> Value<'_> {
        if self.style == Style::Text {
            return Value::Str(&self.text);
        }
        resolve_plain(&self.text)
    }
}

fn resolve_plain(t: &str) -> Value<'_> {
    match t {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let b = t.as_bytes();
    // Integers: [-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+
    if let Some(h) = t.strip_prefix("0x") {
        if !h.is_empty() && h.bytes().all(|c| c.is_ascii_hexdigit()) {
            return match u64::from_str_radix(h, 16) {
                Ok(v) => Value::UInt(v),
                Err(_) => Value::Str(t),
            };
        }
        return Value::Str(t);
    }
    if let Some(o) = t.strip_prefix("0o") {
        if !o.is_empty() && o.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
            return match u64::from_str_radix(o, 8) {
                Ok(v) => Value::UInt(v),
                Err(_) => Value::Str(t),
            };
        }
        return Value::Str(t);
    }
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) {
        let neg = b[0] == b'-';
        if !neg {
            if let Ok(v) = digits.parse::<u64>() {
                return Value::UInt(v);
            }
        } else if let Ok(v) = t.parse::<i64>() {
            return if v >= 0 {
                Value::UInt(v as u64)
            } else {
                Value::Int(v)
            };
        }
        // Too big for 64 bits: keep it as a (huge) float.
        return t.parse::<f64>().map(Value::Float).unwrap_or(Value::Str(t));
    }
    // Floats: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
    if is_core_float(digits)
        && let Ok(v) = t.parse::<f64>()
    {
        return Value::Float(v);
    }
    Value::Str(t)
}

fn is_core_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let fs = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - fs;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let es = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == es {
            return false;
        }
    }
    i == b.len()
}

impl Node {
    pub(crate) fn scalar(text: impl Into<String>, style: Style, pos: Pos) -> Node {
        Node {
            kind: Kind::Scalar(Scalar {
                text: text.into(),
                style,
            }),
            pos,
        }
    }

    /// The value of `key` in a map node.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().find(|(k, _)| k.text == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The scalar text, if this is a scalar.
    pub(crate) fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The `name` of a map node, when it is a string-like scalar.
    pub(crate) fn name(&self) -> Option<&str> {
        let s = self.get("name")?.as_scalar()?;
        match s.resolve() {
            Value::Null => None,
            _ => Some(s.text.as_str()),
        }
    }

    /// Whether this is a null scalar.
    pub(crate) fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar(s) if s.resolve() == Value::Null)
    }

    /// "a map", "a list", "a string \"x\"", … for messages.
    pub(crate) fn describe(&self) -> String {
        match &self.kind {
            Kind::Map(_) => "a map".into(),
            Kind::Seq(_) => "a list".into(),
            Kind::Scalar(s) => match s.resolve() {
                Value::Null => "nothing (null)".into(),
                Value::Bool(b) => format!("{b}"),
                Value::UInt(_) | Value::Int(_) | Value::Float(_) => s.text.clone(),
                Value::Str(t) => format!("\"{t}\""),
            },
        }
    }

    /// Number of nodes in this subtree.
    pub(crate) fn size(&self) -> usize {
        match &self.kind {
            Kind::Map(e) => 1 + e.iter().map(|(_, v)| 1 + v.size()).sum::<usize>(),
            Kind::Seq(items) => 1 + items.iter().map(Node::size).sum::<usize>(),
            Kind::Scalar(_) => 1,
        }
    }
}

/// A parse failure: where and what.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TreeError {
    pub pos: Pos,
    pub message: String,
}

/// How to turn parser markers into positions.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PosMap {
    pub origin: Origin,
    /// When set, every position reports this line (the `--set` ordinal).
    pub fixed_line: Option<u32>,
    /// Characters before the text on its first line (the `PATH=` of a `--set`).
    pub col_offset: u32,
}

impl PosMap {
    pub(crate) fn file() -> PosMap {
        PosMap {
            origin: Origin::File,
            fixed_line: None,
            col_offset: 0,
        }
    }

    fn pos(&self, m: &Marker) -> Pos {
        let line = m.line().max(1);
        let col = m.col() as u32 + 1 + if line == 1 { self.col_offset } else { 0 };
        Pos {
            origin: self.origin,
            line: self.fixed_line.unwrap_or(line as u32),
            col,
        }
    }
}

enum Frame {
    Map {
        entries: Vec<(Key, Node)>,
        seen: HashMap<String, Pos>,
        pending: Option<Key>,
        pos: Pos,
        anchor: usize,
    },
    Seq {
        items: Vec<Node>,
        pos: Pos,
        anchor: usize,
    },
}

/// Parses one YAML document into a tree. `Ok(None)` for an empty document.
///
/// Paths as keys of a flow map (`set: { auto_scaling_groups[web].max: 4 }`, as
/// the format's docs write variants) are not valid YAML, since `[` and `]` end a
/// plain scalar inside `{}`. When the text does not parse, it is parsed again
/// with such keys quoted; if that works, it is used (positions still refer to
/// the text as written).
pub(crate) fn parse(src: &str, pm: PosMap) -> Result<Option<Node>, TreeError> {
    match parse_with(src, pm, &Shifts::default()) {
        Ok(n) => Ok(n),
        Err(e) => {
            if let Some((fixed, shifts)) = quote_flow_path_keys(src)
                && let Ok(n) = parse_with(&fixed, pm, &shifts)
            {
                return Ok(n);
            }
            Err(e)
        }
    }
}

/// Characters inserted into the text, per 1-based line: their 0-based columns in
/// the rewritten line.
#[derive(Default)]
struct Shifts(HashMap<usize, Vec<usize>>);

impl Shifts {
    /// The column in the original line of a 0-based column in the rewritten one.
    fn original_col(&self, line: usize, col: usize) -> usize {
        match self.0.get(&line) {
            Some(ins) => col - ins.iter().filter(|&&c| c < col).count(),
            None => col,
        }
    }
}

/// Quotes plain keys of flow maps that look like paths with `[...]`.
fn quote_flow_path_keys(src: &str) -> Option<(String, Shifts)> {
    if !src.contains('{') || !src.contains('[') {
        return None;
    }
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len() + 16);
    let mut shifts = Shifts::default();
    let mut stack: Vec<char> = Vec::new();
    let (mut line, mut col) = (1usize, 0usize); // col: in the rewritten line
    let mut key_start = false;
    let mut prev = '\n';
    let mut i = 0;
    let mut changed = false;
    let push = |out: &mut String, c: char, line: &mut usize, col: &mut usize| {
        out.push(c);
        if c == '\n' {
            *line += 1;
            *col = 0;
        } else {
            *col += 1;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        // Comments run to the end of the line.
        if c == '#' && (prev.is_whitespace() || i == 0) {
            while i < chars.len() && chars[i] != '\n' {
                push(&mut out, chars[i], &mut line, &mut col);
                i += 1;
            }
            continue;
        }
        // Quoted scalars are copied as they are.
        if c == '"' || c == '\'' {
            push(&mut out, c, &mut line, &mut col);
            i += 1;
            while i < chars.len() {
                let d = chars[i];
                push(&mut out, d, &mut line, &mut col);
                i += 1;
                if c == '"' && d == '\\' && i < chars.len() {
                    push(&mut out, chars[i], &mut line, &mut col);
                    i += 1;
                } else if d == c {
                    if c == '\'' && i < chars.len() && chars[i] == '\'' {
                        push(&mut out, '\'', &mut line, &mut col);
                        i += 1;
                    } else {
                        break;
                    }
                }
            }
            key_start = false;
            prev = c;
            continue;
        }
        if key_start
            && stack.last() == Some(&'{')
            && (c.is_ascii_alphabetic() || c == '_')
            && let Some(end) = path_key_end(&chars, i)
        {
            shifts.0.entry(line).or_default().push(col);
            push(&mut out, '"', &mut line, &mut col);
            for &d in &chars[i..end] {
                push(&mut out, d, &mut line, &mut col);
            }
            shifts.0.entry(line).or_default().push(col);
            push(&mut out, '"', &mut line, &mut col);
            i = end;
            key_start = false;
            changed = true;
            prev = chars[end - 1];
            continue;
        }
        match c {
            '{' | '[' => {
                stack.push(c);
                key_start = true;
            }
            '}' | ']' => {
                stack.pop();
                key_start = false;
            }
            ',' => key_start = !stack.is_empty(),
            c if c.is_whitespace() => {}
            _ => key_start = false,
        }
        push(&mut out, c, &mut line, &mut col);
        prev = c;
        i += 1;
    }
    changed.then_some((out, shifts))
}

/// If a path with at least one `[...]` starts at `i` and is followed by `:`,
/// where it ends.
fn path_key_end(chars: &[char], i: usize) -> Option<usize> {
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let mut j = i;
    let mut brackets = false;
    while j < chars.len() && ident(chars[j]) {
        j += 1;
    }
    loop {
        match chars.get(j) {
            Some('[') => {
                let mut k = j + 1;
                while k < chars.len()
                    && !matches!(chars[k], ']' | '[' | '{' | '}' | ',' | '\n' | '"' | '\\')
                {
                    k += 1;
                }
                if chars.get(k) != Some(&']') || k == j + 1 {
                    return None;
                }
                brackets = true;
                j = k + 1;
            }
            Some('.') => {
                j += 1;
                let s = j;
                while j < chars.len() && ident(chars[j]) {
                    j += 1;
                }
                if j == s {
                    return None;
                }
            }
            _ => break,
        }
    }
    let mut k = j;
    while k < chars.len() && (chars[k] == ' ' || chars[k] == '\t') {
        k += 1;
    }
    (brackets && chars.get(k) == Some(&':')).then_some(j)
}

fn parse_with(src: &str, pm: PosMap, shifts: &Shifts) -> Result<Option<Node>, TreeError> {
    let mut opts = Options::default();
    opts.flow_nesting_limit = NESTING_LIMIT;
    opts.block_nesting_limit = NESTING_LIMIT;
    let parser = Parser::new_from_str_with_options(src, opts);
    let mut b = Builder {
        pm,
        shifts,
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        nodes: 0,
        docs: 0,
    };
    for ev in parser {
        match ev {
            Ok((event, span)) => b.event(event, &span.start)?,
            Err(e) => {
                return Err(TreeError {
                    pos: b.pos(e.marker()),
                    message: format!("invalid YAML: {}", e.kind()),
                });
            }
        }
    }
    Ok(b.root)
}

struct Builder<'s> {
    pm: PosMap,
    shifts: &'s Shifts,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    nodes: usize,
    docs: usize,
}

impl Builder<'_> {
    fn pos(&self, m: &Marker) -> Pos {
        let col = self.shifts.original_col(m.line(), m.col());
        self.pm.pos(&Marker::new(m.index(), m.line(), col))
    }

    fn err<T>(&self, pos: Pos, message: impl Into<String>) -> Result<T, TreeError> {
        Err(TreeError {
            pos,
            message: message.into(),
        })
    }

    fn count(&mut self, n: usize, pos: Pos) -> Result<(), TreeError> {
        self.nodes += n;
        if self.nodes > NODE_BUDGET {
            return self.err(
                pos,
                format!("the document is too large (more than {NODE_BUDGET} values once aliases are expanded)"),
            );
        }
        Ok(())
    }

    fn event(&mut self, event: Event<'_>, start: &Marker) -> Result<(), TreeError> {
        let pos = self.pos(start);
        match event {
            Event::DocumentStart(..) => {
                self.docs += 1;
                if self.docs > 1 {
                    return self.err(
                        pos,
                        "expected one YAML document, found a second one (`---`)",
                    );
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.count(1, pos)?;
                let mut st = match style {
                    ScalarStyle::Plain => Style::Plain,
                    _ => Style::Text,
                };
                if let Some(tag) = tag {
                    match tag.core_suffix() {
                        Some("str") => st = Style::Text,
                        Some("null" | "bool" | "int" | "float") => st = Style::Plain,
                        _ if tag.original() == "!" => st = Style::Text,
                        _ => {
                            return self.err(
                                pos,
                                format!(
                                    "YAML tags like `{}` are not supported here",
                                    tag.original()
                                ),
                            );
                        }
                    }
                }
                let node = Node::scalar(text.into_owned(), st, pos);
                self.finish(node, anchor)?;
            }
            Event::SequenceStart(_, anchor, tag) => {
                self.count(1, pos)?;
                if let Some(tag) = tag
                    && tag.core_suffix() != Some("seq")
                {
                    return self.err(
                        pos,
                        format!("YAML tags like `{}` are not supported here", tag.original()),
                    );
                }
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
                    pos,
                    anchor,
                });
            }
            Event::MappingStart(_, anchor, tag) => {
                self.count(1, pos)?;
                if let Some(tag) = tag
                    && tag.core_suffix() != Some("map")
                {
                    return self.err(
                        pos,
                        format!("YAML tags like `{}` are not supported here", tag.original()),
                    );
                }
                self.stack.push(Frame::Map {
                    entries: Vec::new(),
                    seen: HashMap::new(),
                    pending: None,
                    pos,
                    anchor,
                });
            }
            Event::SequenceEnd => match self.stack.pop() {
                Some(Frame::Seq { items, pos, anchor }) => {
                    self.finish(
                        Node {
                            kind: Kind::Seq(items),
                            pos,
                        },
                        anchor,
                    )?;
                }
                _ => return self.err(pos, "invalid YAML: unbalanced sequence"),
            },
            Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Map {
                    entries,
                    pos,
                    anchor,
                    ..
                }) => {
                    let entries = merge_keys(entries)?;
                    self.finish(
                        Node {
                            kind: Kind::Map(entries),
                            pos,
                        },
                        anchor,
                    )?;
                }
                _ => return self.err(pos, "invalid YAML: unbalanced mapping"),
            },
            Event::Alias(id) => {
                let Some(size) = self.anchors.get(&id).map(Node::size) else {
                    return self.err(
                        pos,
                        "an alias refers to an anchor that is not complete yet (recursive alias)",
                    );
                };
                self.count(size, pos)?;
                let Some(node) = self.anchors.get(&id).cloned() else {
                    return self.err(pos, "unknown anchor");
                };
                self.finish(node, 0)?;
            }
            Event::UnresolvedAlias(name) => {
                return self.err(pos, format!("unknown anchor `{name}`"));
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), TreeError> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                Ok(())
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                Ok(())
            }
            Some(Frame::Map {
                entries,
                seen,
                pending,
                ..
            }) => {
                if let Some(key) = pending.take() {
                    entries.push((key, node));
                    return Ok(());
                }
                let text = match &node.kind {
                    Kind::Scalar(s) => s.text.clone(),
                    _ => {
                        return Err(TreeError {
                            pos: node.pos,
                            message: format!(
                                "a key must be a plain name, found {}",
                                node.describe()
                            ),
                        });
                    }
                };
                if text != "<<" {
                    if let Some(first) = seen.get(&text) {
                        let first = *first;
                        return Err(TreeError {
                            pos: node.pos,
                            message: format!(
                                "duplicate key `{text}` (first given at line {})",
                                first.line
                            ),
                        });
                    }
                    seen.insert(text.clone(), node.pos);
                }
                *pending = Some(Key {
                    text,
                    pos: node.pos,
                });
                Ok(())
            }
        }
    }
}

/// YAML merge keys (`<<: *defaults`): keys given in the map win over merged ones.
fn merge_keys(entries: Vec<(Key, Node)>) -> Result<Vec<(Key, Node)>, TreeError> {
    if !entries.iter().any(|(k, _)| k.text == "<<") {
        return Ok(entries);
    }
    let mut out = Vec::with_capacity(entries.len());
    let mut merged = Vec::new();
    for (k, v) in entries {
        if k.text != "<<" {
            out.push((k, v));
            continue;
        }
        let sources = match v.kind {
            Kind::Map(_) => vec![v],
            Kind::Seq(items) => items,
            _ => {
                return Err(TreeError {
                    pos: v.pos,
                    message: format!(
                        "`<<` merges a map or a list of maps, found {}",
                        v.describe()
                    ),
                });
            }
        };
        for s in sources {
            match s.kind {
                Kind::Map(e) => merged.extend(e),
                _ => {
                    return Err(TreeError {
                        pos: s.pos,
                        message: format!(
                            "`<<` merges a map or a list of maps, found {}",
                            s.describe()
                        ),
                    });
                }
            }
        }
    }
    for (k, v) in merged {
        if !out.iter().any(|(o, _)| o.text == k.text) {
            out.push((k, v));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(src: &str) -> Node {
        parse(src, PosMap::file()).unwrap().unwrap()
    }

    #[test]
    fn resolves_core_schema() {
        let r = resolve_plain;
        assert_eq!(r("30"), Value::UInt(30));
        assert_eq!(r("-3"), Value::Int(-3));
        assert_eq!(r("+3"), Value::UInt(3));
        assert_eq!(r("0.5"), Value::Float(0.5));
        assert_eq!(r("1e3"), Value::Float(1000.0));
        assert_eq!(r(".5"), Value::Float(0.5));
        assert_eq!(r("0x1F"), Value::UInt(31));
        assert_eq!(r("0o17"), Value::UInt(15));
        assert_eq!(r("true"), Value::Bool(true));
        assert_eq!(r("no"), Value::Str("no"));
        assert_eq!(r("~"), Value::Null);
        assert_eq!(r("30s"), Value::Str("30s"));
        assert_eq!(r("1.2.3"), Value::Str("1.2.3"));
        assert_eq!(r("e5"), Value::Str("e5"));
        assert_eq!(r("-"), Value::Str("-"));
        assert!(matches!(r("99999999999999999999999"), Value::Float(_)));
    }

    #[test]
    fn positions_of_keys_and_values() {
        let n = p("a: 1\nb:\n  c: \"30\"\n  d: [x, 'y']\n");
        let Kind::Map(e) = &n.kind else { panic!() };
        assert_eq!(e[0].0.pos, Pos::file(1, 1));
        assert_eq!(e[0].1.pos, Pos::file(1, 4));
        let b = n.get("b").unwrap();
        let c = b.get("c").unwrap();
        assert_eq!(c.pos, Pos::file(3, 6));
        assert_eq!(c.as_scalar().unwrap().resolve(), Value::Str("30"));
        let d = b.get("d").unwrap();
        let Kind::Seq(items) = &d.kind else { panic!() };
        assert_eq!(items[1].pos, Pos::file(4, 10));
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let e = parse("a: 1\nb: 2\na: 3\n", PosMap::file()).unwrap_err();
        assert_eq!(e.pos, Pos::file(3, 1));
        assert!(e.message.contains("duplicate key `a`"), "{}", e.message);
        assert!(e.message.contains("line 1"), "{}", e.message);
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = parse("a: [1, 2\nb: 3\n", PosMap::file()).unwrap_err();
        assert!(e.message.starts_with("invalid YAML"), "{}", e.message);
        assert!(e.pos.line >= 1);
    }

    #[test]
    fn aliases_and_merge_keys() {
        let n = p("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n");
        let o = n.get("other").unwrap();
        assert_eq!(o.get("x").unwrap().as_scalar().unwrap().text, "1");
        assert_eq!(o.get("y").unwrap().as_scalar().unwrap().text, "3");
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            s.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let e = parse(&s, PosMap::file()).unwrap_err();
        assert!(e.message.contains("too large"), "{}", e.message);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let s = "[".repeat(200) + &"]".repeat(200);
        assert!(parse(&s, PosMap::file()).is_err());
    }

    #[test]
    fn second_document_is_refused() {
        let e = parse("a: 1\n---\nb: 2\n", PosMap::file()).unwrap_err();
        assert_eq!(e.pos.line, 2);
    }

    #[test]
    fn empty_is_none() {
        assert_eq!(parse("", PosMap::file()).unwrap(), None);
        assert_eq!(parse("# just a comment\n", PosMap::file()).unwrap(), None);
    }

    #[test]
    fn paths_as_flow_map_keys_are_read_as_written() {
        let src = "set: { a[web].b: 60s, c: [1], 'q[x]': 2 }  # {z[1].y: 3}\nt: 1\n";
        let n = p(src);
        let set = n.get("set").unwrap();
        let Kind::Map(e) = &set.kind else { panic!() };
        assert_eq!(e[0].0.text, "a[web].b");
        assert_eq!(e[0].0.pos, Pos::file(1, 8));
        assert_eq!(e[0].1.pos, Pos::file(1, 18));
        assert_eq!(e[0].1.as_scalar().unwrap().text, "60s");
        assert_eq!(e[1].1.pos, Pos::file(1, 26));
        assert_eq!(e[2].0.text, "q[x]");
        assert_eq!(e[2].1.pos, Pos::file(1, 39));
        assert_eq!(n.get("t").unwrap().pos, Pos::file(2, 4));
        // Still an error when quoting does not help.
        assert!(parse("set: { a[web].b: [60s }\n", PosMap::file()).is_err());
    }

    #[test]
    fn set_positions_are_offset() {
        let pm = PosMap {
            origin: Origin::Set,
            fixed_line: Some(2),
            col_offset: 9,
        };
        let n = parse("{a: 1}", pm).unwrap().unwrap();
        assert_eq!(n.get("a").unwrap().pos, Pos::new(Origin::Set, 2, 14));
    }
}
