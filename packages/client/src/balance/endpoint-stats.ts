/**
 * Where an endpoint stands in a balanced client:
 * - `probing`: new (or back from ejection); its `$health` probe has not answered yet;
 * - `ready`: takes calls;
 * - `ejected`: failing; probed again when its ejection ends;
 * - `removed`: gone from DNS; takes no new calls and closes once its last call settles.
 */
export type EndpointState = 'probing' | 'ready' | 'ejected' | 'removed';

/** What `client.stats.endpoints` reports for one endpoint. */
export interface EndpointStats {
  readonly url: string;
  /** The DNS name it was found by, if any. */
  readonly name: string | undefined;
  readonly state: EndpointState;
  /** Calls (attempts) sent to it. */
  readonly calls: number;
  /** Of those, the ones that failed in a way that counts against the endpoint (unreachable, timed out, refused). */
  readonly failures: number;
  readonly ejections: number;
  readonly outstanding: number;
  /** Its peak-EWMA round trip now, ms. */
  readonly rttMs: number;
  readonly priority: number;
  readonly weight: number;
}
