/** Where a deployment's model server runs. */
export type RuntimeName = 'local' | 'kubernetes';

/** What happens when the budget is reached: stop the server, scale it to zero replicas, or only raise an alert. */
export type Strategy = 'kill' | 'scale_to_zero' | 'warn';

/**
 * starting (launched, waiting for health) → running → stopping → one of the terminal states:
 * stopped (scaled to zero or stopped cleanly by strategy), killed (by a person, the budget or the time limit),
 * failed (crashed, never became healthy, could not start). Every terminal state has a reason and settled spend.
 */
export type DeploymentState = 'starting' | 'running' | 'stopping' | 'stopped' | 'killed' | 'failed';

export const TERMINAL: ReadonlySet<DeploymentState> = new Set(['stopped', 'killed', 'failed']);

/** Why a deployment ended; a person's kill carries their own reason text instead. */
export type AutoReason = 'budget' | 'max_duration' | 'crashed' | 'health_timeout' | 'start_failed' | 'server_shutdown' | 'orphaned';

/** What the model server is expected to serve, when known: the pre-flight then predicts its cost with the model. */
export interface Workload {
  readonly requests: number;
  readonly batch_size: number;
  readonly prompt_tokens: number;
  readonly max_output_tokens: number;
}

export interface DeploymentSpec {
  readonly id: string;
  readonly tenant_id: string;
  readonly model: string;
  readonly gpu_type: string;
  readonly gpu_count: number;
  readonly runtime: RuntimeName;
  readonly strategy: Strategy;
  readonly framework: string;
  readonly budget_micros?: number;
  readonly max_duration_ms?: number;
  readonly workload?: Workload;
  readonly provider?: string;
  readonly region?: string;
  readonly spot?: boolean;
  /** local: the server command (argv); `{port}` and `{model}` are filled in. Default: `vllm serve MODEL --port P`. */
  readonly command?: readonly string[];
  /** local: the health path polled until it answers 2xx (default /health). */
  readonly health_path?: string;
  /** kubernetes: the container image, namespace and node selector. */
  readonly image?: string;
  readonly namespace?: string;
  readonly node_selector?: Readonly<Record<string, string>>;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: string | null;
}

/** A started model server, whatever runs it. */
export interface RuntimeHandle {
  /** Where the server answers, once known. */
  readonly endpoint?: string;
  /** local: the process group, to find it again after a crash of the Lutflow server. */
  readonly pgid?: number;
  /** kubernetes: the namespace its objects are in, for the same reason. */
  readonly namespace?: string;
  /** Resolves once the server's health check answers; rejects when it exits first or the signal aborts. */
  ready(signal: AbortSignal): Promise<void>;
  /** Resolves when the server ends on its own (a crash, an exit): never for a server still running. */
  readonly exited: Promise<ExitInfo>;
  /** Stops it: politely, then by force after `graceMs`; resolves once nothing of it runs. */
  stop(opts: { graceMs: number; mode: 'delete' | 'scale_to_zero' }): Promise<StopResult>;
}

/** Runs model servers; `local` and `kubernetes` implement it, and the same service drives both. */
export interface Runtime {
  readonly name: RuntimeName;
  start(spec: DeploymentSpec): Promise<RuntimeHandle>;
  /**
   * Stops what a Lutflow server that crashed left running for a deployment (found by its record); resolves true when
   * something was still running.
   */
  reclaim(record: { id: string; pgid: number | null; namespace: string | null }): Promise<boolean>;
}

/** The timings of a stop, for the kill path's measurement: from the decision to the server gone. */
export interface StopTiming {
  /** When the meter (or a person) decided to stop it. */
  readonly decided_at: string;
  readonly signalled_at?: string;
  readonly gone_at?: string;
  readonly latency_ms?: number;
  /** SIGKILL (or a forced delete) was needed after the grace period. */
  readonly forced?: boolean;
}

export interface StopResult extends ExitInfo {
  /** The polite stop was not enough: SIGKILL, or a delete without grace. */
  readonly forced: boolean;
}
