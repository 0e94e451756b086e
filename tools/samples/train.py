#!/usr/bin/python3
"""Train and export Mote's sample models (digits, ecg) from data shipped in Debian packages.

    /usr/bin/python3 tools/samples/train.py [--out tools/samples] [--only digits|ecg] [--no-ort]

Needs Debian's python3-torch (1.13), python3-onnx, python3-sklearn, python3-scipy, python3-numpy.
Everything is seeded and single-threaded; a run takes about 10 seconds on a small CPU.
If tools/peers/ort-eval works (node + onnxruntime-node), the exported models are also run in
ONNX Runtime and the results (ORT-vs-torch difference, QDQ accuracy) go into sample.json.

Writes, per sample, into OUT/<name>/: <name>.onnx, calibration.npy, test_x.npy, test_y.npy,
reference_logits.npy, sample.json (+ digits_qdq.onnx for digits, ecg_stream.npy and
test_peaks.npy for ecg). See tools/samples/README.md.
"""
import argparse
import json
import os
import random
import subprocess
import tempfile
import warnings

import numpy as np

warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", category=UserWarning)

import onnx  # noqa: E402
import scipy  # noqa: E402
import scipy.signal as signal  # noqa: E402
import sklearn  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
ORT_EVAL = os.path.join(REPO, "tools", "peers", "ort-eval")
OPSET = 13
SEED = 20240601


# ----------------------------------------------------------------------------------------------
# common helpers


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def setup_torch():
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    try:
        torch.use_deterministic_algorithms(True)
    except Exception as exc:  # pragma: no cover - depends on the torch build
        print(f"note: deterministic algorithms unavailable: {exc}")


def count_params(model):
    return int(sum(p.numel() for p in model.parameters()))


def predict(model, x, batch=256):
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out.append(model(torch.from_numpy(x[i:i + batch])).numpy())
    return np.concatenate(out).astype(np.float32)


def export_onnx(model, input_shape, path):
    """Export in eval mode, opset 13, static batch 1, keeping BatchNormalization as its own node.

    torch 1.13 folds BatchNormalization into the preceding Conv when it exports with
    TrainingMode.EVAL (its eval peephole pass). TrainingMode.PRESERVE on a model that is in eval
    mode skips that pass and exports inference-mode BatchNormalization nodes (one output, running
    statistics as initializers), which is what we want Mote's importer to see.
    """
    model.eval()
    dummy = torch.zeros(*input_shape, dtype=torch.float32)
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "raw.onnx")
        torch.onnx.export(model, dummy, raw, input_names=["input"], output_names=["logits"],
                          opset_version=OPSET, do_constant_folding=True,
                          training=torch.onnx.TrainingMode.PRESERVE)
        m = onnx.load(raw)
    remove_identities(m.graph)
    m.producer_name = "mote-samples-train.py"
    m.producer_version = f"torch-{torch.__version__}"
    m.doc_string = ""
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return m


def remove_identities(graph):
    """Drop Identity nodes (torch emits them when two initializers happen to be equal)."""
    outputs = {o.name for o in graph.output}
    rename = {}
    keep = []
    for n in graph.node:
        if n.op_type == "Identity" and n.output[0] not in outputs:
            rename[n.output[0]] = n.input[0]
        else:
            keep.append(n)
    for n in keep:
        for i, name in enumerate(n.input):
            while name in rename:
                name = rename[name]
            n.input[i] = name
    del graph.node[:]
    graph.node.extend(keep)


def op_types(model):
    seen = []
    for n in model.graph.node:
        if n.op_type not in seen:
            seen.append(n.op_type)
    return seen


def save_npy(path, arr):
    np.save(path, np.ascontiguousarray(arr))


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def run_ort(model_path, x_path, out_path):
    """Run tools/peers/ort-eval; returns (outputs, median_us) or (None, reason)."""
    if not os.access(ORT_EVAL, os.X_OK):
        return None, "tools/peers/ort-eval not found"
    try:
        p = subprocess.run([ORT_EVAL, model_path, x_path, out_path], capture_output=True, text=True,
                           timeout=900)
    except Exception as exc:
        return None, str(exc)
    if p.returncode != 0:
        return None, (p.stderr.strip() or p.stdout.strip()).splitlines()[-1:]
    med = None
    for tok in p.stdout.split():
        if tok.startswith("median_us="):
            med = float(tok.split("=", 1)[1])
    return np.load(out_path), med


def binary_metrics(y, pred):
    tp = int(np.sum((pred == 1) & (y == 1)))
    tn = int(np.sum((pred == 0) & (y == 0)))
    fp = int(np.sum((pred == 1) & (y == 0)))
    fn = int(np.sum((pred == 0) & (y == 1)))
    sens = tp / max(tp + fn, 1)
    spec = tn / max(tn + fp, 1)
    prec = tp / max(tp + fp, 1)
    f1 = 2 * tp / max(2 * tp + fp + fn, 1)
    return dict(f1=f1, accuracy=(tp + tn) / len(y), sensitivity=sens, specificity=spec,
                precision=prec, tp=tp, tn=tn, fp=fp, fn=fn)


# ----------------------------------------------------------------------------------------------
# digits


class DigitsNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(16)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):  # x: [N,1,8,8] in [0,1]
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)  # [N,8,4,4]
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)  # [N,16,2,2]
        return self.fc(torch.flatten(x, 1))                   # [N,10]


def shift_batch(x, rng, max_shift=1):
    """Random translation by up to one pixel (zero fill), a mild augmentation."""
    out = np.zeros_like(x)
    for i in range(len(x)):
        dy, dx = rng.integers(-max_shift, max_shift + 1, size=2)
        src = x[i, 0]
        dst = out[i, 0]
        ys, yd = (slice(dy, 8), slice(0, 8 - dy)) if dy >= 0 else (slice(0, 8 + dy), slice(-dy, 8))
        xs, xd = (slice(dx, 8), slice(0, 8 - dx)) if dx >= 0 else (slice(0, 8 + dx), slice(-dx, 8))
        dst[yd, xd] = src[ys, xs]
    return out


def train_digits(out_dir, use_ort):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    import sklearn.datasets as skd

    seed_everything(SEED)
    data_file = os.path.join(os.path.dirname(skd.__file__), "data", "digits.csv.gz")
    d = load_digits()
    x = (d.images.astype(np.float32) / 16.0)[:, None, :, :]  # [1797,1,8,8], [0,1]
    y = d.target.astype(np.int64)
    idx = np.arange(len(y))
    tr, te = train_test_split(idx, test_size=0.25, stratify=y, random_state=0)
    tr, te = np.sort(tr), np.sort(te)
    xtr, ytr, xte, yte = x[tr], y[tr], x[te], y[te]
    print(f"digits: {len(y)} images, train {len(tr)}, test {len(te)}; "
          f"test class counts {np.bincount(yte).tolist()}")

    model = DigitsNet()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-4)
    epochs, bs = 60, 32
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-2, total_steps=epochs * ((len(tr) + bs - 1) // bs))
    rng = np.random.default_rng(SEED)
    for ep in range(epochs):
        model.train()
        perm = rng.permutation(len(tr))
        xa = shift_batch(xtr, rng) if ep < epochs - 5 else xtr
        for i in range(0, len(perm), bs):
            b = perm[i:i + bs]
            loss = F.cross_entropy(model(torch.from_numpy(xa[b])), torch.from_numpy(ytr[b]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    model.eval()
    logits = predict(model, xte)
    acc = float(np.mean(logits.argmax(1) == yte))
    print(f"digits: float test accuracy {acc:.4f} ({int(round(acc * len(yte)))}/{len(yte)}), "
          f"{count_params(model)} parameters")

    sdir = os.path.join(out_dir, "digits")
    os.makedirs(sdir, exist_ok=True)
    m = export_onnx(model, (1, 1, 8, 8), os.path.join(sdir, "digits.onnx"))
    print(f"digits.onnx ops: {op_types(m)}")

    # calibration: 200 train images, 20 per class, fixed choice
    cal_idx = np.concatenate([rng.choice(np.where(ytr == c)[0], 20, replace=False) for c in range(10)])
    cal_idx = np.sort(cal_idx)
    xcal = xtr[cal_idx]
    save_npy(os.path.join(sdir, "calibration.npy"), xcal.astype(np.float32))
    save_npy(os.path.join(sdir, "test_x.npy"), xte.astype(np.float32))
    save_npy(os.path.join(sdir, "test_y.npy"), yte.astype(np.int64))
    save_npy(os.path.join(sdir, "reference_logits.npy"), logits)

    qm, sim_logits = build_digits_qdq(model, xcal, xte)
    onnx.save(qm, os.path.join(sdir, "digits_qdq.onnx"))
    sim_acc = float(np.mean(sim_logits.argmax(1) == yte))
    print(f"digits_qdq.onnx ops: {op_types(qm)}")
    print(f"digits: QDQ numpy simulation accuracy {sim_acc:.4f}")

    manifest = {
        "name": "digits",
        "description": "8x8 handwritten digit classifier (small CNN), 10 classes",
        "model": "digits.onnx",
        "qdq_model": "digits_qdq.onnx",
        "input": "input",
        "input_shape": [1, 1, 8, 8],
        "output": "logits",
        "output_shape": [1, 10],
        "opset": OPSET,
        "calibration": "calibration.npy",
        "test_inputs": "test_x.npy",
        "test_labels": "test_y.npy",
        "reference_outputs": "reference_logits.npy",
        "classes": [str(c) for c in range(10)],
        "metric": "accuracy",
        "float_metric": round(acc, 6),
        "float_accuracy": round(acc, 6),
        "qdq_sim_metric": round(sim_acc, 6),
        "qdq_ort_metric": None,
        "params": count_params(model),
        "counts": {"train": int(len(tr)), "test": int(len(te)), "calibration": int(len(cal_idx)),
                   "test_per_class": np.bincount(yte).tolist()},
        "split": "sklearn train_test_split(test_size=0.25, stratify=target, random_state=0); "
                 "calibration = 20 train images per class",
        "source": {
            "dataset": "UCI Optical Recognition of Handwritten Digits (test part, 1797 images), "
                       "as shipped in scikit-learn",
            "file": "sklearn/datasets/data/digits.csv.gz",
            "debian_package": f"python3-sklearn {sklearn.__version__}",
            "loaded_from": data_file,
            "license": "scikit-learn is BSD-3-Clause (debian/copyright, Files: *); the UCI data set "
                       "(E. Alpaydin, C. Kaynak, 1998) is distributed by the UCI ML Repository under CC BY 4.0",
        },
        "preprocessing": "input = pixel / 16.0 (pixels are integers 0..16), float32 NCHW [1,1,8,8], "
                         "row-major as in sklearn's images",
    }
    if use_ort:
        ort_check(sdir, "digits.onnx", "test_x.npy", logits, yte, manifest, qdq="digits_qdq.onnx")
    write_json(os.path.join(sdir, "sample.json"), manifest)
    return manifest


def quant_params_asym(lo, hi):
    """Asymmetric int8 (zero point in [-128,127]); range widened to contain 0."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    scale = (hi - lo) / 255.0 if hi > lo else 1.0
    zp = int(np.clip(np.round(-128 - lo / scale), -128, 127))
    return np.float32(scale), np.int8(zp)


def fake_quant(x, scale, zp):
    q = np.clip(np.round(x / scale) + zp, -128, 127)
    return ((q - zp) * scale).astype(np.float32)


def build_digits_qdq(model, xcal, xte):
    """QDQ int8 version of DigitsNet, built with onnx.helper.

    BN folded into the conv weights; weights int8 symmetric per output channel (int8 initializer +
    DequantizeLinear axis=0); bias int32 initializer + DequantizeLinear (scale = s_in * s_w[c], zp 0);
    activations asymmetric int8, min/max calibrated on xcal, QuantizeLinear->DequantizeLinear after
    the input and after every node producing an activation (Relu, MaxPool, Flatten, Gemm).
    Conv is followed by its Relu and only the Relu output is quantized (fused-activation style).
    Returns (model, logits of a numpy simulation of the quantized graph on xte).
    """
    model.eval()
    sd = {k: v.detach().numpy().astype(np.float64) for k, v in model.state_dict().items()}

    def fold(conv, bn):
        w = sd[f"{conv}.weight"]
        g, b, mu, var = (sd[f"{bn}.{k}"] for k in ("weight", "bias", "running_mean", "running_var"))
        s = g / np.sqrt(var + 1e-5)
        return w * s[:, None, None, None], b - mu * s

    w1, b1 = fold("conv1", "bn1")
    w2, b2 = fold("conv2", "bn2")
    w3, b3 = sd["fc.weight"], sd["fc.bias"]

    def conv(x, w, b):
        y = F.conv2d(torch.from_numpy(x.astype(np.float32)), torch.from_numpy(w.astype(np.float32)),
                     torch.from_numpy(b.astype(np.float32)), padding=1)
        return y.numpy()

    def pool(x):
        return F.max_pool2d(torch.from_numpy(x), 2).numpy()

    # float activation ranges over the calibration set
    a1 = np.maximum(conv(xcal, w1, b1), 0)
    a2 = np.maximum(conv(pool(a1), w2, b2), 0)
    lg = pool(a2).reshape(len(xcal), -1) @ w3.T.astype(np.float32) + b3.astype(np.float32)
    q_in = quant_params_asym(0.0, 1.0)  # the input range is known: [0,1]
    q_a1 = quant_params_asym(a1.min(), a1.max())
    q_a2 = quant_params_asym(a2.min(), a2.max())
    q_lg = quant_params_asym(lg.min(), lg.max())

    def wquant(w):
        flat = w.reshape(w.shape[0], -1)
        s = np.maximum(np.abs(flat).max(1), 1e-12) / 127.0
        q = np.clip(np.round(flat / s[:, None]), -127, 127).astype(np.int8).reshape(w.shape)
        return q, s.astype(np.float32)

    def bquant(b, s_in, s_w):
        s = (np.float64(s_in) * s_w.astype(np.float64)).astype(np.float32)
        return np.round(b / s).astype(np.int32), s

    qw1, sw1 = wquant(w1)
    qb1, sb1 = bquant(b1, q_in[0], sw1)
    qw2, sw2 = wquant(w2)
    qb2, sb2 = bquant(b2, q_a1[0], sw2)
    qw3, sw3 = wquant(w3)
    qb3, sb3 = bquant(b3, q_a2[0], sw3)

    inits, nodes = [], []

    def const(name, arr):
        inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def qdq(x, name, qp):
        s = const(f"{name}_scale", np.array(qp[0], np.float32))
        z = const(f"{name}_zero_point", np.array(qp[1], np.int8))
        nodes.append(helper.make_node("QuantizeLinear", [x, s, z], [f"{name}_q"], name=f"{name}_QuantizeLinear"))
        nodes.append(helper.make_node("DequantizeLinear", [f"{name}_q", s, z], [f"{name}_dq"],
                                      name=f"{name}_DequantizeLinear"))
        return f"{name}_dq"

    def deq_const(name, q, s, zp_dtype):
        const(f"{name}_quantized", q)
        const(f"{name}_scale", s)
        const(f"{name}_zero_point", np.zeros(s.shape, zp_dtype))
        nodes.append(helper.make_node("DequantizeLinear",
                                      [f"{name}_quantized", f"{name}_scale", f"{name}_zero_point"],
                                      [name], name=f"{name}_DequantizeLinear", axis=0))
        return name

    x = qdq("input", "input", q_in)
    w = deq_const("conv1.weight", qw1, sw1, np.int8)
    b = deq_const("conv1.bias", qb1, sb1, np.int32)
    nodes.append(helper.make_node("Conv", [x, w, b], ["conv1_out"], name="conv1", kernel_shape=[3, 3],
                                  pads=[1, 1, 1, 1], strides=[1, 1], dilations=[1, 1], group=1))
    nodes.append(helper.make_node("Relu", ["conv1_out"], ["relu1_out"], name="relu1"))
    x = qdq("relu1_out", "relu1_out", q_a1)
    nodes.append(helper.make_node("MaxPool", [x], ["pool1_out"], name="pool1", kernel_shape=[2, 2],
                                  strides=[2, 2], pads=[0, 0, 0, 0]))
    x = qdq("pool1_out", "pool1_out", q_a1)
    w = deq_const("conv2.weight", qw2, sw2, np.int8)
    b = deq_const("conv2.bias", qb2, sb2, np.int32)
    nodes.append(helper.make_node("Conv", [x, w, b], ["conv2_out"], name="conv2", kernel_shape=[3, 3],
                                  pads=[1, 1, 1, 1], strides=[1, 1], dilations=[1, 1], group=1))
    nodes.append(helper.make_node("Relu", ["conv2_out"], ["relu2_out"], name="relu2"))
    x = qdq("relu2_out", "relu2_out", q_a2)
    nodes.append(helper.make_node("MaxPool", [x], ["pool2_out"], name="pool2", kernel_shape=[2, 2],
                                  strides=[2, 2], pads=[0, 0, 0, 0]))
    x = qdq("pool2_out", "pool2_out", q_a2)
    nodes.append(helper.make_node("Flatten", [x], ["flatten_out"], name="flatten", axis=1))
    x = qdq("flatten_out", "flatten_out", q_a2)
    w = deq_const("fc.weight", qw3, sw3, np.int8)
    b = deq_const("fc.bias", qb3, sb3, np.int32)
    nodes.append(helper.make_node("Gemm", [x, w, b], ["fc_out"], name="fc", alpha=1.0, beta=1.0, transB=1))
    # final QDQ on the logits; the graph output "logits" is the dequantized float value
    s = const("logits_scale", np.array(q_lg[0], np.float32))
    z = const("logits_zero_point", np.array(q_lg[1], np.int8))
    nodes.append(helper.make_node("QuantizeLinear", ["fc_out", s, z], ["logits_q"], name="logits_QuantizeLinear"))
    nodes.append(helper.make_node("DequantizeLinear", ["logits_q", s, z], ["logits"], name="logits_DequantizeLinear"))

    graph = helper.make_graph(
        nodes, "digits_qdq",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 8, 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])],
        initializer=inits)
    qm = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                           producer_name="mote-samples-train.py", producer_version="1")
    qm.ir_version = 7
    onnx.checker.check_model(qm)

    # numpy simulation of the same graph (float math on dequantized values)
    def dq(q, s):
        shape = (-1,) + (1,) * (q.ndim - 1)
        return q.astype(np.float64) * s.astype(np.float64).reshape(shape)

    fw1, fb1, fw2, fb2 = dq(qw1, sw1), dq(qb1, sb1), dq(qw2, sw2), dq(qb2, sb2)
    fw3, fb3 = dq(qw3, sw3), dq(qb3, sb3)
    h = fake_quant(xte, *q_in)
    h = fake_quant(np.maximum(conv(h, fw1, fb1), 0), *q_a1)
    h = fake_quant(np.maximum(conv(pool(h), fw2, fb2), 0), *q_a2)
    h = pool(h).reshape(len(h), -1)
    sim = fake_quant((h.astype(np.float64) @ fw3.T + fb3).astype(np.float32), *q_lg)
    return qm, sim


# ----------------------------------------------------------------------------------------------
# ecg

FS = 360                 # Hz
PRE, POST = 96, 160      # window = ecg[r-PRE : r+POST], L = 256 samples (711 ms), R peak at index 96
WIN = PRE + POST
SPLIT_S = 225            # train: beats whose window ends before 225 s; test: windows starting at/after it


class EcgNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 8, 7, padding=3, bias=False)
        self.bn1 = nn.BatchNorm1d(8)
        self.conv2 = nn.Conv1d(8, 16, 5, padding=2, bias=False)
        self.bn2 = nn.BatchNorm1d(16)
        self.conv3 = nn.Conv1d(16, 16, 5, padding=2, bias=False)
        self.bn3 = nn.BatchNorm1d(16)
        self.gap = nn.AdaptiveAvgPool1d(1)
        self.fc = nn.Linear(16, 2)

    def forward(self, x):  # x: [N,1,256] mV, window mean removed
        x = F.max_pool1d(F.relu(self.bn1(self.conv1(x))), 4)  # [N,8,64]
        x = F.max_pool1d(F.relu(self.bn2(self.conv2(x))), 4)  # [N,16,16]
        x = F.relu(self.bn3(self.conv3(x)))                    # [N,16,16]
        return self.fc(torch.flatten(self.gap(x), 1))          # [N,2]


def ecg_beats(ecg):
    """R-peak detection, per-beat features, derived labels. Returns dict of per-beat arrays."""
    n = len(ecg)
    b, a = signal.butter(2, [5 / (FS / 2), 20 / (FS / 2)], "band")
    bp = signal.filtfilt(b, a, ecg)                       # QRS band
    b, a = signal.butter(2, 0.5 / (FS / 2), "high")
    hp = signal.filtfilt(b, a, ecg)                       # baseline wander removed
    b, a = signal.butter(4, [30 / (FS / 2), 55 / (FS / 2)], "band")
    hf = signal.filtfilt(b, a, ecg)                       # muscle / electrode noise band

    # 1. detection: peaks of the 120 ms moving average of bp^2, >= 250 ms apart
    k = int(0.12 * FS)
    energy = np.convolve(bp ** 2, np.ones(k) / k, "same")
    cand, _ = signal.find_peaks(energy, distance=int(0.25 * FS), height=0.15 * np.percentile(energy, 99))
    # 2. fiducial ("R peak"): largest |hp - local median| within +-80 ms of the energy peak
    r = int(0.08 * FS)
    peaks, width, amp = [], [], []
    for p in cand:
        lo, hi = max(0, p - r), min(n, p + r + 1)
        base = np.median(hp[max(0, p - int(0.3 * FS)):p + int(0.3 * FS)])
        f = lo + int(np.argmax(np.abs(hp[lo:hi] - base)))
        # half-amplitude width of the main deflection (contiguous run above 50 % of |peak|)
        y = hp - base
        s, a0 = np.sign(y[f]), abs(y[f])
        i = f
        while i > 0 and s * y[i - 1] > 0.5 * a0 and f - i < int(0.2 * FS):
            i -= 1
        j = f
        while j < n - 1 and s * y[j + 1] > 0.5 * a0 and j - f < int(0.2 * FS):
            j += 1
        peaks.append(f)
        width.append((j - i + 1) * 1000.0 / FS)
        amp.append(y[f])
    peaks, width, amp = np.array(peaks), np.array(width), np.array(amp)
    inside = (peaks - PRE >= 0) & (peaks + POST <= n)

    # 3. template correlation on -100..+400 ms of hp, template = median of narrow beats
    t0, t1 = int(0.1 * FS), int(0.4 * FS)
    segs = np.array([hp[p - t0:p + t1] if p - t0 >= 0 and p + t1 <= n else np.zeros(t0 + t1) for p in peaks])
    template = np.median(segs[(width < 30) & inside], axis=0)

    def corr(u, v):
        u, v = u - u.mean(), v - v.mean()
        return float(u @ v / np.sqrt((u @ u) * (v @ v) + 1e-12))

    cor = np.array([corr(s, template) for s in segs])
    # 4. noise indices
    hf_rms = np.array([np.sqrt(np.mean(hf[max(0, p - PRE):p + POST] ** 2)) for p in peaks])
    # out-of-QRS ratio: RMS of bp over -200..+350 ms without the +-100 ms around the fiducial,
    # divided by the peak |bp| inside those +-100 ms (high when other sharp deflections are near)
    q = int(0.1 * FS)
    noise_ratio = []
    for p in peaks:
        lo, hi = max(0, p - int(0.2 * FS)), min(n, p + int(0.35 * FS))
        m = np.ones(hi - lo, bool)
        m[max(0, p - q - lo):p + q - lo] = False
        noise_ratio.append(np.sqrt(np.mean(bp[lo:hi][m] ** 2)) / np.abs(bp[max(0, p - q):p + q]).max())
    noise_ratio = np.array(noise_ratio)
    rr = np.diff(peaks) / FS
    rr_prev = np.r_[np.nan, rr]
    local = np.array([np.nanmedian(rr_prev[max(0, i - 8):i + 8]) for i in range(len(peaks))])
    prematurity = rr_prev / local

    # 5. rule
    excluded = (~inside) | (hf_rms > 0.08) | (noise_ratio > 0.25) | (width > 150)
    abnormal = (width >= 40) | ((width >= 30) & (cor < 0.8))
    return dict(peaks=peaks, width=width, amp=amp, cor=cor, hf_rms=hf_rms, noise_ratio=noise_ratio,
                prematurity=prematurity, excluded=excluded, label=abnormal.astype(np.int64),
                inside=inside)


def ecg_window(ecg, p, shift=0):
    w = ecg[p - PRE + shift:p + POST + shift].astype(np.float64)
    return (w - w.mean()).astype(np.float32)


def train_ecg(out_dir, use_ort):
    seed_everything(SEED + 1)
    dat = os.path.join(os.path.dirname(scipy.__file__), "misc", "ecg.dat")
    with np.load(dat) as f:
        raw = f["ecg"].astype(np.int64)          # uint16 ADC counts
    ecg = (raw - 1024) / 200.0                    # mV, as scipy.misc.electrocardiogram() does
    n = len(ecg)
    bt = ecg_beats(ecg)
    peaks, label, excl = bt["peaks"], bt["label"], bt["excluded"]
    split = SPLIT_S * FS
    is_tr = (peaks + POST <= split) & ~excl
    is_te = (peaks - PRE >= split) & ~excl
    print(f"ecg: {n} samples ({n / FS:.0f} s) at {FS} Hz; {len(peaks)} beats detected, "
          f"{int(excl.sum())} excluded (noise/artifact/edge), "
          f"{int((~excl & ~is_tr & ~is_te).sum())} straddle the split")
    for nm, m in (("all", ~excl), ("train", is_tr), ("test", is_te)):
        print(f"ecg: {nm:5s}: {int(m.sum())} beats, normal {int((label[m] == 0).sum())}, "
              f"abnormal {int((label[m] == 1).sum())}")
    ab, no = ~excl & (label == 1), ~excl & (label == 0)
    print(f"ecg: median width abnormal {np.median(bt['width'][ab]):.0f} ms vs normal "
          f"{np.median(bt['width'][no]):.0f} ms; median template corr {np.median(bt['cor'][ab]):.2f} vs "
          f"{np.median(bt['cor'][no]):.2f}; median RR prematurity {np.nanmedian(bt['prematurity'][ab]):.2f} vs "
          f"{np.nanmedian(bt['prematurity'][no]):.2f}")

    ptr, ytr = peaks[is_tr], label[is_tr]
    pte, yte = peaks[is_te], label[is_te]
    xte = np.stack([ecg_window(ecg, p) for p in pte])[:, None, :]
    xtr0 = np.stack([ecg_window(ecg, p) for p in ptr])[:, None, :]

    model = EcgNet()
    epochs, bs = 80, 32
    opt = torch.optim.Adam(model.parameters(), lr=5e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=5e-3, total_steps=epochs * ((len(ptr) + bs - 1) // bs))
    cw = torch.tensor([1.0, float((ytr == 0).sum()) / max(float((ytr == 1).sum()), 1.0)])
    rng = np.random.default_rng(SEED + 1)
    t = np.linspace(-0.5, 0.5, WIN, dtype=np.float32)
    for ep in range(epochs):
        model.train()
        # augmentation: +-5 sample jitter of the cut, gain 0.8..1.2, baseline slope, white noise
        sh = rng.integers(-5, 6, size=len(ptr))
        xa = np.stack([ecg_window(ecg, p, s) for p, s in zip(ptr, sh)])
        xa = xa * rng.uniform(0.8, 1.2, size=(len(ptr), 1)).astype(np.float32)
        xa = xa + rng.normal(0, 0.3, size=(len(ptr), 1)).astype(np.float32) * t
        xa = xa + rng.normal(0, 0.02, size=xa.shape).astype(np.float32)
        xa = (xa - xa.mean(1, keepdims=True))[:, None, :].astype(np.float32)
        perm = rng.permutation(len(ptr))
        for i in range(0, len(perm), bs):
            b = perm[i:i + bs]
            loss = F.cross_entropy(model(torch.from_numpy(xa[b])), torch.from_numpy(ytr[b]), weight=cw)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    model.eval()
    logits = predict(model, xte)
    met = binary_metrics(yte, logits.argmax(1))
    trm = binary_metrics(ytr, predict(model, xtr0).argmax(1))
    print(f"ecg: train F1 {trm['f1']:.4f}; float test F1 {met['f1']:.4f}, accuracy {met['accuracy']:.4f}, "
          f"sensitivity {met['sensitivity']:.4f}, specificity {met['specificity']:.4f} "
          f"(tp {met['tp']} fp {met['fp']} fn {met['fn']} tn {met['tn']}), {count_params(model)} parameters")

    sdir = os.path.join(out_dir, "ecg")
    os.makedirs(sdir, exist_ok=True)
    m = export_onnx(model, (1, 1, WIN), os.path.join(sdir, "ecg.onnx"))
    print(f"ecg.onnx ops: {op_types(m)}")

    # calibration: 128 train beats, all abnormal ones up to 48 plus normal ones, fixed choice
    ia, inn = np.where(ytr == 1)[0], np.where(ytr == 0)[0]
    ca = rng.choice(ia, min(48, len(ia)), replace=False)
    cn = rng.choice(inn, 128 - len(ca), replace=False)
    cal = np.sort(np.concatenate([ca, cn]))
    save_npy(os.path.join(sdir, "calibration.npy"), xtr0[cal].astype(np.float32))
    save_npy(os.path.join(sdir, "test_x.npy"), xte.astype(np.float32))
    save_npy(os.path.join(sdir, "test_y.npy"), yte.astype(np.int64))
    save_npy(os.path.join(sdir, "reference_logits.npy"), logits)
    save_npy(os.path.join(sdir, "ecg_stream.npy"), ecg[split:].astype(np.float32))
    save_npy(os.path.join(sdir, "test_peaks.npy"), (pte - split).astype(np.int64))

    cnt = lambda m: {"beats": int(m.sum()), "normal": int((label[m] == 0).sum()),  # noqa: E731
                     "abnormal": int((label[m] == 1).sum())}
    manifest = {
        "name": "ecg",
        "description": "single-lead ECG beat classifier (1-D CNN): normal vs abnormal "
                       "(wide-QRS, ventricular-like: PVC / fusion) beats, labels derived by a documented rule",
        "model": "ecg.onnx",
        "input": "input",
        "input_shape": [1, 1, WIN],
        "output": "logits",
        "output_shape": [1, 2],
        "opset": OPSET,
        "calibration": "calibration.npy",
        "test_inputs": "test_x.npy",
        "test_labels": "test_y.npy",
        "reference_outputs": "reference_logits.npy",
        "classes": ["normal", "abnormal"],
        "metric": "f1",
        "positive_class": 1,
        "float_metric": round(met["f1"], 6),
        "float_accuracy": round(met["accuracy"], 6),
        "float_sensitivity": round(met["sensitivity"], 6),
        "float_specificity": round(met["specificity"], 6),
        "float_confusion": {k: met[k] for k in ("tp", "fp", "fn", "tn")},
        "params": count_params(model),
        "sample_rate_hz": FS,
        "window_length": WIN,
        "window_pre_samples": PRE,
        "window_post_samples": POST,
        "window": f"x[i] = ecg_mV[r - {PRE} + i], i = 0..{WIN - 1}: the R peak (fiducial) is at index {PRE} "
                  f"({PRE * 1000 / FS:.0f} ms of signal before it, {POST * 1000 / FS:.0f} ms from it on)",
        "normalization": "subtract the window mean; no scaling (units stay mV): x[i] = w[i] - mean(w)",
        "stream": "ecg_stream.npy",
        "stream_start_s": SPLIT_S,
        "stream_description": f"float32 mV, the raw test part of the recording (from {SPLIT_S} s to the end)",
        "test_peaks": "test_peaks.npy",
        "test_peaks_description": "int64 R-peak sample index in ecg_stream.npy of every test_x row "
                                  "(test_x[k] = window of ecg_stream at test_peaks[k], mean removed)",
        "counts": {"all": cnt(~excl), "train": cnt(is_tr), "test": cnt(is_te),
                   "detected": int(len(peaks)), "excluded": int(excl.sum()), "calibration": int(len(cal))},
        "split": f"by time: train = beats whose window ends before {SPLIT_S} s (first 75 %), "
                 f"test = beats whose window starts at/after {SPLIT_S} s; calibration = 128 train beats",
        "labels": "derived, see README: abnormal if the half-amplitude width of the main QRS deflection "
                  ">= 40 ms, or >= 30 ms with correlation < 0.8 to the median narrow-beat template; beats "
                  "with noise (30-55 Hz RMS > 0.08 mV, out-of-QRS 5-20 Hz energy ratio > 0.25) or "
                  "artifacts (width > 150 ms) are excluded",
        "source": {
            "dataset": "MIT-BIH Arrhythmia Database record 208, lead MLII, excerpt 19:35-24:35, as shipped "
                       "in SciPy (scipy.misc.electrocardiogram / scipy.datasets.electrocardiogram)",
            "file": "scipy/misc/ecg.dat (npz with uint16 ADC counts 'ecg'; mV = (counts - 1024) / 200)",
            "debian_package": f"python3-scipy {scipy.__version__}",
            "loaded_from": dat,
            "license": "SciPy is BSD-3-Clause (debian/copyright, Files: *); the MIT-BIH Arrhythmia Database "
                       "(Moody & Mark 2001, PhysioNet, doi:10.13026/C2F305) is distributed by PhysioNet "
                       "under the Open Data Commons Attribution License v1.0",
        },
        "preprocessing": f"ecg_mV = (adc - 1024) / 200; window of {WIN} samples at {FS} Hz with the R peak at "
                         f"index {PRE}; subtract the window mean; float32 NCW [1,1,{WIN}]",
    }
    if use_ort:
        ort_check(sdir, "ecg.onnx", "test_x.npy", logits, yte, manifest)
    write_json(os.path.join(sdir, "sample.json"), manifest)
    return manifest


# ----------------------------------------------------------------------------------------------


def ort_check(sdir, model_name, x_name, ref, y, manifest, qdq=None):
    with tempfile.TemporaryDirectory() as tmp:
        out, med = run_ort(os.path.join(sdir, model_name), os.path.join(sdir, x_name), os.path.join(tmp, "o.npy"))
        if out is None:
            print(f"warning: ORT check skipped: {med}")
            return
        diff = float(np.max(np.abs(out - ref)))
        manifest["ort_max_abs_diff"] = float(f"{diff:.3g}")
        print(f"{model_name}: ORT vs torch max abs diff {diff:.3g}, argmax agreement "
              f"{np.mean(out.argmax(1) == ref.argmax(1)):.4f}, ORT median {med} us")
        if qdq:
            qout, qmed = run_ort(os.path.join(sdir, qdq), os.path.join(sdir, x_name), os.path.join(tmp, "q.npy"))
            if qout is None:
                print(f"warning: ORT QDQ check failed: {qmed}")
                return
            qacc = float(np.mean(qout.argmax(1) == y))
            manifest["qdq_ort_metric"] = round(qacc, 6)
            print(f"{qdq}: ORT test accuracy {qacc:.4f} (float {manifest['float_metric']:.4f}), "
                  f"ORT median {qmed} us")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=HERE, help="output directory (default: tools/samples)")
    ap.add_argument("--only", choices=["digits", "ecg"], help="train just one sample")
    ap.add_argument("--no-ort", action="store_true", help="skip the ONNX Runtime checks")
    args = ap.parse_args()
    setup_torch()
    print(f"torch {torch.__version__}, onnx {onnx.__version__}, scikit-learn {sklearn.__version__}, "
          f"scipy {scipy.__version__}, numpy {np.__version__}")
    if args.only in (None, "digits"):
        train_digits(args.out, not args.no_ort)
    if args.only in (None, "ecg"):
        train_ecg(args.out, not args.no_ort)


if __name__ == "__main__":
    main()
