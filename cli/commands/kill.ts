import { call, endpointOf, ENDPOINT_FLAGS, ENDPOINT_HELP } from '../api-client.js';
import { parse, UsageError, type Command } from '../command.js';
import { describeDeployment, type DeploymentView } from '../deployments.js';

const command: Command = {
  summary: 'stop a deployment now, with a reason',
  usage: `usage: lutflow kill ID [--reason R] [--json]

Stops the deployment (SIGTERM, then SIGKILL after the grace period; on Kubernetes its objects are
deleted), records the reason (default 'user'), settles its spend, and prints it once it is gone.
${ENDPOINT_HELP}`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { ...ENDPOINT_FLAGS, reason: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('expected one deployment id');
    const d = (await call<DeploymentView>(endpointOf(values), 'POST', `/deployments/${encodeURIComponent(positionals[0])}/kill`, { reason: values.reason ?? 'user' })).body;
    io.out(values.json ? JSON.stringify(d, null, 2) : describeDeployment(d));
  },
};
export default command;
