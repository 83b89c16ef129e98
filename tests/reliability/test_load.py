"""A ten-second run of ``bench/load.py`` against a real 2-worker server: no request fails and
the server's memory does not grow. Speed is the benchmark's to report, never asserted here."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def load_bench() -> ModuleType:
    """bench/ is a folder of scripts, not a package: load the script as a module."""
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_mixed_load_on_two_workers_fails_no_request_and_keeps_memory_flat(
    models_dir: Path,
) -> None:
    bench = load_bench()
    # The memory at the start is read after a warm-up of the same traffic: the first
    # requests fill caches and pools that then stay, which is not growth.
    result = bench.run(seconds=10, clients=16, warmup=10, workers=2, models_dir=models_dir)
    report = "\n".join(bench.report(result))
    assert sum(figures["count"] for figures in result.routes.values()) > 0, report
    assert result.error_count == 0, report
    assert result.rss_growth < bench.MAX_GROWTH, report
