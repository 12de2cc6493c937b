// The server's answers, typed from the same TypeBox schemas the routes answer with and OpenAPI documents
// (serving/routes/dashboard/schemas.ts). Types only: nothing of the server is bundled.
export type {
  AccuracyPoint, AccuracySummary, AlertView, BudgetView, DeniedRun, KeyScope, ModelAccuracyResponse, ModelDescription,
  PlanSummary, RunsResponse, RunTableInfo, RunView, SpendResponse, SpendTallyView, SpendWindowView, TenantSpend,
} from '../../../serving/routes/dashboard/schemas.js';
export type { DeploymentView } from '../../../serving/deployments/view.js';
