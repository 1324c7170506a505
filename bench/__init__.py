"""Benchmarks of cbec (性能测试): throughput, latency, memory and growth; never part of the pass/fail suite."""
