#!/usr/bin/python3
"""Pipewright under UDP garbage and a port scan on its media ports (see bench/README.md).

For each WebRTC path (lean, then webrtcbin as the same-run baseline) a fresh server gets N
loopback echo sessions (bench/driver.py's GStreamer peer and Kurento hello-world session). Then
the server's media UDP ports are read from /proc/<pid>/fd and /proc/<pid>/net/udp{,6}, and for
one window per phase a separate sender process sends garbage at a fixed rate spread over those
ports:

  random  random bytes (1..1200, first byte anything)
  stun    STUN binding requests with wrong credentials (a random USERNAME: a blind attacker),
          well-formed MESSAGE-INTEGRITY and FINGERPRINT
  stun-ufrag  the same with the endpoint's real ICE ufrag and a wrong password (an attacker who
          read the SDP)
  dtls    DTLS 1.2 ClientHello records (epoch 0, use_srtp offered)
  rtp     RTP (0x80, PT 96/111) and RTCP (PT 200..206) with valid-looking headers and random
          payload: SRTP/SRTCP authentication fails
  scan    one datagram (0..64 random bytes) to every UDP port 1024..65535, over and over

It reports the server's CPU (utime+stime from /proc/<pid>/stat, % of one core) in each window
against the same window without garbage, the echoed video frames/s and audio packets/s of the
sessions, and the server sockets' receive-queue drops.

Every packet goes to 127.0.0.1 only, inside a private network namespace (`unshare -n`) that
this script creates for itself; it refuses to run anywhere a non-loopback interface exists.
Needs root. Not a test: no pass/fail. On the shared machine: flock /tmp/pw-heavy.lock.

  flock /tmp/pw-heavy.lock bench/udp-garbage.py                 # build/app/pipewright, N=4, 10 s, 10k pps
  bench/udp-garbage.py --transports lean --phases stun --seconds 5
"""

import argparse
import asyncio
import binascii
import hashlib
import hmac
import json
import os
import random
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PHASES = ['random', 'stun', 'stun-ufrag', 'dtls', 'rtp', 'scan']
TARGET = '127.0.0.1'  # the only address any packet of this script goes to


# --------------------------------------------------------------------------------------------
# Garbage (runs in the sender process: no GStreamer, no asyncio)

def stun_binding_request(username, key, rng):
    """A well-formed RFC 5389/8445 binding request: USERNAME, PRIORITY, ICE-CONTROLLING,
    MESSAGE-INTEGRITY (HMAC-SHA1 with `key`) and FINGERPRINT."""
    def attr(kind, value):
        pad = (4 - len(value) % 4) % 4
        return struct.pack('!HH', kind, len(value)) + value + b'\0' * pad
    tid = rng.randbytes(12)
    body = attr(0x0006, username.encode()) + attr(0x0024, struct.pack('!I', rng.getrandbits(32)))
    body += attr(0x802A, rng.randbytes(8))
    # MESSAGE-INTEGRITY over the header whose length already counts the integrity attribute.
    head = struct.pack('!HHI', 0x0001, len(body) + 24, 0x2112A442) + tid
    mac = hmac.new(key, head + body, hashlib.sha1).digest()
    body += attr(0x0008, mac)
    head = struct.pack('!HHI', 0x0001, len(body) + 8, 0x2112A442) + tid
    crc = (binascii.crc32(head + body) ^ 0x5354554E) & 0xFFFFFFFF
    return head + body + attr(0x8028, struct.pack('!I', crc))


def dtls_client_hello(rng):
    """One DTLS 1.2 record with a ClientHello (no cookie) offering ECDHE-ECDSA AES-GCM and use_srtp."""
    suites = [0xC02B, 0xC02F, 0xC00A, 0xC014]
    exts = b''
    exts += struct.pack('!HH', 0x000E, 5) + struct.pack('!HHB', 2, 0x0001, 0)          # use_srtp
    exts += struct.pack('!HHH', 0x000A, 4, 2) + struct.pack('!H', 0x0017)               # supported_groups
    exts += struct.pack('!HHB', 0x000B, 2, 1) + b'\0'                                   # ec_point_formats
    exts += struct.pack('!HHH', 0x000D, 4, 2) + struct.pack('!H', 0x0403)               # signature_algorithms
    exts += struct.pack('!HH', 0x0017, 0)                                               # extended_master_secret
    body = struct.pack('!H', 0xFEFD) + rng.randbytes(32) + b'\0' + b'\0'
    body += struct.pack('!H', 2 * len(suites)) + b''.join(struct.pack('!H', s) for s in suites)
    body += b'\x01\x00' + struct.pack('!H', len(exts)) + exts
    n = len(body)
    hs = struct.pack('!B', 1) + n.to_bytes(3, 'big') + struct.pack('!H', 0) + (0).to_bytes(3, 'big') + n.to_bytes(3, 'big') + body
    return struct.pack('!BHH', 22, 0xFEFF, 0) + rng.getrandbits(48).to_bytes(6, 'big') + struct.pack('!H', len(hs)) + hs


def fake_rtp_or_rtcp(rng):
    if rng.random() < 0.7:  # RTP, SRTP-sized: header + payload + 10-byte "tag"
        pt = rng.choice((96, 111)) | (0x80 if rng.random() < 0.1 else 0)
        size = rng.randint(60, 1200)
        return struct.pack('!BBHII', 0x80, pt, rng.getrandbits(16), rng.getrandbits(32), rng.getrandbits(32)) + rng.randbytes(size - 12)
    pt = rng.randint(200, 206)
    words = rng.randint(1, 30)  # RTCP length field consistent with the packet, then an SRTCP index + tag
    return struct.pack('!BBHI', 0x80 | rng.randint(0, 1), pt, words, rng.getrandbits(32)) + rng.randbytes(4 * words - 4) + rng.randbytes(14)


def make_pool(kind, rng, count=2048):
    """Pre-made packets, so the sender spends its time in sendto (the STUN kinds: see run_sender)."""
    if kind == 'random':
        return [rng.randbytes(rng.randint(1, 1200)) for _ in range(count)]
    if kind == 'dtls':
        return [dtls_client_hello(rng) for _ in range(count)]
    if kind == 'rtp':
        return [fake_rtp_or_rtcp(rng) for _ in range(count)]
    if kind == 'scan':
        return [rng.randbytes(rng.randint(0, 64)) for _ in range(count)]
    raise ValueError(kind)


def run_sender(kind, ports, ufrags, rate, seconds, seed):
    """Send `rate` packets/s for `seconds` to 127.0.0.1, round-robin over `ports` (scan: every
    port 1024..65535 in turn). Prints a JSON summary on stdout."""
    rng = random.Random(seed)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    sock.bind((TARGET, 0))
    if kind in ('stun', 'stun-ufrag'):
        # Per port: a random USERNAME, or the endpoint's real ufrag; a wrong password either way.
        pools = {}
        for p in ports:
            real = ufrags.get(str(p)) if kind == 'stun-ufrag' else None
            pools[p] = [stun_binding_request(
                f'{real or rng.randbytes(4).hex()}:{rng.randbytes(4).hex()}', rng.randbytes(16), rng) for _ in range(256)]
        pool = None
    else:
        pool = make_pool(kind, rng)
    targets = list(range(1024, 65536)) if kind == 'scan' else list(ports)
    sent = errors = 0
    batch = max(1, rate // 200)  # one batch every 5 ms
    start = time.monotonic()
    end = start + seconds
    i = 0
    while True:
        now = time.monotonic()
        if now >= end:
            break
        due = int((now - start) * rate)
        while sent + errors < due:
            port = targets[i % len(targets)]
            data = pools[port][i % 256] if pool is None else pool[i % len(pool)]
            i += 1
            try:
                sock.sendto(data, (TARGET, port))
                sent += 1
            except OSError:
                errors += 1
        time.sleep(max(0.0, min(batch / rate, end - time.monotonic())))
    elapsed = time.monotonic() - start
    print(json.dumps({'kind': kind, 'sent': sent, 'errors': errors, 'seconds': round(elapsed, 3),
                      'pps': round(sent / elapsed), 'ports': len(targets),
                      'ports_with_real_ufrag': sum(1 for p in ports if str(p) in ufrags) if kind == 'stun-ufrag' else None}),
          flush=True)


# --------------------------------------------------------------------------------------------
# Namespace and network guard

def only_loopback():
    return all(name == 'lo' for _, name in socket.if_nameindex())


def reexec_in_namespace():
    if os.environ.get('PW_UDP_GARBAGE_NS') == '1':
        return
    if os.geteuid() != 0:
        sys.exit('udp-garbage: needs root (it creates a private network namespace with unshare -n)')
    env = dict(os.environ, PW_UDP_GARBAGE_NS='1')
    args = ['unshare', '-n', '/bin/sh', '-c', 'ip link set lo up && exec /usr/bin/python3 "$0" "$@"',
            os.path.abspath(__file__), *sys.argv[1:]]
    os.execvpe('unshare', args, env)


# --------------------------------------------------------------------------------------------
# The server's media ports

def server_udp_ports(pid):
    """{port: local address} of the UDP sockets the process holds that 127.0.0.1 reaches."""
    inodes = set()
    for fd in os.listdir(f'/proc/{pid}/fd'):
        try:
            m = re.match(r'socket:\[(\d+)\]', os.readlink(f'/proc/{pid}/fd/{fd}'))
        except OSError:
            continue
        if m:
            inodes.add(m.group(1))
    ports, skipped = {}, []
    for proto in ('udp', 'udp6'):
        with open(f'/proc/{pid}/net/{proto}') as f:
            next(f)
            for line in f:
                cols = line.split()
                if cols[9] not in inodes:
                    continue
                addr_hex, port_hex = cols[1].split(':')
                port = int(port_hex, 16)
                raw = bytes.fromhex(addr_hex)
                if proto == 'udp':
                    addr = socket.inet_ntop(socket.AF_INET, raw[::-1])
                    ok = addr in ('127.0.0.1', '0.0.0.0')
                else:
                    addr = socket.inet_ntop(socket.AF_INET6, b''.join(raw[i:i + 4][::-1] for i in range(0, 16, 4)))
                    ok = addr in ('::', '::ffff:127.0.0.1')
                (ports.__setitem__(port, addr) if ok else skipped.append(f'{addr}:{port}'))
    return ports, skipped


def socket_drops(pid, ports):
    """Sum of the `drops` column of the process's UDP sockets on `ports`."""
    total = 0
    for proto in ('udp', 'udp6'):
        with open(f'/proc/{pid}/net/{proto}') as f:
            next(f)
            for line in f:
                cols = line.split()
                if int(cols[1].split(':')[1], 16) in ports:
                    total += int(cols[12])
    return total


def thread_ticks(pid):
    """utime+stime by thread name (digits folded: pw-media-0 and pw-media-1 → pw-media-#)."""
    out = {}
    for tid in os.listdir(f'/proc/{pid}/task'):
        try:
            with open(f'/proc/{pid}/task/{tid}/stat') as f:
                text = f.read()
        except OSError:
            continue
        name = re.sub(r'\d+', '#', text[text.index('(') + 1:text.rindex(')')])
        fields = text.rsplit(')', 1)[1].split()
        out[name] = out.get(name, 0) + int(fields[11]) + int(fields[12])
    return out


# --------------------------------------------------------------------------------------------
# One server: N sessions, then one window per phase

async def measure_window(d, pid, recs, seconds, ports):
    t0 = time.monotonic()
    c0 = d.proc_cpu_ticks(pid)
    th0 = thread_ticks(pid)
    dr0 = socket_drops(pid, ports)
    f0 = [(r['peer'].video_frames, r['peer'].audio_packets) for r in recs]
    await asyncio.sleep(seconds)
    t1 = time.monotonic()
    c1 = d.proc_cpu_ticks(pid)
    th1 = thread_ticks(pid)
    window = t1 - t0
    fps = [(r['peer'].video_frames - f[0]) / window for r, f in zip(recs, f0)]
    aps = [(r['peer'].audio_packets - f[1]) / window for r, f in zip(recs, f0)]
    threads = {k: round((th1.get(k, 0) - th0.get(k, 0)) / d.CLK_TCK / window * 100, 1) for k in th1}
    return {
        'window_s': round(window, 2),
        'cpu_pct': round((c1 - c0) / d.CLK_TCK / window * 100, 2),
        'cpu_by_thread_pct': dict(sorted(((k, v) for k, v in threads.items() if v > 0), key=lambda kv: -kv[1])),
        'fps_mean': round(sum(fps) / len(fps), 1), 'fps_min': round(min(fps), 1),
        'audio_pps_mean': round(sum(aps) / len(aps), 1), 'audio_pps_min': round(min(aps), 1),
        'socket_drops': socket_drops(pid, ports) - dr0,
    }


async def run_sender_process(kind, ports, ufrags, rate, seconds):
    proc = await asyncio.create_subprocess_exec(
        '/usr/bin/python3', os.path.abspath(__file__), '--sender', kind, '--ports', ','.join(map(str, ports)),
        '--ufrags', json.dumps(ufrags), '--rate', str(rate), '--seconds', str(seconds),
        stdout=asyncio.subprocess.PIPE, env=dict(os.environ, PW_UDP_GARBAGE_NS='1'))
    out, _ = await proc.communicate()
    return json.loads(out.decode().strip().splitlines()[-1]) if out.strip() else {'kind': kind, 'error': proc.returncode}


async def run_server(d, transport, args, media, workdir):
    loop = asyncio.get_running_loop()
    srv = d.PipewrightServer(os.path.join(workdir, transport), args.server, {'webrtcTransport': transport})
    os.makedirs(srv.workdir)
    recs = []
    answers = []
    result = {'transport': transport, 'phases': {}, 'errors': []}
    try:
        await srv.start()
        pid = srv.pid
        d.log(f'{transport}: server pid {pid} at {srv.url}')
        timer = d.Timer()

        async def one(i):
            peer = d.Peer(f'{transport}-{i}', media, loop)
            # The server's ICE ufrag (answer) and candidate ports (answer or trickled), per session.
            seen = {'sdp': '', 'ports': set()}
            answers.append(seen)
            set_answer, add_candidate = peer.set_answer, peer.add_remote_candidate

            def keep_answer(sdp, set_answer=set_answer, seen=seen):
                seen['sdp'] = sdp
                seen['ports'].update(re.findall(r'a=candidate:\S+ \d+ udp \d+ 127\.0\.0\.1 (\d+) typ', sdp, re.I))
                set_answer(sdp)

            def keep_candidate(mline, candidate, add_candidate=add_candidate, seen=seen):
                seen['ports'].update(re.findall(r'(?i) udp \d+ 127\.0\.0\.1 (\d+) typ', candidate))
                add_candidate(mline, candidate)
            peer.set_answer, peer.add_remote_candidate = keep_answer, keep_candidate
            rec = {'peer': peer, 'tasks': [], 'error': None}
            recs.append(rec)
            peer.start()
            try:
                await srv.session(peer, timer, rec)
                await asyncio.wait_for(peer.first_video, 30)
            except Exception as e:  # noqa: BLE001 - reported
                rec['error'] = f'{type(e).__name__}: {e}'
                d.log(f'{transport} session {i}: {rec["error"]}')
        await asyncio.gather(*(one(i) for i in range(args.sessions)))
        await asyncio.sleep(args.settle)
        ports, skipped = server_udp_ports(pid)
        ufrags = {}
        for seen in answers:
            ufrag = re.search(r'a=ice-ufrag:(\S+)', seen['sdp'])
            for port in seen['ports']:
                if ufrag:
                    ufrags[port] = ufrag.group(1)
        result.update({'pid': pid, 'udp_ports': sorted(ports), 'udp_ports_not_reached': skipped,
                       'ports_with_known_ufrag': sorted(int(p) for p in ufrags),
                       'sessions_up': sum(1 for r in recs if not r['error'])})
        d.log(f'{transport}: {result["sessions_up"]}/{args.sessions} sessions echo; '
              f'{len(ports)} server UDP ports reached from 127.0.0.1: {sorted(ports)}')
        if not ports:
            raise RuntimeError('no server UDP port found')
        plist = sorted(ports)
        result['phases']['none'] = await measure_window(d, pid, recs, args.seconds, ports)
        d.log(f'{transport} none: {result["phases"]["none"]}')
        for kind in args.phases.split(','):
            sender = asyncio.ensure_future(run_sender_process(kind, plist, ufrags, args.rate, args.seconds + 0.5))
            await asyncio.sleep(0.25)  # the window starts with the flood running
            perf = None
            if args.perf:  # call graphs of the server during this window (perf report -i FILE)
                perf = await asyncio.create_subprocess_exec(
                    'perf', 'record', '-q', '-g', '-p', str(pid), '-o',
                    os.path.join(args.perf, f'perf-{transport}-{kind}.data'),
                    stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
            w = await measure_window(d, pid, recs, args.seconds, ports)
            if perf:
                perf.send_signal(2)
                await perf.wait()
            w['sender'] = await sender
            result['phases'][kind] = w
            d.log(f'{transport} {kind}: {w}')
            if srv.proc.returncode is not None:
                raise RuntimeError(f'server exited during {kind} (code {srv.proc.returncode})')
            await asyncio.sleep(args.gap)
        result['phases']['after'] = await measure_window(d, pid, recs, min(args.seconds, 5), ports)
        d.log(f'{transport} after: {result["phases"]["after"]}')
        result['server_alive_at_end'] = srv.proc.returncode is None
    except Exception as e:  # noqa: BLE001 - reported in the JSON and the table
        result['errors'].append(f'{type(e).__name__}: {e}')
        d.log(f'{transport}: {e}')
    finally:
        for r in recs:
            if r['error']:
                result['errors'].append(r['error'])
            for t in r['tasks']:
                t.cancel()
            try:
                if r.get('release'):
                    await asyncio.wait_for(r['release'](), 10)
            except Exception:  # noqa: BLE001
                pass
            if r.get('close'):
                await r['close']()
            r['peer'].stop()
        await srv.stop()
    return result


# --------------------------------------------------------------------------------------------
# Report

LABELS = {'none': 'no garbage', 'random': '(a) random bytes', 'stun': '(b) STUN, wrong credentials',
          'stun-ufrag': '(b\') STUN, real ufrag, wrong password',
          'dtls': '(c) DTLS ClientHello', 'rtp': '(d) RTP/RTCP, SRTP auth fails',
          'scan': '(e) port scan 1024–65535', 'after': 'after the garbage'}


def table(results):
    by = {r['transport']: r for r in results}
    lean, wbin = by.get('lean'), by.get('webrtcbin')
    phases = list((lean or wbin)['phases'])

    def get(r, ph, key):
        return r['phases'].get(ph, {}).get(key) if r else None

    def f(v, fmt='{:.1f}'):
        return 'n/a' if v is None else fmt.format(v)
    lines = ['| phase | sent (pps) | server CPU lean (% core) | over no garbage | server CPU webrtcbin | over no garbage '
             '| lean / webrtcbin | video fps lean (mean/min) | video fps webrtcbin | socket drops lean / webrtcbin |',
             '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|']
    base_l, base_w = get(lean, 'none', 'cpu_pct'), get(wbin, 'none', 'cpu_pct')
    for ph in phases:
        cl, cw = get(lean, ph, 'cpu_pct'), get(wbin, ph, 'cpu_pct')
        sent = [r['phases'][ph]['sender']['pps'] for r in (lean, wbin) if r and 'sender' in r['phases'].get(ph, {})
                and 'pps' in r['phases'][ph]['sender']]
        over_l = cl - base_l if cl is not None and base_l is not None and ph != 'none' else None
        over_w = cw - base_w if cw is not None and base_w is not None and ph != 'none' else None
        ratio = f'{cl / cw:.2f}' if cl is not None and cw else 'n/a'
        lines.append(
            f'| {LABELS.get(ph, ph)} | {"/".join(str(s) for s in sent) or "0"} | {f(cl)} | {f(over_l, "{:+.1f}")} | {f(cw)} '
            f'| {f(over_w, "{:+.1f}")} | {ratio} | {f(get(lean, ph, "fps_mean"))}/{f(get(lean, ph, "fps_min"))} '
            f'| {f(get(wbin, ph, "fps_mean"))}/{f(get(wbin, ph, "fps_min"))} '
            f'| {f(get(lean, ph, "socket_drops"), "{}")} / {f(get(wbin, ph, "socket_drops"), "{}")} |')
    return '\n'.join(lines)


async def main_async(args):
    sys.path.insert(0, HERE)
    import driver as d  # noqa: E402  (GStreamer peer, Kurento session, /proc helpers)
    d.Gst.init(None)
    media_seconds = int(args.settle + (len(args.phases.split(',')) + 2) * (args.seconds + args.gap) + 40)
    media = d.ensure_media(os.path.join(tempfile.gettempdir(), f'pw-bench-media-{media_seconds}s.webm'), media_seconds)
    workdir = tempfile.mkdtemp(prefix='pw-udp-garbage-')
    results = []
    for transport in args.transports.split(','):
        results.append(await run_server(d, transport, args, media, workdir))
    meta = {'date': time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()), 'cpus': os.cpu_count(),
            'sessions': args.sessions, 'rate_pps': args.rate, 'seconds': args.seconds, 'server': args.server,
            'gstreamer': d.Gst.version_string(), 'workdir': workdir}
    print(f'Pipewright under UDP garbage - {meta["date"]}, {meta["cpus"]} CPUs, N = {args.sessions} loopback sessions, '
          f'{args.rate} packets/s for {args.seconds:g} s per phase, 127.0.0.1 only')
    print()
    print(table(results))
    for r in results:
        print(f'\n{r["transport"]}: {len(r.get("udp_ports", []))} server UDP ports {r.get("udp_ports")}'
              + (f' (not reachable on 127.0.0.1: {r["udp_ports_not_reached"]})' if r.get('udp_ports_not_reached') else '')
              + f'; alive at the end: {r.get("server_alive_at_end")}'
              + (f'; errors: {r["errors"]}' if r['errors'] else ''))
        for ph, w in r['phases'].items():
            top = ', '.join(f'{k} {v}' for k, v in list(w['cpu_by_thread_pct'].items())[:4])
            print(f'  {ph:7s} CPU by thread (% core): {top}; audio {w["audio_pps_mean"]} packets/s')
    out = args.out or os.path.join(workdir, 'results.json')
    with open(out, 'w') as f:
        json.dump({'meta': meta, 'results': results}, f, indent=2)
    print(f'\nJSON: {out} (server logs: {workdir})')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--server', default=os.path.join(os.path.dirname(HERE), 'build', 'app', 'pipewright'))
    ap.add_argument('--transports', default='lean,webrtcbin', help='webrtcTransport values, in this order')
    ap.add_argument('--sessions', type=int, default=4)
    ap.add_argument('--seconds', type=float, default=10, help='window per phase (default 10 s)')
    ap.add_argument('--rate', type=int, default=10000, help='garbage packets per second (default 10000)')
    ap.add_argument('--phases', default=','.join(PHASES), help=f'comma-separated, of {PHASES}')
    ap.add_argument('--settle', type=float, default=3, help='after every session echoes (default 3 s)')
    ap.add_argument('--gap', type=float, default=2, help='quiet time between phases (default 2 s)')
    ap.add_argument('--out', default=None, help='results as JSON (default <workdir>/results.json)')
    ap.add_argument('--perf', default=None, metavar='DIR',
                    help='record the server with `perf record -g` during each garbage window into DIR '
                         '(perf costs CPU itself: measure without it)')
    ap.add_argument('--sender', help=argparse.SUPPRESS)
    ap.add_argument('--ports', help=argparse.SUPPRESS)
    ap.add_argument('--ufrags', default='{}', help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.sender:
        if not only_loopback():
            sys.exit('udp-garbage sender: refusing to send outside a loopback-only namespace')
        run_sender(args.sender, [int(p) for p in args.ports.split(',') if p], json.loads(args.ufrags),
                   args.rate, args.seconds, seed=os.getpid())
        return
    for ph in args.phases.split(','):
        if ph not in PHASES:
            sys.exit(f'udp-garbage: unknown phase {ph!r} (of {PHASES})')
    args.server = os.path.realpath(args.server)
    if not os.access(args.server, os.X_OK):
        sys.exit(f'udp-garbage: no server binary at {args.server}')
    reexec_in_namespace()
    if not only_loopback():
        sys.exit('udp-garbage: this namespace has interfaces besides lo; refusing to run')
    asyncio.run(main_async(args))


if __name__ == '__main__':
    main()
