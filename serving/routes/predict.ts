import type { FastifyInstance } from 'fastify';
import { authorizeTenant, type ServingContext } from '../context.js';
import { ApiError } from '../errors.js';
import { ErrorResponse, PredictBody, PredictResponse } from '../schemas.js';

export function predictRoutes(app: FastifyInstance, ctx: ServingContext): void {
  app.post<{ Body: PredictBody }>('/predict', {
    schema: { summary: 'P50 and P90 cost of one planned run, or of a batch (`plans`)', tags: ['prediction'], body: PredictBody, response: { 200: PredictResponse, '4xx': ErrorResponse } },
  }, async (req) => {
    const b = req.body;
    if (b.plans) {
      if (b.plan) throw new ApiError('INVALID_REQUEST', 'send either plan or plans, not both', '/plan');
      for (const p of b.plans) authorizeTenant(ctx, req, p.tenant_id);
      return { predictions: b.plans.map((p) => ctx.predictor.predict(p)) };
    }
    if (!b.plan) throw new ApiError('INVALID_REQUEST', 'body must have plan (one run) or plans (a batch)', '/plan');
    if (!b.tenant_id) throw new ApiError('INVALID_REQUEST', 'tenant_id is required with plan', '/tenant_id');
    authorizeTenant(ctx, req, b.tenant_id);
    return ctx.predictor.predict({ tenant_id: b.tenant_id, run_id: b.run_id, launched_at: b.launched_at, plan: b.plan, prices: b.prices });
  });
}
