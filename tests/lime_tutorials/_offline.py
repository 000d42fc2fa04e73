"""Offline stand-ins for the downloads in lime's tutorial notebooks (test material).

The tutorials fetch 20 Newsgroups, the Olivetti faces and MNIST from the
internet; the test machines are offline, so each tutorial imports the function
of the same name from here instead (the only change to its cell). The stand-ins
return objects with the attributes the tutorials read (``data``, ``target``,
``target_names``, ``feature_names``), built deterministically:

* :func:`fetch_20newsgroups`: a synthetic corpus of newsgroup-style posts
  (headers with ``NNTP-Posting-Host`` lines, a quoted reply, a signature) on
  the 20 real group names, 60 training and 68 test posts per group, so the
  tutorials' document indices (83, 1340) exist;
* :func:`fetch_olivetti_faces`: scikit-learn's bundled 8x8 digits (400 of
  them), upscaled to the faces' 64x64 float images in [0, 1];
* :func:`fetch_openml`: the same digits resized to MNIST's 28x28, 0..255
  pixels, string targets as OpenML returns them (the first 1,000 images).
"""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits
from sklearn.utils import Bunch

GROUPS = (
    "alt.atheism", "comp.graphics", "comp.os.ms-windows.misc", "comp.sys.ibm.pc.hardware",
    "comp.sys.mac.hardware", "comp.windows.x", "misc.forsale", "rec.autos",
    "rec.motorcycles", "rec.sport.baseball", "rec.sport.hockey", "sci.crypt",
    "sci.electronics", "sci.med", "sci.space", "soc.religion.christian",
    "talk.politics.guns", "talk.politics.mideast", "talk.politics.misc", "talk.religion.misc",
)

_TOPIC_WORDS = {
    "alt.atheism": "atheism atheists god belief evidence morality religion argument",
    "comp.graphics": "graphics image rendering polygon pixel format jpeg algorithm",
    "comp.os.ms-windows.misc": "windows dos driver install file program microsoft setup",
    "comp.sys.ibm.pc.hardware": "ide scsi controller drive motherboard bios card jumper",
    "comp.sys.mac.hardware": "mac apple powerbook quadra monitor simm centris nubus",
    "comp.windows.x": "xterm motif widget server window display xlib client",
    "misc.forsale": "sale offer shipping price condition asking sell brand",
    "rec.autos": "car engine dealer ford tires brakes mileage toyota",
    "rec.motorcycles": "bike motorcycle helmet ride dod riding honda bmw",
    "rec.sport.baseball": "baseball pitcher season hitter runs braves inning league",
    "rec.sport.hockey": "hockey game team playoff goalie nhl period leafs",
    "sci.crypt": "encryption key clipper chip government escrow nsa privacy",
    "sci.electronics": "circuit voltage power amp resistor signal wire battery",
    "sci.med": "doctor patients disease treatment medical pain diet symptoms",
    "sci.space": "space orbit nasa launch shuttle moon satellite mission",
    "soc.religion.christian": "church christ jesus faith christians bible scripture prayer",
    "talk.politics.guns": "guns firearms weapons fbi batf waco militia amendment",
    "talk.politics.mideast": "israel israeli arab jews turkish armenian lebanon palestinian",
    "talk.politics.misc": "president tax government clinton law state federal policy",
    "talk.religion.misc": "koresh moral christian bible objective cult truth kent",
}

_FILLER = ("the of and to a in is that it for on with as this was but be not are have "
           "you they we can would about there think just like know people one time "
           "make good any other more some well use").split()


def _post(rng: np.random.Generator, group: str, n: int) -> str:
    topic = _TOPIC_WORDS[group].split()
    words = [rng.choice(topic) if rng.random() < 0.3 else rng.choice(_FILLER)
             for _ in range(int(rng.integers(40, 90)))]
    words[0] = words[0].capitalize()
    body = " ".join(words) + "."
    # The atheism side posts more often through news servers (the spurious
    # "Posting"/"Host" evidence the two-class tutorial finds).
    p_host = 0.8 if group.startswith(("alt.", "comp.", "sci.")) else 0.3
    header = [f"From: user{n}@site{n % 17}.edu",
              f"Subject: Re: {rng.choice(topic)} {rng.choice(topic)}",
              f"Organization: University {n % 11}"]
    if rng.random() < p_host:
        header.append(f"NNTP-Posting-Host: host{n % 13}.site{n % 17}.edu")
    header.append(f"Lines: {len(words) // 10 + 3}")
    quote = f"> {rng.choice(topic)} {rng.choice(_FILLER)} {rng.choice(topic)}"
    footer = f"-- \nuser{n} | {rng.choice(topic)} enthusiast"
    return "\n".join(header) + "\n\n" + quote + "\n" + body + "\n" + footer + "\n"


def _strip(text: str, remove: tuple[str, ...]) -> str:
    if "headers" in remove:
        _, _, text = text.partition("\n\n")
    if "footers" in remove:
        text = text.rsplit("\n-- \n", 1)[0]
    if "quotes" in remove:
        text = "\n".join(line for line in text.split("\n") if not line.startswith(">"))
    return text


def fetch_20newsgroups(subset: str = "train", categories=None, remove=(), **_ignored) -> Bunch:
    """Synthetic stand-in for :func:`sklearn.datasets.fetch_20newsgroups` (offline)."""
    names = sorted(categories) if categories is not None else list(GROUPS)
    per_class = {"train": 60, "test": 68}
    subsets = ["train", "test"] if subset == "all" else [subset]
    data, target = [], []
    for sub in subsets:
        for label, group in enumerate(names):
            seed = [GROUPS.index(group), 0 if sub == "train" else 1]
            rng = np.random.default_rng(seed)
            for n in range(per_class[sub]):
                data.append(_strip(_post(rng, group, n), tuple(remove)))
                target.append(label)
    order = np.random.default_rng(42).permutation(len(data))
    return Bunch(data=[data[i] for i in order], target=np.asarray(target)[order],
                 target_names=names, filenames=np.array([f"{i}" for i in order]),
                 DESCR="synthetic offline stand-in for 20 Newsgroups")


def fetch_olivetti_faces(**_ignored) -> Bunch:
    """Stand-in for :func:`sklearn.datasets.fetch_olivetti_faces`: 400 digits at 64x64."""
    digits = load_digits()
    small = digits.images[:400] / 16.0
    images = np.kron(small, np.ones((8, 8))).astype(np.float32)
    return Bunch(data=images.reshape(len(images), -1), images=images,
                 target=digits.target[:400].astype(np.int64),
                 DESCR="offline stand-in: scikit-learn digits upscaled to 64x64")


def fetch_openml(name: str = "mnist_784", **_ignored) -> Bunch:
    """Stand-in for ``fetch_openml('mnist_784')``: 1,000 digits at 28x28, 0..255."""
    from skimage.transform import resize

    digits = load_digits()
    small = digits.images[:1000] / 16.0
    images = np.stack([resize(img, (28, 28), order=1) for img in small]) * 255.0
    return Bunch(data=images.reshape(len(images), -1), target=digits.target[:1000].astype(str),
                 DESCR=f"offline stand-in for {name}: scikit-learn digits at 28x28")
