//! `metrics.parquet` and `activities.parquet` (`stratus run --format
//! parquet`): the rows of `metrics.csv` and `activities.csv` with typed
//! columns, for DuckDB, polars, pandas or Spark.
//!
//! The columns are those of the CSVs, in the same order, with the same
//! values: `t_s` and `value` as `DOUBLE` (the numbers the CSV prints — at
//! most 6 decimals — read back, so a Parquet file equals its CSV), the
//! resource, metric and kind as dictionary-encoded strings (pandas reads
//! them as `category`), the other text as strings. The Arrow schema is
//! stored in the file, Snappy-compressed; the bytes depend only on the rows
//! (the same seed gives the same file).

use crate::report::metrics::{Series, fmt_num};
use crate::report::output;
use crate::run::RunResult;
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, Float64Array, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::collections::HashMap;
use std::sync::Arc;

/// A number as `metrics.csv` prints it, read back.
pub fn csv_value(v: f64) -> f64 {
    fmt_num(v).parse().unwrap_or(0.0)
}

fn dict_type() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

fn dict(keys: Vec<i32>, values: &[&str]) -> Result<ArrayRef, String> {
    let d = DictionaryArray::<Int32Type>::try_new(
        Int32Array::from(keys),
        Arc::new(StringArray::from(values.to_vec())),
    )
    .map_err(|e| e.to_string())?;
    Ok(Arc::new(d))
}

fn write(schema: Arc<Schema>, columns: Vec<ArrayRef>) -> Result<Vec<u8>, String> {
    let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| e.to_string())?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut out = Vec::new();
    let mut w = ArrowWriter::try_new(&mut out, schema, Some(props)).map_err(|e| e.to_string())?;
    w.write(&batch).map_err(|e| e.to_string())?;
    w.close().map_err(|e| e.to_string())?;
    Ok(out)
}

/// `metrics.parquet`: `t_s DOUBLE, resource, metric (dictionary strings),
/// value DOUBLE`, one row per row of `metrics.csv`, in the same order.
pub fn metrics_parquet(s: &Series) -> Result<Vec<u8>, String> {
    let n = s.rows.len();
    let mut t = Vec::with_capacity(n);
    let mut res = Vec::with_capacity(n);
    let mut met = Vec::with_capacity(n);
    let mut val = Vec::with_capacity(n);
    let mut names: Vec<&str> = Vec::new();
    let mut index: HashMap<&str, i32> = HashMap::new();
    for r in &s.rows {
        t.push(r.t as f64 / 1e9);
        res.push(r.resource as i32);
        let k = *index.entry(r.metric).or_insert_with(|| {
            names.push(r.metric);
            names.len() as i32 - 1
        });
        met.push(k);
        val.push(csv_value(r.value));
    }
    let resources: Vec<&str> = s.resources.iter().map(String::as_str).collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("t_s", DataType::Float64, false),
        Field::new("resource", dict_type(), false),
        Field::new("metric", dict_type(), false),
        Field::new("value", DataType::Float64, false),
    ]));
    write(
        schema,
        vec![
            Arc::new(Float64Array::from(t)),
            dict(res, &resources)?,
            dict(met, &names)?,
            Arc::new(Float64Array::from(val)),
        ],
    )
}

/// `activities.parquet`: the columns of `activities.csv` (read from its
/// text, so the two always have the same columns): `t_s DOUBLE`, `resource`
/// and `kind` as dictionary strings, the rest as strings.
pub fn activities_parquet(csv_text: &str) -> Result<Vec<u8>, String> {
    let mut rd = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = rd
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(str::to_string)
        .collect();
    let mut cols: Vec<Vec<String>> = vec![Vec::new(); header.len()];
    for rec in rd.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        for (c, col) in cols.iter_mut().enumerate() {
            col.push(rec.get(c).unwrap_or("").to_string());
        }
    }
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (name, col) in header.iter().zip(cols) {
        match name.as_str() {
            "t_s" => {
                let v = col
                    .iter()
                    .map(|x| x.parse::<f64>().map_err(|e| format!("t_s {x}: {e}")))
                    .collect::<Result<Vec<f64>, String>>()?;
                fields.push(Field::new(name, DataType::Float64, false));
                arrays.push(Arc::new(Float64Array::from(v)));
            }
            "resource" | "kind" => {
                let mut values: Vec<&str> = Vec::new();
                let mut index: HashMap<&str, i32> = HashMap::new();
                let keys: Vec<i32> = col
                    .iter()
                    .map(|x| {
                        *index.entry(x.as_str()).or_insert_with(|| {
                            values.push(x.as_str());
                            values.len() as i32 - 1
                        })
                    })
                    .collect();
                fields.push(Field::new(name, dict_type(), false));
                arrays.push(dict(keys, &values)?);
            }
            _ => {
                fields.push(Field::new(name, DataType::Utf8, false));
                arrays.push(Arc::new(StringArray::from(col)));
            }
        }
    }
    write(Arc::new(Schema::new(fields)), arrays)
}

/// The Parquet files of a run folder.
pub fn run_files(r: &RunResult) -> Result<Vec<(String, Vec<u8>)>, String> {
    Ok(vec![
        ("metrics.parquet".into(), metrics_parquet(&r.series)?),
        (
            "activities.parquet".into(),
            activities_parquet(&output::activities_csv(r))?,
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Float64Type;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    fn read(bytes: Vec<u8>) -> RecordBatch {
        let mut r = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes))
            .unwrap()
            .build()
            .unwrap();
        let b = r.next().unwrap().unwrap();
        assert!(r.next().is_none());
        b
    }

    fn strings(b: &RecordBatch, col: &str) -> Vec<String> {
        utf8_values(b.column_by_name(col).unwrap())
    }

    /// A dictionary or plain string column as its values.
    fn utf8_values(a: &ArrayRef) -> Vec<String> {
        if let Some(d) = a.as_any_dictionary_opt() {
            let values = d.values().as_string::<i32>();
            let keys = d.normalized_keys();
            keys.iter().map(|&k| values.value(k).to_string()).collect()
        } else {
            let s = a.as_string::<i32>();
            (0..s.len()).map(|i| s.value(i).to_string()).collect()
        }
    }

    fn floats(b: &RecordBatch, col: &str) -> Vec<f64> {
        b.column_by_name(col)
            .unwrap()
            .as_primitive::<Float64Type>()
            .values()
            .to_vec()
    }

    #[test]
    fn metrics_keep_rows_values_and_types() {
        let mut s = Series::default();
        let web = s.resource("web");
        let lb = s.resource("a,b");
        s.push(0, web, "CPUUtilization", 12.345_678_9);
        s.push(60_000_000_000, lb, "RequestCount", 3.0);
        s.push(90_500_000_000, web, "CPUUtilization", 0.1 + 0.2);
        let b = read(metrics_parquet(&s).unwrap());
        assert_eq!(b.num_rows(), 3);
        assert_eq!(floats(&b, "t_s"), [0.0, 60.0, 90.5]);
        // The values metrics.csv prints, read back.
        assert_eq!(floats(&b, "value"), [12.345679, 3.0, 0.3]);
        assert_eq!(strings(&b, "resource"), ["web", "a,b", "web"]);
        assert_eq!(
            strings(&b, "metric"),
            ["CPUUtilization", "RequestCount", "CPUUtilization"]
        );
        assert!(matches!(
            b.schema().field_with_name("resource").unwrap().data_type(),
            DataType::Dictionary(_, _)
        ));
        // Deterministic bytes.
        assert_eq!(metrics_parquet(&s).unwrap(), metrics_parquet(&s).unwrap());
    }

    #[test]
    fn activities_follow_the_csv_columns() {
        let csv = "t_s,resource,kind,description,cause\n60,web,launch,\"Launching, now\",x\n61.5,web,alarm,d,\n";
        let b = read(activities_parquet(csv).unwrap());
        let names: Vec<String> = b
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(names, ["t_s", "resource", "kind", "description", "cause"]);
        assert_eq!(floats(&b, "t_s"), [60.0, 61.5]);
        assert_eq!(strings(&b, "kind"), ["launch", "alarm"]);
        assert_eq!(strings(&b, "description"), ["Launching, now", "d"]);
        assert_eq!(strings(&b, "cause"), ["x", ""]);
    }
}
