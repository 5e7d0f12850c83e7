//! The dashboard as `stratus run` writes it: every chart as a PNG of the
//! agreed size and an SVG, and a self-contained `report.html`.

use crate::util::TempDir;
use assert_cmd::Command;
use std::path::Path;

fn stratus() -> Command {
    Command::cargo_bin("stratus").expect("binary")
}

/// Width and height from a PNG's IHDR chunk, after checking the signature;
/// then a full decode must agree.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 33, "PNG too short");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "first chunk is IHDR");
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    let (w, h) = (be(16), be(20));
    let mut reader = png::Decoder::new(bytes).read_info().expect("PNG decodes");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG frame decodes");
    assert_eq!((info.width, info.height), (w, h));
    (w, h)
}

fn chart_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("charts"))
        .expect("charts/ exists")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn quickstart_dashboard_and_report() {
    let t = TempDir::new("charts");
    let out = t.join("run");
    stratus()
        .args(["run", "scenarios/quickstart.yaml", "--out"])
        .arg(&out)
        .assert()
        .success();
    let names = chart_files(&out);
    for chart in ["capacity", "latency", "errors", "cpu"] {
        for ext in ["png", "svg"] {
            let f = format!("{chart}.{ext}");
            assert!(names.contains(&f), "charts/{f} missing from {names:?}");
        }
    }
    for name in &names {
        let bytes = std::fs::read(out.join("charts").join(name)).unwrap();
        if let Some(stem) = name.strip_suffix(".png") {
            assert_eq!(png_size(&bytes), (1000, 560), "{name}");
            assert!(names.contains(&format!("{stem}.svg")), "{stem}.svg missing");
        } else {
            assert!(name.ends_with(".svg"), "unexpected file charts/{name}");
            let svg = String::from_utf8(bytes).expect("SVG is UTF-8");
            assert!(
                svg.contains("<svg") && svg.trim_end().ends_with("</svg>"),
                "{name}"
            );
            assert!(svg.contains("time since start (min)"), "{name}: x axis");
        }
    }
    let capacity = std::fs::read_to_string(out.join("charts/capacity.svg")).unwrap();
    assert!(capacity.contains("Capacity of group web"));
    assert!(capacity.contains("load (requests/s)"));

    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg"));
    assert_eq!(
        html.matches("<svg").count(),
        names.iter().filter(|n| n.ends_with(".svg")).count(),
        "one inline SVG per chart"
    );
    assert!(html.contains("quickstart"));
    assert!(html.contains("Activity timeline"));
    assert!(html.contains("Launching a new EC2 instance"));
    // Scripts are inline (uPlot and the dashboard's): nothing is fetched.
    assert!(html.contains("<script>") && html.contains("stratus-data"));
    assert!(
        !html.contains("<link") && !html.contains("src=\""),
        "nothing fetched"
    );
}

#[test]
fn dashboard_bytes_are_deterministic() {
    let t = TempDir::new("charts-det");
    let mut dirs = Vec::new();
    for i in 0..2 {
        let out = t.join(format!("run{i}"));
        stratus()
            .args([
                "run",
                "scenarios/quickstart.yaml",
                "--set",
                "duration=10m",
                "--out",
            ])
            .arg(&out)
            .assert()
            .success();
        dirs.push(out);
    }
    let names = chart_files(&dirs[0]);
    assert_eq!(names, chart_files(&dirs[1]));
    for name in names
        .iter()
        .map(|n| format!("charts/{n}"))
        .chain(["report.html".into()])
    {
        let a = std::fs::read(dirs[0].join(&name)).unwrap();
        let b = std::fs::read(dirs[1].join(&name)).unwrap();
        assert!(a == b, "{name} differs between identical runs");
    }
}

#[test]
fn no_charts_writes_no_dashboard() {
    let t = TempDir::new("charts-none");
    let out = t.join("run");
    stratus()
        .args([
            "run",
            "scenarios/quickstart.yaml",
            "--set",
            "duration=2m",
            "--no-charts",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    assert!(!out.join("charts").exists());
}
