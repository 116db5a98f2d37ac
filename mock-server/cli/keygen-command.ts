/**
 * `scv-mock keygen`: writes a new RSA key pair and a self-signed certificate, and prints how to register
 * them with the mock (and what to upload to the real contact center).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateKeyMaterial } from '../auth/keygen.ts';
import { isSalesforceId } from '../ids/salesforce-id.ts';
import { orgDefaults } from '../org/org-defaults.ts';
import { parseFlags, UsageError } from './parse-flags.ts';

export const KEYGEN_HELP = `Usage: scv-mock keygen [options]

Writes private-key.pem, public-key.pem and certificate.pem (self-signed X.509) for a connector.

Options:
      --out <dir>           Where to write them (default: scv-mock-keys)
      --bits <2048|4096>    RSA key size (default 2048)
      --call-center <name>  The contact center the printed instructions register the key for
                            (default: MyContactCenter)
      --org <id>            The org the printed instructions register it for and sign tokens as
                            (default: the default org of fixtures/default-org.json)
      --force               Overwrite existing files
  -h, --help                Show this help
`;

export function keygenCommand(argv: readonly string[]): number {
  const v = parseFlags(argv, {
    out: { type: 'string' },
    bits: { type: 'string' },
    'call-center': { type: 'string' },
    org: { type: 'string' },
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help === true) {
    process.stdout.write(KEYGEN_HELP);
    return 0;
  }
  if (v.org !== undefined && !isSalesforceId(v.org, '00D'))
    throw new UsageError(`--org "${v.org}" is not an org id (15 or 18 characters starting with 00D)`);
  const bits = Number(v.bits ?? '2048');
  if (bits !== 2048 && bits !== 4096)
    throw new UsageError(`--bits "${v.bits}" is not 2048 or 4096 (the sizes Salesforce accepts)`);
  const dir = resolve(v.out ?? 'scv-mock-keys');
  const files = {
    privateKey: join(dir, 'private-key.pem'),
    publicKey: join(dir, 'public-key.pem'),
    certificate: join(dir, 'certificate.pem'),
  };
  const existing = Object.values(files).filter((file) => existsSync(file));
  if (existing.length > 0 && v.force !== true)
    throw new UsageError(`${existing.join(', ')} already exist; pass --force to overwrite, or --out another folder`);

  const material = generateKeyMaterial({ bits });
  mkdirSync(dir, { recursive: true });
  writeFileSync(files.privateKey, material.privateKeyPem, { mode: 0o600 });
  writeFileSync(files.publicKey, material.publicKeyPem);
  writeFileSync(files.certificate, material.certificatePem);

  const defaults = orgDefaults();
  const center = v['call-center'] ?? defaults.callCenterApiName;
  const org = v.org ?? defaults.orgId;
  // A key registered at runtime for an org other than the simulated one must name it (orgId).
  const forOrg = v.org === undefined ? '' : `&orgId=${org}`;
  process.stdout.write(`Wrote an RSA ${bits} key pair and a self-signed certificate:
  ${files.privateKey}   keep it with your connector; never share it
  ${files.publicKey}
  ${files.certificate}   upload this to your contact center in Salesforce

Register it with the mock, either in the org fixture, on contact center ${center}:
  "keys": [{ "name": "my connector", "certificateFile": ${JSON.stringify(files.certificate)} }]
or at runtime:
  curl -X POST 'http://127.0.0.1:6324/__admin/keys?callCenterApiName=${center}${forOrg}' \\
    -H 'Content-Type: application/x-pem-file' --data-binary @${files.certificate}
  (on a shared mock, from another host: add -H "Scv-Mock-Admin-Token: $ADMIN_TOKEN")

Then sign tokens with it:
  scv-mock token --key ${files.privateKey} --org ${org} --call-center ${center}
`);
  return 0;
}
