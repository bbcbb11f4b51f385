// GStreamerFilter runs only harmless elements (docs/security.md, "GStreamerFilter: only harmless
// elements"): every command that could read or write a file, open a socket or reach another
// pipeline is refused with 40107, and the test checks the filesystem and loopback listeners to
// see that nothing happened. Allowed chains still pass media, and the config key
// gstreamerFilterAllowedElements extends the list.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import dgram from 'node:dgram';
import path from 'node:path';
import { startServer, rpcClient, tempDir, removeDir, expectError, makeClip, discover, sleep } from '../lib/server.mjs';
import { bindSession, createPipeline, createElement, invokeRaw, invokeValue, subscribe, isEvent } from '../lib/kms.mjs';

const CONFIG_KEY = 'gstreamerFilterAllowedElements';

let media; // the server's media folder
let outside; // a folder the server must never touch
let secret; // a file inside `outside`; reading it changes its access time
let atimeWorks = false; // whether this filesystem records reads in atime
let tcp; // a loopback TCP listener nobody should connect to
let tcpConnections = 0;
let udp; // a loopback UDP socket nobody should send to
let udpDatagrams = 0;
let freePort; // a port nothing listens on; tcpserversrc must not start listening there

/** Sets the access time of `file` far in the past, so that any read moves it (relatime). */
function resetAtime(file) {
  utimesSync(file, new Date('2001-01-01T00:00:00Z'), new Date());
  return statSync(file).atimeMs;
}

function portOf(server) {
  return server.address().port;
}

async function unusedPort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = portOf(s);
  await new Promise((r) => s.close(r));
  return port;
}

function listening(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

before(async () => {
  media = await tempDir('pipewright-media-');
  outside = await tempDir('pipewright-outside-');
  secret = path.join(outside, 'secret.txt');
  writeFileSync(secret, 'top secret\n'.repeat(1000));
  // Does a read show in atime here (not mounted noatime)? Prove it on a control file.
  const control = path.join(media, 'control.txt');
  writeFileSync(control, 'control\n');
  const before = resetAtime(control);
  readFileSync(control);
  atimeWorks = statSync(control).atimeMs !== before;

  tcp = net.createServer((s) => { tcpConnections++; s.destroy(); });
  await new Promise((r) => tcp.listen(0, '127.0.0.1', r));
  udp = dgram.createSocket('udp4');
  udp.on('message', () => { udpDatagrams++; });
  await new Promise((r) => udp.bind(0, '127.0.0.1', r));
  freePort = await unusedPort();
});

after(async () => {
  if (tcp) await new Promise((r) => tcp.close(r));
  if (udp) udp.close();
  await removeDir(media);
  await removeDir(outside);
});

describe('GStreamerFilter refuses what could reach files, sockets or processes', () => {
  let srv;
  let c;
  let P;
  before(async () => {
    srv = await startServer({ mediaFolders: [media] });
    c = await rpcClient(srv.url);
    await bindSession(c);
    P = await createPipeline(c);
  });
  after(async () => {
    if (c) await c.close();
    if (srv) await srv.stop();
  });

  async function expectRefused(command, mentions) {
    const resp = await c.call('create', { type: 'GStreamerFilter', constructorParams: { mediaPipeline: P, command } });
    const e = expectError(resp, 40107, `create GStreamerFilter '${command}'`);
    for (const m of [].concat(mentions)) {
      assert.match(e.message, m, `message for '${command}' should match ${m}: ${e.message}`);
    }
    return e;
  }

  /** Runs `fn` and checks that the outside folder, the secret and the listeners saw nothing. */
  async function untouched(fn) {
    const entries = readdirSync(outside).sort();
    const atime = resetAtime(secret);
    const conns = tcpConnections;
    const datagrams = udpDatagrams;
    let failure = null;
    await fn().catch((err) => { failure = err; });
    // the side effects first: they are the real harm if a command got through
    await sleep(500); // anything started would have opened its file or socket by now
    assert.deepEqual(readdirSync(outside).sort(), entries, 'a file appeared outside the media folders');
    if (atimeWorks) assert.equal(statSync(secret).atimeMs, atime, 'the secret file was read');
    assert.equal(tcpConnections, conns, 'something connected to the loopback TCP listener');
    assert.equal(udpDatagrams, datagrams, 'something sent datagrams to the loopback UDP socket');
    assert.equal(await listening(freePort), false, `something listens on port ${freePort}`);
    if (failure) throw failure;
  }

  /** Runs every case, then fails with all the failures at once (one command per line). */
  async function eachCase(cases, fn) {
    const failures = [];
    for (const item of cases) {
      await fn(item).catch((err) => failures.push(`${item[0]}\n    ${err.message.split('\n')[0]}`));
    }
    assert.equal(failures.length, 0, `${failures.length} of ${cases.length} commands were not refused cleanly:\n  ${failures.join('\n  ')}`);
  }

  const refusedElement = (factory) => new RegExp(`"${factory}"[\\s\\S]*${CONFIG_KEY}`);

  it('file, network, device and app elements: refused with 40107 naming the element and the config key', async (t) => {
    if (!atimeWorks) t.diagnostic('this filesystem does not record reads in atime: the "secret not read" check is skipped');
    const cases = [
      ['filesrc location=/etc/passwd', 'filesrc'],
      [`filesrc location=${secret}`, 'filesrc'],
      [`filesink location=${outside}/x`, 'filesink'],
      [`multifilesink location=${outside}/frame-%05d`, 'multifilesink'],
      [`souphttpsrc location=http://127.0.0.1:${portOf(tcp)}/`, 'souphttpsrc'],
      [`tcpclientsink host=127.0.0.1 port=${portOf(tcp)}`, 'tcpclientsink'],
      [`tcpserversrc host=127.0.0.1 port=${freePort}`, 'tcpserversrc'],
      [`udpsink host=127.0.0.1 port=${udp.address().port}`, 'udpsink'],
      ['appsink', 'appsink'],
      ['fdsrc fd=0', 'fdsrc'],
      [`shmsink socket-path=${outside}/shm`, 'shmsink'],
      [`rtspsrc location=rtsp://127.0.0.1:${portOf(tcp)}/x`, 'rtspsrc'],
      ['pipewiresrc', 'pipewiresrc'],
      // a video effect, but its location property reads a file
      [`gdkpixbufoverlay location=${secret}`, 'gdkpixbufoverlay'],
      // as the last element of an otherwise harmless chain
      [`videoflip ! filesink location=${outside}/tail`, 'filesink'],
    ];
    await eachCase(cases, ([command, factory]) => untouched(async () => {
      const e = await expectRefused(command, []);
      // an element this machine lacks is refused as unknown; an installed one names the config key
      assert.match(e.message, new RegExp(`"${factory}"`), `'${command}': ${e.message}`);
      if (!/no element/.test(e.message)) assert.match(e.message, refusedElement(factory), `'${command}': ${e.message}`);
    }));
  });

  it('gst-launch syntax beyond one chain: URIs, bins, several chains, named references', async () => {
    const cases = [
      ['file:///etc/passwd', /URIs/],
      [`videoflip ! file://${outside}/uri-out.webm`, /URIs/],
      [`http://127.0.0.1:${portOf(tcp)}/x ! videoflip`, /URIs/],
      ['( videoflip )', /bins/],
      ['videoflip ! ( videobalance )', /bins/],
      ['videoflip videobalance', /one chain/],
      ['videoflip ! videobalance  videoconvert ! videoscale', /one chain/],
      // what used to write the client's stream to a file: a second chain ...
      [`videoflip ! videoconvert  fakesrc ! filesink location=${outside}/second-chain`, /one chain/],
      // ... or a named tee branch
      [`videoconvert ! tee name=t ! queue  t. ! queue ! filesink location=${outside}/tee-branch`, /named references/],
      ['videoflip ! t.', /named references/],
      ['videoflip ! .src', /named references/],
      ['videoflip !', /missing/],
      ['videoflip ! ! videobalance', /missing/],
      ['', /empty/],
    ];
    await eachCase(cases, ([command, why]) => untouched(() => expectRefused(command, why)));
  });

  it('a hazardous property is refused, in the command and through setElementProperty', async () => {
    await untouched(() => expectRefused('videoflip location=x', [/"location"/, /never/]));
    await untouched(() => expectRefused(`videobalance uri=file://${secret}`, [/"uri"/]));
    const g = await createElement(c, 'GStreamerFilter', P, { command: 'videoflip video-direction=horiz' });
    await untouched(async () => {
      const r = await invokeRaw(c, g, 'setElementProperty', { propertyName: 'location', propertyValue: secret });
      const e = expectError(r, 40107, 'setElementProperty location');
      assert.match(e.message, /"location"/);
    });
    // a harmless property still changes
    assert.equal(await invokeValue(c, g, 'setElementProperty', { propertyName: 'video-direction', propertyValue: 'vert' }), null);
    assert.equal(await invokeValue(c, g, 'setElementProperty', { propertyName: 'method', propertyValue: 'vertical-flip' }), null);
    const bad = expectError(await invokeRaw(c, g, 'setElementProperty', { propertyName: 'video-direction', propertyValue: 'sideways' }),
      40107, 'invalid value');
    assert.match(bad.message, /sideways/);
  });

  it('elements outside the default list name the config key that allows them', async () => {
    await expectRefused('identity', refusedElement('identity'));
    await expectRefused('nosuchelement', /no element "nosuchelement"/);
  });

  it('the documented commands still create (and a chain may now end in caps)', async () => {
    for (const command of [
      'videoflip video-direction=horiz',
      'videoflip method=horizontal-flip',
      'videobalance saturation=0',
      'videobalance saturation=0.0',
      'capsfilter caps=video/x-raw,width=320',
      'videoflip video-direction=horiz ! videobalance saturation=0',
      'audioecho delay=250000000 intensity=0.4',
      'volume volume=0.5',
      'textoverlay text="hello world"',
      'textoverlay text="Studio 2" valignment=top halignment=left',
      'timeoverlay',
      'videoscale ! capsfilter caps=video/x-raw,width=320,height=180',
      'videoscale ! video/x-raw,width=320,height=180',
      'videoconvert ! video/x-raw,format=(string)I420 ! videoflip video-direction=180',
    ]) {
      await createElement(c, 'GStreamerFilter', P, { command });
    }
  });

  it('an allowed chain passes media: Player → GStreamerFilter → Recorder, checked with gst-discoverer', { timeout: 60000 }, async () => {
    const clip = path.join(media, 'clip.webm');
    await makeClip(clip, { seconds: 3 }); // 320x240 VP8 + Opus
    const out = path.join(media, 'filtered.webm');
    const p = await createPipeline(c);
    const player = await createElement(c, 'PlayerEndpoint', p, { uri: `file://${clip}` });
    const filter = await createElement(c, 'GStreamerFilter', p,
      { command: 'videoflip video-direction=horiz ! videobalance saturation=0 ! videoscale ! video/x-raw,width=160,height=120' });
    const recorder = await createElement(c, 'RecorderEndpoint', p, { uri: `file://${out}`, mediaProfile: 'WEBM' });
    await invokeValue(c, player, 'connect', { sink: filter });
    await invokeValue(c, filter, 'connect', { sink: recorder });
    const from = c.events.length;
    for (const t of ['EndOfStream', 'Error']) await subscribe(c, player, t);
    await subscribe(c, recorder, 'Error');
    await invokeValue(c, recorder, 'record');
    await invokeValue(c, player, 'play');
    await c.waitEvent(isEvent(player, 'EndOfStream'), 20000, from).catch((err) => {
      const errors = c.events.slice(from).filter((e) => e.params?.value?.type === 'Error');
      throw new Error(`${err.message}; errors: ${JSON.stringify(errors)}`);
    });
    await invokeValue(c, recorder, 'stopAndWait');
    const info = await discover(out);
    assert.deepEqual(info.videoCodecs, ['VP8'], info.raw);
    assert.match(info.videoCaps[0], /width=\(int\)160/, `the filter's caps segment should scale to 160x120: ${info.videoCaps[0]}`);
    assert.match(info.videoCaps[0], /height=\(int\)120/);
    assert.ok(info.durationSec > 2, `recording too short: ${info.durationSec}s`);
    await c.call('release', { object: p });
  });
});

describe(`${CONFIG_KEY} in the config extends the list`, () => {
  let srv;
  let c;
  let P;
  before(async () => {
    srv = await startServer({ mediaFolders: [media], config: { [CONFIG_KEY]: ['identity', 'gdkpixbufoverlay'] } });
    c = await rpcClient(srv.url);
    await bindSession(c);
    P = await createPipeline(c);
  });
  after(async () => {
    if (c) await c.close();
    if (srv) await srv.stop();
  });

  it('a listed factory is accepted', async () => {
    await createElement(c, 'GStreamerFilter', P, { command: 'identity silent=true' });
    await createElement(c, 'GStreamerFilter', P, { command: 'videoflip video-direction=horiz ! identity ! videobalance saturation=0' });
  });

  it('listing a factory never unlocks its hazardous properties nor other factories', async () => {
    const atime = resetAtime(secret);
    const refused = expectError(await c.call('create', {
      type: 'GStreamerFilter', constructorParams: { mediaPipeline: P, command: `gdkpixbufoverlay location=${secret}` },
    }), 40107, 'listed gdkpixbufoverlay with location');
    assert.match(refused.message, /"location"/);
    const g = await createElement(c, 'GStreamerFilter', P, { command: 'gdkpixbufoverlay' });
    const r = expectError(await invokeRaw(c, g, 'setElementProperty', { propertyName: 'location', propertyValue: secret }),
      40107, 'setElementProperty location on a listed element');
    assert.match(r.message, /"location"/);
    await sleep(500);
    if (atimeWorks) assert.equal(statSync(secret).atimeMs, atime, 'the secret file was read');
    expectError(await c.call('create', {
      type: 'GStreamerFilter', constructorParams: { mediaPipeline: P, command: 'filesrc location=/etc/passwd' },
    }), 40107, 'filesrc stays refused');
  });
});
