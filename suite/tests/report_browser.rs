//! The HTML permission report in a real browser: headless Chromium from Debian's package
//! (`/usr/bin/chromium`, or `PERMATRIX_CHROMIUM`), which the README's test command
//! installs. The page is loaded from a file; Chromium runs its script, and the test reads
//! the DOM it leaves (`--dump-dom`): the expected cells with their classes, the filter box
//! narrowing users and modules, a cell's reason after a real click, paging at 1,000 users.
//! The screenshot, saved as `target/report-screenshot.png`, must show the cells' colours.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use permatrix_suite::workload;

use std::path::{Path, PathBuf};
use std::process::Command;

use permatrix::{Authorizer, Policy};

/// The Chromium binary, or `None` when this machine has none and the test may be
/// skipped: the README's test command (and so CI) sets `PERMATRIX_REQUIRE_CHROMIUM`, and
/// there a missing browser fails the test rather than skipping it.
fn find_chromium() -> Option<String> {
    if let Some(path) = std::env::var("PERMATRIX_CHROMIUM")
        .ok()
        .filter(|p| !p.is_empty())
    {
        return Some(path);
    }
    for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(path).exists() {
            return Some(path.to_string());
        }
    }
    let advice = "the report's browser test needs Debian's `chromium` package. Run the \
         README's test command (bash scripts/test.sh), which installs it, or set \
         PERMATRIX_CHROMIUM to a Chromium binary";
    if std::env::var_os("PERMATRIX_REQUIRE_CHROMIUM").is_some() {
        panic!("no Chromium: {advice}");
    }
    eprintln!("SKIPPED: no Chromium here; {advice}");
    None
}

fn chromium() -> String {
    find_chromium().unwrap_or_default()
}

/// Chromium with the flags a closed network and a root user need, and a profile of its own.
fn browser(dir: &Path) -> Command {
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--window-size=1400,1000",
        "--virtual-time-budget=5000",
    ])
    .arg(format!("--user-data-dir={}", dir.join("profile").display()));
    cmd
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("report-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs Chromium on `url` with `action` (`--dump-dom`, `--screenshot=…`); its output.
fn chromium_on(dir: &Path, action: &str, url: &str) -> Vec<u8> {
    let out = browser(dir).arg(action).arg(url).output().unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The DOM after the page's script ran, for the page at `file` with `fragment`.
fn dom(dir: &Path, file: &Path, fragment: &str) -> String {
    let url = format!("file://{}#{fragment}", file.display());
    let dom = String::from_utf8(chromium_on(dir, "--dump-dom", &url)).unwrap();
    // the page's own script spells out the markup it writes: read only what it wrote
    dom.split("<script").next().unwrap().to_string()
}

fn minicrm() -> Authorizer {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/policies/minicrm.json"),
    )
    .unwrap();
    Policy::from_json(&text).unwrap().compile().unwrap()
}

/// The sections of users the page shows.
fn shown_users(dom: &str) -> Vec<String> {
    dom.split(r#"<section class="user" data-user=""#)
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

/// The part of the DOM for `user`'s `module` row.
fn row<'a>(dom: &'a str, user: &str, module: &str) -> &'a str {
    let section = dom
        .split(&format!(r#"data-user="{user}""#))
        .nth(1)
        .unwrap_or_else(|| panic!("no section for {user}"));
    let section = section.split("</section>").next().unwrap();
    let row = section
        .split(&format!(r#"data-module="{module}""#))
        .nth(1)
        .unwrap_or_else(|| panic!("no row {module} for {user}"));
    row.split("</tr>").next().unwrap()
}

#[test]
fn cells_filter_and_reasons_render_in_chromium() {
    if find_chromium().is_none() {
        return;
    }
    let dir = scratch("minicrm");
    let file = dir.join("report.html");
    std::fs::write(&file, minicrm().report_html(&[]).unwrap()).unwrap();

    let all = dom(&dir, &file, "");
    assert_eq!(
        shown_users(&all),
        ["owner", "mia", "ben", "lea", "ext", "tom"]
    );
    assert!(all.contains("6 of 6 users, 6 of 6 modules"));
    // ben sees his team's contacts and his own deals; the margin is hidden from him
    let contacts = row(&all, "ben", "contacts");
    assert!(
        contacts.contains(r#"class="c c-team" data-action="view""#),
        "{contacts}"
    );
    let sales = row(&all, "ben", "sales");
    assert!(
        sales.contains(r#"class="c c-owner" data-action="view""#),
        "{sales}"
    );
    assert!(
        sales.contains(r#"class="c c-none" data-action="delete""#),
        "{sales}"
    );
    assert!(sales.contains("margin hidden"), "{sales}");
    // the shop's owner is an administrator who bypasses data checks: the page says so
    // plainly, and every cell says `all`
    let owner = all
        .split(r#"data-user="owner""#)
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    assert!(
        owner.contains("all: owner bypasses data checks (admin_bypass)"),
        "{owner}"
    );
    let owner_sales = row(&all, "owner", "sales");
    assert_eq!(
        owner_sales.matches(r#"class="c c-all""#).count(),
        8,
        "{owner_sales}"
    );
    assert!(!owner_sales.contains("c-none"), "{owner_sales}");
    // mia deletes what her subordinates own
    assert!(row(&all, "mia", "sales").contains(r#"class="c c-role" data-action="delete""#));
    assert!(all.contains(r#"<h2 class="part">Sharing rules</h2>"#));
    assert!(all.contains(r#"<ul class="tree">"#), "the team tree");

    // the filter box: a user, then a module
    let ben = dom(&dir, &file, "filter=ben");
    assert_eq!(shown_users(&ben), ["ben"]);
    assert!(ben.contains("1 of 6 users, 6 of 6 modules"));
    let invoices = dom(&dir, &file, "filter=invoices");
    assert_eq!(shown_users(&invoices).len(), 6);
    assert_eq!(
        invoices.matches("data-module=").count(),
        6,
        "one row per user"
    );
    assert!(invoices.contains("6 of 6 users, 1 of 6 modules"));
    let nobody = dom(&dir, &file, "filter=zzz");
    assert!(shown_users(&nobody).is_empty() && nobody.contains("No user or module matches"));

    // a click on a cell shows why it is what it is
    let clicked = dom(&dir, &file, "filter=mia&click=sales/delete");
    let why = clicked
        .split(r#"<div id="why""#)
        .nth(1)
        .unwrap()
        .split("</div>")
        .next()
        .unwrap();
    assert!(why.contains("<b>mia · sales · delete</b>"), "{why}");
    assert!(why.contains("role manager (direct) gives role"), "{why}");

    // the colours render: many pixels of `all`, `owner` and `none`
    let shot = dir.join("report.png");
    chromium_on(
        &dir,
        &format!("--screenshot={}", shot.display()),
        &format!("file://{}", file.display()),
    );
    let artefact = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("report-screenshot.png");
    std::fs::copy(&shot, &artefact).unwrap();
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let channels = info.color_type.samples();
    let count = |rgb: [u8; 3]| {
        pixels
            .chunks(channels)
            .filter(|p| p.len() >= 3 && p[..3] == rgb)
            .count()
    };
    for (cell, rgb) in [
        ("all", [0x1b, 0x5e, 0x20]),
        ("owner", [0xd4, 0xec, 0xd5]),
        ("none", [0xee, 0xee, 0xee]),
    ] {
        let n = count(rgb);
        assert!(
            n > 2_000,
            "{n} pixels of `{cell}` in {}",
            artefact.display()
        );
    }

    // in greyscale every cell keeps a lightness of its own: the page's own colours are
    // at least 12 grey levels apart, and each shows in the greyscale screenshot (the
    // legend holds all seven)
    let page = std::fs::read_to_string(&file).unwrap();
    let grey = |rgb: [u8; 3]| {
        (0.299 * f64::from(rgb[0]) + 0.587 * f64::from(rgb[1]) + 0.114 * f64::from(rgb[2])).round()
            as i32
    };
    let classes = [
        "none",
        "owner",
        "role_and_team",
        "role",
        "team",
        "role_or_team",
        "all",
    ];
    let levels: Vec<i32> = classes
        .iter()
        .map(|class| {
            let rule = page
                .split(&format!(".c-{class} {{ background"))
                .nth(1)
                .unwrap_or_else(|| panic!("no colour for `{class}`"));
            let hex = rule.split('#').nth(1).unwrap();
            let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
            grey([channel(0), channel(2), channel(4)])
        })
        .collect();
    for (i, a) in levels.iter().enumerate() {
        for (j, b) in levels.iter().enumerate().skip(i + 1) {
            assert!(
                (a - b).abs() >= 12,
                "`{}` and `{}` are {a} and {b} in greyscale",
                classes[i],
                classes[j]
            );
        }
    }
    let greys: Vec<i32> = pixels
        .chunks(channels)
        .filter(|p| p.len() >= 3)
        .map(|p| grey([p[0], p[1], p[2]]))
        .collect();
    for (class, level) in classes.iter().zip(&levels) {
        let n = greys.iter().filter(|g| (*g - level).abs() <= 1).count();
        assert!(
            n > 200,
            "{n} pixels at `{class}`'s grey level {level} in {}",
            artefact.display()
        );
    }
}

#[test]
fn a_thousand_users_page_by_twenty_five() {
    if find_chromium().is_none() {
        return;
    }
    let dir = scratch("thousand");
    // the CRM workload's 1,000 users, over 12 modules to keep a debug build quick
    let policy = workload::policy(workload::Shape {
        modules: 12,
        ..workload::Shape::crm(1_000)
    });
    let auth = policy.compile().unwrap();
    let html = auth.report_html(&[]).unwrap();
    assert!(
        html.len() < 40 << 20,
        "{} bytes for 1,000 users",
        html.len()
    );
    let file = dir.join("report.html");
    std::fs::write(&file, &html).unwrap();
    let first = dom(&dir, &file, "");
    assert_eq!(shown_users(&first).len(), 25);
    assert!(first.contains("page 1 of 40"));
    let one = dom(&dir, &file, "filter=u999");
    assert_eq!(shown_users(&one), ["u999"]);
}

/// Names that speak HTML stay text: the page renders whole, with the names escaped, and
/// no element or script of theirs.
#[test]
fn hostile_names_stay_text() {
    if find_chromium().is_none() {
        return;
    }
    let dir = scratch("hostile");
    let policy = Policy::from_json(
        r#"{"version": 1,
        "modules": {"deals": {"fields": {"x\"><img src=y onerror=alert(1)>": {}}}},
        "profiles": {"p": {"modules": {"deals": {"access": "on", "actions": {"view": "owner"},
            "fields": {"x\"><img src=y onerror=alert(1)>": "hidden"}}}}},
        "roles": {"r": {"profiles": ["p"]}},
        "teams": {"</script><script>alert(2)</script>": {"name": "<!--<script>", "users": ["eve"]}},
        "users": {"eve": {"display_name": "<!--<script>", "roles": ["r"]}, "ann": {"roles": ["r"]}},
        "sharing_rules": [{"module": "deals", "from": {"role": "r"}, "to": {"user": "ann"}, "access": "read"}]}"#,
    )
    .unwrap();
    let file = dir.join("report.html");
    std::fs::write(&file, policy.compile().unwrap().report_html(&[]).unwrap()).unwrap();
    let page = dom(&dir, &file, "");
    assert_eq!(
        shown_users(&page),
        ["eve", "ann"],
        "the page rendered whole"
    );
    assert!(
        page.contains("&lt;!--&lt;script&gt;"),
        "the display name as text"
    );
    assert!(!page.contains("<img"), "no element of a name's");
    assert!(page.contains("&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
    // the sharing rule's row, the hidden field named as text
    assert!(
        page.contains("<td>role `r`</td><td>user `ann`</td><td>read</td>"),
        "{page}"
    );
    assert!(page.contains("x\"&gt;&lt;img src=y onerror=alert(1)&gt; hidden"));

    // words narrow users and modules together
    let both = dom(&dir, &file, "filter=eve%20deals");
    assert_eq!(shown_users(&both), ["eve"]);
    assert_eq!(both.matches("data-module=").count(), 1);
}
