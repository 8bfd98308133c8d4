"""End to end through the real window: import a file, verify the ledger, visit every page.

Runs under Xvfb through tauri-driver and WebKitWebDriver (`make test` starts it); screenshots
of every page land in target/e2e-screenshots/ for people to look at.
"""

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from selenium.common.exceptions import ElementNotInteractableException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "crates/evidentia-import/tests/profiles/data"
SAMPLE = FIXTURES / "provisioning-csv.csv"
# Has a planted invalid row: refused whole unless the valid rows are asked for.
WITH_BAD_ROW = FIXTURES / "exceptions-register.csv"
PAGES = [
    "overview", "import", "integrity", "accounts", "events", "findings", "exceptions", "reviews", "sample", "reports",
]
# The CLI builds the access-review workspace (the app records no policy); `make test` builds it.
CLI = Path(os.environ.get("EVIDENTIA_CLI_BIN", ROOT / "target/debug/evidentia"))


def wait(driver, timeout=30):
    return WebDriverWait(driver, timeout)


def go(driver, page):
    driver.find_element(By.CSS_SELECTOR, f'nav [data-page="{page}"]').click()
    wait(driver).until(
        EC.presence_of_element_located(
            (By.CSS_SELECTOR, f'nav [data-page="{page}"][aria-current="page"]')
        )
    )


def texts_of(driver, css):
    """Every match's textContent, read in one script call: a list the page re-renders between
    finding its elements and reading them cannot go stale (WebDriver element references can).
    textContent, not WebDriver's rendered text: WebKitWebDriver reports ellipsised text as empty."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]), e => e.textContent || '')", css
    )


def text_of(driver, css):
    return " ".join(texts_of(driver, css))


def has_text(css, needle):
    return lambda driver: needle in text_of(driver, css)


def badge_text(driver):
    return driver.find_element(By.CSS_SELECTOR, '[data-testid="integrity-badge"]').text


def choose_in_file_dialog(path: Path, title: str = "Choose evidence files"):
    """Answers the native GTK file chooser the way a person would: type the path, press Enter."""
    # The dialog is a separate X window; focus it, then type (a leading "/" opens GTK's path bar).
    subprocess.run(
        ["xdotool", "search", "--sync", "--onlyvisible", "--name", title, "windowfocus", "--sync"],
        check=True,
        timeout=20,
    )
    time.sleep(1.5)
    # Slow typing: GTK's path bar drops keystrokes that arrive while it is still opening.
    subprocess.run(["xdotool", "type", "--delay", "60", str(path)], check=True, timeout=60)
    time.sleep(1.5)
    subprocess.run(["xdotool", "key", "Return"], check=True, timeout=10)


def pick_file(driver, path: Path, button=(By.XPATH, "//button[normalize-space()='Choose files…']"),
              title="Choose evidence files", shown_in='[aria-label="Selected files"]'):
    """Chooses one file through the real dialog; more tries cover keystrokes GTK dropped."""
    attempts = 4
    for attempt in range(attempts):
        driver.find_element(*button).click()
        choose_in_file_dialog(path, title)
        try:
            wait(driver, 10).until(has_text(shown_in, path.name))
            return
        except Exception:
            if attempt == attempts - 1:
                raise
            # Close whatever is still open (the dialog, or GTK's path bar inside it).
            subprocess.run(["xdotool", "key", "Escape"], timeout=10)
            time.sleep(0.5)
            subprocess.run(["xdotool", "key", "Escape"], timeout=10)
            time.sleep(1.5)


def test_import_then_verify_on_a_fresh_workspace(fresh_app, tmp_path):
    d = fresh_app.driver
    # The fresh workspace named by EVIDENTIA_WORKSPACE opens, is not the demo, and verifies.
    wait(d).until(lambda drv: "Ledger intact" in badge_text(drv))
    wait(d).until(has_text("header .ws-name", "e2e"))
    assert "Demo workspace" not in text_of(d, "header")
    # The header names the acting user (EVIDENTIA_USER here) its writes will record.
    assert text_of(d, '[data-testid="acting-user"]').strip() == "as e2e-tester"
    assert fresh_app.workspace.is_file()
    fresh_app.shot("01-overview-empty")

    # A file with an invalid row is refused whole, and the row is named.
    go(d, "import")
    bad = tmp_path / WITH_BAD_ROW.name
    shutil.copy(WITH_BAD_ROW, bad)
    Select(d.find_element(By.CSS_SELECTOR, '[data-testid="profile"]')).select_by_value("exceptions-register")
    pick_file(d, bad)
    d.find_element(By.CSS_SELECTOR, '[data-testid="start-import"]').click()
    refused = wait(d).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="import-results"] article'))
    )
    assert refused.get_attribute("data-status") == "refused", refused.get_attribute("textContent")
    assert "line 5:" in refused.get_attribute("textContent")
    wait(d).until(has_text('[data-testid="import-summary"]', "1 file: 0 imported, 1 refused"))
    fresh_app.shot("02-import-refused")

    # An inventory that names no host or time: the options say which host and when.
    passwd = tmp_path / "passwd"
    passwd.write_text(
        "root:x:0:0:root:/root:/bin/bash\n"
        "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
        "dana:x:1004:1004:Dana Ops:/home/dana:/bin/bash\n"
    )
    Select(d.find_element(By.CSS_SELECTOR, '[data-testid="profile"]')).select_by_value("")
    d.find_element(By.CSS_SELECTOR, '[data-testid="more-options"] summary').click()
    d.find_element(By.CSS_SELECTOR, '[data-testid="as-of"]').send_keys("2025-12-31T23:00:00Z")
    d.find_element(By.CSS_SELECTOR, '[data-testid="scope"]').send_keys("bastion01")
    pick_file(d, passwd)
    fresh_app.shot("02b-import-inventory-options")
    d.find_element(By.CSS_SELECTOR, '[data-testid="start-import"]').click()
    inventory = wait(d).until(
        EC.presence_of_element_located(
            (By.CSS_SELECTOR, '[data-testid="import-results"] article[data-status="imported"]')
        )
    )
    assert "unix-accounts" in inventory.get_attribute("textContent")
    wait(d).until(has_text('[data-testid="import-summary"]', "1 file: 1 imported"))
    fresh_app.shot("02c-import-inventory-result")
    d.find_element(By.CSS_SELECTOR, '[data-testid="as-of"]').clear()
    d.find_element(By.CSS_SELECTOR, '[data-testid="scope"]').clear()

    # Import the sample through the real dialog, with its profile and the skip-invalid choice.
    sample = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, sample)
    Select(d.find_element(By.CSS_SELECTOR, '[data-testid="profile"]')).select_by_value("provisioning-csv")
    d.find_element(By.CSS_SELECTOR, '[data-testid="skip-invalid"]').click()
    pick_file(d, sample)
    d.find_element(By.CSS_SELECTOR, '[data-testid="start-import"]').click()
    result = wait(d).until(
        EC.presence_of_element_located(
            (By.CSS_SELECTOR, '[data-testid="import-results"] article[data-status="imported"]')
        )
    )
    assert result.get_attribute("data-status") == "imported", result.text
    assert "Imported" in result.get_attribute("textContent")
    assert "Executions" in result.get_attribute("textContent")
    fresh_app.shot("03-import-result")

    # A workspace named through EVIDENTIA_WORKSPACE starts without a signing key: the
    # Integrity page says so and makes one, its private key in the key folder (a temp dir here).
    go(d, "integrity")
    wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="no-signing-key"]')))
    fresh_app.shot("04-integrity-no-signing-key")
    d.find_element(By.CSS_SELECTOR, '[data-testid="create-signing-key"]').click()
    wait(d).until(has_text('[data-testid="public-key-text"]', "evidentia/"))
    keys = list((tmp_path / "keys").glob("*.pem"))
    assert len(keys) == 1, keys
    assert keys[0].stat().st_mode & 0o777 == 0o600
    assert str(keys[0]) in text_of(d, '[data-testid="private-key"]')

    # The ledger grew, so the header no longer claims it is verified; verify it again.
    d.find_element(By.CSS_SELECTOR, '[data-testid="verify"]').click()
    wait(d).until(
        has_text('[data-testid="verify-result"]', "Ledger intact")
    )
    assert "intact" in text_of(d, '[data-testid="verify-result"]').lower()
    d.find_element(By.CSS_SELECTOR, '[data-testid="create-checkpoint"]').click()
    wait(d).until(has_text(".notice", "Checkpoint 1 recorded"))
    # Signed with the new key, and shown as the checkpoint to keep.
    wait(d).until(has_text('[data-testid="checkpoint-note"]', "\n\n\u2014 evidentia/"))
    assert d.find_element(By.CSS_SELECTOR, '[data-testid="checkpoint-row"]').get_attribute("data-signed") == "true"
    fresh_app.shot("04-integrity-intact")

    go(d, "overview")
    wait(d).until(has_text("main", SAMPLE.name))
    # Each import names who made it.
    assert {t.strip() for t in texts_of(d, '[data-testid="import-by"]')} == {"e2e-tester"}
    fresh_app.shot("05-overview-after-import")

    # Without an analysis or a policy, each analysis page says what to do next.
    expected = {
        "accounts": "No policy recorded",
        "events": "No analysis recorded yet",
        "findings": "No policy recorded",
        "exceptions": "No policy recorded",
        "reviews": "No policy recorded",
        "reports": "No policy recorded",
    }
    for page, guidance in expected.items():
        go(d, page)
        wait(d).until(has_text("main", guidance))
        fresh_app.shot(f"06-{page}")

    # The File menu: new, open, demo, recent; Escape closes it.
    d.find_element(By.CSS_SELECTOR, "header .trigger").click()
    wait(d).until(has_text('[role="menu"]', "Open workspace"))
    fresh_app.shot("08-file-menu")
    d.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait(d).until(lambda drv: not drv.find_elements(By.CSS_SELECTOR, '[role="menu"]'))

    # A team workspace whose server cannot be reached (no socket there, no network tried): the
    # dialog says so with the URL, never the password, and the open workspace stays.
    d.find_element(By.CSS_SELECTOR, "header .trigger").click()
    d.find_element(By.CSS_SELECTOR, '[data-testid="open-team"]').click()
    wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="team-dialog"]')))
    d.find_element(By.CSS_SELECTOR, '[data-testid="team-url"]').send_keys("postgres://nobody@%2Fnonexistent-evidentia/x")
    d.find_element(By.CSS_SELECTOR, '[data-testid="team-password"]').send_keys("hunter2")
    d.find_element(By.CSS_SELECTOR, '[data-testid="team-open"]').click()
    refusal = wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="team-error"]')))
    assert "could not be reached" in refusal.text, refusal.text
    assert "postgres://nobody@%2Fnonexistent-evidentia/x" in refusal.text, refusal.text
    assert "hunter2" not in refusal.text
    fresh_app.shot("08b-team-workspace-unreachable")
    d.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait(d).until(lambda drv: not drv.find_elements(By.CSS_SELECTOR, '[data-testid="team-dialog"]'))
    assert "e2e" in text_of(d, "header .ws-name")

    # Keyboard: Tab reaches the navigation and a focused item shows a visible outline.
    d.find_element(By.CSS_SELECTOR, 'nav [data-page="overview"]').click()
    focused = d.switch_to.active_element
    assert focused.get_attribute("data-page") == "overview"


def test_first_start_opens_the_demo_workspace(demo_app):
    d = demo_app.driver
    wait(d, 180).until(lambda drv: "Ledger intact" in badge_text(drv))
    assert "Demo workspace" in text_of(d, "header")
    wait(d, 120).until(has_text("main", "workers.csv"))
    # The Overview's assessment: chain completeness as a percentage with its n of N, never a fake number.
    cell = wait(d, 120).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="chain-completeness"]')))
    assert re.fullmatch(r"\d{1,3}(\.\d)?%", cell.text.strip()), cell.text
    section = text_of(d, '[data-testid="assessment"]')
    assert "lifecycle events" in section and "NIST CSF 2.0 functions" in section, section
    assert "Time to revoke per system" in section and "Exception aging" in section, section
    # Issue #19's figures: a value, or "Not assessed" where the evidence was not imported.
    figures = texts_of(d, '[data-testid="credential-figure"]')
    assert len(figures) == 3, figures
    assert all("Not assessed" in f or re.search(r"\d+(\.\d)?%|\d+ d\b", f) for f in figures), figures
    d.execute_script("arguments[0].scrollIntoView({block: 'start'})", d.find_element(By.CSS_SELECTOR, '[data-testid="assessment"]'))
    time.sleep(0.3)
    demo_app.shot("demo-overview-assessment")
    for page in PAGES:
        go(d, page)
        time.sleep(0.4)
        demo_app.shot(f"demo-{page}")
    check_the_reviews_page(demo_app)
    check_the_signed_checkpoint(demo_app)
    go(d, "accounts")
    table = wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, "main table")))
    total = len(table.find_elements(By.CSS_SELECTOR, "tbody tr"))
    d.find_element(By.CSS_SELECTOR, '[data-testid="uncorrelated-only"]').click()
    time.sleep(0.3)
    shown = len(d.find_elements(By.CSS_SELECTOR, "main table tbody tr"))
    assert shown <= total
    demo_app.shot("demo-accounts-uncorrelated")
    review_the_analysis(demo_app)
    check_a_pack(demo_app)


def check_the_reviews_page(app):
    """The demo's Reviews page: its campaigns, or (before the demo has any) the empty state that
    says how to import one; also in a small window."""
    d = app.driver
    go(d, "reviews")
    wait(d, 120).until(
        lambda drv: drv.find_elements(By.CSS_SELECTOR, '[data-testid="campaign"]')
        or drv.find_elements(By.CSS_SELECTOR, '[data-testid="reviews-empty"]')
    )
    if not d.find_elements(By.CSS_SELECTOR, '[data-testid="campaign"]'):
        empty = text_of(d, '[data-testid="reviews-empty"]')
        assert "No access-review campaigns imported" in empty and "access-review" in empty, empty
    app.shot("demo-reviews")
    d.set_window_size(1024, 640)
    try:
        app.shot("demo-reviews-1024x640")
    finally:
        d.set_window_size(1280, 800)


def write_review_fixture(folder: Path) -> dict[str, Path]:
    """A tiny organisation with one access-review campaign: one system, its snapshot before the
    campaign starts (holding both items), a keep and a revoke decision, the revoke executed in
    the system's log two days later, and the next snapshot no longer showing the item."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "policy": folder / "policy.toml",
        "before": folder / "finance-app-2025-02-28.csv",
        "after": folder / "finance-app-2025-03-31.csv",
        "log": folder / "finance-app-log.csv",
        "decisions": folder / "q1-review-decisions.csv",
    }
    files["policy"].write_text(
        'format = "evidentia-policy/1"\n\n'
        '[organisation]\nname = "Review Test"\nperiod_start = 2025-01-01\nperiod_end = 2025-12-31\n\n'
        '[systems.finance-app]\nname = "Finance application"\ncriticality = "high"\nreconciled = true\n\n'
        '[reviews]\nrevoke_sla = "7d"\n'
    )
    snapshot_header = "System,As Of,Account,Identity,Entitlement,Status,Last Used\n"
    files["before"].write_text(
        snapshot_header
        + "finance-app,2025-02-28,alice.ng,alice.ng,GL-Reader,Matched,\n"
        + "finance-app,2025-02-28,bob.lee,bob.lee,GL-Admin,Matched,\n"
    )
    files["after"].write_text(snapshot_header + "finance-app,2025-03-31,alice.ng,alice.ng,GL-Reader,Matched,\n")
    files["log"].write_text(
        "Timestamp,System,Account,Action,Entitlement,Performed By,Result,Error,Request,Event ID\n"
        "2025-03-05T10:00:00Z,finance-app,bob.lee,Remove Role,GL-Admin,admin.jones,Success,,Q1-2025,FA-1\n"
    )
    campaign = "Q1-2025,Q1 2025 finance access review,finance-app,,2025-03-01T00:00:00Z,2025-03-15T00:00:00Z,2025-03-14T17:00:00Z"
    files["decisions"].write_text(
        "Campaign ID,Campaign Name,Campaign Systems,Campaign Scope,Campaign Start,Campaign Due,Campaign Closed,"
        "Item ID,Reviewer,Reviewer Role,Subject,System,Account,Entitlement,Decision,Decided At,Delegated To,Comment\n"
        f"{campaign},I-1,carol.diaz,manager,alice.ng,finance-app,alice.ng,GL-Reader,Keep,2025-03-03T09:00:00Z,,\n"
        f"{campaign},I-2,carol.diaz,manager,bob.lee,finance-app,bob.lee,GL-Admin,Revoke,2025-03-03T09:05:00Z,,left finance\n"
    )
    return files


def build_review_workspace(tmp_path: Path) -> Path:
    """The workspace the Reviews test opens, built through the CLI as a user would."""
    if not CLI.is_file():
        pytest.fail(f"{CLI} is missing: build it with `cargo build -p evidentia-cli` (or set EVIDENTIA_CLI_BIN)")
    files = write_review_fixture(tmp_path / "review-files")
    workspace = tmp_path / "reviews.evidentia"
    env = dict(os.environ, EVIDENTIA_KEY_DIR=str(tmp_path / "keys"))
    env.pop("EVIDENTIA_WORKSPACE", None)
    steps = [
        ["init"],
        ["policy", "set", str(files["policy"])],
        ["import", "--profile", "reconciliation-csv", str(files["before"]), str(files["after"])],
        ["import", "--profile", "provisioning-csv", str(files["log"])],
        ["import", "--profile", "access-review", str(files["decisions"])],
    ]
    for step in steps:
        run = subprocess.run(
            [str(CLI), "--workspace", str(workspace), *step], env=env, capture_output=True, text=True, timeout=120
        )
        assert run.returncode == 0, f"evidentia {' '.join(step)}: {run.stdout}{run.stderr}"
    return workspace


def test_open_reviews_and_follow_a_revoke_to_its_execution_entry(tmp_path):
    """Issue #15's acceptance: the Reviews page shows the campaign, and a revoke decision is
    followed to the system's removal entry, opened from the page."""
    from conftest import App, _launch

    workspace = build_review_workspace(tmp_path)
    proc, d = _launch(tmp_path, workspace)
    try:
        app = App(d, tmp_path, workspace)
        wait(d).until(lambda drv: "Ledger intact" in badge_text(drv))
        go(d, "reviews")
        card = '[data-testid="campaign"][data-campaign="Q1-2025"]'
        wait(d, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, card)))
        head = text_of(d, f"{card} .campaign-head")
        assert "Q1 2025 finance access review" in head and "Q1-2025" in head, head
        assert text_of(d, f'{card} [data-testid="campaign-status"]').strip() == "closed"
        coverage = text_of(d, f'{card} [data-testid="coverage"]')
        assert "100%" in coverage and "2 of 2 items decided" in coverage, coverage
        system = text_of(d, f'{card} [data-testid="review-system"][data-system="finance-app"]')
        assert "population not established" not in system, system

        # The revoke: decided, executed in the log, confirmed by the next snapshot.
        row = f'{card} [data-testid="revoke"]'
        assert len(d.find_elements(By.CSS_SELECTOR, row)) == 1
        assert "bob.lee" in text_of(d, row) and "GL-Admin" in text_of(d, row)
        assert text_of(d, f'{row} [data-testid="revoke-status"]').strip() == "on time"
        assert [s.strip() for s in texts_of(d, f'{row} [data-testid="step-status"]')] == ["revoke", "complete", "complete"]
        app.shot("reviews-campaign")

        # The decision's entry, then the execution's: the panel shows each ledger entry.
        viewer = '[data-testid="entry-viewer"]'
        decision = d.find_element(By.CSS_SELECTOR, f'{row} [data-step="decision"] [data-testid="open-entry"]')
        decision_seq = decision.get_attribute("data-seq")
        decision.click()
        wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, f'{viewer}[data-seq="{decision_seq}"] [data-testid="entry-kind"]')))
        assert text_of(d, f'{viewer} [data-testid="entry-kind"]').strip() == "record.review_decision"
        assert "bob.lee" in text_of(d, f'{viewer} [data-testid="entry-payload"]')
        # Escape closes the panel (it may cover the next link) and gives the focus back to the
        # entry link that opened it.
        d.switch_to.active_element.send_keys(Keys.ESCAPE)
        wait(d).until(lambda drv: not drv.find_elements(By.CSS_SELECTOR, viewer))
        assert d.switch_to.active_element.get_attribute("data-seq") == decision_seq

        execution = d.find_element(By.CSS_SELECTOR, f'{row} [data-step="execution"] [data-testid="open-entry"]')
        execution_seq = execution.get_attribute("data-seq")
        assert int(execution_seq) != int(decision_seq)
        # The removal is one row of an execution set: the link names that row and opens it
        # alone, with its own line of the log.
        execution_row = execution.get_attribute("data-row")
        assert execution_row is not None and int(execution_row) >= 1, execution_row
        assert execution.text.strip() == f"{execution_seq}:{execution_row}"
        execution.click()
        wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, f'{viewer}[data-seq="{execution_seq}"][data-row="{execution_row}"] [data-testid="entry-kind"]')))
        assert text_of(d, f'{viewer} [data-testid="entry-kind"]').strip() == "record.execution_set"
        row_payload = text_of(d, f'{viewer} [data-testid="entry-row-payload"]')
        assert "bob.lee" in row_payload and "GL-Admin" in row_payload and "FA-1" in row_payload, row_payload
        wait(d).until(lambda drv: text_of(drv, f'{viewer} [data-testid="entry-set-rows"]').strip().startswith(f"row {execution_row} of "))
        assert "bob.lee" in text_of(d, f'{viewer} [data-testid="entry-raw"]')
        assert f"Ledger entry #{execution_seq}, row {execution_row}" in text_of(d, viewer)
        app.shot("reviews-execution-entry")
        d.set_window_size(1024, 640)
        app.shot("reviews-execution-entry-1024x640")
        d.set_window_size(1280, 800)

        d.switch_to.active_element.send_keys(Keys.ESCAPE)
        wait(d).until(lambda drv: not drv.find_elements(By.CSS_SELECTOR, viewer))
        assert d.switch_to.active_element.get_attribute("data-seq") == execution_seq
    finally:
        d.quit()
        proc.terminate()
        proc.wait(timeout=10)


def focus_dialog(title: str):
    """Waits for the native dialog called `title` and gives it the keyboard."""
    subprocess.run(
        ["xdotool", "search", "--sync", "--onlyvisible", "--name", title, "windowfocus", "--sync"],
        check=True,
        timeout=20,
    )


def accept_save_dialog(title: str):
    """Accepts the native save dialog's suggested file (beside the workspace) with Enter."""
    focus_dialog(title)
    time.sleep(1.0)
    subprocess.run(["xdotool", "key", "Return"], check=True, timeout=10)


def cli(workspace: Path, *args: str, key_dir: Path) -> str:
    """Runs the CLI on a workspace and returns what it printed."""
    if not CLI.is_file():
        pytest.fail(f"{CLI} is missing: build it with `cargo build -p evidentia-cli` (or set EVIDENTIA_CLI_BIN)")
    env = dict(os.environ, EVIDENTIA_KEY_DIR=str(key_dir))
    env.pop("EVIDENTIA_WORKSPACE", None)
    run = subprocess.run(
        [str(CLI), "--workspace", str(workspace), *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, f"evidentia {' '.join(args)}: {run.stdout}{run.stderr}"
    return run.stdout


def test_a_sample_drawn_in_the_app_is_the_cli_sample(tmp_path):
    """Issue #16's acceptance for the desktop: the same seed and ledger give the same sample in
    the app and the CLI; every evidence entry opens in the entry viewer; the workpaper is written
    through the save dialog; bad requests are the backend's one-line message."""
    from conftest import App, _launch

    if not CLI.is_file():
        pytest.fail(f"{CLI} is missing: build it with `cargo build -p evidentia-cli` (or set EVIDENTIA_CLI_BIN)")
    workspace = tmp_path / "demo.evidentia"
    env = dict(os.environ, EVIDENTIA_KEY_DIR=str(tmp_path / "keys"))
    env.pop("EVIDENTIA_WORKSPACE", None)
    built = subprocess.run(
        [str(CLI), "demo", "--out", str(workspace)], env=env, capture_output=True, text=True, timeout=600
    )
    assert built.returncode == 0, built.stdout + built.stderr
    expected = json.loads(
        cli(workspace, "sample", "leavers", "--size", "5", "--seed", "audit-2025", "--json", key_dir=tmp_path / "keys")
    )
    keys = [item["key"] for item in expected["items"]]
    assert len(keys) == 5

    proc, d = _launch(tmp_path, workspace)
    try:
        app = App(d, tmp_path, workspace)
        wait(d, 180).until(lambda drv: "Ledger intact" in badge_text(drv))
        go(d, "sample")
        population = wait(d, 120).until(
            EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="sample-population"]'))
        )
        Select(population).select_by_value("leavers")
        option = text_of(d, '[data-testid="sample-population"] option[value="leavers"]')
        assert f"({expected['population']['count']})" in option, option
        size = d.find_element(By.CSS_SELECTOR, '[data-testid="sample-size"]')
        size.clear()
        size.send_keys("5")
        seed = d.find_element(By.CSS_SELECTOR, '[data-testid="sample-seed"]')
        seed.clear()
        seed.send_keys("audit-2025")
        d.find_element(By.CSS_SELECTOR, '[data-testid="draw-sample"]').click()
        rows = '[data-testid="sample-item"]'
        wait(d, 120).until(lambda drv: len(drv.find_elements(By.CSS_SELECTOR, rows)) == 5)

        # The acceptance: the entries shown are the CLI's items, in the CLI's order.
        shown = d.execute_script(
            "return Array.from(document.querySelectorAll(arguments[0]), e => e.dataset.seq)",
            '[data-testid="sample-item"] [data-testid="item-entry"]',
        )
        assert shown == keys, (shown, keys)
        assert shown == [str(item["entry"]) for item in expected["items"]]
        method = text_of(d, '[data-testid="sample-method"]')
        assert expected["population"]["digest"] in method, method
        assert expected["algorithm"] in method
        outcomes = [[a["result"] for a in item["attributes"]] for item in expected["items"]]
        shown_outcomes = [
            [o.strip() for o in texts_of(d, f'{rows}[data-number="{n}"] [data-testid="outcome"]')] for n in range(1, 6)
        ]
        assert shown_outcomes == outcomes, (shown_outcomes, outcomes)
        app.shot("sample-drawn")

        # A row shows its attributes; every evidence entry opens the entry viewer.
        last = expected["items"][-1]
        d.find_element(By.CSS_SELECTOR, f'{rows}[data-number="5"] td:nth-child(3)').click()
        detail = '[data-testid="sample-detail"][data-number="5"]'
        wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, detail)))
        notes = text_of(d, f'{detail} [data-testid="item-attribute"]')
        for a in last["attributes"]:
            assert a["note"] in notes, (a["note"], notes)
        evidence = [e for a in last["attributes"] for e in a["evidence"]]
        links = d.execute_script(
            "return Array.from(document.querySelectorAll(arguments[0]), e => Number(e.dataset.seq))",
            f'{detail} [data-testid="item-attribute"] [data-testid="open-entry"]',
        )
        assert links == evidence, (links, evidence)
        viewer = '[data-testid="entry-viewer"]'
        link = d.find_elements(By.CSS_SELECTOR, f'{detail} [data-testid="item-attribute"] [data-testid="open-entry"]')[-1]
        seq = link.get_attribute("data-seq")
        link.click()
        wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, f'{viewer}[data-seq="{seq}"] [data-testid="entry-kind"]')))
        assert f"Ledger entry #{seq}" in text_of(d, viewer)
        app.shot("sample-entry")
        d.switch_to.active_element.send_keys(Keys.ESCAPE)
        wait(d).until(lambda drv: not drv.find_elements(By.CSS_SELECTOR, viewer))
        assert d.switch_to.active_element.get_attribute("data-seq") == seq
        # The item's own entry, from the table.
        first = d.find_element(By.CSS_SELECTOR, f'{rows}[data-number="1"] [data-testid="item-entry"]')
        first.click()
        wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, f'{viewer}[data-seq="{keys[0]}"] [data-testid="entry-kind"]')))
        assert text_of(d, f'{viewer} [data-testid="entry-kind"]').strip() == "record.lifecycle_event"
        d.switch_to.active_element.send_keys(Keys.ESCAPE)
        wait(d).until(lambda drv: not drv.find_elements(By.CSS_SELECTOR, viewer))

        # A leaver's removals are rows of execution sets: each cited row is a link that opens
        # that row alone, as the CLI lists it.
        with_rows = [n for n, item in enumerate(expected["items"], 1) if any(a.get("evidence_rows") for a in item["attributes"])]
        assert with_rows, "the demo's leavers are removed by logged executions, stored in sets"
        n = with_rows[0]
        d.find_element(By.CSS_SELECTOR, f'{rows}[data-number="{n}"] td:nth-child(3)').click()
        detail = f'[data-testid="sample-detail"][data-number="{n}"]'
        wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, detail)))
        row_links = d.execute_script(
            "return Array.from(document.querySelectorAll(arguments[0]), e => [Number(e.dataset.seq), Number(e.dataset.row)])",
            f'{detail} [data-testid="item-attribute"] [data-testid="open-row"]',
        )
        cited = [[r["entry"], r["row"]] for a in expected["items"][n - 1]["attributes"] for r in a.get("evidence_rows", [])]
        assert row_links == cited, (row_links, cited)
        seq, row = row_links[0]
        d.find_element(By.CSS_SELECTOR, f'{detail} [data-testid="open-row"][data-seq="{seq}"][data-row="{row}"]').click()
        wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, f'{viewer}[data-seq="{seq}"][data-row="{row}"] [data-testid="entry-row-payload"]')))
        assert f"Ledger entry #{seq}, row {row}" in text_of(d, viewer)
        app.shot("sample-row-entry")
        d.switch_to.active_element.send_keys(Keys.ESCAPE)
        wait(d).until(lambda drv: not drv.find_elements(By.CSS_SELECTOR, viewer))

        d.set_window_size(1024, 640)
        try:
            app.shot("sample-drawn-1024x640")
            # The items table scrolls inside its card; the page itself does not scroll sideways.
            assert d.execute_script("const m = document.querySelector('main'); return m.scrollWidth <= m.clientWidth + 1")
        finally:
            d.set_window_size(1280, 800)

        # The workpaper, through the real save dialog, beside the workspace.
        d.find_element(By.CSS_SELECTOR, '[data-testid="write-workpaper"]').click()
        accept_save_dialog("Write the sample workpaper")
        wait(d, 120).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="workpaper-written"]')))
        paper = tmp_path / "leavers-sample.xlsx"
        assert paper.is_file() and paper.stat().st_size > 0
        assert str(paper) in text_of(d, '[data-testid="workpaper-written"]')
        # An XLSX (a zip holding the workbook), its Sample sheet naming the sampled entries.
        import zipfile
        with zipfile.ZipFile(paper) as book:
            strings = book.read("xl/sharedStrings.xml").decode()
            assert "xl/workbook.xml" in book.namelist()
        assert "audit-2025" in strings and "evidentia-sample/1" in strings

        # Bad requests: the backend's one-line message, in the page.
        size.clear()
        size.send_keys("100000")
        d.find_element(By.CSS_SELECTOR, '[data-testid="draw-sample"]').click()
        wait(d, 120).until(has_text('[data-testid="sample-error"]', "is larger than population leavers"))
        size.clear()
        size.send_keys("5")
        # clear() fires no input event, so the page would keep the old seed; erase it as a person would.
        seed.send_keys(Keys.CONTROL, "a")
        seed.send_keys(Keys.BACKSPACE)
        d.find_element(By.CSS_SELECTOR, '[data-testid="draw-sample"]').click()
        wait(d, 120).until(has_text('[data-testid="sample-error"]', "the seed is empty"))
        app.shot("sample-error")
    finally:
        d.quit()
        proc.terminate()
        proc.wait(timeout=10)


def check_the_signed_checkpoint(app):
    """The demo is built with a signing key and a signed checkpoint: the Integrity page shows the
    checkpoint's note and the public key, and exports both through the real save dialog."""
    d = app.driver
    go(d, "integrity")
    row = wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="checkpoint-row"]')))
    assert row.get_attribute("data-signed") == "true"
    assert "signed" in row.get_attribute("textContent")
    note = wait(d).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="checkpoint-note"]'))
    ).get_attribute("textContent")
    origin, size, root, blank, signature = note.split("\n")[:5]
    assert origin.startswith("evidentia/") and size.isdigit() and len(root) == 44 and blank == "", note
    assert signature.startswith(f"\u2014 {origin} "), note
    vkey = text_of(d, '[data-testid="public-key-text"]').strip()
    assert vkey.startswith(f"{origin}+"), vkey
    assert "another channel" in text_of(d, '[data-testid="trust-guidance"]')
    # The demo's private key is in the session's key folder, not the user's.
    assert str(app.home / "keys") in text_of(d, '[data-testid="private-key"]')
    d.execute_script("arguments[0].scrollIntoView({block: 'start'})", d.find_element(By.CSS_SELECTOR, '[data-testid="signing"]'))
    app.shot("demo-integrity-signed-checkpoint")

    exports = [
        ("export-public-key", "Export the public key", "public-key"),
        ("export-checkpoint", "Export the signed checkpoint", "signed-checkpoint"),
    ]
    for button, title, block in exports:
        d.find_element(By.CSS_SELECTOR, f'[data-testid="{button}"]').click()
        accept_save_dialog(title)
        wait(d).until(has_text(f'[data-testid="{block}"]', "Written to"))
    written = app.home / "data" / "org.evidentia.desktop"
    pem = (written / "demo-public-key.pem").read_text()
    assert pem.startswith("-----BEGIN PUBLIC KEY-----"), pem
    assert (written / f"demo-checkpoint-{size}.note").read_text() == note


def check_a_pack(app):
    """A pack written on the Reports page, chosen through the real open dialog and checked on
    the Integrity page. (One dialog only, to keep the run short: choosing the public key too
    costs another 8 s; the signature check itself is the façade's, tested there.)"""
    d = app.driver
    go(d, "reports")
    d.find_element(By.CSS_SELECTOR, '[data-testid="output-pack"]').click()
    wait(d).until(has_text('[data-testid="output-path"]', ".zip"))
    pack = Path(text_of(d, '[data-testid="output-path"]').strip())
    written = len(d.find_elements(By.CSS_SELECTOR, '[data-testid="output-result"]'))
    d.find_element(By.CSS_SELECTOR, '[data-testid="generate"]').click()
    wait(d, 180).until(lambda drv: len(drv.find_elements(By.CSS_SELECTOR, '[data-testid="output-result"]')) > written)
    assert pack.is_file(), pack

    go(d, "integrity")
    panel = '[data-testid="pack-check"]'
    pick_file(d, pack, (By.CSS_SELECTOR, '[data-testid="choose-pack"]'), "Choose the evidence pack to check", panel)
    d.find_element(By.CSS_SELECTOR, '[data-testid="check-pack"]').click()
    result = wait(d, 120).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="pack-result"]')))
    assert result.get_attribute("data-verdict") == "intact", result.get_attribute("textContent")
    assert "Pack intact" in result.get_attribute("textContent")
    # The demo's pack carries its signed checkpoint; without a key the page says what to do.
    assert "holds a signed checkpoint" in text_of(d, '[data-testid="pack-signature"]')
    d.execute_script("arguments[0].scrollIntoView({block: 'start'})", d.find_element(By.CSS_SELECTOR, panel))
    app.shot("demo-integrity-pack-intact")


def review_the_analysis(app, prefix="demo"):
    """Events, findings and exceptions of the demo's recorded analysis, through the keyboard
    and the links between pages."""
    d = app.driver
    # Events: the virtualized table pages from the projection; arrows select, Enter opens.
    go(d, "events")
    wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="events-table"] .row[data-seq]')))
    count = text_of(d, '[data-testid="events-count"]')
    assert " of " in count and "events" in count, count
    rendered = len(d.find_elements(By.CSS_SELECTOR, '[data-testid="events-table"] .row'))
    total = int(count.split(" of ")[1].split()[0].replace(",", ""))
    assert 0 < rendered < total, (rendered, total)  # only the visible rows are in the DOM
    table = d.find_element(By.CSS_SELECTOR, '[data-testid="events-table"]')
    table.click()
    for _ in range(3):
        table.send_keys(Keys.ARROW_DOWN)
    table.send_keys(Keys.ENTER)
    wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="chain-system"]')))
    chain = text_of(d, '[data-testid="event-chain"]')
    assert "Decision" in chain and "Execution" in chain and "Confirmation" in chain, chain
    statuses = texts_of(d, '[data-testid="link-status"]')
    assert statuses and all(s in {"complete", "missing", "late", "failed", "unconfirmed", "contradicted"} for s in statuses)
    # Each link's evidence: a whole entry (#17) or, for a row of a set entry, 17:5.
    seqs = texts_of(d, '[data-testid="evidence-seq"]')
    assert seqs and all(re.fullmatch(r"#\d+|\d+:\d+", s.strip()) for s in seqs), seqs
    app.shot(f"{prefix}-events-chain")
    # A filter narrows the table (leavers only).
    Select(d.find_element(By.CSS_SELECTOR, '[data-testid="filter-kind"]')).select_by_value("leaver")
    wait(d).until(lambda drv: text_of(drv, '[data-testid="events-count"]') != count)
    rows = texts_of(d, '[data-testid="events-table"] .row[data-seq]')
    assert rows and all("Leaver" in r for r in rows)
    app.shot(f"{prefix}-events-leavers")

    # Findings: by framework, a control with findings lists them with their evidence.
    go(d, "findings")
    wait(d, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="control"][data-status="findings"]')))
    d.find_element(By.CSS_SELECTOR, '[data-testid="control"][data-status="findings"]').click()
    wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="finding"]')))
    assert "Evidence: #" in text_of(d, '[data-testid="findings-detail"]')
    app.shot(f"{prefix}-findings-framework")
    Select(d.find_element(By.CSS_SELECTOR, '[data-testid="framework"]')).select_by_value("owasp-nhi-2025")
    time.sleep(0.3)
    app.shot(f"{prefix}-findings-owasp")
    d.find_element(By.CSS_SELECTOR, '[data-testid="mode-check"]').click()
    wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="finding"]')))
    app.shot(f"{prefix}-findings-by-check")
    # Items a check could not judge are listed apart from the findings, labelled "Not assessed",
    # each with why (the demo has NHI credentials with no last-used information).
    d.find_element(By.CSS_SELECTOR, '[data-testid="mode-table"]').click()
    card = wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="not-assessed"]')))
    items = texts_of(d, '[data-testid="not-assessed-item"]')
    assert items and all("Not assessed" in i and "Why: " in i for i in items), items
    assert text_of(d, '[data-testid="not-assessed-count"]').startswith(f"{len(items)} item"), items
    assert not any("Not assessed" in r for r in texts_of(d, '[data-testid="finding-row"]'))
    d.execute_script("arguments[0].scrollIntoView({block: 'start'})", card)
    time.sleep(0.3)
    app.shot(f"{prefix}-findings-not-assessed")
    d.find_element(By.CSS_SELECTOR, '[data-testid="mode-check"]').click()
    wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="check"]')))
    # A finding that rests on a lifecycle event opens that event's chain on the Events page.
    for check in d.find_elements(By.CSS_SELECTOR, '[data-testid="check"]'):
        check.click()
        if d.find_elements(By.CSS_SELECTOR, '[data-testid="open-chain"]'):
            break
    d.find_element(By.CSS_SELECTOR, '[data-testid="open-chain"]').click()
    wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, 'nav [data-page="events"][aria-current="page"]')))
    wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="chain-system"]')))
    # Its row is selected in the table, scrolled into view.
    opened = text_of(d, '[data-testid="event-chain"] .chain-head')
    row = wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="events-table"] .row.selected[data-seq]')))
    assert f"ledger entry #{row.get_attribute('data-seq')}" in opened, opened
    app.shot(f"{prefix}-events-from-finding")

    # Exceptions: the aging chart and the table, sortable.
    go(d, "exceptions")
    chart = wait(d, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="aging-chart"]')))
    assert len(chart.find_elements(By.CSS_SELECTOR, "rect")) == 5
    rows = d.find_elements(By.CSS_SELECTOR, '[data-testid="exceptions-table"] tbody tr')
    assert rows
    app.shot(f"{prefix}-exceptions")

    # Reports: a PDF written to the default path beside the workspace, found on disk.
    go(d, "reports")
    wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="generate"]')))
    app.shot(f"{prefix}-reports")
    if prefix != "demo":
        return
    target = Path(text_of(d, '[data-testid="output-path"]').strip())
    assert target.name.endswith(".pdf") and "report-nist-csf-2.0" in target.name, target
    d.find_element(By.CSS_SELECTOR, '[data-testid="generate"]').click()
    wait(d, 120).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="output-result"]')))
    assert target.is_file(), target
    assert target.read_bytes()[:5] == b"%PDF-"
    assert "pages" in text_of(d, '[data-testid="output-result"]')
    app.shot(f"{prefix}-reports-written")


def test_the_theme_follows_the_system(tmp_path):
    """A dark desktop theme gives the dark palette (prefers-color-scheme), nothing to configure."""
    from conftest import App, _launch

    proc, d = _launch(tmp_path, tmp_path / "dark.evidentia", {"GTK_THEME": "Adwaita:dark"})
    try:
        app = App(d, tmp_path, tmp_path / "dark.evidentia")
        wait(d).until(lambda drv: "Ledger intact" in badge_text(drv))
        assert d.execute_script("return matchMedia('(prefers-color-scheme: dark)').matches")
        background = d.execute_script("return getComputedStyle(document.body).backgroundColor")
        assert background != "rgb(245, 246, 248)", background
        app.shot("dark-overview")
        go(d, "integrity")
        app.shot("dark-integrity")
        # The analysis pages in the dark palette, on the demo opened from the File menu.
        d.find_element(By.CSS_SELECTOR, "header .trigger").click()
        wait(d).until(has_text('[role="menu"]', "Open demo workspace"))
        d.find_element(By.XPATH, "//button[normalize-space()='Open demo workspace']").click()
        wait(d, 180).until(lambda drv: "Demo workspace" in text_of(drv, "header"))
        wait(d, 60).until(lambda drv: "Ledger intact" in badge_text(drv))
        review_the_analysis(app, prefix="dark")
    finally:
        d.quit()
        proc.terminate()
        proc.wait(timeout=10)


def test_an_altered_ledger_names_its_first_bad_entry(tmp_path):
    """Edit entry 1 behind the app's back (as an attacker with the file would): the header and
    the Integrity page say the ledger was altered, and where."""
    import sqlite3

    from conftest import App, _launch

    workspace = tmp_path / "tampered.evidentia"
    proc, d = _launch(tmp_path, workspace)
    try:
        wait(d).until(lambda drv: "Ledger intact" in badge_text(drv))
    finally:
        d.quit()
        proc.terminate()
        proc.wait(timeout=10)

    con = sqlite3.connect(workspace)
    con.execute("DROP TRIGGER ledger_entries_no_update")
    con.execute(
        "UPDATE ledger_entries SET payload = "
        "CAST(replace(CAST(payload AS TEXT), 'evidentia', 'evidentiX') AS BLOB) WHERE seq = 1"
    )
    con.commit()
    con.close()

    proc, d = _launch(tmp_path, workspace)
    try:
        app = App(d, tmp_path, workspace)
        wait(d).until(lambda drv: "Altered at entry 1" in badge_text(drv))
        go(d, "integrity")
        wait(d).until(has_text('[data-testid="verify-result"]', "Ledger altered at entry #1"))
        app.shot("07-integrity-altered")
    finally:
        d.quit()
        proc.terminate()
        proc.wait(timeout=10)


def read_xlsx_rows(path: Path) -> list[list[str]]:
    """The first sheet's cells as text, row by row (shared strings resolved): enough of the
    XLSX format to check what the app wrote without a spreadsheet program."""
    import xml.etree.ElementTree as ET
    import zipfile

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as z:
        strings = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns):
                strings.append("".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")))
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(f"{{{ns['m']}}}row"):
        cells: dict[int, str] = {}
        for c in row.findall("m:c", ns):
            ref = c.get("r", "")
            col = 0
            for ch in re.match(r"[A-Z]+", ref).group(0):
                col = col * 26 + (ord(ch) - 64)
            v = c.find("m:v", ns)
            text = "" if v is None else v.text or ""
            if c.get("t") == "s":
                text = strings[int(text)]
            elif c.get("t") == "inlineStr":
                text = "".join(t.text or "" for t in c.iter(f"{{{ns['m']}}}t"))
            cells[col - 1] = text
        width = max(cells) + 1 if cells else 0
        rows.append([cells.get(i, "") for i in range(width)])
    return rows


def open_a_raw_line_from_a_finding(app, samples: Path):
    """Issue #17: an entry number on a finding opens the entry viewer with the source file, its
    line and the raw line, byte for byte the line of the sample file the demo imported."""
    d = app.driver
    go(d, "findings")
    wait(d, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="mode-table"]'))).click()
    wait(d, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="finding-row"]')))
    links = d.find_elements(By.CSS_SELECTOR, '[data-testid="finding-row"] [data-testid="entry-link"]')
    assert links, "findings cite no entries"
    # Inventory sets and one-document JSON files have no single line: try until a record has one.
    for link in links[:40]:
        seq = link.get_attribute("data-seq")
        # The viewer sits beside the page, over the table's right side: close it first.
        for close in d.find_elements(By.CSS_SELECTOR, '[data-testid="entry-viewer"] button[aria-label="Close the entry"]'):
            close.click()
        # Names arrive after the table first renders and can move a row: scroll again and retry.
        for attempt in range(4):
            d.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'nearest'})", link)
            time.sleep(0.3)
            try:
                link.click()
                break
            except ElementNotInteractableException:
                if attempt == 3:
                    # WebDriver's hit test refuses it (seen only late in the full run): record
                    # what the window showed, then press the button as the page would.
                    app.shot("findings-link-not-interactable")
                    d.execute_script("arguments[0].click()", link)
        wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, f'[data-testid="entry-viewer"][data-seq="{seq}"]')))
        wait(d).until(lambda drv: not has_text('[data-testid="entry-source"]', "Reading the source file")(drv))
        if d.find_elements(By.CSS_SELECTOR, '[data-testid="entry-raw"]'):
            break
    else:
        pytest.fail("no finding's evidence showed a raw line")
    name = text_of(d, '[data-testid="entry-file-name"]').strip()
    line = int(text_of(d, '[data-testid="entry-line"]').replace(",", ""))
    raw = text_of(d, '[data-testid="entry-raw"]')
    found = [p for p in samples.rglob(name) if p.is_file()]
    assert found, f"{name} is not among the demo's sample files under {samples}"
    lines = found[0].read_bytes().split(b"\n")
    expected = lines[line - 1].removesuffix(b"\r").decode("utf-8")
    assert raw == expected, (raw, expected)
    app.shot("entry-viewer-raw-line")
    d.find_element(By.CSS_SELECTOR, '[data-testid="entry-viewer"] button[aria-label="Close the entry"]').click()


def filter_and_export_findings(app, workspace_dir: Path):
    """Issue #17: Findings filtered by severity and search, exported as CSV and XLSX through the
    real save dialog; both files hold exactly the rows and columns on screen."""
    d = app.driver
    go(d, "findings")
    wait(d, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="finding-row"]')))
    total = len(d.find_elements(By.CSS_SELECTOR, '[data-testid="finding-row"]'))
    severity = Select(d.find_element(By.CSS_SELECTOR, '[data-testid="findings-filter-severity"]'))
    options = [o.get_attribute("value") for o in severity.options if o.get_attribute("value")]
    assert options, "no severities to filter on"
    # The severity with the most findings, so the filter keeps some and drops some.
    counts = {o: len(d.find_elements(By.CSS_SELECTOR, f'[data-testid="finding-row"][data-severity="{o}"]')) for o in options}
    chosen = max(counts, key=counts.get)
    severity.select_by_value(chosen)
    wait(d).until(lambda drv: len(drv.find_elements(By.CSS_SELECTOR, '[data-testid="finding-row"]')) == counts[chosen])
    # Then a search word taken from the first row's check, narrowing further (or not) by text.
    first_check = texts_of(d, '[data-testid="finding-row"] td:nth-child(2)')[0].strip()
    search = d.find_element(By.CSS_SELECTOR, '[data-testid="findings-search"]')
    search.send_keys(first_check)
    wait(d).until(lambda drv: all(first_check in r for r in texts_of(drv, '[data-testid="finding-row"]')))
    # Each shown cell's text; the evidence cell shows three links and says "+N more", its
    # title holds every entry (what the export writes).
    shown = d.execute_script(
        "return Array.from(document.querySelectorAll('[data-testid=\"finding-row\"]'),"
        " r => Array.from(r.querySelectorAll('td')).slice(0, -1).map(c => c.classList.contains('evidence-cell') ? c.title : c.textContent.trim()))"
    )
    headers = d.execute_script(
        "return Array.from(document.querySelectorAll('[data-testid=\"findings-table\"] thead th[data-col]'), h => h.textContent.trim().replace(/[▲▼]$/, ''))"
    )
    assert shown and len(shown) <= counts[chosen] < total, (len(shown), counts[chosen], total)
    count = text_of(d, '[data-testid="findings-count"]')
    assert count.startswith(f"{len(shown)} of {total}"), count
    app.shot("findings-filtered")

    for fmt in ("csv", "xlsx"):
        before = set(workspace_dir.glob(f"findings-*.{fmt}"))
        d.find_element(By.CSS_SELECTOR, f'[data-testid="findings-export-{fmt}"]').click()
        accept_save_dialog("Export Findings")
        deadline = time.time() + 30
        while time.time() < deadline and not (set(workspace_dir.glob(f"findings-*.{fmt}")) - before):
            time.sleep(0.3)
        written = sorted(set(workspace_dir.glob(f"findings-*.{fmt}")) - before)
        assert written, f"no {fmt} file appeared in {workspace_dir}"
        if fmt == "csv":
            import csv
            import io

            rows = list(csv.reader(io.StringIO(written[0].read_text(encoding="utf-8"), newline="")))
        else:
            time.sleep(0.5)
            rows = read_xlsx_rows(written[0])
        assert rows[0] == headers, (rows[0], headers)
        body = [[c.removeprefix("'") for c in r] for r in rows[1:]]
        # Entry lists render with spaces between the links on screen; the file joins them with one.
        # An XLSX row ends at its last non-empty cell, so trailing empty cells are not compared.
        def norm(r):
            cells = [" ".join(c.split()) for c in r]
            while cells and cells[-1] == "":
                cells.pop()
            return cells
        assert [norm(r) for r in body] == [norm(r) for r in shown], (fmt, body[:3], shown[:3])
        assert all(r[0] == chosen for r in body), fmt
        written[0].unlink()


def narrow_window_keeps_status(app):
    """Issue #17: at 1024×640 the sidebar folds and Events keeps its Status column on screen;
    every page is screenshotted at that size."""
    d = app.driver
    d.set_window_size(1024, 640)
    wait(d).until(lambda drv: drv.execute_script("return window.innerWidth") <= 1024)
    wait(d).until(lambda drv: drv.find_element(By.CSS_SELECTOR, '[data-testid="shell"]').get_attribute("data-folded") == "true")
    go(d, "events")
    wait(d, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="events-table"] .row[data-seq]')))
    time.sleep(0.5)
    geometry = d.execute_script(
        """
        const head = Array.from(document.querySelectorAll('.thead span')).find(s => s.textContent.trim() === 'Status');
        const pill = document.querySelector('[data-testid="events-table"] .row[data-seq] span:last-child .pill');
        const card = document.querySelector('.table-card').getBoundingClientRect();
        const r = e => { const b = e.getBoundingClientRect(); return [b.left, b.right, b.width]; };
        return {head: head ? r(head) : null, pill: pill ? r(pill) : null, card: [card.left, card.right], width: window.innerWidth,
                pillText: pill ? pill.textContent : null};
        """
    )
    assert geometry["head"] and geometry["pill"], geometry
    for name in ("head", "pill"):
        left, right, width = geometry[name]
        assert width > 20 and left >= geometry["card"][0] and right <= geometry["card"][1] + 0.5, geometry
        assert right <= geometry["width"], geometry
    assert geometry["pillText"].strip(), geometry
    app.shot("narrow-events")
    busy = ("Running the checks", "Ageing the exceptions", "running every check", "Reading the", "Opening workspace",
            "Correlating the accounts")
    for page in PAGES:
        go(d, page)
        # Screenshots of the page as users see it once loaded, not of its loading line.
        wait(d, 90).until(lambda drv: not any(b in text_of(drv, "main") for b in busy))
        time.sleep(0.5)
        app.shot(f"narrow-{page}")
    # Import never scrolls sideways.
    go(d, "import")
    time.sleep(0.5)
    overflow = d.execute_script("const m = document.querySelector('main'); return m.scrollWidth - m.clientWidth")
    assert overflow <= 1, overflow
    d.set_window_size(1280, 800)


def set_field(d, css: str, value: str):
    """Sets a form field as typing would (date inputs included, which WebKitWebDriver cannot
    type into reliably) and lets the page's binding see it."""
    field = d.find_element(By.CSS_SELECTOR, css)
    d.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
        field,
        value,
    )


def respond_and_see_it_in_the_report(app):
    """Issue #17: a management response recorded on a finding in the app (a bad one refused with
    its reason first, nothing recorded) appears in the PDF report written afterwards."""
    d = app.driver
    go(d, "findings")
    wait(d, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="mode-check"]'))).click()
    wait(d, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="finding"]')))
    finding = d.find_element(By.CSS_SELECTOR, '[data-testid="finding"]')
    assert "No management response recorded." in finding.get_attribute("textContent")
    finding.find_element(By.CSS_SELECTOR, '[data-testid="respond"]').click()
    wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="response-form"]')))
    d.find_element(By.CSS_SELECTOR, '[data-testid="response-owner"]').send_keys("Head of IT")
    # The demo's findings are judged as of 2026-01-01: a due date after it.
    set_field(d, '[data-testid="response-due"]', "2026-03-31")
    Select(d.find_element(By.CSS_SELECTOR, '[data-testid="response-status"]')).select_by_value("risk-accepted")
    phrase = "Compensating control: weekly manual review until the vendor fix ships."
    d.find_element(By.CSS_SELECTOR, '[data-testid="response-text"]').send_keys(phrase)
    # An accepted risk without an expiry is refused with its reason; nothing is recorded.
    d.find_element(By.CSS_SELECTOR, '[data-testid="response-save"]').click()
    error = wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="response-error"]')))
    assert "expiry" in error.get_attribute("textContent"), error.get_attribute("textContent")
    app.shot("findings-response-refused")
    set_field(d, '[data-testid="response-accepted-until"]', "2099-12-31")
    d.find_element(By.CSS_SELECTOR, '[data-testid="response-save"]').click()
    chip = wait(d, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="response-status-chip"]')))
    assert "Risk accepted until 2099-12-31" in chip.get_attribute("textContent"), chip.get_attribute("textContent")
    app.shot("findings-response-recorded")
    # The ledger holds exactly one response, the accepted one: the refused one left nothing.
    workspace = Path(d.find_element(By.CSS_SELECTOR, "header .ws-name").get_attribute("title"))
    history = json.loads(cli(workspace, "--json", "responses", key_dir=app.home / "keys"))
    assert [r["response"] for r in history] == [phrase], history

    # The report written now shows the response under its finding.
    go(d, "reports")
    wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="generate"]')))
    target = Path(text_of(d, '[data-testid="output-path"]').strip())
    assert target.name.endswith(".pdf"), target
    d.find_element(By.CSS_SELECTOR, '[data-testid="generate"]').click()
    wait(d, 180).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="output-result"]')))
    assert target.is_file(), target
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert phrase in flat, "the report lacks the response"
    assert "Response (risk accepted, Head of IT" in flat
    app.shot("reports-with-response")


def test_from_a_number_to_its_source_and_tables_with_tools(demo_app):
    """Issue #17's acceptance on the demo workspace: open an entry from a finding and see its
    raw source line; filter and export Findings; Events keeps Status at 1024×640; record a
    management response and see it in a regenerated PDF."""
    d = demo_app.driver
    wait(d, 180).until(lambda drv: "Ledger intact" in badge_text(drv))
    workspace = Path(d.find_element(By.CSS_SELECTOR, "header .ws-name").get_attribute("title"))
    assert workspace.is_file(), workspace
    # The demo's sample files are written out beside the app's data (src-tauri/src/demo.rs).
    samples = demo_app.home / "data"
    open_a_raw_line_from_a_finding(demo_app, samples)
    filter_and_export_findings(demo_app, workspace.parent)
    narrow_window_keeps_status(demo_app)
    respond_and_see_it_in_the_report(demo_app)


def test_a_team_workspace_opened_from_the_file_menu(tmp_path):
    """Issue #18 in the real window: the demo moved to a PostgreSQL workspace, analysed there by
    another user from the CLI, opened through File → Open team workspace…; the header names the
    server (no password) and the acting user, the ledger verifies, Events pages the run another
    user recorded (rebuilt in this client's own cache) and a checkpoint records who made it."""
    from conftest import App, _launch

    admin = os.environ.get("EVIDENTIA_TEST_PG_URL", "").strip()
    if not admin:
        pytest.skip("SKIPPED: EVIDENTIA_TEST_PG_URL is not set (make test starts a server)")
    if not CLI.is_file():
        pytest.fail(f"{CLI} is missing: build it with `cargo build -p evidentia-cli` (or set EVIDENTIA_CLI_BIN)")
    keys = tmp_path / "keys"
    file_ws = tmp_path / "demo.evidentia"
    env = dict(os.environ, EVIDENTIA_KEY_DIR=str(keys), EVIDENTIA_CACHE_DIR=str(tmp_path / "cli-cache"))
    env.pop("EVIDENTIA_WORKSPACE", None)

    def run(*args):
        done = subprocess.run([str(CLI), *args], env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"evidentia {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    database = f"evt_e2e_team_{os.getpid()}"
    base = admin.rsplit("/", 1)[0]
    url = f"{base}/{database}"
    subprocess.run(["psql", "-X", "-q", "-d", admin, "-c", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], check=True)
    try:
        run("demo", "--out", str(file_ws))
        run("migrate", "--from", str(file_ws), "--to", url)
        recorded = json.loads(run("--workspace", url, "--user", "alice", "--json", "analyze"))
        assert recorded["recorded_by"] == "alice", recorded

        proc, d = _launch(tmp_path, tmp_path / "start.evidentia")
        try:
            app = App(d, tmp_path, None)
            wait(d, 60).until(lambda drv: "Ledger intact" in badge_text(drv))
            d.find_element(By.CSS_SELECTOR, "header .trigger").click()
            d.find_element(By.CSS_SELECTOR, '[data-testid="open-team"]').click()
            wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="team-dialog"]')))
            d.find_element(By.CSS_SELECTOR, '[data-testid="team-url"]').send_keys(url)
            d.find_element(By.CSS_SELECTOR, '[data-testid="team-open"]').click()
            wait(d, 60).until(has_text("header .ws-name", database))
            wait(d, 180).until(lambda drv: "Ledger intact" in badge_text(drv))
            assert "as e2e-tester" in text_of(d, '[data-testid="acting-user"]')
            # The run alice recorded, though this client never cached it.
            wait(d, 180).until(has_text('[data-testid="assessment-source"]', "the recorded analysis is entry"))
            app.shot("40-team-workspace-overview")

            go(d, "events")
            wait(d, 180).until(
                EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="events-table"] .row[data-seq]'))
            )
            count = text_of(d, '[data-testid="events-count"]')
            assert " of " in count and "events" in count, count
            app.shot("41-team-workspace-events")

            go(d, "integrity")
            before = len(d.find_elements(By.CSS_SELECTOR, '[data-testid="checkpoint-row"]'))
            d.find_element(By.XPATH, "//button[normalize-space()='Create checkpoint']").click()
            wait(d, 120).until(
                lambda drv: len(drv.find_elements(By.CSS_SELECTOR, '[data-testid="checkpoint-row"]')) == before + 1
            )
            newest = d.find_elements(By.CSS_SELECTOR, '[data-testid="checkpoint-row"]')[0].get_attribute("textContent")
            assert "e2e-tester" in newest, newest
            app.shot("42-team-workspace-checkpoint")
        finally:
            d.quit()
            proc.terminate()
            proc.wait(timeout=10)
        listed = run("--workspace", url, "checkpoint", "--list")
        assert "by e2e-tester" in listed, listed
    finally:
        subprocess.run(["psql", "-X", "-q", "-d", admin, "-c", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"])


def roles_sql(database: str) -> tuple[str, list[str], str]:
    """The `sql` block of docs/team-workspaces.md "## Roles" as written, for `database` (put
    where it says `engagement`, as the read-only trial does): the SQL, every role it creates
    (dropped in reverse at the end) and the login it makes `IN ROLE …_reader`."""
    doc = (ROOT / "docs/team-workspaces.md").read_text()
    section = next(s for s in doc.split("\n## ") if s.startswith("Roles"))
    sql = section.split("```sql\n")[1].split("```")[0].replace("engagement", database)
    created, reader = [], None
    # Comments out first: one holds a ";" that would split a statement in two.
    code = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    for statement in code.split(";"):
        words = statement.split()
        if words[:2] == ["CREATE", "ROLE"]:
            created.append(words[2])
            if "LOGIN" in words and words[-1] == f"{database}_reader":
                reader = words[2]
    assert reader and f"{database}_writer" in created, f"the Roles SQL of docs/team-workspaces.md: {created}"
    return sql, created, reader


def save_in_dialog(path: Path, title: str):
    """Answers a native save dialog with a full path typed over its proposed name (a team
    workspace has no folder of its own to propose)."""
    focus_dialog(title)
    time.sleep(1.5)
    subprocess.run(["xdotool", "key", "ctrl+a"], check=True, timeout=10)
    subprocess.run(["xdotool", "type", "--delay", "60", str(path)], check=True, timeout=60)
    time.sleep(1.0)
    subprocess.run(["xdotool", "key", "Return"], check=True, timeout=10)


def test_a_reader_sees_a_read_only_team_workspace_and_writes_nothing(tmp_path):
    """Issue #18's read-only role in the real window: the demo moved to a PostgreSQL workspace
    and analysed there by its owner from the CLI; a reader login made with the Roles SQL of
    docs/team-workspaces.md opens it through File → Open team workspace…. The ledger verifies,
    the Overview shows the owner's run, the header says read-only before any write is tried and
    every write action is disabled with a tooltip saying why; the PDF report and the evidence
    pack are written for the reader. Then the administrator grants the writer role, the window
    offers the writes again, and revokes it: the checkpoint tried on the now stale window is
    refused with the read_only message, the header turns read-only again, and the server's
    ledger and checkpoints are as they were."""
    from conftest import App, _launch

    admin = os.environ.get("EVIDENTIA_TEST_PG_URL", "").strip()
    if not admin:
        pytest.skip("SKIPPED: EVIDENTIA_TEST_PG_URL is not set (make test starts a server)")
    if not CLI.is_file():
        pytest.fail(f"{CLI} is missing: build it with `cargo build -p evidentia-cli` (or set EVIDENTIA_CLI_BIN)")
    env = dict(os.environ, EVIDENTIA_KEY_DIR=str(tmp_path / "keys"), EVIDENTIA_CACHE_DIR=str(tmp_path / "cli-cache"))
    env.pop("EVIDENTIA_WORKSPACE", None)

    def run(*args):
        done = subprocess.run([str(CLI), *args], env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"evidentia {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    def psql(url, sql):
        done = subprocess.run(
            ["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-d", url],
            input=sql, capture_output=True, text=True, timeout=60,
        )
        assert done.returncode == 0, f"psql: {done.stderr}"
        return done.stdout.strip()

    database = f"evt_e2e_ro_{os.getpid()}"
    host = admin.split("@", 1)[1].rsplit("/", 1)[0]
    owner_url = f"{admin.rsplit('/', 1)[0]}/{database}"
    sql, roles, reader = roles_sql(database)
    reader_url = f"postgres://{reader}@{host}/{database}"
    writer_role = f"{database}_writer"

    def drop_all():
        psql(admin, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        for role in reversed(roles):
            psql(admin, f"DROP ROLE IF EXISTS {role}")

    def written():
        """What the server holds: ledger entries, checkpoints, artifacts (as its owner sees it)."""
        return psql(
            owner_url,
            "SELECT (SELECT count(*) FROM ledger_entries), (SELECT count(*) FROM checkpoints), "
            "(SELECT count(*) FROM artifacts)",
        )

    drop_all()
    try:
        file_ws = tmp_path / "demo.evidentia"
        run("demo", "--out", str(file_ws))
        run("migrate", "--from", str(file_ws), "--to", owner_url)
        recorded = json.loads(run("--workspace", owner_url, "--user", "alice", "--json", "analyze"))
        assert recorded["recorded_by"] == "alice", recorded
        # "Run this as the owner of the database, after evidentia init": the SQL as written.
        psql(owner_url, sql)
        before = written()

        proc, d = _launch(tmp_path, tmp_path / "start.evidentia")
        try:
            app = App(d, tmp_path, None)

            def open_team(url):
                d.find_element(By.CSS_SELECTOR, "header .trigger").click()
                d.find_element(By.CSS_SELECTOR, '[data-testid="open-team"]').click()
                wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="team-dialog"]')))
                d.find_element(By.CSS_SELECTOR, '[data-testid="team-url"]').send_keys(url)
                d.find_element(By.CSS_SELECTOR, '[data-testid="team-open"]').click()
                wait(d, 60).until_not(
                    EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="team-dialog"]'))
                )

            def read_only_pill():
                return d.find_elements(By.CSS_SELECTOR, '[data-testid="read-only-pill"]')

            def button(testid):
                return d.find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]')

            def blocked(element, says):
                assert element.get_attribute("disabled") is not None, element.get_attribute("outerHTML")
                title = element.get_attribute("title") or ""
                assert title.startswith("Read-only: this login may not") and says in title, title

            wait(d, 60).until(lambda drv: "Ledger intact" in badge_text(drv))
            assert not read_only_pill()  # a file this user may write
            open_team(reader_url)
            wait(d, 60).until(has_text("header .ws-name", database))
            wait(d, 180).until(lambda drv: "Ledger intact" in badge_text(drv))
            # Read-only is said before anything is tried, and why.
            assert d.find_elements(By.CSS_SELECTOR, '[data-testid="team-pill"]')
            pill = wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="read-only-pill"]')))
            assert pill.text == "Read-only"
            assert "read the team workspace, not write to it" in pill.get_attribute("title")
            assert reader in text_of(d, '[data-testid="ws-location"]')
            # The run the owner recorded as alice.
            wait(d, 180).until(has_text('[data-testid="assessment-source"]', "the recorded analysis is entry"))
            blocked(d.find_element(By.XPATH, "//button[normalize-space()='Import evidence']"), "import evidence")
            app.shot("43-team-read-only-overview")

            go(d, "import")
            assert "read-only for you" in text_of(d, '[data-testid="read-only-note"]')
            blocked(d.find_element(By.XPATH, "//button[normalize-space()='Choose files…']"), "import evidence")
            blocked(button("start-import"), "import evidence")
            app.shot("43-team-read-only-import")

            go(d, "integrity")
            wait(d, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="create-checkpoint"]')))
            blocked(button("create-checkpoint"), "record a checkpoint")
            app.shot("43-team-read-only-integrity")

            go(d, "events")
            wait(d, 180).until(
                EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="events-table"] .row[data-seq]'))
            )
            blocked(button("run-analysis"), "record an analysis")

            go(d, "findings")
            wait(d, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="control"][data-status="findings"]')))
            d.find_element(By.CSS_SELECTOR, '[data-testid="control"][data-status="findings"]').click()
            wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="respond"]')))
            for respond in d.find_elements(By.CSS_SELECTOR, '[data-testid="respond"]'):
                blocked(respond, "record a management response")
            app.shot("43-team-read-only-findings")

            # Reports and the pack are the reader's to write (files here, nothing on the server).
            out = tmp_path / "out"
            out.mkdir()
            go(d, "reports")
            wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="generate"]')))
            assert "this login may not record one" in text_of(d, '[data-testid="cites-no-checkpoint"]')
            assert not d.find_elements(By.CSS_SELECTOR, '[data-testid="checkpoint-first"]')
            app.shot("43-team-read-only-reports")
            for kind, label, name in [("pdf", "PDF report", "reader-report.pdf"), ("pack", "Evidence pack", "reader-pack.zip")]:
                button(f"output-{kind}").click()
                shown = len(d.find_elements(By.CSS_SELECTOR, '[data-testid="output-result"]'))
                button("generate").click()
                save_in_dialog(out / name, f"Save the {label}")
                wait(d, 240).until(
                    lambda drv: len(drv.find_elements(By.CSS_SELECTOR, '[data-testid="output-result"]')) > shown
                )
            assert (out / "reader-report.pdf").read_bytes()[:5] == b"%PDF-"
            assert "cites no checkpoint" in text_of(d, '[data-testid="output-result"]')
            checked = json.loads(run("--json", "pack", "verify", str(out / "reader-pack.zip")))
            assert checked["intact"] is True, checked
            # Made from the head the server holds, owner's run included.
            assert str(checked["checkpoint"]["entry_count"]) == before.split("|")[0], (checked, before)
            app.shot("43-team-read-only-reports-written")
            assert written() == before, "the reader's session wrote to the server"

            # The administrator grants the writer role: opened again, the window offers writes.
            psql(owner_url, f"GRANT {writer_role} TO {reader}")
            open_team(reader_url)
            wait(d, 60).until(lambda drv: not read_only_pill())
            go(d, "integrity")
            create = wait(d, 60).until(EC.element_to_be_clickable((By.CSS_SELECTOR, '[data-testid="create-checkpoint"]')))
            # ... and revokes it before the auditor clicks: the stale window tries to write.
            psql(owner_url, f"REVOKE {writer_role} FROM {reader}")
            create.click()
            wait(d, 60).until(has_text(".notice", "This login may only read the workspace."))
            shown = text_of(d, ".notice")
            assert f"is read-only for {reader}" in shown, shown
            # The window read the session again: read-only, and the write is disabled once more.
            wait(d, 60).until(lambda drv: read_only_pill())
            blocked(button("create-checkpoint"), "record a checkpoint")
            app.shot("43-team-read-only-refused")
        finally:
            d.quit()
            proc.terminate()
            proc.wait(timeout=10)
        assert written() == before, "a refused write changed the server's ledger"
    finally:
        try:
            drop_all()
        except AssertionError as e:  # best effort: the cluster is thrown away anyway
            print(f"cleanup: {e}")
