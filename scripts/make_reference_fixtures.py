#!/usr/bin/env python3
"""Generate PyTorch and Keras reference fixtures for Recur's RecurNN tests.

What it produces
----------------
One safetensors file per case in ``Tests/RecurNNTests/Fixtures/`` (e.g.
``torch-lstm-last.safetensors``, ``keras-gru-after.safetensors``). Each file
holds a small model built in PyTorch or in Keras 3 with fixed, seeded weights,
plus everything the Swift engine must reproduce: the forward output, the MSE
loss, the gradients of the loss with respect to the input and every weight,
and the loss trajectory and final weights after 20 full-batch Adam steps using
the framework's own Adam optimizer.

Fixture format (version 1)
--------------------------
All tensors are dtype F32, written with ``safetensors.numpy.save_file``.

Metadata (``__metadata__``, all values are strings):

* ``fixture_version``: ``"1"``
* ``framework``: ``"torch"`` or ``"keras"``
* ``framework_version``: ``torch.__version__`` or ``keras.__version__``
* ``keras_backend`` (Keras files only): e.g. ``"tensorflow"``;
  ``backend_version`` (Keras files only): the backend's version
* ``case``: a JSON string::

    {"name": ..., "input_shape": [B, T, F]   ([B, F] for a dense-only case),
     "layers": [ {"type": "LSTM"|"GRU"|"SimpleRNN"|"Dense", "units": n,
                  "return_sequences": bool   (recurrent layers only),
                  "reset_after": bool        (GRU only),
                  "activation": "tanh"|"linear",
                  "prefix": "layers.0." | "lstm_0/" ...,
                  "torch_layer_index": k     (multi-layer nn.LSTM only)}, ...],
     "loss": "mse",
     "adam": {"lr": 0.01, "beta1": 0.9, "beta2": 0.999,
              "eps": 1e-08 (torch) | 1e-07 (keras), "style": "torch"|"keras"},
     "steps": 20}

Tensors:

* ``input``  [B, T, F] (batch-major), uniform in [-1, 1]
* ``target`` same shape as ``output``, uniform in [-1, 1]
* ``output`` model output on ``input`` with the initial weights: [B, T, U] when
  the last recurrent layer returns sequences (the Dense is applied per
  timestep), else [B, U]
* ``loss``   [1]: mean squared error, mean over every output element
* ``grad.input`` [B, T, F]: d loss / d input
* ``param.<name>``: each initial weight, under the framework's own name and
  layout; ``grad.<name>``: d loss / d that weight (same shape)
* ``trajectory`` [21]: loss after k full-batch Adam steps, k = 0..20
  (``trajectory[0] == loss``)
* ``final.<name>``: each weight after the 20 Adam steps

Weight names: PyTorch uses state_dict keys of a module whose submodules sit in
an ``nn.ModuleList`` called ``layers`` (``layers.0.weight_ih_l0``,
``layers.1.weight``, ...). Keras uses ``<layer name>/<variable name>``
(``lstm_0/kernel``, ``lstm_0/recurrent_kernel``, ``lstm_0/bias``); Keras 3's
own variable paths (``sequential/lstm_0/lstm_cell/kernel``) are normalised.

How to regenerate
-----------------
Create a virtualenv OUTSIDE the repository and run from the repository root::

    python3 -m venv /work/venv-ref
    /work/venv-ref/bin/pip install -r scripts/requirements-reference.txt
    /work/venv-ref/bin/python scripts/make_reference_fixtures.py

Options: ``--out DIR`` writes elsewhere; ``--verify-only`` re-checks existing
files without regenerating; ``--only NAME`` (repeatable) generates only the
named cases. After writing, every file is reloaded and its ``output`` and
``trajectory[20]`` are recomputed from the saved ``param.*`` / ``final.*``
with an independent NumPy forward pass.

Determinism: every case seeds NumPy, torch and Keras from a fixed per-case
seed, runs single-threaded, and uses float32 throughout. TensorFlow runs with
oneDNN disabled and op determinism enabled.
"""

import argparse
import json
import os
import sys
import zlib

# Must be set before TensorFlow / Keras are imported.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from safetensors import safe_open  # noqa: E402
from safetensors.numpy import save_file  # noqa: E402

FIXTURE_VERSION = "1"
STEPS = 20
LR = 0.01
BASE_SEED = 20240601

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO_ROOT, "Tests", "RecurNNTests", "Fixtures")

# ---------------------------------------------------------------------------
# Case definitions
# ---------------------------------------------------------------------------
# A "module" entry: type, units, and for recurrent ones return_sequences
# (and num_layers for a multi-layer torch nn.LSTM).

TORCH_CASES = [
    dict(name="torch-lstm-last", shape=(3, 4, 2), modules=[
        dict(type="LSTM", units=5, return_sequences=False),
        dict(type="Dense", units=1)]),
    dict(name="torch-lstm-seq", shape=(3, 4, 2), modules=[
        dict(type="LSTM", units=5, return_sequences=True),
        dict(type="Dense", units=2)]),
    dict(name="torch-gru-last", shape=(3, 4, 2), modules=[
        dict(type="GRU", units=4, return_sequences=False),
        dict(type="Dense", units=1)]),
    dict(name="torch-rnn-seq", shape=(3, 4, 2), modules=[
        dict(type="SimpleRNN", units=4, return_sequences=True),
        dict(type="Dense", units=1)]),
    dict(name="torch-lstm-stacked", shape=(3, 4, 2), modules=[
        dict(type="LSTM", units=4, return_sequences=False, num_layers=2),
        dict(type="Dense", units=1)]),
    dict(name="torch-gru-stacked", shape=(3, 4, 2), modules=[
        dict(type="GRU", units=4, return_sequences=True),
        dict(type="GRU", units=3, return_sequences=False),
        dict(type="Dense", units=1)]),
    dict(name="torch-dense", shape=(5, 3), modules=[
        dict(type="Dense", units=4),
        dict(type="Dense", units=1)]),
]

KERAS_CASES = [
    dict(name="keras-lstm-stacked", shape=(3, 5, 2), modules=[
        dict(type="LSTM", units=6, return_sequences=True),
        dict(type="LSTM", units=3, return_sequences=False),
        dict(type="Dense", units=1)]),
    dict(name="keras-lstm-seq", shape=(3, 4, 2), modules=[
        dict(type="LSTM", units=4, return_sequences=True),
        dict(type="Dense", units=2)]),
    dict(name="keras-gru-after", shape=(3, 4, 2), modules=[
        dict(type="GRU", units=4, return_sequences=True, reset_after=True),
        dict(type="GRU", units=3, return_sequences=False, reset_after=True),
        dict(type="Dense", units=1)]),
    dict(name="keras-gru-before", shape=(3, 4, 2), modules=[
        dict(type="GRU", units=4, return_sequences=False, reset_after=False),
        dict(type="Dense", units=1)]),
    dict(name="keras-rnn-stacked", shape=(3, 5, 2), modules=[
        dict(type="SimpleRNN", units=4, return_sequences=True),
        dict(type="SimpleRNN", units=3, return_sequences=False),
        dict(type="Dense", units=1)]),
    dict(name="keras-dense", shape=(5, 3), modules=[
        dict(type="Dense", units=4),
        dict(type="Dense", units=1)]),
]


def case_seed(name):
    """A stable per-case seed (independent of case order)."""
    return (BASE_SEED + zlib.crc32(name.encode("utf-8"))) % (2 ** 31)


def make_data(case):
    """Input and target, uniform in [-1, 1], float32, from the case seed."""
    rng = np.random.default_rng(case_seed(case["name"]))
    x = rng.uniform(-1.0, 1.0, size=case["shape"]).astype(np.float32)
    return x, rng


def f32(a):
    """A float32, C-contiguous COPY (torch's .numpy() shares memory)."""
    return np.ascontiguousarray(np.array(a, dtype=np.float32, copy=True))


def layer_meta(type_, units, prefix, return_sequences=None, reset_after=None,
               torch_layer_index=None):
    d = {"type": type_, "units": int(units)}
    if type_ != "Dense":
        d["return_sequences"] = bool(return_sequences)
    if type_ == "GRU":
        d["reset_after"] = bool(reset_after)
    d["activation"] = "linear" if type_ == "Dense" else "tanh"
    d["prefix"] = prefix
    if torch_layer_index is not None:
        d["torch_layer_index"] = int(torch_layer_index)
    return d


# ---------------------------------------------------------------------------
# PyTorch
# ---------------------------------------------------------------------------

def run_torch_case(case):
    import torch
    from torch import nn

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    seed = case_seed(case["name"])
    torch.manual_seed(seed)

    x_np, rng = make_data(case)
    shape = case["shape"]
    in_features = shape[-1]

    mods, layers = [], []
    feat = in_features
    for i, m in enumerate(case["modules"]):
        prefix = "layers.%d." % i
        if m["type"] == "Dense":
            mods.append(nn.Linear(feat, m["units"]))
            layers.append(layer_meta("Dense", m["units"], prefix))
        else:
            nl = m.get("num_layers", 1)
            kw = dict(input_size=feat, hidden_size=m["units"], num_layers=nl,
                      batch_first=True)
            if m["type"] == "LSTM":
                mods.append(nn.LSTM(**kw))
            elif m["type"] == "GRU":
                mods.append(nn.GRU(**kw))
            elif m["type"] == "SimpleRNN":
                mods.append(nn.RNN(nonlinearity="tanh", **kw))
            else:
                raise ValueError(m["type"])
            for k in range(nl):
                # Inner layers of a multi-layer module always return sequences.
                rs = m["return_sequences"] if k == nl - 1 else True
                layers.append(layer_meta(
                    m["type"], m["units"], prefix, return_sequences=rs,
                    reset_after=True,  # torch's GRU is the reset-after form
                    torch_layer_index=k if nl > 1 else None))
        feat = m["units"]

    specs = case["modules"]

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList(mods)

        def forward(self, h):
            for spec, mod in zip(specs, self.layers):
                if spec["type"] == "Dense":
                    h = mod(h)
                else:
                    out, _ = mod(h)
                    h = out if spec["return_sequences"] else out[:, -1, :]
            return h

    net = Net().float()

    x = torch.from_numpy(x_np.copy()).requires_grad_(True)
    with torch.no_grad():
        out_shape = tuple(net(x).shape)
    target_np = rng.uniform(-1.0, 1.0, size=out_shape).astype(np.float32)
    target = torch.from_numpy(target_np.copy())
    loss_fn = nn.MSELoss()  # reduction="mean": mean over every element

    names = [n for n, _ in net.named_parameters()]
    params0 = {n: f32(p.detach().numpy()) for n, p in net.named_parameters()}

    out = net(x)
    loss = loss_fn(out, target)
    loss.backward()
    tensors = {
        "input": f32(x_np),
        "target": f32(target_np),
        "output": f32(out.detach().numpy()),
        "loss": f32([loss.item()]),
        "grad.input": f32(x.grad.numpy()),
    }
    for n, p in net.named_parameters():
        tensors["param." + n] = params0[n]
        tensors["grad." + n] = f32(p.grad.numpy())

    opt = torch.optim.Adam(net.parameters(), lr=LR)
    d = opt.defaults
    adam = {"lr": LR, "beta1": float(d["betas"][0]),
            "beta2": float(d["betas"][1]), "eps": float(d["eps"]),
            "style": "torch"}
    xt = torch.from_numpy(x_np.copy())
    traj = []
    for step in range(STEPS + 1):
        opt.zero_grad(set_to_none=True)
        l = loss_fn(net(xt), target)
        traj.append(l.item())
        if step == STEPS:
            break
        l.backward()
        opt.step()
    tensors["trajectory"] = f32(traj)
    for n, p in net.named_parameters():
        tensors["final." + n] = f32(p.detach().numpy())

    meta_case = {"name": case["name"], "input_shape": list(shape),
                 "layers": layers, "loss": "mse", "adam": adam,
                 "steps": STEPS}
    metadata = {
        "fixture_version": FIXTURE_VERSION,
        "framework": "torch",
        "framework_version": torch.__version__,
        "case": json.dumps(meta_case),
    }
    return tensors, metadata, names


# ---------------------------------------------------------------------------
# Keras 3
# ---------------------------------------------------------------------------

_TF_CONFIGURED = False


def _configure_tf():
    global _TF_CONFIGURED
    if _TF_CONFIGURED:
        return
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.experimental.enable_op_determinism()
    _TF_CONFIGURED = True


def run_keras_case(case):
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        _configure_tf()
    seed = case_seed(case["name"])
    keras.utils.set_random_seed(seed)

    x_np, rng = make_data(case)
    shape = case["shape"]

    counters = {}
    klayers, layers = [], []
    for m in case["modules"]:
        base = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "simple_rnn",
                "Dense": "dense"}[m["type"]]
        idx = counters.get(base, 0)
        counters[base] = idx + 1
        lname = "%s_%d" % (base, idx)
        prefix = lname + "/"
        if m["type"] == "Dense":
            klayers.append(keras.layers.Dense(m["units"], name=lname))
            layers.append(layer_meta("Dense", m["units"], prefix))
        elif m["type"] == "LSTM":
            klayers.append(keras.layers.LSTM(
                m["units"], return_sequences=m["return_sequences"],
                name=lname))
            layers.append(layer_meta("LSTM", m["units"], prefix,
                                     return_sequences=m["return_sequences"]))
        elif m["type"] == "GRU":
            klayers.append(keras.layers.GRU(
                m["units"], return_sequences=m["return_sequences"],
                reset_after=m["reset_after"], name=lname))
            layers.append(layer_meta("GRU", m["units"], prefix,
                                     return_sequences=m["return_sequences"],
                                     reset_after=m["reset_after"]))
        elif m["type"] == "SimpleRNN":
            klayers.append(keras.layers.SimpleRNN(
                m["units"], return_sequences=m["return_sequences"],
                name=lname))
            layers.append(layer_meta("SimpleRNN", m["units"], prefix,
                                     return_sequences=m["return_sequences"]))
        else:
            raise ValueError(m["type"])

    model = keras.Sequential([keras.Input(shape=tuple(shape[1:]))] + klayers,
                             name="model")

    # Normalised names, and small random biases (LSTM keeps its unit forget
    # bias: ones in the forget-gate slice, plus the random part).
    var_names = {}
    names = []
    for layer in model.layers:
        for v in layer.weights:
            n = "%s/%s" % (layer.name, v.name)
            var_names[id(v)] = n
            names.append(n)
            if v.name == "bias":
                b = np.asarray(v.numpy(), dtype=np.float32)
                b = b + rng.uniform(-0.1, 0.1, size=b.shape).astype(np.float32)
                v.assign(b)
    assert len(set(names)) == len(names), names
    variables = model.trainable_variables
    assert len(variables) == len(names)

    out0 = np.asarray(model(x_np), dtype=np.float32)
    target_np = rng.uniform(-1.0, 1.0, size=out0.shape).astype(np.float32)

    params0 = {var_names[id(v)]: f32(v.numpy()) for v in variables}

    opt = keras.optimizers.Adam(learning_rate=LR)
    adam = {"lr": LR, "beta1": float(opt.beta_1), "beta2": float(opt.beta_2),
            "eps": float(opt.epsilon), "style": "keras"}

    if backend == "tensorflow":
        import tensorflow as tf

        x_t = tf.constant(x_np)
        y_t = tf.constant(target_np)

        def loss_and_grads(with_input):
            with tf.GradientTape() as tape:
                if with_input:
                    tape.watch(x_t)
                out = model(x_t)
                loss = tf.reduce_mean(tf.square(out - y_t))
            srcs = list(variables) + ([x_t] if with_input else [])
            grads = tape.gradient(loss, srcs)
            return out, loss, grads
    elif backend == "torch":
        import torch

        y_t = torch.from_numpy(target_np.copy())

        def loss_and_grads(with_input):
            x_t = torch.from_numpy(x_np.copy()).requires_grad_(with_input)
            for v in variables:
                if v.value.grad is not None:
                    v.value.grad = None
            out = model(x_t)
            loss = torch.mean(torch.square(out - y_t))
            srcs = [v.value for v in variables] + ([x_t] if with_input else [])
            grads = torch.autograd.grad(loss, srcs)
            return out.detach(), loss.detach(), list(grads)
    else:
        raise RuntimeError("unsupported Keras backend: " + backend)

    def to_np(t):
        return f32(keras.ops.convert_to_numpy(t))

    def to_float(t):
        return float(np.asarray(keras.ops.convert_to_numpy(t)).reshape(()))

    out, loss, grads = loss_and_grads(True)
    tensors = {
        "input": f32(x_np),
        "target": f32(target_np),
        "output": to_np(out),
        "loss": f32([to_float(loss)]),
        "grad.input": to_np(grads[-1]),
    }
    assert np.allclose(tensors["output"], out0, atol=1e-6)
    for v, g in zip(variables, grads[:-1]):
        n = var_names[id(v)]
        tensors["param." + n] = params0[n]
        tensors["grad." + n] = to_np(g)

    traj = []
    for step in range(STEPS + 1):
        _, l, g = loss_and_grads(False)
        traj.append(to_float(l))
        if step == STEPS:
            break
        opt.apply_gradients(zip(g, variables))
    tensors["trajectory"] = f32(traj)
    for v in variables:
        tensors["final." + var_names[id(v)]] = f32(v.numpy())

    meta_case = {"name": case["name"], "input_shape": list(shape),
                 "layers": layers, "loss": "mse", "adam": adam,
                 "steps": STEPS}
    if backend == "tensorflow":
        import tensorflow as tf
        backend_version = tf.__version__
    else:
        import torch
        backend_version = torch.__version__
    metadata = {
        "fixture_version": FIXTURE_VERSION,
        "framework": "keras",
        "framework_version": keras.__version__,
        "keras_backend": backend,
        "backend_version": backend_version,
        "case": json.dumps(meta_case),
    }
    return tensors, metadata, names


# ---------------------------------------------------------------------------
# Independent NumPy forward pass (verification)
# ---------------------------------------------------------------------------

def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _torch_rnn(kind, x, P, prefix, k):
    """x: [B, T, F] -> [B, T, H] using torch layouts (gates i,f,g,o / r,z,n)."""
    W_ih = P[prefix + "weight_ih_l%d" % k]
    W_hh = P[prefix + "weight_hh_l%d" % k]
    b_ih = P[prefix + "bias_ih_l%d" % k]
    b_hh = P[prefix + "bias_hh_l%d" % k]
    H = W_hh.shape[1]
    B, T, _ = x.shape
    h = np.zeros((B, H))
    c = np.zeros((B, H))
    outs = []
    for t in range(T):
        gi = x[:, t, :] @ W_ih.T + b_ih
        gh = h @ W_hh.T + b_hh
        if kind == "LSTM":
            g = gi + gh
            i, f, gg, o = (g[:, j * H:(j + 1) * H] for j in range(4))
            c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(gg)
            h = _sigmoid(o) * np.tanh(c)
        elif kind == "GRU":
            r = _sigmoid(gi[:, :H] + gh[:, :H])
            z = _sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
            n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
            h = (1.0 - z) * n + z * h
        elif kind == "SimpleRNN":
            h = np.tanh(gi + gh)
        outs.append(h)
    return np.stack(outs, axis=1)


def _keras_rnn(layer, x, P):
    """x: [B, T, F] -> [B, T, U] using Keras layouts (gates i,f,c,o / z,r,h)."""
    p = layer["prefix"]
    K = P[p + "kernel"]
    R = P[p + "recurrent_kernel"]
    b = P[p + "bias"]
    U = R.shape[0]
    B, T, _ = x.shape
    h = np.zeros((B, U))
    c = np.zeros((B, U))
    outs = []
    for t in range(T):
        xt = x[:, t, :]
        if layer["type"] == "LSTM":
            g = xt @ K + h @ R + b
            i, f, cc, o = (g[:, j * U:(j + 1) * U] for j in range(4))
            c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(cc)
            h = _sigmoid(o) * np.tanh(c)
        elif layer["type"] == "GRU":
            if layer["reset_after"]:
                xi = xt @ K + b[0]
                hr = h @ R + b[1]
                z = _sigmoid(xi[:, :U] + hr[:, :U])
                r = _sigmoid(xi[:, U:2 * U] + hr[:, U:2 * U])
                hh = np.tanh(xi[:, 2 * U:] + r * hr[:, 2 * U:])
            else:
                xi = xt @ K + b
                z = _sigmoid(xi[:, :U] + h @ R[:, :U])
                r = _sigmoid(xi[:, U:2 * U] + h @ R[:, U:2 * U])
                hh = np.tanh(xi[:, 2 * U:] + (r * h) @ R[:, 2 * U:])
            h = z * h + (1.0 - z) * hh
        elif layer["type"] == "SimpleRNN":
            h = np.tanh(xt @ K + b + h @ R)
        outs.append(h)
    return np.stack(outs, axis=1)


def numpy_forward(framework, layers, x, P):
    h = x.astype(np.float64)
    P = {k: v.astype(np.float64) for k, v in P.items()}
    for layer in layers:
        p = layer["prefix"]
        if layer["type"] == "Dense":
            if framework == "torch":
                h = h @ P[p + "weight"].T + P[p + "bias"]
            else:
                h = h @ P[p + "kernel"] + P[p + "bias"]
            continue
        if framework == "torch":
            seq = _torch_rnn(layer["type"], h, P, p,
                             layer.get("torch_layer_index", 0))
        else:
            seq = _keras_rnn(layer, h, P)
        h = seq if layer["return_sequences"] else seq[:, -1, :]
    return h


def _finite_difference_check(fw, layers, T, params, h=1e-4):
    """Max scaled error between the stored gradients (grad.input, grad.*)
    and float64 central differences of the NumPy forward pass."""
    x = T["input"].astype(np.float64)
    P = {k: v.astype(np.float64) for k, v in params.items()}
    y = T["target"].astype(np.float64)

    def loss(x_, P_):
        return float(np.mean((numpy_forward(fw, layers, x_, P_) - y) ** 2))

    worst = 0.0
    for key in ["input"] + sorted(P):
        base = x if key == "input" else P[key]
        stored = T["grad." + key].astype(np.float64)
        for idx in np.ndindex(base.shape):
            old = base[idx]
            base[idx] = old + h
            lp = loss(x, P)
            base[idx] = old - h
            lm = loss(x, P)
            base[idx] = old
            fd = (lp - lm) / (2 * h)
            err = abs(fd - stored[idx]) / (1e-3 + abs(fd))
            worst = max(worst, err)
    return worst


def _numpy_adam_check(fw, layers, T, params, adam, steps, h=1e-5):
    """Replays the Adam run in float64 NumPy (finite-difference gradients,
    the framework's own update rule per adam["style"]) and returns the max
    abs error of the trajectory and of the final weights."""
    x = T["input"].astype(np.float64)
    y = T["target"].astype(np.float64)
    P = {k: v.astype(np.float64).copy() for k, v in params.items()}
    lr, b1, b2, eps = adam["lr"], adam["beta1"], adam["beta2"], adam["eps"]
    m = {k: np.zeros_like(v) for k, v in P.items()}
    v2 = {k: np.zeros_like(v) for k, v in P.items()}

    def loss():
        return float(np.mean((numpy_forward(fw, layers, x, P) - y) ** 2))

    traj = []
    for t in range(1, steps + 2):
        traj.append(loss())
        if t == steps + 1:
            break
        grads = {}
        for k, w in P.items():
            g = np.zeros_like(w)
            for idx in np.ndindex(w.shape):
                old = w[idx]
                w[idx] = old + h
                lp = loss()
                w[idx] = old - h
                lm = loss()
                w[idx] = old
                g[idx] = (lp - lm) / (2 * h)
            grads[k] = g
        for k, w in P.items():
            g = grads[k]
            m[k] = b1 * m[k] + (1 - b1) * g
            v2[k] = b2 * v2[k] + (1 - b2) * g * g
            bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
            if adam["style"] == "torch":
                # torch: eps added to the bias-corrected sqrt(v)
                w -= (lr / bc1) * m[k] / (np.sqrt(v2[k]) / np.sqrt(bc2) + eps)
            else:
                # keras: eps added to the raw sqrt(v) ("epsilon hat")
                w -= (lr * np.sqrt(bc2) / bc1) * m[k] / (np.sqrt(v2[k]) + eps)
    err_traj = float(np.max(np.abs(np.array(traj) - T["trajectory"])))
    err_final = max(float(np.max(np.abs(P[k] - T["final." + k]))) for k in P)
    return err_traj, err_final


def verify_file(path, adam_check=False):
    with safe_open(path, framework="np") as f:
        meta = f.metadata()
        T = {k: f.get_tensor(k) for k in f.keys()}
    assert meta["fixture_version"] == FIXTURE_VERSION
    case = json.loads(meta["case"])
    fw = meta["framework"]
    for k, v in T.items():
        assert v.dtype == np.float32, (k, v.dtype)
    assert list(T["input"].shape) == case["input_shape"]
    assert T["target"].shape == T["output"].shape
    assert T["grad.input"].shape == T["input"].shape
    assert T["trajectory"].shape == (case["steps"] + 1,)
    assert T["trajectory"][0] == T["loss"][0]
    params = {k[len("param."):]: v for k, v in T.items()
              if k.startswith("param.")}
    finals = {k[len("final."):]: v for k, v in T.items()
              if k.startswith("final.")}
    assert set(params) == set(finals)
    for n in params:
        assert T["grad." + n].shape == params[n].shape
        assert finals[n].shape == params[n].shape
        assert np.max(np.abs(T["grad." + n])) > 1e-5, "tiny grad: " + n
    # Every weight is claimed by some layer prefix.
    for n in params:
        assert any(n.startswith(l["prefix"]) for l in case["layers"]), n

    out = numpy_forward(fw, case["layers"], T["input"], params)
    err_out = float(np.max(np.abs(out - T["output"])))
    loss = float(np.mean((out - T["target"]) ** 2))
    err_loss = abs(loss - float(T["loss"][0]))
    out_f = numpy_forward(fw, case["layers"], T["input"], finals)
    loss_f = float(np.mean((out_f - T["target"]) ** 2))
    err_final = abs(loss_f - float(T["trajectory"][-1]))
    err_grad = _finite_difference_check(fw, case["layers"], T, params)
    ok = (err_out < 1e-5 and err_loss < 1e-5 and err_final < 1e-5
          and err_grad < 1e-4)
    traj = T["trajectory"]
    print("  verify %-20s out_err=%.1e loss_err=%.1e final_err=%.1e "
          "grad_err=%.1e loss %.5f -> %.5f  %s" % (
              case["name"], err_out, err_loss, err_final, err_grad,
              traj[0], traj[-1],
              "OK" if ok else "FAIL"))
    assert traj[-1] < traj[0], "Adam did not reduce the loss"
    if adam_check:
        et, ef = _numpy_adam_check(fw, case["layers"], T, params,
                                   case["adam"], case["steps"])
        print("    numpy float64 Adam replay: trajectory err %.1e, "
              "final weight err %.1e" % (et, ef))
    return ok


# ---------------------------------------------------------------------------


def canonicalise_header(path):
    """Rewrite the safetensors JSON header in a fixed key order.

    safetensors serialises ``__metadata__`` from a hash map, so its key order
    (and hence the file bytes) changes from run to run although every value
    is identical. This rewrites only the header - metadata keys sorted,
    tensor entries in data-offset order, compact JSON padded with spaces to
    a multiple of 8 bytes as safetensors itself does - so that regenerating
    the fixtures gives byte-identical files. The tensor data is untouched.
    """
    import struct
    from collections import OrderedDict

    with open(path, "rb") as fh:
        raw = fh.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n].decode("utf-8"),
                        object_pairs_hook=OrderedDict)
    data = raw[8 + n:]
    meta = header.pop("__metadata__", None)
    out = OrderedDict()
    if meta is not None:
        out["__metadata__"] = OrderedDict(sorted(meta.items()))
    for k, v in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        out[k] = OrderedDict([("dtype", v["dtype"]), ("shape", v["shape"]),
                              ("data_offsets", v["data_offsets"])])
    text = json.dumps(out, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(text)) + text + data)
    os.chmod(path, 0o644)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--verify-only", action="store_true")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--adam-check", action="store_true",
                    help="also replay the 20 Adam steps in float64 NumPy")
    args = ap.parse_args()

    cases = [("torch", c) for c in TORCH_CASES] + \
            [("keras", c) for c in KERAS_CASES]
    if args.only:
        cases = [(fw, c) for fw, c in cases if c["name"] in args.only]
        missing = set(args.only) - {c["name"] for _, c in cases}
        if missing:
            sys.exit("unknown case(s): %s" % ", ".join(sorted(missing)))

    os.makedirs(args.out, exist_ok=True)
    paths = []
    for fw, case in cases:
        path = os.path.join(args.out, case["name"] + ".safetensors")
        paths.append(path)
        if args.verify_only:
            continue
        run = run_torch_case if fw == "torch" else run_keras_case
        tensors, metadata, _ = run(case)
        save_file(tensors, path, metadata=metadata)
        canonicalise_header(path)
        print("wrote %s (%d bytes, %d tensors)" % (
            os.path.relpath(path), os.path.getsize(path), len(tensors)))

    print("verifying")
    ok = all([verify_file(p, args.adam_check) for p in paths])
    if not ok:
        sys.exit("verification FAILED")
    print("all %d fixtures verified" % len(paths))


if __name__ == "__main__":
    main()
