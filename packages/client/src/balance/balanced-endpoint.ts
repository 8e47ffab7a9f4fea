import type { ClientCore } from '../client-core.js';
import type { DiscoveredEndpoint } from '../discovery/discovery.js';
import type { EndpointState, EndpointStats } from './endpoint-stats.js';
import type { OutlierState } from './outlier-detector.js';
import type { PeakEwma } from './peak-ewma.js';

/** One endpoint of a balanced client: its own engine (connections, RTT estimate, window) and its load and health. */
export class BalancedEndpoint implements OutlierState {
  readonly key: string;
  readonly url: string;
  readonly name: string | undefined;
  readonly core: ClientCore;
  readonly load: PeakEwma;
  priority: number;
  weight: number;
  state: EndpointState = 'probing';
  calls = 0;
  failures = 0;
  ejections = 0;
  // OutlierState
  consecutiveFailures = 0;
  timesEjected = 0;
  ejected = false;
  windowCalls = 0;
  windowFailures = 0;
  /** The probe or re-admission timer. */
  timer: NodeJS.Timeout | undefined;

  constructor(found: DiscoveredEndpoint, core: ClientCore, load: PeakEwma) {
    this.key = found.key;
    this.url = found.endpoint.url;
    this.name = found.name;
    this.core = core;
    this.load = load;
    this.priority = found.priority;
    this.weight = found.weight;
  }

  stats(nowMs: number): EndpointStats {
    return {
      url: this.url,
      name: this.name,
      state: this.state,
      calls: this.calls,
      failures: this.failures,
      ejections: this.ejections,
      outstanding: this.load.outstanding,
      rttMs: Math.round(this.load.rttMs(nowMs) * 1000) / 1000,
      priority: this.priority,
      weight: this.weight,
    };
  }
}
