"""A webhook receiver for the tests: answers each POST with STATUS and prints one JSON line per request."""
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

status = int(sys.argv[1])

class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        print(json.dumps({"key": self.headers.get("Idempotency-Key"), "type": self.headers.get("Content-Type"),
                          "body": json.loads(body)}, ensure_ascii=False), flush=True)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

server = HTTPServer(("127.0.0.1", 0), Handler)
print(f"ready {server.server_address[1]}", flush=True)
server.serve_forever()
