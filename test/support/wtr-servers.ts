// web-test-runner plugin: mounts the project's WebSocket servers on the test server's own
// HTTP server, so browser tests reach them on the page's origin:
//   /__puppet/*          scripted protocol server (test/support/puppet-server.ts)
//   /api/hydra-token,
//   /hydra, /__e2e/*     token endpoint + relay + simulator (test/support/e2e-stack.ts)
import type { Server } from 'node:http';
import { attachPuppetServer } from './puppet-server.ts';
import { mountE2eStack } from './e2e-stack.ts';

export function testServersPlugin() {
  return {
    name: 'hydra-test-servers',
    serverStart({ server }: { server?: Server }) {
      if (!server) throw new Error('web-test-runner did not expose its HTTP server');
      attachPuppetServer(server);
      mountE2eStack(server);
    },
  };
}
