"""A webhook receiver written for the delivery test: counts every POST per Idempotency-Key and
prints one JSON line per attempt ({"key", "attempt", "status"}). The first attempt of one key in
ten (by a hash of the key) is answered 503, so those are delivered only by a retry; every other
attempt gets 204. Prints 'ready PORT' once listening."""
import hashlib, json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

attempts = {}
lock = threading.Lock()

class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        key = self.headers.get("Idempotency-Key") or ""
        fail_first = int(hashlib.sha256(key.encode()).hexdigest(), 16) % 10 == 0
        with lock:  # one whole line at a time: requests are handled on several threads
            attempts[key] = attempts.get(key, 0) + 1
            n = attempts[key]
            status = 503 if fail_first and n == 1 else 204
            sys.stdout.write(json.dumps({"key": key, "attempt": n, "status": status}) + "\n")
            sys.stdout.flush()
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"ready {server.server_address[1]}", flush=True)
server.serve_forever()
