'use strict';
// Usage: jget.js FIELD < json  — prints one top-level field of the JSON object on stdin.
// Accepts either a single JSON document or output whose last '{'-line is the JSON object.
const fs = require('node:fs');
const field = process.argv[2];
const text = fs.readFileSync(0, 'utf8');
let obj;
try {
  obj = JSON.parse(text);
} catch {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{'));
  for (let i = lines.length - 1; i >= 0 && obj === undefined; i--) {
    try { obj = JSON.parse(lines[i]); } catch { /* keep looking */ }
  }
}
if (obj === undefined || obj === null || typeof obj !== 'object') {
  process.stderr.write(`jget: no JSON object in:\n${text}\n`);
  process.exit(1);
}
const v = obj[field];
if (v === undefined || v === null || v === '') {
  process.stderr.write(`jget: field "${field}" missing or empty in: ${JSON.stringify(obj)}\n`);
  process.exit(1);
}
process.stdout.write(`${typeof v === 'object' ? JSON.stringify(v) : String(v)}\n`);
