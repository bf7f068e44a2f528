"""Thin chat adapters (Telegram, Discord, console) over the shared core."""
