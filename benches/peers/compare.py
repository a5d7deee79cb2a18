#!/usr/bin/env python3
"""Compare flowsim with SimPy and Ciw on benchmark model B1 (shared/benchmarks/B1.md).

Called by run.sh (which builds flowsim first); run with the virtualenv's Python, as
`benches/peers/.venv/bin/python benches/peers/compare.py --flowsim BIN --scenario B1.toml`.

1. Single core: flowsim (--threads 1), SimPy and Ciw, each pinned with `taskset -c CORE`, each
   run --repeats times (default 3, in rounds: each tool once per round); the run with the
   median CPU time is reported.
   * flowsim's CPU seconds are the whole process's (user + system, from
     getrusage(RUSAGE_CHILDREN)): start-up, simulation, statistics and writing summary.json.
   * SimPy's and Ciw's are what the scripts measure themselves with time.process_time() around
     their replication loop (no interpreter start-up, imports or final percentiles), which
     favours the peers; their whole-process CPU is shown too.
2. The mean lead time of each tool is checked against B1's finite-run reference 20.67
   (s.e. 0.009): it agrees when |mean - 20.67| <= 3 * sqrt(se^2 + 0.009^2).
3. Two cores: flowsim --threads 1 and --threads 2 (not pinned), wall seconds, median of
   --repeats; the parallel speed-up is their ratio.
"""

import argparse
import atexit
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
VISITS_PER_REP = 1000 * 5  # B1: 1,000 items x 5 stages

# B1's finite-run reference (shared/benchmarks/B1.md, 200,000 replications).
REF_MEAN, REF_MEAN_SE = 20.67, 0.009
REF_P50, REF_P85, REF_P95 = 19.12, 30.39, 38.85


def child_cpu():
    """CPU seconds (user + system) of all waited-for child processes so far."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def measured(cmd):
    """Run cmd; return (stdout, process CPU seconds, wall seconds). Exits on failure."""
    cpu0, wall0 = child_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall, cpu = time.perf_counter() - wall0, child_cpu() - cpu0
    if proc.returncode != 0:
        sys.exit(f"compare.py: command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    return proc.stdout, cpu, wall


def pin(core):
    """The command prefix that pins a process to one core (nothing when core is None)."""
    return [] if core is None else ["taskset", "-c", str(core)]


def run_flowsim(args, reps, threads, core):
    """One flowsim run of B1; returns a result dict like the peer scripts' JSON line."""
    out = tempfile.mkdtemp(prefix="flowsim-b1-")
    try:
        cmd = pin(core) + [
            args.flowsim, "run", args.scenario, "--runs", str(reps), "--seed", str(args.seed),
            "--threads", str(threads), "--no-charts", "-q", "--out", out,
        ]
        _, cpu, wall = measured(cmd)
        with open(os.path.join(out, "summary.json")) as f:
            summary = json.load(f)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    lt = summary["lead_time"]
    if summary.get("runs") != reps or lt["count"] != reps * 1000:
        sys.exit(f"compare.py: flowsim ran {summary.get('runs')} runs, {lt['count']} items; "
                 f"expected {reps} runs of 1000 items (is {args.scenario} B1?)")
    return {
        "tool": "flowsim", "version": summary.get("flowsim_version", "?"), "reps": reps,
        "visits": reps * VISITS_PER_REP, "cpu_seconds": cpu, "process_cpu_seconds": cpu,
        "wall_seconds": wall, "mean_lead_time": lt["mean"], "mean_lead_time_se": lt["mean_se"],
        "p50": lt["p50"], "p85": lt["p85"], "p95": lt["p95"],
        "mean_wait": {s["name"]: s["mean_wait"] for s in summary.get("stages", [])},
    }


def run_peer(args, script, reps, core):
    """One run of a peer script (b1_simpy.py, b1_ciw.py); returns its JSON line, plus the
    whole process's CPU and wall seconds."""
    cmd = pin(core) + [sys.executable, os.path.join(HERE, script), "--reps", str(reps),
                       "--seed", str(args.seed)]
    stdout, cpu, wall = measured(cmd)
    line = json.loads(stdout.strip().splitlines()[-1])
    line["process_cpu_seconds"], line["process_wall_seconds"] = cpu, wall
    return line


def median_run(runs, key):
    """The run with the median value of `key` (the middle one of an odd number of runs)."""
    ordered = sorted(runs, key=lambda r: r[key])
    return ordered[(len(ordered) - 1) // 2]


def agreement(mean, se):
    """(z, agrees): distance from B1's reference mean in combined standard errors."""
    if se is None:
        return None, None
    z = (mean - REF_MEAN) / math.sqrt(se * se + REF_MEAN_SE * REF_MEAN_SE)
    return z, abs(z) <= 3.0


def machine():
    """lscpu's model name, core count and the 1-minute load average."""
    model = "?"
    try:
        for row in subprocess.run(["lscpu"], stdout=subprocess.PIPE, text=True).stdout.splitlines():
            if row.startswith("Model name:"):
                model = row.split(":", 1)[1].strip()
    except OSError:
        pass
    return model, os.cpu_count(), os.getloadavg()[0]


def table(rows, header):
    """Plain-text table with right-aligned columns (the first left-aligned)."""
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    fmt = lambda r: "  ".join(  # noqa: E731
        str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([fmt(header), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--flowsim", required=True, help="flowsim binary (release build)")
    p.add_argument("--scenario", required=True, help="the B1 scenario (scenarios/b1.toml)")
    p.add_argument("--core", type=int, default=0, help="core for the single-core runs (default 0)")
    p.add_argument("--repeats", type=int, default=3, help="runs per tool; the median is reported")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--flowsim-reps", type=int, default=20000)
    p.add_argument("--simpy-reps", type=int, default=200)
    p.add_argument("--ciw-reps", type=int, default=60)
    p.add_argument("--parallel-reps", type=int, default=20000,
                   help="replications of the flowsim 1-vs-2-thread run (0 skips it)")
    p.add_argument("--json-out", help="also write all results to this JSON file")
    args = p.parse_args()
    if shutil.which("taskset") is None:
        sys.exit("compare.py: taskset not found (util-linux); it pins the single-core runs")
    if not os.access(args.flowsim, os.X_OK):
        sys.exit(f"compare.py: no flowsim binary at {args.flowsim}; run `cargo build --release`")
    # Time a private copy: a `cargo build` running meanwhile must not swap the binary mid-way.
    bin_dir = tempfile.mkdtemp(prefix="flowsim-bin-")
    atexit.register(shutil.rmtree, bin_dir, True)
    private = os.path.join(bin_dir, "flowsim")
    shutil.copy2(args.flowsim, private)
    args.flowsim = private

    model, cores, load0 = machine()
    print(f"Machine: {model}, {cores} cores; load average at start {load0:.2f}")
    print(f"Python for SimPy and Ciw: {sys.version.split()[0]} ({sys.base_prefix})")
    if load0 > 0.5:
        print("warning: the machine is not idle; CPU-second figures are less affected than wall "
              "time, but shared caches and SMT siblings still slow every tool")
    print(f"Single core: taskset -c {args.core}, median of {args.repeats} runs, seed {args.seed}\n")

    plan = [
        ("flowsim", lambda: run_flowsim(args, args.flowsim_reps, 1, args.core)),
        ("simpy", lambda: run_peer(args, "b1_simpy.py", args.simpy_reps, args.core)),
        ("ciw", lambda: run_peer(args, "b1_ciw.py", args.ciw_reps, args.core)),
    ]
    # Rounds: every tool once per round, so that a change in the machine's load during the
    # measurement touches all tools alike rather than whichever happened to run then.
    all_runs = {name: [] for name, _ in plan}
    for i in range(args.repeats):
        for name, run in plan:
            r = run()
            print(f"  round {i + 1}/{args.repeats} {name}: {r['reps']} reps, "
                  f"{r['cpu_seconds']:.2f} CPU s, {r['visits'] / r['cpu_seconds']:,.0f} visits/CPU s",
                  flush=True)
            all_runs[name].append(r)
    results = {name: median_run(runs, "cpu_seconds") for name, runs in all_runs.items()}

    fs_rate = results["flowsim"]["visits"] / results["flowsim"]["cpu_seconds"]
    rows = []
    for name in ("flowsim", "simpy", "ciw"):
        r = results[name]
        rate = r["visits"] / r["cpu_seconds"]
        r["visits_per_cpu_second"] = rate
        r["flowsim_ratio"] = fs_rate / rate
        z, ok = agreement(r["mean_lead_time"], r["mean_lead_time_se"])
        r["z_vs_reference"], r["agrees_with_reference"] = z, ok
        rows.append([
            f"{name} {r['version']}", r["reps"], f"{r['cpu_seconds']:.2f}",
            f"{r['process_cpu_seconds']:.2f}", f"{rate:,.0f}",
            "1" if name == "flowsim" else f"{fs_rate / rate:,.1f}",
            f"{r['mean_lead_time']:.2f} ± {r['mean_lead_time_se']:.2f}",
            f"{z:+.1f}" if z is not None else "-", {True: "yes", False: "NO", None: "?"}[ok],
            f"{r['p50']:.2f} / {r['p85']:.2f} / {r['p95']:.2f}",
        ])
    rows.append(["B1 reference", "200000", "", "", "", "", f"{REF_MEAN:.2f} ± {REF_MEAN_SE:.3f}",
                 "", "", f"{REF_P50:.2f} / {REF_P85:.2f} / {REF_P95:.2f}"])
    print()
    print(table(rows, ["tool", "reps", "CPU s", "proc CPU s", "visits/CPU s", "flowsim ×",
                       "mean lead ± s.e.", "z", "within 3 s.e.", "P50 / P85 / P95"]))
    print("\nCPU s: flowsim's whole process; SimPy's and Ciw's replication loop as they measure it "
          "(proc CPU s: their whole process,\nwith interpreter start-up and imports). "
          "flowsim × = flowsim's visits per CPU-second / the tool's. "
          "z = (mean - 20.67) / combined s.e.")
    bad = [n for n in results if results[n]["agrees_with_reference"] is False]
    if bad:
        print(f"\nWARNING: mean lead time of {', '.join(bad)} is more than 3 s.e. from B1's 20.67")

    parallel = None
    if args.parallel_reps > 0:
        print(f"\nTwo cores: flowsim --threads 1 vs 2, {args.parallel_reps} reps, wall seconds, "
              f"median of {args.repeats} (not pinned)")
        w = {1: [], 2: []}
        use = []  # CPU seconds / wall seconds of the 2-thread runs: 2.0 when both cores were ours
        for i in range(args.repeats):
            for threads in (1, 2):
                r = run_flowsim(args, args.parallel_reps, threads, None)
                print(f"  round {i + 1}/{args.repeats} threads {threads}: {r['wall_seconds']:.2f} s wall, "
                      f"{r['cpu_seconds']:.2f} CPU s", flush=True)
                w[threads].append(r["wall_seconds"])
                if threads == 2:
                    use.append(r["cpu_seconds"] / r["wall_seconds"])
        walls = {threads: statistics.median(w[threads]) for threads in w}
        visits = args.parallel_reps * VISITS_PER_REP
        parallel = {"reps": args.parallel_reps, "wall_1": walls[1], "wall_2": walls[2],
                    "speedup": walls[1] / walls[2], "cores_used_2": statistics.median(use)}
        print(f"  threads 1: {walls[1]:.2f} s ({visits / walls[1]:,.0f} visits/s); "
              f"threads 2: {walls[2]:.2f} s ({visits / walls[2]:,.0f} visits/s); "
              f"speed-up {parallel['speedup']:.2f}x; the 2-thread runs kept "
              f"{parallel['cores_used_2']:.2f} cores busy")
        if parallel["cores_used_2"] < 1.6:
            print("  note: the 2-thread runs got less than 1.6 cores on average: other processes "
                  "took the rest, so this speed-up understates the one on an idle machine")

    load1 = os.getloadavg()[0]
    print(f"\nLoad average at end {load1:.2f}")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"machine": model, "cores": cores, "load_start": load0, "load_end": load1,
                       "single_core": results, "runs": all_runs, "parallel": parallel}, f, indent=2)
        print(f"Results written to {args.json_out}")


if __name__ == "__main__":
    main()
