"""Conversion of :class:`~cortexkit.core.SpikeTrains` to and from neo and pynapple.

The public entry points are the methods ``SpikeTrains.to_neo / from_neo / to_pynapple /
from_pynapple``, defined in :class:`InteropMixin` (a base of ``SpikeTrains``) on top of
the conversion functions below.  This lives in ``core`` (not ``io``) on purpose:
the conversions are part of the container's API (SPEC 1.1), read no files, and keeping
them here means the container layer never imports the ``io`` layer, not even lazily.
neo, quantities and pynapple are optional and imported on call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from cortexkit._lib.optional import optional_import
from cortexkit._lib.validation import invalid

if TYPE_CHECKING:
    import pandas as pd

    from cortexkit.core.spikes import SpikeTrains


def neo_trains(st: SpikeTrains) -> list:
    """See :meth:`SpikeTrains.to_neo`."""
    neo = optional_import("neo")
    pq = optional_import("quantities")
    return [neo.SpikeTrain(tr, units=pq.s, t_start=st.t_start, t_stop=st.t_stop,
                           name=str(uid), unit_id=uid)
            for tr, uid in zip(st.to_list(), st.unit_ids.tolist(), strict=True)]


def neo_parts(trains: Sequence[Any]) -> tuple[list[np.ndarray], float, float, Any]:
    """Per-unit arrays (s), the extreme t_start / t_stop and default unit ids of neo trains."""
    trains = list(trains)
    if len(trains) == 0:
        raise invalid("trains", "a non-empty list of neo.SpikeTrain", trains)
    try:
        arrays = [np.asarray(tr.rescale("s").magnitude, dtype=np.float64) for tr in trains]
        starts = [float(tr.t_start.rescale("s").magnitude) for tr in trains]
        stops = [float(tr.t_stop.rescale("s").magnitude) for tr in trains]
    except (AttributeError, ValueError) as exc:
        raise invalid("trains", "neo.SpikeTrain objects with time units", trains,
                      given=f"{type(trains[0]).__name__}") from exc
    unit_ids = None
    ann = [getattr(tr, "annotations", {}).get("unit_id") for tr in trains]
    names = [tr.name for tr in trains]
    if all(a is not None for a in ann) and len(set(ann)) == len(ann):
        unit_ids = np.asarray(ann)
    elif all(n is not None for n in names) and len(set(names)) == len(names):
        unit_ids = np.asarray(names)
    return arrays, min(starts), max(stops), unit_ids


def pynapple_group(st: SpikeTrains) -> Any:
    """See :meth:`SpikeTrains.to_pynapple`."""
    nap = optional_import("pynapple")
    import pandas as pd

    ids = st.unit_ids
    integer = np.issubdtype(ids.dtype, np.integer)
    keys = ids.tolist() if integer else list(range(st.n_units))
    info = st.unit_info
    meta = pd.DataFrame(index=keys) if info is None else info.set_axis(keys)
    if not integer:
        meta = meta.assign(unit_id=ids)
    support = nap.IntervalSet(start=st.t_start, end=st.t_stop)
    group = {k: nap.Ts(t=tr, time_support=support)
             for k, tr in zip(keys, st.to_list(), strict=True)}
    return nap.TsGroup(group, time_support=support, metadata=meta if meta.shape[1] else None)


def pynapple_parts(group: Any) -> tuple[list[np.ndarray], float | None, float | None,
                                         np.ndarray, Any]:
    """Per-unit arrays, time-support bounds, unit ids and unit info of a ``TsGroup``."""
    try:
        keys = list(group.keys())
        arrays = [np.asarray(group[k].index, dtype=np.float64) for k in keys]
        support = group.time_support
        meta = group.metadata if hasattr(group, "metadata") else None
    except AttributeError as exc:
        raise invalid("group", "a pynapple.TsGroup", group,
                      given=type(group).__name__) from exc
    t_start = float(np.min(support.start)) if len(support) else None
    t_stop = float(np.max(support.end)) if len(support) else None
    unit_ids = np.asarray(keys)
    info = None
    if meta is not None:
        meta = meta.drop(columns=[c for c in ("rate",) if c in meta.columns])
        if "unit_id" in meta.columns:
            unit_ids = meta["unit_id"].to_numpy()
            meta = meta.drop(columns=["unit_id"])
        if meta.shape[1]:
            info = meta.reset_index(drop=True)
    return arrays, t_start, t_stop, unit_ids, info


class InteropMixin:
    """The neo / pynapple methods of :class:`~cortexkit.core.SpikeTrains`."""

    __slots__ = ()

    def to_neo(self) -> list:
        """A list of ``neo.SpikeTrain``, one per unit (seconds).

        Each train has ``name=str(unit_id)`` and the unit id in
        ``annotations["unit_id"]``; :meth:`from_neo` restores the ids from there.
        neo and quantities are optional dependencies, imported on call.

        Returns
        -------
        list of neo.SpikeTrain

        Examples
        --------
        >>> import cortexkit as ck
        >>> st = ck.SpikeTrains.from_list([[0.1, 0.5]], t_stop=1.0)
        >>> st.to_neo()[0].t_stop.item()                  # doctest: +SKIP
        1.0
        """
        return neo_trains(cast("SpikeTrains", self))

    @classmethod
    def from_neo(
        cls,
        trains: Sequence[Any],
        unit_ids: Any = None,
        t_start: float | None = None,
        t_stop: float | None = None,
        *,
        unit_info: pd.DataFrame | None = None,
        sort: bool = True,
        allow_negative: bool | None = None,
    ) -> Any:
        """Build from a list of ``neo.SpikeTrain`` (times converted to seconds).

        Parameters
        ----------
        trains : sequence of neo.SpikeTrain
        unit_ids : array_like, optional
            Default: ``annotations["unit_id"]`` of every train when all have one, else
            their names when all are set and distinct, else positions.
        t_start, t_stop : float, optional
            Default: the trains' smallest ``t_start`` and largest ``t_stop``.
        unit_info, sort : optional
            As in :class:`SpikeTrains`.
        allow_negative : bool, optional
            Default: True when ``t_start`` is negative.

        Returns
        -------
        SpikeTrains

        Examples
        --------
        >>> import neo, cortexkit as ck                    # doctest: +SKIP
        >>> tr = neo.SpikeTrain([0.1, 0.2], units="s", t_stop=1.0)  # doctest: +SKIP
        >>> ck.SpikeTrains.from_neo([tr]).counts.tolist()   # doctest: +SKIP
        [2]
        """
        arrays, start, stop, ids = neo_parts(trains)
        t_start = start if t_start is None else t_start
        t_stop = stop if t_stop is None else t_stop
        if allow_negative is None:
            allow_negative = t_start < 0
        return cast(Any, cls).from_list(arrays, unit_ids=ids if unit_ids is None else unit_ids,
                             t_start=t_start, t_stop=t_stop, unit_info=unit_info, sort=sort,
                             allow_negative=allow_negative)

    def to_pynapple(self) -> Any:
        """A ``pynapple.TsGroup`` with time support ``[t_start, t_stop]``.

        Keys are the unit ids when they are integers, else positions with the ids in
        the ``unit_id`` metadata column; :attr:`unit_info` columns become metadata.
        pynapple is an optional dependency, imported on call.

        Returns
        -------
        pynapple.TsGroup

        Examples
        --------
        >>> import cortexkit as ck
        >>> st = ck.SpikeTrains.from_events([0.1, 0.2], [4, 2], t_stop=1.0)
        >>> list(st.to_pynapple().keys())                 # doctest: +SKIP
        [2, 4]
        """
        return pynapple_group(cast("SpikeTrains", self))

    @classmethod
    def from_pynapple(
        cls,
        group: Any,
        t_start: float | None = None,
        t_stop: float | None = None,
        *,
        unit_info: pd.DataFrame | None = None,
        sort: bool = True,
        allow_negative: bool | None = None,
    ) -> Any:
        """Build from a ``pynapple.TsGroup``.

        Keys become unit ids (or the ``unit_id`` metadata column when present); other
        metadata columns except the computed ``rate`` become :attr:`unit_info`; the
        time support gives ``t_start`` / ``t_stop``.

        Parameters
        ----------
        group : pynapple.TsGroup
        t_start, t_stop : float, optional
            Default: the bounds of the group's time support.
        unit_info : pandas.DataFrame, optional
            Default: the group's metadata (without ``rate`` and ``unit_id``).
        sort : bool, default True
            As in :class:`SpikeTrains`.
        allow_negative : bool, optional
            Default: True when ``t_start`` is negative.

        Returns
        -------
        SpikeTrains

        Examples
        --------
        >>> import numpy as np, pynapple as nap, cortexkit as ck        # doctest: +SKIP
        >>> g = nap.TsGroup({1: nap.Ts(t=np.array([0.1, 0.4]))})        # doctest: +SKIP
        >>> ck.SpikeTrains.from_pynapple(g).unit_ids.tolist()          # doctest: +SKIP
        [1]
        """
        arrays, start, stop, unit_ids, info = pynapple_parts(group)
        t_start = start if t_start is None else t_start
        t_stop = stop if t_stop is None else t_stop
        if allow_negative is None:
            allow_negative = t_start is not None and t_start < 0
        return cast(Any, cls).from_list(arrays, unit_ids=unit_ids, t_start=t_start, t_stop=t_stop,
                             unit_info=info if unit_info is None else unit_info, sort=sort,
                             allow_negative=allow_negative)
