/**
 * Who a peer proved to be with a TLS certificate that verified against the configured CA: a
 * client's under mTLS, as the server's handlers see it (`ctx.peer.identity`), or the server's, as
 * a client sees it. Plain data copied from the certificate, so it can be logged, compared and sent
 * anywhere. It lives in wire, which every other package imports, so the transport that fills it in
 * and the router that hands it to handlers share one definition.
 */
export interface PeerIdentity {
  /** Subject common name (CN), if the certificate has one. */
  readonly commonName: string | undefined;
  /** Subject alternative names as Node prints them: `"DNS:a.example, URI:spiffe://…"`. */
  readonly subjectAltName: string | undefined;
  /** Issuer common name (CN): which CA vouched for the peer. */
  readonly issuerCommonName: string | undefined;
  /** SHA-256 of the DER certificate, `:`-separated upper-case hex: a stable key for pinning. */
  readonly fingerprint256: string;
  /** Serial number, upper-case hex. */
  readonly serialNumber: string;
}
