/**
 * A connector's key material, as the Service Cloud Voice setup asks for it: an RSA key pair and a
 * self-signed X.509 certificate (the public half goes on the contact center). Node's crypto makes the
 * keys; node-forge builds the certificate, which Node cannot.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface KeyMaterial {
  privateKeyPem: string;
  publicKeyPem: string;
  certificatePem: string;
}

export function generateKeyMaterial(
  options: { bits?: number; commonName?: string; validDays?: number } = {},
): KeyMaterial {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: options.bits ?? 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  // A positive serial: a leading zero nibble keeps the DER integer from reading as negative.
  cert.serialNumber = `0${randomBytes(15).toString('hex')}`;
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + (options.validDays ?? 730) * 86_400_000);
  const subject = [{ name: 'commonName', value: options.commonName ?? 'scv-telephony-mock connector' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  return { privateKeyPem, publicKeyPem, certificatePem: forge.pki.certificateToPem(cert) };
}
