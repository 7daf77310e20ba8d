"""What the benchmarks share: the wrk command and its report, and the machine line.

wrk runs with bench/wrk_report.lua, which prints one `WRK_JSON {...}` line with the latency
percentiles; `parse` turns the output into a dict with the request rate added.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
from pathlib import Path

LUA = Path(__file__).with_name("wrk_report.lua")


def wrk_argv(url: str, *, clients: int, seconds: int) -> list[str]:
    """One wrk thread (C, its own process), so the generator does not starve the server."""
    return ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA), url]


def parse(output: str) -> dict:
    line = next(x for x in output.splitlines() if x.startswith("WRK_JSON "))
    result = json.loads(line.removeprefix("WRK_JSON "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def machine(software: str) -> str:
    """OS, cores, CPU model, `software` (versions that matter to the figures), load average."""
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), "
        f"{software}, load average at the start {load}"
    )
