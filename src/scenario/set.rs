//! Field paths (`auto_scaling_groups[web].scaling_policies[0].target`): parsing,
//! editing the tree at a path (`--set`, variants) and finding the node a path
//! names (to locate validation problems).
//!
//! Syntax: dot-separated keys; `[name]` selects the list item whose `name` is
//! `name`; `[N]` (digits only) selects the item at index N (from 0).

use super::diag::{Pos, did_you_mean};
use super::tree::{Key, Kind, Node, Style};
use std::fmt;

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Seg {
    /// A map key.
    Key(String),
    /// The list item with this `name`.
    Name(String),
    /// The list item at this index.
    Index(usize),
    /// A list item found by index, shown by its name (validation paths).
    Item(Option<String>, usize),
}

/// A path, displayed the way errors show it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct FieldPath(pub Vec<Seg>);

impl FieldPath {
    pub(crate) fn root() -> Self {
        FieldPath(Vec::new())
    }
    /// This path with `.key` appended.
    pub(crate) fn key(&self, k: &str) -> Self {
        let mut v = self.0.clone();
        v.push(Seg::Key(k.to_string()));
        FieldPath(v)
    }
    /// This path with an item appended: shown as `[name]` (or `[i]`), found by index.
    pub(crate) fn item(&self, name: Option<&str>, i: usize) -> Self {
        let mut v = self.0.clone();
        v.push(Seg::Item(name.map(str::to_string), i));
        FieldPath(v)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Name(n) | Seg::Item(Some(n), _) => write!(f, "[{n}]")?,
                Seg::Index(n) | Seg::Item(None, n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A path step with the character offset where it starts in the written path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PSeg {
    pub seg: Seg,
    pub col: usize,
}

/// A problem with a path or with editing at it: character offset in the path
/// text (or `None` for "at the value"), the path up to the problem, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PathError {
    pub col: usize,
    pub path: String,
    pub message: String,
}

/// Parses `a.b[name].c[0]`.
pub(crate) fn parse_path(text: &str) -> Result<Vec<PSeg>, PathError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |col: usize, out: &Vec<PSeg>, message: String| PathError {
        col,
        path: FieldPath(out.iter().map(|p: &PSeg| p.seg.clone()).collect()).to_string(),
        message,
    };
    if chars.is_empty() {
        return Err(err(0, &out, "empty path".into()));
    }
    let mut expect_key = true;
    while i < chars.len() {
        if expect_key {
            let start = i;
            while i < chars.len() && chars[i] != '.' && chars[i] != '[' && chars[i] != ']' {
                i += 1;
            }
            let key: String = chars[start..i].iter().collect();
            let key = key.trim().to_string();
            if key.is_empty() {
                let what = if start == 0 {
                    "a path starts with a field name, like `auto_scaling_groups[web].max`"
                        .to_string()
                } else {
                    "expected a field name after `.`".to_string()
                };
                return Err(err(start, &out, what));
            }
            out.push(PSeg {
                seg: Seg::Key(key),
                col: start,
            });
            expect_key = false;
            continue;
        }
        match chars[i] {
            '.' => {
                i += 1;
                expect_key = true;
                if i == chars.len() {
                    return Err(err(i, &out, "expected a field name after `.`".into()));
                }
            }
            '[' => {
                let start = i;
                i += 1;
                let s = i;
                while i < chars.len() && chars[i] != ']' {
                    i += 1;
                }
                if i == chars.len() {
                    return Err(err(start, &out, "missing `]`".into()));
                }
                let inner: String = chars[s..i].iter().collect();
                let inner = inner.trim().to_string();
                i += 1;
                if inner.is_empty() {
                    return Err(err(
                        start,
                        &out,
                        "expected a name or an index inside `[]`".into(),
                    ));
                }
                let seg = if inner.bytes().all(|b| b.is_ascii_digit()) {
                    match inner.parse::<usize>() {
                        Ok(n) => Seg::Index(n),
                        Err(_) => {
                            return Err(err(start, &out, format!("index {inner} is too large")));
                        }
                    }
                } else {
                    Seg::Name(inner)
                };
                out.push(PSeg { seg, col: start });
            }
            c => {
                return Err(err(
                    i,
                    &out,
                    format!("unexpected `{c}` in path (use `.field`, `[name]` or `[N]`)"),
                ));
            }
        }
    }
    Ok(out)
}

fn names_of(items: &[Node]) -> Vec<String> {
    items
        .iter()
        .filter_map(|n| n.name().map(str::to_string))
        .collect()
}

/// Replaces (or creates) the value at `segs` in `root`. Keys created on the way
/// are positioned at `key_pos`. Missing map keys are created; missing list items
/// are errors.
pub(crate) fn set_at(
    root: &mut Node,
    segs: &[PSeg],
    value: Node,
    key_pos: Pos,
) -> Result<(), PathError> {
    let mut cur = root;
    let mut shown: Vec<Seg> = Vec::new();
    let mut value = Some(value);
    for (i, ps) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        let here = FieldPath(shown.clone()).to_string();
        let desc = cur.describe();
        let err = |message: String, shown: &Vec<Seg>| PathError {
            col: ps.col,
            path: {
                let mut v = shown.clone();
                v.push(ps.seg.clone());
                FieldPath(v).to_string()
            },
            message,
        };
        match &ps.seg {
            Seg::Key(k) => {
                if cur.is_null() {
                    cur.kind = Kind::Map(Vec::new());
                }
                let Kind::Map(entries) = &mut cur.kind else {
                    let what = if here.is_empty() {
                        "the scenario".to_string()
                    } else {
                        format!("`{here}`")
                    };
                    return Err(err(
                        format!("{what} is {desc}, so it has no field `{k}`"),
                        &shown,
                    ));
                };
                let idx = match entries.iter().position(|(key, _)| &key.text == k) {
                    Some(idx) => idx,
                    None => {
                        entries.push((
                            Key {
                                text: k.clone(),
                                pos: key_pos,
                            },
                            Node {
                                kind: Kind::Map(Vec::new()),
                                pos: key_pos,
                            },
                        ));
                        entries.len() - 1
                    }
                };
                let slot = &mut entries[idx].1;
                shown.push(ps.seg.clone());
                if last {
                    *slot = value
                        .take()
                        .unwrap_or_else(|| Node::scalar("~", Style::Plain, key_pos));
                    return Ok(());
                }
                cur = slot;
            }
            Seg::Name(_) | Seg::Index(_) | Seg::Item(..) => {
                let null = cur.is_null();
                let items: &mut Vec<Node> = match &mut cur.kind {
                    Kind::Seq(items) => items,
                    _ if null => {
                        return Err(err(format!("no such item: `{here}` is empty"), &shown));
                    }
                    _ => {
                        return Err(err(
                            format!(
                                "`{here}` is {desc}, not a list, so it has no item {}",
                                bracket(&ps.seg)
                            ),
                            &shown,
                        ));
                    }
                };
                let idx = match &ps.seg {
                    Seg::Name(n) | Seg::Item(Some(n), _) => {
                        match items.iter().position(|it| it.name() == Some(n.as_str())) {
                            Some(idx) => idx,
                            None => {
                                let names = names_of(items);
                                let hint = match did_you_mean(n, &names) {
                                    Some(s) => format!(" (did you mean \"{s}\"?)"),
                                    None if names.is_empty() => String::new(),
                                    None => format!(
                                        " (it has {})",
                                        names
                                            .iter()
                                            .map(|x| format!("\"{x}\""))
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    ),
                                };
                                return Err(err(
                                    format!("no item named \"{n}\" in `{here}`{hint}"),
                                    &shown,
                                ));
                            }
                        }
                    }
                    Seg::Index(n) | Seg::Item(None, n) => {
                        if *n >= items.len() {
                            return Err(err(
                                format!(
                                    "index {n} is out of range: `{here}` has {} items",
                                    items.len()
                                ),
                                &shown,
                            ));
                        }
                        *n
                    }
                    Seg::Key(_) => unreachable!("handled above"),
                };
                shown.push(ps.seg.clone());
                if last {
                    items[idx] = value
                        .take()
                        .unwrap_or_else(|| Node::scalar("~", Style::Plain, key_pos));
                    return Ok(());
                }
                cur = &mut items[idx];
            }
        }
    }
    Ok(())
}

fn bracket(s: &Seg) -> String {
    match s {
        Seg::Name(n) | Seg::Item(Some(n), _) => format!("[{n}]"),
        Seg::Index(n) | Seg::Item(None, n) => format!("[{n}]"),
        Seg::Key(k) => k.clone(),
    }
}

/// The node a path names, or the deepest existing node on the way (a missing
/// field is reported at the map that should hold it).
pub(crate) fn locate<'a>(root: &'a Node, segs: &[Seg]) -> &'a Node {
    let mut cur = root;
    for s in segs {
        let next = match (&cur.kind, s) {
            (Kind::Map(_), Seg::Key(k)) => cur.get(k),
            (Kind::Seq(items), Seg::Name(n)) => {
                items.iter().find(|it| it.name() == Some(n.as_str()))
            }
            (Kind::Seq(items), Seg::Index(i) | Seg::Item(_, i)) => items.get(*i),
            _ => None,
        };
        match next {
            Some(n) => cur = n,
            None => break,
        }
    }
    cur
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::tree::{PosMap, parse};

    fn segs(p: &str) -> Vec<Seg> {
        parse_path(p).unwrap().into_iter().map(|s| s.seg).collect()
    }

    #[test]
    fn parses_paths() {
        assert_eq!(
            segs("auto_scaling_groups[web].scaling_policies[0].target"),
            vec![
                Seg::Key("auto_scaling_groups".into()),
                Seg::Name("web".into()),
                Seg::Key("scaling_policies".into()),
                Seg::Index(0),
                Seg::Key("target".into()),
            ]
        );
        assert_eq!(parse_path("a[web].b").unwrap()[2].col, 7);
        assert!(parse_path("").is_err());
        assert!(parse_path("a.").is_err());
        assert!(parse_path("a[b").is_err());
        assert!(parse_path("a[]").is_err());
        assert!(parse_path("[0]").is_err());
        assert!(parse_path("a]").is_err());
    }

    #[test]
    fn displays_paths() {
        let p = FieldPath::root()
            .key("a")
            .item(Some("web"), 3)
            .key("b")
            .item(None, 2);
        assert_eq!(p.to_string(), "a[web].b[2]");
    }

    fn tree(s: &str) -> Node {
        parse(s, PosMap::file()).unwrap().unwrap()
    }

    #[test]
    fn sets_by_name_index_and_creates_keys() {
        let mut t = tree("xs:\n  - name: api\n    v: 1\n  - name: web\n    v: 2\n");
        let val = Node::scalar("9", Style::Plain, Pos::default());
        set_at(
            &mut t,
            &parse_path("xs[web].v").unwrap(),
            val.clone(),
            Pos::default(),
        )
        .unwrap();
        set_at(
            &mut t,
            &parse_path("xs[0].w.z").unwrap(),
            val.clone(),
            Pos::default(),
        )
        .unwrap();
        let Kind::Seq(items) = &t.get("xs").unwrap().kind else {
            panic!()
        };
        assert_eq!(items[1].get("v").unwrap().as_scalar().unwrap().text, "9");
        assert_eq!(
            items[0]
                .get("w")
                .unwrap()
                .get("z")
                .unwrap()
                .as_scalar()
                .unwrap()
                .text,
            "9"
        );
        let e = set_at(
            &mut t,
            &parse_path("xs[webb].v").unwrap(),
            val.clone(),
            Pos::default(),
        )
        .unwrap_err();
        assert_eq!(e.path, "xs[webb]");
        assert_eq!(e.col, 2);
        assert!(e.message.contains("did you mean \"web\""), "{}", e.message);
        let e = set_at(
            &mut t,
            &parse_path("xs[5]").unwrap(),
            val.clone(),
            Pos::default(),
        )
        .unwrap_err();
        assert!(e.message.contains("out of range"), "{}", e.message);
        let e = set_at(&mut t, &parse_path("xs.v").unwrap(), val, Pos::default()).unwrap_err();
        assert!(e.message.contains("is a list"), "{}", e.message);
    }

    #[test]
    fn locates_deepest_node() {
        let t = tree("a:\n  - name: x\n    b: 1\n");
        let n = locate(&t, &segs("a[x].b"));
        assert_eq!(n.pos, Pos::file(3, 8));
        let n = locate(&t, &segs("a[x].missing"));
        assert_eq!(n.pos, Pos::file(2, 5));
    }
}
