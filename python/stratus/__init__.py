"""stratus: see what AWS would do under load — from Python.

A discrete-event simulator, in Rust, of how AWS systems behave under load
(Application Load Balancers, Auto Scaling groups, CloudWatch alarms, SQS
queues, DynamoDB tables, faults). This package runs the same library as the
``stratus`` command line, with the same scenario files and the same results
for the same seed::

    import stratus
    sc = stratus.load("scenarios/policies-on-a-spike.yaml")
    run = stratus.run(sc, seed=1)
    run.summary["requests"]["errors"]        # the figures of summary.json
    run.metrics                              # metrics.csv as a pandas DataFrame
    stratus.compare(sc).table                # base against each variant

Simulations release the GIL and can be interrupted with Ctrl-C (a
``KeyboardInterrupt``; in Jupyter, *Interrupt the kernel*).
"""

from __future__ import annotations

import csv
import html
import io
import json
import numbers
import os
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from . import _stratus
from ._errors import Problem, ScenarioError

__all__ = [
    "Comparison",
    "Problem",
    "Run",
    "Scenario",
    "ScenarioError",
    "compare",
    "load",
    "run",
    "schema",
    "sweep",
]

__version__: str = _stratus.version()

Source = Union[str, "os.PathLike[str]", Mapping[str, Any], "Scenario"]


def _yaml_value(v: Any) -> str:
    """A Python value as the text of a ``--set PATH=VALUE`` value."""
    if isinstance(v, str):
        return v
    if v is None:
        return "~"
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        return repr(float(v))
    if isinstance(v, pd.Timedelta) or hasattr(v, "total_seconds"):
        return f"{v.total_seconds()!r}s"
    return json.dumps(v, default=_json_default)


def _json_default(v: Any) -> Any:
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, numbers.Real):
        return float(v)
    if hasattr(v, "total_seconds"):
        return f"{v.total_seconds()!r}s"
    raise TypeError(f"cannot put {type(v).__name__} in a scenario")


# ----------------------------------------------------------------- scenario


class Scenario:
    """A loaded, validated scenario (see :func:`load`).

    Scenarios are immutable: :meth:`set`, :meth:`variant` and
    :meth:`with_seed` return a new one, loaded and validated again (a bad
    value raises :class:`ScenarioError` at once, positioned like the command
    line's ``--set``: ``--set:1:26: workloads[clients].rate: …``).
    """

    __slots__ = ("_n",)

    def __init__(self, native: Any):
        self._n = native

    # What it is
    @property
    def name(self) -> str:
        """The scenario's ``name``."""
        return self._n.name

    @property
    def seed(self) -> int:
        """The seed a run uses (the file's, or the one given)."""
        return self._n.seed

    @property
    def duration_s(self) -> float:
        """Simulated duration, seconds."""
        return self._n.duration_s

    @property
    def variants(self) -> List[str]:
        """The names of the file's ``variants:``, in file order."""
        return list(self._n.variants)

    @property
    def groups(self) -> List[str]:
        """The Auto Scaling groups' names."""
        return list(self._n.groups)

    @property
    def load_balancers(self) -> List[str]:
        """The load balancers' names."""
        return list(self._n.load_balancers)

    @property
    def sets(self) -> List[str]:
        """The ``PATH=VALUE`` edits applied, in order."""
        return list(self._n.sets)

    @property
    def applied_variant(self) -> Optional[str]:
        """The variant applied by :meth:`variant`, or None for the base."""
        return self._n.variant

    @property
    def yaml(self) -> str:
        """The scenario's source text (before variants and sets)."""
        return self._n.source

    @property
    def file(self) -> str:
        """The file name problems are reported against."""
        return self._n.file

    # New scenarios from this one
    def set(self, path: str, value: Any) -> "Scenario":
        """This scenario with one value replaced, like ``--set PATH=VALUE``.

        ``path`` is a field path such as ``"auto_scaling_groups[web].max"``
        or ``"workloads[shoppers].rate"``; ``value`` a number, a string in
        the format's units (``"2h"``, ``"300s"``), a bool, a list or a dict.
        """
        return Scenario(
            self._n.with_options(
                [*self._n.sets, f"{path}={_yaml_value(value)}"],
                self._n.variant,
                self._n.seed_override,
            )
        )

    def variant(self, name: str) -> "Scenario":
        """This scenario with the file's variant ``name`` applied (like
        ``stratus run --variant NAME``); the sets given so far apply after it.
        """
        return Scenario(self._n.with_options(self._n.sets, name, self._n.seed_override))

    def with_seed(self, seed: int) -> "Scenario":
        """This scenario with another seed (like ``--seed N``)."""
        return Scenario(self._n.with_options(self._n.sets, self._n.variant, int(seed)))

    def __repr__(self) -> str:
        bits = [f"seed {self.seed}", f"{_duration_text(self.duration_s)}"]
        if self.applied_variant:
            bits.append(f"variant {self.applied_variant}")
        if self.sets:
            bits.append("sets " + ", ".join(self.sets))
        if self.variants:
            bits.append("variants: " + ", ".join(self.variants))
        return f"<stratus.Scenario {self.name!r} ({'; '.join(bits)})>"


def _duration_text(s: float) -> str:
    if s >= 3600 and s % 3600 == 0:
        return f"{int(s // 3600)}h"
    if s >= 60 and s % 60 == 0:
        return f"{int(s // 60)}m"
    return f"{s:g}s"


def load(source: Source, *, seed: Optional[int] = None) -> Scenario:
    """Load and validate a scenario, exactly as ``stratus validate`` does.

    ``source`` is a path to a YAML file (trace files are found beside it), a
    string of YAML text (it contains a newline, or names no existing file
    and does not end in ``.yaml``/``.yml``), or a dict of the same structure.
    Problems raise :class:`ScenarioError`, whose ``problems`` equal what
    ``stratus validate`` prints for the same input.
    """
    if isinstance(source, Scenario):
        return source.with_seed(seed) if seed is not None else source
    seed = None if seed is None else int(seed)
    if isinstance(source, Mapping):
        text = json.dumps(source, indent=2, default=_json_default) + "\n"
        return Scenario(_stratus.load_text(text, "<dict>", os.getcwd(), [], None, seed))
    if isinstance(source, os.PathLike):
        return Scenario(_stratus.load_file(os.fspath(source), [], None, seed))
    if not isinstance(source, str):
        raise TypeError(f"load() takes a path, YAML text or a dict, not {type(source).__name__}")
    is_path = "\n" not in source and (
        os.path.exists(source) or source.endswith((".yaml", ".yml"))
    )
    if is_path:
        return Scenario(_stratus.load_file(source, [], None, seed))
    return Scenario(_stratus.load_text(source, "<string>", os.getcwd(), [], None, seed))


def _scenario(s: Source) -> Scenario:
    return s if isinstance(s, Scenario) else load(s)


def schema() -> Dict[str, Any]:
    """The JSON Schema of the scenario format (``stratus schema``)."""
    return json.loads(_stratus.schema())


# ---------------------------------------------------------------------- run


class Timeline(str):
    """Text that displays as itself (``Run.explain()``'s timeline)."""

    def __repr__(self) -> str:
        return str(self)




class Run:
    """One run's results (see :func:`run`).

    - ``summary``: ``summary.json`` as a dict (``summary_json()`` is its text);
    - ``metrics``: ``metrics.csv`` as a DataFrame — ``t_s`` (float seconds
      from the start, the period's start), ``resource`` and ``metric``
      (category), ``value`` (float, as the CSV prints it);
    - ``activities``: ``activities.csv`` as a DataFrame — ``t_s`` (float),
      ``resource`` and ``kind`` (category), the text columns as str;
    - ``charts``: the dashboard, chart name → SVG text;
    - ``explain()``: ``stratus explain``'s timeline.
    """

    def __init__(self, native: Any, scenario: Scenario):
        self._n = native
        self.scenario = scenario
        self._cache: Dict[str, Any] = {}

    @property
    def summary(self) -> Dict[str, Any]:
        """``summary.json`` as a dict (the same keys and values)."""
        if "summary" not in self._cache:
            self._cache["summary"] = json.loads(self.summary_json())
        return self._cache["summary"]

    def summary_json(self) -> str:
        """``summary.json``'s text, byte for byte as ``stratus run`` writes it."""
        return self._n.summary_json()

    @property
    def metrics(self) -> pd.DataFrame:
        """``metrics.csv`` as a pandas DataFrame (a copy each call is not
        made: treat it as read-only, or ``.copy()`` it)."""
        if "metrics" not in self._cache:
            t, rc, rn, mc, mn, v = self._n.metrics_columns()
            self._cache["metrics"] = pd.DataFrame(
                {
                    "t_s": np.frombuffer(t, dtype="<f8"),
                    "resource": pd.Categorical.from_codes(np.frombuffer(rc, dtype="<i4"), rn),
                    "metric": pd.Categorical.from_codes(np.frombuffer(mc, dtype="<i4"), mn),
                    "value": np.frombuffer(v, dtype="<f8"),
                }
            )
        return self._cache["metrics"]

    @property
    def activities(self) -> pd.DataFrame:
        """``activities.csv`` as a pandas DataFrame."""
        if "activities" not in self._cache:
            self._cache["activities"] = _read_activities(self._n.activities_csv())
        return self._cache["activities"]

    def series(self, resource: str, metric: str) -> pd.Series:
        """One metric of one resource, indexed by ``t_s``."""
        m = self.metrics
        sel = m[(m["resource"] == resource) & (m["metric"] == metric)]
        return pd.Series(sel["value"].to_numpy(), index=sel["t_s"].to_numpy(), name=metric)

    def to_polars(self, table: str = "metrics") -> Any:
        """``metrics`` (default) or ``activities`` as a polars DataFrame
        (categorical resource/metric/kind)."""
        import polars as pl

        if table == "metrics":
            t, rc, rn, mc, mn, v = self._n.metrics_columns()
            res = np.asarray(rn, dtype=object)[np.frombuffer(rc, dtype="<i4")]
            met = np.asarray(mn, dtype=object)[np.frombuffer(mc, dtype="<i4")]
            return pl.DataFrame(
                {
                    "t_s": np.frombuffer(t, dtype="<f8"),
                    "resource": pl.Series(res, dtype=pl.Utf8).cast(pl.Categorical),
                    "metric": pl.Series(met, dtype=pl.Utf8).cast(pl.Categorical),
                    "value": np.frombuffer(v, dtype="<f8"),
                }
            )
        if table == "activities":
            # Every column as text (empty fields are empty strings, as in
            # `activities`), then the typed ones.
            df = pl.read_csv(io.BytesIO(self._n.activities_csv().encode()), infer_schema_length=0)
            return df.with_columns(pl.all().fill_null("")).with_columns(
                pl.col("t_s").cast(pl.Float64),
                pl.col("resource").cast(pl.Categorical),
                pl.col("kind").cast(pl.Categorical),
            )
        raise ValueError(f"table must be 'metrics' or 'activities', not {table!r}")

    @property
    def charts(self) -> Dict[str, str]:
        """The dashboard's charts (as ``charts/*.svg``): name → SVG text."""
        if "charts" not in self._cache:
            self._cache["charts"] = dict(self._n.charts())
        return self._cache["charts"]

    def report_html(self) -> str:
        """The run's ``report.html`` (one self-contained page)."""
        return self._n.report_html()

    def explain(self, resource: Optional[str] = None) -> Timeline:
        """The activity history as a readable timeline (``stratus explain``),
        optionally for one resource."""
        return Timeline(self._n.explain(resource))

    def to_parquet(self, path: Union[str, "os.PathLike[str]"]) -> List[Path]:
        """Write ``metrics.parquet`` and ``activities.parquet`` into the folder
        ``path`` (created if needed), as ``stratus run --format parquet``
        does; returns the two paths."""
        d = Path(path)
        d.mkdir(parents=True, exist_ok=True)
        out = []
        for name, data in self._n.parquet():
            p = d / name
            p.write_bytes(data)
            out.append(p)
        return out

    def write(
        self,
        out: Union[str, "os.PathLike[str]"],
        format: Union[str, Sequence[str]] = "csv",
        charts: bool = True,
    ) -> Path:
        """Write the run folder as ``stratus run --out DIR`` does (atomically;
        only an empty folder or an earlier stratus output is replaced).
        ``format``: ``"csv"``, ``"parquet"`` or both (``("csv", "parquet")``)."""
        fmts = {format} if isinstance(format, str) else set(format)
        unknown = fmts - {"csv", "parquet"}
        if unknown or not fmts:
            raise ValueError(f"format must be 'csv', 'parquet' or both, not {format!r}")
        self._n.write(os.fspath(out), "csv" in fmts, "parquet" in fmts, charts)
        return Path(out)

    def __repr__(self) -> str:
        s = self.summary
        q = s["requests"]
        v = f" [{s['variant']}]" if s.get("variant") else ""
        return (
            f"<stratus.Run {s['scenario']}{v} · seed {s['seed']} · "
            f"{q['total']:,} requests · {q['total'] - q['ok']:,} errors · "
            f"p99 {q['latency_ms']['p99']:.1f} ms>"
        )

    def _repr_html_(self) -> str:
        return _run_html(self)


def _read_activities(text: str) -> pd.DataFrame:
    return pd.read_csv(
        io.StringIO(text),
        dtype={"t_s": "float64", "resource": "category", "kind": "category"},
        keep_default_na=False,
        na_values=[],
    )


def run(
    scenario: Source,
    seed: Optional[int] = None,
    out: Union[str, "os.PathLike[str]", None] = None,
    *,
    format: Union[str, Sequence[str]] = "csv",
    charts: bool = True,
) -> Run:
    """Simulate a scenario (a :class:`Scenario`, or anything :func:`load`
    takes) and return its :class:`Run`.

    ``seed`` overrides the scenario's; ``out``, when given, also writes the
    run folder there as ``stratus run --out`` does (``format`` and
    ``charts`` as for :meth:`Run.write`). The simulation releases the GIL;
    Ctrl-C interrupts it (``KeyboardInterrupt``).
    """
    sc = _scenario(scenario)
    if seed is not None:
        sc = sc.with_seed(seed)
    r = Run(_stratus.simulate(sc._n), sc)
    if out is not None:
        r.write(out, format=format, charts=charts)
    return r


# ------------------------------------------------------------------ compare

# The comparison's figures shown in the tables (comparison.md): always, and
# when some variant has them non-zero; the rest are in `table` only.
_ALWAYS = [
    ("cost_usd", "cost"),
    ("latency_p50_ms", "p50 (ms)"),
    ("latency_p99_ms", "p99 (ms)"),
    ("ok", "ok"),
    ("errors", "errors"),
    ("min_in_service", "min in service"),
    ("max_in_service", "max in service"),
    ("scaling_activities", "scaling activities"),
]
_NONZERO = [
    ("table_throttles", "throttles"),
    ("redeliveries", "redeliveries"),
    ("dead_lettered", "dead-lettered"),
    ("sticky_rebinds", "sticky rebinds"),
    ("sessions_lost", "sessions lost"),
]


class Comparison:
    """The result of :func:`compare`.

    - ``table``: ``comparison.csv`` as a DataFrame indexed by variant (the
      base row is ``base``): ``seed``, ``replications``, then each figure
      (means over replications) followed by ``<figure>_ci95``, the
      half-width of its 95 % confidence interval, when replications > 1;
    - ``replications``: every run's figures (``replications.csv``), or None;
    - ``runs``: variant → :class:`Run` of the first seed;
    - ``charts``: the overlay charts, name → SVG text.
    """

    def __init__(self, native: Any, scenario: Scenario):
        self._n = native
        self.scenario = scenario
        self.table: pd.DataFrame = pd.read_csv(
            io.StringIO(native.comparison_csv()), dtype={"variant": str}, keep_default_na=False
        ).set_index("variant")
        rc = native.replications_csv()
        self.replications: Optional[pd.DataFrame] = (
            None
            if rc is None
            else pd.read_csv(io.StringIO(rc), dtype={"variant": str}, keep_default_na=False)
        )
        self.runs: Dict[str, Run] = {name: Run(r, scenario) for name, r in native.runs()}
        self._charts: Optional[List[Tuple[str, str, str]]] = None

    @property
    def charts(self) -> Dict[str, str]:
        """The overlays (as ``charts/*.svg`` of ``stratus compare``)."""
        return {name: svg for name, _, svg in self._chart_list()}

    def _chart_list(self) -> List[Tuple[str, str, str]]:
        if self._charts is None:
            self._charts = self._n.charts()
        return self._charts

    def comparison_csv(self) -> str:
        """``comparison.csv``'s text, as ``stratus compare`` writes it."""
        return self._n.comparison_csv()

    def shown(self) -> pd.DataFrame:
        """The main figures as ``comparison.md`` shows them: one row per
        variant, ``mean ± ci95`` when replicated, the change against the base
        in parentheses."""
        t = self.table
        cols = [(k, title) for k, title in _ALWAYS if k in t.columns]
        cols += [(k, title) for k, title in _NONZERO if k in t.columns and (t[k] != 0).any()]
        reps = int(t["replications"].iloc[0]) if len(t) else 1
        rows = {}
        base = t.iloc[0] if len(t) else None
        for i, (name, row) in enumerate(t.iterrows()):
            cells = {}
            for k, title in cols:
                m = float(row[k])
                cell = _fmt(k, m)
                if reps > 1:
                    cell += " ± " + _fmt(k, float(row[f"{k}_ci95"])).lstrip("$")
                if i > 0 and base is not None:
                    cell += f" ({_delta(m, float(base[k]), k)})"
                cells[title] = cell
            rows[name] = cells
        return pd.DataFrame.from_dict(rows, orient="index")

    def __repr__(self) -> str:
        return f"<stratus.Comparison {self.scenario.name}: {', '.join(self.table.index)}>\n" + self.shown().to_string()

    def _repr_html_(self) -> str:
        parts = [
            "<div class='stratus'>",
            _STYLE,
            f"<h3>stratus compare · {html.escape(self.scenario.name)} · seed {self._n.seed}"
            + (f" · {self._n.replications} replications (mean ± 95 % CI)" if self._n.replications > 1 else "")
            + "</h3>",
            self.shown().to_html(classes="stratus-table", border=0),
        ]
        for name, title, svg in self._chart_list():
            parts.append(f"<figure title='{html.escape(title)}'>{svg}</figure>")
        parts.append("</div>")
        return "\n".join(parts)


def _fmt(key: str, v: float) -> str:
    if key == "cost_usd":
        return f"${v:.2f}" if abs(v) >= 1 or v == 0 else f"${v:.3f}"
    if key.endswith("_ms"):
        return f"{v:.1f}"
    if abs(v - round(v)) < 1e-9 or abs(v) >= 1000:
        return f"{round(v):,}"
    return f"{v:.1f}"


def _delta(v: float, b: float, key: str) -> str:
    if v == b:
        return "+0.0%"
    if b == 0:
        return ("+" if v > b else "-") + _fmt(key, abs(v - b)).lstrip("$")
    p = (v - b) / abs(b) * 100
    s = f"{p:+.1f}%"
    return "+0.0%" if s == "-0.0%" else s


def compare(
    scenario: Source,
    variants: Union[Sequence[str], Mapping[str, Mapping[str, Any]], None] = None,
    replications: int = 1,
    *,
    jobs: Optional[int] = None,
) -> Comparison:
    """Run the base scenario and its variants with the same seed (common
    random numbers), as ``stratus compare`` does, in parallel.

    ``variants``: None for all of the file's variants; a list of their
    names; or a dict ``{name: {path: value, ...}}`` of variants to run
    (a name that is a file variant applies it first, then the values —
    like ``--variant NAME --set PATH=VALUE``). ``replications``: runs per
    variant with seeds seed, seed+1, …; the table then carries 95 %
    confidence intervals. ``jobs``: threads (default one per core).
    """
    sc = _scenario(scenario)
    if isinstance(variants, Mapping):
        pick: Optional[List[str]] = []
        adhoc = [
            (str(name), [f"{p}={_yaml_value(v)}" for p, v in (sets or {}).items()])
            for name, sets in variants.items()
        ]
    elif variants is None:
        pick, adhoc = None, []
    elif isinstance(variants, str):
        pick, adhoc = [v for v in variants.split(",")], []
    else:
        pick, adhoc = [str(v) for v in variants], []
    native = _stratus.compare(sc._n, pick, adhoc, int(replications), jobs)
    return Comparison(native, sc)


# -------------------------------------------------------------------- sweep


def sweep(
    scenario: Source,
    params: Mapping[str, Sequence[Any]],
    replications: int = 1,
    *,
    jobs: Optional[int] = None,
) -> pd.DataFrame:
    """Run the grid (cartesian product) of parameter values, as ``stratus
    sweep`` does, in parallel; one row per run, as ``sweep.csv``.

    ``params``: ``{path: [value, ...]}``, the first varying slowest (each
    point is the scenario with ``set(path, value)`` for each parameter).
    Columns: the parameters (by path), ``replication``, ``seed``,
    ``grid_index``, then the run's ``summary.json`` figures flattened to
    dotted keys (``requests.ok``, ``requests.latency_ms.p99``,
    ``auto_scaling_groups.web.cost_usd``, …).
    """
    sc = _scenario(scenario)
    plist = [(str(p), [_yaml_value(v) for v in vs]) for p, vs in params.items()]
    header, rows = _stratus.sweep(sc._n, plist, int(replications), jobs)
    # As sweep.csv: the fixed columns, then the figures in order of first
    # appearance; read back as pandas reads that file.
    columns = [*header, "replication", "seed", "grid_index"]
    fixed = len(columns)
    at: Dict[str, int] = {}
    for _, figures in rows:
        for k, _v in figures:
            if k not in at:
                at[k] = len(columns)
                columns.append(k)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for cells, figures in rows:
        line = list(cells[:fixed]) + [""] * (len(columns) - fixed)
        for k, v in figures:
            line[at[k]] = v
        w.writerow(line)
    buf.seek(0)
    return pd.read_csv(buf)


# --------------------------------------------------------------- notebooks

_STYLE = """<style>
.stratus h3 { margin: 0.2em 0 0.4em; font-weight: 600; }
.stratus figure { margin: 0.6em 0; max-width: 100%; }
.stratus figure svg { max-width: 100%; height: auto; }
.stratus table.stratus-table td, .stratus table.stratus-table th { text-align: right; padding: 0.15em 0.6em; }
.stratus table.stratus-table td:first-child, .stratus table.stratus-table th:first-child { text-align: left; }
</style>"""


def _run_html(r: Run) -> str:
    s = r.summary
    q = s["requests"]
    err = q["total"] - q["ok"]
    rate = 100 * err / q["total"] if q["total"] else 0.0
    rows: List[Tuple[str, str]] = [
        (
            "requests",
            f"{q['total']:,} finished · {q['ok']:,} ok · {err:,} errors ({rate:.2f}%) · "
            f"{q['in_flight_at_end']:,} in flight at end",
        ),
    ]
    kinds = [f"{k} {v:,}" for k, v in q["errors"].items() if v]
    if kinds:
        rows.append(("errors", " · ".join(kinds)))
    lat = q["latency_ms"]
    rows.append(
        (
            "latency",
            f"mean {lat['mean']:.1f} ms · p50 {lat['p50']:.1f} · p90 {lat['p90']:.1f} · "
            f"p99 {lat['p99']:.1f} · max {lat['max']:.1f}",
        )
    )
    for name, g in s["auto_scaling_groups"].items():
        rows.append(
            (
                f"group {name}",
                f"{g['launches']} launches · {g['terminations']} terminations · "
                f"{g['scaling_activities']} scaling activities · in service "
                f"{g['min_in_service']}–{g['max_in_service']} · {g['instance_hours']:.2f} "
                f"instance-hours · ${g['cost_usd']:.2f}",
            )
        )
    for name, lb in s["load_balancers"].items():
        extra = ""
        if lb.get("sticky_rebinds") or lb.get("sessions_lost"):
            extra = f" · {lb['sticky_rebinds']:,} sticky re-binds · {lb['sessions_lost']:,} sessions lost"
        rows.append((f"balancer {name}", f"{lb['requests']:,} requests{extra} · ${lb['cost_usd']:.2f}"))
    for kind in ("queues", "tables"):
        for name, v in s.get(kind, {}).items():
            text = " · ".join(f"{k} {x:,}" if isinstance(x, int) else f"{k} {x}" for k, x in v.items())
            rows.append((f"{kind[:-1]} {name}", text))
    variant = f" [{html.escape(s['variant'])}]" if s.get("variant") else ""
    parts = [
        "<div class='stratus'>",
        _STYLE,
        f"<h3>stratus · {html.escape(s['scenario'])}{variant} · seed {s['seed']} · "
        f"{_duration_text(s['simulated_s'])} simulated · {s['events']:,} events</h3>",
        "<table class='stratus-table'>",
        *(f"<tr><th>{html.escape(k)}</th><td style='text-align:left'>{html.escape(v)}</td></tr>" for k, v in rows),
        "</table>",
    ]
    for name, svg in r.charts.items():
        parts.append(f"<figure title='{html.escape(name)}'>{svg}</figure>")
    parts.append("</div>")
    return "\n".join(parts)
