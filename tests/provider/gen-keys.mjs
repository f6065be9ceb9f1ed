// One-off generator for the committed TEST keys (keys.json, client-key.json, client-key-ec.json).
// These keys are public test fixtures: never use them for anything but typed-oidc's test suite.
// Re-running overwrites the files (and every test fixture that pinned a signature would change).
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const jwk = (type, opts, kid) => ({
  kid,
  ...generateKeyPairSync(type, opts).privateKey.export({ format: 'jwk' }),
});

const rsa1 = jwk('rsa', { modulusLength: 2048 }, 'rsa1');
const ec1 = jwk('ec', { namedCurve: 'P-256' }, 'ec1');
const ed1 = jwk('ed25519', {}, 'ed1');
writeFileSync(new URL('./keys.json', import.meta.url), `${JSON.stringify({ keys: [rsa1, ec1, ed1] }, null, 2)}\n`);

const clientRsa = { ...jwk('rsa', { modulusLength: 2048 }, 'client-rsa'), use: 'sig' };
const clientEc = { ...jwk('ec', { namedCurve: 'P-256' }, 'client-ec'), use: 'sig' };
writeFileSync(new URL('./client-key.json', import.meta.url), `${JSON.stringify(clientRsa, null, 2)}\n`);
writeFileSync(new URL('./client-key-ec.json', import.meta.url), `${JSON.stringify(clientEc, null, 2)}\n`);
