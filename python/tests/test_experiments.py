"""compare and sweep from Python equal `stratus compare` / `stratus sweep`."""

import json

import pandas as pd

import stratus

SPIKE = "scenarios/policies-on-a-spike.yaml"


def test_compare_equals_the_cli(root, cli, tmp_path):
    out = tmp_path / "cmp"
    cli("compare", SPIKE, "--set", "duration=25m", "--replications", 2, "--out", out, "--no-charts")
    cmp = stratus.compare(stratus.load(SPIKE).set("duration", "25m"), replications=2)
    assert cmp.comparison_csv() == (out / "comparison.csv").read_text()
    want = pd.read_csv(out / "comparison.csv").set_index("variant")
    pd.testing.assert_frame_equal(cmp.table, want)
    assert list(cmp.table.index) == ["base", "step", "simple"]
    assert "errors_ci95" in cmp.table.columns
    pd.testing.assert_frame_equal(cmp.replications, pd.read_csv(out / "replications.csv"))
    # Each variant's first-seed run is the run folder the CLI wrote.
    for name, run in cmp.runs.items():
        cli_sum = (out / "runs" / name / "summary.json").read_text()
        a, b = dict(run.summary), json.loads(cli_sum)
        a.pop("wall_s"), b.pop("wall_s")
        assert a == b, name
        assert run._n.metrics_csv() == (out / "runs" / name / "metrics.csv").read_text()
    shown = cmp.shown()
    assert list(shown.index) == ["base", "step", "simple"]
    assert "±" in shown.iloc[0]["errors"] and "%" in shown.iloc[1]["errors"]


def test_compare_variants_and_adhoc(root, cli, tmp_path):
    out = tmp_path / "cmp"
    cli(
        "compare", SPIKE, "--set", "duration=20m", "--variants", "simple",
        "--variant", "six", "--set", "auto_scaling_groups[web].desired=6", "--out", out, "--no-charts",
    )
    sc = stratus.load(SPIKE).set("duration", "20m")
    a = stratus.compare(sc, ["simple"])
    b = stratus.compare(sc, {"six": {"auto_scaling_groups[web].desired": 6}})
    want = pd.read_csv(out / "comparison.csv").set_index("variant")
    pd.testing.assert_frame_equal(a.table, want.loc[["base", "simple"]])
    pd.testing.assert_frame_equal(b.table, want.loc[["base", "six"]])
    # Two identical variants give identical figures (common random numbers).
    same = stratus.compare(sc, {"again": {}})
    row = same.table.drop(columns=["seed", "replications"])
    assert row.loc["base"].tolist() == row.loc["again"].tolist()


def test_comparison_display(root):
    cmp = stratus.compare(stratus.load(SPIKE).set("duration", "20m"))
    h = cmp._repr_html_()
    assert "<svg" in h and "base" in h and "step" in h
    assert "capacity" in cmp.charts
    assert "stratus.Comparison" in repr(cmp)


def test_sweep_equals_the_cli(root, cli, tmp_path):
    out = tmp_path / "sw"
    target = "auto_scaling_groups[web].scaling_policies[cpu50].target"
    warm = "auto_scaling_groups[web].default_instance_warmup"
    cli(
        "sweep", SPIKE, "--set", "duration=20m", "--param", f"{target}=40,60",
        "--param", f"{warm}=60s,300s", "--replications", 2, "--out", out, "--no-charts",
    )
    df = stratus.sweep(
        stratus.load(SPIKE).set("duration", "20m"), {target: [40, 60], warm: ["60s", "300s"]}, replications=2, jobs=2
    )
    want = pd.read_csv(out / "sweep.csv")
    assert list(df.columns) == list(want.columns)
    pd.testing.assert_frame_equal(df, want, check_dtype=False)
    assert len(df) == 8
    assert df["grid_index"].tolist() == list(range(8))
    # A row equals a single run with the same sets and seed.
    r = stratus.run(stratus.load(SPIKE).set("duration", "20m").set(target, 60).set(warm, "60s"), seed=int(df.loc[4, "seed"]))
    assert r.summary["requests"]["ok"] == df.loc[4, "requests.ok"]
