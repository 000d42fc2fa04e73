"""Drop-in replacements for the ``lime`` package's public API.

Migrating a lime script is a change of imports::

    from lime.lime_tabular import LimeTabularExplainer          # before
    from limekit.compat.lime_tabular import LimeTabularExplainer  # after

The classes here keep lime 0.2.0.1's signatures, defaults, attributes and
return types, and translate every call to limekit's native pipeline
(:class:`limekit.TabularExplainer`); they add no algorithm of their own.
Differences from lime that are deliberate:

* explanations are reproducible: with an integer ``random_state`` (or a
  ``numpy.random.RandomState``, turned into a seed once) an explanation
  depends only on the seed and the instance, so explaining the same row twice
  gives the same result, and explainers and explanations pickle;
* HTML output is self-contained and script-free (no JavaScript bundle);
* ``score`` and ``local_pred`` keep lime's meaning (the last explained label)
  and ``score_per_label`` / ``local_pred_per_label`` give every label's value.

Submodules
----------
lime_tabular
    :class:`~limekit.compat.lime_tabular.LimeTabularExplainer` and
    :class:`~limekit.compat.lime_tabular.RecurrentTabularExplainer`.
lime_text
    :class:`~limekit.compat.lime_text.LimeTextExplainer`, ``IndexedString``, ``IndexedCharacters``.
lime_image
    :class:`~limekit.compat.lime_image.LimeImageExplainer` and its ``ImageExplanation``.
wrappers.scikit_image
    :class:`~limekit.compat.wrappers.scikit_image.SegmentationAlgorithm`.
submodular_pick
    :class:`~limekit.compat.submodular_pick.SubmodularPick` (SP-LIME), seeded.
explanation
    The lime-style :class:`~limekit.compat.explanation.Explanation`.
discretize
    lime's discretizer classes (``QuartileDiscretizer`` ...), on limekit's bins.
lime_base
    :class:`~limekit.compat.lime_base.LimeBase`, on limekit's surrogates.
exceptions, utils.generic_utils
    ``LimeError`` and ``has_arg``.
"""

__all__ = ["lime_tabular", "lime_text", "lime_image", "wrappers", "explanation",
           "submodular_pick", "discretize", "lime_base", "exceptions", "utils"]
