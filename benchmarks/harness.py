"""Shared machinery for the wengert benchmarks: timing, peers, checks and tables.

Nothing here measures a workload by itself. It provides
- `measure`: timeit-style medians (auto-chosen inner loop count so one sample takes at least
  `min_time`, then the median over `repeat` samples), taken round-robin over every callable of a
  workload so that the numbers that get divided were measured side by side;
- `evaluate`: build, warm up, check against the reference and time a list of `Impl`s, turning
  a failure into an ERROR row instead of an abort;
- `load_peers`: import JAX, PyTorch and HIPS autograd when installed (single-threaded, float64 on);
- `Table` and `machine_info`: the markdown printed to stdout and written to results.md.

The thread caps (environment variables) must be set before NumPy is first imported: run.py does
that before it imports this module.
"""
import datetime
import gc
import importlib
import importlib.metadata
import os
import platform
import statistics
import sys
import traceback
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any, Callable

import numpy as np


# ----------------------------------------------------------------------------- options and peers
@dataclass
class Options:
    quick: bool = False
    min_time: float = 0.020       # seconds per sample, at least
    repeat: int = 7               # samples per callable; the median is reported
    peers: dict = field(default_factory=dict)      # name -> imported module
    peer_notes: dict = field(default_factory=dict)  # name -> why it is missing

    @classmethod
    def make(cls, quick):
        peers, notes = load_peers()
        if quick:
            return cls(True, 0.005, 3, peers, notes)
        return cls(False, 0.020, 7, peers, notes)


def _import_jax():
    import jax
    jax.config.update("jax_enable_x64", True)
    return jax


def _import_torch():
    import torch
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set, or inter-op work has started
        pass
    return torch


def _import_autograd():
    import autograd
    import autograd.numpy  # noqa: F401
    import autograd.scipy.special  # noqa: F401
    return autograd


PEERS = {"jax": _import_jax, "torch": _import_torch, "autograd": _import_autograd}


def load_peers():
    """Import each optional peer; returns ({name: module}, {name: reason it is missing})."""
    found, notes = {}, {}
    for name, importer in PEERS.items():
        try:
            found[name] = importer()
        except ImportError as exc:
            notes[name] = f"not installed ({exc})"
    return found, notes


# ----------------------------------------------------------------------------- allocator
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3      # mallopt parameters (glibc malloc.h)
ALLOCATOR = {"state": "system default (not pinned)"}


def pin_allocator(trim=256 << 20, mmap=32 << 20):
    """Keep freed memory in the process instead of returning it to the OS (glibc only).

    By default glibc gives the top of the heap back once more than the trim threshold is
    free, and serves large blocks by mmap; with its dynamic thresholds, whether an 800 KB
    temporary is reused or freshly page-faulted depends on what the process allocated
    before. On this machine a page fault costs about 2.8 us, so NumPy's own f at n = 1e5
    took 1.07 ms or 0.22 ms depending on the workload that ran before it. Pinning both
    thresholds makes every side of a comparison run on a warm heap, whatever ran first.
    Returns whether it took effect; ALLOCATOR["state"] says which for the report header.
    """
    import ctypes
    import ctypes.util
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        ok = libc.mallopt(_M_TRIM_THRESHOLD, trim) == 1 and libc.mallopt(_M_MMAP_THRESHOLD, mmap) == 1
    except (OSError, AttributeError, TypeError):
        ok = False
    ALLOCATOR["state"] = (f"glibc mallopt pinned (M_TRIM_THRESHOLD={trim >> 20} MiB, "
                          f"M_MMAP_THRESHOLD={mmap >> 20} MiB: freed memory stays in the process)"
                          if ok else f"not pinned (no glibc mallopt in {name!r})")
    return ok


# ----------------------------------------------------------------------------- timing
def _clock(fn, number):
    t0 = perf_counter()
    for _ in range(number):
        fn()
    return perf_counter() - t0


def _autorange(fn, min_time):
    """Smallest loop count (grown geometrically) for which one sample takes >= min_time."""
    number = 1
    while True:
        elapsed = _clock(fn, number)
        if elapsed >= min_time:
            return number
        guess = int(number * 1.2 * min_time / max(elapsed, 1e-9))
        number = min(max(guess, 2 * number), 100 * number)


def measure(fns, opts):
    """Median seconds per call of each zero-argument callable, sampled round-robin.

    Returns {label: (median, spread)} where spread is the half interquartile range divided by
    the median (a rough +- fraction).
    """
    gc.collect()
    numbers = {label: _autorange(fn, opts.min_time) for label, fn in fns.items()}
    samples = {label: [] for label in fns}
    for _ in range(opts.repeat):
        for label, fn in fns.items():
            samples[label].append(_clock(fn, numbers[label]) / numbers[label])
    out = {}
    for label, values in samples.items():
        med = statistics.median(values)
        q = statistics.quantiles(values, n=4) if len(values) > 1 else [med, med, med]
        out[label] = (med, (q[2] - q[0]) / 2 / med if med > 0 else 0.0)
    return out


# ----------------------------------------------------------------------------- checking
def leaves(tree):
    """Flatten lists/tuples/dicts of arrays, JAX arrays, torch tensors and floats to NumPy."""
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in leaves(item)]
    if isinstance(tree, dict):
        return [leaf for key in sorted(tree) for leaf in leaves(tree[key])]
    if hasattr(tree, "detach"):  # torch.Tensor
        tree = tree.detach().cpu().numpy()
    return [tree if isinstance(tree, (float, int)) else np.asarray(tree)]


def compare(result, reference, rtol):
    """'' when result matches reference, else a description of the first difference.

    Each array must satisfy np.allclose(result, ref, rtol=rtol, atol=rtol * max|ref|): the
    absolute floor keeps entries that are near zero only by cancellation from failing spuriously.
    A NumPy reference also fixes the dtype (float32 in, float32 gradients out).
    """
    got, want = leaves(result), leaves(reference)
    if len(got) != len(want):
        return f"structure: {len(got)} arrays, expected {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        g_arr, w_arr = np.asarray(g), np.asarray(w)
        if isinstance(w, (np.ndarray, np.generic)) and g_arr.dtype != w_arr.dtype:
            return f"leaf {i}: dtype {g_arr.dtype}, expected {w_arr.dtype}"
        if g_arr.shape != w_arr.shape:
            return f"leaf {i}: shape {g_arr.shape}, expected {w_arr.shape}"
        atol = rtol * float(np.max(np.abs(w_arr), initial=0.0))
        if not np.allclose(g_arr, w_arr, rtol=rtol, atol=atol):
            err = np.max(np.abs(g_arr - w_arr)) / max(np.max(np.abs(w_arr)), 1e-300)
            return f"leaf {i}: max |diff| / max |ref| = {err:.2e} (rtol {rtol:g})"
    return ""


def fd_gradient(f, arrays, eps=1e-6):
    """Central finite differences of scalar f(arrays) w.r.t. every entry of every array."""
    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            old = a[idx]
            a[idx] = old + eps
            up = f(arrays)
            a[idx] = old - eps
            down = f(arrays)
            a[idx] = old
            g[idx] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


# ----------------------------------------------------------------------------- running impls
@dataclass
class Impl:
    """One implementation of one measured call. `build()` returns the zero-argument callable
    that is timed; building runs once, outside the timing, and may raise."""
    label: str
    build: Callable[[], Callable[[], Any]]
    peer: str = ""      # optional peer this needs ("" for NumPy and wengert)
    check: bool = True  # False for baselines that do not compute the reference (plain f)
    ref: Any = None     # expected output when it differs from the group's reference


@dataclass
class Result:
    status: str                  # ok | mismatch | error | skipped
    median: float = None         # seconds per call
    spread: float = None
    detail: str = ""


PROBLEMS = []   # (context, label, detail) of every error and mismatch, for the summary


def _prepare(impl, reference, rtol, opts, context):
    """Build, warm up and check one impl: (callable or None, Result)."""
    if impl.peer and impl.peer not in opts.peers:
        return None, Result("skipped", detail=f"{impl.peer} {opts.peer_notes.get(impl.peer)}")
    try:
        fn = impl.build()
        out = fn()   # warm-up (and compilation for jit)
        fn()
    except Exception as exc:  # a failing implementation is a result, not a crash
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        where = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{os.path.relpath(where.filename)}:{where.lineno}"
        PROBLEMS.append((context, impl.label, f"ERROR {detail} (at {where})"))
        return None, Result("error", detail=detail)
    expected = reference if impl.ref is None else impl.ref
    diff = compare(out, expected, rtol) if impl.check else ""
    if diff:
        PROBLEMS.append((context, impl.label, f"MISMATCH {diff}"))
        return fn, Result("mismatch", detail=diff)
    return fn, Result("ok")


def evaluate(impls, reference, rtol, opts, context):
    """{label: Result} for impls that all compute `reference`, timed side by side."""
    results, fns = {}, {}
    for impl in impls:
        fn, results[impl.label] = _prepare(impl, reference, rtol, opts, context)
        if fn is not None:
            fns[impl.label] = fn
    for label, (med, spread) in measure(fns, opts).items():
        results[label].median, results[label].spread = med, spread
    return results


# ----------------------------------------------------------------------------- formatting
UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def fmt(value):
    """Three significant digits, without exponents for large values."""
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"


def cell_time(result, unit):
    """Median in `unit` with its spread; ERROR / n/a for rows that did not run."""
    if result is None or result.status == "skipped":
        return "n/a"
    if result.status == "error":
        return "ERROR"
    text = f"{fmt(result.median / UNITS[unit])} ±{100 * result.spread:.0f}%"
    return f"{text} !!MISMATCH!!" if result.status == "mismatch" else text


def cell_ratio(num, den):
    """num/den of two Results ("x" suffix), or "-" when either did not run."""
    if num is None or den is None or num.median is None or den.median is None:
        return "-"
    return f"{fmt(num.median / den.median)}x"


@dataclass
class Table:
    title: str
    header: list
    rows: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def markdown(self):
        cells = [self.header] + [[str(c) for c in row] for row in self.rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(self.header))]
        line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
        out = [f"### {self.title}", "", line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
        out += [line(r) for r in cells[1:]]
        if self.notes:
            out += [""] + [f"- {note}" for note in self.notes]
        return "\n".join(out)


def notes_for(results, tag=""):
    """Table notes explaining each skipped / failed / mismatched row (skips once per peer)."""
    notes = []
    for label, res in results.items():
        if res.status == "skipped":
            notes.append(f"n/a: {res.detail}")
        elif res.status != "ok":
            notes.append(f"{tag}{label}: {res.status.upper()} {res.detail}")
    return notes


# ----------------------------------------------------------------------------- machine info
def _version(dist):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _thread_pools():
    """Thread counts of the loaded BLAS/OpenMP pools, when threadpoolctl is installed."""
    try:
        threadpoolctl = importlib.import_module("threadpoolctl")
    except ImportError:
        return "threadpoolctl not installed (caps set through the environment only)"
    info = threadpoolctl.threadpool_info()
    return ", ".join(f"{p['internal_api']}={p['num_threads']}" for p in info) or "none loaded"


def machine_info(opts, load_start, load_end, thread_env):
    """Markdown bullet list: date, machine, versions, thread caps, load average."""
    peers = []
    for name in PEERS:
        dists = ("jax", "jaxlib") if name == "jax" else (name,)
        versions = [f"{d} {_version(d)}" for d in dists if _version(d)]
        peers.append(", ".join(versions) if name in opts.peers else f"{name}: {opts.peer_notes[name]}")
    caps = ", ".join(f"{k}={v}" for k, v in thread_env.items())
    lines = [
        f"date: {datetime.datetime.now().isoformat(timespec='seconds')}",
        f"mode: {'--quick (fewer repeats, smaller sizes)' if opts.quick else 'full'}; "
        f"samples of >= {opts.min_time * 1e3:g} ms, median over {opts.repeat}",
        f"machine: {_cpu_model()}, {os.cpu_count()} cores, {platform.platform()}",
        f"python {platform.python_version()}, numpy {np.__version__}, wengert {_wengert_version()}",
        f"peers: {'; '.join(peers)}",
        f"threads: {caps}; torch.set_num_threads(1); pools: {_thread_pools()}",
        f"allocator: {ALLOCATOR['state']}",
        f"1-minute load average: {load_start:.2f} at start, {load_end:.2f} at end",
    ]
    if os.environ.get("OPENBLAS_CORETYPE"):
        lines.append(f"OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']} is set (can slow NumPy)")
    return "\n".join(f"- {line}" for line in lines)


def _wengert_version():
    mod = sys.modules.get("wengert")
    return getattr(mod, "__version__", "not imported") if mod else "not imported"
