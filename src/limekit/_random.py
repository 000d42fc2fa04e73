"""Per-explanation random generators.

An explanation must depend only on ``(random_state, instance, settings)``: not on
how many explanations were made before, nor on the order or grouping of a batch,
nor on the number of workers. So no generator is shared between explanations;
each one is derived afresh from the explainer's seed and a digest of the
instance it explains.
"""

from __future__ import annotations

import hashlib

import numpy as np

SeedLike = int | np.random.SeedSequence | None


def check_random_state(random_state: object) -> int | None:
    """Validate a ``random_state`` for an explainer and return it as an int (or None).

    Generators and ``RandomState`` objects carry mutable state, which would make
    an explanation depend on what ran before it; they are rejected here (the
    lime-compatible layer converts them to a seed once, at construction).
    """
    if random_state is None:
        return None
    if isinstance(random_state, np.random.SeedSequence):
        return int(random_state.generate_state(1, dtype=np.uint64)[0])
    if isinstance(random_state, (bool, np.bool_)):
        raise TypeError("random_state must be an int or None, not a bool")
    if isinstance(random_state, (int, np.integer)):
        if random_state < 0:
            raise ValueError(f"random_state must be a non-negative int, got {random_state}")
        return int(random_state)
    raise TypeError(
        f"random_state must be an int or None, got {type(random_state).__name__}; "
        "explanations are derived from the seed and the instance, so pass an integer "
        "seed rather than a Generator/RandomState."
    )


def instance_digest(*parts: bytes) -> tuple[int, ...]:
    """A stable tuple of 32-bit words identifying an instance's content."""
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        h.update(len(p).to_bytes(8, "little"))
        h.update(p)
    d = h.digest()
    return tuple(int.from_bytes(d[i : i + 4], "little") for i in range(0, 16, 4))


def explanation_rng(seed: int | None, key: tuple[int, ...]) -> np.random.Generator:
    """The generator for one explanation: a pure function of ``(seed, key)``.

    With ``seed=None`` the explanation is not reproducible (fresh OS entropy), as
    the user asked.
    """
    if seed is None:
        return np.random.default_rng()
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=key))


UNIFORM32_SCALE = 2.0 ** -32


#: SplitMix64's increment (2⁶⁴ / golden ratio) and output-mixing multipliers
# the largest position inside a category's mass: keeps index + v below index + 1
# despite rounding, so the integer part of a tabulated draw is always its category
BELOW_ONE = 1.0 - 2.0 ** -20

SPLITMIX_GAMMA = 0x9E3779B97F4A7C15
SPLITMIX_MIX1 = 0xBF58476D1CE4E5B9
SPLITMIX_MIX2 = 0x94D049BB133111EB


def explanation_word(seed: int | None, key: tuple[int, ...]) -> np.uint64:
    """A 64-bit seed word for one explanation: a pure function of ``(seed, key)``
    (fresh OS entropy with ``seed=None``), like :func:`explanation_rng` but for
    samplers whose only randomness is a counter-based word stream (lime's
    discrete sampler). Why: building a seeded ``Generator`` costs ~40 µs when its
    code is out of the cache (right after the model ran); one BLAKE2b hash, ~5."""
    if seed is None:
        return np.uint64(np.random.default_rng().bit_generator.random_raw())
    h = hashlib.blake2b(digest_size=8, person=b"limekit-words")
    seed = int(seed)
    size = max(1, (seed.bit_length() + 7) // 8)
    h.update(size.to_bytes(8, "little") + seed.to_bytes(size, "little"))
    for k in key:
        h.update(int(k).to_bytes(8, "little"))  # digest words and stream tags
    return np.uint64(int.from_bytes(h.digest(), "little"))


def stream_seed(rng: np.random.Generator | np.uint64) -> np.uint64:
    """The seed of a counter-based word stream: one raw 64-bit word of ``rng``, or
    ``rng`` itself when it already is a word (:func:`explanation_word`)."""
    if isinstance(rng, np.uint64):
        return rng
    return np.uint64(rng.bit_generator.random_raw())


def counter_words(seed: np.uint64, count: int) -> np.ndarray:
    """Words ``1 .. count`` of the SplitMix64 stream that starts at ``seed``.

    Word ``i`` is a pure function of ``(seed, i)``, so the compiled kernels
    compute each word where they use it (:func:`limekit._compiled` inlines the
    same arithmetic) instead of reading a generated array: no 0.6 MB buffer per
    5000 × 30 neighbourhood and a third of the cost of ``random_raw``. SplitMix64
    is the stream Java's ``SplittableRandom`` uses and passes BigCrush; each
    explanation seeds it from its own generator.
    """
    z = np.arange(1, count + 1, dtype=np.uint64)
    z *= np.uint64(SPLITMIX_GAMMA)
    z += np.uint64(seed)
    z ^= z >> np.uint64(30)
    z *= np.uint64(SPLITMIX_MIX1)
    z ^= z >> np.uint64(27)
    z *= np.uint64(SPLITMIX_MIX2)
    z ^= z >> np.uint64(31)
    return z


def word_count(count: int) -> int:
    """Words needed for ``count`` 32-bit uniforms (two per word)."""
    return (count + 1) // 2


def uniform32(words: np.ndarray, count: int) -> np.ndarray:
    """``count`` uniforms in [0, 1) from words (:func:`counter_words`): low half of word 0,
    high half of word 0, low half of word 1, ... times 2⁻³²."""
    halves = np.empty((words.size, 2))
    halves[:, 0] = words & np.uint64(0xFFFFFFFF)
    halves[:, 1] = words >> np.uint64(32)
    u = halves.ravel()[:count]
    u *= UNIFORM32_SCALE
    return u
