#!/usr/bin/env bash
# Installs the Debian packages studioflow's tests and benchmarks use: the JACK server, PortAudio, ffmpeg
# (a benchmark peer), real LADSPA/LV2 plugins and the tools that check deliveries (shntool, flac, cuetools).
# Needs root; without it, says what to install.
set -euo pipefail
pkgs=(jackd2 libportaudio2 libsndfile1 ffmpeg tap-plugins swh-plugins lsp-plugins liblilv-0-0 lilv-utils
      shntool flac cuetools chromium gcc ardour)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "studioflow: please install these Debian packages (as root): ${missing[*]}" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
echo "jackd2 jackd/tweak_rt_limits boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
