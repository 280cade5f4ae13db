#!/usr/bin/env python3
"""A slow stand-in in front of a telephony API, for the slow-API fetch benchmark.

    slow_api.py UPSTREAM_API_URL DELAY_MS   (prints the port it listens on, on 127.0.0.1)

Each metadata request (`GET {api path}/{order id}`) is answered DELAY_MS after it arrives, with
the upstream's answer; every other request (recordings given relative to the API URL) is
passed through at once. HTTP/1.1 keep-alive, TCP_NODELAY (no Nagle delay), a thread per
connection, so requests on different connections wait side by side as with a slow real API.
The Host header sent upstream is the upstream's own, so absolute recording URLs the upstream
writes point at it directly, not at this stand-in.
"""
import http.client
import http.server
import socket
import sys
import threading
import time
import urllib.parse

UPSTREAM = urllib.parse.urlsplit(sys.argv[1])
DELAY = float(sys.argv[2]) / 1000
API_PREFIX = UPSTREAM.path.rstrip("/") + "/"
local = threading.local()


def upstream():
    if getattr(local, "conn", None) is None:
        cls = http.client.HTTPSConnection if UPSTREAM.scheme == "https" else http.client.HTTPConnection
        local.conn = cls(UPSTREAM.hostname, UPSTREAM.port, timeout=60)
    return local.conn


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith(API_PREFIX) and "/" not in path[len(API_PREFIX):]:
            time.sleep(DELAY)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        for attempt in range(2):
            try:
                conn = upstream()
                conn.request("GET", self.path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                break
            except (OSError, http.client.HTTPException):
                local.conn = None
                if attempt == 1:
                    self.send_error(502)
                    return
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("connection", "transfer-encoding", "content-length", "keep-alive"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
