"""A real SMTP server for tldops' tests (aiosmtpd), started by tests/integration/support/smtp.rs.

Every accepted message is written to DIR/mail as NNNN.eml (the bytes received, dot-stuffing
undone) and NNNN.json (the envelope and how the session was secured), each file complete before
the client gets its 250. The listening port (chosen by the kernel) is written to DIR/port once the
server accepts connections.
"""

import argparse
import asyncio
import json
import logging
import os
import base64
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--mode", choices=["plain", "starttls", "implicit"], default="plain")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--user", help="require AUTH as this user")
    p.add_argument("--password")
    p.add_argument("--token", help="also offer AUTH XOAUTH2, accepting this token for --user")
    p.add_argument("--flaky", type=int, default=0, help="answer 451 to the first N DATA")
    p.add_argument("--reject", action="store_true", help="answer 550 to every RCPT")
    p.add_argument("--hold", type=float, default=0, help="keep the first DATA answer back this long")
    return p.parse_args()


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


class Handler:
    def __init__(self, args):
        self.mail_dir = os.path.join(args.dir, "mail")
        os.makedirs(self.mail_dir, exist_ok=True)
        self.flaky = args.flaky
        self.reject = args.reject
        self.hold = args.hold
        self.accepted = 0
        self.dir = args.dir
        if args.token:
            self.user, self.token = args.user, args.token
            # A handler method named auth_<MECHANISM> adds that mechanism to EHLO's AUTH.
            self.auth_XOAUTH2 = self.xoauth2

    async def xoauth2(self, server, args):
        """Google's XOAUTH2: `user=U^Aauth=Bearer T^A^A`, base64, as the initial response.
        Every token offered is appended to DIR/tokens; a wrong one gets 535."""
        # handled=False: aiosmtpd answers (235, or 535 for a refusal) itself.
        if len(args) < 2:
            return AuthResult(success=False, handled=False)
        try:
            fields = base64.b64decode(args[1]).decode().split("\x01")
        except Exception:
            return AuthResult(success=False, handled=False)
        values = dict(f.split("=", 1) for f in fields if "=" in f)
        token = values.get("auth", "").removeprefix("Bearer ")
        with open(os.path.join(self.dir, "tokens"), "a") as f:
            f.write(token + "\n")
        ok = values.get("user") == self.user and token == self.token
        return AuthResult(
            success=ok,
            handled=False,
            auth_data=LoginPassword(self.user.encode(), b"") if ok else None,
        )

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject:
            return "550 5.1.1 user unknown"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.flaky > 0:
            self.flaky -= 1
            return "451 4.3.0 try again later"
        self.accepted += 1
        base = os.path.join(self.mail_dir, "%04d" % self.accepted)
        # The transport of an implicit-TLS connection is the SSL one from the start; after
        # STARTTLS it is the upgraded one: either way it has an ssl_object.
        tls = server.transport.get_extra_info("ssl_object") is not None
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "mail_options": envelope.mail_options,
            "tls": tls,
            "login": session.auth_data.login.decode() if session.authenticated else None,
        }
        write_atomically(base + ".eml", envelope.original_content)
        write_atomically(base + ".json", json.dumps(meta).encode())
        # The message is taken; the client waits for the answer (a slow or stuck server).
        if self.accepted == 1:
            await asyncio.sleep(self.hold)
        return "250 2.0.0 queued as %04d" % self.accepted


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    return check


async def main():
    args = parse_args()
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(message)s"
    )
    tls = None
    if args.mode != "plain":
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.cert, args.key)

    handler = Handler(args)
    options = dict(hostname="localhost", ident="tldops test SMTP")
    if args.mode == "starttls":
        options.update(tls_context=tls, require_starttls=True)
    if args.user:
        options.update(
            authenticator=authenticator(args.user, args.password),
            auth_required=True,
            # aiosmtpd only counts STARTTLS as TLS: on an implicit-TLS port it would hide AUTH.
            auth_require_tls=args.mode != "implicit",
        )

    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, **options),
        host="127.0.0.1",
        port=0,
        ssl=tls if args.mode == "implicit" else None,
    )
    port = server.sockets[0].getsockname()[1]
    write_atomically(os.path.join(args.dir, "port"), str(port).encode())
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
