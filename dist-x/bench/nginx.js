import { existsSync } from 'node:fs';
/** Debian's nginx-light; the benchmark compares against it when it is installed. */
export const NGINX = '/usr/sbin/nginx';
export const nginxInstalled = () => existsSync(NGINX);
//# sourceMappingURL=nginx.js.map