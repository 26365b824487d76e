"""Print the sha256 of pyproject.toml's declared dependencies (all extras included).

requirements.lock records it, and CI compares, so a dependency changed in pyproject.toml
without a refreshed lock fails CI even when the old lock still happens to satisfy it.
"""

import hashlib
import json
import tomllib
from pathlib import Path

project = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))["project"]
declared = {
    "requires-python": project.get("requires-python"),
    "dependencies": project.get("dependencies", []),
    "optional-dependencies": project.get("optional-dependencies", {}),
}
print(hashlib.sha256(json.dumps(declared, sort_keys=True).encode()).hexdigest())
