#!/usr/bin/env python3
"""The tldops benchmark (DESIGN §7 "Quality bars"), run by `benches/run`.

Starts a private Dovecot on loopback, fills mailboxes of 1,000, 10,000 and 50,000 messages
directly as Maildir files, and measures, per size:

  1. the first `tldops poll` against a minimal imaplib client fetching the same headers;
  2. incremental polls (no new mail; 10 new messages): wall time and IMAP commands sent,
     counted by a small proxy between tldops and Dovecot;
  3. neomutt opening the same mailbox over IMAP without a header cache (a peer figure);
  4. the TUI: start to first frame, bytes written per cursor move, bytes of a full redraw;
  5. peak RSS of the first poll and of the TUI;
  6. mail-to-store latency: a message delivered while `tldops poll --watch` waits (in IMAP
     IDLE), until its row is in the database;
  7. the idle TUI's wake-ups per minute: the voluntary context switches of all its threads
     (each time a sleeping thread woke) over a minute between poll passes with no key pressed
     and no new mail; and those of one poll pass with nothing new (what the poll timer costs);
and the triage throughput on one core (`cargo bench --bench triage`).

Prints one Markdown table and writes it to benches/latest.md. Standard library only.
Everything it starts (Dovecot, tmux, tldops, neomutt, the proxy) is stopped at exit.

    python3 benches/bench.py [--quick] [--sizes 1000,10000] [--runs N] [--idle-seconds S] [--keep]
                             [--profile release|dev]
    python3 benches/bench.py ref PORT USER EXPECTED   (the reference client, used internally)
"""

import argparse
import atexit
import base64
import binascii
import datetime
import email.utils
import imaplib
import json
import os
import platform
import random
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "tldops"  # target/debug/tldops with --profile dev
PROFILE = "release"
ROSTER = ROOT / "assets" / "demo" / "roster.csv"
CORPUS = ROOT / "tests" / "corpus"
LATEST = ROOT / "benches" / "latest.md"

PASSWORD = "Bench-Horse-7"
PW_ENV = "TLDOPS_BENCH_IMAP_PASSWORD"
SECRETARIAT = "secretariat@ccnso.example.org"
REPLY_SHARE = 0.03  # replies to invitations among the messages of a mailbox
NEW_MESSAGES = 10  # delivered before the "10 new" incremental poll
# An idle TUI is measured between poll passes (the TUI runs with poll_interval 10 minutes, so
# none falls in the window): the poller waits in IDLE and Dovecot's keep-alive ("OK Still
# here", every 2 minutes) is the only thing that may wake it. What the poll timer's pass costs
# (once per poll_interval, 60 s by default) is measured apart, as one pass asked for with `p`.
IDLE_WAKEUPS = 1
IDLE_INTERVAL = "10m"
# Thread wake-ups of one poll pass with nothing new, all threads: the key and the status line
# (2–3), a pass's IMAP round trips (DONE, EXAMINE, IDLE) and its short-lived threads.
PASS_WAKEUPS = 12

T_START = time.monotonic()


class Failure(Exception):
    """A benchmark step failed: the message says which and why."""


def say(msg):
    print(f"[{time.monotonic() - T_START:7.1f}s] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Cleanup: everything started is registered here and stopped at exit, even on error or signal.

_cleanups = []
_running = set()  # children being waited for by run_measured


def _end_running():
    for pid in list(_running):
        end_pid(pid)
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass


def on_exit(fn):
    _cleanups.append(fn)
    return fn


def _run_cleanups():
    while _cleanups:
        fn = _cleanups.pop()
        try:
            fn()
        except Exception as e:  # keep cleaning up
            print(f"benches/run: cleanup: {e}", file=sys.stderr)


def _on_signal(signum, _frame):
    raise SystemExit(f"benches/run: interrupted by signal {signum}")


# ---------------------------------------------------------------------------------------------
# Processes


def wait_gone(pid, timeout):
    """Waits until process `pid` no longer exists (or is a zombie); True if it went."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            if state == "Z":
                return True
        except (FileNotFoundError, ProcessLookupError, IndexError):
            return True
        time.sleep(0.01)
    return False


def end_pid(pid):
    """Ends one process we started: SIGTERM, then SIGKILL."""
    for sig, grace in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 2.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        if wait_gone(pid, grace):
            return


def _comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except FileNotFoundError:
        return ""


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except FileNotFoundError:
        return []


def run_measured(argv, *, env=None, cwd=ROOT, timeout=900, what=None):
    """Runs argv to completion: wall time, peak RSS (KiB), CPU seconds, exit code, output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=cwd)
        _running.add(p.pid)
        timer = threading.Timer(timeout, lambda: end_pid(p.pid))
        timer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
            _running.discard(p.pid)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = {
            "wall": wall,
            "rss_kib": ru.ru_maxrss,
            "cpu": ru.ru_utime + ru.ru_stime,
            "user": ru.ru_utime,
            "sys": ru.ru_stime,
            "code": p.returncode,
            "stdout": out.read().decode("utf-8", "replace"),
            "stderr": err.read().decode("utf-8", "replace"),
        }
    if result["code"] != 0:
        raise Failure(
            f"{what or argv[0]} exited with {result['code']} after {wall:.1f} s\n"
            f"command: {shlex.join(map(str, argv))}\n"
            f"stdout:\n{result['stdout'][-3000:]}\nstderr:\n{result['stderr'][-3000:]}"
        )
    return result


def check(argv, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise Failure(f"`{shlex.join(map(str, argv))}` failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r.stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# Dovecot (mirrors tests/integration/support/dovecot.rs and dovecot_files.rs)


def dovecot_binary():
    for d in os.environ.get("PATH", "").split(":") + ["/usr/sbin"]:
        p = Path(d) / "dovecot"
        if d and p.is_file():
            return p
    raise Failure("dovecot is not installed (apt-get install dovecot-imapd; benches/run does this)")


def id_of(*args):
    return check(["id", *args]).strip()


class Accounts:
    """As root, Dovecot runs its login and mail processes as the package's dovenull and
    dovecot users (it refuses root), and the mail files must belong to dovecot. Otherwise,
    everything runs as the caller."""

    def __init__(self):
        self.root = os.getuid() == 0
        if self.root:
            self.internal_user, self.login_user = "dovecot", "dovenull"
            self.internal_group = id_of("-gn", "dovecot")
            self.uid, self.gid = int(id_of("-u", "dovecot")), int(id_of("-g", "dovecot"))
        else:
            me = id_of("-un")
            self.internal_user = self.login_user = me
            self.internal_group = id_of("-gn")
            self.uid, self.gid = os.getuid(), os.getgid()

    def give(self, path):
        if self.root:
            os.chown(path, self.uid, self.gid)


class Dovecot:
    def __init__(self, base, users):
        self.dir = base / "dc"
        self.acc = Accounts()
        self.instance = f"tldops-bench-{os.getpid()}"
        self.child = None
        self.port = 0
        self.homes = {}
        self.dir.mkdir(mode=0o755)
        os.chmod(base, 0o755)
        os.chmod(self.dir, 0o755)
        for sub in ("run", "state", "home"):
            (self.dir / sub).mkdir()
        self.acc.give(self.dir / "home")
        lines = []
        for user in users:
            home = self.dir / "home" / user
            for sub in ("", "Maildir", "Maildir/cur", "Maildir/new", "Maildir/tmp"):
                (home / sub).mkdir(exist_ok=True)
                self.acc.give(home / sub)
            self.homes[user] = home
            lines.append(f"{user}:{{PLAIN}}{PASSWORD}:{self.acc.uid}:{self.acc.gid}::{home}::\n")
        (self.dir / "passwd").write_text("".join(lines))

    def maildir(self, user):
        return self.homes[user] / "Maildir"

    def write_config(self):
        d, a = self.dir, self.acc
        chroot = "" if a.root else "  chroot =\n"
        (d / "dovecot.conf").write_text(
            f"""# Written by benches/bench.py for one benchmark run.
protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
instance_name = {self.instance}
log_path = {d}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = {a.uid}
default_internal_user = {a.internal_user}
default_internal_group = {a.internal_group}
default_login_user = {a.login_user}
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {d}/passwd
}}
userdb {{
  driver = passwd-file
  args = {d}/passwd
}}
service imap-login {{
{chroot}  inet_listener imap {{
    port = {self.port}
  }}
}}
service anvil {{
{chroot}}}
"""
        )

    def log(self):
        text = ""
        for f in ("stderr.log", "dovecot.log"):
            try:
                text += (self.dir / f).read_text(errors="replace")
            except FileNotFoundError:
                pass
        return text

    def start(self):
        binary = dovecot_binary()
        for attempt in range(3):
            self.port = free_port()
            self.write_config()
            self.child = subprocess.Popen(
                [binary, "-F", "-c", self.dir / "dovecot.conf"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=open(self.dir / "stderr.log", "wb"),
            )
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                if self.child.poll() is not None:
                    break
                if self.can_log_in():
                    return
                time.sleep(0.01)
            log = self.log()
            self.stop()
            if "Address already in use" in log and attempt < 2:
                continue
            raise Failure(f"Dovecot did not start (port {self.port}):\n{log[-4000:]}")

    def served_cpu(self):
        """CPU seconds of the Dovecot processes that have ended (each connection's imap and
        imap-login process: the master reaps them), once those serving a client just gone have
        ended too."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            busy = [c for c in children(self.child.pid) if _comm(c) in ("imap", "imap-login")]
            if not busy:
                break
            time.sleep(0.01)
        with open(f"/proc/{self.child.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # cutime and cstime, fields 16 and 17 of proc(5), counted from the state (field 3).
        return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")

    def can_log_in(self):
        user = next(iter(self.homes))
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
                f = s.makefile("rb")
                f.readline()
                s.sendall(f"a LOGIN {user} {PASSWORD}\r\nb LOGOUT\r\n".encode())
                while True:
                    line = f.readline()
                    if not line:
                        return False
                    if line.startswith(b"a "):
                        return line.startswith(b"a OK")
        except OSError:
            return False

    def stop(self):
        """Kills the master and every process of this instance (as the tests do: logged-in
        imap processes outlive a SIGTERMed master)."""
        if self.child is not None:
            self.child.kill()
            self.child.wait()
            self.child = None
        prefix = f"dovecot-{self.instance}/".encode()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            pids = []
            for e in os.listdir("/proc"):
                if e.isdigit():
                    try:
                        with open(f"/proc/{e}/cmdline", "rb") as f:
                            if f.read().startswith(prefix):
                                pids.append(int(e))
                    except OSError:
                        pass
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.01)


# ---------------------------------------------------------------------------------------------
# Mail: realistic unrelated mail (newsletters, notifications, list traffic) and real replies
# from the triage corpus with a fresh Message-ID.

WORDS = """the of and to in a is that for on with as by at from this be are or it an was
which have has not will can we our all their more new one also been but they about its
registry domain name server zone security stability incident report update release
operators community meeting policy workshop network resolver DNSSEC key rollover signing
validation anycast root abuse phishing malware botnet takedown registrar transfer renewal
deadline agenda minutes presentation webinar survey results members board election
budget membership statistics quarterly monthly weekly newsletter announcement reminder
please find attached below link details information contact support team service
maintenance window scheduled outage restored degraded latency monitoring alert threshold
certificate expiry renewal TLS configuration firewall upgrade patch vulnerability
advisory critical moderate low affected versions fixed mitigation workaround CVE
participants registration open closes venue hotel travel visa remote hybrid session
chair speaker panel discussion questions feedback slides recording available archive""".split()

SENDERS = [
    ("CENTR Newsletter", "newsletter@centr.example", "newsletter"),
    ("RIPE NCC", "news@ripe.example", "newsletter"),
    ("ICANN Announcements", "announcements@icann.example", "newsletter"),
    ("APTLD Secretariat", "secretariat@aptld.example", "newsletter"),
    ("LACTLD", "comunicaciones@lactld.example", "newsletter"),
    ("DNS-OARC", "info@dns-oarc.example", "newsletter"),
    ("Cloud Provider Billing", "billing@cloud-provider.example", "newsletter"),
    ("Conference Team", "events@conference-hub.example", "newsletter"),
    ("GitHub", "notifications@github.example", "notify"),
    ("Zabbix", "zabbix@monitoring.ccnso.example.org", "notify"),
    ("RT Tickets", "rt@tickets.ccnso.example.org", "notify"),
    ("Jira", "jira@issues.example", "notify"),
    ("Calendar", "calendar-notification@calendar.example", "notify"),
    ("Let's Encrypt Expiry Bot", "expiry@letsencrypt.example", "notify"),
    ("Nagios", "nagios@noc.ccnso.example.org", "notify"),
    ("dns-operations", "dns-operations-bounces@lists.dns-oarc.example", "list"),
    ("ccnso-members", "ccnso-members-bounces@lists.icann.example", "list"),
    ("tld-tech", "tld-tech-bounces@lists.centr.example", "list"),
    ("dnsop", "dnsop-bounces@ietf.example", "list"),
]
# Notification senders that mark their mail `Auto-Submitted: auto-generated` (the others,
# like GitHub's, do not).
AUTO_SUBMITTED = {"Jira", "Calendar", "Let's Encrypt Expiry Bot"}
PEOPLE = ["Anna Kowalska", "João Silva", "Mei Chen", "Ahmed Hassan", "Sofia Rossi",
          "Lars Nilsson", "Priya Sharma", "Kwame Mensah", "Élodie Martin", "Yuki Tanaka",
          "Carlos Pérez", "Olga Ivanova", "Tom Baker", "Fatima Zahra", "Jürgen Weiß"]
LIST_SUBJECTS = ["DNSSEC algorithm rollover experiences", "Resolver behaviour with EDNS buffer size",
                 "Anycast node in the region", "Registry lock adoption",
                 "Question about NSEC3 parameters", "Zone file access for researchers",
                 "RDAP conformance testing", "Glue records and delegation checks"]
NL_SUBJECTS = ["Newsletter {month}: {topic}", "{topic} — registration now open",
               "Your invoice for {month}", "Reminder: {topic} webinar tomorrow",
               "Call for presentations: {topic}", "{topic}: results of the survey",
               "Jahresbericht {year}: {topic}", "Résumé de la réunion : {topic}"]
NOTIFY_SUBJECTS = ["[PROBLEM] ns{n}.example: DNS response time above {n}0 ms",
                   "[RECOVERY] ns{n}.example: DNS response time OK",
                   "[RT #{t}] Request from registrar about transfer",
                   "Re: [ccnso/website] Fix broken link on members page (#{t})",
                   "[JIRA] (OPS-{t}) Renew certificate for portal",
                   "Invitation: TLD-OPS steering call @ Tue {n}:00 (UTC)",
                   "Certificate for portal.example expires in {n} days",
                   "** PROBLEM Service Alert: mx{n}/SMTP is CRITICAL **"]
TOPICS = ["DNS Abuse Forum", "ccTLD Security Workshop", "Registry Operations Survey",
          "DNSSEC Deployment Report", "ICANN{n} Public Meeting", "Tech Day", "Legal & Regulatory",
          "Marketing Workshop", "Key Signing Ceremony", "Universal Acceptance"]


def b64_header(text):
    return "=?UTF-8?B?" + base64.b64encode(text.encode()).decode() + "?="


def hdr_text(text):
    return text if text.isascii() else b64_header(text)


class MailGen:
    def __init__(self, seed):
        rng = random.Random(seed)
        self.rng = rng
        self.paras = []
        for _ in range(400):
            words = [rng.choice(WORDS) for _ in range(rng.randint(25, 110))]
            text = " ".join(words).capitalize() + "."
            self.paras.append(textwrap.fill(text, 72))
        self.noise = base64.b64encode(rng.randbytes(1 << 16)).decode()
        self.replies = []
        for p in sorted(CORPUS.glob("reply-*.eml")):
            self.replies.append(p.read_bytes())
        if not self.replies:
            raise Failure(f"no reply-*.eml in {CORPUS}")
        self.relay_ips = [f"192.0.2.{i}" for i in range(1, 255)] + [f"198.51.100.{i}" for i in range(1, 255)]

    def token(self, n):
        i = self.rng.randrange(0, len(self.noise) - n)
        return self.noise[i:i + n]

    def text_body(self, target):
        out, size = [], 0
        while size < target:
            p = self.rng.choice(self.paras)
            out.append(p)
            size += len(p) + 2
        return "\n\n".join(out) + "\n"

    def html_body(self, target):
        rng = self.rng
        out = ['<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" '
               'content="width=device-width, initial-scale=1"><title>Newsletter</title>'
               '<style>body{margin:0;padding:0}td{font-family:Arial,Helvetica,sans-serif}'
               '.btn{background:#00508c;color:#ffffff;padding:10px 18px;text-decoration:none}'
               '</style></head><body><table role="presentation" width="100%" cellpadding="0" '
               'cellspacing="0" border="0" style="background:#f4f4f4">']
        size = len(out[0])
        while size < target:
            p = rng.choice(self.paras).replace("\n", " ")
            link = f"https://click.mail.example/ls/click?upn={self.token(120)}"
            block = (f'<tr><td style="padding:12px 24px;font-size:14px;line-height:21px;'
                     f'color:#333333"><h2 style="font-size:18px;margin:0 0 8px 0">'
                     f'{" ".join(p.split()[:6]).title()}</h2><p style="margin:0 0 12px 0">{p}</p>'
                     f'<a class="btn" href="{link}">Read more</a></td></tr>')
            out.append(block)
            size += len(block)
        out.append(f'<tr><td style="font-size:11px;color:#999999;padding:24px">You receive this '
                   f'because you subscribed. <a href="https://mail.example/unsubscribe?u='
                   f'{self.token(40)}">Unsubscribe</a></td></tr></table>'
                   f'<img src="https://open.mail.example/o/{self.token(60)}" width="1" height="1">'
                   f'</body></html>')
        return binascii.b2a_qp("".join(out).encode()).decode("ascii")

    def received(self, when):
        rng = self.rng
        out = []
        hops = rng.randint(2, 5)
        for h in range(hops):
            ip = rng.choice(self.relay_ips)
            host = f"mail{rng.randint(1, 40)}.relay{h}.example"
            stamp = email.utils.formatdate(when - (hops - h) * rng.randint(1, 4), usegmt=True)
            if h == 0:
                out.append(f"Received: from {host} ({host} [{ip}])\n"
                           f"\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n"
                           f"\t key-exchange X25519 server-signature RSA-PSS (2048 bits))\n"
                           f"\t(No client certificate requested)\n"
                           f"\tby mx.ccnso.example.org (Postfix) with ESMTPS id {self.token(12)}\n"
                           f"\tfor <{SECRETARIAT}>; {stamp}\n")
            else:
                out.append(f"Received: from {host} (localhost [127.0.0.1])\n"
                           f"\tby {host} (Postfix) with ESMTP id {self.token(10)};\n\t{stamp}\n")
        return "".join(out)

    def dkim(self, domain):
        b = self.token(344)
        folded = "\n\t ".join(textwrap.wrap(b, 70))
        bh = self.token(44)
        return (f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain};\n"
                f"\ts=s{self.rng.randint(1, 3)}; t={self.rng.randint(1700000000, 1790000000)}; "
                f"bh={bh};\n\th=From:To:Subject:Date:Message-ID:MIME-Version:Content-Type:"
                f"List-Unsubscribe;\n\tb={folded}\n")

    def unrelated(self, i, when):
        """One unrelated message of 2–30 KB; returns bytes."""
        rng = self.rng
        name, addr, kind = rng.choice(SENDERS)
        domain = addr.split("@")[1]
        month = datetime.datetime.fromtimestamp(when, datetime.timezone.utc).strftime("%B %Y")
        n, t = rng.randint(1, 9), rng.randint(1000, 99999)
        topic = rng.choice(TOPICS).format(n=rng.randint(70, 90))
        h = [f"Return-Path: <bounce-{self.token(16)}@{domain}>\n",
             f"Delivered-To: {SECRETARIAT}\n", self.received(when),
             f"Authentication-Results: mx.ccnso.example.org;\n\tdkim=pass header.d={domain} "
             f"header.s=s1 header.b={self.token(8)};\n\tspf=pass smtp.mailfrom={domain};\n"
             f"\tdmarc=pass (policy=none) header.from={domain}\n"]
        if rng.random() < 0.8:
            h.append(self.dkim(domain))
        boundary = f"----=_Part_{rng.getrandbits(48):x}"
        if kind == "newsletter":
            subject = rng.choice(NL_SUBJECTS).format(month=month, topic=topic, year=2025)
            target = rng.randint(9000, 29000)
            h += [f"List-Unsubscribe: <https://mail.example/unsub/{self.token(48)}>,\n"
                  f"\t<mailto:unsubscribe-{self.token(20)}@{domain}>\n",
                  "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n",
                  f"Feedback-ID: {rng.randint(1, 999)}:{rng.randint(1, 99999)}:campaign:esp\n",
                  "Precedence: bulk\n", f"X-Campaign-ID: {self.token(24)}\n"]
            text = self.text_body(min(target // 4, 6000))
            html = self.html_body(target - len(text))
            body = (f"This is a multi-part message in MIME format.\n\n--{boundary}\n"
                    f"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 7bit\n\n"
                    f"{text}\n--{boundary}\nContent-Type: text/html; charset=utf-8\n"
                    f"Content-Transfer-Encoding: quoted-printable\n\n{html}\n--{boundary}--\n")
            ctype = f'multipart/alternative;\n\tboundary="{boundary}"'
        elif kind == "notify":
            subject = rng.choice(NOTIFY_SUBJECTS).format(n=n, t=t)
            target = rng.randint(1500, 6000)
            h.append(f"X-Mailer: {name} {n}.{t % 10}\n")
            if name in AUTO_SUBMITTED:  # RFC 3834: what these systems really send
                h.append("Auto-Submitted: auto-generated\n")
            if "github" in domain:
                h += [f"List-ID: ccnso/website <website.ccnso.github.example>\n",
                      "X-GitHub-Reason: subscribed\n", f"X-GitHub-Sender: user{t}\n"]
            text = (f"{subject}\n\nHost: ns{n}.example\nSeverity: {rng.choice(['High', 'Average', 'Info'])}\n"
                    f"Time: {email.utils.formatdate(when, usegmt=True)}\n\n") + self.text_body(target)
            if rng.random() < 0.3:
                html = self.html_body(target)
                body = (f"--{boundary}\nContent-Type: text/plain; charset=utf-8\n\n{text}\n"
                        f"--{boundary}\nContent-Type: text/html; charset=utf-8\n"
                        f"Content-Transfer-Encoding: quoted-printable\n\n{html}\n--{boundary}--\n")
                ctype = f'multipart/alternative; boundary="{boundary}"'
            else:
                body, ctype = text, "text/plain; charset=utf-8"
        else:  # mailing list traffic
            subject = f"[{name}] " + ("Re: " if rng.random() < 0.6 else "") + rng.choice(LIST_SUBJECTS)
            who = rng.choice(PEOPLE)
            name = who
            addr = f"{who.split()[0].lower().encode('ascii', 'ignore').decode()}@registry{n}.example"
            target = rng.randint(2500, 12000)
            lid = domain.replace("lists.", "")
            h += [f"List-Id: {name.split()[0]} discussion <{lid}>\n",
                  f"List-Archive: <https://{domain}/pipermail/>\n",
                  f"List-Post: <mailto:list@{domain}>\nPrecedence: list\n",
                  f"Sender: \"list\" <list-bounces@{domain}>\n",
                  f"In-Reply-To: <{self.token(20)}@registry{n}.example>\n"]
            quoted = "\n".join("> " + line for line in self.text_body(target // 3).splitlines())
            body = (self.text_body(target // 2) + f"\nOn {email.utils.formatdate(when - 86400)}, "
                    f"someone wrote:\n{quoted}\n\n_______________________________________________\n"
                    f"list mailing list\nlist@{domain}\nhttps://{domain}/mailman/listinfo\n")
            ctype = "text/plain; charset=utf-8; format=flowed"
        h += [f"From: {hdr_text(name)} <{addr}>\n", f"To: {SECRETARIAT}\n",
              f"Subject: {hdr_text(subject)}\n",
              f"Date: {email.utils.formatdate(when, usegmt=True)}\n",
              f"Message-ID: <{rng.getrandbits(64):016x}.{i}@{domain}>\n",
              "MIME-Version: 1.0\n", f"Content-Type: {ctype}\n"]
        return ("".join(h) + "\n" + body).encode("utf-8")

    def reply(self, i, when):
        """A real reply from the corpus with a new, unique Message-ID."""
        raw = self.rng.choice(self.replies)
        crlf = b"\r\n" in raw[:2000]
        sep = b"\r\n\r\n" if crlf else b"\n\n"
        cut = raw.find(sep)
        head, body = (raw[:cut], raw[cut:]) if cut >= 0 else (raw, b"")
        eol = b"\r\n" if crlf else b"\n"
        new_id = f"Message-ID: <bench.{i}.{self.rng.getrandbits(48):x}@reply.example>".encode()
        pat = re.compile(rb"(?im)^message-id:[^\n]*(?:\n[ \t][^\n]*)*")
        if pat.search(head):
            head = pat.sub(lambda _: new_id + (b"\r" if crlf else b""), head, count=1)
        else:
            head = new_id + eol + head
        return head + body


def fill_maildir(maildir, count, gen, acc, first_index=0, into="cur"):
    """Writes `count` messages as files; returns (bytes written, replies)."""
    rng = gen.rng
    total, replies = 0, 0
    t0 = 1767225600  # 2026-01-01
    pid = os.getpid()
    for k in range(count):
        i = first_index + k
        when = t0 + i * 97
        if rng.random() < REPLY_SHARE:
            raw = gen.reply(i, when)
            replies += 1
        else:
            raw = gen.unrelated(i, when)
        seen = "S" if rng.random() < 0.9 else ""
        name = f"{when}.M{i:06d}P{pid}.bench"
        if into == "cur":
            path = maildir / "cur" / f"{name}:2,{seen}"
            with open(path, "wb") as f:
                f.write(raw)
            acc.give(path)
        else:  # as a delivery agent: tmp/, then rename into new/
            tmp = maildir / "tmp" / name
            with open(tmp, "wb") as f:
                f.write(raw)
            acc.give(tmp)
            os.rename(tmp, maildir / "new" / name)
        total += len(raw)
    return total, replies


def deliver_new(maildir, gen, acc, first_index, count=NEW_MESSAGES):
    """`count` new messages, the first a reply, as a delivery agent puts them."""
    rng = gen.rng
    pid = os.getpid()
    for k in range(count):
        i = first_index + k
        when = int(time.time()) + k
        raw = gen.reply(i, when) if k == 0 else gen.unrelated(i, when)
        name = f"{when}.M{i:06d}P{pid}.bench-new"
        tmp = maildir / "tmp" / name
        with open(tmp, "wb") as f:
            f.write(raw)
        acc.give(tmp)
        os.rename(tmp, maildir / "new" / name)


# ---------------------------------------------------------------------------------------------
# The reference client: what a minimal IMAP client needs to fetch the same headers.


def reference_client(port, user, expected):
    m = imaplib.IMAP4("127.0.0.1", int(port))
    m.login(user, PASSWORD)
    typ, _ = m.select("INBOX", readonly=True)  # EXAMINE
    if typ != "OK":
        raise SystemExit(f"EXAMINE failed: {typ}")
    typ, data = m.uid("FETCH", "1:*", "(UID RFC822.SIZE BODY.PEEK[HEADER])")
    if typ != "OK":
        raise SystemExit(f"UID FETCH failed: {typ}")
    n = sum(1 for d in data if isinstance(d, tuple))
    size = sum(len(d[1]) for d in data if isinstance(d, tuple))
    m.logout()
    print(json.dumps({"messages": n, "header_bytes": size}))
    if n != int(expected):
        raise SystemExit(f"reference client fetched {n} headers, expected {expected}")


# ---------------------------------------------------------------------------------------------
# A counting proxy between tldops and Dovecot: counts the commands a client sends.

TAGGED = re.compile(rb"^([^\s(){%*\"\\\]]+) ([A-Za-z]+)(?: ([A-Za-z]+))?")
LITERAL = re.compile(rb"\{(\d+)\+?\}\r?\n$")


class CountingProxy:
    def __init__(self, upstream_port):
        self.upstream = upstream_port
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.sessions = []  # (commands, send times, done event)
        self.lock = threading.Lock()
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()
        on_exit(self.close)

    def close(self):
        self.closed = True
        try:
            self.sock.close()
        except OSError:
            pass

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        commands, stamps, done = [], [], threading.Event()
        with self.lock:
            self.sessions.append((commands, stamps, done))
        try:
            up = socket.create_connection(("127.0.0.1", self.upstream))
        except OSError:
            client.close()
            done.set()
            return
        for s in (client, up):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def down():
            try:
                while True:
                    b = up.recv(1 << 20)
                    if not b:
                        break
                    client.sendall(b)
            except OSError:
                pass
            finally:
                try:
                    client.shutdown(socket.SHUT_WR)
                except OSError:
                    pass

        t = threading.Thread(target=down, daemon=True)
        t.start()
        buf, literal, in_command = b"", 0, False
        try:
            while True:
                b = client.recv(1 << 16)
                if not b:
                    break
                up.sendall(b)
                buf += b
                while buf:
                    if literal:
                        take = min(literal, len(buf))
                        buf, literal = buf[take:], literal - take
                        continue
                    nl = buf.find(b"\n")
                    if nl < 0:
                        break
                    line, buf = buf[:nl + 1], buf[nl + 1:]
                    if not in_command:
                        m = TAGGED.match(line)
                        if m and line.strip().upper() != b"DONE":
                            name = m.group(2).upper().decode()
                            if name == "UID" and m.group(3):
                                name += " " + m.group(3).upper().decode()
                            commands.append(name)
                            stamps.append(time.perf_counter())
                    lit = LITERAL.search(line)
                    if lit:
                        literal, in_command = int(lit.group(1)), True
                    else:
                        in_command = False
        except OSError:
            pass
        finally:
            try:
                up.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            t.join(10)
            client.close()
            up.close()
            done.set()

    def mark(self):
        with self.lock:
            return len(self.sessions)

    def timeline_since(self, mark):
        """[(perf_counter when sent, command)] of the sessions opened since `mark`."""
        with self.lock:
            sessions = self.sessions[mark:]
        out = []
        for commands, stamps, done in sessions:
            if not done.wait(5):
                raise Failure("an IMAP session through the counting proxy did not end")
            out += list(zip(stamps, commands))
        return out

    def commands_since(self, mark):
        return [c for _, c in self.timeline_since(mark)]

    def live_commands(self, mark):
        """The commands of the sessions opened since `mark`, ended or not (no waiting)."""
        with self.lock:
            return [c for commands, _, _ in self.sessions[mark:] for c in list(commands)]


# ---------------------------------------------------------------------------------------------
# tldops


def tldops_env():
    env = dict(os.environ)
    env[PW_ENV] = PASSWORD
    env.pop("TLDOPS_CONFIG", None)
    env.pop("TLDOPS_DATA_DIR", None)
    env.pop("NO_COLOR", None)
    return env


def write_config(path, user, port, poll_interval=None):
    interval = f'poll_interval = "{poll_interval}"\n' if poll_interval else ""
    path.write_text(f"""# benches/bench.py
[list]
name = "TLD-OPS"
address = "tld-ops@lists.example.org"
secretariat = "{SECRETARIAT}"

[trust]
authserv_id = "mx.ccnso.example.org"

[imap]
host = "127.0.0.1"
port = {port}
tls = "none"
username = "{user}"
password_env = "{PW_ENV}"
{interval}""")


def new_data_dir(path, config):
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    run_measured([BIN, "--config", config, "--data-dir", path, "roster", "import", ROSTER],
                 env=tldops_env(), what="tldops roster import")


POLL_LINE = re.compile(r": (\d+) new, (\d+) stored")


def tldops_poll(data_dir, config, expected_new):
    r = run_measured([BIN, "--config", config, "--data-dir", data_dir, "poll"],
                     env=tldops_env(), what="tldops poll")
    m = POLL_LINE.search(r["stdout"])
    if expected_new == 0 and m is None and "0 new" not in r["stdout"]:
        # A pass with nothing new may word it differently; accept any success without "N new".
        pass
    elif m is None or int(m.group(1)) != expected_new:
        raise Failure(f"tldops poll: expected {expected_new} new messages, got:\n{r['stdout']}{r['stderr']}")
    return r


# ---------------------------------------------------------------------------------------------
# tmux


class Tmux:
    def __init__(self, base):
        self.name = f"tldops-bench-{os.getpid()}"
        self.env = dict(os.environ, SHELL="/bin/sh", LANG="C.UTF-8")
        self.env.pop("TMUX", None)
        self.pids = []
        check(self.cmd("new-session", "-d", "-s", "keep", "-x", "80", "-y", "24", "sleep 86400"),
              env=self.env)
        on_exit(self.close)

    def cmd(self, *args):
        return ["tmux", "-u", "-L", self.name, "-f", "/dev/null", *args]

    def __call__(self, *args):
        return check(self.cmd(*args), env=self.env)

    def capture(self, session):
        r = subprocess.run(self.cmd("capture-pane", "-p", "-t", session), capture_output=True,
                           text=True, env=self.env)
        return r.stdout if r.returncode == 0 else ""

    def pane_pid(self, session):
        return int(self("display-message", "-p", "-t", session, "#{pane_pid}").strip())

    def close(self):
        for pid in self.pids:
            end_pid(pid)
        subprocess.run(self.cmd("kill-server"), capture_output=True, env=self.env)


def wait_screen(tmux, session, needle, timeout, t0):
    """Polls the pane until `needle` shows; returns seconds since t0."""
    deadline = t0 + timeout
    screen = ""
    while time.perf_counter() < deadline:
        screen = tmux.capture(session)
        if needle in screen:
            return time.perf_counter() - t0
        time.sleep(0.004)
    raise Failure(f"`{needle}` did not show within {timeout} s in tmux session {session}; "
                  f"the screen:\n{screen}")


def size_of(path):
    try:
        return os.path.getsize(path)
    except FileNotFoundError:
        return 0


def settle(path, quiet=0.3, timeout=10.0):
    """Waits until `path` has not grown for `quiet` seconds; returns its size."""
    last, since = size_of(path), time.monotonic()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.02)
        now = size_of(path)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return now
    raise Failure(f"the terminal output in {path} did not settle within {timeout} s")


FRAME_END = b"\x1b[?2026l"  # the end of a synchronized update: each frame ends with it


def key_frame(tmux, session, log, key, settle_quiet=0.25):
    """Sends one key; returns (bytes written to the terminal in answer, seconds from sending
    the key until the frame it caused was complete). The time includes starting a tmux
    client for send-keys (a few ms)."""
    before = settle(log, quiet=settle_quiet)
    t0 = time.perf_counter()
    tmux("send-keys", "-t", session, key)
    done = None
    deadline = t0 + 5
    while time.perf_counter() < deadline:
        if size_of(log) > before:
            with open(log, "rb") as f:
                f.seek(before)
                if FRAME_END in f.read():
                    done = time.perf_counter() - t0
                    break
        time.sleep(0.002)
    return settle(log, quiet=settle_quiet) - before, done


def neomutt_open(tmux, work, user, port, expected, label):
    home = work / "nmhome"
    home.mkdir(exist_ok=True)
    rc = home / "muttrc"
    rc.write_text(f"""set imap_user = "{user}"
set imap_pass = "{PASSWORD}"
set imap_authenticators = "login"
set folder = "imap://{user}@127.0.0.1:{port}/"
set spoolfile = "+INBOX"
set header_cache = ""
set message_cachedir = ""
set ssl_starttls = no
set ssl_force_tls = no
set imap_check_subscribed = no
set mail_check = 3600
set timeout = 3600
set sleep_time = 0
set wait_key = no
set quit = yes
set read_only = yes
set mark_old = no
set move = no
set beep = no
set status_format = "-- BENCH %m messages --"
""")
    session = f"nm{label}"
    cmd = f"HOME={shlex.quote(str(home))} exec neomutt -n -F {shlex.quote(str(rc))}"
    t0 = time.perf_counter()
    tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", cmd)
    pid = tmux.pane_pid(session)
    tmux.pids.append(pid)
    try:
        secs = wait_screen(tmux, session, f"BENCH {expected} messages", 120, t0)
    finally:
        subprocess.run(tmux.cmd("send-keys", "-t", session, "q"), capture_output=True, env=tmux.env)
        if not wait_gone(pid, 5):
            end_pid(pid)
        tmux.pids.remove(pid)
        subprocess.run(tmux.cmd("kill-session", "-t", session), capture_output=True, env=tmux.env)
    return secs


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise Failure(f"no VmHWM for pid {pid}")


def wakeups(pid):
    """How many times the threads of `pid` went to sleep so far (voluntary context switches):
    each is one wake-up, counted when the thread blocks again."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/status") as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches:"):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass  # a thread that ended meanwhile
    return total


# The floor of a key-to-frame measurement: a raw-mode program that answers each key with a
# frame of the size of a cursor move, under the same tmux and `script` — what the terminal
# pipeline costs before tldops does anything.
FLOOR_PROGRAM = r"""
import os, sys, termios, tty
fd = sys.stdin.fileno()
saved = termios.tcgetattr(fd)
tty.setraw(fd)
frame = b"\x1b[?2026h\x1b[5;1H" + b"x" * 240 + b"\x1b[?2026l"
os.write(1, frame)
try:
    while True:
        key = os.read(fd, 16)
        if not key or key == b"q":
            break
        os.write(1, frame)
finally:
    termios.tcsetattr(fd, termios.TCSADRAIN, saved)
"""


def floor_frames(tmux, work, label, count=10):
    """Key-to-frame latencies of the floor program, measured as the TUI's are."""
    prog = work / "floor.py"
    prog.write_text(FLOOR_PROGRAM)
    log = work / f"floor-{label}.log"
    if log.exists():
        log.unlink()
    inner = shlex.join([sys.executable, str(prog)])
    cmd = f"exec script -q -f --log-out {shlex.quote(str(log))} -c {shlex.quote('exec ' + inner)}"
    session = f"floor{label}"
    tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", cmd)
    tmux.pids.append(tmux.pane_pid(session))
    try:
        settle(log, quiet=0.5, timeout=10)
        return [key_frame(tmux, session, log, "j")[1] for _ in range(count)]
    finally:
        tmux("send-keys", "-t", session, "q")


def tui_run(tmux, work, data_dir, config, label, moves, idle_seconds=0):
    """Starts the TUI at 80x24 under `script`; returns first-frame seconds and, when `moves`,
    bytes and time per cursor move in the queue and the roster, the bytes of a full frame,
    VmHWM, the wake-ups per minute while idle for `idle_seconds`, and what C-l (redraw)
    does."""
    log = work / f"tui-{label}.log"
    if log.exists():
        log.unlink()
    inner = shlex.join(["env", f"{PW_ENV}={PASSWORD}", str(BIN), "--data-dir", str(data_dir),
                        "--config", str(config)])
    cmd = f"exec script -q -f --log-out {shlex.quote(str(log))} -c {shlex.quote('exec ' + inner)}"
    session = f"tui{label}"
    t0 = time.perf_counter()
    tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", cmd)
    script_pid = tmux.pane_pid(session)
    tmux.pids.append(script_pid)
    out = {}
    tui_pid = None
    try:
        out["first_frame"] = wait_screen(tmux, session, "1 Queue (", 30, t0)
        deadline = time.monotonic() + 5
        while tui_pid is None and time.monotonic() < deadline:
            kids = children(script_pid)
            tui_pid = kids[0] if kids else None
            time.sleep(0.01)
        if tui_pid is None:
            raise Failure("the TUI process did not show up under `script`")
        tmux.pids.append(tui_pid)
        if moves:
            # The TUI polls the mailbox at start: let that show before measuring.
            settle(log, quiet=1.0, timeout=30)
            screen = tmux.capture(session)
            out["queue_screen"] = screen
            m = re.search(r"1 Queue \((\d+)\)", screen)
            out["queue_len"] = int(m.group(1)) if m else None
            with open(log, "rb") as f:
                head = f.read()
            end = head.find(FRAME_END)
            out["full_frame"] = end + len(FRAME_END) if end >= 0 else None
            for view, switch, key, count in (("queue", None, "j", moves), ("roster", "2", "j", moves)):
                if switch:
                    key_frame(tmux, session, log, switch)
                got = [key_frame(tmux, session, log, key) for _ in range(count)]
                out[view] = [b for b, _ in got]
                out[view + "_latency"] = [t for _, t in got]
            out["hwm_kib"] = vm_hwm_kib(tui_pid)
            if idle_seconds:
                # Nothing pressed, no new mail: the poller waits in IDLE, the rest for events.
                time.sleep(1.0)
                before = wakeups(tui_pid)
                time.sleep(idle_seconds)
                out["idle_wakeups"] = (wakeups(tui_pid) - before) * 60 / idle_seconds
                # One pass with nothing new, as the poll timer runs it (`p` asks for it now).
                before = wakeups(tui_pid)
                tmux("send-keys", "-t", session, "p")
                time.sleep(2.0)
                out["pass_wakeups"] = wakeups(tui_pid) - before
            # C-l last: it may end the TUI (reported, not a failure of the benchmark).
            out["redraw"], out["redraw_latency"], out["redraw_died"] = [], [], None
            for _ in range(3):
                b, t = key_frame(tmux, session, log, "C-l")
                out["redraw"].append(b)
                out["redraw_latency"].append(t)
                if wait_gone(tui_pid, 0.2):
                    with open(log, "rb") as f:
                        tail = f.read()[-400:].decode("utf-8", "replace")
                    m = re.search(r"error: [^\r\n]*", tail)
                    said = m.group(0) if m else repr(tail)
                    out["redraw_died"] = f"no frame after C-l; the TUI exited with `{said}`"
                    break
        if out.get("redraw_died"):
            return out
        tmux("send-keys", "-t", session, "q")
        if not wait_gone(tui_pid, 5):
            raise Failure("the TUI did not quit on `q` within 5 s")
    finally:
        for pid in (tui_pid, script_pid):
            if pid is not None:
                if not wait_gone(pid, 2):
                    end_pid(pid)
                if pid in tmux.pids:
                    tmux.pids.remove(pid)
        subprocess.run(tmux.cmd("kill-session", "-t", session), capture_output=True, env=tmux.env)
    return out


# ---------------------------------------------------------------------------------------------
# Formatting


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def med_lat(xs):
    """Median of the latencies of keys that produced a frame (None: no frame within 5 s)."""
    got = [x for x in xs if x is not None]
    return statistics.median(got) if got else float("nan")


def fmt_s(x):
    if x != x:
        return "–"
    if x < 0.01:
        return f"{x * 1000:.1f} ms"
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def fmt_mib(kib):
    return f"{kib / 1024:.0f} MiB"


def fmt_size(n):
    return f"{n:,}"


def machine():
    model = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    rustc = check(["rustc", "--version"]).strip()
    dovecot = check([dovecot_binary(), "--version"]).strip().split()[0]
    nm = check(["neomutt", "-v"]).splitlines()[0].strip()
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "kernel": f"{platform.system()} {platform.release()}",
        "rustc": rustc,
        "dovecot": f"Dovecot {dovecot}",
        "neomutt": nm,
        "python": f"Python {platform.python_version()}",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


# ---------------------------------------------------------------------------------------------
# The benchmark


def label_of(n):
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def bench_size(n, runs, dovecot, gen, tmux, proxy, work, results, keep=False, idle_seconds=60):
    user = f"u{label_of(n)}"
    maildir = dovecot.maildir(user)
    r = {"n": n, "runs": runs}
    results[n] = r

    say(f"{label_of(n)}: writing {n:,} messages into {maildir}")
    t = time.perf_counter()
    r["mail_bytes"], r["replies"] = fill_maildir(maildir, n, gen, dovecot.acc)
    say(f"{label_of(n)}: {r['mail_bytes'] / 1e6:.0f} MB, {r['replies']} replies, "
        f"in {time.perf_counter() - t:.1f} s")

    ref_argv = [sys.executable, __file__, "ref", str(dovecot.port), user, str(n)]
    # Dovecot indexes the Maildir on the first open and fills its cache on the first fetches:
    # warm it up before timing anything.
    t = time.perf_counter()
    for _ in range(2):
        w = run_measured(ref_argv, what="reference client (warm-up)")
    say(f"{label_of(n)}: Dovecot indexed and warm ({time.perf_counter() - t:.1f} s); "
        f"headers {json.loads(w['stdout'])['header_bytes'] / 1e6:.1f} MB")

    cfg = work / f"config-{user}.toml"
    write_config(cfg, user, dovecot.port)

    # 1 + 5: first poll vs the reference client, and peak RSS of the poll.
    r["poll"], r["ref"], r["ratio"], r["poll_rss"], r["poll_cpu"], r["ref_cpu"] = [], [], [], [], [], []
    r["poll_server_cpu"], r["ref_server_cpu"] = [], []
    tui_dir = None
    for k in range(runs):
        dd = work / f"data-{user}-{k}"
        new_data_dir(dd, cfg)

        # Each timed run starts with the page cache clean: the last poll's database (about
        # 90 MB at 50,000) is written back to disk later, by the kernel, and that writeback
        # otherwise lands in whichever run comes next.
        def ref():
            os.sync()
            served = dovecot.served_cpu()
            x = run_measured(ref_argv, what="reference client")
            r["ref_server_cpu"].append(dovecot.served_cpu() - served)
            r["ref"].append(x["wall"])
            r["ref_cpu"].append(x["cpu"])
            return x["wall"]

        def poll():
            os.sync()
            served = dovecot.served_cpu()
            x = tldops_poll(dd, cfg, n)
            r["poll_server_cpu"].append(dovecot.served_cpu() - served)
            r["poll"].append(x["wall"])
            r["poll_rss"].append(x["rss_kib"])
            r["poll_cpu"].append(x["cpu"])
            r["poll_stdout"] = x["stdout"]
            return x["wall"]

        if k % 2 == 0:
            a = ref()
            b = poll()
        else:
            b = poll()
            a = ref()
        r["ratio"].append(b / a)
        say(f"{label_of(n)}: run {k + 1}/{runs}: tldops poll {fmt_s(b)} "
            f"(cpu {r['poll_cpu'][-1]:.2f} s, Dovecot's {r['poll_server_cpu'][-1]:.2f} s, "
            f"rss {fmt_mib(r['poll_rss'][-1])}), "
            f"reference {fmt_s(a)}, ratio {b / a:.2f}")
        if tui_dir is None:
            tui_dir = dd
        elif not keep:
            shutil.rmtree(dd)

    # 3: neomutt, after one untimed open (Dovecot caches the header fields it asks for).
    neomutt_open(tmux, work, user, dovecot.port, n, f"{label_of(n)}w")
    r["neomutt"] = []
    for k in range(runs):
        r["neomutt"].append(neomutt_open(tmux, work, user, dovecot.port, n, f"{label_of(n)}{k}"))
    say(f"{label_of(n)}: neomutt {', '.join(fmt_s(x) for x in r['neomutt'])}")

    # 4 + 5: the TUI on the data dir of the first poll.
    r["tui_first"], r["tui"] = [], None
    idle_cfg = work / f"config-{user}-idle.toml"
    write_config(idle_cfg, user, dovecot.port, poll_interval=IDLE_INTERVAL)
    for k in range(runs):
        moves = 10 if k == 0 else 0
        out = tui_run(tmux, work, tui_dir, idle_cfg if moves else cfg, f"{label_of(n)}{k}", moves,
                      idle_seconds=idle_seconds if moves else 0)
        r["tui_first"].append(out["first_frame"])
        if moves:
            r["tui"] = out
    r["floor"] = floor_frames(tmux, work, label_of(n))
    t = r["tui"]
    say(f"{label_of(n)}: key to frame floor {fmt_s(med_lat(r['floor']))}")
    say(f"{label_of(n)}: TUI first frame {', '.join(fmt_s(x) for x in r['tui_first'])}; "
        f"queue ({t['queue_len']}) j: {t['queue']} B; roster j: {t['roster']} B; "
        f"C-l: {t['redraw']} B; VmHWM {fmt_mib(t['hwm_kib'])}; "
        f"idle: {t.get('idle_wakeups', float('nan')):.1f} wake-ups/min, "
        f"a pass with nothing new: {t.get('pass_wakeups', float('nan'))} wake-ups")
    if not keep:
        shutil.rmtree(tui_dir)

    # 2: incremental polls through the counting proxy (its port is part of the mailbox's
    # name, so this data dir has its own first poll through the proxy).
    pcfg = work / f"config-{user}-proxy.toml"
    write_config(pcfg, user, proxy.port)
    inc = work / f"data-{user}-inc"
    new_data_dir(inc, pcfg)
    mark = proxy.mark()
    t0 = time.perf_counter()
    x = tldops_poll(inc, pcfg, n)
    t_exit = t0 + x["wall"]
    timeline = proxy.timeline_since(mark)
    r["first_commands"] = [c for _, c in timeline]
    r["phases"] = phases(timeline, t0, t_exit)
    r["idle"], r["idle_cmds"], r["new"], r["new_cmds"] = [], [], [], []
    for k in range(runs):
        mark = proxy.mark()
        x = tldops_poll(inc, pcfg, 0)
        r["idle"].append(x["wall"])
        r["idle_cmds"].append(proxy.commands_since(mark))
    for k in range(runs):
        deliver_new(maildir, gen, dovecot.acc, n + k * NEW_MESSAGES)
        mark = proxy.mark()
        x = tldops_poll(inc, pcfg, NEW_MESSAGES)
        r["new"].append(x["wall"])
        timeline = proxy.timeline_since(mark)
        r["new_cmds"].append([c for _, c in timeline])
        # EXAMINE until the next command: Dovecot's answer, which includes its Maildir sync.
        sent = [t for t, c in timeline]
        names = [c for _, c in timeline]
        if "EXAMINE" in names:
            i = names.index("EXAMINE")
            if i + 1 < len(sent):
                r.setdefault("new_examine", []).append(sent[i + 1] - sent[i])
    # 6: mail-to-store latency while `poll --watch` waits in IDLE.
    r["latency"] = watch_latency(inc, pcfg, maildir, gen, dovecot.acc, proxy,
                                 n + runs * NEW_MESSAGES, runs)
    say(f"{label_of(n)}: mail to store with --watch: {', '.join(fmt_s(x) for x in r['latency'])}")
    if not keep:
        shutil.rmtree(inc)
    say(f"{label_of(n)}: incremental, no new mail {', '.join(fmt_s(x) for x in r['idle'])} "
        f"{r['idle_cmds'][0]}; 10 new {', '.join(fmt_s(x) for x in r['new'])} {r['new_cmds'][0]}")


def watch_latency(data_dir, config, maildir, gen, acc, proxy, first_index, runs):
    """Starts `tldops poll --watch` (poll_interval 60 s) on an up-to-date data dir; `runs`
    times: waits until it is in IDLE, delivers one message, and times until the database has
    one more message."""
    db = sqlite3.connect(f"file:{data_dir / 'tldops.sqlite3'}?mode=ro", uri=True)

    def stored():
        return db.execute("SELECT count(*) FROM messages").fetchone()[0]

    def idles(mark):
        return proxy.live_commands(mark).count("IDLE")

    mark = proxy.mark()
    watcher = subprocess.Popen([BIN, "--config", config, "--data-dir", data_dir, "poll", "--watch"],
                               env=tldops_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    on_exit(lambda: end_pid(watcher.pid))
    out = []
    try:
        for k in range(runs):
            deadline = time.monotonic() + 30
            while idles(mark) <= k:
                if watcher.poll() is not None:
                    raise Failure(f"tldops poll --watch exited: {watcher.stderr.read().decode()}")
                if time.monotonic() > deadline:
                    raise Failure("tldops poll --watch never went into IDLE "
                                  f"(commands: {proxy.live_commands(mark)})")
                time.sleep(0.005)
            time.sleep(0.2)  # the IDLE command is on its way: let Dovecot start watching
            before = stored()
            t0 = time.perf_counter()
            deliver_new(maildir, gen, acc, first_index + k, count=1)
            deadline = time.monotonic() + 120
            while stored() <= before:
                if time.monotonic() > deadline:
                    raise Failure("a message delivered while poll --watch ran was not stored in 120 s")
                time.sleep(0.002)
            out.append(time.perf_counter() - t0)
    finally:
        watcher.send_signal(signal.SIGTERM)
        try:
            watcher.wait(15)
        except subprocess.TimeoutExpired:
            watcher.kill()
            watcher.wait()
        db.close()
    return out


def phases(timeline, t0, t_exit):
    """Where a first poll's time goes, from the moments its commands were sent (both of its
    connections: a long scan fetches the replies' bodies on a second one meanwhile): start-up
    (process start to the first login), fetching (the header FETCH until the last body FETCH
    was sent: headers streamed, judged and stored, bodies fetched and read alongside), finish
    (the last FETCH until the last LOGOUT: the rest of the stream, the last bodies' parsing, the
    last transaction)."""
    timeline = sorted(timeline)  # the sessions' commands, in the order they were sent
    fetches = [t for t, c in timeline if c == "UID FETCH"]
    login = next((t for t, c in timeline if c in ("LOGIN", "AUTHENTICATE")), None)
    logouts = [t for t, c in timeline if c == "LOGOUT"]
    if login is None or not logouts or not fetches:
        return None
    return {"start": login - t0, "fetching": fetches[-1] - fetches[0],
            "finish": logouts[-1] - fetches[-1], "exit": t_exit - logouts[-1],
            "total": t_exit - t0}


def triage_throughput():
    # The bench profile (release's settings), or the debug build's with --profile dev.
    bench = ["cargo", "bench", "--locked", "--bench", "triage"]
    if PROFILE == "dev":
        bench += ["--profile", "dev"]
    say(f"triage: {shlex.join(bench[:2] + bench[3:])} (build, then run pinned to core 0)")
    check(bench + ["--no-run"], cwd=ROOT)
    out = check(["taskset", "-c", "0"] + bench, cwd=ROOT)
    res = {"text": out}
    for key, pat in (("rate", r"^triage: (\d+) messages/s"),
                     ("headers", r"headers only.*?: (\d+) messages/s"),
                     ("corpus", r"^corpus: (\d+) messages")):
        m = re.search(pat, out, re.M)
        if not m:
            raise Failure(f"unexpected output of the triage bench:\n{out}")
        res[key] = int(m.group(1))
    say(f"triage: {res['rate']} messages/s (headers only {res['headers']}/s)")
    return res


def table(info, results, triage, sizes, elapsed):
    cols = [results[n] for n in sizes]
    head = "| | " + " | ".join(f"{n:,} messages" for n in sizes) + " | target (DESIGN §7) |"
    sep = "|---|" + "---:|" * len(sizes) + "---|"
    rows = []

    def row(name, cells, target=""):
        rows.append(f"| {name} | " + " | ".join(cells) + f" | {target} |")

    def cmds(lists):
        counts = [len(c) for c in lists]
        return f"{min(counts)}" if min(counts) == max(counts) else f"{min(counts)}–{max(counts)}"

    row("mailbox: Maildir size, replies to invitations",
        [f"{c['mail_bytes'] / 1e6:.0f} MB, {c['replies']}" for c in cols])
    row("first poll, `tldops poll`", [fmt_s(med(c["poll"])) for c in cols])
    row("first poll, reference client (imaplib)", [fmt_s(med(c["ref"])) for c in cols])
    row("**first poll, ratio tldops / reference**", [f"**{med(c['ratio']):.2f}×**" for c in cols],
        "≤ 1.5× at 50,000")
    row("CPU of `tldops poll` (user+sys) / of the reference",
        [f"{med(c['poll_cpu']):.2f} s / {med(c['ref_cpu']):.2f} s" for c in cols])
    row("CPU of Dovecot serving that first poll / serving the reference",
        [f"{med(c['poll_server_cpu']):.2f} s / {med(c['ref_server_cpu']):.2f} s" for c in cols],
        "(on the same cores)")
    row("first poll through the proxy: start / fetching / finish",
        [" / ".join(fmt_s(c["phases"][k]) for k in ("start", "fetching", "finish"))
         if c.get("phases") else "–" for c in cols], "(where the time goes)")
    row("poll, no new mail: time, IMAP commands",
        [f"{fmt_s(med(c['idle']))}, {cmds(c['idle_cmds'])}" for c in cols],
        "a few round trips, any size")
    row(f"poll, {NEW_MESSAGES} new messages: time, IMAP commands",
        [f"{fmt_s(med(c['new']))}, {cmds(c['new_cmds'])}" for c in cols], "a handful")
    row(f"… of which Dovecot answering EXAMINE (it syncs the Maildir)",
        [fmt_s(med(c.get("new_examine", []))) for c in cols], "")
    row("neomutt opens the mailbox (IMAP, no header cache)", [fmt_s(med(c["neomutt"])) for c in cols],
        "peer figure")
    row("TUI: start to first frame (80x24)", [fmt_s(med(c["tui_first"])) for c in cols], "< 150 ms")
    row("TUI: bytes per cursor move, queue (`j`)", [f"{med(c['tui']['queue']):.0f} B" for c in cols],
        "a few hundred bytes, < 1 KiB")
    row("TUI: bytes per cursor move, roster (`2`, `j`)",
        [f"{med(c['tui']['roster']):.0f} B" for c in cols], "a few hundred bytes, < 1 KiB")
    row("TUI: key to complete frame, `j` in the queue / in the roster",
        [f"{fmt_s(med_lat(c['tui']['queue_latency']))} / {fmt_s(med_lat(c['tui']['roster_latency']))}"
         for c in cols], "within a 60 Hz frame (16 ms) above the floor")
    row("TUI: bytes of a full frame (the first one, with terminal setup)",
        [f"{c['tui']['full_frame']:,} B" if c['tui']['full_frame'] else "–" for c in cols], "(for comparison)")
    row("… the same of a minimal raw-mode program (the floor: tmux, `script`, the pty)",
        [fmt_s(med_lat(c["floor"])) for c in cols], "(for comparison)")
    row("TUI: redraw (`C-l`): bytes, key to complete frame",
        [redraw_cell(c["tui"]) for c in cols], "within a frame")
    row("new mail to stored, `poll --watch` waiting in IDLE (poll_interval 60 s)",
        [fmt_s(med(c["latency"])) for c in cols], "< 2 s")
    row("TUI idle: wake-ups per minute between poll passes, all threads (the poller in IDLE; "
        "no key, no new mail)",
        [fmt_wakeups(c["tui"].get("idle_wakeups")) for c in cols],
        "none beyond IDLE")
    row("TUI: wake-ups of one poll pass with nothing new, all threads (`p`; the poll timer "
        "runs one per poll_interval)",
        [fmt_wakeups(c["tui"].get("pass_wakeups")) for c in cols],
        f"a handful (≤ {PASS_WAKEUPS})")
    row("peak RSS, first `tldops poll`", [fmt_mib(med(c["poll_rss"])) for c in cols], "small")
    row("peak RSS, TUI (VmHWM)", [fmt_mib(c["tui"]["hwm_kib"]) for c in cols], "small")

    runs = ", ".join(f"{c['runs']} runs at {c['n']:,}" for c in cols)
    lines = [
        "## Benchmarks",
        "",
        f"`benches/run` on {info['cpu']} ({info['cores']} cores), {info['kernel']}, {info['rustc']}, "
        f"{info['dovecot']}, {info['neomutt']}; {info['date']}. Dovecot on loopback, plain IMAP, "
        f"Maildir written directly (about {REPLY_SHARE:.0%} real replies from tests/corpus, the rest "
        f"newsletters, notifications and list mail of 2–30 KB); medians of {runs}, each ratio "
        f"taken within one run."
        + (" **The debug build (`--profile dev`): a smoke run whose figures mean nothing.**"
           if PROFILE == "dev" else ""),
        "",
        head,
        sep,
        *rows,
        "",
        (f"Triage throughput: **{triage['rate']:,} messages/s** on one core (parse + triage of the "
         f"{triage['corpus']} corpus messages in a loop; headers only, as the first pass does: "
         f"{triage['headers']:,}/s) — `taskset -c 0 cargo bench --bench triage`."
         if triage else "Triage throughput: not measured (--no-triage)."),
        "",
        "IMAP commands tldops sends (counted by a proxy, connection by connection): first poll "
        + "; ".join(f"{c['n']:,}: {summarise(c['first_commands'])}" for c in cols)
        + f". No new mail: {summarise(cols[-1]['idle_cmds'][0])}. "
        f"{NEW_MESSAGES} new: {summarise(cols[-1]['new_cmds'][0])}.",
        "",
        "Timings are wall clock of whole processes (start to exit), the reference client being "
        "`python3` with imaplib doing LOGIN, EXAMINE, `UID FETCH 1:* (UID RFC822.SIZE "
        "BODY.PEEK[HEADER])`, LOGOUT; tldops also fetches the bodies of the replies and stores "
        "everything in SQLite. neomutt and the TUI are timed from `tmux new-session` until "
        "`capture-pane` shows the loaded index / `1 Queue (`. "
        f"Whole run: {elapsed / 60:.1f} min.",
    ]
    return "\n".join(lines) + "\n"


def fmt_wakeups(x):
    return "–" if x is None else f"{x:.0f}"


def redraw_cell(t):
    if t["redraw_died"]:
        return "**TUI exited** (see below)"
    return f"{med(t['redraw']):,.0f} B, {fmt_s(med_lat(t['redraw_latency']))}"


def summarise(commands):
    out, prev, count = [], None, 0
    for c in commands + [None]:
        if c == prev:
            count += 1
            continue
        if prev is not None:
            out.append(f"{prev} ×{count}" if count > 1 else prev)
        prev, count = c, 1
    return ", ".join(out) if out else "none"


def misses(results, sizes):
    out = []
    big = results[sizes[-1]]
    if med(big["ratio"]) > 1.5:
        out.append(f"first poll at {big['n']:,}: {med(big['ratio']):.2f}× the reference (target ≤ 1.5×)")
    for n in sizes:
        c = results[n]
        if med(c["tui_first"]) >= 0.150:
            out.append(f"TUI first frame at {n:,}: {fmt_s(med(c['tui_first']))} (target < 150 ms)")
        for view in ("queue", "roster"):
            if med(c["tui"][view]) >= 1024:
                out.append(f"bytes per move in the {view} at {n:,}: {med(c['tui'][view]):.0f} B (target < 1 KiB)")
        if c["tui"]["redraw_died"]:
            out.append(f"C-l at {n:,}: {c['tui']['redraw_died']}")
        for view in ("queue", "roster") if c["tui"]["redraw_died"] else ("queue", "roster", "redraw"):
            # What tldops adds to the floor the terminal pipeline costs any program.
            lat = c["tui"][view + "_latency"]
            floor = med_lat(c["floor"])
            if any(x is None for x in lat) or med_lat(lat) - floor > 1 / 60:
                shown = ", ".join("none in 5 s" if x is None else fmt_s(x) for x in lat)
                out.append(f"TUI key to frame ({view}) at {n:,}: {shown}, the floor {fmt_s(floor)} "
                           f"(target: within a 60 Hz frame above the floor)")
        idle = max(len(x) for x in c["idle_cmds"])
        new = max(len(x) for x in c["new_cmds"])
        if idle > 5 or new > 8:
            out.append(f"incremental polls at {n:,}: {idle} / {new} IMAP commands (target: a handful)")
        idle = c["tui"].get("idle_wakeups")
        if idle is not None and idle > IDLE_WAKEUPS:
            out.append(f"idle TUI at {n:,}: {idle:.0f} wake-ups per minute between passes "
                       f"(target: none beyond IDLE, ≤ {IDLE_WAKEUPS})")
        passed = c["tui"].get("pass_wakeups")
        if passed is not None and passed > PASS_WAKEUPS:
            out.append(f"TUI poll pass with nothing new at {n:,}: {passed} wake-ups "
                       f"(target: a handful, ≤ {PASS_WAKEUPS})")
        if med(c["latency"]) >= 2:
            out.append(f"mail to store with --watch at {n:,}: {fmt_s(med(c['latency']))} (target < 2 s)")
    counts = {len(results[n]["idle_cmds"][0]) for n in sizes}
    if len(counts) > 1:
        out.append("the no-new-mail poll's command count depends on the mailbox size")
    return out


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "ref":
        reference_client(*sys.argv[2:5])
        return
    ap = argparse.ArgumentParser(description="tldops benchmark (see benches/run)")
    ap.add_argument("--quick", action="store_true", help="only 1,000 and 10,000 messages")
    ap.add_argument("--sizes", help="comma-separated mailbox sizes (overrides --quick)")
    ap.add_argument("--runs", type=int, help="runs per size (default 5)")
    ap.add_argument("--idle-seconds", type=int, default=60,
                    help="how long to count an idle TUI's wake-ups, per size (0: not at all)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--no-write", action="store_true", help="do not write benches/latest.md")
    ap.add_argument("--no-triage", action="store_true", help="skip the triage throughput bench")
    ap.add_argument("--profile", choices=["release", "dev"], default="release",
                    help="the build measured: release (the figures), or dev, the debug build the "
                         "tests use (only to check that the benchmark runs: its figures mean nothing)")
    args = ap.parse_args()
    global BIN, PROFILE
    PROFILE = args.profile
    BIN = ROOT / "target" / ("release" if PROFILE == "release" else "debug") / "tldops"
    if PROFILE == "dev" and not args.no_write:
        say("--profile dev: benches/latest.md is left as it is (a debug build's figures)")
        args.no_write = True

    atexit.register(_run_cleanups)
    on_exit(_end_running)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, _on_signal)

    sizes = [1000, 10000] if args.quick else [1000, 10000, 50000]
    if args.sizes:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    if not BIN.is_file():
        build = "cargo build --release" if PROFILE == "release" else "cargo build"
        raise Failure(f"{BIN} is missing: run `{build}` (benches/run does)")
    for tool in ("tmux", "neomutt", "script", "taskset", "cargo", "rustc"):
        if shutil.which(tool) is None:
            raise Failure(f"`{tool}` is not installed (benches/run installs what it needs)")

    info = machine()
    work = Path(tempfile.mkdtemp(prefix="tb", dir="/tmp"))  # short: Dovecot's sockets live here
    if args.keep:
        say(f"work directory kept: {work}")
    else:
        on_exit(lambda: shutil.rmtree(work, ignore_errors=True))
    users = [f"u{label_of(n)}" for n in sizes]
    dovecot = Dovecot(work, users)
    on_exit(dovecot.stop)
    dovecot.start()
    say(f"Dovecot {info['dovecot']} on 127.0.0.1:{dovecot.port} ({work}/dc)")
    proxy = CountingProxy(dovecot.port)
    tmux = Tmux(work)
    gen = MailGen(20260101)

    results = {}
    for n in sizes:
        runs = args.runs or 5
        try:
            bench_size(n, runs, dovecot, gen, tmux, proxy, work, results, keep=args.keep,
                       idle_seconds=args.idle_seconds)
        except Failure:
            say(f"{label_of(n)}: Dovecot log (tail):\n{dovecot.log()[-2000:]}")
            raise
        # The Maildir is no longer needed: free the disk before the next size.
        if not args.keep:
            shutil.rmtree(dovecot.homes[f"u{label_of(n)}"] / "Maildir", ignore_errors=True)
    triage = None if args.no_triage else triage_throughput()

    elapsed = time.monotonic() - T_START
    md = table(info, results, triage, sizes, elapsed)
    miss = misses(results, sizes)
    md += "\n" + ("Misses against DESIGN §7:\n" + "".join(f"- {m}\n" for m in miss)
                  if miss else "Every DESIGN §7 target measured here is met.\n")
    print(md)
    if not args.no_write:
        LATEST.write_text(md)
        say(f"written to {LATEST.relative_to(ROOT)}")
    if args.keep:
        with open(work / "results.json", "w") as f:
            json.dump({"info": info, "results": results, "triage": triage}, f, indent=1, default=str)


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"\nbenches/run: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
