"""numpydoc validation of the public API (``numpydoc.validate``).

Public: every name in the ``__all__`` of ``cortexkit`` and of its public packages and plot
modules. Functions must pass every check of ``FUNCTION_CHECKS``; classes ``CLASS_CHECKS``
(their fields are documented as ``Attributes``), and their public methods and properties
must have a docstring. The remaining numpydoc checks (``See Also`` on everything, extended
summaries, the infinitive-verb summary ...) are style, not enforced.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from numpydoc import validate as numpydoc_validate

FUNCTION_CHECKS = {
    "GL08": "no docstring",
    "SS01": "no summary line",
    "PR01": "a parameter is not documented",
    "PR02": "a documented parameter does not exist",
    "PR03": "parameters documented in the wrong order",
    "RT01": "no Returns section",
    "EX01": "no Examples section",
}
CLASS_CHECKS = {"GL08": "no docstring", "SS01": "no summary line"}
METHOD_CHECKS = {"GL08": "no docstring"}

PACKAGES = ("cortexkit", "cortexkit.core", "cortexkit.errors", "cortexkit.summary",
            "cortexkit.isi", "cortexkit.information", "cortexkit.lif", "cortexkit.causality",
            "cortexkit.encoding", "cortexkit.rsa", "cortexkit.quality", "cortexkit.io",
            "cortexkit.datasets", "cortexkit.report", "cortexkit.explorer", "cortexkit.batch")


def _modules() -> list[str]:
    import cortexkit.plot

    plots = [f"cortexkit.plot.{m.name}" for m in pkgutil.iter_modules(cortexkit.plot.__path__)
             if not m.name.startswith("_")]
    names = []
    for name in (*PACKAGES, *plots):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # a package another change has not landed yet
                continue
            raise
        names.append(name)
    return names


def _public_objects() -> list[tuple[str, Any]]:
    """(import path, object) of every public function and class, each once."""
    seen: set[tuple[str, str]] = set()
    out = []
    for modname in _modules():
        module = importlib.import_module(modname)
        names = getattr(module, "__all__", None)
        if names is None:
            names = [n for n in vars(module) if not n.startswith("_")]
        for name in names:
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if not getattr(obj, "__module__", "").startswith("cortexkit"):
                continue
            key = (obj.__module__, obj.__qualname__)
            if key not in seen:
                seen.add(key)
                out.append((f"{modname}.{name}", obj))
    return out


def _errors(path: str, checks: dict[str, str]) -> list[str]:
    result = numpydoc_validate.validate(path)
    return [f"{path}: {code} {checks[code]} ({msg})" for code, msg in result["errors"]
            if code in checks]


def _class_members(path: str, cls: type) -> list[str]:
    members = []
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        if inspect.isfunction(member) or isinstance(member, property | classmethod
                                                                | staticmethod):
            members.append(f"{path}.{name}")
    return members


def test_public_api_docstrings():
    objects = _public_objects()
    assert len(objects) > 100  # the walk found the API
    problems: list[str] = []
    for path, obj in objects:
        if inspect.isclass(obj):
            problems += _errors(path, CLASS_CHECKS)
            for member in _class_members(path, obj):
                problems += _errors(member, METHOD_CHECKS)
        else:
            problems += _errors(path, FUNCTION_CHECKS)
    if problems:
        pytest.fail(f"{len(problems)} numpydoc problem(s):\n  " + "\n  ".join(problems),
                    pytrace=False)


@pytest.mark.parametrize(("source", "code"), [
    ('def f(x):\n    """Do.\n\n    Returns\n    -------\n    int\n        One.\n\n'
     '    Examples\n    --------\n    >>> 1\n    1\n    """\n', "PR01"),
    ('def f(x):\n    """Do.\n\n    Parameters\n    ----------\n    x : int\n        X.\n\n'
     '    Examples\n    --------\n    >>> 1\n    1\n    """\n    return x\n', "RT01"),
    ('def f():\n    return 1\n', "GL08"),
])
def test_checks_catch(tmp_path, monkeypatch, source, code):
    (tmp_path / f"ck_doc_probe_{code}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert any(code in e for e in _errors(f"ck_doc_probe_{code}.f", FUNCTION_CHECKS))
