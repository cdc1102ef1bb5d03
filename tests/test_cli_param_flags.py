"""The CLI names its flag for a library error's ``param`` (library messages name parameters)."""

from __future__ import annotations

from cortexkit.cli import _with_flag, main

FLAGS = {"sample_rate": "--sample-rate", "sort": "--sort", "n_neurons": "--n-neurons",
         "port": "--port"}


def test_keyword_hints_become_flags():
    msg = "spike times are integers; pass sample_rate=<Hz> (e.g. sample_rate=30000) to convert"
    assert _with_flag(msg, "sample_rate", FLAGS) == (
        "spike times are integers; pass --sample-rate <Hz> (e.g. --sample-rate 30000) to "
        "convert")
    assert _with_flag("times are not sorted; sort them or pass sort=True", "sort", FLAGS) == (
        "times are not sorted; sort them or pass --sort")


def test_parameter_name_stays_and_flag_is_added():
    msg = "n_neurons must be an integer >= 1; got 0"
    assert _with_flag(msg, "n_neurons", FLAGS) == (
        "n_neurons must be an integer >= 1; got 0 (command-line option --n-neurons)")


def test_unknown_or_missing_param_leaves_message_alone():
    assert _with_flag("bins must be positive; got 0", "bins", FLAGS) == (
        "bins must be positive; got 0")
    assert _with_flag("something is wrong", None, FLAGS) == "something is wrong"


def test_end_to_end_library_error_names_the_flag(capsys):
    assert main(["causality", "--n-neurons", "0", "--timesteps", "200"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: n_neurons must be")
    assert err.rstrip().endswith("(command-line option --n-neurons)")
    assert err.count("\n") == 1
