"""Backups of the service's state: `voiceover backup` (backup.py), `voiceover restore`
(restore.py), and their subcommands (cli.py)."""
