"""Superpixel representation of an image: segment, then decode masks back to images.

The interpretable vector of an image is one binary entry per superpixel
(segment): 1 shows the segment's pixels, 0 replaces them by a *fill* image
(each segment's mean colour, a constant colour, or a blurred copy). Decoding
is vectorised: for a chunk of masks ``Z`` the images are
``np.where(Z[:, segments][..., None], image, fill)``, computed as one gather
and one blend over flat arrays per chunk, and chunks are produced by a
generator so that a neighbourhood of 1000 224×224 images never sits in memory
at once. :attr:`ImageRepresentation.bytes_per_image` is the peak memory one
decoded image takes, so callers can size chunks by bytes
(:func:`limekit._memory.rows_per_chunk`); apart from the chunks, decoding keeps
only the segmentation, the fill and (for integer images) one difference image.

scikit-image provides the ``"quickshift"``, ``"slic"`` and ``"felzenszwalb"``
segmenters and is imported only when one of them runs; ``"grid"`` and
user-supplied segmentations need nothing beyond NumPy.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from .._optional import require

__all__ = [
    "SEGMENTERS",
    "ImageRepresentation",
    "check_image",
    "check_segments",
    "grid_segments",
    "make_fill",
    "relabel_segments",
    "segment_image",
]

#: Segmenters known by name (``"grid"`` needs no scikit-image).
SEGMENTERS: tuple[str, ...] = ("quickshift", "slic", "felzenszwalb", "grid")

#: lime's quickshift settings (``lime_image.LimeImageExplainer.explain_instance``).
QUICKSHIFT_DEFAULTS: dict[str, Any] = {"kernel_size": 4, "max_dist": 200, "ratio": 0.2}

#: Accepted channel counts of a 3-D image: grey, RGB, RGBA.
_CHANNELS = (1, 3, 4)


# ------------------------------------------------------------------ validation
def check_image(image: Any) -> np.ndarray:
    """Validate one image and return it as an ndarray (no copy when possible).

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C) with C in {1, 3, 4}
        Grayscale, RGB or RGBA; any integer or floating dtype.

    Returns
    -------
    ndarray
        The image, dtype and shape unchanged.

    Raises
    ------
    TypeError
        If the image is not numeric (strings, objects, booleans, complex).
    ValueError
        If its shape is not an image's (4-D batches, channels-first layouts,
        fewer than 2×2 pixels) or a floating image holds NaN/inf.
    """
    if isinstance(image, (str, bytes)):
        raise TypeError("image must be a NumPy array of pixels, not a string; load it first "
                        "(e.g. with skimage.io.imread or PIL + np.asarray)")
    arr = np.asarray(image)
    if arr.dtype == bool or arr.dtype.kind not in "uif":
        raise TypeError(
            f"image must have an integer or floating dtype, got {arr.dtype}; convert it with "
            "image.astype(np.uint8) or image.astype(np.float32)"
        )
    if arr.ndim not in (2, 3):
        hint = (" To explain several images, call explain() once per image."
                if arr.ndim == 4 else "")
        raise ValueError(
            f"image must be 2-D (H, W) grayscale or 3-D (H, W, C) with C in {_CHANNELS}; "
            f"got a {arr.ndim}-D array of shape {arr.shape}.{hint}"
        )
    if arr.ndim == 3 and arr.shape[2] not in _CHANNELS:
        hint = ""
        if arr.shape[0] in _CHANNELS:
            hint = (" It looks channels-first (C, H, W); pass image.transpose(1, 2, 0) "
                    "(limekit works on channels-last images; TorchModel converts to NCHW).")
        raise ValueError(
            f"image has {arr.shape[2]} channels (shape {arr.shape}); expected 1 (grey), "
            f"3 (RGB) or 4 (RGBA) channels in the last axis.{hint}"
        )
    h, w = arr.shape[:2]
    if h < 2 or w < 2:
        raise ValueError(
            f"image of shape {arr.shape} is too small to explain; it needs at least 2×2 "
            "pixels so that it can be split into superpixels."
        )
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(
                f"image has {int(bad.sum())} NaN or infinite value(s), the first at index "
                f"{where}; replace them (e.g. np.nan_to_num) before explaining."
            )
    return arr


def relabel_segments(labels: np.ndarray) -> tuple[np.ndarray, int]:
    """Map arbitrary segment labels to ``0..S-1`` (order of the original labels kept).

    skimage's ``slic`` numbers segments from 1 and other segmenters may skip
    numbers; lime then has features that cover no pixel (always "on", a dead
    feature). Re-indexing makes every feature a real, non-empty segment.

    Returns
    -------
    segments : ndarray of intp, same shape as ``labels``
    n_segments : int
    """
    flat = labels.ravel()
    if flat.dtype.kind in "ub" or (flat.dtype.kind == "i" and flat.size and flat.min() >= 0):
        # Non-negative integers: a counting table is O(pixels + max label), no sort.
        flat = flat.astype(np.intp, copy=False)
        top = int(flat.max()) if flat.size else -1
        if top <= 4 * flat.size + 1024:
            present = np.bincount(flat, minlength=top + 1) > 0
            if present.all():
                return flat.reshape(labels.shape), int(present.size)
            lut = np.cumsum(present) - 1
            return lut[flat].reshape(labels.shape), int(present.sum())
    uniq, inverse = np.unique(flat, return_inverse=True)
    return inverse.astype(np.intp, copy=False).reshape(labels.shape), int(uniq.size)


def check_segments(labels: Any, shape: tuple[int, ...], source: str = "segments"
                   ) -> tuple[np.ndarray, int]:
    """Validate a segmentation for an image of ``shape`` and relabel it to ``0..S-1``.

    Parameters
    ----------
    labels : array-like of shape (H, W)
        One integer label per pixel (integer-valued floats are accepted).
    shape : tuple
        Shape of the image (``(H, W)`` or ``(H, W, C)``).
    source : str
        What produced ``labels``, for error messages.

    Returns
    -------
    segments : ndarray of intp of shape (H, W)
    n_segments : int
    """
    arr = np.asarray(labels)
    hw = tuple(shape[:2])
    if arr.shape != hw:
        raise ValueError(
            f"{source} has shape {arr.shape} but the image is {hw[0]}×{hw[1]} pixels; a "
            f"segmentation must give one integer label per pixel, shape {hw}."
        )
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.array_equal(arr, np.round(arr)):
            raise ValueError(f"{source} must hold integer segment labels; it has non-integer "
                             "or non-finite values")
        arr = arr.astype(np.int64)
    elif arr.dtype.kind not in "uib":
        raise TypeError(f"{source} must be an integer label array, got dtype {arr.dtype}")
    return relabel_segments(arr)


# ---------------------------------------------------------------- segmenters
def _rgb_view(image: np.ndarray) -> np.ndarray:
    """The 3-channel image scikit-image's colour segmenters expect."""
    if image.ndim == 2:
        return np.repeat(image[..., None], 3, axis=2)  # skimage.color.gray2rgb, no import
    if image.shape[2] == 1:
        return np.repeat(image, 3, axis=2)
    if image.shape[2] == 4:
        return image[..., :3]  # alpha is not a colour; segment on RGB
    return image


def grid_segments(shape: Sequence[int], rows: int = 8, cols: int | None = None) -> np.ndarray:
    """A regular ``rows × cols`` grid of rectangular segments (clipped to the image size).

    Cheap and segmenter-free: a sensible choice for small images (digits,
    thumbnails) or as a baseline that does not follow image content.

    Parameters
    ----------
    shape : sequence of int
        Image shape; only ``(H, W)`` is used.
    rows, cols : int, default 8 and ``rows``
        Cells along each axis.

    Returns
    -------
    ndarray of intp of shape (H, W)
        Labels ``0 .. rows·cols - 1`` in row-major order.
    """
    h, w = int(shape[0]), int(shape[1])
    cols = rows if cols is None else cols
    for name, v in (("rows", rows), ("cols", cols)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"grid segmenter: {name} must be a positive int, got {v!r}")
    r, c = min(int(rows), h), min(int(cols), w)
    ri = (np.arange(h, dtype=np.intp) * r) // h
    ci = (np.arange(w, dtype=np.intp) * c) // w
    return (ri[:, None] * c + ci[None, :]).astype(np.intp, copy=False)


def _skimage_segmenter(name: str) -> Callable[..., np.ndarray]:
    require("skimage")  # names the limekit[image] extra when missing
    return getattr(importlib.import_module("skimage.segmentation"), name)


def segment_image(image: np.ndarray, segmenter: str | Callable[[np.ndarray], Any] = "quickshift",
                  **kwargs: Any) -> tuple[np.ndarray, int]:
    """Split ``image`` into superpixels.

    Parameters
    ----------
    image : ndarray (H, W) or (H, W, C)
        A validated image (see :func:`check_image`).
    segmenter : {"quickshift", "slic", "felzenszwalb", "grid"} or callable
        ``"quickshift"`` uses lime's settings (``kernel_size=4, max_dist=200,
        ratio=0.2``) unless overridden by ``kwargs``. Colour segmenters see the
        image as RGB (grey is repeated, alpha dropped). A callable gets the
        image as given and returns one integer label per pixel.
    **kwargs
        Passed to the scikit-image function, or ``rows``/``cols`` for ``"grid"``.

    Returns
    -------
    segments : ndarray of intp of shape (H, W), labels ``0..S-1``
    n_segments : int
    """
    if callable(segmenter) and not isinstance(segmenter, str):
        name = getattr(segmenter, "__name__", type(segmenter).__name__)
        labels = segmenter(image, **kwargs)
        return check_segments(labels, image.shape, source=f"the segmenter {name!r}")
    if segmenter == "grid":
        return relabel_segments(grid_segments(image.shape, **kwargs))
    if segmenter not in SEGMENTERS:
        raise ValueError(
            f"segmenter must be one of {SEGMENTERS} or a callable image -> labels, "
            f"got {segmenter!r}"
        )
    fn = _skimage_segmenter(segmenter)
    params = dict(QUICKSHIFT_DEFAULTS) if segmenter == "quickshift" else {}
    params.update(kwargs)
    if segmenter == "slic":
        # slic numbers from 1 by default; relabelling fixes that, but say 0 so
        # user-visible ids match what skimage documents for start_label=0.
        params.setdefault("start_label", 0)
    accepted = inspect.signature(fn).parameters
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise TypeError(f"{segmenter} does not accept {unknown}; valid options are "
                        f"{sorted(p for p in accepted if p != 'image')}")
    view = _rgb_view(image)
    if view.dtype.kind == "f":
        top = float(np.max(np.abs(view))) if view.size else 0.0
        if top > 1e6:
            # skimage's colour conversion raises values to the power 2.4 in the image's
            # own dtype: rescale extreme float images (never ordinary ones, so segments
            # stay lime's) to keep the segmentation finite
            view = view / top
    labels = fn(view, **params)
    return check_segments(labels, image.shape, source=f"skimage.segmentation.{segmenter}")


# ---------------------------------------------------------------------- fill
def _segment_means(image: np.ndarray, segments: np.ndarray, n_segments: int) -> np.ndarray:
    """Mean of every channel over every segment, ``(S, C)`` (``(S,)`` for 2-D images)."""
    flat = segments.ravel()
    counts = np.bincount(flat, minlength=n_segments).astype(float)
    pix = image.reshape(flat.size, -1)
    # One channel at a time: bincount converts its weights to float64, so this
    # holds 8 bytes per pixel at once instead of 8 per pixel and channel.
    sums = np.stack([np.bincount(flat, weights=pix[:, c], minlength=n_segments)
                     for c in range(pix.shape[1])], axis=1)
    means = sums / counts[:, None]
    return means[:, 0] if image.ndim == 2 else means


def _cast_like(values: np.ndarray, dtype: np.dtype, truncate: bool = True) -> np.ndarray:
    """Cast to the image dtype; integers are truncated (lime's assignment) or rounded."""
    if np.dtype(dtype).kind in "ui":
        info = np.iinfo(dtype)
        v = values if truncate else np.rint(values)
        # float(2**63 - 1) rounds up to 2**63, which overflows the cast: clip to the
        # largest float that the dtype holds
        hi = float(info.max)
        if int(hi) > info.max:
            hi = float(np.nextafter(hi, 0.0))
        return np.clip(v, float(info.min), hi).astype(dtype)
    return values.astype(dtype)


def make_fill(image: np.ndarray, segments: np.ndarray, n_segments: int,
              hide_color: Any = None, blur_sigma: float | None = None) -> np.ndarray:
    """The image whose pixels replace hidden segments, same shape and dtype as ``image``.

    Parameters
    ----------
    hide_color : None, number, sequence of numbers, or "blur"
        ``None``: each segment's own mean colour (lime's default; for integer
        images the mean is truncated to the dtype as lime's assignment does).
        A number or one number per channel: a constant colour.
        ``"blur"``: a Gaussian-blurred copy of the image.
    blur_sigma : float, optional
        Blur strength in pixels for ``"blur"``; default ``max(1, max(H, W) / 20)``.
    """
    dtype = image.dtype
    if hide_color is None:
        means = _segment_means(image, segments, n_segments)
        return _cast_like(means, dtype)[segments]
    if isinstance(hide_color, str):
        if hide_color != "blur":
            raise ValueError(f"hide_color must be None, a number, a colour or 'blur', "
                             f"got {hide_color!r}")
        from scipy.ndimage import gaussian_filter

        h, w = image.shape[:2]
        sigma = max(1.0, max(h, w) / 20.0) if blur_sigma is None else float(blur_sigma)
        sig = (sigma, sigma) if image.ndim == 2 else (sigma, sigma, 0.0)
        blurred = gaussian_filter(image.astype(float), sigma=sig, mode="nearest")
        return _cast_like(blurred, dtype, truncate=False)
    try:
        color = np.asarray(hide_color, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"hide_color must be None, a number, a colour or 'blur', "
                        f"got {hide_color!r}") from None
    n_ch = 1 if image.ndim == 2 else image.shape[2]
    if color.ndim > 1 or (color.ndim == 1 and color.size not in (1, n_ch)):
        raise ValueError(f"hide_color {hide_color!r} must be one number or {n_ch} numbers "
                         f"(one per channel) for an image of shape {image.shape}")
    if not np.all(np.isfinite(color)):
        raise ValueError(f"hide_color must be finite, got {hide_color!r}")
    if dtype.kind in "ui":
        info = np.iinfo(dtype)
        if color.min() < info.min or color.max() > info.max:
            raise ValueError(f"hide_color {hide_color!r} is outside the range of the image's "
                             f"dtype {dtype} ({info.min}..{info.max})")
    if color.ndim == 1 and color.size == 1:
        color = color[0]
    if image.ndim == 2 and color.ndim == 1:
        color = color[0]
    fill = np.empty_like(image)
    fill[...] = _cast_like(np.asarray(color), dtype)
    return fill


# ------------------------------------------------------------ representation
class ImageRepresentation:
    """An image, its superpixels and the fill that hides them.

    Parameters
    ----------
    image : ndarray (H, W) or (H, W, C)
        A validated image (see :func:`check_image`).
    segments : ndarray of intp (H, W)
        Labels ``0..S-1`` (see :func:`relabel_segments`).
    n_segments : int
    hide_color : None, number, sequence of numbers, or "blur"
        See :func:`make_fill`.

    Attributes
    ----------
    n_features : int
        Number of superpixels ``S`` (interpretable features).
    fill : ndarray
        What hidden pixels become; same shape and dtype as ``image``.
    """

    def __init__(self, image: np.ndarray, segments: np.ndarray, n_segments: int,
                 hide_color: Any = None) -> None:
        self.image = image
        self.segments = segments
        self.n_features = int(n_segments)
        self.fill = make_fill(image, segments, self.n_features, hide_color)
        self._tables: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None] | None = None

    def encode(self) -> np.ndarray:
        """The instance in the interpretable space: every superpixel shown."""
        return np.ones(self.n_features)

    def segment_sizes(self) -> np.ndarray:
        """Pixels in each segment."""
        return np.bincount(self.segments.ravel(), minlength=self.n_features)

    @property
    def bytes_per_image(self) -> int:
        """Peak bytes one perturbed image takes while :meth:`decode_chunks` builds it.

        A chunk of ``b`` images peaks at ``b * bytes_per_image``: the pixel-level
        mask and the decoded images (see :meth:`decode_chunks`). It is at least
        the decoded image itself, ``image.nbytes``.

        Examples
        --------
        >>> import numpy as np
        >>> img = np.zeros((4, 4, 3), dtype=np.uint8)
        >>> rep = ImageRepresentation(img, grid_segments(img.shape, 2), 4, hide_color=0)
        >>> rep.bytes_per_image  # 16 mask bytes + 48 image bytes
        64
        """
        pixels = int(self.segments.size)
        channels = 1 if self.image.ndim == 2 else int(self.image.shape[2])
        k = int(self.image.dtype.itemsize)
        if self.image.dtype.kind in "ui":
            if k == 1:  # the mask becomes the image in place
                return pixels * (1 + channels) if channels > 1 else pixels
            # cast mask (k per pixel), then repeated to channels (k per value)
            return pixels * k * (1 + channels) if channels > 1 else pixels * (1 + k)
        # floats: the 0/1 mask per value and the decoded image
        return pixels * channels * (1 + k)

    def decode_chunks(self, Z: np.ndarray, batch_size: int | None = None
                      ) -> Iterator[np.ndarray]:
        """Yield the images of the masks ``Z`` (``(n, S)``, 1 = shown), ``batch_size`` at a time.

        Each chunk is ``(b, H, W[, C])`` in the image's dtype. Per chunk there is
        one gather of the masks to pixel level, one repeat to channels and one
        blend, all over flat contiguous arrays: no per-sample copy, no loop
        over segments. Only one chunk is alive at a time unless the consumer
        keeps it; building it takes at most ``b * bytes_per_image`` bytes.
        """
        keep = np.ascontiguousarray(np.asarray(Z) != 0).view(np.uint8)
        n = keep.shape[0]
        step = n if not batch_size else int(batch_size)
        seg, img, fill, diff = self._flat_tables()
        channels = 1 if self.image.ndim == 2 else self.image.shape[2]
        for start in range(0, n, step):
            # (b, H·W) 0/1 bytes: a pixel is shown iff its segment is kept (the
            # indices are valid by construction; mode="clip" skips the bounds check).
            # Gathering per pixel and repeating to channels needs no per-channel
            # index table (8 bytes per value for a large image) and is as fast.
            m = np.take(keep[start:start + step], seg, axis=1, mode="clip")
            if diff is not None:
                # Integers: fill + m·(image − fill) in wrap-around arithmetic is exactly
                # image where m = 1 and fill where m = 0, and (unlike np.where with a
                # broadcast channel axis) runs as two contiguous SIMD passes.
                if m.dtype != diff.dtype:
                    m = m.astype(diff.dtype)  # before the repeat: C times less to cast
                if channels > 1:
                    m = np.repeat(m, channels, axis=1)
                np.multiply(m, diff, out=m)
                np.add(m, fill, out=m)
                out = m.view(self.image.dtype)
            else:
                # Floats: fill + (image − fill) may round, so copy the shown pixels instead.
                if channels > 1:
                    m = np.repeat(m, channels, axis=1)
                out = np.empty(m.shape, dtype=self.image.dtype)
                out[...] = fill
                np.copyto(out, img, where=m.view(bool))
            del m
            yield out.reshape((out.shape[0], *self.image.shape))
            # Dropped before the next chunk is built: two chunks never coexist.
            del out

    def _flat_tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """Segment of every pixel, flat image and fill, and for integer images the
        wrap-around difference (all in an unsigned view of the dtype)."""
        if self._tables is None:
            seg = np.ascontiguousarray(self.segments, dtype=np.intp).ravel()
            img = np.ascontiguousarray(self.image).ravel()
            fill = np.ascontiguousarray(self.fill).ravel()
            diff = None
            if self.image.dtype.kind in "ui":
                udt = np.dtype(f"u{self.image.dtype.itemsize}")
                img, fill = img.view(udt), fill.view(udt)
                diff = img - fill  # modulo 2**bits
            self._tables = (seg, img, fill, diff)
        return self._tables

    def decode(self, Z: np.ndarray) -> np.ndarray:
        """All images of ``Z`` at once, ``(n, H, W[, C])`` (small neighbourhoods only)."""
        if len(Z) == 0:
            return np.empty((0, *self.image.shape), dtype=self.image.dtype)
        return next(self.decode_chunks(Z, batch_size=None))

    def __repr__(self) -> str:
        return (f"ImageRepresentation(shape={self.image.shape}, dtype={self.image.dtype}, "
                f"n_segments={self.n_features})")
