'use strict';
// Minimal HTML helpers for reading the OAuth login form. Enough for well-formed server-rendered
// markup (quoted or unquoted attributes, any attribute order, HTML entities); not a general parser.

function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos|#39);/g, (m, e) => {
    switch (e) {
      case 'amp': return '&';
      case 'lt': return '<';
      case 'gt': return '>';
      case 'quot': return '"';
      case 'apos': return "'";
      default:
        if (e[1] === 'x' || e[1] === 'X') return String.fromCodePoint(parseInt(e.slice(2), 16));
        return String.fromCodePoint(parseInt(e.slice(1), 10));
    }
  });
}

function parseAttrs(tag) {
  const attrs = {};
  // Drop the tag name, then read name[=value] pairs.
  const body = tag.replace(/^<\s*[a-zA-Z0-9]+/, '').replace(/\/?>$/, '');
  const re = /([^\s"'=<>\/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  let m;
  while ((m = re.exec(body)) !== null) {
    const name = m[1].toLowerCase();
    const raw = m[2] !== undefined ? m[2] : m[3] !== undefined ? m[3] : m[4] !== undefined ? m[4] : '';
    if (!(name in attrs)) attrs[name] = decodeEntities(raw);
  }
  return attrs;
}

// Returns every <form> with its attributes and its controls (input, button, select, textarea).
function parseForms(html) {
  const forms = [];
  const formRe = /<form\b[^>]*>([\s\S]*?)<\/form\s*>/gi;
  let fm;
  while ((fm = formRe.exec(html)) !== null) {
    const openTag = fm[0].match(/^<form\b[^>]*>/i)[0];
    const inner = fm[1];
    const controls = [];
    const ctlRe = /<(input|button|select|textarea)\b[^>]*>/gi;
    let cm;
    while ((cm = ctlRe.exec(inner)) !== null) {
      const a = parseAttrs(cm[0]);
      controls.push({ tag: cm[1].toLowerCase(), type: (a.type || (cm[1].toLowerCase() === 'button' ? 'submit' : 'text')).toLowerCase(), ...a, attrs: a });
    }
    forms.push({ attrs: parseAttrs(openTag), controls });
  }
  return forms;
}

module.exports = { parseForms, parseAttrs, decodeEntities };
