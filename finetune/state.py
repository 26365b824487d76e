"""The plan's state file: uploaded files and jobs, saved after every step so a run resumes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from em_selfaware.textfiles import read_text

SUCCEEDED = "succeeded"
FAILED = "failed"
SKIPPED = "skipped"
TERMINAL = (SUCCEEDED, FAILED, SKIPPED)
"""Our own terminal states (OpenAI's ``cancelled`` is recorded as failed)."""


class PlanState:
    """JSON state of one plan: ``files`` (sha256 -> upload) and ``jobs`` (name -> record)."""

    def __init__(self, path: Path, plan_name: str, data: dict[str, Any] | None = None):
        """Wrap `data` (or a fresh state) saved at `path`."""
        self.path = path
        self.data = data or {"plan": plan_name, "files": {}, "jobs": {}}
        if self.data.get("plan") != plan_name:
            raise ValueError(
                f"{path} is the state of plan {self.data.get('plan')!r}, not {plan_name!r}; "
                "use another state_file"
            )

    @classmethod
    def load(cls, path: Path, plan_name: str) -> PlanState:
        """Read the state at `path`, or start a fresh one."""
        if not path.is_file():
            return cls(path, plan_name)
        try:
            data = json.loads(read_text(path, "fine-tuning state file", ValueError))
        except json.JSONDecodeError as error:
            raise ValueError(f"state file {path} is not valid JSON ({error})") from None
        return cls(path, plan_name, data)

    def save(self) -> None:
        """Write the state atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(self.path.suffix + ".tmp")
        temporary.write_text(json.dumps(self.data, indent=2, sort_keys=True), encoding="utf-8")
        temporary.replace(self.path)

    def job(self, name: str) -> dict[str, Any]:
        """Return the (mutable) record of job `name`, creating an empty one."""
        return self.data["jobs"].setdefault(name, {"status": "pending"})

    def update_job(self, name: str, **fields: Any) -> dict[str, Any]:
        """Update job `name` and save."""
        record = self.job(name)
        record.update(fields)
        self.save()
        return record

    def uploaded(self, sha256: str) -> str | None:
        """Return the file id uploaded for a training set digest, if any."""
        entry = self.data["files"].get(sha256)
        return entry["file_id"] if entry else None

    def record_upload(self, sha256: str, file_id: str, path: str) -> None:
        """Remember an upload and save."""
        self.data["files"][sha256] = {"file_id": file_id, "path": path}
        self.save()

    def retry_failed(self) -> list[str]:
        """Forget failed and skipped jobs so they run again; return their names."""
        names = [n for n, r in self.data["jobs"].items() if r.get("status") in (FAILED, SKIPPED)]
        for name in names:
            self.data["jobs"][name] = {"status": "pending"}
        if names:
            self.save()
        return names
