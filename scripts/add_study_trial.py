#!/usr/bin/env python3
"""Adds one complete trial to an SQLite study file, as a finished worker would (for the browser
check's live test only): the next number, the last trial's parameters, a value 10% above the
best, three intermediate values. The study's change-counting triggers number the change.

    add_study_trial.py STUDY.sqlite
"""
import json
import sqlite3
import sys
import time

db = sqlite3.connect(sys.argv[1], timeout=30)
with db:
    number, params = db.execute("SELECT COALESCE(MAX(number) + 1, 0), (SELECT params_json FROM trial ORDER BY number DESC LIMIT 1) FROM trial").fetchone()
    best = db.execute("SELECT MIN(value) FROM trial WHERE state = 'complete'").fetchone()[0] or 1.0
    now = time.time()
    value = best * 1.1
    db.execute("INSERT INTO trial (number, state, params_json, value, started_at, finished_at, seconds, seed, epochs, attempts) "
               "VALUES (?, 'complete', ?, ?, ?, ?, 1, 0, 3, 1)", (number, params or "{}", value, now - 1, now))
    for epoch in (1, 2, 3):
        db.execute("INSERT INTO intermediate (trial, epoch, value) VALUES (?, ?, ?)", (number, epoch, value * (1 + 0.5 / epoch)))
print(f"added trial {number} (value {value:.6g}) to {sys.argv[1]}")
