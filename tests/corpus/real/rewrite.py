"""Rewrites sisimai's set-of-emails so each message returns (or answers) one of the corpus's
invitations. Kept with the corpus as tests/corpus/real/rewrite.py for provenance."""
import base64, csv, hashlib, json, re, sys, os

SOE = sys.argv[1]            # set-of-emails checkout
DUMP = sys.argv[2]           # sisimai dump (jsonl)
OUT = sys.argv[3]            # tests/corpus/real
SECRETARIAT = "secretariat@ccnso.example.org"

invs = [r for r in csv.DictReader(open(os.path.join(OUT, "..", "invitations.csv")))
        if r["tld"] not in ("fr", "re", "yt", "ru", "cn")]

def verp(message_id):
    d = hashlib.sha256(message_id.encode()).digest()[:9]
    bits = int.from_bytes(d, "big")
    a = "abcdefghijklmnopqrstuvwxyz234567"
    return "secretariat+" + "".join(a[(bits >> (72 - 5 * (i + 1))) & 31] for i in range(13)) + "@ccnso.example.org"

def split_head(raw):
    seps = [(raw.find(sep), sep) for sep in ("\n\n", "\r\n\r\n") if raw.find(sep) >= 0]
    if not seps:
        return raw, "", ""
    i, sep = min(seps)
    return raw[:i], sep, raw[i + len(sep):]

def ci_replace(text, old, new):
    if not old:
        return text
    return re.sub(re.escape(old), lambda m: new, text, flags=re.I)

def rewrite_b64(text, pairs):
    """Base64 blocks: decode, replace, encode again with the same line length."""
    lines = text.split("\n")
    out, i = [], 0
    b64 = re.compile(r"^[A-Za-z0-9+/]{16,}={0,2}$")
    while i < len(lines):
        if b64.match(lines[i]):
            j = i
            while j < len(lines) and b64.match(lines[j]):
                j += 1
            block = "".join(lines[i:j])
            width = len(lines[i])
            try:
                raw = base64.b64decode(block, validate=True)
                txt = raw.decode("utf-8")
                new = txt
                for old, rep in pairs:
                    new = ci_replace(new, old, rep)
                if new != txt:
                    enc = base64.b64encode(new.encode("utf-8")).decode()
                    out.extend(enc[k:k + width] for k in range(0, len(enc), width))
                    i = j
                    continue
            except Exception:
                pass
            out.extend(lines[i:j])
            i = j
        else:
            out.append(lines[i])
            i += 1
    return "\n".join(out)

# Not rewritable faithfully: the original's sender, recipient and list are one address.
SKIP = {"lhost-fml-03.eml"}
# List managers' rejects: automatic answers, not delivery failures (issue 13).
LIST_MANAGER = {"lhost-fml-02.eml"}
# No Message-ID and the same header block as another file: tldops stores such a pair once.
DUPLICATE_OF = {"rhost-franceptt-04.eml": "lhost-einsundeins-03.eml"}
entries = []
n = 0
for line in open(DUMP):
    d = json.loads(line)
    name = os.path.basename(d["file"])
    res = d["results"]
    kind = name.split("-")[0]
    if name in SKIP or name.startswith("arf-") or any(r["reason"] == "feedback" for r in res):
        continue  # abuse reports, not delivery notices
    raw = open(d["file"], "rb").read().decode("utf-8", "surrogateescape")
    inv = invs[n % len(invs)]
    n += 1
    use_verp = n % 4 == 0
    src = d["file"].split("maildir/")[1]
    if name.startswith("is-not-bounce") or name.startswith("rb-issue"):
        open(os.path.join(OUT, "sisimai-" + name), "w", encoding="utf-8", errors="surrogateescape").write(raw)
        entries.append(dict(file="real/sisimai-" + name, verdict="unrelated", tld=None, src=src,
                            note="not a notice for mail of ours, left untouched"))
        continue
    if name.startswith("rfc3834"):
        m = re.search(r"^From:.*?([\w.+-]+@[\w.-]+)", raw, re.M)
        t = re.search(r"^To:.*?([\w.+-]+@[\w.-]+)", raw, re.M)
        pairs = [(m.group(1), inv["to"]), (t.group(1), SECRETARIAT)]
        verdict, note = "auto_reply", "RFC 3834 automatic answer from the admin mailbox"
    elif not res:
        continue
    else:
        recips = sorted({r["recipient"] for r in res if r["recipient"]} | {r["alias"] for r in res if r["alias"]}, key=len, reverse=True)
        pairs = [(r, inv["to"]) for r in recips]
        adds = {r["addresser"] for r in res if r["addresser"]} - set(recips)
        pairs += [(a, SECRETARIAT) for a in sorted(adds, key=len, reverse=True)]
        mids = {r["messageid"] for r in res if r["messageid"]}
        pairs += [(m, inv["message_id"]) for m in mids]
        acts = {r["action"] for r in res}
        if "failed" in acts or "" in acts:
            verdict, note = "bounce", "delivery failure"
        elif "delayed" in acts:
            verdict, note = "bounce", "delay or expiry"
        else:
            verdict, note = "auto_reply", "delivery report: delivered, not a failure"
        subj = {r["subject"] for r in res if r["subject"] and len(r["subject"]) >= 4}
        for s in subj:
            raw = re.sub(r"(?im)^(\s*>?\s*Subject:.*?)" + re.escape(s), lambda m: m.group(1) + inv["subject"], raw)
    for old, new in pairs:
        raw = ci_replace(raw, old, new)
    raw = rewrite_b64(raw, pairs)
    if verdict != "auto_reply" or not name.startswith("rfc3834"):
        # The returned copy is our mail: its quoted Message-ID is ours.
        head, sep, body = split_head(raw)
        body = re.sub(r"(?im)^(\s*>?\s*Message-ID:\s*<)[^>\s]+(?:=\r?\n[^>\s]+)*>", lambda m: m.group(1) + inv["message_id"] + ">", body)
        raw = head + sep + body
    # The notice goes to the Secretariat, whoever the original was from.
    head, sep, body = split_head(raw)
    head = re.sub(r"(?im)^To:[^\n]*" + re.escape(inv["to"]), "To: " + SECRETARIAT, head) if verdict != "auto_reply" or not name.startswith("rfc3834") else head
    raw = head + sep + body
    if name in LIST_MANAGER:
        verdict, note = "auto_reply", "a list manager's \"you are not a member\" reject (automatic, DESIGN §3 via issue 13)"
    if use_verp and "sns.amazonaws.com" not in raw:
        v = verp(inv["message_id"])
        head, sep, body = split_head(raw)
        head = re.sub(r"(?im)^(To|Delivered-To|X-Original-To|Envelope-To):(.*)$",
                      lambda m: m.group(0).replace(SECRETARIAT, v) if SECRETARIAT in m.group(0).lower() else m.group(0), head)
        head = re.sub(r"(?im)^Delivered-To:.*$", "Delivered-To: " + v, head, count=1) if re.search(r"(?im)^Delivered-To:", head) else "Delivered-To: " + v + "\n" + head
        raw = head + sep + body
        note += "; received with VERP on (delivered to the invitation's VERP address)"
    # The notice's own Message-ID: sisimai's anonymised ones repeat across files, real
    # notices' do not (tldops stores a Message-ID once).
    head, sep, body = split_head(raw)
    stem = name[:-4]
    head = re.sub(r"(?im)^(Message-ID:\s*<)", lambda m: m.group(1) + stem + ".", head, count=1)
    raw = head + sep + body
    fname = "sisimai-" + name
    open(os.path.join(OUT, fname), "w", encoding="utf-8", errors="surrogateescape").write(raw)
    agent = ",".join(sorted({r["agent"] for r in res})) if res else "rfc3834"
    entries.append(dict(file="real/" + fname, verdict=verdict, tld=inv["tld"], src=src,
                        note=f"{note} ({agent}); returns the {inv['kind']} to .{inv['tld']}"))

with open(os.path.join(OUT, "..", "expected-real.toml"), "w") as f:
    f.write("# Real notices and automatic answers from sisimai's set-of-emails (BSD 2-Clause), each\n"
            "# rewritten to return one of invitations.csv (see README.md, `Real-world messages`).\n\n")
    for e in entries:
        f.write("[[message]]\nfile = %s\nverdict = %s\n" % (json.dumps(e["file"]), json.dumps(e["verdict"])))
        if e["tld"]:
            f.write("tld = %s\n" % json.dumps(e["tld"]))
        base = e["file"][len("real/sisimai-"):]
        if base in DUPLICATE_OF:
            f.write("duplicate_of = %s\n" % json.dumps("real/sisimai-" + DUPLICATE_OF[base]))
        f.write("note = %s\n\n" % json.dumps("set-of-emails maildir/" + e["src"] + ": " + e["note"]))
print(len(entries))
