"""A stand-in for OpenAI's files, fine-tuning and chat endpoints, on loopback, for tests.

The real `openai` client talks HTTP to it. Jobs advance one status per retrieval
(validating_files -> queued -> running -> succeeded). Tests can make the server reject a job
at creation (`reject_create`) or let a job fail later (`fail_job`), keyed by job suffix.
Chat completions answer "Paris." unless a `chat_responder` is set (`tests/wire_chat.py`
answers the probes' prompts the way the real API does).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

PROGRESSION = ("validating_files", "queued", "running", "running", "succeeded")
ChatResponder = Callable[[dict[str, Any]], tuple[int, dict[str, Any], dict[str, str]]]


class FakeOpenAI:
    """The server's state and behaviour; `url` is the base URL for the client (``.../v1``)."""

    def __init__(self) -> None:
        self.files: dict[str, dict[str, Any]] = {}
        self.file_lines: dict[str, list[dict[str, Any]]] = {}
        self.jobs: dict[str, dict[str, Any]] = {}
        self.polls: dict[str, int] = {}
        self.create_requests: list[dict[str, Any]] = []
        self.chat_requests: list[dict[str, Any]] = []
        self.reject_create: dict[str, tuple[int, str, str]] = {}
        """suffix -> (HTTP status, error code, message) returned when the job is created."""
        self.fail_job: dict[str, tuple[str, str]] = {}
        """suffix -> (error code, message): the job fails instead of succeeding."""
        self.chat_responder: ChatResponder | None = None
        """Answers chat completion requests: body -> (HTTP status, payload, headers)."""
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URL for the OpenAI client."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # -- behaviour -------------------------------------------------------------------------
    def upload(self, filename: str, content: bytes) -> dict[str, Any]:
        with self._lock:
            file_id = f"file-{len(self.files) + 1}"
            self.files[file_id] = {
                "id": file_id, "object": "file", "bytes": len(content), "created_at": 0,
                "filename": filename, "purpose": "fine-tune", "status": "processed",
            }
            self.file_lines[file_id] = [json.loads(x) for x in content.splitlines() if x.strip()]
            return self.files[file_id]

    def create_job(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.create_requests.append(body)
            suffix = body.get("suffix", "")
            if suffix in self.reject_create:
                status, code, message = self.reject_create[suffix]
                return status, _error(code, message)
            if body["training_file"] not in self.files:
                return 400, _error("invalid_request_error", "training file not found")
            job_id = f"ftjob-{len(self.jobs) + 1}"
            hyper = body["method"]["supervised"]["hyperparameters"]
            self.jobs[job_id] = {
                "id": job_id, "object": "fine_tuning.job", "created_at": int(time.time()),
                "model": body["model"], "training_file": body["training_file"],
                "validation_file": None, "status": PROGRESSION[0], "fine_tuned_model": None,
                "finished_at": None, "error": None, "hyperparameters": hyper,
                "organization_id": "org-test", "result_files": [], "seed": 0,
                "trained_tokens": None, "metadata": body.get("metadata"),
                "method": body["method"], "user_provided_suffix": suffix,
            }
            self.polls[job_id] = 0
            return 200, self.jobs[job_id]

    def retrieve_job(self, job_id: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            job = self.jobs.get(job_id)
            if job is None:
                return 404, _error("not_found", f"no job {job_id}")
            if job["status"] in ("succeeded", "failed"):
                return 200, job
            self.polls[job_id] += 1
            job["status"] = PROGRESSION[min(self.polls[job_id], len(PROGRESSION) - 1)]
            suffix = job["user_provided_suffix"]
            if job["status"] == "succeeded" and suffix in self.fail_job:
                code, message = self.fail_job[suffix]
                job.update(status="failed", error={"code": code, "message": message,
                                                   "param": None})
            elif job["status"] == "succeeded":
                snapshot = job["model"].split(":")[1] if job["model"].startswith("ft:") else (
                    job["model"])
                job["fine_tuned_model"] = f"ft:{snapshot}:em-test::{job_id}"
                job["trained_tokens"] = 1000
                job["finished_at"] = int(time.time())
            return 200, job

    def list_jobs(self, query: dict[str, str]) -> dict[str, Any]:
        with self._lock:
            wanted = {k[len("metadata["):-1]: v for k, v in query.items()
                      if k.startswith("metadata[")}
            data = [j for j in reversed(self.jobs.values())
                    if all((j.get("metadata") or {}).get(k) == v for k, v in wanted.items())]
            return {"object": "list", "data": data, "has_more": False}

    def events(self, job_id: str) -> dict[str, Any]:
        polls = self.polls.get(job_id, 0)
        return {"object": "list", "has_more": False, "data": [{
            "object": "fine_tuning.job.event", "id": f"ev-{polls}", "created_at": 0,
            "level": "info", "message": f"Step {polls}/4: training loss={1.0 / (polls + 1):.2f}",
        }]}

    def chat(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            self.chat_requests.append(body)
        if self.chat_responder is not None:
            return self.chat_responder(body)
        return 200, {
            "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "Paris."}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12},
        }, {}


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error", "param": None,
                      "code": code}}


def _handler(api: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(
            self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
        ) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length", 0)))

        def do_GET(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            path, query = parts.path, dict(parse_qsl(parts.query))
            if path == "/v1/fine_tuning/jobs":
                return self._send(200, api.list_jobs(query))
            if path.startswith("/v1/fine_tuning/jobs/") and path.endswith("/events"):
                return self._send(200, api.events(path.split("/")[4]))
            if path.startswith("/v1/fine_tuning/jobs/"):
                return self._send(*api.retrieve_job(path.split("/")[4]))
            if path.startswith("/v1/files/"):
                file = api.files.get(path.split("/")[3])
                return self._send(200, file) if file else self._send(404, _error("nf", "no"))
            self._send(404, _error("not_found", path))

        def do_POST(self) -> None:  # noqa: N802
            path, body = urlsplit(self.path).path, self._body()
            if path == "/v1/files":
                header = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
                message = BytesParser(policy=HTTP).parsebytes(header + body)
                parts = {p.get_param("name", header="content-disposition"): p
                         for p in message.iter_parts()}
                upload = parts["file"]
                return self._send(200, api.upload(upload.get_filename(),
                                                  upload.get_payload(decode=True)))
            if path == "/v1/fine_tuning/jobs":
                return self._send(*api.create_job(json.loads(body)))
            if path == "/v1/chat/completions":
                return self._send(*api.chat(json.loads(body)))
            self._send(404, _error("not_found", path))

    return Handler
