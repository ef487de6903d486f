"""The weekly report Lambda: per-job statistics, data quality, performance, errors, DPU cost."""
