#!/usr/bin/python3
# A UDP client for the libpktio netns tests (t_pktio_*.sh): sends COUNT
# datagrams with exact payloads to ADDR:PORT from FLOWS sockets (FLOWS
# source ports, so a fanout hash spreads them), and checks that each one
# comes back exactly once, byte for byte, from ADDR:PORT.
#   pktio_udp_client.py ADDR PORT COUNT FLOWS [--flood SECONDS]
# Prints "sent N got N dup D bad B missing M" and exits 0 when every
# datagram came back once.  --flood sends as fast as it can for SECONDS
# without checking (traffic for a stop under load) and prints "sent N".
import os
import select
import socket
import sys
import time

addr, port, count, flows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
socks = []
for _ in range(flows):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", 0))
    s.setblocking(False)
    socks.append(s)

if len(sys.argv) > 6 and sys.argv[5] == "--flood":
    end = time.monotonic() + float(sys.argv[6])
    n = 0
    while time.monotonic() < end:
        try:
            socks[n % flows].sendto(b"flood-%d" % n + b"x" * 64, (addr, port))
            n += 1
        except OSError:
            time.sleep(0.001)
    print("sent", n)
    sys.exit(0)

# payloads of several sizes, each one unique: "pktio-<i>-" then bytes
sizes = [1, 17, 64, 200, 512, 1000, 1400]
want = {}
for i in range(count):
    head = b"pktio-%d-" % i
    body = os.urandom(sizes[i % len(sizes)])
    want[head + body] = i
got, dup, bad = set(), 0, 0
peer = None
for i, p in enumerate(want):
    socks[i % flows].sendto(p, (addr, port))
    if i % 16 == 15:
        time.sleep(0.005)  # a little pacing: no ring or socket overflow

deadline = time.monotonic() + 5
while len(got) < count and time.monotonic() < deadline:
    r, _, _ = select.select(socks, [], [], 0.2)
    for s in r:
        while True:
            try:
                data, src = s.recvfrom(4096)
            except BlockingIOError:
                break
            if data not in want or src[1] != port or \
                    socket.inet_pton(fam, src[0]) != socket.inet_pton(fam, addr):
                bad += 1
                if bad < 5:
                    print("# unexpected %r from %s" % (data[:32], src))
            elif data in got:
                dup += 1
            else:
                got.add(data)
# late duplicates
time.sleep(0.2)
for s in socks:
    while True:
        try:
            data, src = s.recvfrom(4096)
        except BlockingIOError:
            break
        if data in got:
            dup += 1
        else:
            bad += 1
missing = count - len(got)
print("sent %d got %d dup %d bad %d missing %d" % (count, len(got), dup, bad, missing))
sys.exit(0 if missing == 0 and dup == 0 and bad == 0 else 1)
