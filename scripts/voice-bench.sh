#!/usr/bin/env bash
# Voice-conversion RTF, Candle vs PyTorch on the same full-size random weights, same machine, same run.
# Needs a Python with torch + transformers + safetensors (PYTHON, default python3).
# Usage: scripts/voice-bench.sh [SECONDS] [DIR]   (DIR gets ≈1.3 GB of weights; removed afterwards)
set -euo pipefail
SECONDS_AUDIO=${1:-5}
DIR=${2:-$(mktemp -d)}
PY=${PYTHON:-python3}
THREADS=$(nproc)
cd "$(dirname "$0")/.."
torch=$("$PY" scripts/voice-parity.py --bench "$DIR" --seconds "$SECONDS_AUDIO" --threads "$THREADS" | tail -1)
candle=$(cargo run -q --release -p son1k-ml --example bench_vc -- "$DIR" "$SECONDS_AUDIO" | tail -1)
rm -rf "$DIR"
"$PY" - "$torch" "$candle" <<'PYEOF'
import json, sys
t, c = json.loads(sys.argv[1]), json.loads(sys.argv[2])
s = t["audio_seconds"]
print(f"audio {s:.1f} s, {t['threads']} threads")
print(f"PyTorch: {t['torch_seconds']:.2f} s  RTF {t['torch_seconds']/s:.3f}")
print(f"Candle:  {c['candle_seconds']:.2f} s  RTF {c['candle_seconds']/s:.3f}")
print(f"candle/torch time ratio {c['candle_seconds']/t['torch_seconds']:.2f}  (speed vs PyTorch {t['torch_seconds']/c['candle_seconds']:.2f}x)")
PYEOF
