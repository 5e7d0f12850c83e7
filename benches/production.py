#!/usr/bin/env python3
"""Production-shape benchmarks: wall time, events/s and peak RSS of whole
`stratus run` processes (README, "Production scale").

    cargo build --release
    python3 benches/production.py                  # all five
    python3 benches/production.py mm10 many-targets
    STRATUS=path/to/stratus SIMPY_MMC=../shared/peers/simpy_mmc.py python3 benches/production.py

Benchmarks and their targets (issue #12):

  production-day  scenarios/black-friday.yaml (24 h, peak near 20k req/s,
                  sessions, 10-1,000 instances)        <= 5 min, <= 1 GB
  many-targets    benches/shapes/many-targets.yaml: 1,000 targets, round
                  robin vs least outstanding requests   LOR <= 1.5x RR time
                  (weighted random shown too)
  high-rate       benches/shapes/high-rate.yaml: 1M req/s for a minute
                                                        <= 500 MB
  sessions        benches/shapes/sessions.yaml: ~1M live sessions, 5 and 10
                  minutes                               cost per event at
                                                        10 min <= 1.25x that
                                                        at 5 min, <= 1 GB
                  The issue asks for 10 min <= 2.5x 5 min, 25 % over linear.
                  But the shape starts empty and its sessions live ~100 s,
                  so the first minutes fill up to a million sessions and
                  10 min does 2.38x the events of 5 min: the raw ratio is
                  printed, and the same 25 % is allowed on the wall time per
                  event, which is what grows if the run is superlinear.
  mm10            scenarios/mmc-erlang.yaml for 1 h vs SimPy's M/M/10
                  (../shared/peers/simpy_mmc.py, same model, same machine,
                  run alternately)                      >= 100x SimPy's
                                                        customers per wall
                                                        second, >= 6M req/s

Each run is timed by /usr/bin/time (wall, peak RSS); events and requests
come from the run's summary.json. stratus's time is the whole process
(parse, simulate, write outputs); SimPy's is its `env.run` only, as its
script reports it. Repeat runs with --repeat N and the minimum wall is kept
(the machine's noise only ever adds time).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
STRATUS = os.environ.get("STRATUS", os.path.join(ROOT, "target/release/stratus"))
SIMPY = os.environ.get("SIMPY_MMC", os.path.join(ROOT, "../shared/peers/simpy_mmc.py"))


def run(args, repeat):
    """Run `stratus run ARGS` `repeat` times; the fastest run's figures."""
    best = None
    for _ in range(repeat):
        out = tempfile.mkdtemp(prefix="stratus-bench-")
        cmd = ["/usr/bin/time", "-f", "%e %M", STRATUS, "run", *args, "--out", out, "--no-charts"]
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr}")
        wall, rss_kb = p.stderr.strip().splitlines()[-1].split()
        s = json.load(open(os.path.join(out, "summary.json")))
        r = {
            "wall": float(wall),
            "rss_mb": int(rss_kb) / 1024,
            "events": s["events"],
            "requests": s["requests"]["total"],
        }
        if best is None or r["wall"] < best["wall"]:
            best = r
    best["events_per_s"] = best["events"] / best["wall"]
    best["requests_per_s"] = best["requests"] / best["wall"]
    return best


def line(name, r, extra=""):
    print(
        f"| {name} | {r['wall']:.2f} s | {r['events']:,} | {r['events_per_s'] / 1e6:.2f} M | "
        f"{r['requests_per_s'] / 1e6:.2f} M | {r['rss_mb']:.0f} MB | {extra} |",
        flush=True,
    )


def verdict(ok):
    return "meets target" if ok else "**misses target**"


def production_day(a):
    r = run(["scenarios/black-friday.yaml"], a.repeat)
    ok = r["wall"] <= 300 and r["rss_mb"] <= 1024
    line("production-day (black-friday, 24 h)", r, f"target <= 300 s, <= 1 GB: {verdict(ok)}")


def many_targets(a):
    shape = "benches/shapes/many-targets.yaml"
    rr = run([shape], a.repeat)
    lor = run([shape, "--set", "load_balancers[lb].routing=least_outstanding_requests"], a.repeat)
    wr = run([shape, "--set", "load_balancers[lb].routing=weighted_random"], a.repeat)
    line("many-targets round_robin", rr)
    ratio = lor["wall"] / rr["wall"]
    line("many-targets least_outstanding_requests", lor,
         f"{ratio:.2f}x round robin; target <= 1.5x: {verdict(ratio <= 1.5)}")
    line("many-targets weighted_random", wr, f"{wr['wall'] / rr['wall']:.2f}x round robin")


def high_rate(a):
    r = run(["benches/shapes/high-rate.yaml"], a.repeat)
    line("high-rate (1M req/s, 1 min)", r, f"target <= 500 MB: {verdict(r['rss_mb'] <= 500)}")


def sessions(a):
    shape = "benches/shapes/sessions.yaml"
    five = run([shape, "--set", "duration=5m"], a.repeat)
    ten = run([shape, "--set", "duration=10m"], a.repeat)
    ratio = ten["wall"] / five["wall"]
    work = ten["events"] / five["events"]
    per_event = ratio / work
    line("sessions 5 min", five)
    ok = per_event <= 1.25 and ten["rss_mb"] <= 1024
    line("sessions 10 min", ten,
         f"{ratio:.2f}x the 5 min wall for {work:.2f}x its events: {per_event:.2f}x the wall per event; "
         f"target <= 1.25x, <= 1 GB: {verdict(ok)}")


def simpy(sim_time):
    p = subprocess.run([sys.executable, SIMPY, "--sim-time", str(sim_time)],
                       capture_output=True, text=True, check=True)
    served = int(re.search(r"customers served \(all / after warmup\): (\d+)", p.stdout).group(1))
    wall = float(re.search(r"wall time: ([0-9.]+) s", p.stdout).group(1))
    return served, wall


def mm10(a):
    if not os.path.exists(SIMPY):
        sys.exit(f"SimPy model not found at {SIMPY} (set SIMPY_MMC)")
    best_simpy = None
    best = None
    for _ in range(a.repeat):
        # Alternate the two so that both see the same machine.
        r = run(["scenarios/mmc-erlang.yaml", "--set", "duration=1h"], 1)
        if best is None or r["wall"] < best["wall"]:
            best = r
        served, wall = simpy(a.simpy_time)
        if best_simpy is None or served / wall > best_simpy[0] / best_simpy[1]:
            best_simpy = (served, wall)
    simpy_rate = best_simpy[0] / best_simpy[1]
    ratio = best["requests_per_s"] / simpy_rate
    ok = ratio >= 100 and best["requests_per_s"] >= 6e6
    line("M/M/10, 1 h (mmc-erlang)", best,
         f"SimPy {simpy_rate:,.0f} customers/s ({best_simpy[0]:,} in {best_simpy[1]:.1f} s): "
         f"{ratio:.0f}x; target >= 100x and >= 6 M req/s: {verdict(ok)}")


BENCHES = {
    "production-day": production_day,
    "many-targets": many_targets,
    "high-rate": high_rate,
    "sessions": sessions,
    "mm10": mm10,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help=f"benchmarks (default all): {', '.join(BENCHES)}")
    ap.add_argument("--repeat", type=int, default=1, help="runs per figure; the fastest is kept")
    ap.add_argument("--simpy-time", type=float, default=300.0, help="SimPy's simulated seconds")
    a = ap.parse_args()
    unknown = [n for n in a.names if n not in BENCHES]
    if unknown:
        ap.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHES)}")
    print("| benchmark | wall | events | events/s | requests/s | peak RSS | result |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name in a.names or BENCHES:
        BENCHES[name](a)


if __name__ == "__main__":
    main()
