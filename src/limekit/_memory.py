"""Memory budgets: how many rows of perturbed data to hold at once.

Explainers decode their neighbourhood (perturbed images, rows, texts) in
chunks and call the model once per chunk. Counting rows is not enough to bound
memory: ten 224×224 images are 1.5 MB, ten 4096×4096 ones 500 MB. These
helpers turn a budget in bytes into a number of rows per chunk, so the memory
that perturbed samples take stays below the budget whatever their size.

The budget covers what limekit allocates for the samples in flight; the
model's own working memory (activations, copies it makes) comes on top.

Examples
--------
>>> from limekit._memory import MiB, rows_per_chunk
>>> rows_per_chunk(2048 * 2048 * 3, budget=64 * MiB)  # 12 MiB RGB images
5
>>> rows_per_chunk(10 * MiB, budget=1 * MiB)           # at least one row
1
>>> rows_per_chunk(100, budget=1 * MiB, max_rows=10)   # a row cap still applies
10
>>> rows_per_chunk(100, budget=None) is None           # no limit at all
True
"""

from __future__ import annotations

import numbers

__all__ = ["DEFAULT_MEMORY_BUDGET", "MiB", "check_memory_budget", "rows_per_chunk"]

#: One mebibyte (2**20 bytes).
MiB = 2**20

#: Default budget for perturbed samples held at once: 256 MiB.
DEFAULT_MEMORY_BUDGET = 256 * MiB


def check_memory_budget(budget: object, name: str = "memory_budget") -> int | None:
    """Validate a memory budget in bytes.

    Parameters
    ----------
    budget : int or None
        Bytes; ``None`` means no limit.
    name : str
        The argument's name, for the error message.

    Returns
    -------
    int or None

    Raises
    ------
    TypeError
        If ``budget`` is not an integer (booleans and floats are refused, so
        that ``256e6`` or ``True`` do not slip through as a size).
    ValueError
        If ``budget`` is not positive.

    Examples
    --------
    >>> check_memory_budget(512 * MiB) == 512 * MiB
    True
    """
    if budget is None:
        return None
    if isinstance(budget, bool) or not isinstance(budget, numbers.Integral):
        raise TypeError(f"{name} must be an int number of bytes or None, got "
                        f"{type(budget).__name__} {budget!r}; e.g. {name}=512 * 2**20 for "
                        "512 MiB")
    if budget < 1:
        raise ValueError(f"{name} must be a positive number of bytes or None (no limit), "
                         f"got {budget}")
    return int(budget)


def rows_per_chunk(bytes_per_row: int, budget: int | None = DEFAULT_MEMORY_BUDGET, *,
                   max_rows: int | None = None) -> int | None:
    """Rows to process at once so that ``rows × bytes_per_row`` stays within ``budget``.

    Parameters
    ----------
    bytes_per_row : int
        Peak bytes one row (one perturbed image, one decoded sample...) takes
        while a chunk is built and used; must be positive.
    budget : int or None, default DEFAULT_MEMORY_BUDGET
        Bytes for the whole chunk; ``None`` sets no byte limit.
    max_rows : int or None
        A cap on rows per chunk regardless of bytes (e.g. a ``batch_size``).

    Returns
    -------
    int or None
        At least 1 (one row is always allowed, even when it alone exceeds
        the budget), at most ``max_rows``; ``None`` when neither ``budget``
        nor ``max_rows`` limits the chunk.

    Examples
    --------
    >>> rows_per_chunk(1000, budget=10_500)
    10
    """
    if isinstance(bytes_per_row, bool) or not isinstance(bytes_per_row, numbers.Integral) \
            or bytes_per_row < 1:
        raise ValueError(f"bytes_per_row must be a positive int, got {bytes_per_row!r}")
    budget = check_memory_budget(budget, "budget")
    if max_rows is not None and (isinstance(max_rows, bool)
                                 or not isinstance(max_rows, numbers.Integral) or max_rows < 1):
        raise ValueError(f"max_rows must be a positive int or None, got {max_rows!r}")
    if budget is None:
        return None if max_rows is None else int(max_rows)
    rows = max(1, budget // int(bytes_per_row))
    return rows if max_rows is None else min(rows, int(max_rows))
