"""Entry point of the wengert benchmark suite: runs B1, B2, B4, B5 and writes benchmarks/results.md.

    python benchmarks/run.py                 # full run (about a few minutes)
    python benchmarks/run.py --quick         # smoke run: fewer repeats, smaller sizes
    python benchmarks/run.py --only B1,B4    # a subset

Every side of every comparison runs single-threaded: the thread caps below are exported before
NumPy, JAX or PyTorch is imported (harness sets torch.set_num_threads(1) on import). glibc's
malloc is told to keep freed memory (harness.pin_allocator; --system-malloc to skip), so a large
temporary costs the same whatever workload ran before it. Peers (JAX,
PyTorch, HIPS autograd) are optional; a missing one shows as n/a with a note.
"""
import os

THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
    "JAX_PLATFORMS": "cpu",
}
os.environ.update(THREAD_ENV)   # before any import of numpy / jax / torch

import argparse  # noqa: E402
import pathlib  # noqa: E402
import sys  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(1, str(HERE.parent))   # benchmark the working tree's wengert

import harness  # noqa: E402

WORKLOADS = {"B1": "b1_scalar", "B2": "b2_mlp", "B4": "b4_rosenbrock", "B5": "b5_taylor"}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller sizes")
    parser.add_argument("--only", default=",".join(WORKLOADS),
                        help="comma-separated workloads, e.g. B1,B4")
    parser.add_argument("--out", default=str(HERE / "results.md"), help="markdown output file")
    parser.add_argument("--system-malloc", action="store_true",
                        help="leave glibc's trim and mmap thresholds at their defaults (see "
                             "harness.pin_allocator: large temporaries may then be page-faulted "
                             "afresh on every call, depending on what ran before)")
    args = parser.parse_args(argv)
    args.only = [w.strip().upper() for w in args.only.split(",") if w.strip()]
    unknown = [w for w in args.only if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {unknown}; choose from {list(WORKLOADS)}")
    return args


def problems_section():
    if not harness.PROBLEMS:
        return "## Problems\n\nNone: every implementation that ran matched its reference."
    lines = [f"- **{label}** ({context}): {detail}" for context, label, detail in harness.PROBLEMS]
    return "## Problems (errors and gradient mismatches)\n\n" + "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    if not args.system_malloc:
        harness.pin_allocator()
    load_start = os.getloadavg()[0]
    opts = harness.Options.make(args.quick)
    sections = []
    for name in args.only:
        module = __import__(WORKLOADS[name])
        print(f"running {name} ({module.__name__}) ...", file=sys.stderr, flush=True)
        tables = module.run(opts)
        text = "\n\n".join(t.markdown() for t in tables)
        print("\n" + text + "\n", flush=True)
        sections.append(f"## {name}\n\n{text}")
    info = harness.machine_info(opts, load_start, os.getloadavg()[0], THREAD_ENV)
    report = "\n\n".join(["# wengert benchmark results", info, *sections, problems_section()])
    print(info + "\n\n" + problems_section())
    pathlib.Path(args.out).write_text(report + "\n")
    print(f"\nwrote {args.out}", file=sys.stderr)
    return 1 if any("MISMATCH" in p[2] for p in harness.PROBLEMS) else 0


if __name__ == "__main__":
    sys.exit(main())
