import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { PeerIdentity } from '@volley/wire';

/** A distinguished-name field Node gives as an array when the name repeats it; the first wins. */
function firstOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Copies what identifies a peer out of its certificate. */
export function toPeerIdentity(cert: PeerCertificate): PeerIdentity {
  return {
    commonName: firstOf(cert.subject?.CN),
    subjectAltName: cert.subjectaltname,
    issuerCommonName: firstOf(cert.issuer?.CN),
    fingerprint256: cert.fingerprint256,
    serialNumber: cert.serialNumber,
  };
}

/**
 * The identity of the peer of a secure socket, or undefined unless its certificate verified
 * against the trusted CAs (an unverified certificate proves nothing about who sent it).
 */
export function verifiedIdentityOf(socket: TLSSocket): PeerIdentity | undefined {
  if (!socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  // Node returns an empty object when the peer sent no certificate.
  return cert && typeof cert.fingerprint256 === 'string' ? toPeerIdentity(cert) : undefined;
}
