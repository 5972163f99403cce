import type { ChannelStats } from './store.ts';

/** In-process counters of one relay node, rendered in the Prometheus text format (0.0.4). */
export class RelayMetrics {
  ingested = 0;
  duplicates = 0;
  /** Duplicates whose body differs from the stored one (a replay or a sender's bug, not a retry). */
  duplicateMismatches = 0;
  delivered = 0;
  acked = 0;
  rejected = new Map<string, number>();
  connectedDevices = 0;
  feedsServed = 0;
  /** Ingest latency (request end → durable), cumulative histogram buckets in seconds. */
  readonly ingestBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];
  ingestCounts = new Array<number>(this.ingestBuckets.length).fill(0);
  ingestSum = 0;
  ingestCount = 0;

  reject(reason: string): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  observeIngest(seconds: number): void {
    this.ingestSum += seconds;
    this.ingestCount++;
    for (let i = 0; i < this.ingestBuckets.length; i++) if (seconds <= this.ingestBuckets[i]!) this.ingestCounts[i]!++;
  }

  render(channels: ChannelStats[], health: { storeUp: boolean; intakeBlocked: boolean; oldestPendingMs: number }): string {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: Array<[string, number]>): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    metric('orkestr_relay_events_ingested_total', 'counter', 'Webhook deliveries durably stored (new events).', [['', this.ingested]]);
    metric('orkestr_relay_events_duplicate_total', 'counter', 'Webhook deliveries answered from an earlier copy (same delivery id).', [['', this.duplicates]]);
    metric('orkestr_relay_events_delivered_total', 'counter', 'Events sent to devices over their streams (redeliveries included).', [['', this.delivered]]);
    metric('orkestr_relay_duplicate_body_mismatch_total', 'counter', 'Deliveries whose id was stored before with a different body (answered as duplicates, logged as ingest_duplicate_mismatch).', [['', this.duplicateMismatches]]);
    metric('orkestr_relay_acks_total', 'counter', 'Ack messages received from devices.', [['', this.acked]]);
    const reasons = ['too_large', 'unknown_channel', 'bad_request', 'shutting_down', 'store_error'];
    for (const r of this.rejected.keys()) if (!reasons.includes(r)) reasons.push(r);
    metric(
      'orkestr_relay_rejected_bodies_total',
      'counter',
      'Ingress requests refused, by reason.',
      reasons.map((r) => [`{reason="${r}"}`, this.rejected.get(r) ?? 0]),
    );
    metric('orkestr_relay_connected_devices', 'gauge', 'Device streams open on this node.', [['', this.connectedDevices]]);
    metric('orkestr_relay_feeds_served_total', 'counter', 'Calendar feed GETs answered 200 or 304.', [['', this.feedsServed]]);
    lines.push('# HELP orkestr_relay_ingest_seconds Time from full request body to durable commit.', '# TYPE orkestr_relay_ingest_seconds histogram');
    this.ingestBuckets.forEach((b, i) => lines.push(`orkestr_relay_ingest_seconds_bucket{le="${b}"} ${this.ingestCounts[i]}`));
    lines.push(`orkestr_relay_ingest_seconds_bucket{le="+Inf"} ${this.ingestCount}`);
    lines.push(`orkestr_relay_ingest_seconds_sum ${this.ingestSum}`, `orkestr_relay_ingest_seconds_count ${this.ingestCount}`);
    metric(
      'orkestr_relay_channel_last_seq',
      'gauge',
      'Newest sequence number per channel.',
      channels.map((c) => [`{channel="${c.channelId}"}`, c.lastSeq]),
    );
    metric(
      'orkestr_relay_channel_lag',
      'gauge',
      'Per channel: last seq minus the lowest acked seq of its active devices (events not yet confirmed by every device).',
      channels.filter((c) => c.minAckedSeq !== null).map((c) => [`{channel="${c.channelId}"}`, c.lastSeq - (c.minAckedSeq ?? 0)]),
    );
    metric(
      'orkestr_relay_channel_devices',
      'gauge',
      'Active (not revoked) devices per channel.',
      channels.map((c) => [`{channel="${c.channelId}"}`, c.activeDevices]),
    );
    metric('orkestr_relay_store_up', 'gauge', '1 when the store answered the last check.', [['', health.storeUp ? 1 : 0]]);
    metric('orkestr_relay_intake_blocked', 'gauge', '1 when an ingest has waited for the store longer than the blocked threshold (/healthz says degraded).', [['', health.intakeBlocked ? 1 : 0]]);
    metric('orkestr_relay_ingest_oldest_pending_seconds', 'gauge', 'How long the oldest ingest still waiting for its commit has waited (0 when none).', [['', health.oldestPendingMs / 1000]]);
    return lines.join('\n') + '\n';
  }
}
