"""Process-level performance settings that limekit never applies on its own.

Each explanation allocates and frees some tens of MB of temporary arrays. On
Linux, glibc's allocator hands large freed blocks back to the operating system
at once, so the next explanation pays a page fault per 4 kB page to get them
back: on breast_cancer (5000 samples, 30 features) that is ~3 800 faults and
~40% of an explanation's time. :func:`retain_freed_memory` raises glibc's
trim and mmap thresholds so freed memory is kept for reuse instead: the
process then holds on to up to ``max_mb`` of freed memory. It changes the
whole process's allocator, which is why it is opt-in. Setting the environment
variables ``MALLOC_TRIM_THRESHOLD_`` and ``MALLOC_MMAP_THRESHOLD_`` before
Python starts has the same effect.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

__all__ = ["retain_freed_memory", "release_work_arrays"]

# glibc's mallopt parameter numbers (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def retain_freed_memory(max_mb: int = 256) -> bool:
    """Keep up to ``max_mb`` of freed memory in the process for reuse (glibc only).

    Parameters
    ----------
    max_mb : int, default 256
        Freed memory the allocator may keep instead of returning it to the OS.
        The mmap threshold is set to half of it (glibc caps it at 32 MB on
        64-bit systems).

    Returns
    -------
    bool
        True if the settings were applied; False where they do not apply
        (not Linux, or not glibc), in which case nothing changed.

    Examples
    --------
    >>> from limekit.performance import retain_freed_memory
    >>> isinstance(retain_freed_memory(128), bool)
    True
    """
    if isinstance(max_mb, bool) or not isinstance(max_mb, int) or max_mb < 1:
        raise ValueError(f"max_mb must be a positive int, got {max_mb!r}")
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl has no mallopt)
        return False
    limit = max_mb * 1024 * 1024
    mmap_limit = min(limit // 2, 32 * 1024 * 1024)
    return bool(mallopt(_M_TRIM_THRESHOLD, limit)) and bool(mallopt(_M_MMAP_THRESHOLD,
                                                                      mmap_limit))


def release_work_arrays() -> int:
    """Free the work arrays the calling thread keeps between explanations.

    The tabular explainer reuses its largest temporary arrays (the
    model inputs, one instance's or a batch group's; at most 64 MiB per thread,
    arrays larger than that are never kept) so that explanations do not pay
    page faults for fresh memory. Call this after a long run in a thread that
    will not explain again soon.

    Returns
    -------
    int
        The number of bytes released (0 when the thread kept no arrays).

    Examples
    --------
    >>> from limekit.performance import release_work_arrays
    >>> release_work_arrays() >= 0
    True
    """
    from . import _pool

    kept = _pool.pooled_bytes()
    _pool.clear()
    return kept
