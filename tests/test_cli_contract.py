"""The CLI contract of SPEC 7, checked for every command that exists.

For each command registered by a ``cortexkit/cli/cmd_*.py`` module: ``--help`` works and
shows an example, ``--json`` prints valid JSON and nothing else on stdout, and bad input
exits with code 2 and a one-line message on stderr, without a traceback.  A command
without a row in ``CASES`` fails the test, so new commands cannot skip the contract.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from cortexkit.cli import build_app, main

IBL = "{real}/ibl-slidingrp-3units"

# command -> (quick --json invocation or None when the command has no --json,
#             data-level bad input, option-level bad input, slow?)
CASES: dict[str, dict] = {
    "describe": {
        "json": ["describe", IBL, "--json"],
        "bad": ["describe", "{tmp}/missing.npz"],
        "usage": ["describe", IBL, "--interval", "0", "x"],
    },
    "isi": {
        "json": ["isi", IBL, "--json"],
        "bad": ["isi", IBL, "--unit", "987654321"],
        "usage": ["isi", IBL, "--bins", "many"],
    },
    "quality": {
        "json": ["quality", IBL, "--json"],
        "bad": ["quality", IBL, "--censored", "0.01"],
        "usage": ["quality", IBL, "--refractory", "short"],
    },
    "entropy": {
        "json": ["entropy", IBL, "--json"],
        "bad": ["entropy", IBL, "--estimator", "clairvoyant"],
        "usage": ["entropy", IBL, "--bins", "1.5"],
    },
    "lif": {
        "json": ["lif", "--n-neurons", "5", "--t-max", "0.2", "--json"],
        "bad": ["lif", "--input", "lightning"],
        "usage": ["lif", "--n-neurons", "five"],
    },
    "causality": {
        "json": ["causality", "--n-neurons", "8", "--timesteps", "2000", "--json"],
        "bad": ["causality", "--n-neurons", "8", "--observed", "2.5"],
        "usage": ["causality", "--n-neurons", "eight"],
    },
    "rsa": {
        "json": ["rsa", "--architecture", "fc", "--layers", "fc", "--bin-width", "15",
                 "--n-train", "100", "--epochs", "1", "--n-boot", "10", "--n-perm", "0",
                 "--json"],
        "bad": ["rsa", "--layers", "nonexistent_layer", "--n-train", "100", "--epochs", "1"],
        "usage": ["rsa", "--epochs", "few"],
        "slow": True,
    },
    "report": {
        "json": ["report", IBL, "-o", "{tmp}/r.html", "--quick", "--json"],
        "bad": ["report", IBL, "-o", "{tmp}/r.txt"],
        "usage": ["report", "--seed", "zero"],
        "slow": True,
    },
    "demo": {
        "json": ["demo", "--out", "{tmp}/demo", "--quick", "--json"],
        "bad": ["demo", "--out", "{tmp}/a_file.txt"],
        "usage": ["demo", "--seed", "zero"],
        "slow": True,
    },
    "serve": {  # a server: no --json
        "json": None,
        "bad": ["serve", "--port", "70000"],
        "usage": ["serve", "--port", "eighty"],
    },
    "batch": {
        "json": ["batch", IBL, "--out", "{tmp}/b", "--workers", "1", "--json"],
        "bad": ["batch", IBL],
        "usage": ["batch", IBL, "--out", "{tmp}/b", "--workers", "two"],
        "slow": True,
    },
}


def _commands() -> list[str]:
    group = typer.main.get_command(build_app())
    return sorted(group.commands)


COMMANDS = _commands()


def _fill(args: list[str], real: Path, tmp: Path) -> list[str]:
    return [a.format(real=real, tmp=tmp) for a in args]


def _params(kind: str) -> list:
    out = []
    for name in COMMANDS:
        case = CASES.get(name, {})
        if kind == "json" and name in CASES and case["json"] is None:
            continue  # serve runs a server and takes no --json
        marks = [pytest.mark.slow] if case.get("slow") and kind == "json" else []
        out.append(pytest.param(name, id=name, marks=marks))
    return out


def test_every_command_has_a_contract_row():
    missing = [c for c in COMMANDS if c not in CASES]
    assert not missing, f"add rows to CASES in {__file__} for: {missing}"
    for expected in ("describe", "isi", "report", "demo", "serve"):
        assert expected in COMMANDS


@pytest.mark.parametrize("name", _params("help"))
def test_help_shows_an_example(name, capsys):
    assert main([name, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Usage:" in out
    lines = [ln.strip() for ln in out.splitlines()]
    examples = [ln for ln in lines if ln.lower().startswith("example")]
    assert examples, f"`cortexkit {name} --help` shows no 'Example:' line"
    assert any(f"cortexkit {name}" in ln for ln in examples)


@pytest.mark.parametrize("name", _params("json"))
def test_json_output_is_only_json(name, capsys, tmp_path, real_data_dir, monkeypatch):
    case = CASES[name]
    monkeypatch.setenv("CORTEXKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    rc = main(_fill(case["json"], real_data_dir, tmp_path))
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    doc = json.loads(captured.out)  # the whole of stdout is one JSON document
    assert isinstance(doc, dict | list) and doc
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("name", _params("bad"))
def test_bad_input_exit_2_one_line(name, capsys, tmp_path, real_data_dir, monkeypatch):
    monkeypatch.setenv("CORTEXKIT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "a_file.txt").write_text("not a directory")
    rc = main(_fill(CASES[name]["bad"], real_data_dir, tmp_path))
    captured = capsys.readouterr()
    assert rc == 2, captured.err
    err = captured.err.strip()
    assert "Traceback" not in captured.err
    assert err.startswith("error: ") and len(err.splitlines()) == 1, err
    assert captured.out == ""


@pytest.mark.parametrize("name", _params("usage"))
def test_usage_error_exit_2(name, capsys, tmp_path, real_data_dir):
    rc = main(_fill(CASES[name]["usage"], real_data_dir, tmp_path))
    captured = capsys.readouterr()
    assert rc == 2
    assert "Traceback" not in captured.err
    # click's usage block may surround it, but the message itself is one line
    messages = [ln for ln in captured.err.splitlines()
                if ln.startswith(("Error:", "error:"))]
    assert len(messages) == 1, captured.err
    assert captured.out == ""


def _console_script() -> list[str]:
    exe = Path(sys.executable).with_name("cortexkit")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "cortexkit"]


def test_console_script_exit_codes(real_data_dir, tmp_path):
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    bad = subprocess.run([*_console_script(), "describe", str(tmp_path / "missing.npz")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.startswith("error: ") and len(bad.stderr.strip().splitlines()) == 1
    ok = subprocess.run([*_console_script(), "describe",
                         str(real_data_dir / "ibl-slidingrp-3units"), "--json"],
                        capture_output=True, text=True, env=env, timeout=300)
    assert ok.returncode == 0, ok.stderr
    json.loads(ok.stdout)
    # piped (not a terminal): no progress bar or other decoration on stderr
    assert all(ln.startswith("note:") for ln in ok.stderr.splitlines()), ok.stderr
    usage = subprocess.run([*_console_script(), "no-such-command"], capture_output=True,
                           text=True, env=env, timeout=300)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
