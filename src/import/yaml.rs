//! CloudFormation YAML to the template's JSON form, with the short-form
//! intrinsic functions expanded as the CloudFormation docs define them
//! ("Intrinsic function reference": `!Ref X` is `{"Ref": "X"}`, `!GetAtt
//! A.B` is `{"Fn::GetAtt": ["A", "B"]}`, `!Condition C` is `{"Condition":
//! "C"}`, any other `!Fn v` is `{"Fn::Fn": v}`). Parsed with serde-saphyr's
//! YAML parser (`granit_parser`), whose events carry each node's tag.

use super::BadInput;
use serde_json::{Map, Value};
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, Tag};

const NODE_BUDGET: usize = 500_000;

enum Frame {
    Seq(Vec<Value>, Option<String>),
    Map(Map<String, Value>, Option<String>, Option<String>),
}

/// Converts a YAML template to JSON; errors carry `FILE:LINE:COL`.
pub fn to_json(src: &str, shown: &str) -> Result<Value, BadInput> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Value> = None;
    let mut nodes = 0usize;
    let at = |line: usize, col: usize, m: String| {
        BadInput(format!("{shown}:{}:{}: {m}", line.max(1), col + 1))
    };
    for ev in Parser::new_from_str(src) {
        let (ev, span) = ev.map_err(|e| {
            let m = e.marker();
            at(m.line(), m.col(), format!("invalid YAML: {}", e.kind()))
        })?;
        let (line, col) = (span.start.line(), span.start.col());
        nodes += 1;
        if nodes > NODE_BUDGET {
            return Err(at(line, col, "the document is too large".into()));
        }
        let done = match ev {
            Event::Scalar(text, style, _, tag) => {
                let fname = tag.as_deref().and_then(local_tag);
                let v = scalar(&text, style, tag.as_deref());
                Some(match fname {
                    Some(f) => intrinsic(&f, v),
                    None => v,
                })
            }
            Event::SequenceStart(_, _, tag) => {
                stack.push(Frame::Seq(Vec::new(), tag.as_deref().and_then(local_tag)));
                None
            }
            Event::MappingStart(_, _, tag) => {
                stack.push(Frame::Map(
                    Map::new(),
                    None,
                    tag.as_deref().and_then(local_tag),
                ));
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(items, t)) => Some(wrap(t, Value::Array(items))),
                _ => return Err(at(line, col, "invalid YAML: unbalanced sequence".into())),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(m, _, t)) => Some(wrap(t, Value::Object(m))),
                _ => return Err(at(line, col, "invalid YAML: unbalanced mapping".into())),
            },
            Event::Alias(_) | Event::UnresolvedAlias(_) => {
                return Err(at(
                    line,
                    col,
                    "YAML aliases are not supported in templates".into(),
                ));
            }
            _ => None,
        };
        let Some(v) = done else { continue };
        match stack.last_mut() {
            None => root = Some(v),
            Some(Frame::Seq(items, _)) => items.push(v),
            Some(Frame::Map(m, key, _)) => match key.take() {
                None => match v {
                    Value::String(k) => *key = Some(k),
                    Value::Number(n) => *key = Some(n.to_string()),
                    Value::Bool(b) => *key = Some(b.to_string()),
                    _ => return Err(at(line, col, "a mapping key must be a scalar".into())),
                },
                Some(k) => {
                    if m.contains_key(&k) {
                        return Err(at(line, col, format!("duplicate key `{k}`")));
                    }
                    m.insert(k, v);
                }
            },
        }
    }
    Ok(root.unwrap_or(Value::Null))
}

/// `!Ref` → `Ref`, `!GetAtt` → `Fn::GetAtt`, …; core tags (`!!str`) → None.
fn local_tag(t: &Tag) -> Option<String> {
    if t.core_suffix().is_some() {
        return None;
    }
    let (h, s) = t.original_parts();
    (h == "!" && !s.is_empty()).then(|| s.to_string())
}

fn wrap(tag: Option<String>, v: Value) -> Value {
    match tag {
        Some(t) => intrinsic(&t, v),
        None => v,
    }
}

fn intrinsic(name: &str, v: Value) -> Value {
    let mut m = Map::new();
    match name {
        "Ref" => {
            m.insert("Ref".into(), v);
        }
        "Condition" => {
            m.insert("Condition".into(), v);
        }
        "GetAtt" => {
            let v = match v {
                Value::String(s) => match s.split_once('.') {
                    Some((a, b)) => Value::Array(vec![a.into(), b.into()]),
                    None => Value::String(s),
                },
                x => x,
            };
            m.insert("Fn::GetAtt".into(), v);
        }
        f => {
            m.insert(format!("Fn::{f}"), v);
        }
    }
    Value::Object(m)
}

fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    if style != ScalarStyle::Plain || tag.is_some_and(|t| t.core_suffix() == Some("str")) {
        return Value::String(text.to_string());
    }
    if tag.is_some_and(|t| t.core_suffix().is_none()) {
        // A local tag's plain scalar (`!Ref Web`) is text.
        return Value::String(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ => {
            if let Ok(i) = text.parse::<i64>() {
                Value::from(i)
            } else if let Some(f) = text
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite() && text.bytes().any(|c| c.is_ascii_digit()))
            {
                Value::from(f)
            } else {
                Value::String(text.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms() {
        let v = to_json(
            "A: !Ref Web\nB: !GetAtt Dlq.Arn\nC: !Sub 'table/${T}'\nD: !Join [',', [a, b]]\nE: 5\nF: '5'\n",
            "t.yaml",
        )
        .unwrap();
        assert_eq!(v["A"], serde_json::json!({"Ref": "Web"}));
        assert_eq!(v["B"], serde_json::json!({"Fn::GetAtt": ["Dlq", "Arn"]}));
        assert_eq!(v["C"], serde_json::json!({"Fn::Sub": "table/${T}"}));
        assert_eq!(v["D"], serde_json::json!({"Fn::Join": [",", ["a", "b"]]}));
        assert_eq!(v["E"], serde_json::json!(5));
        assert_eq!(v["F"], serde_json::json!("5"));
    }

    #[test]
    fn errors_have_positions() {
        let e = to_json("A: [1, 2\nB: 3\n", "t.yaml").unwrap_err();
        assert!(e.0.starts_with("t.yaml:"), "{e}");
        let e = to_json("A: 1\nA: 2\n", "t.yaml").unwrap_err();
        assert!(e.0.starts_with("t.yaml:2:"), "{e}");
    }
}
