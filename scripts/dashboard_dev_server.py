#!/usr/bin/env python3
"""A throw-away HTTP server for the dashboard while `recur serve` does not mount it yet: each GET
runs `RecurDashboardTool get --head TARGET` (the RecurDashboard library, built by
`swift build`) and answers with its status, content type and body. Loopback only; for trying
the pages and for scripts/browser_check.py, not for use.

    dashboard_dev_server.py PORT TOOL [--storage STUDY.sqlite]... [--models DIR] [--poll SECONDS]
"""
import argparse
import http.server
import subprocess
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("tool", help="path of the built RecurDashboardTool")
    p.add_argument("--storage", action="append", default=[])
    p.add_argument("--models")
    p.add_argument("--poll", default="2")
    args = p.parse_args()
    base = [args.tool, "get", "--head", "--poll", args.poll]
    for s in args.storage:
        base += ["--storage", s]
    if args.models:
        base += ["--models", args.models]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            r = subprocess.run(base + [self.path], capture_output=True)
            head, _, body = r.stdout.partition(b"\n")
            try:
                status, ctype = head.decode().split(" ", 1)
                status = int(status)
            except ValueError:
                status, ctype, body = 500, "text/plain", r.stderr
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *a):
            sys.stderr.write("dev-server: " + (fmt % a) + "\n")

    http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
