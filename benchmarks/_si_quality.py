"""SpikeInterface side of the quality comparison (imported by ``bench_quality.py``).

Builds SpikeInterface's ``NumpySorting`` and a memory ``SortingAnalyzer`` (over a lazy
one-channel noise recording of the same length: the metrics below read no traces) from
integer sample indices, and the cortexkit ``SpikeTrains`` of the very same spikes
(``samples / fs``, recording ``[0, n_samples / fs]``), so both sides see identical data.

``freeze()`` writes ``tests/data/quality_spikeinterface.csv``, the frozen SpikeInterface
values that ``tests/test_quality.py`` checks cortexkit against without SpikeInterface.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

import cortexkit as ck

FS = 30000.0
REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "data" / "real"
FIXTURE = REPO / "tests" / "data" / "quality_spikeinterface.csv"


def real_recordings() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(samples, labels) of the two real recordings, samples at 30 kHz."""
    phy = REAL / "phy-neuropixels-120s"
    ibl = REAL / "ibl-slidingrp-3units"
    return {
        "phy-neuropixels-120s": (np.load(phy / "spike_times.npy").ravel().astype(np.int64),
                                 np.load(phy / "spike_clusters.npy").astype(np.int64)),
        # ALF times are in seconds (already off the sample grid): rounded to samples here
        "ibl-slidingrp-3units": (np.round(np.load(ibl / "spikes.times.npy") * FS)
                                 .astype(np.int64),
                                 np.load(ibl / "spikes.clusters.npy").astype(np.int64)),
    }


def cortexkit_spikes(samples: np.ndarray, labels: np.ndarray) -> ck.SpikeTrains:
    """The spikes as cortexkit sees them: samples / fs over [0, (last + 1) / fs]."""
    n_samples = int(samples.max()) + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ck.SpikeTrains.from_events(samples / FS, labels, t_start=0.0,
                                          t_stop=n_samples / FS)


def analyzer(samples: np.ndarray, labels: np.ndarray):
    """SpikeInterface NumpySorting + memory SortingAnalyzer of the same spikes."""
    import spikeinterface.core as sc
    from probeinterface import generate_linear_probe
    try:  # SpikeInterface >= 0.105
        from spikeinterface.generation import NoiseGeneratorRecording
    except ImportError:  # pragma: no cover - older releases
        from spikeinterface.core.generate import NoiseGeneratorRecording

    n_samples = int(samples.max()) + 1
    order = np.argsort(samples, kind="stable")
    sorting = sc.NumpySorting.from_samples_and_labels([samples[order]], [labels[order]], FS)
    rec = NoiseGeneratorRecording(num_channels=1, sampling_frequency=FS,
                                  durations=[n_samples / FS])
    probe = generate_linear_probe(num_elec=1)
    probe.set_device_channel_indices([0])
    rec.set_probe(probe)  # in place (SpikeInterface >= 0.105)
    return sc.create_sorting_analyzer(sorting, rec, format="memory", sparse=False,
                                      main_channel_indices=np.zeros(len(sorting.unit_ids),
                                                                    dtype=int))


def si_violation_metrics(an, refractory_ms: float = 1.5):
    """SpikeInterface's isi_violation and rp_violation metrics, per unit id."""
    from spikeinterface.metrics.quality.misc_metrics import (
        compute_isi_violations,
        compute_refrac_period_violations,
    )

    isi = compute_isi_violations(an, isi_threshold_ms=refractory_ms)
    rp = compute_refrac_period_violations(an, refractory_period_ms=refractory_ms)
    return isi, rp


def freeze() -> Path:
    """Write the SpikeInterface reference values of both real recordings to FIXTURE."""
    import pandas as pd
    import spikeinterface

    rows = []
    for name, (samples, labels) in real_recordings().items():
        isi, rp = si_violation_metrics(analyzer(samples, labels))
        for u in np.unique(labels):
            rows.append({"recording": name, "unit": int(u),
                         "isi_violations_count": int(isi.isi_violations_count[u]),
                         "isi_violations_ratio": float(isi.isi_violations_ratio[u]),
                         "rp_violations": int(rp.rp_violations[u]),
                         "rp_contamination": float(rp.rp_contamination[u])})
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    header = (
        f"# SpikeInterface {spikeinterface.__version__} values, frozen by\n"
        "#   .venv-peers/bin/python benchmarks/bench_quality.py --freeze\n"
        "# compute_isi_violations(isi_threshold_ms=1.5) and\n"
        "# compute_refrac_period_violations(refractory_period_ms=1.5) on a NumpySorting of the\n"
        "# real recordings at 30 kHz (IBL ALF times rounded to samples), recording length\n"
        "# last sample + 1 (see benchmarks/_si_quality.py).\n"
    )
    with open(FIXTURE, "w") as f:
        f.write(header)
        pd.DataFrame(rows).to_csv(f, index=False, float_format="%.17g")
    return FIXTURE
