"""A webhook receiver for the tests: answers each POST with STATUS and prints one JSON line per
request. With a SECRET it checks X-Kiemdiem-Signature itself (Python's hmac, not the worker's
code): `signature_ok` for the body as received, `altered_ok` for the same body with a byte
added (a receiver must refuse that)."""
import hashlib, hmac, json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

status = int(sys.argv[1])
secret = sys.argv[2].encode() if len(sys.argv) > 2 else None


def verify(body, header):
    expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header or "")


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        line = {"key": self.headers.get("Idempotency-Key"), "type": self.headers.get("Content-Type"),
                "timestamp": self.headers.get("X-Kiemdiem-Timestamp"), "signature": self.headers.get("X-Kiemdiem-Signature"),
                "body": json.loads(body)}
        if secret:
            sig = self.headers.get("X-Kiemdiem-Signature")
            line["signature_ok"] = verify(body, sig)
            line["altered_ok"] = verify(body[:-1] + b" " + body[-1:], sig)  # one byte more: a changed body
        print(json.dumps(line, ensure_ascii=False), flush=True)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
print(f"ready {server.server_address[1]}", flush=True)
server.serve_forever()
