"""Shared timing helper for the Python sides of the benchmarks."""
import time


def best(f, runs):
    """Best wall time in ms of f() over `runs` runs after one warm-up; returns (ms, last result)."""
    r = f()
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        r = f()
        ts.append((time.perf_counter() - t) * 1000)
    return min(ts), r
