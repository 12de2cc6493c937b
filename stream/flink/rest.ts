/** What the JobManager's REST API says about a running job: checkpoints and the records Flink dropped as late. */
import { unreachable } from './gateway.js';

export interface JobCheckpoints {
  readonly completed: number;
  readonly failed: number;
  readonly restored: number;
  /** The newest completed checkpoint: where `lutflow flink submit --restore` can start from. */
  readonly latestPath?: string;
  readonly latestAt?: number;
}

async function get<T>(rest: string, path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${rest.replace(/\/+$/, '')}${path}`, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new Error(`cannot reach the Flink REST API at ${rest} (${unreachable(err)})`);
  }
  if (!res.ok) throw new Error(`Flink REST ${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

export async function jobCheckpoints(rest: string, jobId: string): Promise<JobCheckpoints> {
  const c = await get<{
    counts: { completed: number; failed: number; restored: number };
    latest: { completed?: { external_path?: string; latest_ack_timestamp?: number } | null };
  }>(rest, `/jobs/${jobId}/checkpoints`);
  return {
    completed: c.counts.completed,
    failed: c.counts.failed,
    restored: c.counts.restored,
    latestPath: c.latest.completed?.external_path,
    latestAt: c.latest.completed?.latest_ack_timestamp,
  };
}

/** Records the job's window operators dropped because their window had closed (numLateRecordsDropped). */
export async function lateRecordsDropped(rest: string, jobId: string): Promise<number> {
  const job = await get<{ vertices: { id: string; name: string }[] }>(rest, `/jobs/${jobId}`);
  let n = 0;
  for (const v of job.vertices.filter((x) => /WindowAggregate/.test(x.name))) {
    const names = await get<{ id: string }[]>(rest, `/jobs/${jobId}/vertices/${v.id}/metrics`);
    const ids = names.map((m) => m.id).filter((m) => m.endsWith('numLateRecordsDropped'));
    if (!ids.length) continue;
    const values = await get<{ value: string }[]>(rest, `/jobs/${jobId}/vertices/${v.id}/metrics?get=${ids.join(',')}`);
    n += values.reduce((s, m) => s + Number(m.value), 0);
  }
  return n;
}
