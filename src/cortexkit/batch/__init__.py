"""Batch analysis of many recordings on a Dask cluster: ``ck.batch.run``.

Dask tasks (one to sixteen recordings each) load every recording, run the chosen
per-recording analyses (:data:`ANALYSES`; default ``("isi_stats", "isi_fits",
"entropy")``) and write the recording's part of a Parquet dataset directory, which
pandas, pyarrow, DuckDB and dask.dataframe read as one table.  Reruns compute only what
is missing, failed or changed.  See ``docs/batch.md`` for running the same batch on a SLURM cluster.

Dask (``distributed``) is imported only when :func:`run` is called.
"""

from __future__ import annotations

from cortexkit.batch._analyses import ANALYSES, DEFAULT_ANALYSES, Analysis, analyze_recording
from cortexkit.batch._inputs import find_recordings
from cortexkit.batch._run import BatchSummary, run

__all__ = ["run", "analyze_recording", "find_recordings", "Analysis", "ANALYSES",
           "DEFAULT_ANALYSES", "BatchSummary"]
