"""CPU thread budget shared by the embedder (torch) and the index (FAISS).

On a 2-core machine torch and FAISS default to more threads than there are cores available to the process
(cgroup/affinity limits are not always reflected in their defaults), and oversubscription makes batched
matrix products several times slower. Both libraries are capped at the number of usable cores.
"""

from __future__ import annotations

import os

_done: set[str] = set()


def usable_cores() -> int:
    """Cores this process may run on (affinity mask where the OS has one), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS / Windows
        return max(1, os.cpu_count() or 1)


def limit_torch_threads() -> None:
    """Cap torch's intra-op threads at the usable cores (once per process; never raises the count)."""
    if "torch" in _done:
        return
    import torch

    cores = usable_cores()
    if torch.get_num_threads() > cores:
        torch.set_num_threads(cores)
    _done.add("torch")


def faiss_module():
    """Import FAISS with its OpenMP threads capped at the usable cores."""
    import faiss

    if "faiss" not in _done:
        faiss.omp_set_num_threads(min(usable_cores(), max(1, faiss.omp_get_max_threads())))
        _done.add("faiss")
    return faiss
