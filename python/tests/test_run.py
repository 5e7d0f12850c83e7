"""A run from Python equals `stratus run` for the same scenario and seed."""

import io
import json
import re
import threading
import time

import numpy as np
import pandas as pd
import pytest

import stratus

SPIKE = "scenarios/policies-on-a-spike.yaml"
QUICK = "scenarios/quickstart.yaml"


def without_wall(text: str) -> str:
    out, n = re.subn(r'\n  "wall_s": [0-9.e+-]+,', "", text)
    assert n == 1, text[:300]
    return out


def read_metrics_csv(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"t_s": "float64", "value": "float64"})


@pytest.mark.parametrize(
    "file,sets,variant,seed",
    [
        (QUICK, ["duration=10m"], None, 3),
        (SPIKE, ["duration=25m"], "step", None),
        ("scenarios/sticky-sessions.yaml", ["duration=20m"], "external-store", 5),
    ],
)
def test_summary_metrics_activities_equal_the_cli(root, cli, tmp_path, file, sets, variant, seed):
    out = tmp_path / "cli"
    args = ["run", file, "--out", out, "--no-charts"]
    for s in sets:
        args += ["--set", s]
    if variant:
        args += ["--variant", variant]
    if seed is not None:
        args += ["--seed", seed]
    cli(*args)

    sc = stratus.load(root / file)
    if variant:
        sc = sc.variant(variant)
    for s in sets:
        path, value = s.split("=", 1)
        sc = sc.set(path, value)
    run = stratus.run(sc, seed=seed)

    cli_summary = (out / "summary.json").read_text()
    # Byte for byte, but for the wall-clock time.
    assert without_wall(run.summary_json()) == without_wall(cli_summary)
    a, b = dict(run.summary), json.loads(cli_summary)
    a.pop("wall_s"), b.pop("wall_s")
    assert a == b
    assert list(a) == list(b)  # same keys, same order
    assert a["variant"] == variant

    m = run.metrics
    want = read_metrics_csv(out / "metrics.csv")
    assert len(m) == len(want) > 0
    pd.testing.assert_frame_equal(
        m.astype({"resource": str, "metric": str}), want.astype({"resource": str, "metric": str}),
        check_dtype=False,
    )
    assert run._n.metrics_csv() == (out / "metrics.csv").read_text()

    acts = run.activities
    want_a = pd.read_csv(out / "activities.csv", keep_default_na=False)
    assert list(acts.columns) == list(want_a.columns)
    assert len(acts) == len(want_a)
    assert acts["t_s"].tolist() == want_a["t_s"].astype(float).tolist()
    for c in acts.columns[1:]:
        assert acts[c].astype(str).tolist() == want_a[c].astype(str).tolist(), c
    assert run._n.activities_csv() == (out / "activities.csv").read_text()


def test_dataframe_dtypes(root):
    run = stratus.run(stratus.load(root / SPIKE).set("duration", "20m"))
    m = run.metrics
    assert list(m.columns) == ["t_s", "resource", "metric", "value"]
    assert m["t_s"].dtype == np.float64
    assert m["value"].dtype == np.float64
    assert isinstance(m["resource"].dtype, pd.CategoricalDtype)
    assert isinstance(m["metric"].dtype, pd.CategoricalDtype)
    assert {"GroupInServiceInstances", "CPUUtilization", "RequestCount"} <= set(m["metric"].cat.categories)
    assert m["t_s"].is_monotonic_increasing
    a = run.activities
    assert a["t_s"].dtype == np.float64
    assert isinstance(a["resource"].dtype, pd.CategoricalDtype)
    assert isinstance(a["kind"].dtype, pd.CategoricalDtype)
    assert "launch" in set(a["kind"])
    pl = run.to_polars()
    import polars

    assert pl.schema["t_s"] == polars.Float64
    assert pl.schema["value"] == polars.Float64
    assert pl.schema["resource"] == polars.Categorical
    assert pl.height == len(m)
    assert pl["value"].to_list() == m["value"].tolist()
    pa = run.to_polars("activities")
    assert pa.height == len(a)
    assert pa["description"].to_list() == a["description"].tolist()
    s = run.series("web", "GroupInServiceInstances")
    assert len(s) == 20 and s.iloc[0] == 2.0


def test_run_writes_the_cli_folder(root, cli, tmp_path):
    sc = stratus.load(root / QUICK).set("duration", "5m")
    stratus.run(sc, seed=2, out=tmp_path / "py")
    cli("run", QUICK, "--set", "duration=5m", "--seed", 2, "--out", tmp_path / "cli")
    py_files = sorted(p.relative_to(tmp_path / "py") for p in (tmp_path / "py").rglob("*"))
    cli_files = sorted(p.relative_to(tmp_path / "cli") for p in (tmp_path / "cli").rglob("*"))
    assert py_files == cli_files
    for rel in py_files:
        if rel.suffix in (".csv", ".svg", ".png"):
            assert (tmp_path / "py" / rel).read_bytes() == (tmp_path / "cli" / rel).read_bytes(), rel
    # A folder that is not ours is refused, as on the command line.
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="refusing to replace"):
        stratus.run(sc, out=mine)
    assert (mine / "notes.txt").read_text() == "keep me"


def test_load_from_text_and_dict_equal_the_file(root):
    text = (root / QUICK).read_text()
    a = stratus.run(stratus.load(root / QUICK).set("duration", "5m"))
    b = stratus.run(stratus.load(text).set("duration", "5m"))
    import yaml  # PyYAML comes with the test dependencies (jupyter)

    c = stratus.run(stratus.load(yaml.safe_load(text)).set("duration", "5m"))
    assert without_wall(a.summary_json()) == without_wall(b.summary_json())
    assert without_wall(a.summary_json()) == without_wall(c.summary_json())


def test_scenario_api(root):
    sc = stratus.load(root / SPIKE)
    assert sc.name == "policies-on-a-spike"
    assert sc.variants == ["step", "simple"]
    assert sc.seed == 21
    assert sc.duration_s == 80 * 60
    s2 = sc.set("duration", "30m").set("auto_scaling_groups[web].max", 6)
    assert s2.duration_s == 1800 and sc.duration_s == 4800  # immutable
    assert s2.sets == ["duration=30m", "auto_scaling_groups[web].max=6"]
    assert sc.with_seed(7).seed == 7
    assert sc.variant("simple").applied_variant == "simple"
    assert "policies-on-a-spike" in repr(sc)


def test_charts_explain_and_display(root):
    run = stratus.run(stratus.load(root / SPIKE).set("duration", "30m"))
    assert "capacity" in run.charts
    assert all(svg.lstrip().startswith("<svg") for svg in run.charts.values())
    h = run._repr_html_()
    assert h.count("<svg") == len(run.charts) and "requests" in h and "latency" in h
    t = run.explain("web")
    assert t.startswith("+00:00:00") and "[web] launch" in t
    assert "Launching a new EC2 instance" in t
    assert repr(t) == str(t)
    assert "<html" in run.report_html()


def test_the_gil_is_released_while_simulating(root):
    sc = stratus.load(root / QUICK).set("duration", "30m")
    done = []
    t = threading.Thread(target=lambda: done.append(stratus.run(sc)))
    t.start()
    ticks = 0
    while t.is_alive():
        ticks += 1
        time.sleep(0.002)
    t.join()
    assert done and done[0].summary["requests"]["total"] > 0
    # With the GIL held for the whole run this thread could not have run.
    assert ticks >= 20, ticks


def test_ctrl_c_interrupts_a_run(root):
    import os
    import signal

    # A run of many minutes: only an interrupt ends it early.
    sc = stratus.load(root / QUICK).set("duration", "48h")
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            stratus.run(sc)
    finally:
        timer.cancel()
    # The package still works afterwards.
    assert stratus.run(sc.set("duration", "1m")).summary["simulated_s"] == 60
