"""Report section: a grating-trained CNN compared with V1 by representational similarity."""

from __future__ import annotations

from typing import Literal

import numpy as np

from cortexkit.report import html
from cortexkit.report._build import ReportContext

TITLE = "Encoding models and RSA"
KIND = "model"

_LAYERS = ("conv", "pool", "fc")
_ROWS_AT = (-60.0, -20.0, 20.0, 60.0)


def build(ctx: ReportContext) -> list[str]:
    """Stimuli, training, RDMs of V1 and each layer, similarity with CIs, rows, tuning, maps."""
    from cortexkit import datasets, encoding, rsa
    from cortexkit.io.responses import tutorial_convention
    from cortexkit.plot import encoding as penc
    from cortexkit.plot import rsa as prsa

    v1 = datasets.v1_orientation_like(seed=ctx.seed)
    if ctx.quick:  # 5-degree bins: 36 stimuli instead of ~360
        from cortexkit.io.responses import bin_stimuli

        v1 = bin_stimuli(v1, 5.0)
    v1 = tutorial_convention(v1)
    order = np.argsort(v1.stimuli, kind="stable")
    n_train, epochs = (200, 3) if ctx.quick else (1000, 25)
    ex = encoding.orientation_experiment(
        v1, _LAYERS, n_train=n_train, epochs=epochs, seed=ctx.seed, use_cache=not ctx.quick,
        n_boot=300 if ctx.quick else 1000, n_perm=50 if ctx.quick else 500)
    net, losses, cached, acc, cmp = ex.net, ex.losses, ex.from_cache, ex.accuracy, ex.comparison
    st = v1.stimuli[order]
    rdms = {("V1 (synthetic)" if k == "data" else k): m[np.ix_(order, order)]
            for k, m in cmp.rdms.items()}

    blocks = [html.paragraph(
        "A normative encoding model asks whether a network trained on a task relevant to the "
        "animal represents stimuli like its cortex. A small CNN (convolution with 6 filters "
        "initialised as centre-surround and Gabor detectors, ReLU, 8x8 max-pooling, 10 fully "
        "connected units, one output) learns to report whether a grating is tilted right or "
        "left of vertical. Its hidden layers and the V1 population see the same gratings; each "
        "system becomes a stimulus x stimulus representational dissimilarity matrix (RDM, "
        "1 - Pearson correlation of the population vectors), and the RDMs are compared by "
        "Pearson correlation over the upper off-diagonal triangle, with 95% bootstrap "
        "intervals from resampling stimuli."),
        html.facts({
            "V1 data": f"{v1.source}: {v1.n_stimuli} gratings (orientation -90..90, "
                       f"0 = vertical) x {v1.n_neurons} neurons",
            "training": f"{n_train} gratings x {epochs} epochs, SGD + momentum, seed {ctx.seed}"
                        + (" (weights from the user cache)" if cached else ""),
            "held-out accuracy": f"{acc:.3f} on 1000 new gratings",
        })]
    blocks.append(html.subheading("Stimuli and training"))
    shown = np.array([-60.0, -30.0, 0.0, 30.0, 60.0])
    imgs = np.concatenate([encoding.grating(shown), encoding.grating(np.array([30.0]),
                                                                     patch=True)])
    blocks.append(html.figure(
        prsa.stimuli(imgs, [f"{a:+.0f}°" for a in shown] + ["+30° patch"]),
        "Binarized gratings (48 x 64): 0° is vertical, positive angles tilt right. The last "
        "one is the circular-patch variant."))
    fig = penc.filters(net.conv.weight.detach().numpy()).figure
    blocks.append(html.figure(fig, "Convolution filters after training (initialised as on/off "
                                   "centre-surround and Gabors at 0, 45, 90, 135°)."))
    steps = int(np.ceil(n_train / 100))
    blocks.append(html.figure(penc.training_loss(losses, steps).figure,
                              "Binary cross-entropy during training."))

    blocks.append(html.subheading("Representational dissimilarity"))
    blocks.append(html.figure(prsa.rdm_grid(rdms, st),
                              "RDMs of V1 and of each layer, stimuli sorted by orientation."))
    table = cmp.table
    ax = prsa.similarity_bars(table)
    ax.set_title("layer vs V1")
    blocks.append(html.figure(ax.figure, "Similarity of each layer's RDM with V1's (Pearson r "
                              "of the upper triangles) with 95% bootstrap confidence intervals "
                              "over stimuli."))
    blocks.append(html.table(table[["layer", "n_units", "similarity", "ci_low", "ci_high",
                                    "p_value", "cka"]]))
    best = table.loc[table["similarity"].idxmax()]
    blocks.append(html.paragraph(
        f"The {best['layer']} layer resembles V1 most (r = {best['similarity']:.2f}, 95% CI "
        f"{best['ci_low']:.2f}-{best['ci_high']:.2f}). p-values: one-sided permutation tests "
        "(stimulus labels of the layer's RDM shuffled); CKA: linear centred kernel alignment "
        "of the raw activity with the responses."))
    sub = {k: rdms[k] for k in ("V1 (synthetic)", "pool", "fc")}
    blocks.append(html.figure(prsa.rdm_rows(sub, st, _ROWS_AT),
                              "RDM rows around four orientations: how dissimilar every grating "
                              "is from the one nearest -60, -20, 20 and 60°. V1 and the pooling "
                              "layer change smoothly with orientation difference; the "
                              "fully connected layer mostly separates left from right tilts."))

    blocks.append(html.subheading("Tuning and population geometry"))
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 3.2), layout="constrained")
    a1, a2 = fig.subplots(1, 2)
    prsa.tuning_curves(rsa.tuning_curves(v1.responses, v1.stimuli, bin_width=10), ax=a1)
    a1.set_title("V1 (8 most modulated neurons)")
    prsa.tuning_curves(rsa.tuning_curves(cmp.activity["fc"], v1.stimuli, bin_width=10),
                       ax=a2, n=10)
    a2.set_title("CNN fc units")
    blocks.append(html.figure(fig, "Tuning curves (mean +- SEM in 10° bins)."))
    method: Literal["tsne", "pca"] = "pca" if ctx.quick else "tsne"
    embs = {"V1": rsa.embed(v1.responses[order], method, seed=ctx.seed)}
    for layer in ("pool", "fc"):
        embs[layer] = rsa.embed(cmp.activity[layer][order], method, seed=ctx.seed)
    blocks.append(html.figure(prsa.embeddings(embs, st),
                              f"2-D embeddings ({'PCA' if ctx.quick else 'PCA then t-SNE'}) of "
                              "the population responses, coloured by orientation."))
    blocks.append(html.paragraph(
        "Run the same comparison on your data with `cortexkit rsa RESPONSES` (Stringer-style "
        "npz or the Allen folders; --architecture conv_fc or fc to ask which architecture "
        "resembles V1 most)."))
    return blocks
