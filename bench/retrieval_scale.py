"""FAISS index types at pool scale: build time, memory, 1,000-query latency and recall@32 against exact search.

Synthetic 384-d pools (MiniLM's width) of clustered, L2-normalised float32 vectors, searched by inner product
as `retriever.index` does. Real sentence embeddings are clustered and of low intrinsic dimension, so the pool
is a Gaussian mixture: cluster centres plus a noise whose spectrum decays (in a random rotation, so product
quantisation sees no axis-aligned structure). Queries are fresh draws from the same mixture.

Per pool size, for Flat (exact), HNSW (M=32) and IVF-Flat / IVF-SQ8 / IVF-PQ, the script reports the build
time (training included), the serialized index size and the process RSS growth, and sweeps the search knob
(efSearch, nprobe) upwards until recall@32 >= 0.95, reporting the first setting that gets there.
FAISS runs on all usable cores. Run from the repository root::

    python bench/retrieval_scale.py                      # pools of 1e5 and 1e6 (about 15 min on 2 cores)
    python bench/retrieval_scale.py --sizes 20000 100000 --kinds flat hnsw

The last line is the summary: the index chosen at the largest size (recall >= 0.95, <= 1 GB, fastest) and
its speed against exact search.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from retriever._cpu import usable_cores  # noqa: E402
from retriever.ivf import ivf_nlist  # noqa: E402

DIM = 384
TARGET_RECALL = 0.95
TARGET_LATENCY_S = 1.0
TARGET_BYTES = 1 << 30
KINDS = ("flat", "hnsw", "ivf-flat", "ivf-sq8", "ivf-pq")
EF_SWEEP = (32, 48, 64, 96, 128, 192, 256, 384, 512)
NPROBE_SWEEP = (1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256)


@dataclass
class Row:
    size: int
    kind: str
    build_s: float
    index_bytes: int
    rss_delta: int
    knob: str
    latency_s: float
    recall: float

    @property
    def ok(self) -> bool:
        return self.recall >= TARGET_RECALL and self.latency_s <= TARGET_LATENCY_S and self.index_bytes <= TARGET_BYTES


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def mixture(n: int, n_clusters: int, spread: float, seed: int, chunk: int = 100_000) -> np.ndarray:
    """`n` unit vectors from the clustered model described in the module docstring (same seed, same centres)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((n_clusters, DIM), dtype=np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    spectrum = (np.arange(1, DIM + 1, dtype=np.float32) ** -0.5)
    spectrum *= spread / np.sqrt((spectrum ** 2).sum())  # noise norm ~ spread
    rotation = np.linalg.qr(rng.standard_normal((DIM, DIM)))[0].astype(np.float32)
    draw = np.random.default_rng(seed + 1 + n)  # points differ per call size; centres do not
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        noise = (draw.standard_normal((m, DIM), dtype=np.float32) * spectrum) @ rotation
        block = centres[draw.integers(0, n_clusters, m)] + noise
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start:start + m] = block
    return out


def timed_search(index, queries: np.ndarray, k: int, repeats: int) -> tuple[float, np.ndarray]:
    """Best wall time of `repeats` searches of all queries at once, and the result rows."""
    best, rows = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        _, rows = index.search(queries, k)
        best = min(best, time.perf_counter() - start)
    return best, rows


def recall_at(rows: np.ndarray, truth: np.ndarray) -> float:
    k = truth.shape[1]
    return float(np.mean([len(set(a.tolist()) & set(b.tolist())) / k for a, b in zip(rows, truth, strict=True)]))


@dataclass
class Coarse:
    """The IVF coarse quantizer and every pool vector's list, shared by the IVF variants of one pool size."""

    quantizer: object
    assign: np.ndarray
    seconds: float


def train_coarse(faiss, pool: np.ndarray, args: argparse.Namespace) -> Coarse:
    start = time.perf_counter()
    nlist = ivf_nlist(pool.shape[0], args.lists_per_sqrt)
    quantizer = faiss.IndexFlatIP(DIM)
    clus = faiss.Clustering(DIM, nlist)
    clus.niter = args.kmeans_iters
    clus.max_points_per_centroid = args.train_per_list  # k-means sample: nlist x this many points
    clus.seed = args.seed
    clus.spherical = True  # unit-norm centroids for inner-product lists
    clus.train(pool, quantizer)
    _, assign = quantizer.search(pool, 1)
    return Coarse(quantizer, assign.ravel(), time.perf_counter() - start)


def make_index(faiss, kind: str, args: argparse.Namespace, coarse: Coarse | None):
    ip = faiss.METRIC_INNER_PRODUCT
    if kind == "flat":
        return faiss.IndexFlatIP(DIM)
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(DIM, args.hnsw_m, ip)
        index.hnsw.efConstruction = args.ef_construction
        return index
    assert coarse is not None
    nlist = coarse.quantizer.ntotal
    if kind == "ivf-flat":
        return faiss.IndexIVFFlat(coarse.quantizer, DIM, nlist, ip)
    if kind == "ivf-sq8":
        return faiss.IndexIVFScalarQuantizer(coarse.quantizer, DIM, nlist, faiss.ScalarQuantizer.QT_8bit, ip)
    if kind == "ivf-pq":
        return faiss.IndexIVFPQ(coarse.quantizer, DIM, nlist, args.pq_m, 8, ip)
    raise ValueError(kind)


def bench_kind(faiss, kind: str, pool: np.ndarray, queries: np.ndarray, truth: np.ndarray | None,
               args: argparse.Namespace, coarse: Coarse | None = None) -> tuple[Row, np.ndarray]:
    """Build and measure one index kind; flat (truth None) returns its rows as the ground truth."""
    from faiss.contrib.ivf_tools import add_preassigned

    n = pool.shape[0]
    gc.collect()
    rss0 = rss_bytes()
    start = time.perf_counter()
    index = make_index(faiss, kind, args, coarse)
    if coarse is not None:  # the quantizer is trained: train() fits only the codec (SQ ranges, PQ codebooks)
        if not index.is_trained:
            sample = pool[np.random.default_rng(args.seed).choice(n, min(n, 64 * 1024), replace=False)]
            index.train(sample)
        add_preassigned(index, pool, coarse.assign)
    else:
        index.add(pool)
    build_s = time.perf_counter() - start + (coarse.seconds if coarse is not None else 0.0)
    rss_delta = rss_bytes() - rss0
    index_bytes = int(faiss.serialize_index(index).nbytes)
    k = args.k
    if truth is None:
        latency, rows = timed_search(index, queries, k, args.repeats)  # the first search warms BLAS up
        row = Row(n, kind, build_s, index_bytes, rss_delta, "-", latency, 1.0)
        del index
        return row, rows
    knob_name, sweep = ("efSearch", EF_SWEEP) if kind == "hnsw" else ("nprobe", NPROBE_SWEEP)
    best: Row | None = None
    history: list[float] = []
    for value in sweep:
        if knob_name == "efSearch":
            if value < k:
                continue
            index.hnsw.efSearch = value
        else:
            if value > index.nlist:
                break
            index.nprobe = value
        latency, rows = timed_search(index, queries, k, args.repeats)
        best = Row(n, kind, build_s, index_bytes, rss_delta, f"{knob_name}={value}", latency,
                   recall_at(rows, truth))
        if args.verbose:
            print(f"    {kind:8s} {best.knob:14s} {latency:7.3f} s recall {best.recall:.3f}", flush=True)
        history.append(best.recall)
        if best.recall >= TARGET_RECALL:
            break
        if len(history) >= 4 and history[-1] - history[-4] < 0.005:  # plateau (PQ's quantisation error)
            break
    del index
    gc.collect()
    return best, truth


def fmt_bytes(b: int) -> str:
    return f"{b / 2**20:8.0f} MiB"


def report(row: Row, k: int) -> None:
    print(f"  {row.kind:8s} build {row.build_s:7.1f} s  index {fmt_bytes(row.index_bytes)}  "
          f"RSS +{fmt_bytes(row.rss_delta)}  {row.knob:14s} 1k queries {row.latency_s:7.3f} s  "
          f"recall@{k} {row.recall:.3f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=float, nargs="+", default=[1e5, 1e6], help="pool sizes (default 1e5 1e6)")
    ap.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--k", type=int, default=32)
    ap.add_argument("--clusters", type=int, default=0, help="mixture components (default: pool size / 500)")
    ap.add_argument("--spread", type=float, default=1.0, help="noise norm around a unit centre")
    ap.add_argument("--hnsw-m", type=int, default=32)
    ap.add_argument("--ef-construction", type=int, default=40,
                    help="HNSW efConstruction (40: the 1e6 build fits the time budget on 2 cores)")
    ap.add_argument("--pq-m", type=int, default=48, help="IVF-PQ sub-quantizers (384/48 = 8 dims each, 48 B/vector)")
    ap.add_argument("--train-per-list", type=int, default=64, help="IVF k-means sample per list")
    ap.add_argument("--kmeans-iters", type=int, default=10)
    ap.add_argument("--lists-per-sqrt", type=float, default=4.0, help="IVF lists = this x sqrt(pool size)")
    ap.add_argument("--repeats", type=int, default=2, help="searches per setting; the best time counts")
    ap.add_argument("--threads", type=int, default=0, help="FAISS threads (default: usable cores)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--verbose", action="store_true", help="print every knob setting tried")
    args = ap.parse_args()

    import faiss

    threads = args.threads or usable_cores()
    faiss.omp_set_num_threads(threads)
    print(f"faiss {faiss.__version__}, {threads} threads, dim {DIM}, {args.queries} queries, top-{args.k}, "
          f"HNSW M={args.hnsw_m} efConstruction={args.ef_construction}, IVF-PQ m={args.pq_m}", flush=True)
    rows: list[Row] = []
    flat_latency: dict[int, float] = {}
    t_all = time.perf_counter()
    for size in [int(s) for s in args.sizes]:
        clusters = args.clusters or max(10, size // 500)
        t0 = time.perf_counter()
        pool = mixture(size, clusters, args.spread, args.seed)
        queries = mixture(args.queries, clusters, args.spread, args.seed)  # same centres, fresh points
        print(f"\npool {size:,} ({clusters} clusters; data {time.perf_counter() - t0:.1f} s)", flush=True)
        flat, truth = bench_kind(faiss, "flat", pool, queries, None, args)
        flat_latency[size] = flat.latency_s
        top1 = float(np.mean(np.einsum("ij,ij->i", pool[truth[:, 0]], queries)))
        print(f"  mean top-1 cosine {top1:.2f}", flush=True)
        report(flat, args.k)
        rows.append(flat)
        coarse = None
        for kind in args.kinds:
            if kind == "flat":
                continue
            if kind.startswith("ivf") and coarse is None:
                coarse = train_coarse(faiss, pool, args)
                print(f"  IVF coarse quantizer: {coarse.quantizer.ntotal} lists, k-means + assignment "
                      f"{coarse.seconds:.1f} s (counted in every IVF build)", flush=True)
            row, _ = bench_kind(faiss, kind, pool, queries, truth, args, coarse)
            rows.append(row)
            report(row, args.k)
        coarse = None
        del pool
        gc.collect()

    print(f"\n{'size':>9} {'index':8} {'build s':>8} {'index MiB':>10} {'RSS MiB':>8} {'setting':>14} "
          f"{'1k q s':>7} {'recall':>6} {'vs flat':>8} targets")
    for r in rows:
        speed = flat_latency.get(r.size, float('nan')) / r.latency_s
        print(f"{r.size:9,d} {r.kind:8} {r.build_s:8.1f} {r.index_bytes / 2**20:10.0f} {r.rss_delta / 2**20:8.0f} "
              f"{r.knob:>14} {r.latency_s:7.3f} {r.recall:6.3f} {speed:7.1f}x {'met' if r.ok else '-'}")
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    print(f"total {time.perf_counter() - t_all:.0f} s wall, {cpu.ru_utime + cpu.ru_stime:.0f} s CPU on {threads} "
          "threads (CPU / wall well below the thread count means the machine was shared)")
    largest = max(int(s) for s in args.sizes)
    candidates = [r for r in rows if r.size == largest and r.recall >= TARGET_RECALL and r.index_bytes <= TARGET_BYTES]
    if not candidates:
        print(f"SUMMARY retrieval_scale size={largest:.0e} no index reaches recall>={TARGET_RECALL} within 1 GB FAIL")
        return
    best = min(candidates, key=lambda r: r.latency_s)
    ratio = flat_latency.get(largest, float("nan")) / best.latency_s
    verdict = "PASS" if best.ok else "FAIL"
    print(f"SUMMARY retrieval_scale size={largest:.0e} chosen={best.kind} ({best.knob}) latency={best.latency_s:.3f}s "
          f"recall={best.recall:.3f} index={best.index_bytes / 2**20:.0f}MiB speedup_vs_flat={ratio:.1f}x "
          f"target<=1s,>=0.95,<=1GB {verdict}")


if __name__ == "__main__":
    main()
