"""The embedded voiceover engine: probe, scripts, speech, timing, mixing, rendering."""
