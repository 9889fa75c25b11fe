"""Transports and runners: the Telegram adapter, the terminal chat, the scheduler, the CLI."""
