#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (tests/fuzz/corpus/TARGET/) from
the documentation's examples and a few hand-written inputs.  Deterministic:
run it again after a doc change and commit what differs.  Regression seeds
(reproducers of bugs the fuzzers found) live in corpus/TARGET/regress-*
and are never touched here, nor are fuzz_state_files' sample-*: the state
files fuzz_api's seeds leave (FUZZ_API_STATE_OUT=DIR, then byte 0 the
file's index in fuzz_state_files.c's files[]).

    python3 tests/fuzz/make_corpus.py
"""
import glob
import hashlib
import os
import re
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
OUT = os.path.join(ROOT, 'tests', 'fuzz', 'corpus')


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    name = 'seed-' + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def clean(target):
    d = os.path.join(OUT, target)
    for f in glob.glob(os.path.join(d, 'seed-*')):
        os.remove(f)


def doc_json_blocks():
    for f in sorted(glob.glob(os.path.join(ROOT, 'docs', '*.md'))):
        s = open(f).read()
        for m in re.finditer(r'```json\n(.*?)```', s, re.S):
            yield os.path.basename(f), m.group(1)


def netns_json_heredocs():
    """JSON written by the netns tests (shell variables made concrete)."""
    for f in sorted(glob.glob(os.path.join(ROOT, 'tests', 'netns', '*.sh'))):
        s = open(f).read()
        for m in re.finditer(r"<<'?(\w+)'?\n(.*?)\n\1\n", s, re.S):
            b = m.group(2)
            if not b.lstrip().startswith('{'):
                continue
            b = re.sub(r'\$\{?(\w+)\}?', lambda v: 'veth0' if 'IF' in v.group(1)
                       or 'ETH' in v.group(1) else '/tmp/x', b)
            yield b


# ---- config --------------------------------------------------------------
CONFIG_KEYS = ('interfaces', 'api', 'lb', 'nat', 'conntrack', 'fw', 'ddos',
               'l7', 'announce', 'fib', 'steer', 'role', 'node')


def config():
    clean('fuzz_config')
    for _, b in doc_json_blocks():
        t = b.strip()
        if t.startswith('"'):
            t = '{' + t + '}'
        if any('"%s"' % k in t.split('\n')[0] or t.startswith('{\n')
               for k in CONFIG_KEYS) and '...' not in t:
            write('fuzz_config', t)
    for b in netns_json_heredocs():
        write('fuzz_config', b)
    for f in glob.glob(os.path.join(ROOT, 'deploy', '*', '*.json')):
        write('fuzz_config', open(f).read())
    write('fuzz_config', '{"interfaces": ["veth0"], "tc_interfaces": ["veth1"],'
          ' "xdp_mode": "native", "log_level": "debug", "pin_dir": '
          '"/sys/fs/bpf/x", "state_dir": "/tmp/x", "keep_on_exit": true,'
          ' "steer": [{"iface": "veth0", "proto": "udp", "dport": "4000-4001"}]}')
    write('fuzz_config', '{"role": "backend", "interfaces": ["eth0"]}')


# ---- API -----------------------------------------------------------------
VIP = '198.18.100.1:80/tcp'
API = [
    ['GET /healthz\n', 'GET /v1/status\n', 'GET /v1/interfaces?dev=veth0\n',
     'GET /v1/routes?prefix=198.18.0.0/15&family=4\n',
     'GET /v1/neighbors?dev=veth1\n', 'GET /v1/stats?dev=veth0\n',
     'GET /metrics\n', 'HEAD /v1/status\n'],
    ['POST /v1/vips\n{"address": "198.18.100.1", "port": 80, "protocol": '
     '"tcp", "encap": "ipip", "hash": "5tuple", "ring_size": 65537, '
     '"backends": [{"address": "198.18.2.11", "weight": 2}]}',
     'GET /v1/vips\n', 'GET /v1/vips/%s\n' % VIP, 'GET /v1/lb\n',
     'POST /v1/vips/%s/backends\n{"address": "198.18.2.12", "weight": 3, '
     '"state": "active"}' % VIP,
     'PATCH /v1/vips/%s/backends/198.18.2.12\n{"weight": 1, "state": '
     '"draining"}' % VIP,
     'PUT /v1/vips/%s/backends\n{"backends": [{"address": "198.18.2.13"}]}'
     % VIP,
     'GET /v1/vips/%s/backends/198.18.2.13\n' % VIP,
     'DELETE /v1/vips/%s/backends/198.18.2.13\n' % VIP,
     'DELETE /v1/vips/1\n'],
    ['POST /v1/vips\n{"address": "2001:db8:100::1", "port": 443, "protocol":'
     ' "tcp", "encap": "gre", "health": {"kind": "http", "port": 80, "path":'
     ' "/", "interval_ms": 1000, "timeout_ms": 500, "rise": 2, "fall": 3}}',
     'GET /v1/vips/[2001:db8:100::1]:443/tcp/backends/\n',
     'POST /v1/vips/[2001:db8:100::1]:443/tcp/backends/\n{"address": '
     '"2001:db8:2::11"}'],
    ['POST /v1/vips\n{"address": "198.18.100.1", "port": 80, "protocol": '
     '"tcp", "backends": [{"address": "198.18.2.11"}]}',
     'GET /v1/lb/flows?vip=198.18.100.1:80/tcp&backend=198.18.2.11'
     '&src=198.18.1.0/24&limit=10\n',
     'GET /v1/lb/flows?cursor=2047&limit=1\n',
     'DELETE /v1/lb/flows?vip=1&backend=198.18.2.11&src=198.18.1.2\n',
     'DELETE /v1/lb/flows\n'],
    ['GET /v1/node\n', 'POST /v1/node/drain\n{"grace_s": 5}',
     'POST /v1/node/undrain\n'],
    ['GET /v1/conntrack?src=198.18.1.0/24&proto=udp&state=established&limit=10\n',
     'GET /v1/conntrack?cursor=abc&limit=1\n',
     'DELETE /v1/conntrack?src=198.18.1.0/24&dst=198.18.2.2&proto=tcp\n',
     'GET /v1/conntrack/count\n', 'GET /v1/conntrack/config\n',
     'PUT /v1/conntrack/config\n{"enabled": true, "timeouts": '
     '{"established": 3600, "unreplied": 10}}',
     'POST /v1/conntrack/fill\n{"count": 10, "seed": 1}'],
    ['GET /v1/ddos\n', 'PATCH /v1/ddos\n{"syn_cookies": "auto", '
     '"syn_threshold": 10000, "hold_s": 10, "rate": "24:10000:20000", '
     '"conn_rate6": "64:500", "mss4": 1460}',
     'POST /v1/ddos/services\n{"service": "198.18.2.2:80"}',
     'DELETE /v1/ddos/services/198.18.2.2:80\n',
     'POST /v1/block\n{"prefixes": ["198.18.66.0/24", "2001:db8:66::/48"], '
     '"expire_s": 60}', 'GET /v1/block\n',
     'DELETE /v1/block?prefix=198.18.66.0/24\n'],
    ['POST /v1/nat\n{"type": "snat", "src": "198.18.0.0/24", "out": "veth1", '
     '"to": "198.19.0.10-198.19.0.12", "ports": "1024-65535"}',
     'POST /v1/nat\n{"type": "dnat", "in": "veth1", "dst": '
     '"198.19.0.1:8080/tcp", "to": "198.18.0.2:80"}',
     'GET /v1/nat\n', 'DELETE /v1/nat/1\n'],
    ['POST /v1/fw/sets\n{"name": "blocked"}',
     'POST /v1/fw/rules\n{"iface": "veth0", "dir": "in", "src": "@blocked",'
     ' "action": "drop"}',
     'POST /v1/fw/rules\n{"iface": "veth0", "dir": "in", "proto": "tcp", '
     '"dport": "22", "state": "new", "action": "accept", "position": 1}',
     'POST /v1/fw/policy\n{"iface": "veth0", "dir": "in", "policy": "drop"}',
     'GET /v1/fw/rules?dev=veth0\n', 'GET /v1/fw/policy\n',
     'GET /v1/fw/sets\n', 'GET /v1/fw/check\n',
     'PUT /v1/fw/veth0/in\n{"rules": [{"proto": "udp", "dport": "53", '
     '"action": "accept"}]}',
     'DELETE /v1/fw/rules/veth0/1\n', 'DELETE /v1/fw/sets/blocked\n'],
    ['POST /v1/fw/sets/blocked/load\n{"prefixes": ["198.18.66.0/24"]}'],
    ['POST /v1/steer\n{"iface": "veth0", "proto": "udp", "dport": "4000-4001"}',
     'POST /v1/steer\n{"dst": "198.18.5.0/24"}',
     'POST /v1/steer\n{"transit": true}', 'GET /v1/steer\n',
     'DELETE /v1/steer/1\n'],
    ['GET /v1/l7\n', 'PUT /v1/l7\n{"enabled": true, "cgroup": "/sys/fs/cgroup"}',
     'POST /v1/l7/ports\n{"port": 8080}', 'DELETE /v1/l7/ports/8080\n'],
    ['GET /v1/nope\n', 'DELETE /v1/routes\n', 'POST /v1/status\n{}',
     'GET /v1/vips/%zz\n', 'GET /v1/routes?family=5&prefix=198.18.0.0/33\n'],
]
HEADERS = [
    b'GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n',
    b'POST /v1/vips HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer abc\r\n'
    b'Content-Length: 2\r\n\r\n{}',
    b'GET /v1/neighbors?dev=a%00b HTTP/1.1\r\nHost: x\r\n\r\n',
    b'GET /v1/status HTTP/1.1\r\nHost: x\0y\r\n\r\n',
]


def api():
    clean('fuzz_api')
    for seq in API:
        write('fuzz_api', '\0'.join(seq))
        for r in seq:
            write('fuzz_api', r)
    for tcp in (0, 1):
        for h in HEADERS:
            write('fuzz_api', b'H' + bytes([tcp]) + h)


# ---- netlink -------------------------------------------------------------
RTM_NEWLINK, RTM_DELLINK, RTM_NEWROUTE, RTM_DELROUTE = 16, 17, 24, 25
RTM_NEWNEIGH, RTM_DELNEIGH, RTM_NEWNEXTHOP = 28, 29, 104


def rta(t, payload):
    n = 4 + len(payload)
    return struct.pack('=HH', n, t) + payload + b'\0' * ((4 - n % 4) % 4)


def nlmsg(t, body, flags=0):
    n = 16 + len(body)
    return struct.pack('=IHHII', n, t, flags, 1, 0) + body + \
        b'\0' * ((4 - n % 4) % 4)


def link(idx, name, mac=b'\x02\0\0\0\0\x01', kind=None, vlan=None, parent=0):
    body = struct.pack('=BxHiII', 0, 1, idx, 0x1043, 0)
    body += rta(3, name.encode() + b'\0')  # IFLA_IFNAME
    body += rta(1, mac)  # IFLA_ADDRESS
    body += rta(4, struct.pack('=I', 1500))  # IFLA_MTU
    if parent:
        body += rta(5, struct.pack('=I', parent))  # IFLA_LINK
    if kind:
        info = rta(1, kind.encode() + b'\0')  # IFLA_INFO_KIND
        if vlan is not None:
            info += rta(2, rta(1, struct.pack('=H', vlan)))  # DATA/VLAN_ID
        body += rta(18, info)  # IFLA_LINKINFO
    return nlmsg(RTM_NEWLINK, body)


def route(fam, dst, plen, oif=0, gw=None, mp=None, table=254, typ=1,
          nhid=0):
    body = struct.pack('=BBBBBBBBI', fam, plen, 0, 0, table, 3, 0, typ, 0)
    if plen:
        body += rta(1, dst)  # RTA_DST
    if oif:
        body += rta(4, struct.pack('=I', oif))  # RTA_OIF
    if gw:
        body += rta(5, gw)  # RTA_GATEWAY
    body += rta(15, struct.pack('=I', table))  # RTA_TABLE
    body += rta(6, struct.pack('=I', 100))  # RTA_PRIORITY
    if nhid:
        body += rta(30, struct.pack('=I', nhid))  # RTA_NH_ID
    if mp:
        nh = b''
        for ifi, g, hops in mp:
            a = rta(5, g)
            nh += struct.pack('=HBBi', 8 + len(a), 0, hops, ifi) + a
        body += rta(9, nh)  # RTA_MULTIPATH
    return nlmsg(RTM_NEWROUTE, body)


def neigh(fam, ifi, addr, mac, state=0x02):
    body = struct.pack('=BxxxiHBB', fam, ifi, state, 0, 1)
    body += rta(1, addr) + rta(2, mac)
    return nlmsg(RTM_NEWNEIGH, body)


def nexthop(nhid, oif=0, gw=None, fam=2, group=None):
    body = struct.pack('=BBBBI', fam if not group else 0, 0, 4, 0, 0)
    body += rta(1, struct.pack('=I', nhid))  # NHA_ID
    if group:
        body += rta(2, b''.join(struct.pack('=IBBH', i, w, 0, 0)
                                for i, w in group))  # NHA_GROUP
    else:
        body += rta(5, struct.pack('=I', oif))  # NHA_OIF
        if gw:
            body += rta(6, gw)  # NHA_GATEWAY
    return nlmsg(RTM_NEWNEXTHOP, body)


V4 = bytes([198, 18, 1, 0])
GW4 = bytes([198, 18, 0, 2])
V6 = bytes.fromhex('20010db8000100000000000000000000')
GW6 = bytes.fromhex('fe800000000000000000000000000002')


def netlink():
    clean('fuzz_netlink')
    links = link(2, 'veth0') + link(3, 'veth1', b'\x02\0\0\0\0\x02', 'veth')
    seqs = [
        links,
        links + route(2, V4, 24, 2, GW4) + neigh(2, 2, GW4, b'\x02\0\0\0\0\x09'),
        links + route(10, V6, 64, 3, GW6) +
        neigh(10, 3, GW6, b'\x02\0\0\0\0\x0a', 0x80),
        links + route(2, V4, 24, mp=[(2, GW4, 0), (3, bytes([198, 18, 0, 6]), 2)]),
        links + nexthop(7, 2, GW4) + nexthop(8, 3, bytes([198, 18, 0, 6])) +
        nexthop(9, group=[(7, 1), (8, 3)]) + route(2, V4, 16, nhid=9),
        links + link(4, 'veth0.10', kind='vlan', vlan=10, parent=2) +
        route(2, V4, 24, 4),
        links + route(2, b'', 0, 2, GW4) + route(2, V4, 24, typ=6),
        links + route(2, V4, 24, 2, GW4, table=255),
    ]
    for s in seqs:
        write('fuzz_netlink', b'\x03' + s)
        write('fuzz_netlink', b'\x0f' + s)
    dele = bytearray(route(2, V4, 24, 2, GW4))
    dele[4] = RTM_DELROUTE
    write('fuzz_netlink', b'\x03' + links + route(2, V4, 24, 2, GW4) + dele)


# ---- CLI -----------------------------------------------------------------
NOUNS = ['status', 'iface', 'route', 'neigh', 'stats', 'vip', 'backend',
         'lb', 'ddos', 'node', 'ct', 'nat', 'steer', 'fw']
PRINTERS = {  # printer index: the answers the docs show
    'status': 0, 'iface': 1, 'route': 2, 'neigh': 3, 'stats': 4,
}


def cli():
    clean('fuzz_cli')
    docs = ''.join(open(f).read()
                   for f in sorted(glob.glob(os.path.join(ROOT, 'docs', '*.md'))))
    lines = set(re.findall(r'^(?:\$ )?sluicectl ([^#\n`|]*)', docs, re.M))
    n = 0
    for line in sorted(lines):
        words = line.split()
        i = 0
        while i < len(words) and words[i].startswith('-'):
            i += 2 if words[i] in ('--api', '--token', '--cacert') else 1
        if i >= len(words) or words[i] not in NOUNS or \
                any(c in line for c in '[]()'):
            continue
        if n < 70:  # the corpus stays under 100 files
            write('fuzz_cli', bytes([NOUNS.index(words[i])]) +
                  '\0'.join(words).encode())
        n += 1
    # each answer-like block of the docs to two of the 20 printers
    blocks = [b for _, b in doc_json_blocks()
              if b.strip().startswith('{') and '...' not in b]
    for i, b in enumerate(blocks):
        for p in (i % 20, (i + 7) % 20):
            write('fuzz_cli', bytes([0x80 | p]) + b.encode())


# ---- firewall rules ------------------------------------------------------
def pkt(fam6, proto, st, icmp, src, dst, sport, dport):
    return bytes([fam6, proto, st, icmp]) + src.ljust(16, b'\0') + \
        dst.ljust(16, b'\0') + struct.pack('>HH', sport, dport)


def fw_rule():
    clean('fuzz_fw_rule')
    pk = pkt(0, 6, 1, 0, bytes([198, 18, 1, 7]), bytes([198, 19, 0, 1]),
             1000, 80) + \
        pkt(0, 17, 2, 0, bytes([198, 18, 2, 7]), bytes([198, 19, 0, 1]),
            53, 53) + \
        pkt(0, 1, 0, 8, bytes([198, 18, 66, 1]), bytes([198, 19, 0, 1]),
            0, 0) + \
        pkt(1, 58, 3, 128, V6, GW6, 0, 0) + \
        pkt(1, 6, 1, 0, V6, GW6, 40000, 443)
    E = '"iface": "eth0", "dir": "in", '
    sets = [
        '[{' + E + '"src": "@a", "action": "drop"},'
        ' {' + E + '"proto": "tcp", "dport": "22", "action": "accept"}, '
        '{' + E + '"src": "198.18.1.0/24", "proto": "tcp", "dport": "80-90",'
        ' "action": "reject"}]',
        '[{' + E + '"proto": "icmp", "icmp_type": 8, "action": "drop"}, '
        '{' + E + '"dst": "2001:db8::/32", "state": "new", "action": "drop"},'
        ' {' + E + '"state": "new,established", "sport": 53, '
        '"action": "accept"}]',
        '[{' + E + '"src": "@b", "dst": "@c", "action": "accept"}, '
        '{' + E + '"dst": "@d", "proto": "udp", "action": "drop"}, '
        '{' + E + '"proto": "icmpv6", "icmp_type": 128, "action": "reject"},'
        ' {' + E + '"dst": "198.19.0.0/16", "dport": "53", "action": "drop"},'
        ' {' + E + '"action": "drop"}]',
        '[{' + E + '"src": "198.18.0.0/15", "dst": "198.19.0.1", "proto": '
        '"tcp", "sport": "1000-2000", "dport": "80", "state": "new", '
        '"action": "accept", "id": 7}, {' + E + '"src": "2001:db8::/32", '
        '"state": "established,related", "action": "accept"}, '
        '{' + E + '"state": "invalid", "action": "drop"}]',
    ]
    for _, b in doc_json_blocks():
        m = re.search(r'"rules": (\[.*?\])\}', b, re.S)
        if m:
            sets.append(m.group(1))
    for s in sets:
        write('fuzz_fw_rule', s.encode() + b'\0' + pk)


# ---- pktio and graph configs ---------------------------------------------
def pktio_graph():
    clean('fuzz_pktio_config')
    clean('fuzz_graph_config')
    clean('fuzz_vrouter_config')
    for name, b in doc_json_blocks():
        if '...' in b:
            continue
        if name == 'vrouter.md' and '"ports"' in b:
            write('fuzz_vrouter_config', b)
        if '"pools"' in b or '"ports"' in b:
            write('fuzz_pktio_config', b)
        if '"nodes"' in b or '"entry"' in b:
            write('fuzz_graph_config', b)
    for f, target, rx in (('test_pktio_config.c', 'fuzz_pktio_config', 'pktio'),
                          ('test_graph_config.c', 'fuzz_graph_config', 'graph'),
                          ('test_vrouter_config.c', 'fuzz_vrouter_config',
                           'vrouter')):
        s = open(os.path.join(ROOT, 'tests', 'unit', f)).read()
        # C string literals that are JSON documents, joined as C joins them
        for m in re.finditer(r'((?:"(?:[^"\\\n]|\\.)*"\s*)+)', s):
            parts = re.findall(r'"((?:[^"\\\n]|\\.)*)"', m.group(1))
            text = ''.join(parts).encode().decode('unicode_escape')
            if text.startswith('{') and len(text) > 20:
                write(target, text)


def state_files():
    clean('fuzz_state_files')
    for _, b in doc_json_blocks():
        if '"version": 1' in b and '"vips"' in b and '...' not in b:
            write('fuzz_state_files', b'\0' + b.encode())  # lb.json
    # the journals (files[] 7 and 8): lines as lb_journal.c and
    # ddos_journal.c append them, the last one cut short as a crash leaves it
    vip = ('{"vip": {"address": "198.18.100.1", "port": 80, "protocol": '
           '"tcp", "backends": [{"address": "198.18.2.2", "weight": 1}]}}')
    write('fuzz_state_files', b'\7' + (
        vip + '\n' + '{"del": "198.18.100.1:80/tcp"}\n' + vip + '\n'
        + vip[:40]).encode())
    write('fuzz_state_files', b'\7' + (
        '{"vip": {"address": "2001:db8:100::1", "port": 0, "protocol": '
        '"udp", "health": {"kind": "none"}}}\n').encode())
    write('fuzz_state_files', b'\x08' + (
        '{"add": [["198.18.80.0/24", 0], ["2001:db8:80::/48", 4102444800]]}\n'
        '{"del": "198.18.80.0/24"}\n'
        '{"add": [["198.19.0.1/32", 0]]}\n{"add": [["198.18').encode())


config()
api()
state_files()
netlink()
cli()
fw_rule()
pktio_graph()


# ---- dictionaries: the JSON keys and words the seeds use -----------------
def dictionary(target, extra=()):
    words = set(extra)
    for f in glob.glob(os.path.join(OUT, target, '*')):
        s = open(f, 'rb').read().decode('latin-1')
        words.update(re.findall(r'"([A-Za-z_][A-Za-z0-9_]{1,30})"', s))
    with open(os.path.join(ROOT, 'tests', 'fuzz', target + '.dict'), 'w') as f:
        f.write('# written by make_corpus.py\n')
        for w in sorted(words):
            f.write('"%s"\n' % ''.join(
                c if ' ' <= c <= '~' and c not in '\\"' else '\\x%02x' % ord(c)
                for c in w))


dictionary('fuzz_config')
dictionary('fuzz_api', ['GET ', 'POST ', 'PUT ', 'PATCH ', 'DELETE ', 'HEAD ',
                        '/v1/', '/backends/', '/tcp', '/udp', '?', '&',
                        '%00', 'HTTP/1.1\r\n', '\r\n\r\n', 'Authorization: Bearer '])
dictionary('fuzz_fw_rule')
dictionary('fuzz_pktio_config')
dictionary('fuzz_graph_config')
dictionary('fuzz_vrouter_config')
dictionary('fuzz_state_files')
