#!/usr/bin/env node
// Generates docs/api-reference.md from the remote API schema (engine/schema/*.kmd.json).
// Usage: node scripts/gen-api-docs.mjs   (paths are resolved relative to this script)
// No npm dependencies; output is deterministic so it can be committed and diffed.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const schemaDir = path.join(root, 'engine', 'schema');
const outFile = path.join(root, 'docs', 'api-reference.md');
const MODULES = ['core', 'elements', 'filters', 'chroma'];

const modules = MODULES.map((name) => {
  const file = path.join(schemaDir, `${name}.kmd.json`);
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const k of ['remoteClasses', 'complexTypes', 'events']) data[k] = data[k] || [];
  return data;
});

// ---- global indexes -------------------------------------------------------
const classes = new Map();
const types = new Map();
const events = new Map();
const moduleOf = new Map();
for (const m of modules) {
  for (const c of m.remoteClasses) { classes.set(c.name, c); moduleOf.set(c.name, m.name); }
  for (const t of m.complexTypes) { types.set(t.name, t); moduleOf.set(t.name, m.name); }
  for (const e of m.events) { events.set(e.name, e); moduleOf.set(`event:${e.name}`, m.name); }
}
const PRIMITIVES = new Set(['String', 'boolean', 'int', 'int64', 'float', 'double']);

// ---- markdown helpers ------------------------------------------------------
const anchor = (text) => text.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
const esc = (s) => String(s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (s) => '`' + s + '`';

function typeRef(t) {
  if (!t) return code('void');
  const base = t.replace(/(\[\]|<>)$/, '');
  if (PRIMITIVES.has(base)) return code(t);
  if (classes.has(base) || types.has(base)) return `[${code(t)}](#${anchor(base)})`;
  return code(t);
}
const eventRef = (n) => (events.has(n) ? `[${n}](#${anchor(n)}-event)` : n);
const fmtDefault = (v) => code(JSON.stringify(v));

function table(headers, rows) {
  if (!rows.length) return '';
  const out = [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`];
  for (const r of rows) out.push(`| ${r.map(esc).join(' | ')} |`);
  return out.join('\n') + '\n';
}

function ancestors(name, map) {
  const out = [];
  let cur = map.get(name);
  const seen = new Set([name]);
  while (cur && cur.extends && !seen.has(cur.extends)) {
    out.push(cur.extends);
    seen.add(cur.extends);
    cur = map.get(cur.extends);
  }
  return out;
}

const access = (p) => (p.final ? 'final' : p.readOnly ? 'ro' : 'rw');
const accessors = (p) => {
  const u = p.name[0].toUpperCase() + p.name.slice(1);
  return p.final || p.readOnly ? `get${u}` : `get${u} / set${u}`;
};

function paramSig(p) {
  let s = `${p.name}${p.optional ? '?' : ''}: ${p.type}`;
  if ('defaultValue' in p) s += ` = ${JSON.stringify(p.defaultValue)}`;
  return s;
}
const paramRows = (params) => params.map((p) => [
  code(p.name), typeRef(p.type), p.optional ? 'no' : 'yes', 'defaultValue' in p ? fmtDefault(p.defaultValue) : '', p.doc || '',
]);
const PARAM_HEAD = ['param', 'type', 'required', 'default', 'description'];

function eventFields(name) {
  const chain = [name, ...ancestors(name, events)];
  const rows = [];
  for (const n of chain.reverse()) {
    for (const f of events.get(n)?.properties || []) {
      rows.push([code(f.name), typeRef(f.type), n === name ? 'own' : n, f.doc || '']);
    }
  }
  return rows;
}

// ---- sections --------------------------------------------------------------
function renderClass(c, out) {
  const chain = ancestors(c.name, classes);
  const flags = [c.abstract ? 'abstract' : 'creatable', `tier ${c.tier || '?'}`, `module ${moduleOf.get(c.name)}`];
  out.push(`### ${c.name}\n`);
  out.push(`*${flags.join(' · ')}*\n`);
  out.push(`**Hierarchy:** ${[c.name, ...chain].map((n, i) => (i ? `[${n}](#${anchor(n)})` : `**${n}**`)).join(' → ')}\n`);
  const subs = [...classes.values()].filter((x) => x.extends === c.name).map((x) => `[${x.name}](#${anchor(x.name)})`);
  if (subs.length) out.push(`**Subclasses:** ${subs.join(', ')}\n`);
  if (c.doc) out.push(`${c.doc}\n`);

  if (Object.hasOwn(c, 'constructor') && c.constructor && typeof c.constructor === 'object') {
    const ctor = c.constructor;
    out.push('#### Constructor\n');
    out.push(`${code(`create ${c.name}(${(ctor.params || []).map(paramSig).join(', ')})`)}${ctor.doc ? ' — ' + ctor.doc : ''}\n`);
    const t = table(PARAM_HEAD, paramRows(ctor.params || []));
    if (t) out.push(t);
  }

  if (c.properties?.length) {
    out.push('#### Properties\n');
    out.push(table(['property', 'type', 'access', 'accessors', 'tier', 'description'],
      c.properties.map((p) => [code(p.name), typeRef(p.type), access(p), accessors(p), p.tier || c.tier || '', p.doc || ''])));
  }

  if (c.methods?.length) {
    out.push('#### Methods\n');
    for (const m of c.methods) {
      const ret = m.return ? m.return.type : 'void';
      out.push(`##### ${c.name}.${m.name}\n`);
      out.push(`${code(`${m.name}(${(m.params || []).map(paramSig).join(', ')}) → ${ret}`)} · tier ${m.tier || c.tier || '?'}\n`);
      if (m.doc) out.push(`${m.doc}\n`);
      const t = table(PARAM_HEAD, paramRows(m.params || []));
      if (t) out.push(t);
      if (m.return) out.push(`Returns ${typeRef(m.return.type)}${m.return.doc ? ' — ' + m.return.doc : ''}\n`);
    }
  }

  if (c.events?.length) {
    out.push('#### Events\n');
    for (const n of c.events) {
      const e = events.get(n);
      out.push(`- ${eventRef(n)}${e?.doc ? ' — ' + e.doc : ''}`);
      const own = (e?.properties || []).map((f) => `${f.name}: ${f.type}`);
      out.push(`  - fields: ${own.length ? code(own.join(', ')) : '(base fields only)'} + base ${code(ancestors(n, events).join(' → ') || 'none')}`);
    }
    out.push('');
  }

  const inheritedProps = [];
  const inheritedMethods = [];
  const inheritedEvents = [];
  for (const a of chain) {
    const ac = classes.get(a);
    if (!ac) continue;
    if (ac.properties?.length) inheritedProps.push(`${ac.properties.map((p) => code(p.name)).join(', ')} (from [${a}](#${anchor(a)}))`);
    if (ac.methods?.length) inheritedMethods.push(`${ac.methods.map((m) => code(m.name)).join(', ')} (from [${a}](#${anchor(a)}))`);
    if (ac.events?.length) inheritedEvents.push(`${ac.events.map(eventRef).join(', ')} (from ${a})`);
  }
  if (inheritedProps.length || inheritedMethods.length || inheritedEvents.length) {
    out.push('#### Inherited\n');
    if (inheritedProps.length) out.push(`- properties: ${inheritedProps.join('; ')}`);
    if (inheritedMethods.length) out.push(`- methods: ${inheritedMethods.join('; ')}`);
    if (inheritedEvents.length) out.push(`- events: ${inheritedEvents.join('; ')}`);
    out.push('');
  }
}

function renderEvent(e, out) {
  const raisedBy = [...classes.values()].filter((c) => (c.events || []).includes(e.name)).map((c) => `[${c.name}](#${anchor(c.name)})`);
  out.push(`### ${e.name} (event)\n`);
  const meta = [];
  if (e.extends) meta.push(`extends ${eventRef(e.extends)}`);
  if (e.tier) meta.push(`tier ${e.tier}`);
  if (raisedBy.length) meta.push(`raised by ${raisedBy.join(', ')}`);
  if (meta.length) out.push(`*${meta.join(' · ')}*\n`);
  if (e.doc) out.push(`${e.doc}\n`);
  const rows = eventFields(e.name);
  out.push(rows.length ? table(['field', 'type', 'declared in', 'description'], rows) : '(no fields)\n');
}

function renderEnum(t, out) {
  out.push(`### ${t.name}\n`);
  if (t.doc) out.push(`${t.doc}\n`);
  out.push(`Values: ${t.values.map(code).join(', ')}\n`);
}

function renderStruct(t, out) {
  out.push(`### ${t.name}\n`);
  const chain = ancestors(t.name, types);
  if (chain.length) out.push(`*extends ${chain.map((n) => `[${n}](#${anchor(n)})`).join(' → ')}*\n`);
  if (t.doc) out.push(`${t.doc}\n`);
  const rows = [];
  for (const n of [...chain].reverse().concat(t.name)) {
    for (const f of types.get(n)?.properties || []) {
      rows.push([code(f.name), typeRef(f.type), f.optional ? 'yes' : 'no',
        'defaultValue' in f ? fmtDefault(f.defaultValue) : '', n === t.name ? 'own' : n, f.doc || '']);
    }
  }
  out.push(rows.length ? table(['field', 'type', 'optional', 'default', 'declared in', 'description'], rows) : '(no fields of its own)\n');
}

// ---- document --------------------------------------------------------------
const out = [];
out.push('# Pipewright remote API reference\n');
out.push('<!-- Generated by scripts/gen-api-docs.mjs from engine/schema/*.kmd.json. Do not edit by hand. -->\n');
out.push('Kurento-compatible API exposed over the JSON-RPC protocol. Type names on the wire are short '
  + '(`WebRtcEndpoint`); qualified names use the `kurento.` prefix for all three modules. '
  + 'Properties are reached through `get<Name>` / `set<Name>` invocations derived from the property list '
  + '(ro = getter only, rw = getter and setter, final = fixed at creation, getter only). '
  + 'Optional parameters marked with `?` take the listed default server-side.\n');

out.push('## Modules\n');
out.push(table(['module', 'version', 'classes', 'events', 'enums', 'complex types'], modules.map((m) => [
  `[${m.name}](#module-${anchor(m.name)})`, m.version || '', String(m.remoteClasses.length), String(m.events.length),
  String(m.complexTypes.filter((t) => t.typeFormat === 'ENUM').length),
  String(m.complexTypes.filter((t) => t.typeFormat !== 'ENUM').length),
])));

out.push('## Class hierarchy\n');
out.push('```');
const tree = (name, depth) => {
  const c = classes.get(name);
  out.push(`${'  '.repeat(depth)}${name}${c.abstract ? ' (abstract)' : ''} [${moduleOf.get(name)}, ${c.tier || '?'}]`);
  for (const sub of [...classes.values()].filter((x) => x.extends === name)) tree(sub.name, depth + 1);
};
for (const c of classes.values()) if (!c.extends) tree(c.name, 0);
out.push('```\n');

for (const m of modules) {
  out.push(`## Module ${m.name}\n`);
  out.push(`Version ${m.version || '?'}${m.kurentoVersion ? `, Kurento compatibility ${code(m.kurentoVersion)}` : ''}.\n`);
  if (m.remoteClasses.length) {
    out.push(`### Classes in ${m.name}\n`);
    out.push(m.remoteClasses.map((c) => `[${c.name}](#${anchor(c.name)})`).join(' · ') + '\n');
    for (const c of m.remoteClasses) renderClass(c, out);
  }
  if (m.events.length) {
    out.push(`### Events in ${m.name}\n`);
    out.push(m.events.map((e) => eventRef(e.name)).join(' · ') + '\n');
    for (const e of m.events) renderEvent(e, out);
  }
  const enums = m.complexTypes.filter((t) => t.typeFormat === 'ENUM');
  if (enums.length) {
    out.push(`### Enums in ${m.name}\n`);
    out.push(enums.map((t) => `[${t.name}](#${anchor(t.name)})`).join(' · ') + '\n');
    for (const t of enums) renderEnum(t, out);
  }
  const structs = m.complexTypes.filter((t) => t.typeFormat !== 'ENUM');
  if (structs.length) {
    out.push(`### Complex types in ${m.name}\n`);
    out.push(structs.map((t) => `[${t.name}](#${anchor(t.name)})`).join(' · ') + '\n');
    for (const t of structs) renderStruct(t, out);
  }
}

const text = out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, text);
console.log(`wrote ${path.relative(process.cwd(), outFile) || outFile} (${text.length} bytes)`);
