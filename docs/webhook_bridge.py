"""A bridge from kiemdiem-worker's webhook to an SMS gateway's HTTP API, in twenty lines.
Run: SECRET_FILE=/etc/kiemdiem/webhook.secret GATEWAY=https://sms.example.vn/send python3 webhook_bridge.py 8090
(port 0: any free port; it prints "ready PORT")
and start the worker with --webhook http://127.0.0.1:8090/ --webhook-secret-file /etc/kiemdiem/webhook.secret"""
import hashlib, hmac, json, os, sys, time, urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

SECRET = open(os.environ["SECRET_FILE"], "rb").read().strip()
GATEWAY, seen = os.environ["GATEWAY"], set()

class Bridge(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        sig = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
        fresh = abs(time.time() - int(self.headers.get("X-Kiemdiem-Timestamp", 0))) < 300
        if not (hmac.compare_digest(sig, self.headers.get("X-Kiemdiem-Signature", "")) and fresh):
            return self.send_error(401)  # altered, unsigned or replayed late: refused
        job, key = json.loads(body), self.headers["Idempotency-Key"]
        if key not in seen and job.get("recipientPhone"):  # a retry of a sent one is not sent again
            text = job["rendered"]["subject"] + "\n" + job["rendered"]["text"]
            urllib.request.urlopen(urllib.request.Request(GATEWAY, json.dumps({"to": job["recipientPhone"], "text": text[:1000]}).encode(), {"Content-Type": "application/json"}))
            seen.add(key)
        self.send_response(204); self.end_headers()

server = HTTPServer(("127.0.0.1", int(sys.argv[1])), Bridge)
print(f"ready {server.server_address[1]}", flush=True)
server.serve_forever()
