"""The WSGI entry point leaves what it loaded out of the garbage collector's passes."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_loaded_application_is_frozen_for_the_garbage_collector():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONPATH": str(ROOT),
    }
    script = "import gc, config.wsgi; print(gc.get_freeze_count())"
    frozen = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    # Django, the apps and their models: tens of thousands of objects the workers never collect.
    assert int(frozen) > 20_000
