"""Stopping the server and worker processes that benchmarks and integration tests start."""
from __future__ import annotations

import subprocess
from collections.abc import Iterable


def stop_processes(processes: Iterable[subprocess.Popen], timeout: float = 20) -> None:  # type: ignore[type-arg]
    """Ask every process to stop (SIGTERM) at once, then wait for each; kill one that is still running."""
    processes = list(processes)
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
