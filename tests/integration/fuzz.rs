//! No input may panic parsing or triage: random bytes and mutations of the corpus (bit flips,
//! hostile bytes, truncation, spliced chunks), run through `parse` + `triage` + contact
//! extraction. Deterministic (seeded), so a failure reproduces; a few seconds per run.

use crate::support;
use tldops::domain::message::parse;
use tldops::domain::triage::{self, Context};

/// xorshift64*: small, seeded, good enough to shake a parser.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const HOSTILE: &[&[u8]] = &[
    b"\r\n",
    b"\n\n",
    b":",
    b"=?UTF-8?B?",
    b"?=",
    b"=?ISO-8859-1?Q?=1B[2J?=",
    b"\x1b[2J",
    b"\x9b",
    b"\xff\xfe",
    b"\x00",
    b"--",
    b"boundary=",
    b"Content-Type: multipart/mixed; boundary=\"x\"\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"=\r\n",
    b"<",
    b">",
    b"@",
    b"\xe2\x80\xae",
    b"BEGIN:VCARD\r\nEMAIL:",
    b"|",
    b"\t",
    b"> ",
    b"From: ",
    b"Auto-Submitted: auto-replied\r\n",
    b"Authentication-Results: mx.ccnso.example.org; dmarc=fail\r\n",
    b"&#x",
    b"<blockquote>",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut m = seed.to_vec();
    for _ in 0..=rng.below(8) {
        let at = rng.below(m.len() + 1);
        match rng.below(5) {
            0 if !m.is_empty() => {
                let i = rng.below(m.len());
                m[i] ^= 1 << rng.below(8);
            }
            1 => {
                let h = HOSTILE[rng.below(HOSTILE.len())];
                m.splice(at..at, h.iter().copied());
            }
            2 => m.truncate(at),
            3 if !m.is_empty() => {
                let start = rng.below(m.len());
                let end = (start + rng.below(400)).min(m.len());
                let chunk = m[start..end].to_vec();
                m.splice(at..at, chunk);
            }
            _ => {
                let len = rng.below(64);
                let junk: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                m.splice(at..at, junk);
            }
        }
    }
    m
}

fn seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir("tests/corpus")
        .unwrap()
        .filter_map(|f| {
            let p = f.ok()?.path();
            (p.extension()? == "eml").then(|| std::fs::read(p).ok())?
        })
        .collect();
    seeds.push(
        b"From: Ann <directie@sidn.example>\r\nTo: secretariat@ccnso.example.org\r\n\
          Subject: Re: [TLD-OPS .nl #k3x9] Invitation\r\nMessage-ID: <a@b>\r\n\
          Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
          Name: Jan Jansen\r\nEmail: jan@sidn.example\r\nPhone: +31 26 352 5511\r\n--b\r\n\
          Content-Type: text/html\r\n\r\n<table><tr><td>Jan</td><td>jan@sidn.example</td></tr></table>\r\n--b--\r\n"
            .to_vec(),
    );
    seeds
}

#[test]
fn parse_and_triage_never_panic() {
    let ctx: Context = support::corpus::context();
    let seeds = seeds();
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let rounds = 4000;
    for round in 0..rounds {
        let input = if round % 10 == 0 {
            (0..rng.below(2048)).map(|_| rng.next() as u8).collect()
        } else {
            let seed = rng.below(seeds.len());
            mutate(&mut rng, &seeds[seed])
        };
        let msg = parse(&input, true);
        let decision = triage::triage(&msg, &ctx);
        // Whatever came in, nothing that reaches the operator holds a control character.
        for text in [&msg.subject, &decision.why]
            .into_iter()
            .chain(decision.contacts.iter().map(|c| &c.email))
        {
            assert!(
                !text.chars().any(|c| c.is_control() && c != '\n'),
                "round {round}: control character in {text:?}"
            );
        }
    }
}
