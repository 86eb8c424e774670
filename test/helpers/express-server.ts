// Starts an Express app on a free port of 127.0.0.1 for one test and stops it after, whatever the test does.
import type { AddressInfo } from 'node:net';

interface Listener {
  listen(port: number, host: string): import('node:http').Server;
}

/** Runs `use` with the base URL of the running app (`http://127.0.0.1:<port>`), then closes the server. */
export async function withServer<T>(app: Listener, use: (base: string) => Promise<T>): Promise<T> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await use(`http://127.0.0.1:${port}`);
  } finally {
    server.close();
  }
}
