"""A real SMTP server on loopback for tuanle's tests (aiosmtpd from PyPI).

usage: smtp_sink.py PORT OUT_FILE [FAIL_ONCE_ADDRESS]
Writes one JSON line per accepted message to OUT_FILE ({to, subject, body}, headers decoded).
The first message to FAIL_ONCE_ADDRESS is refused with a temporary error (451), later ones
are accepted. Prints READY when listening."""
import json
import sys
import time
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

port, out_path = int(sys.argv[1]), sys.argv[2]
fail_once = sys.argv[3].lower() if len(sys.argv) > 3 else None
failed = set()


class Sink:
    async def handle_DATA(self, server, session, envelope):
        rcpts = [r.lower() for r in envelope.rcpt_tos]
        if fail_once and fail_once in rcpts and fail_once not in failed:
            failed.add(fail_once)
            return "451 4.3.0 Tam thoi khong nhan thu, thu lai sau"
        msg = message_from_bytes(envelope.content, policy=policy.default)
        body = msg.get_body(preferencelist=("plain",))
        with open(out_path, "a", encoding="utf-8") as f:
            f.write(json.dumps({
                "to": rcpts,
                "subject": str(msg["subject"]),
                "body": body.get_content() if body else "",
            }, ensure_ascii=False) + "\n")
        return "250 OK da nhan"


controller = Controller(Sink(), hostname="127.0.0.1", port=port)
controller.start()
print("READY", flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    controller.stop()
