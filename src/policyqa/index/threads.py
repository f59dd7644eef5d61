"""How many CPUs this process may really use, for the model's intra-op thread pool.

os.cpu_count() is the host's count: in a container or under taskset it can be 64 when two
are usable, and a model with 64 threads on two cores spends its time switching between them.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def usable_cpus(cpu_max: Path = CGROUP_CPU_MAX) -> int:
    """The CPUs this process may run on (its affinity), capped by a cgroup v2 CPU quota."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        count = os.cpu_count() or 1
    quota = _cgroup_quota(cpu_max)
    return max(1, min(count, quota) if quota else count)


def _cgroup_quota(cpu_max: Path) -> int | None:
    """ceil(quota / period) from cpu.max ("200000 100000" -> 2); None when unlimited or unknown."""
    try:
        quota, period = cpu_max.read_text().split()[:2]
        return max(1, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError, ZeroDivisionError):  # "max 100000", no cgroup v2, or garbage
        return None


def limit_torch_threads(count: int | None = None) -> int:
    """Set torch's intra-op threads to `count` (default: usable_cpus()) and return it.
    Call it before the model's first forward pass; torch is imported here, not at module load."""
    import torch

    count = count or usable_cpus()
    torch.set_num_threads(count)
    return count
