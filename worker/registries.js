// The registries the proxy forwards to, and for each the other hosts a request may go to: its
// token service, and the storage its blob requests redirect to. A name starting with "." stands
// for any subdomain of it. A registry not listed here cannot be reached through the proxy; the
// worker's REGISTRIES variable (the same shape, as JSON) replaces this list.
export const REGISTRIES = [
  { host: 'ghcr.io', tokenHosts: ['ghcr.io'], blobHosts: ['pkg-containers.githubusercontent.com'] },
  { host: 'registry-1.docker.io', tokenHosts: ['auth.docker.io'], blobHosts: ['production.cloudflare.docker.com'] },
  { host: 'quay.io', tokenHosts: ['quay.io'], blobHosts: ['.quay.io'] },
  { host: 'gcr.io', tokenHosts: ['gcr.io'], blobHosts: ['storage.googleapis.com'] },
  { host: 'mcr.microsoft.com', tokenHosts: ['mcr.microsoft.com'], blobHosts: ['.data.mcr.microsoft.com'] },
];
