"""Shared kernel: money, configuration, database base, outbox, errors."""
