//! Writing a positioned tree back as YAML (block style), so an edited
//! scenario (`stratus tune`'s `best.yaml`) is a file the loader reads back
//! to the same values. Comments and the original layout are not kept.

use super::tree::{Kind, Node, Style, Value};

/// The tree as YAML text, ending with a newline.
pub(crate) fn to_yaml(root: &Node) -> String {
    let mut out = String::new();
    block(root, 0, &mut out);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// A JSON string literal is a valid YAML double-quoted scalar.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn key_text(k: &str) -> String {
    let plain = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !matches!(k.chars().next(), Some('-'))
        && matches!(
            super::tree::Scalar {
                text: k.to_string(),
                style: Style::Plain
            }
            .resolve(),
            Value::Str(_)
        );
    if plain { k.to_string() } else { quoted(k) }
}

fn scalar_text(text: &str, style: Style) -> String {
    if style == Style::Text {
        return quoted(text);
    }
    let s = super::tree::Scalar {
        text: text.to_string(),
        style,
    };
    match s.resolve() {
        Value::Str(_) => {
            // A plain string stays plain only when it is simple.
            let simple = !text.is_empty()
                && text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '+'))
                && !text.starts_with(['-', '.', '+']);
            if simple {
                text.to_string()
            } else {
                quoted(text)
            }
        }
        _ => text.to_string(),
    }
}

fn is_collection(n: &Node) -> bool {
    match &n.kind {
        Kind::Map(e) => !e.is_empty(),
        Kind::Seq(e) => !e.is_empty(),
        Kind::Scalar(_) => false,
    }
}

fn inline(n: &Node) -> String {
    match &n.kind {
        Kind::Map(_) => "{}".into(),
        Kind::Seq(_) => "[]".into(),
        Kind::Scalar(s) => scalar_text(&s.text, s.style),
    }
}

/// Write `n` as a block at `indent` spaces (its first line starts where the
/// cursor is for a sequence item, else on a fresh line).
fn block(n: &Node, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match &n.kind {
        Kind::Map(entries) if !entries.is_empty() => {
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 || !out.ends_with("- ") {
                    out.push_str(&pad);
                }
                out.push_str(&key_text(&k.text));
                out.push(':');
                if is_collection(v) {
                    out.push('\n');
                    let child = if matches!(v.kind, Kind::Seq(_)) {
                        indent
                    } else {
                        indent + 2
                    };
                    block(v, child, out);
                } else {
                    out.push(' ');
                    out.push_str(&inline(v));
                    out.push('\n');
                }
            }
        }
        Kind::Seq(items) if !items.is_empty() => {
            for it in items {
                out.push_str(&pad);
                out.push_str("- ");
                if is_collection(it) {
                    if matches!(it.kind, Kind::Seq(_)) {
                        out.push('\n');
                    }
                    block(it, indent + 2, out);
                } else {
                    out.push_str(&inline(it));
                    out.push('\n');
                }
            }
        }
        _ => {
            out.push_str(&pad);
            out.push_str(&inline(n));
            out.push('\n');
        }
    }
}
