"""Evaluation: the question format, metrics, the harness and its baselines."""
