"""ck.encoding: gratings, the orientation CNN, training, hooks, cache and the real-data pipeline."""

from __future__ import annotations

import numpy as np
import pytest

import cortexkit as ck
from cortexkit.errors import ValidationError

torch = pytest.importorskip("torch")
enc = ck.encoding


# ---------------------------------------------------------------------------- stimuli
# The Neuromatch tutorial's own functions, copied as the independent reference (numpy part
# only; the tutorial wraps the result in torch tensors). Source: NeuromatchAcademy/
# course-content, tutorials/W1D5_DeepLearning/instructor/W1D5_Tutorial3.ipynb, "Helper
# Functions" cell: grating() and filters().
def _tutorial_grating(angle, sf=1 / 28, res=0.1, patch=False):
    angle = np.deg2rad(angle)  # transform to radians
    wpix, hpix = 640, 480  # width and height of image in pixels for res=1.0
    xx, yy = np.meshgrid(sf * np.arange(0, wpix * res) / res, sf * np.arange(0, hpix * res) / res)
    if patch:
        gratings = np.cos(xx * np.cos(angle + .1) + yy * np.sin(angle + .1))
        gratings[gratings < 0] = 0
        gratings[gratings > 0] = 1
        xcent = gratings.shape[1] * .75
        ycent = gratings.shape[0] / 2
        xxc, yyc = np.meshgrid(np.arange(0, gratings.shape[1]), np.arange(0, gratings.shape[0]))
        icirc = ((xxc - xcent) ** 2 + (yyc - ycent) ** 2) ** 0.5 < wpix / 3 / 2 * res
        gratings[~icirc] = 0.5
    else:
        gratings = np.cos(xx * np.cos(angle) + yy * np.sin(angle))
        gratings[gratings < 0] = 0
        gratings[gratings > 0] = 1
    return gratings.astype(np.float32)  # tutorial: torch.tensor(gratings, dtype=torch.float32)


def _tutorial_filters(out_channels=6, K=7):
    grid = np.linspace(-K / 2, K / 2, K).astype(np.float32)
    xx, yy = np.meshgrid(grid, grid, indexing='ij')
    sigma = 1.1
    gaussian = np.exp(-(xx**2 + yy**2)**0.5 / (2 * sigma**2))
    wide_gaussian = np.exp(-(xx**2 + yy**2)**0.5 / (2 * (sigma * 2)**2))
    center_surround = gaussian - 0.5 * wide_gaussian
    thetas = np.linspace(0, 180, out_channels - 2 + 1)[:-1] * np.pi / 180
    gabors = np.zeros((len(thetas), K, K), np.float32)
    lam = 10
    phi = np.pi / 2
    gaussian = np.exp(-(xx**2 + yy**2)**0.5 / (2 * (sigma * 0.4)**2))
    for i, theta in enumerate(thetas):
        x = xx * np.cos(theta) + yy * np.sin(theta)
        gabors[i] = gaussian * np.cos(2 * np.pi * x / lam + phi)
    filters = np.concatenate((center_surround[np.newaxis, :, :],
                              -1 * center_surround[np.newaxis, :, :],
                              gabors),
                             axis=0)
    filters /= np.abs(filters).max(axis=(1, 2))[:, np.newaxis, np.newaxis]
    return filters[:, np.newaxis]  # tutorial: torch.from_numpy(filters).unsqueeze(1)


ANGLES = np.r_[np.linspace(-90, 90, 181), np.random.default_rng(5).uniform(-90, 90, 300),
               [-45.0, 45.0, 0.0, 90.0, -90.0, 1e-9, 33.3]]


def test_grating_equals_the_tutorial_value_for_value():
    for patch in (False, True):
        stack = enc.grating(ANGLES, patch=patch)
        assert stack.dtype == np.float32 and stack.shape == (ANGLES.size, 48, 64)
        for a, img in zip(ANGLES, stack, strict=True):
            np.testing.assert_array_equal(img, _tutorial_grating(a, patch=patch))
            np.testing.assert_array_equal(enc.grating(float(a), patch=patch), img)
    for sf, res in ((1 / 10, 0.1), (1 / 28, 0.05), (1 / 40, 0.2), (1 / 28, 0.3)):
        for a in (-70.0, 0.0, 12.5, 60.0):
            for patch in (False, True):
                np.testing.assert_array_equal(enc.grating(a, sf=sf, res=res, patch=patch),
                                              _tutorial_grating(a, sf=sf, res=res,
                                                                patch=patch))


def test_tutorial_filters_equal_the_tutorial_value_for_value():
    for out_channels, K in ((6, 7), (2, 7), (4, 5), (10, 9), (6, 8)):
        got = enc.tutorial_filters(out_channels, K)
        want = _tutorial_filters(out_channels, K)
        assert got.dtype == want.dtype == np.float32 and got.shape == (out_channels, 1, K, K)
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValidationError, match="out_channels"):
        enc.tutorial_filters(1)


def test_grating_geometry():
    # SPEC 6 (changed): the tutorial's pixel values 0 and 1 (was -0.5 / +0.5)
    g0 = enc.grating(0.0)
    assert g0.shape == (48, 64) and g0.dtype == np.float32
    assert set(np.unique(g0)) == {0.0, 1.0}
    assert (g0 == g0[0]).all()  # vertical stripes: identical rows
    g90 = enc.grating(90.0)
    assert (g90 == g90[:, :1]).all()  # horizontal stripes: identical columns
    # positive angle = tilted right (top of the stripes leans right): at +45 deg one row
    # down equals one column right, i.e. the stripes run from top-right to bottom-left
    g45 = enc.grating(45.0, sf=1 / 28)
    assert (g45[1:, :-1] == g45[:-1, 1:]).mean() > 0.97
    gm45 = enc.grating(-45.0)
    assert (gm45[1:, 1:] == gm45[:-1, :-1]).mean() > 0.97


def test_grating_vectorized_patch_and_period():
    angles = np.array([-60.0, 0.0, 30.0])
    stack = enc.grating(angles, patch=True)
    assert stack.shape == (3, 48, 64)
    for a, img in zip(angles, stack, strict=True):
        np.testing.assert_array_equal(img, enc.grating(a, patch=True))
    # SPEC 6 (changed): the tutorial's patch, a circle of diameter 640 * 0.1 / 3 ~ 21 px
    # centred at (row 24, column 48), grey 0.5 outside (was a centred disc on grey 0)
    assert stack[:, 0, 0].tolist() == [0.5, 0.5, 0.5]
    assert stack[:, 24, 20].tolist() == [0.5, 0.5, 0.5]
    inside = stack[:, 24, 40:57]
    assert set(np.unique(inside)) == {0.0, 1.0}
    n_disc = sum(dx * dx + dy * dy < (64 / 6) ** 2
                 for dx in range(-48, 16) for dy in range(-24, 24))
    assert (stack != 0.5).sum(axis=(1, 2)).tolist() == [n_disc] * 3
    # sf in radians per screen pixel: one period = 2 pi / sf screen px = 17.6 image px
    row = enc.grating(0.0)[0]
    edges = np.flatnonzero(np.diff(row) != 0)
    assert np.diff(edges).mean() == pytest.approx(2 * np.pi * 28 / 10 / 2, abs=0.6)
    with pytest.raises(ValidationError, match="angle_deg"):
        enc.grating(np.zeros((2, 2)))


def test_images_to_input():
    img = np.zeros((1, 31, 31))
    img[0, :, 16:] = 255
    out = enc.images_to_input(img)
    assert out.shape == (1, 48, 64)
    # black..white -> 0..1, the range of the tutorial's gratings (SPEC 6 changed from -0.5..0.5)
    assert out.min() == pytest.approx(0.0) and out.max() == pytest.approx(1.0)
    assert out[0, :, 0].max() == pytest.approx(0.0) and out[0, :, -1].min() == pytest.approx(1.0)


# ------------------------------------------------------------------------------ model
def test_architectures_and_layer_shapes():
    x = enc.grating(np.array([0.0, 20.0, -40.0]))
    shapes = {"conv_pool_fc": {"conv": 6 * 48 * 64, "pool": 6 * 6 * 8, "fc": 10, "out": 1},
              "conv_fc": {"conv": 6 * 48 * 64, "fc": 10, "out": 1},
              "fc": {"fc": 10, "out": 1}}
    for arch, want in shapes.items():
        net = enc.OrientationCNN(48, 64, architecture=arch, seed=0)
        assert net.layer_names == tuple(want)
        act = enc.hidden_activity(net, x, tuple(want))
        assert {k: v.shape[1] for k, v in act.items()} == want
        p = net(torch.from_numpy(x))
        assert p.shape == (3,) and bool(((p > 0) & (p < 1)).all())
        # "out" records the logit: sigmoid(out) is the network's output
        np.testing.assert_allclose(1 / (1 + np.exp(-act["out"][:, 0])), p.detach().numpy(),
                                   rtol=1e-5)
    with pytest.raises(ValidationError, match="architecture"):
        enc.OrientationCNN(48, 64, architecture="resnet")


def test_cnn_is_initialised_with_the_tutorial_filters_and_zero_bias():
    # SPEC 6 (changed): conv weights = the tutorial's filters(), not our own DoG/Gabor set
    for arch in ("conv_pool_fc", "conv_fc"):
        net = enc.OrientationCNN(seed=0, architecture=arch)
        np.testing.assert_array_equal(net.conv.weight.detach().numpy(), _tutorial_filters())
        assert not net.conv.bias.detach().numpy().any()
    w = enc.tutorial_filters()[:, 0]
    np.testing.assert_array_equal(w[0], -w[1])  # on- and off-centre
    assert w[0, 3, 3] > 0 and w[0, 0, 0] < 0  # excitatory centre, inhibitory surround
    np.testing.assert_allclose(w[0], w[0].T, atol=1e-7)  # isotropic


def test_hidden_activity_matches_manual_forward_and_removes_hooks():
    net = enc.OrientationCNN(seed=1)
    x = enc.grating(np.array([-10.0, 50.0]))
    act = enc.hidden_activity(net, x, ("conv", "pool", "fc"))
    with torch.no_grad():
        t = torch.from_numpy(x)[:, None]
        conv = net.conv(t)
        pool = net.pool(torch.relu(conv))
        fc = net.fc(pool.reshape(2, -1))
    np.testing.assert_allclose(act["conv"], conv.reshape(2, -1).numpy(), rtol=1e-6)
    np.testing.assert_allclose(act["pool"], pool.reshape(2, -1).numpy(), rtol=1e-6)
    np.testing.assert_allclose(act["fc"], fc.numpy(), rtol=1e-5, atol=1e-6)
    for name in net.layer_names:
        assert not getattr(net, name)._forward_hooks
    with pytest.raises(ValidationError, match="bogus"):
        enc.hidden_activity(net, x, ("bogus",))
    with pytest.raises(ValidationError, match="stimuli"):  # wrong input size mid-forward
        enc.hidden_activity(net, np.zeros((2, 10, 10)), ("pool",))
    for name in net.layer_names:
        assert not getattr(net, name)._forward_hooks


def test_training_is_seeded_and_restores_torch_settings():
    threads = torch.get_num_threads()
    det = torch.are_deterministic_algorithms_enabled()
    n1, l1 = enc.train_orientation_model(n_train=120, epochs=2, seed=3)
    n2, l2 = enc.train_orientation_model(n_train=120, epochs=2, seed=3)
    _, l3 = enc.train_orientation_model(n_train=120, epochs=2, seed=4)
    assert l1.shape == (4,)  # 2 epochs x ceil(120 / 100) steps
    np.testing.assert_array_equal(l1, l2)
    for a, b in zip(n1.state_dict().values(), n2.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    assert not np.array_equal(l1, l3)
    assert torch.get_num_threads() == threads
    assert torch.are_deterministic_algorithms_enabled() == det


def test_train_validates_labels():
    net = enc.OrientationCNN(seed=0)
    with pytest.raises(ValidationError, match="labels"):
        enc.train(net, enc.grating(np.array([1.0, 2.0])), [0, 2], epochs=1)
    with pytest.raises(ValidationError, match="one label per stimulus"):
        enc.train(net, enc.grating(np.array([1.0, 2.0])), [0], epochs=1)


@pytest.mark.slow
def test_cnn_from_tutorial_init_reaches_99_percent_on_held_out_gratings():
    # the tutorial's recipe (1000 gratings, 25 epochs, batch 100, lr 5e-4, momentum 0.99)
    # from the tutorial's 0/1 gratings and filters() initialisation
    net, losses = enc.train_orientation_model(n_train=1000, epochs=25, seed=0)
    np.testing.assert_array_equal(enc.OrientationCNN(seed=0).conv.weight.detach().numpy(),
                                  _tutorial_filters())
    x, y, _ = enc.orientation_set(2000, seed=12345)  # different seed: held-out angles
    acc = ((enc.predict(net, x) > 0.5) == y).mean()
    assert acc >= 0.99
    assert losses[-20:].mean() < losses[:20].mean() / 2


def test_model_cache_roundtrip(tmp_path):
    net, losses, info = enc.cached_orientation_model(n_train=100, epochs=1, seed=0,
                                                     directory=tmp_path)
    assert not info["cached"] and list(tmp_path.glob("*.pt"))
    net2, losses2, info2 = enc.cached_orientation_model(n_train=100, epochs=1, seed=0,
                                                        directory=tmp_path)
    assert info2["cached"]
    np.testing.assert_array_equal(losses, losses2)
    x = enc.grating(np.array([5.0, -5.0]))
    np.testing.assert_array_equal(enc.predict(net, x), enc.predict(net2, x))
    # a corrupt cache file is retrained, not trusted
    path = next(tmp_path.glob("*.pt"))
    path.write_bytes(b"garbage")
    with pytest.warns(ck.errors.CortexkitWarning, match="unreadable"):
        _, _, info3 = enc.cached_orientation_model(n_train=100, epochs=1, seed=0,
                                                   directory=tmp_path)
    assert not info3["cached"]


# -------------------------------------------------------------- pipeline on real data
@pytest.fixture(scope="module")
def tiny_net():
    net, _ = enc.train_orientation_model(n_train=200, epochs=3, seed=0)
    return net


def test_pipeline_allen_gratings(real_data_dir, tiny_net):
    data = ck.io.load_responses(real_data_dir / "allen-vcnp-gratings-pseudopop",
                                convention="tutorial")
    res = enc.compare_layers(tiny_net, data, ("pool", "fc"), n_boot=100, n_perm=50, seed=0)
    t = res.table
    assert list(t.layer) == ["pool", "fc"] and res.rdms["data"].shape == (200, 200)
    np.testing.assert_allclose(res.rdms["data"], 1 - np.corrcoef(data.responses), atol=1e-9)
    for _, row in t.iterrows():
        assert row.ci_low <= row.similarity <= row.ci_high
        assert row.similarity == pytest.approx(
            ck.rsa.compare(res.rdms["data"], res.rdms[row.layer]))
    # the pool layer's RDM is orientation-structured like V1's: clearly positive
    assert t.set_index("layer").loc["pool", "ci_low"] > 0.2
    # the network saw one grating per recorded orientation
    np.testing.assert_array_equal(res.inputs[0], enc.grating(data.stimuli[0]))


def test_pipeline_allen_natural_scenes(real_data_dir, tiny_net):
    data = ck.io.load_responses(real_data_dir / "allen-vc2p-natural-scenes")
    res = enc.compare_layers(tiny_net, data, ("conv", "pool"), method="spearman",
                             n_boot=50, n_perm=20, seed=0)
    assert res.inputs.shape == (118, 48, 64)
    assert res.rdms["data"].shape == (118, 118)
    assert np.isfinite(res.table[["similarity", "ci_low", "ci_high", "cka"]].to_numpy()).all()
    np.testing.assert_array_equal(res.inputs, enc.images_to_input(data.images))


def test_sgd_update_equals_torch_optim_sgd():
    x = torch.from_numpy(enc.grating(np.array([-30.0, -5.0, 10.0, 60.0])))
    y = torch.tensor([0.0, 0.0, 1.0, 1.0])
    nets = [enc.OrientationCNN(seed=2), enc.OrientationCNN(seed=2)]
    from cortexkit.encoding._model import _sgd_step

    opt = torch.optim.SGD(nets[1].parameters(), lr=0.01, momentum=0.9)
    params = list(nets[0].parameters())
    bufs = [None] * len(params)
    lf = torch.nn.BCEWithLogitsLoss()
    for _ in range(4):
        for p in params:
            p.grad = None
        lf(nets[0].logits(x), y).backward()
        _sgd_step(params, bufs, 0.01, 0.9)
        opt.zero_grad()
        lf(nets[1].logits(x), y).backward()
        opt.step()
    for a, b in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
        torch.testing.assert_close(a, b)
