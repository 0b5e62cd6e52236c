import type { Server } from 'node:http';
import type { Express } from 'express';

/** Starts listening on 127.0.0.1 or all interfaces; resolves with the server and the port actually bound. */
export function listen(
  app: Express,
  port: number,
  host = '0.0.0.0',
): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => {
      const addr = server.address();
      resolve({ server, port: typeof addr === 'object' && addr ? addr.port : port });
    });
    server.once('error', reject);
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
