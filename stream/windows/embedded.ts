import { validate } from '../contracts/validate.js';
import { toDeadLetter } from '../contracts/dead-letters.js';
import { deadLetterTopic, TOPICS } from '../topics.js';
import type { Transport } from '../transport.js';
import { CostWindowAggregator, type WindowOptions } from './aggregator.js';

/** The embedded mode: the same aggregator on the in-process bus, reading lut.telemetry, writing lut.cost-windows. */
export function runCostWindows(transport: Transport, opts: Omit<WindowOptions, 'emit'> = {}): CostWindowAggregator {
  const agg = new CostWindowAggregator({ ...opts, emit: (w) => transport.publish(TOPICS.costWindows, `${w.scope}/${w.key}/${w.window_start}`, w) });
  transport.subscribe(TOPICS.telemetry, (value, key) => {
    const v = validate(TOPICS.telemetry, value);
    if (v.ok) agg.add(v.value);
    else transport.publish(deadLetterTopic(TOPICS.telemetry), key, toDeadLetter({ topic: TOPICS.telemetry, bytes: JSON.stringify(value), key }, v.errors));
  });
  return agg;
}
