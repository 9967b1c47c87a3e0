#!/usr/bin/env python3
"""Reference outputs for son1k-ml's parity tests, and PyTorch's side of `son1k-bench voice`.

Parity (default): builds tiny random-weight models — WavLM from `transformers` (both layouts: the
"large" one with layer-norm convolutions and pre-norm transformer layers, as kNN-VC's WavLM-Large, and
the "base" one with a group-norm first convolution and post-norm layers) and a HiFi-GAN with the
kNN-VC vocoder's architecture (written here, as kNN-VC's own code is not on PyPI) — runs them on fixed
inputs and writes weights, configs and outputs to crates/son1k-ml/tests/fixtures/ (a few hundred KB).
The Rust tests load exactly those files and compare. Regenerate with:

    python3 -m venv .venv-parity && .venv-parity/bin/pip install torch transformers safetensors numpy
    .venv-parity/bin/python scripts/voice-parity.py

Bench (`--bench DIR --seconds S`): writes full-size random WavLM-Large + HiFi-GAN weights (≈1.3 GB)
into DIR in the layout the model manager installs, times PyTorch (CPU, same thread count as Candle
gets) on S seconds of audio, and prints one JSON line: {"torch_seconds": …, "audio_seconds": …}.
`--repeat N` times N runs after a warm-up and prints the median. `son1k-bench voice` drives this.
"""

import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file
from transformers import WavLMConfig, WavLMModel

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "crates", "son1k-ml", "tests", "fixtures")
LRELU = 0.1


def pad_for(kernel, dilation):
    return (kernel * dilation - dilation) // 2


class ResBlock(nn.Module):
    """Three dilated conv pairs with leaky-ReLU and residual adds (HiFi-GAN's "resblock 1")."""

    def __init__(self, ch, k, dilations):
        super().__init__()
        wn = nn.utils.parametrizations.weight_norm
        self.convs1 = nn.ModuleList(
            [wn(nn.Conv1d(ch, ch, k, 1, dilation=d, padding=pad_for(k, d))) for d in dilations]
        )
        self.convs2 = nn.ModuleList(
            [wn(nn.Conv1d(ch, ch, k, 1, dilation=1, padding=pad_for(k, 1))) for _ in dilations]
        )

    def forward(self, x):
        for c1, c2 in zip(self.convs1, self.convs2):
            t = c2(F.leaky_relu(c1(F.leaky_relu(x, LRELU)), LRELU))
            x = x + t
        return x


class Vocoder(nn.Module):
    """The kNN-VC HiFi-GAN generator: linear in, conv, (up-conv, mean of resblocks)×n, conv, tanh."""

    def __init__(self, h):
        super().__init__()
        wn = nn.utils.parametrizations.weight_norm
        self.lin_pre = nn.Linear(h["hubert_dim"], h["hifi_dim"])
        c0 = h["upsample_initial_channel"]
        self.conv_pre = wn(nn.Conv1d(h["hifi_dim"], c0, 7, 1, padding=3))
        self.ups = nn.ModuleList()
        self.resblocks = nn.ModuleList()
        self.nk = len(h["resblock_kernel_sizes"])
        for i, (u, k) in enumerate(zip(h["upsample_rates"], h["upsample_kernel_sizes"])):
            cin, cout = c0 // (2**i), c0 // (2 ** (i + 1))
            self.ups.append(wn(nn.ConvTranspose1d(cin, cout, k, u, padding=(k - u) // 2)))
            for k2, d in zip(h["resblock_kernel_sizes"], h["resblock_dilation_sizes"]):
                self.resblocks.append(ResBlock(cout, k2, d))
        self.conv_post = wn(nn.Conv1d(cout, 1, 7, 1, padding=3))

    def forward(self, x):
        x = self.conv_pre(self.lin_pre(x).permute(0, 2, 1))
        for i, up in enumerate(self.ups):
            x = up(F.leaky_relu(x, LRELU))
            xs = sum(self.resblocks[i * self.nk + j](x) for j in range(self.nk))
            x = xs / self.nk
        return torch.tanh(self.conv_post(F.leaky_relu(x))).squeeze(1)


def old_weight_norm_names(sd):
    """Renames torch's parametrization keys to the weight_g/weight_v names older checkpoints use."""
    out = {}
    for k, v in sd.items():
        k = k.replace("parametrizations.weight.original0", "weight_g")
        k = k.replace("parametrizations.weight.original1", "weight_v")
        out[k] = v.contiguous()
    return out


def jitter(model, scale, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=g) * scale)


def wavlm_config(large, tiny):
    if tiny:
        dims = dict(
            hidden_size=32, num_hidden_layers=3, num_attention_heads=4, intermediate_size=64,
            conv_dim=(16, 16, 16), conv_kernel=(10, 3, 3), conv_stride=(5, 2, 2),
            num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=4,
        )
    else:
        dims = dict(
            hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096,
        )
    return WavLMConfig(
        feat_extract_norm="layer" if large else "group",
        do_stable_layer_norm=large,
        conv_bias=large,
        **dims,
    )


def layer_output(model, wav, k):
    """Output of transformer layer k (1-based), as kNN-VC's `layer_results[k]`."""
    got = {}

    def keep(_module, _inputs, output):
        got["x"] = output[0]  # returns None: the hook must not replace the output

    h = model.encoder.layers[k - 1].register_forward_hook(keep)
    with torch.no_grad():
        last = model(wav).last_hidden_state
    h.remove()
    return got["x"], last


TINY_HIFI = dict(
    resblock="1", upsample_rates=[5, 4], upsample_kernel_sizes=[10, 8],
    upsample_initial_channel=32, resblock_kernel_sizes=[3, 5],
    resblock_dilation_sizes=[[1, 3, 5], [1, 3, 5]], hubert_dim=32, hifi_dim=24, sampling_rate=16000,
)
FULL_HIFI = dict(
    resblock="1", upsample_rates=[10, 8, 2, 2], upsample_kernel_sizes=[20, 16, 4, 4],
    upsample_initial_channel=512, resblock_kernel_sizes=[3, 7, 11],
    resblock_dilation_sizes=[[1, 3, 5], [1, 3, 5], [1, 3, 5]], hubert_dim=1024, hifi_dim=512,
    sampling_rate=16000,
)


def parity():
    os.makedirs(FIXTURES, exist_ok=True)
    torch.manual_seed(1234)
    t = torch.arange(4000) / 16000.0
    wav = (0.4 * torch.sin(2 * math.pi * 220 * t) + 0.1 * torch.randn(4000)).unsqueeze(0)
    refs = {"wav": wav.contiguous()}
    for name, large, seed in (("wavlm_large_tiny", True, 1), ("wavlm_base_tiny", False, 2)):
        torch.manual_seed(seed)
        cfg = wavlm_config(large, tiny=True)
        model = WavLMModel(cfg).eval()
        jitter(model, 0.05, seed)
        layer2, last = layer_output(model, wav, 2)
        refs[f"{name}.layer2"] = layer2.contiguous()
        refs[f"{name}.last"] = last.contiguous()
        sd = {k: v.contiguous() for k, v in model.state_dict().items()}
        if not large:
            sd = old_weight_norm_names(sd)  # the loader must accept both spellings
        save_file(sd, os.path.join(FIXTURES, f"{name}.safetensors"))
        with open(os.path.join(FIXTURES, f"{name}.json"), "w") as f:
            f.write(cfg.to_json_string())

    torch.manual_seed(3)
    voc = Vocoder(TINY_HIFI).eval()
    jitter(voc, 0.05, 3)
    feats = torch.randn(1, 12, TINY_HIFI["hubert_dim"])
    with torch.no_grad():
        refs["hifigan.in"] = feats.contiguous()
        refs["hifigan.out"] = voc(feats).contiguous()
    # The kNN-VC release layout: {"generator": state_dict} with weight_g/weight_v names.
    torch.save({"generator": old_weight_norm_names(voc.state_dict())},
               os.path.join(FIXTURES, "hifigan_tiny.pt"))
    with open(os.path.join(FIXTURES, "hifigan_tiny.json"), "w") as f:
        json.dump(TINY_HIFI, f, indent=2)

    # kNN regression: cosine distance, k = 4, mean of the neighbours.
    query = torch.randn(20, 32)
    pool = torch.randn(50, 32)
    qn = query / query.norm(dim=-1, keepdim=True)
    pn = pool / pool.norm(dim=-1, keepdim=True)
    dist = 1 - qn @ pn.T
    idx = dist.topk(4, largest=False, dim=-1).indices
    refs["knn.query"], refs["knn.pool"] = query, pool
    refs["knn.out"] = pool[idx].mean(dim=1).contiguous()
    save_file(refs, os.path.join(FIXTURES, "reference.safetensors"))
    print("wrote", sorted(os.listdir(FIXTURES)))


def bench(out_dir, seconds, threads, repeat):
    torch.set_num_threads(threads)
    wavlm_dir = os.path.join(out_dir, "wavlm-large")
    hifi_dir = os.path.join(out_dir, "knnvc-hifigan-prematched")
    os.makedirs(wavlm_dir, exist_ok=True)
    os.makedirs(hifi_dir, exist_ok=True)
    torch.manual_seed(0)
    cfg = wavlm_config(True, tiny=False)
    wavlm = WavLMModel(cfg).eval()
    # Only the first 6 layers are used by kNN-VC; keep all 24 in the file, as the real checkpoint.
    # The weights come from seed 0, so files left by an earlier run hold the same ones: a later
    # run (the benchmark alternates PyTorch and Candle rounds) does not write them again.
    wavlm_file = os.path.join(wavlm_dir, "model.safetensors")
    if not os.path.exists(wavlm_file):
        save_file({k: v.contiguous() for k, v in wavlm.state_dict().items()}, wavlm_file + ".tmp")
        os.replace(wavlm_file + ".tmp", wavlm_file)
    with open(os.path.join(wavlm_dir, "config.json"), "w") as f:
        f.write(cfg.to_json_string())
    voc = Vocoder(FULL_HIFI).eval()
    voc_file = os.path.join(hifi_dir, "prematch_g_02500000.pt")
    if not os.path.exists(voc_file):
        torch.save({"generator": old_weight_norm_names(voc.state_dict())}, voc_file + ".tmp")
        os.replace(voc_file + ".tmp", voc_file)
    with open(os.path.join(hifi_dir, "config_v1_wavlm.json"), "w") as f:
        json.dump(FULL_HIFI, f, indent=2)

    wav = 0.1 * torch.randn(1, int(seconds * 16000))
    pool = torch.randn(3000, 1024)
    wavlm.encoder.layers = wavlm.encoder.layers[:6]

    def run():
        with torch.inference_mode():
            h = {}

            def keep(_module, _inputs, output):
                h["x"] = output[0]

            hook = wavlm.encoder.layers[5].register_forward_hook(keep)
            wavlm(wav)
            hook.remove()
            q = h["x"][0]
            qn = q / q.norm(dim=-1, keepdim=True)
            pn = pool / pool.norm(dim=-1, keepdim=True)
            idx = (1 - qn @ pn.T).topk(4, largest=False, dim=-1).indices
            return voc(pool[idx].mean(dim=1)[None])

    run()  # warm-up
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    took = sorted(times)[len(times) // 2]
    print(json.dumps({"torch_seconds": took, "runs": times, "audio_seconds": seconds, "threads": threads}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", metavar="DIR")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=1, help="timed runs in --bench (the median is printed)")
    args = ap.parse_args()
    if args.bench:
        bench(args.bench, args.seconds, args.threads, args.repeat)
    else:
        parity()


if __name__ == "__main__":
    sys.exit(main())
