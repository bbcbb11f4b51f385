#!/usr/bin/env node
// SIGKILL while recording (security/reliability issue): every trial starts the real server,
// records a PlayerEndpoint into one RecorderEndpoint per profile family (WEBM, MKV, MP4; now and
// then a _VIDEO_ONLY or _AUDIO_ONLY variant) for a random 3–8 s, kills the server with SIGKILL and
// checks each file:
//   - gst-discoverer-1.0 reads it: the container, every recorded track with its codec, and a
//     duration that is absent or within 2 s of the time recorded;
//   - every track decodes to the end (decodebin into a fakesink, exit status 0), to within 2 s of
//     the time recorded, without a hole of more than 0.5 s;
//   - the duration the header states is no longer than the media that decodes.
// "The time recorded" runs from the Recording event (the first data written, as the server stamps
// it) to the kill; the time from record() to that event is printed too.
//
//   cd tests && PIPEWRIGHT_BIN=../build/app/pipewright node faults/kill-while-recording.mjs
//
// Environment: KILL_TRIALS (default 10; each trial checks one file per family), KILL_SEED (random
// by default; printed, to repeat a run), KILL_FAMILIES (e.g. "MP4" or "WEBM,MKV"; all by default),
// KEEP_MEDIA=1 keeps the files (they are kept anyway when a check fails, and the server's log is
// printed). ctest runs it as faults.kill-recording with KILL_TRIALS=10.
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { startServer, rpcClient, tempDir, removeDir, makeClip, discover, expectResult, sleep, serverBinary } from '../lib/server.mjs';
import { bindSession, createPipeline, createElement, invokeRaw, subscribe, isEvent } from '../lib/kms.mjs';

const TRIALS = Number(process.env.KILL_TRIALS || 10);
const SEED = Number(process.env.KILL_SEED || Math.floor(Math.random() * 2 ** 31));
const MIN_S = 3;
const MAX_S = 8;
const TOLERANCE_S = 2;
const MAX_HOLE_S = 0.5;  // between two decoded buffers of a track
const CLIP_S = MAX_S + 6;  // the player never reaches its end

const FAMILIES = [
  { name: 'WEBM', ext: 'webm', container: /webm/i, video: 'VP8', audio: 'OPUS' },
  { name: 'MKV', ext: 'mkv', container: /matroska/i, video: 'H264', audio: 'OPUS' },
  { name: 'MP4', ext: 'mp4', container: /quicktime|mp4|iso/i, video: 'H264', audio: 'AAC' },
].filter((f) => !process.env.KILL_FAMILIES || process.env.KILL_FAMILIES.split(',').includes(f.name));

// mulberry32: a small seeded generator, so a failing run can be repeated with KILL_SEED.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function run(cmd, args, timeout = 60000) {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code ?? 1) : 0, signal: err?.signal ?? null, out: stdout + stderr });
    });
  });
}

const toSec = (h, m, s) => Number(h) * 3600 + Number(m) * 60 + Number(s);

/**
 * Decode the file to its end (decodebin into fakesinks) and return the exit status, and for
 * `track` the end (pts + duration, seconds) of its last decoded buffer and the largest step
 * between the timestamps of two consecutive buffers (a hole in the media). One run per measured
 * track: with two verbose fakesinks in one pipeline, gst-launch-1.0 -v misses some of their
 * messages.
 */
async function decodeTrack(file, track, { video, audio }) {
  const sink = track === 'video' ? 'vsink' : 'asink';
  const args = ['-v', 'filesrc', `location=${file}`, '!', 'decodebin', 'name=d'];
  // Every track is linked (gst-launch-1.0 sometimes hangs at the end of a killed MP4 when one of
  // its streams is left unlinked); only the measured one's fakesink reports its buffers.
  if (video) args.push('d.', '!', 'videoconvert', '!', 'queue', '!', 'fakesink', 'name=vsink', `silent=${track !== 'video'}`, 'sync=false');
  if (audio) args.push('d.', '!', 'audioconvert', '!', 'queue', '!', 'fakesink', 'name=asink', `silent=${track !== 'audio'}`, 'sync=false');
  const r = await run('gst-launch-1.0', args);
  let end = 0;
  let last = null;
  let hole = 0;
  let buffers = 0;
  const re = new RegExp(`GstFakeSink:${sink}: last-message = chain.*?pts: (\\d+):(\\d+):(\\d+(?:\\.\\d+)?)` +
    '(?:, duration: (\\d+):(\\d+):(\\d+(?:\\.\\d+)?))?', 'g');
  for (const m of r.out.matchAll(re)) {
    const pts = toSec(m[1], m[2], m[3]);
    const t = pts + (m[4] !== undefined ? toSec(m[4], m[5], m[6]) : 0);
    if (last !== null) hole = Math.max(hole, pts - last);
    last = pts;
    end = Math.max(end, t);
    buffers++;
  }
  return { code: r.code, signal: r.signal, end, hole, buffers, tail: r.out.slice(-1500) };
}

/** Every check of one killed recording; returns a list of failures (empty: it passed). */
async function check(rec, wallS) {
  const { file, family, video, audio } = rec;
  const failures = [];
  const fail = (msg) => failures.push(msg);
  if (!existsSync(file) || statSync(file).size === 0) {
    fail('no file, or an empty one');
    return { failures };
  }
  let info;
  try {
    info = await discover(file);
  } catch (err) {
    fail(`gst-discoverer-1.0 cannot read it: ${err.message.slice(0, 600)}`);
    return { failures };
  }
  if (!family.container.test(info.container || '')) fail(`container ${info.container}`);
  const wantVideo = video ? [family.video] : [];
  const wantAudio = audio ? [family.audio] : [];
  if (JSON.stringify(info.videoCodecs) !== JSON.stringify(wantVideo)) fail(`video tracks ${JSON.stringify(info.videoCodecs)}, want ${JSON.stringify(wantVideo)}`);
  if (JSON.stringify(info.audioCodecs) !== JSON.stringify(wantAudio)) fail(`audio tracks ${JSON.stringify(info.audioCodecs)}, want ${JSON.stringify(wantAudio)}`);
  const stated = info.durationSec;
  if (stated !== null && Math.abs(stated - wallS) > TOLERANCE_S) {
    fail(`discoverer duration ${stated.toFixed(2)} s is not within ${TOLERANCE_S} s of the ${wallS.toFixed(2)} s recorded`);
  }
  const ends = {};
  for (const track of ['video', 'audio']) {
    if (!(track === 'video' ? video : audio)) continue;
    const dec = await decodeTrack(file, track, { video, audio });
    ends[track] = dec.end;
    if (dec.code !== 0) {
      fail(`decoding the ${track} failed (exit ${dec.code}${dec.signal ? `, ${dec.signal}` : ''}):\n${dec.tail}`);
    }
    if (Math.abs(dec.end - wallS) > TOLERANCE_S) {
      fail(`${track} decodes to ${dec.end.toFixed(2)} s, not within ${TOLERANCE_S} s of the ${wallS.toFixed(2)} s recorded`);
    }
    if (dec.hole > MAX_HOLE_S) fail(`${track} has a hole of ${dec.hole.toFixed(2)} s (${dec.buffers} buffers decoded)`);
  }
  const decoded = Math.max(ends.video ?? 0, ends.audio ?? 0);
  // The header never promises media that is not there (a little slack for codec delays).
  if (stated !== null && stated > decoded + 0.25) {
    fail(`discoverer duration ${stated.toFixed(2)} s is longer than the ${decoded.toFixed(2)} s that decode`);
  }
  return { failures, stated, decoded: ends };
}

async function trial(n, random, media, clips) {
  const seconds = MIN_S + random() * (MAX_S - MIN_S);
  const recs = FAMILIES.map((family) => {
    const r = random();
    const variant = r < 0.7 ? 'AV' : r < 0.85 ? 'VIDEO_ONLY' : 'AUDIO_ONLY';
    const profile = variant === 'AV' ? family.name : `${family.name}_${variant}`;
    return {
      family, profile,
      video: variant !== 'AUDIO_ONLY',
      audio: variant !== 'VIDEO_ONLY',
      file: path.join(media, `trial-${n}-${profile}.${family.ext}`),
    };
  });
  const srv = await startServer({ mediaFolders: [media] });
  let c;
  try {
    c = await rpcClient(srv.url);
    await bindSession(c);
    for (const rec of recs) {
      const p = await createPipeline(c);
      const player = await createElement(c, 'PlayerEndpoint', p, { uri: `file://${clips[rec.family.ext]}` });
      const recorder = await createElement(c, 'RecorderEndpoint', p, { uri: `file://${rec.file}`, mediaProfile: rec.profile });
      rec.recorder = recorder;
      await subscribe(c, recorder, 'Error');
      await subscribe(c, recorder, 'Recording');
      await subscribe(c, player, 'Error');
      expectResult(await invokeRaw(c, player, 'connect', { sink: recorder }), 'connect');
      expectResult(await invokeRaw(c, recorder, 'record'), 'record');
      rec.startedAt = Date.now();
      expectResult(await invokeRaw(c, player, 'play'), 'play');
    }
    await sleep(seconds * 1000);
    const errors = c.events.filter((e) => e.params?.value?.type === 'Error');
    const killedAt = Date.now();
    const ex = await srv.kill('SIGKILL');
    if (ex.signal !== 'SIGKILL') throw new Error(`the server ended with ${JSON.stringify(ex)}, not by SIGKILL`);
    if (errors.length) throw new Error(`Error events while recording: ${JSON.stringify(errors.map((e) => e.params.value.data))}`);
    for (const rec of recs) {
      // The recording starts with its first data (the Recording event, stamped by the server).
      const ev = c.events.find(isEvent(rec.recorder, 'Recording'));
      if (!ev) throw new Error(`${rec.profile}: no Recording event within ${seconds.toFixed(1)} s of record()`);
      const firstDataAt = Number(ev.params.value.data.timestampMillis);
      rec.startS = (firstDataAt - rec.startedAt) / 1000;
      rec.wallS = (killedAt - firstDataAt) / 1000;
    }
  } finally {
    c?.terminate();
    if (srv.isRunning()) await srv.stop().catch(() => {});
    await removeDir(srv.dir);
  }
  const results = [];
  for (const rec of recs) results.push({ rec, ...(await check(rec, rec.wallS)) });
  if (results.some((r) => r.failures.length)) results.serverLog = srv.stderrText().slice(-8000);
  return results;
}

async function main() {
  const bin = serverBinary();
  if (!existsSync(bin)) {
    console.error(`no server binary at ${bin} (set PIPEWRIGHT_BIN)`);
    process.exit(2);
  }
  console.log(`# kill-while-recording: ${TRIALS} trials, KILL_SEED=${SEED}, server ${bin}`);
  const random = rng(SEED);
  const media = await tempDir('pipewright-kill-');
  const clips = {};
  for (const f of FAMILIES) {
    clips[f.ext] = path.join(media, `clip.${f.ext}`);
    await makeClip(clips[f.ext], { seconds: CLIP_S, container: f.ext });
  }
  const tally = Object.fromEntries(FAMILIES.map((f) => [f.name, { pass: 0, total: 0 }]));
  let failed = 0;
  const started = Date.now();
  for (let n = 1; n <= TRIALS; n++) {
    let results;
    try {
      results = await trial(n, random, media, clips);
    } catch (err) {
      failed++;
      console.log(`not ok ${n} - trial could not run: ${err.stack || err}`);
      continue;
    }
    for (const { rec, failures, stated, decoded } of results) {
      const t = tally[rec.family.name];
      t.total++;
      const what = `${rec.profile} recorded ${rec.wallS.toFixed(2)} s (from ${rec.startS.toFixed(2)} s after record()): duration ${stated == null ? 'absent' : `${stated.toFixed(2)} s`}` +
        (decoded ? `, decodes to${rec.video ? ` video ${decoded.video.toFixed(2)} s` : ''}${rec.audio ? ` audio ${decoded.audio.toFixed(2)} s` : ''}` : '');
      if (failures.length === 0) {
        t.pass++;
        console.log(`ok ${n} - ${what}`);
      } else {
        failed++;
        console.log(`not ok ${n} - ${what}\n  ${failures.join('\n  ')}\n  file: ${rec.file}`);
      }
    }
    if (results.serverLog) console.log(`# server log (tail):\n${results.serverLog.replace(/^/gm, '#   ')}`);
  }
  const summary = Object.entries(tally).map(([k, v]) => `${k} ${v.pass}/${v.total}`).join(', ');
  console.log(`# passed: ${summary} (${((Date.now() - started) / 1000).toFixed(0)} s, KILL_SEED=${SEED})`);
  if (failed === 0 && !process.env.KEEP_MEDIA) await removeDir(media);
  else console.log(`# media kept in ${media}`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
