//! `stratus run --format parquet`: metrics.parquet and activities.parquet
//! hold the CSVs' rows, column for column, with typed columns.

use crate::util::TempDir;
use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, ArrayRef, RecordBatch};
use assert_cmd::Command;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn run(out: &std::path::Path, format: &str) {
    Command::cargo_bin("stratus")
        .expect("binary")
        .args([
            "run",
            "scenarios/policies-on-a-spike.yaml",
            "--no-charts",
            "--set",
            "duration=30m",
            "--format",
            format,
            "--out",
        ])
        .arg(out)
        .assert()
        .success();
}

fn batches(path: &std::path::Path) -> Vec<RecordBatch> {
    let f = std::fs::File::open(path).expect("parquet file");
    ParquetRecordBatchReaderBuilder::try_new(f)
        .expect("a parquet file")
        .build()
        .expect("reader")
        .map(|b| b.expect("batch"))
        .collect()
}

/// Every cell of a column as text (numbers in Rust's shortest round-trip
/// form, which is how the CSVs print the values the Parquet files hold).
fn cells(a: &ArrayRef) -> Vec<String> {
    if let Some(d) = a.as_any_dictionary_opt() {
        let v = d.values().as_string::<i32>();
        d.normalized_keys()
            .iter()
            .map(|&k| v.value(k).to_string())
            .collect()
    } else if let Some(f) = a.as_primitive_opt::<Float64Type>() {
        f.values().iter().map(|x| x.to_string()).collect()
    } else {
        let s = a.as_string::<i32>();
        (0..s.len()).map(|i| s.value(i).to_string()).collect()
    }
}

/// The file's rows as CSV records (header first).
fn as_csv_records(path: &std::path::Path) -> Vec<Vec<String>> {
    let bs = batches(path);
    let schema = bs[0].schema();
    let mut rows: Vec<Vec<String>> =
        vec![schema.fields().iter().map(|f| f.name().clone()).collect()];
    for b in &bs {
        let cols: Vec<Vec<String>> = b.columns().iter().map(cells).collect();
        for i in 0..b.num_rows() {
            rows.push(cols.iter().map(|c| c[i].clone()).collect());
        }
    }
    rows
}

fn csv_records(path: &std::path::Path) -> Vec<Vec<String>> {
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .expect("csv");
    rd.records()
        .map(|r| r.expect("record").iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn parquet_equals_the_csv_row_for_row() {
    let t = TempDir::new("parquet");
    let both = t.join("both");
    run(&both, "csv,parquet");
    for name in ["metrics", "activities"] {
        let pq = as_csv_records(&both.join(format!("{name}.parquet")));
        let csv = csv_records(&both.join(format!("{name}.csv")));
        assert!(csv.len() > 10, "{name}: {} rows", csv.len());
        assert_eq!(pq, csv, "{name}");
    }
    // Typed columns.
    let m = batches(&both.join("metrics.parquet"));
    let schema = m[0].schema();
    for (col, ty) in [("t_s", "Float64"), ("value", "Float64")] {
        assert_eq!(
            format!("{:?}", schema.field_with_name(col).unwrap().data_type()),
            ty
        );
    }
    assert!(matches!(
        schema.field_with_name("resource").unwrap().data_type(),
        arrow_schema::DataType::Dictionary(_, _)
    ));

    // Parquet only: no CSVs, the same Parquet bytes (deterministic).
    let only = t.join("only");
    run(&only, "parquet");
    assert!(!only.join("metrics.csv").exists() && !only.join("activities.csv").exists());
    assert!(only.join("summary.json").exists());
    for f in ["metrics.parquet", "activities.parquet"] {
        assert_eq!(
            std::fs::read(only.join(f)).unwrap(),
            std::fs::read(both.join(f)).unwrap(),
            "{f}"
        );
    }
}
