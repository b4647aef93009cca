"""Start a real `vllm serve` (OpenAI API server) on 127.0.0.1 for tests, configured like the offline engine.

Same dtype (the tiny model's `TINY_DTYPE`), context, eager mode, whole-prompt prefill (vLLM 0.32 CPU crashes on
seeded requests prefilled in chunks), prefix caching, core binding and seed as
`pipeline.engines.vllm_engine.VLLMEngine`, and
``--generation-config vllm`` so the model's generation_config.json does not add sampling defaults the
offline engine does not use. Its output goes to a log file that a failed start quotes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class VLLMServer:
    proc: subprocess.Popen
    port: int
    model: str
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def wait_ready(self, timeout_s: float = 300) -> VLLMServer:
        """Block until the server lists its model (raises with the log's tail if it dies or times out)."""
        import httpx

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"vllm serve exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/models", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"vllm serve did not come up within {timeout_s:g} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def launch_vllm_server(model_dir: Path, log: Path, *, max_model_len: int = 4096,
                       kv_cache_gib: float = 1) -> VLLMServer:
    """Launch the server on a free loopback port and return at once (it boots in ~60 s; see `wait_ready`)."""
    from pipeline.engines.cpu import CPU_ENV_DEFAULTS, cpu_thread_binding
    from tests.helpers.tiny_model import TINY_DTYPE

    port = free_port()
    env = {**CPU_ENV_DEFAULTS, **os.environ, "VLLM_CPU_KVCACHE_SPACE": f"{kv_cache_gib:g}", "HF_HUB_OFFLINE": "1"}
    if (binding := cpu_thread_binding()) is not None:
        env.setdefault("VLLM_CPU_OMP_THREADS_BIND", binding)
    cmd = [sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", str(model_dir),
           "--host", "127.0.0.1", "--port", str(port), "--dtype", TINY_DTYPE,
           "--max-model-len", str(max_model_len), "--enforce-eager", "--no-enable-chunked-prefill",
           "--max-num-batched-tokens", str(max(max_model_len, 4096)), "--enable-prefix-caching", "--seed", "0",
           "--generation-config", "vllm", "--uvicorn-log-level", "warning"]
    out = open(log, "wb")
    proc = subprocess.Popen(["nice", "-n", "19", *cmd], stdout=out, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    return VLLMServer(proc, port, str(model_dir), log)


def session_server(config: Any, model_dir: Path) -> VLLMServer:
    """The test session's one server on `model_dir`: launched on first call, kept on the pytest `config`."""
    server = getattr(config, "_saicot_vllm_server", None)
    if server is None:
        server = launch_vllm_server(model_dir, model_dir.parent / "server.log")
        config._saicot_vllm_server = server
    return server


def launched_server(config: Any) -> VLLMServer | None:
    """The session's server if one was launched."""
    return getattr(config, "_saicot_vllm_server", None)
