"""The report's background import of the modules it needs after reading."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_preload_imports_in_the_background_and_survives_a_missing_module():
    code = (
        "import sys; from analysis.preload import preload; "
        "assert 'matplotlib.figure' not in sys.modules; "
        "thread = preload(['no_such_module_here', 'json']); thread.join(60); "
        "first = thread.is_alive(); "
        "thread = preload(['matplotlib.figure', 'scipy.special']); thread.join(120); "
        "print(first, thread.daemon, 'matplotlib.figure' in sys.modules, "
        "'scipy.special' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=180)
    assert result.stdout.strip() == "False True True True", result.stderr
