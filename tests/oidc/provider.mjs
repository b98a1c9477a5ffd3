// A real OpenID provider for Switchyard's sign-in tests: node-oidc-provider (OpenID Certified)
// with test clients, users and groups, a plain login page, and test-only knobs.
//
// Environment:
//   REDIRECT_URIS   comma-separated redirect URIs of the `switchyard` client
//   ACCOUNTS        JSON: {"alice": {"password": "...", "email": "...", "name": "...", "groups": [...]}}
// Prints "oidc-provider listening on http://127.0.0.1:PORT" once it serves.
//
// Test-only endpoints (never part of a real provider):
//   POST /__test/accounts/:id   {"groups": [...]}   change a user's groups
//   POST /__test/id-token       {"tamper": "expired" | "wrong-audience" | null}
//        re-sign the next ID tokens with a past expiry or another audience, with the
//        provider's own key, so only that one property is wrong

import http from 'node:http';
import { URLSearchParams } from 'node:url';
import Provider from 'oidc-provider';
import * as jose from 'jose';

const accounts = JSON.parse(process.env.ACCOUNTS || '{}');
const redirectUris = (process.env.REDIRECT_URIS || '').split(',').filter(Boolean);
let tamper = null;

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await jose.exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;
const postLogout = redirectUris.map((uri) => new URL('/', uri).toString());

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'switchyard',
      client_secret: 'switchyard-test-secret',
      redirect_uris: redirectUris,
      post_logout_redirect_uris: postLogout,
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  jwks: { keys: [signingKey] },
  pkce: { methods: ['S256'], required: () => true },
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  conformIdTokenClaims: false,
  cookies: { keys: ['switchyard-test-cookie-key'] },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: account.email,
          email_verified: true,
          name: account.name,
          groups: account.groups || [],
        };
      },
    };
  },
  // First-party client: consent is implied, so no consent page.
  async loadExistingGrant(ctx) {
    const { Grant } = ctx.oidc.provider;
    const grant = new Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!doctype html><h1>oops</h1><pre>${JSON.stringify(out).replace(/</g, '&lt;')}</pre>`;
  },
});

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function loginPage(uid, message) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test provider sign-in</title></head>
<body><h1>Test provider</h1>${message ? `<p id="error">${message}</p>` : ''}
<form method="post" action="/interaction/${uid}/login" autocomplete="off">
<label>User <input id="username" name="login" required></label>
<label>Password <input id="password" name="password" type="password" required></label>
<button id="sign-in" type="submit">Sign in</button></form></body></html>`;
}

async function reSign(idToken) {
  const claims = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  if (tamper === 'expired') {
    claims.iat = now - 7200;
    claims.exp = now - 3600;
  } else if (tamper === 'wrong-audience') {
    claims.aud = 'someone-else';
  }
  return new jose.SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: signingKey.kid })
    .sign(privateKey);
}

provider.use(async (ctx, next) => {
  const path = ctx.path;
  if (path.startsWith('/__test/') && ctx.method === 'POST') {
    const body = JSON.parse((await readBody(ctx.req)) || '{}');
    const account = path.match(/^\/__test\/accounts\/([^/]+)$/);
    if (account && accounts[account[1]]) {
      accounts[account[1]].groups = body.groups || [];
      ctx.body = { ok: true };
      return;
    }
    if (path === '/__test/id-token') {
      tamper = body.tamper || null;
      ctx.body = { ok: true };
      return;
    }
    ctx.status = 404;
    return;
  }
  const interaction = path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (interaction) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = loginPage(details.uid);
      return;
    }
    if (ctx.method === 'POST' && interaction[2]) {
      const form = new URLSearchParams(await readBody(ctx.req));
      const id = form.get('login');
      const account = accounts[id];
      if (!account || account.password !== form.get('password')) {
        ctx.type = 'html';
        ctx.body = loginPage(details.uid, 'Wrong user or password');
        return;
      }
      const redirectTo = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: id } }, { mergeWithLastSubmission: false });
      ctx.redirect(redirectTo);
      return;
    }
  }
  await next();
  if (path === '/token' && tamper && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: await reSign(ctx.body.id_token) };
  }
});

server.on('request', provider.callback());
console.log(`oidc-provider listening on ${issuer}`);
