"""Voiceover Bot core: everything that is not a chat adapter."""

import os

# onnxruntime (Piper's runtime) has 1DS telemetry on Linux since 1.29: when it loads it writes a
# session file (.ses) into TMPDIR and an offline event cache under ~/.cache/Microsoft, and tries
# to upload them. Nothing of ours may leave the machine or stay behind, so it is off unless the
# operator says otherwise; it must be set before onnxruntime loads (a core import comes first).
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
