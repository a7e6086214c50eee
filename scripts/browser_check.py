#!/usr/bin/env python3
"""Checks the Recur dashboard in a real browser (headless Chromium through selenium).

    browser_check.py URL OUTDIR [--add-trial-cmd CMD] [--expect-trials N] [--chromium PATH] [--chromedriver PATH]

URL is the dashboard's base URL (e.g. http://127.0.0.1:8080 for `recur serve`); the script
knows nothing else about the server. For every page (/, each study in /api/studies, each
model in /api/models) it checks that the page loads with no console error, and saves a
full-page screenshot to OUTDIR/<page>.png. On each study page it checks that the trials table
has as many rows as the API reports trials, and that the history chart has one point per
finished trial with a value (complete trials, and pruned ones with a value or a last
intermediate value). With --add-trial-cmd, it keeps the first study's page open, runs CMD (a
shell command that adds or finishes a trial in that study), and checks that the new trial
shows in the table and in the history chart within the page's poll interval (plus the time
one page render takes, measured), without a reload. With --expect-trials N (the count the
caller read from the database itself), the first study's page must show exactly N trials.

Prints one line per check and exits 0 when all pass, 1 when one fails, 2 for bad usage, 3 when
Chromium or selenium is missing (install: apt-get install -y chromium chromium-driver;
scripts/install-python-tools.sh selenium).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


def get_json(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return json.loads(r.read().decode("utf-8"))


def finished_points(trials):
    """Trials the history chart draws a dot for: complete with a value, pruned with a value or a last intermediate."""
    n = 0
    for t in trials:
        if t["state"] == "complete" and t["value"] is not None:
            n += 1
        elif t["state"] == "pruned" and (t["value"] is not None or len(t["intermediate"]) > 0):
            n += 1
    return n


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("url")
    p.add_argument("outdir")
    p.add_argument("--add-trial-cmd", help="shell command that adds a trial to the first study")
    p.add_argument("--expect-trials", type=int, help="trials the first study holds in its database")
    p.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    p.add_argument("--chromedriver", default=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    p.add_argument("--width", type=int, default=1280)
    args = p.parse_args()
    base = args.url.rstrip("/")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
    except ImportError:
        print("skipped: selenium is not installed (scripts/install-python-tools.sh selenium)", file=sys.stderr)
        return 3
    if not (os.path.exists(args.chromium) and os.path.exists(args.chromedriver)):
        print("skipped: no Chromium here (apt-get install -y chromium chromium-driver)", file=sys.stderr)
        return 3
    os.makedirs(args.outdir, exist_ok=True)

    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={args.width},900"]:
        options.add_argument(a)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(args.chromedriver), options=options)
    driver.set_page_load_timeout(60)

    def load(path, shot):
        t0 = time.time()
        driver.get(base + path)
        seconds = time.time() - t0
        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        check(not errors, f"{path}: no console errors ({seconds:.2f} s to load)" + ("" if not errors else f": {errors[:3]}"))
        screenshot(shot)
        return seconds

    def screenshot(name):
        height = driver.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
        driver.set_window_size(args.width, min(max(int(height) + 40, 600), 16000))
        time.sleep(0.2)
        path = os.path.join(args.outdir, name + ".png")
        driver.save_screenshot(path)
        driver.set_window_size(args.width, 900)
        print(f"     screenshot {path}", flush=True)

    def page_counts():
        rows = len(driver.find_elements(By.CSS_SELECTOR, "#trials tbody tr"))
        points = len(driver.find_elements(By.CSS_SELECTOR, "svg[data-chart='history'] g.trial-points circle"))
        return rows, points

    try:
        studies = get_json(base, "/api/studies")["studies"]
        models = get_json(base, "/api/models")["models"]
        load("/", "index")
        check(len(driver.find_elements(By.CSS_SELECTOR, "#study-list tbody tr")) == len(studies),
              f"/: {len(studies)} studies listed")
        for s in studies:
            path = "/studies/" + urllib.parse.quote(s["name"], safe="")
            seconds = load(path, "study-" + s["name"])
            if s.get("error"):
                check(False, f"{path}: study readable ({s['error']})")
                continue
            api = get_json(base, "/api/studies/" + urllib.parse.quote(s["name"], safe=""))
            rows, points = page_counts()
            check(rows == len(api["trials"]), f"{path}: table rows {rows} = trials in the API {len(api['trials'])}")
            if s is studies[0] and args.expect_trials is not None:
                check(rows == args.expect_trials, f"{path}: table rows {rows} = trials in the database {args.expect_trials}")
            check(points == finished_points(api["trials"]),
                  f"{path}: history points {points} = finished trials with a value {finished_points(api['trials'])}")
            if s is studies[0] and args.add_trial_cmd:
                poll = int(driver.find_element(By.TAG_NAME, "body").get_attribute("data-poll") or "0") / 1000
                check(poll > 0, f"{path}: the page polls (every {poll:g} s)")
                before = len(api["trials"])
                subprocess.run(args.add_trial_cmd, shell=True, check=True)
                after = get_json(base, "/api/studies/" + urllib.parse.quote(s["name"], safe=""))
                check(len(after["trials"]) > before, f"{path}: the command added a trial ({before} → {len(after['trials'])})")
                # A poll, its answer, then the charts' refresh (one render of the page's charts).
                deadline = time.time() + poll + 2 * seconds + 1.0
                while time.time() < deadline:
                    rows, points = page_counts()
                    if rows == len(after["trials"]) and points == finished_points(after["trials"]):
                        break
                    time.sleep(0.1)
                rows, points = page_counts()
                check(rows == len(after["trials"]), f"{path}: the new trial shows in the table without a reload ({rows} rows)")
                check(points == finished_points(after["trials"]),
                      f"{path}: and in the history chart ({points} points = {finished_points(after['trials'])})")
                errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
                check(not errors, f"{path}: no console errors while live" + ("" if not errors else f": {errors[:3]}"))
                screenshot("study-" + s["name"] + "-live")
        for m in models:
            path = "/models/" + urllib.parse.quote(m["name"], safe="")
            load(path, "model-" + m["name"])
            if m.get("error"):
                check(False, f"{path}: package readable ({m['error']})")
                continue
            charts = [e.get_attribute("data-chart") for e in driver.find_elements(By.CSS_SELECTOR, "svg.chart")]
            for key in ["metrics", "loss", "forecast", "residuals"]:
                check(key in charts, f"{path}: chart {key}")
    finally:
        driver.quit()
    print(f"browser check: {'all passed' if not failures else str(len(failures)) + ' failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
