//! The coverage report in a real browser (DESIGN §9): the demo's installation with its
//! answered ccTLDs approved, `tldops report --html`, then Debian's Chromium, headless, loads
//! the page at a desktop's and a phone's width: no console message, screenshots that are not
//! blank, and every number of the page's DOM equal to `stats --json`. Chromium failing to
//! start fails the test (tests/run installs it).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const CHROMIUM: &str = "/usr/bin/chromium";

/// The demo's installation (roster, pilot invitations, the replies ingested), with the
/// answered ccTLDs approved so the page has members, approvals and confirmations to show.
struct Demo {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Demo {
    fn new() -> Demo {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("demo");
        std::fs::create_dir(&root).unwrap();
        tldops::cli::demo::seed(&root).unwrap();
        let demo = Demo { _dir: dir, root };
        // The demo approves some itself (its later mail needs members).
        for tld in ["nl", "de", "jp", "se", "re", "za"]
            .into_iter()
            .filter(|t| !tldops::cli::demo::APPROVED.contains(t))
        {
            demo.ok(&["approve", tld]);
        }
        demo
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new(assert_cmd::cargo::cargo_bin("tldops"))
            .env_clear()
            .env("HOME", &self.root)
            .env("PATH", std::env::var_os("PATH").unwrap())
            .arg("--config")
            .arg(self.root.join("config.toml"))
            .arg("--data-dir")
            .arg(self.root.join("data"))
            .args(args)
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

/// What Chromium made of a page: its stderr log, and its stdout (the DOM with `--dump-dom`).
struct Run {
    stdout: String,
    log: String,
}

/// Headless Chromium on `page` with `args`, in a throwaway profile, no network of its own.
fn chromium(page: &Path, profile: &Path, args: &[&str]) -> Run {
    let out = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap_or_else(|e| panic!("{CHROMIUM} cannot start ({e}): tests/run installs chromium"));
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "{CHROMIUM} failed ({}): {log}",
        out.status
    );
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        log,
    }
}

/// The page's console messages, as Chromium logs them (`INFO:CONSOLE:…] "…", source: …`).
fn console(log: &str) -> Vec<&str> {
    log.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

/// Screenshot `png` decoded: (width, height, spread of its grey levels).
fn picture(png: &Path) -> (u32, u32, f64) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![
        0;
        reader
            .output_buffer_size()
            .expect("a screenshot fits in memory")
    ];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    assert!(channels >= 3, "{:?}", info.color_type);
    let grey: Vec<f64> = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| 0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2]))
        .collect();
    let mean = grey.iter().sum::<f64>() / grey.len() as f64;
    let variance = grey.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / grey.len() as f64;
    (info.width, info.height, variance.sqrt())
}

/// Every `data-stat="POINTER">VALUE<` of a page or DOM.
fn stats_shown(html: &str) -> Vec<(String, f64)> {
    html.split("data-stat=\"")
        .skip(1)
        .map(|rest| {
            let (pointer, rest) = rest.split_once("\">").unwrap();
            let value = rest.split('<').next().unwrap();
            (pointer.to_string(), value.parse().unwrap())
        })
        .collect()
}

#[test]
fn the_console_check_sees_a_broken_page() {
    // The check below is only worth something if a page's errors do show: this one has one.
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("broken.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><p>x</p><script>console.error('seen'); undefinedFunction();</script>",
    )
    .unwrap();
    let run = chromium(&page, &dir.path().join("profile"), &["--dump-dom"]);
    let lines = console(&run.log);
    assert!(
        lines.iter().any(|l| l.contains("Uncaught ReferenceError")),
        "{}",
        run.log
    );
    assert!(lines.iter().any(|l| l.contains("seen")), "{}", run.log);
}

#[test]
fn the_report_renders_in_chromium_and_shows_the_stats() {
    let demo = Demo::new();
    let page = demo.root.join("report.html");
    let said = demo.ok(&["report", "--html", page.to_str().unwrap()]);
    assert!(said.starts_with("report written to "), "{said}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&page).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let stats: Value = serde_json::from_str(&demo.ok(&["stats", "--json"])).unwrap();
    assert_eq!(stats["on_list"], 6, "{stats}");
    let html = std::fs::read_to_string(&page).unwrap();
    // No personal data without --with-contacts: not a member's nor an admin contact's address.
    assert!(
        !html.contains(".example"),
        "an address in the public report"
    );
    for external in ["<script", "src=", "href=", "<link", "url("] {
        assert!(!html.contains(external), "{external}");
    }

    let profile = demo.root.join("profile");
    // The DOM as the browser built it.
    let run = chromium(&page, &profile, &["--dump-dom"]);
    assert_eq!(console(&run.log), Vec::<&str>::new());
    let dom = run.stdout;
    let shown = stats_shown(&dom);
    assert!(shown.len() > 40, "{} numbers", shown.len());
    for (pointer, value) in &shown {
        let want = stats
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{pointer} is not in stats --json"))
            .as_f64()
            .unwrap();
        assert_eq!(*value, want, "{pointer}");
    }
    for key in [
        "/on_list",
        "/tlds",
        "/invited",
        "/answered",
        "/approved",
        "/contacts",
        "/median_days_to_answer",
        "/confirmed_within_year",
        "/by_region/0/on_list",
        "/approvals_by_month/0/1",
        "/answer_times/0/cases",
    ] {
        assert!(shown.iter().any(|(p, _)| p == key), "{key} not on the page");
    }
    // The two lists hold every ccTLD `stats` counts, each once.
    let section = |id: &str| {
        let start = dom.find(&format!("id=\"{id}\"")).unwrap();
        let end = dom[start..].find("</section>").unwrap();
        dom[start..start + end].to_string()
    };
    let on = section("on-list");
    let off = section("not-on-list");
    assert_eq!(
        on.matches("<tr data-tld=").count() as u64,
        stats["on_list"].as_u64().unwrap()
    );
    assert_eq!(
        (on.matches("<tr data-tld=").count() + off.matches("<tr data-tld=").count()) as u64,
        stats["tlds"].as_u64().unwrap()
    );
    assert!(on.contains("data-tld=\"nl\""));
    assert!(off.contains("data-tld=\"xn--p1ai\""), "IDN ccTLDs listed");
    assert_eq!(
        dom.matches("<svg").count(),
        5,
        "coverage, regions, funnel, answers, approvals"
    );

    // At a desktop's and a phone's width: drawn, and silent.
    for (name, size) in [("desktop", "1280,1800"), ("phone", "390,844")] {
        let shot = demo.root.join(format!("{name}.png"));
        let run = chromium(
            &page,
            &profile,
            &[
                &format!("--window-size={size}"),
                &format!("--screenshot={}", shot.display()),
            ],
        );
        assert_eq!(console(&run.log), Vec::<&str>::new(), "{name}");
        let (w, h, spread) = picture(&shot);
        let (want_w, want_h) = size.split_once(',').unwrap();
        assert_eq!(
            (w.to_string(), h.to_string()),
            (want_w.into(), want_h.into())
        );
        assert!(
            spread > 20.0,
            "{name}: the screenshot is blank (spread {spread:.1})"
        );
        // `TLDOPS_REPORT_PNG=docs/report.png cargo test --test integration report::` refreshes
        // the README's.
        if name == "desktop"
            && let Some(keep) = std::env::var_os("TLDOPS_REPORT_PNG")
        {
            std::fs::copy(&shot, keep).unwrap();
        }
    }

    // With --with-contacts the members are named, escaped.
    let private = demo.root.join("private.html");
    demo.ok(&[
        "report",
        "--html",
        private.to_str().unwrap(),
        "--with-contacts",
    ]);
    let html = std::fs::read_to_string(&private).unwrap();
    let members: Value =
        serde_json::from_str(&demo.ok(&["members", "export", "--format", "json"])).unwrap();
    for tld in members["tlds"].as_array().unwrap() {
        for c in tld["contacts"].as_array().unwrap() {
            let email = c["email"].as_str().unwrap();
            assert!(html.contains(&format!("&lt;{email}&gt;")), "{email}");
        }
    }
    let run = chromium(&private, &profile, &["--dump-dom"]);
    assert_eq!(console(&run.log), Vec::<&str>::new());
}
