import { call, endpointOf, ENDPOINT_FLAGS, ENDPOINT_HELP } from '../api-client.js';
import { parse, UsageError, type Command } from '../command.js';
import { deploymentTable, describeDeployment, type DeploymentView } from '../deployments.js';

const command: Command = {
  summary: 'deployments: a table, or one deployment in full',
  usage: `usage: lutflow status [ID] [--tenant T] [--json]

Without ID, every deployment the key may see, newest first (ID, tenant, model, GPUs, runtime, state,
reason, spent / budget, rate, age); with ID, that deployment in full: state and why, spend, the price
and its source, what the pre-flight predicted, the kill's timing, the settle. --json for scripts.
  --tenant T        only this tenant's deployments (and its scopes')
${ENDPOINT_HELP}`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { ...ENDPOINT_FLAGS, tenant: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length > 1) throw new UsageError('expected at most one deployment id');
    const ep = endpointOf(values);
    if (positionals[0]) {
      const d = (await call<DeploymentView>(ep, 'GET', `/deployments/${encodeURIComponent(positionals[0])}`)).body;
      io.out(values.json ? JSON.stringify(d, null, 2) : describeDeployment(d));
      return;
    }
    const q = values.tenant ? `?tenant_id=${encodeURIComponent(values.tenant)}` : '';
    const list = (await call<{ deployments: DeploymentView[] }>(ep, 'GET', `/deployments${q}`)).body.deployments;
    if (values.json) io.out(JSON.stringify(list, null, 2));
    else io.out(list.length ? deploymentTable(list) : 'no deployments');
  },
};
export default command;
