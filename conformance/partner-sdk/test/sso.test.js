'use strict';
// IdP (SSO) configuration and domain verification, A24-A30 (§3.2.6), through the real
// @contio/partner-sdk 1.9.0 admin client against a live `quorum serve`. The identity provider is a
// discovery document served here on 127.0.0.1 (run.sh sets QUORUM_ALLOW_PRIVATE_URLS). No DNS
// server is run, so domain checks stay pending; the full flow (verified domain, sign-in through a
// provider) is internal/app/sso_test.go.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');

const { ContioPartnerSDK, ContioAPIError } = require('@contio/partner-sdk');

function env(name) {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`missing environment variable ${name} (run through run.sh)`);
  return v;
}

const BASE = env('QUORUM_URL');
const API_KEY = env('PSDK_API_KEY');
const CLIENT_ID = env('PSDK_CLIENT_ID');

const admin = () => ContioPartnerSDK.forAdmin({ apiKey: API_KEY, clientId: CLIENT_ID, baseURL: BASE, timeout: 30000 }).admin;

async function rejects(promise, status, code) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof ContioAPIError, `want ContioAPIError, got ${err}`);
    assert.equal(err.statusCode, status, `status of ${err.code}: ${err.message}`);
    if (code) assert.equal(err.code, code, err.message);
    assert.equal(typeof err.requestId, 'string');
    return true;
  });
}

let idp;
let issuer;

describe('IdP configuration and domain verification (A24-A30)', () => {
  before(async () => {
    idp = http.createServer((req, res) => {
      if (req.url !== '/.well-known/openid-configuration') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        userinfo_endpoint: `${issuer}/userinfo`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
      }));
    });
    await new Promise((r) => idp.listen(0, '127.0.0.1', r));
    issuer = `http://127.0.0.1:${idp.address().port}`;
  });
  after(() => idp && idp.close());

  test('domain verification: initiate, get, check (pending without DNS), refused domains', async () => {
    const a = admin();
    const v = await a.initiateIdpDomainVerification('Conformance-SSO.com');
    assert.equal(v.domain, 'conformance-sso.com');
    assert.equal(v.status, 'pending');
    assert.equal(v.dns_record_name, '_contio-challenge.conformance-sso.com');
    assert.match(v.dns_record_value, /^contio-domain-verify=[0-9a-f]+$/);
    assert.ok(!Number.isNaN(Date.parse(v.expires_at)), 'expires_at is a timestamp');
    assert.equal(v.verified_at, undefined);

    const got = await a.getIdpDomainVerification('conformance-sso.com');
    assert.deepEqual(got, v);

    const checked = await a.checkIdpDomainVerification('conformance-sso.com');
    assert.equal(checked.status, 'pending', 'no TXT record is published, so the domain stays pending');
    assert.equal(checked.dns_record_value, v.dns_record_value);

    const rotated = await a.initiateIdpDomainVerification('conformance-sso.com');
    assert.equal(rotated.status, 'pending');
    assert.notEqual(rotated.dns_record_value, v.dns_record_value, 'initiating again rotates the token');

    await rejects(a.getIdpDomainVerification('never-started-sso.com'), 404, 'not_found');
    await rejects(a.checkIdpDomainVerification('never-started-sso.com'), 404, 'not_found');
    await rejects(a.initiateIdpDomainVerification('gmail.com'), 400, 'domain_is_generic');
    await rejects(a.getIdpDomainVerification('example.com'), 400, 'domain_reserved');
    await rejects(a.checkIdpDomainVerification('acme.test'), 400, 'domain_reserved');
    await rejects(a.initiateIdpDomainVerification('not_a_domain'), 400, 'invalid_domain');
  });

  test('configuration: create, get, update, delete', async () => {
    const a = admin();
    await rejects(a.getIdPConfig(), 404, 'not_found');
    await rejects(a.updateIdPConfig({ name: 'nothing yet' }), 404, 'not_found');
    await rejects(a.deleteIdPConfig(), 404, 'not_found');

    const base = {
      name: 'Conformance IdP',
      discovery_url: `${issuer}/.well-known/openid-configuration`,
      idp_client_id: 'quorum-at-idp',
      idp_client_secret: 'idp-secret-conformance',
    };
    await rejects(a.createIdPConfig({ ...base, mode: 'strict' }), 400, 'strict_mode_requires_domains');
    await rejects(a.createIdPConfig({ ...base, mode: 'strict', allowed_email_domains: ['conformance-sso.com'] }), 400, 'domain_not_verified');
    await rejects(a.createIdPConfig({ ...base, mode: 'partner_managed', allowed_email_domains: ['outlook.com'] }), 400, 'domain_is_generic');
    await rejects(a.createIdPConfig({ ...base, mode: 'partner_managed', discovery_url: `${issuer}/missing/.well-known/openid-configuration` }),
      400, 'discovery_fetch_failed');
    await rejects(a.createIdPConfig({ ...base, mode: 'partner_managed', idp_client_secret: '' }), 400, 'invalid_idp_credentials');

    const cfg = await a.createIdPConfig({ ...base, mode: 'partner_managed' });
    assert.match(cfg.id, /^[0-9a-f-]{36}$/);
    assert.match(cfg.partner_app_id, /^[0-9a-f-]{36}$/);
    assert.equal(cfg.name, 'Conformance IdP');
    assert.equal(cfg.type, 'oidc');
    assert.equal(cfg.mode, 'partner_managed');
    assert.equal(cfg.discovery_url, base.discovery_url);
    assert.equal(cfg.idp_client_id, 'quorum-at-idp');
    assert.deepEqual(cfg.scopes, ['openid', 'email', 'profile']);
    assert.deepEqual(cfg.claim_mappings, { email: 'email', name: 'name' });
    assert.equal(cfg.allowed_email_domains, null);
    assert.equal(cfg.is_active, true);
    assert.equal(cfg.issuer, issuer);
    assert.equal(cfg.authorization_endpoint, `${issuer}/authorize`);
    assert.equal(cfg.token_endpoint, `${issuer}/token`);
    assert.equal(cfg.userinfo_endpoint, `${issuer}/userinfo`);
    assert.equal(cfg.jwks_uri, `${issuer}/jwks`);
    assert.ok(!Number.isNaN(Date.parse(cfg.discovery_last_fetched_at)));
    assert.ok(!('idp_client_secret' in cfg), 'the secret is never returned');
    assert.ok(!JSON.stringify(cfg).includes(base.idp_client_secret));

    await rejects(a.createIdPConfig({ ...base, mode: 'partner_managed' }), 409, 'idp_config_exists');
    assert.deepEqual(await a.getIdPConfig(), cfg);

    const updated = await a.updateIdPConfig({ name: 'Renamed IdP', is_active: false, idp_client_secret: 'rotated', scopes: ['openid', 'email'] });
    assert.equal(updated.name, 'Renamed IdP');
    assert.equal(updated.is_active, false);
    assert.deepEqual(updated.scopes, ['openid', 'email']);
    assert.equal(updated.mode, 'partner_managed', 'fields not sent are kept');
    assert.ok(!('idp_client_secret' in updated));
    await rejects(a.updateIdPConfig({ mode: 'strict' }), 400, 'strict_mode_requires_domains');
    await rejects(a.updateIdPConfig({ allowed_email_domains: ['conformance-sso.com'] }), 400, 'domain_not_verified');

    assert.equal(await a.deleteIdPConfig(), undefined);
    await rejects(a.getIdPConfig(), 404, 'not_found');
  });
});
