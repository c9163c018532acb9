/** Latency summary in milliseconds (nearest-rank percentiles). */
export interface LatencySummary {
  samples: number;
  lost: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function summarize(latenciesMs: number[], lost = 0): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const rank = (p: number): number => {
    if (sorted.length === 0) return Number.NaN;
    const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return round(sorted[index] ?? Number.NaN);
  };
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    samples: sorted.length,
    lost,
    meanMs: sorted.length === 0 ? Number.NaN : round(total / sorted.length),
    p50Ms: rank(50),
    p95Ms: rank(95),
    p99Ms: rank(99),
    maxMs: rank(100),
  };
}

/** The middle value (the lower of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function perSecond(count: number, ms: number): number {
  return ms <= 0 ? Number.NaN : Math.round((count * 1000) / ms);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
