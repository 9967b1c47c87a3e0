#!/usr/bin/env bash
# Gives a machine without sound hardware (CI, containers, headless VMs) a real-time-paced audio
# device, so the cpal playback and capture paths run for real in tests: a PulseAudio null sink,
# made ALSA's default through the pulse plugin. Machines with a sound card are left alone, and an
# existing ~/.asoundrc that this script did not write is never touched.
set -euo pipefail
marker="# written by son1k scripts/virtual-audio.sh"

if [ -r /proc/asound/cards ] && grep -q '^ *[0-9]' /proc/asound/cards; then
  echo "virtual-audio: a sound card is present; using it"
  exit 0
fi
if [ -e "$HOME/.asoundrc" ] && ! grep -qF "$marker" "$HOME/.asoundrc"; then
  echo "virtual-audio: $HOME/.asoundrc exists and is yours; not replacing it"
  exit 0
fi
for bin in pulseaudio pactl; do
  command -v "$bin" >/dev/null || { echo "virtual-audio: $bin is missing (apt-get install pulseaudio libasound2-plugins)"; exit 1; }
done
if ! pactl info >/dev/null 2>&1; then
  # As root PulseAudio warns that it is meant for users; in a throwaway CI machine that is fine.
  pulseaudio --daemonize=yes --exit-idle-time=-1 --disallow-exit -n \
    --load="module-native-protocol-unix" \
    --load="module-null-sink sink_name=son1k_null" \
    --load="module-always-sink" 2>/dev/null || true
  for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
  pactl info >/dev/null 2>&1 || { echo "virtual-audio: PulseAudio did not start"; exit 1; }
fi
cat > "$HOME/.asoundrc" <<ASOUND
$marker
pcm.!default {
    type pulse
}
ctl.!default {
    type pulse
}
ASOUND
echo "virtual-audio: ALSA default → PulseAudio null sink (paced in real time)"
