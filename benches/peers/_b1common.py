"""Shared pieces of the B1 peer scripts: the model's parameters, the command line, the loop over
replications and the one-line JSON summary.

B1 is defined in shared/benchmarks/B1.md: a 5-stage open tandem of FIFO multi-server stations,
Poisson arrivals at rate 1/day, exponential work, 1,000 items per replication, no warm-up.
"""

import argparse
import json
import math
import statistics
import time
from importlib.metadata import version

# B1's stages, in order: (name, workers c, mean work duration in days).
STAGES = [
    ("Analysis", 2, 1.5),
    ("Development", 4, 3.5),
    ("Review", 1, 0.8),
    ("Test", 2, 1.6),
    ("Deploy", 1, 0.5),
]
ARRIVAL_RATE = 1.0  # items per day
ITEMS = 1000  # items per replication


def parse_args(description):
    """--reps R --seed S, as both peer scripts take them."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--reps", type=int, default=100, help="independent replications (default 100)")
    parser.add_argument("--seed", type=int, default=1, help="base seed (default 1)")
    args = parser.parse_args()
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    return args


def replication_seed(seed, rep):
    """The seed of replication `rep` (0-based): distinct for every (seed, rep) pair with
    rep < 1,000,000, so that replications are independent streams of the generator."""
    return seed * 1_000_000 + rep


class Clock:
    """CPU seconds (time.process_time: this process, user + system) and wall seconds."""

    def __init__(self):
        self.cpu0 = time.process_time()
        self.wall0 = time.perf_counter()

    def stop(self):
        return time.process_time() - self.cpu0, time.perf_counter() - self.wall0


def report(tool, package, reps, rep_means, lead_times, stage_wait_sums, cpu, wall):
    """Print the one JSON line of a peer script.

    rep_means: the mean lead time of each replication (for the standard error);
    lead_times: every item's lead time, pooled over replications (for the percentiles);
    stage_wait_sums: summed wait (queue time) per stage over all items.
    """
    n = len(lead_times)
    visits = reps * ITEMS * len(STAGES)
    se = statistics.stdev(rep_means) / math.sqrt(reps) if reps > 1 else None
    # Linear interpolation between order statistics (numpy's default, method 'inclusive' here),
    # as the B1 reference values use.
    q = statistics.quantiles(lead_times, n=100, method="inclusive")
    line = {
        "tool": tool,
        "version": version(package),
        "reps": reps,
        "visits": visits,
        "cpu_seconds": round(cpu, 4),
        "wall_seconds": round(wall, 4),
        "visits_per_cpu_second": round(visits / cpu) if cpu > 0 else None,
        "mean_lead_time": sum(lead_times) / n,
        "mean_lead_time_se": se,
        "p50": q[49],
        "p85": q[84],
        "p95": q[94],
        "mean_wait": {name: w / n for (name, _, _), w in zip(STAGES, stage_wait_sums)},
        "items": n,
    }
    print(json.dumps(line))


def run(tool, description, replicate):
    """The whole of a peer script: parse --reps/--seed, run the replications timed, print the JSON.

    replicate(seed, lead_times, wait_sums) runs one replication, appending its items' lead times
    and adding to wait_sums; every one of the ITEMS items must leave.
    """
    args = parse_args(description)
    lead_times, rep_means, wait_sums = [], [], [0.0] * len(STAGES)
    clock = Clock()
    for rep in range(args.reps):
        rep_lead = []
        replicate(replication_seed(args.seed, rep), rep_lead, wait_sums)
        assert len(rep_lead) == ITEMS, f"expected {ITEMS} items to leave, got {len(rep_lead)}"
        rep_means.append(sum(rep_lead) / ITEMS)
        lead_times.extend(rep_lead)
    cpu, wall = clock.stop()
    report(tool, tool, args.reps, rep_means, lead_times, wait_sums, cpu, wall)
