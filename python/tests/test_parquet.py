"""Parquet outputs: typed columns, equal to the CSVs, the same bytes from
Python and from `stratus run --format parquet`."""

import duckdb
import pandas as pd
import polars as pl
import pyarrow.parquet as pq

import stratus

SPIKE = "scenarios/policies-on-a-spike.yaml"


def test_parquet_round_trip_equals_csv(root, cli, tmp_path):
    cli("run", SPIKE, "--set", "duration=30m", "--format", "csv,parquet", "--out", tmp_path / "cli", "--no-charts")
    d = tmp_path / "cli"
    m_csv = pd.read_csv(d / "metrics.csv", dtype={"t_s": float, "value": float})
    m_pq = pd.read_parquet(d / "metrics.parquet")
    assert len(m_pq) == len(m_csv) > 0
    pd.testing.assert_frame_equal(m_pq.astype({"resource": str, "metric": str}), m_csv.astype({"resource": str, "metric": str}), check_dtype=False)
    assert (m_pq["value"].to_numpy() == m_csv["value"].to_numpy()).all()  # exact, not approximate
    a_csv = pd.read_csv(d / "activities.csv", keep_default_na=False, dtype={"t_s": float})
    a_pq = pd.read_parquet(d / "activities.parquet")
    assert list(a_pq.columns) == list(a_csv.columns)
    for c in a_csv.columns:
        assert a_pq[c].astype(a_csv[c].dtype if c == "t_s" else str).tolist() == a_csv[c].astype(str if c != "t_s" else float).tolist(), c

    # Typed columns.
    schema = pq.read_schema(d / "metrics.parquet")
    assert str(schema.field("t_s").type) == "double"
    assert str(schema.field("value").type) == "double"
    assert str(schema.field("resource").type).startswith("dictionary<values=string")
    assert isinstance(m_pq["metric"].dtype, pd.CategoricalDtype)

    # Python writes the same bytes.
    run = stratus.run(stratus.load(SPIKE).set("duration", "30m"))
    paths = run.to_parquet(tmp_path / "py")
    for p in paths:
        assert p.read_bytes() == (d / p.name).read_bytes(), p.name
    pd.testing.assert_frame_equal(
        run.metrics.astype({"resource": str, "metric": str}), m_pq.astype({"resource": str, "metric": str})
    )


def test_parquet_only_folder_and_readers(root, cli, tmp_path):
    d = tmp_path / "pq"
    cli("run", SPIKE, "--set", "duration=20m", "--format", "parquet", "--out", d, "--no-charts")
    assert not (d / "metrics.csv").exists() and (d / "metrics.parquet").exists()
    n = duckdb.sql(f"select count(*), count(distinct metric) from '{d / 'metrics.parquet'}'").fetchall()[0]
    rows = pl.read_parquet(d / "metrics.parquet")
    assert n[0] == rows.height > 0
    cpu = duckdb.sql(
        f"select avg(value) from '{d / 'metrics.parquet'}' where metric = 'CPUUtilization' and resource = 'web'"
    ).fetchall()[0][0]
    assert 0 < cpu <= 100
    kinds = duckdb.sql(f"select distinct kind from '{d / 'activities.parquet'}'").fetchall()
    assert ("launch",) in kinds
