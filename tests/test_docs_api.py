"""The API reference covers every public name (docs/_apigen.py, tools/check_api_docs.py).

`make docs` builds the reference from the public API and then checks the built inventory
with tools/check_api_docs.py; these tests pin what "public" means and that the check fails
on a missing name.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

import pytest

import cortexkit as ck

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "docs"), str(ROOT / "tools")]

from _apigen import public_api  # noqa: E402
from check_api_docs import missing  # noqa: E402


def _api_names(api: dict[str, list[str]]) -> set[str]:
    return set(api) | {f"{m}.{n}" for m, names in api.items() for n in names}


def test_every_public_module_and_name_is_in_the_reference():
    api = public_api()
    for name in ck.__all__:
        obj = getattr(ck, name)
        if type(obj).__name__ == "module" and getattr(obj, "__all__", None):
            # a module of modules (ck.plot) contributes its modules
            if all(type(getattr(obj, n)).__name__ == "module" for n in obj.__all__):
                for sub in obj.__all__:
                    assert f"{obj.__name__}.{sub}" in api
            else:
                assert obj.__name__ in api, obj.__name__
        elif not name.startswith("__"):
            assert name in api["cortexkit"], name
    for info in pkgutil.iter_modules(ck.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"cortexkit.{info.name}")
        assert hasattr(module, "__all__"), (
            f"cortexkit.{info.name} is public (no leading underscore) but has no __all__: "
            "list its public names so the API reference documents them")
        for name in module.__all__:
            assert hasattr(module, name), f"cortexkit.{info.name}.__all__ names {name!r}"


def test_plot_modules_and_quality_are_documented():
    api = public_api()
    for topic in ck.plot.__all__:
        assert api[f"cortexkit.plot.{topic}"], topic
    assert {"cortexkit.errors", "cortexkit.io", "cortexkit.quality", "cortexkit.core",
            "cortexkit.cli"} <= set(api)


def test_check_reports_exactly_the_missing_names():
    everything = _api_names(public_api())
    assert missing(everything) == []
    drop = {"cortexkit.isi.fit_all", "cortexkit.errors"}
    assert sorted(missing(everything - drop)) == sorted(drop)


@pytest.mark.parametrize("module", ["cortexkit", "cortexkit.isi", "cortexkit.plot.lif"])
def test_reference_page_lists_the_names(tmp_path, module):
    from _apigen import write_api_pages

    api = write_api_pages(tmp_path)
    page = (tmp_path / f"{module}.rst").read_text()
    assert f".. automodule:: {module}" in page
    for name in api[module]:
        assert f"\n   {name}\n" in page or page.endswith(f"   {name}\n")
    assert f"   {module}\n" in (tmp_path / "index.rst").read_text()
