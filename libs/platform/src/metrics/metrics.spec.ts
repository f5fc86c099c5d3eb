import { EventEmitter } from 'node:events';
import type { NextFunction, Request, Response } from 'express';
import { HttpMetricsMiddleware, MetricsRegistry } from './metrics';

async function labelsFor(request: { method?: string; baseUrl?: string; route?: { path: string } }, status = 200) {
  const metrics = new MetricsRegistry();
  const middleware = new HttpMetricsMiddleware(metrics);
  const res = Object.assign(new EventEmitter(), { statusCode: status });
  const req = { method: 'GET', baseUrl: '', ...request };
  const next = jest.fn() as NextFunction;
  middleware.use(req as unknown as Request, res as unknown as Response, next);
  expect(next).toHaveBeenCalledTimes(1);
  res.emit('finish');
  res.emit('finish');
  const values = (await metrics.requests.get()).values;
  expect(values).toHaveLength(1);
  expect(values[0].value).toBe(1);
  return values[0].labels;
}

describe('HttpMetricsMiddleware', () => {
  it.each<[string, { baseUrl?: string; route?: { path: string } }, string]>([
    ['a controller route: its template', { route: { path: '/api/v1/api-keys/:id' } }, '/api/v1/api-keys/:id'],
    ['a route under a mounted router: base + template', { baseUrl: '/v2', route: { path: '/links/:code' } }, '/v2/links/:code'],
    ['no route at all (body-parser refusal)', {}, 'unmatched'],
    ['only nestjs-pino\'s catch-all middleware route', { route: { path: '{/*splat}' } }, 'unmatched'],
    ['another catch-all middleware route', { route: { path: '/*path' } }, 'unmatched'],
    ['a bare wildcard', { route: { path: '*' } }, 'unmatched'],
  ])('labels %s', async (_case, request, route) => {
    expect(await labelsFor(request)).toEqual({ method: 'GET', route, status: '200' });
  });

  it('keeps the method and the final status', async () => {
    expect(await labelsFor({ method: 'POST', route: { path: '/api/v1/api-keys' } }, 413)).toEqual({
      method: 'POST',
      route: '/api/v1/api-keys',
      status: '413',
    });
  });

  it('keeps a route whose template merely contains a wildcard', async () => {
    expect((await labelsFor({ route: { path: '/files/*path' } })).route).toBe('/files/*path');
  });
});
