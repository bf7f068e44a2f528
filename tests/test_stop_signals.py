"""A stop signal sent to the service's whole process group (systemd's default KillMode, Ctrl-C
in a terminal) reaches only the service, which finishes the messages it took: the children it
started for them (the probe, ffmpeg) run on in their own sessions. Before, the probe child died
of the bot's restart, and the video that was being taken got "that file seems damaged" instead
of its job (the soak's lost message, issue 19)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from core.failpoints import HOLD_AT, PAUSE_MARK
from tests.cli_helpers import ROOT
from tests.media import make_video

HANG_GUARD_S = 60.0  # only a broken build waits this long
# The service's part: a SIGTERM asks it to stop after the work it took (core/app.py sets its
# stop event); here the work is one probe, whose answer is printed.
SERVICE = """
import json, signal, sys
from pathlib import Path
signal.signal(signal.SIGTERM, lambda *_: None)
from core.engine.model import Limits
from core.engine.probe import probe_media
from core.errors import VoiceoverError
try:
    print(json.dumps({"kind": str(probe_media(Path(sys.argv[1]), Limits()).kind)}))
except VoiceoverError as err:
    print(json.dumps({"refused": err.code.name}))
"""


def test_a_probe_outlives_a_stop_signal_to_the_services_process_group(tmp_path: Path) -> None:
    clip = make_video(tmp_path / "clip.mp4", seconds=1, size="64x64")
    mark = tmp_path / "held"
    env = {**os.environ, "PYTHONPATH": str(ROOT), HOLD_AT: "probe", PAUSE_MARK: str(mark)}
    service = subprocess.Popen(
        [sys.executable, "-c", SERVICE, str(clip)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        start_new_session=True,  # its own group, as under systemd
    )
    try:
        deadline = time.monotonic() + HANG_GUARD_S
        while not mark.exists():  # the probe child has started and waits at its hold point
            assert service.poll() is None and time.monotonic() < deadline, "no probe started"
            time.sleep(0.01)
        os.killpg(service.pid, signal.SIGTERM)  # what `systemctl stop` does to the unit
        mark.unlink()  # the probe goes on
        out, _ = service.communicate(timeout=HANG_GUARD_S)
    finally:
        if service.poll() is None:
            os.killpg(service.pid, signal.SIGKILL)
            service.wait()
    assert json.loads(out) == {"kind": "video"}
