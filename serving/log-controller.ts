import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Request lines at debug, not info: at the default level a busy server would otherwise write two lines a
 * request (about 100 MB in five minutes of load). Errors keep their own lines (the error handler logs them).
 */
export class RequestsAtDebug extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, _request: FastifyRequest, reply: FastifyReply): void {
    if (error) reply.log.error({ res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
