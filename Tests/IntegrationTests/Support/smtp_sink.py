"""An SMTP server for the tests: stores each message as DIR/N.eml; prints 'ready PORT' once listening."""
import sys, os, itertools, time
from aiosmtpd.controller import Controller

port, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)
counter = itertools.count()

class Sink:
    async def handle_DATA(self, server, session, envelope):
        with open(os.path.join(out, f"{next(counter):06d}.eml"), "wb") as f:
            f.write(envelope.original_content or envelope.content)
        return "250 OK"

c = Controller(Sink(), hostname="127.0.0.1", port=port)
c.start()
print(f"ready {port}", flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    c.stop()
