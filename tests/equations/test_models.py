"""Tests of the model objects: registry, printing, parameters, immutability, bad input.

Every registered neuron and current model is built and run for a few ms on numpy in one
parametrised test; plasticity rules are run by tests/equations/test_plasticity.py.
"""

import dataclasses
from unittest import mock

import numpy as np
import pytest
from brian2 import (
    Network,
    NeuronGroup,
    Quantity,
    SpikeGeneratorGroup,
    ms,
    mV,
    nS,
    pA,
    seed,
)

from quifer_brian.equations import (
    CurrentModel,
    NeuronModel,
    Parameter,
    delta,
    get_model,
    lif,
    list_models,
)
from quifer_brian.errors import ModelError, UnitsError

SEED = 20240611
RUN_TIME = 2 * ms  # "a few ms": enough for every code object to run several steps
TEST_WEIGHTS = (1 * nS, 10 * pA, 1 * mV)  # one per dimension a spike can increment
KINDS = ("current", "neuron", "plasticity")
NEURONS = list_models("neuron")
CURRENTS = list_models("current")


# ---------------------------------------------------------------- registry
def test_list_models_by_kind():
    every = list_models()
    assert every == sorted(every)
    assert set(every) == set().union(*(list_models(kind) for kind in KINDS))
    assert {"lif", "lif_cond", "adex", "izhikevich", "wang_buzsaki", "traub_miles"} <= set(NEURONS)
    assert {"delta", "exp_current", "alpha_cond", "ampa", "nmda", "gaba_a", "gaba_b"} <= set(
        CURRENTS
    )
    for name in NEURONS:
        assert isinstance(get_model(name), NeuronModel)
    for name in CURRENTS:
        assert isinstance(get_model(name), CurrentModel)


def test_list_models_unknown_kind():
    with pytest.raises(ModelError, match=r"unknown kind 'synapse'.*'current', 'neuron'"):
        list_models("synapse")


@pytest.mark.parametrize("name", ["lifx", "LIF", "", None])
def test_get_model_unknown_name_lists_valid_ones(name):
    hint = "did you mean 'lif'.*? " if name in ("lifx", "LIF") else ""
    with pytest.raises(
        ModelError, match=rf"unknown model {name!r}; {hint}valid models are: "
    ) as info:
        get_model(name)
    for valid in ("adex", "lif", "nmda", "wang_buzsaki"):
        assert valid in str(info.value)


# ---------------------------------------------------------------- print
@pytest.mark.parametrize("name", list_models())
def test_print_shows_equations_parameters_and_reference(name):
    model = get_model(name)
    text = str(model)
    assert text.startswith(f"{model.name} ({model.kind}): ")
    for line in model.equations.strip().splitlines():
        assert line.strip() in text
    for parameter in model.parameters:
        assert f"    {parameter.name} " in text, f"{name}: parameter {parameter.name} not shown"
        assert parameter.meaning in text
    assert f"Method: {model.method}" in text
    assert model.reference and f"Reference: {model.reference}" in text
    if isinstance(model, NeuronModel) and model.threshold:
        assert f"Threshold: {model.threshold}" in text


def test_print_lif_shows_values_with_units():
    text = str(lif)
    assert "tau_m" in text and "20. ms" in text and "membrane time constant" in text
    assert "Threshold: v > V_th" in text and "Reset: v = V_reset" in text


# ---------------------------------------------------------------- parameters
def test_params_have_units():
    assert lif.params["tau_m"] == 20 * ms
    assert isinstance(lif.params["E_L"], Quantity)


def test_with_params_returns_a_new_model():
    fast = lif.with_params(tau_m=10 * ms, E_L=-65 * mV)
    assert fast is not lif
    assert fast.params["tau_m"] == 10 * ms and fast.params["E_L"] == -65 * mV
    assert lif.params["tau_m"] == 20 * ms and lif.params["E_L"] == -70 * mV
    assert fast.params["V_th"] == lif.params["V_th"]
    assert fast.equations == lif.equations and fast.name == lif.name


def test_namespace_applies_overrides_without_changing_the_model():
    namespace = lif.namespace(tau_m=5 * ms)
    assert namespace["tau_m"] == 5 * ms and namespace["V_th"] == -50 * mV
    assert lif.params["tau_m"] == 20 * ms
    namespace["tau_m"] = 1 * ms  # a copy: the model is untouched
    assert lif.params["tau_m"] == 20 * ms


def test_group_overrides_land_in_the_namespace():
    group = lif.group(2, tau_m=7 * ms)
    assert group.namespace["tau_m"] == 7 * ms and len(group) == 2
    assert np.all(group.v[:] == lif.params["E_L"])


@pytest.mark.parametrize(
    ("attribute", "value"),
    [("name", "other"), ("equations", "dv/dt = 0/ms : volt"), ("parameters", ())],
)
def test_models_are_immutable(attribute, value):
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(lif, attribute, value)
    with pytest.raises(dataclasses.FrozenInstanceError):
        lif.parameters[0].default = 1 * ms


# ---------------------------------------------------------------- every model runs
def _build(name):
    """Brian2 objects for one registered model, ready to run for RUN_TIME."""
    model = get_model(name)
    if isinstance(model, NeuronModel):
        group = model.group(3)
        if "I_ext" in group.variables:
            group.I_ext = np.array([0.0, 0.5, 1.0]) * 200 * pA
        return group, [group]
    # a current model: attach it to a LIF target and send it spikes
    source = SpikeGeneratorGroup(1, [0, 0], [0.5, 1.0] * ms)
    if model.output:
        target = lif.group(3, currents=[model])
        objects = [source, target]
        if model.on_pre:
            variable = model.on_pre.split("+=")[0].strip()
            dimensions = target.variables[f"{variable}_{model.suffix}"].dim
            objects.append(model.synapses(source, target, _test_weight(dimensions)))
    else:
        target = lif.group(3)
        objects = [source, target, model.synapses(source, target, 1 * mV)]
    return target, objects


def _test_weight(dimensions):
    for weight in TEST_WEIGHTS:
        if weight.dim == dimensions:
            return weight
    raise AssertionError(f"no test weight for dimensions {dimensions}")


@pytest.mark.parametrize("name", NEURONS + CURRENTS)
def test_every_model_builds_and_runs(name):
    seed(SEED)
    group, objects = _build(name)
    Network(*objects).run(RUN_TIME, namespace={})
    assert group.t[:] >= RUN_TIME - group.clock.dt, f"{name}: did not run to {RUN_TIME}"
    if "v" in group.variables:
        v = np.asarray(group.v[:])
        assert np.all(np.isfinite(v)), f"{name}: v = {v}"
        assert np.all((v > -0.2) & (v < 0.1)), f"{name}: v out of range: {v} V"


# ---------------------------------------------------------------- bad input
BAD_GROUP_ARGUMENTS = [
    pytest.param(
        dict(n=3, tau_x=10 * ms),
        ModelError,
        r"lif: unknown parameter 'tau_x'; did you mean 'tau_m'\? its parameters are tau_m, R_m",
        id="unknown-parameter",
    ),
    pytest.param(
        dict(n=3, tau_m=10 * mV),
        UnitsError,
        r"lif\.tau_m: expected a quantity in s(econd)?; got 10\. \* mvolt",
        id="time-constant-in-volts",
    ),
    pytest.param(
        dict(n=3, tau_m=10),
        UnitsError,
        r"lif\.tau_m: expected a quantity in s(econd)?; got 10 .*Give it with units",
        id="time-constant-without-units",
    ),
    pytest.param(
        dict(n=3, tau_m=-5 * ms),
        ModelError,
        r"lif\.tau_m: must be > 0; got -5\. \* msecond",
        id="negative-time-constant",
    ),
    pytest.param(
        dict(n=3, t_ref=0 * ms),
        ModelError,
        r"lif\.t_ref: must be > 0; got 0\. \* second",
        id="zero-refractory-period",
    ),
    pytest.param(
        dict(n=0), ModelError, r"lif\.group\.n: must be an integer >= 1; got 0", id="n-zero"
    ),
    pytest.param(
        dict(n=-4),
        ModelError,
        r"lif\.group\.n: must be an integer >= 1; got -4",
        id="n-negative",
    ),
    pytest.param(
        dict(n=2.5),
        ModelError,
        r"lif\.group\.n: must be an integer >= 1; got 2\.5",
        id="n-not-integer",
    ),
]


@pytest.mark.parametrize(("arguments", "error", "message"), BAD_GROUP_ARGUMENTS)
def test_bad_group_arguments_raise_before_building(arguments, error, message):
    arguments = dict(arguments)
    n = arguments.pop("n")
    with mock.patch("quifer_brian.equations.neuron_model.NeuronGroup", wraps=NeuronGroup) as ng:
        with pytest.raises(error, match=message):
            lif.group(n, **arguments)
    ng.assert_not_called()


@pytest.mark.parametrize(("arguments", "error", "message"), BAD_GROUP_ARGUMENTS[:5])
def test_bad_with_params_raise(arguments, error, message):
    arguments = dict(arguments)
    arguments.pop("n")
    with pytest.raises(error, match=message):
        lif.with_params(**arguments)


def test_errors_subclass_the_builtins():
    assert issubclass(ModelError, ValueError) and issubclass(UnitsError, TypeError)
    with pytest.raises(ValueError):
        lif.group(0)
    with pytest.raises(TypeError):
        lif.group(1, tau_m=1 * mV)


def test_unknown_as_variable():
    message = r"lif.group.as_variables: unknown parameter 'tau'; .* are E_L, .*tau_ampa"
    with pytest.raises(ModelError, match=message):
        lif.group(1, currents=[get_model("ampa")], as_variables=["tau"])


def test_current_parameter_as_variable():
    """A receptor's time constant as a shared variable: same value, changeable later."""
    group = lif.group(3, currents=[get_model("ampa")], as_variables=["tau_ampa", "tau_m"])
    assert "tau_ampa" not in group.namespace and "tau_m" not in group.namespace
    assert group.variables["tau_ampa"].scalar
    assert float(group.tau_ampa / ms) == pytest.approx(float(get_model("ampa").params["tau"] / ms))
    group.tau_ampa = 7 * ms
    assert float(group.tau_ampa / ms) == pytest.approx(7)


def test_same_current_twice_is_refused():
    with pytest.raises(ModelError, match=r"attach the same current twice.*labelled"):
        lif.group(1, currents=[get_model("ampa"), get_model("ampa")])


def test_same_receptor_under_two_labels():
    group = lif.group(1, currents=[get_model("ampa"), get_model("ampa").labelled("ampa_slow")])
    assert "g_ampa" in group.variables and "g_ampa_slow" in group.variables


def test_delta_weight_in_wrong_units():
    source = SpikeGeneratorGroup(1, [0], [1] * ms)
    with pytest.raises(UnitsError, match=r"delta\.synapses\.w: expected .*; got 1\. \* nsiemens"):
        delta.synapses(source, lif.group(1), 1 * nS)


# ------------------------------------------------------------------ Model.extended
TAU_X = 10 * ms


def decaying_lif():
    """lif carrying a variable that decays with its own time constant, and a new reset."""
    return lif.extended(
        "lif_decaying",
        "dx/dt = -x/tau_x : 1",
        (Parameter("tau_x", TAU_X, "decay time of x", positive=True),),
        reset="v = V_reset\nx += 1",
        initial=(*lif.initial, ("x", "1")),
    )


def test_extended_adds_equations_parameters_and_fields_to_a_new_model():
    model = decaying_lif()
    assert model.name == "lif_decaying" and isinstance(model, NeuronModel)
    assert model.params["tau_x"] == 10 * ms and model.params["tau_m"] == lif.params["tau_m"]
    assert model.reset == "v = V_reset\nx += 1" and model.threshold == lif.threshold
    assert model.equations.startswith(lif.equations) and "dx/dt" in model.equations
    # the library model is untouched
    assert "tau_x" not in lif.params and "dx/dt" not in lif.equations
    assert lif.reset == "v = V_reset"


def test_extended_model_builds_a_group_whose_new_variable_follows_its_equation():
    """x(t) = exp(-t / tau_x) with x(0) = 1 and no spike (no drive): after 2 tau, e^-2
    (lif's 'exact' method integrates the linear decay exactly)."""
    group = decaying_lif().group(3)
    assert group.namespace["tau_x"] == 10 * ms
    assert np.all(group.x[:] == 1)
    network = Network(group)
    network.run(2 * TAU_X)
    np.testing.assert_allclose(group.x[:], np.exp(-2.0), rtol=1e-9)


def test_extended_replaces_a_parameter_of_the_same_units():
    model = lif.extended("lif_fast", parameters=(Parameter("tau_m", 5 * ms, "faster"),))
    assert model.params["tau_m"] == 5 * ms and model.equations == lif.equations
    assert [p.name for p in model.parameters] == [p.name for p in lif.parameters]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"name": "lif"}, r"lif\.extended\.name: must be an identifier other than 'lif'; got"),
        ({"name": "2x"}, r"lif\.extended\.name: .*got '2x'"),
        ({"equations": "v : volt"}, r"lif\.extended\.equations: .*Duplicate definition"),
        (
            {"equations": "dx/dt = : 1"},
            r"(?s)lif\.extended\.equations: .*got 'dx/dt = : 1'\. Write new",
        ),
        ({"equations": 3}, r"lif\.extended\.equations: must be a string"),
        ({"parameters": ("tau_x",)}, r"lif\.extended\.parameters: must be Parameter objects"),
        (
            {"parameters": (Parameter("tau_m", 5 * mV, "wrong units"),)},
            r"lif\.extended\.parameters: 'tau_m' replaces a parameter in second; got 5\. \* mvolt",
        ),
        (
            {"parameters": (Parameter("a", 1, "a"), Parameter("a", 2, "b"))},
            r"lif\.extended\.parameters: 'a' is given twice",
        ),
        ({"resett": "v = 0*mV"}, r"lif\.extended: unknown field\(s\) resett; .*reset"),
        ({"kind": "other"}, r"lif\.extended: unknown field\(s\) kind"),
    ],
)
def test_extended_refuses_bad_input(arguments, message):
    arguments = {"name": "lif_variant", **arguments}
    with pytest.raises(ModelError, match=message):
        lif.extended(**arguments)
