"""An SMTP server with STARTTLS and a login, for the tests (aiosmtpd): it makes a self-signed
certificate for 127.0.0.1 with the openssl command, offers STARTTLS and AUTH PLAIN/LOGIN (over
TLS only), accepts USER/PASSWORD and refuses anything else with 535, and prints one JSON line per
message: {"user", "tls", "to", "content"}. Prints 'ready PORT CERTFILE' once listening.
Usage: smtp_tls_server.py DIR USER PASSWORD [login-only]   (login-only: AUTH LOGIN, no PLAIN)"""
import json, os, socket, ssl, subprocess, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

out, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
login_only = len(sys.argv) > 4 and sys.argv[4] == "login-only"
os.makedirs(out, exist_ok=True)
cert, key = os.path.join(out, "cert.pem"), os.path.join(out, "key.pem")
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True)
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


class Sink:
    async def handle_DATA(self, server, session, envelope):
        who = getattr(session, "auth_data", None)
        print(json.dumps({"user": who.login.decode() if isinstance(who, LoginPassword) else None,
                          "tls": session.ssl is not None, "to": envelope.rcpt_tos,
                          "content": (envelope.original_content or envelope.content).decode("utf-8", "replace")}), flush=True)
        return "250 OK"


s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
c = Controller(Sink(), hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
               authenticator=authenticate, auth_require_tls=True, auth_required=True,
               auth_exclude_mechanism=["PLAIN"] if login_only else None)
c.start()
print(f"ready {port} {cert}", flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    c.stop()
