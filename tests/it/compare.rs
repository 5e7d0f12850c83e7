//! `stratus compare`, `stratus sweep` and `stratus merge`: common random
//! numbers, the output folders, sweeps that equal individual runs, shards
//! that merge to the unsharded sweep, and the HTML reports rendered by a
//! real browser (headless Chromium).

use crate::util::TempDir;
use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn stratus() -> Command {
    Command::cargo_bin("stratus").expect("binary")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A CSV file as (header, rows); the files here have no quoted commas.
fn csv(p: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn summary_without(p: &Path, keys: &[&str]) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(&read(p)).unwrap();
    for k in keys {
        v.as_object_mut().unwrap().remove(*k);
    }
    v
}

#[test]
fn identical_variants_show_zero_deltas() {
    let t = TempDir::new("cmp-same");
    let out = t.join("cmp");
    let o = stratus()
        .args([
            "compare",
            "scenarios/quickstart.yaml",
            "--no-charts",
            "--set",
            "duration=4m",
            "--variant",
            "twin",
            "--variant",
            "bigger",
            "--set",
            "auto_scaling_groups[web].max=6",
            "--set",
            "auto_scaling_groups[web].desired=6",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&o.get_output().stdout).to_string();
    assert!(
        stdout.contains("twin") && stdout.contains("+0.0%"),
        "{stdout}"
    );

    let (header, rows) = csv(&out.join("comparison.csv"));
    assert_eq!(header[0], "variant");
    let names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["base", "twin", "bigger"]);
    // Same seed, same streams, same settings: the same figures exactly.
    assert_eq!(rows[0][1..], rows[1][1..], "twin differs from base");
    // The bigger fleet is a real difference (more instance-hours).
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_ne!(
        rows[2][col("instance_hours")],
        rows[0][col("instance_hours")]
    );
    assert_eq!(rows[2][col("max_in_service")], "6");

    // comparison.md: every change of the twin is +0.0%.
    let md = read(&out.join("comparison.md"));
    let twin = md.lines().find(|l| l.starts_with("| twin")).expect(&md);
    let deltas: Vec<&str> = twin
        .split('(')
        .skip(1)
        .map(|s| s.split(')').next().unwrap())
        .collect();
    assert!(!deltas.is_empty(), "{twin}");
    assert!(deltas.iter().all(|d| *d == "+0.0%"), "{twin}");
    let bigger = md.lines().find(|l| l.starts_with("| bigger")).expect(&md);
    assert!(bigger.contains('%') && !bigger.split('(').skip(1).all(|d| d.starts_with("+0.0%")));

    // Common random numbers down to the time series: the twin's run folder
    // is the base's, but for the variant's name and the wall time.
    for f in ["metrics.csv", "activities.csv"] {
        assert_eq!(
            read(&out.join("runs/base").join(f)),
            read(&out.join("runs/twin").join(f)),
            "{f}"
        );
    }
    assert_eq!(
        summary_without(&out.join("runs/base/summary.json"), &["wall_s", "variant"]),
        summary_without(&out.join("runs/twin/summary.json"), &["wall_s", "variant"])
    );
}

#[test]
fn compare_writes_the_folder_with_confidence_intervals() {
    let t = TempDir::new("cmp-files");
    let out = t.join("cmp");
    stratus()
        .args([
            "compare",
            "scenarios/policies-on-a-spike.yaml",
            "--set",
            "duration=12m",
            "--replications",
            "3",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let (header, rows) = csv(&out.join("comparison.csv"));
    assert_eq!(header[0], "variant");
    for k in [
        "cost_usd",
        "latency_p50_ms",
        "latency_p99_ms",
        "errors",
        "ok",
        "min_in_service",
        "max_in_service",
        "scaling_activities",
        "table_throttles",
        "redeliveries",
        "sticky_rebinds",
        "sessions_lost",
        "latency_p99_ms_ci95",
        "cost_usd_ci95",
    ] {
        assert!(header.iter().any(|h| h == k), "comparison.csv lacks {k}");
    }
    let names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["base", "step", "simple"]);
    let reps = header.iter().position(|h| h == "replications").unwrap();
    assert!(rows.iter().all(|r| r[reps] == "3"));
    // Three seeds differ, so some interval is wider than zero.
    let ci = header
        .iter()
        .position(|h| h == "latency_p50_ms_ci95")
        .unwrap();
    assert!(rows.iter().any(|r| r[ci].parse::<f64>().unwrap() > 0.0));
    let (_, reps_rows) = csv(&out.join("replications.csv"));
    assert_eq!(reps_rows.len(), 9);

    let md = read(&out.join("comparison.md"));
    assert!(md.contains("| variant") && md.contains(" ± "), "{md}");
    for v in ["base", "step", "simple"] {
        for f in [
            "summary.json",
            "metrics.csv",
            "activities.csv",
            "report.html",
        ] {
            assert!(out.join("runs").join(v).join(f).is_file(), "runs/{v}/{f}");
        }
    }
    for c in ["capacity", "latency", "errors", "cpu"] {
        for ext in ["png", "svg"] {
            assert!(out.join(format!("charts/{c}.{ext}")).is_file(), "{c}.{ext}");
        }
    }
    let svg = read(&out.join("charts/capacity.svg"));
    assert!(svg.contains("In-service instances of group web"));
    assert!(
        ["base", "step", "simple"]
            .iter()
            .all(|v| svg.lines().any(|l| l.trim() == *v)),
        "a legend entry per variant"
    );
    let html = read(&out.join("report.html"));
    assert!(html.contains("<svg") && html.contains("comparison-table"));
    // The interactive dashboard: one series per variant, scripts inline.
    assert!(html.contains("stratus-data") && html.contains("\"label\":\"simple\""));
    // Self-contained: nothing fetched.
    for bad in ["src=\"", "href=\"http", "url(http", "<link", "@import"] {
        assert!(!html.contains(bad), "report.html contains {bad}");
    }

    // --variants picks; a folder that is not ours is refused (exit 2).
    let picked = t.join("picked");
    stratus()
        .args([
            "compare",
            "scenarios/policies-on-a-spike.yaml",
            "--no-charts",
            "--set",
            "duration=2m",
            "--variants",
            "simple",
            "--out",
        ])
        .arg(&picked)
        .assert()
        .success();
    let (_, rows) = csv(&picked.join("comparison.csv"));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][0], "simple");
    let mine = t.join("mine");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "keep").unwrap();
    stratus()
        .args([
            "compare",
            "scenarios/quickstart.yaml",
            "--no-charts",
            "--set",
            "duration=1m",
            "--out",
        ])
        .arg(&mine)
        .assert()
        .code(2);
    assert_eq!(read(&mine.join("notes.txt")), "keep");
    stratus()
        .args([
            "compare",
            "scenarios/policies-on-a-spike.yaml",
            "--variants",
            "nope",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no variant named \"nope\""));
}

const RATE: &str = "workloads[shoppers].rate.steps[0].rps";
const SWEEP_SETS: [&str; 2] = ["--set", "duration=3m"];

fn sweep(out: &Path, extra: &[&str]) {
    stratus()
        .args(["sweep", "scenarios/quickstart.yaml"])
        .args(SWEEP_SETS)
        .args([
            "--param",
            &format!("{RATE}=200,500"),
            "--param",
            "auto_scaling_groups[web].instance.workers=4,8",
            "--replications",
            "2",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

#[test]
fn sweep_rows_equal_individual_runs() {
    let t = TempDir::new("sweep-rows");
    let out = t.join("sweep");
    stratus()
        .args(["sweep", "scenarios/quickstart.yaml", "--no-charts"])
        .args(SWEEP_SETS)
        .args(["--param", &format!("{RATE}=150,450,900"), "--out"])
        .arg(&out)
        .assert()
        .success();
    let (header, rows) = csv(&out.join("sweep.csv"));
    assert_eq!(header[..4], [RATE, "replication", "seed", "grid_index"]);
    assert_eq!(rows.len(), 3);
    for (i, (row, v)) in rows.iter().zip(["150", "450", "900"]).enumerate() {
        assert_eq!(row[0], v);
        assert_eq!(row[3], i.to_string(), "grid order");
        let o = stratus()
            .args(["run", "scenarios/quickstart.yaml", "--no-charts", "--json"])
            .args(SWEEP_SETS)
            .args(["--set", &format!("{RATE}={v}"), "--out"])
            .arg(t.join(format!("run-{v}")))
            .assert()
            .success();
        let single: serde_json::Value = serde_json::from_slice(&o.get_output().stdout).unwrap();
        assert_eq!(row[2], single["seed"].to_string());
        let mut checked = 0;
        for (k, cell) in header.iter().zip(row).skip(4) {
            let mut at = &single;
            for part in k.split('.') {
                at = &at[part];
            }
            let want = at.as_f64().unwrap_or_else(|| panic!("{k} not in summary"));
            let got: f64 = cell.parse().unwrap();
            assert!(
                (got - want).abs() <= 1e-9 * want.abs().max(1.0),
                "{v}: {k}: sweep {got}, run {want}"
            );
            checked += 1;
        }
        assert!(checked > 20, "only {checked} figures");
    }
    // More load, more requests: the rows are not all the same run.
    let total = header.iter().position(|h| h == "requests.total").unwrap();
    let totals: Vec<f64> = rows.iter().map(|r| r[total].parse().unwrap()).collect();
    assert!(totals[0] < totals[1] && totals[1] < totals[2], "{totals:?}");
}

fn files_of(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn merged_shards_equal_the_unsharded_sweep() {
    let t = TempDir::new("sweep-shards");
    let whole = t.join("whole");
    sweep(&whole, &["--jobs", "2"]);
    let (header, rows) = csv(&whole.join("sweep.csv"));
    assert_eq!(rows.len(), 8, "2 × 2 values × 2 replications");
    assert!(
        header
            .iter()
            .any(|h| h == "auto_scaling_groups.web.cost_usd")
    );
    assert!(whole.join("charts/sweep.png").is_file() && whole.join("charts/sweep.svg").is_file());
    let svg = read(&whole.join("charts/sweep.svg"));
    assert!(
        svg.contains("requests.latency_ms.p99"),
        "heatmap titled by the metric"
    );

    // Three uneven shards, one of them through --shard auto as a Kubernetes
    // Indexed Job would run it.
    let shard = |k: u32| t.join(format!("shard-{k}"));
    sweep(&shard(0), &["--shard", "0/3", "--jobs", "1"]);
    stratus()
        .env("JOB_COMPLETION_INDEX", "1")
        .env("STRATUS_SHARDS", "3")
        .env_remove("AWS_BATCH_JOB_ARRAY_INDEX")
        .args(["sweep", "scenarios/quickstart.yaml"])
        .args(SWEEP_SETS)
        .args([
            "--param",
            &format!("{RATE}=200,500"),
            "--param",
            "auto_scaling_groups[web].instance.workers=4,8",
            "--replications",
            "2",
            "--shard",
            "auto",
            "--out",
        ])
        .arg(shard(1))
        .assert()
        .success();
    sweep(&shard(2), &["--shard", "2/3"]);
    let (_, part) = csv(&shard(1).join("sweep.csv"));
    let idx: Vec<&str> = part.iter().map(|r| r[4].as_str()).collect();
    assert_eq!(idx, ["1", "4", "7"], "shard 1/3 runs i % 3 == 1");
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&shard(1).join("sweep.json"))).unwrap();
    assert_eq!(manifest["grid_size"], 8);
    assert_eq!(
        manifest["shard"],
        serde_json::json!({"index": 1, "count": 3})
    );

    let merged = t.join("merged");
    stratus()
        .arg("merge")
        .args([shard(2), shard(0), shard(1)])
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    let (a, b) = (files_of(&whole), files_of(&merged));
    assert_eq!(
        a.iter().map(|f| &f.0).collect::<Vec<_>>(),
        b.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for (x, y) in a.iter().zip(&b) {
        assert!(
            x.1 == y.1,
            "{} differs between the sweep and the merge",
            x.0.display()
        );
    }
}

#[test]
fn merge_refuses_missing_or_doubled_shards() {
    let t = TempDir::new("sweep-missing");
    let shard = |k: u32| t.join(format!("shard-{k}"));
    for k in 0..3 {
        stratus()
            .args(["sweep", "scenarios/quickstart.yaml", "--no-charts"])
            .args(["--set", "duration=1m"])
            .args(["--param", &format!("{RATE}=100,200,300,400")])
            .args(["--shard", &format!("{k}/3"), "--out"])
            .arg(shard(k))
            .assert()
            .success();
    }
    let out = t.join("merged");
    stratus()
        .arg("merge")
        .args([shard(0), shard(2)])
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("missing"))
        .stderr(predicates::str::contains("1/3"));
    assert!(!out.exists(), "a failed merge writes nothing");
    stratus()
        .arg("merge")
        .args([shard(0), shard(1), shard(2), shard(1)])
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("grid index"));
    assert!(!out.exists());
    // Shards of another sweep do not mix.
    let other = t.join("other");
    stratus()
        .args(["sweep", "scenarios/quickstart.yaml", "--no-charts"])
        .args(["--set", "duration=1m"])
        .args(["--param", &format!("{RATE}=100,200,300,999")])
        .args(["--shard", "1/3", "--out"])
        .arg(&other)
        .assert()
        .success();
    stratus()
        .arg("merge")
        .args([shard(0), other.clone(), shard(2)])
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not shards of the same sweep"));
    // And all three merge.
    stratus()
        .arg("merge")
        .args([shard(0), shard(1), shard(2)])
        .args(["--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(csv(&out.join("sweep.csv")).1.len(), 4);
}

#[test]
fn sweep_bad_input_exits_2_and_writes_nothing() {
    let t = TempDir::new("sweep-bad");
    let out = t.join("never");
    for args in [
        vec!["--param", "auto_scaling_groups[web].max=4,x"],
        vec!["--param", "nonsense"],
        vec!["--param", "duration=1m", "--shard", "3/3"],
        vec!["--param", "duration=1m", "--metric", "requests.nope"],
        vec!["--param", "duration=1m", "--shard", "auto"],
    ] {
        stratus()
            .env_remove("AWS_BATCH_JOB_ARRAY_INDEX")
            .env_remove("JOB_COMPLETION_INDEX")
            .env_remove("SLURM_ARRAY_TASK_ID")
            .args(["sweep", "scenarios/quickstart.yaml"])
            .args(&args)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2);
        assert!(!out.exists(), "{args:?} wrote output");
    }
}

// ---------------------------------------------------------------------------
// The HTML reports in a real browser
// ---------------------------------------------------------------------------

const CHROMIUM: &str = "/usr/bin/chromium";

/// Chromium, or None when it is not installed and this is not CI. In CI
/// (`CI` set, as `.ci/run` runs) a missing Chromium fails the test: `.ci/run`
/// installs it. Locally the test is skipped with a note.
fn chromium() -> Option<PathBuf> {
    let p = PathBuf::from(CHROMIUM);
    if p.is_file() {
        return Some(p);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "{CHROMIUM} is missing: CI must install it (apt-get install -y chromium, see .ci/run)"
        );
    }
    eprintln!(
        "note: skipping the headless Chromium check: {CHROMIUM} is not installed (apt-get install -y chromium); CI fails instead of skipping"
    );
    None
}

/// Run headless Chromium on `page` with `args`; stdout. Killed after 90 s.
fn headless(chromium: &Path, profile: &Path, page: &Path, args: &[String]) -> Vec<u8> {
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let mut child = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(&url)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut buf);
        buf
    });
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium failed on {url}: {status}");
            break;
        }
        if start.elapsed() > std::time::Duration::from_secs(90) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s on {url}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    reader.join().unwrap()
}

/// The page's rendered DOM holds the charts, and a screenshot of it is a
/// real picture (not blank).
fn check_page(chromium: &Path, t: &TempDir, page: &Path, titles: &[&str], min_svgs: usize) {
    let profile = t.join("chromium-profile");
    let dom = String::from_utf8_lossy(&headless(chromium, &profile, page, &["--dump-dom".into()]))
        .to_string();
    assert!(dom.contains("<html"), "no DOM from {}", page.display());
    let svgs = dom.matches("<svg").count();
    assert!(
        svgs >= min_svgs,
        "{}: {svgs} <svg> elements in the DOM",
        page.display()
    );
    for title in titles {
        assert!(
            dom.contains(title),
            "{}: no chart titled {title:?}",
            page.display()
        );
    }
    let shot = t.join("shot.png");
    let _ = std::fs::remove_file(&shot);
    headless(
        chromium,
        &profile,
        page,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1200,2000".into(),
        ],
    );
    let bytes = std::fs::read(&shot).expect("screenshot written");
    assert!(
        bytes.len() > 20_000,
        "screenshot only {} bytes",
        bytes.len()
    );
    let mut dec = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    let mut buf = vec![0; dec.output_buffer_size()];
    let info = dec.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1200, 2000));
    let px = info.color_type.samples();
    let mut colours = std::collections::HashSet::new();
    let mut non_white = 0usize;
    for p in buf[..info.buffer_size()].chunks(px) {
        colours.insert(p[..3].to_vec());
        if p[..3].iter().any(|&c| c < 200) {
            non_white += 1;
        }
    }
    assert!(
        colours.len() > 50,
        "screenshot has {} colours",
        colours.len()
    );
    assert!(
        non_white > 20_000,
        "screenshot is nearly blank ({non_white} dark pixels)"
    );
}

#[test]
fn html_reports_render_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        return;
    };
    let t = TempDir::new("chromium");
    let run = t.join("run");
    stratus()
        .args([
            "run",
            "scenarios/quickstart.yaml",
            "--set",
            "duration=10m",
            "--out",
        ])
        .arg(&run)
        .assert()
        .success();
    check_page(
        &chromium,
        &t,
        &run.join("report.html"),
        &[
            "Capacity of group web against load",
            "Target response time",
            "CPU utilization",
        ],
        4,
    );
    let cmp = t.join("cmp");
    stratus()
        .args([
            "compare",
            "scenarios/policies-on-a-spike.yaml",
            "--set",
            "duration=15m",
            "--out",
        ])
        .arg(&cmp)
        .assert()
        .success();
    check_page(
        &chromium,
        &t,
        &cmp.join("report.html"),
        &[
            "In-service instances of group web",
            "p99 target response time of load balancer web",
            "comparison-table",
        ],
        4,
    );
}
