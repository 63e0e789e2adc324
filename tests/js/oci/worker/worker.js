// A workerd worker that runs the image and Rekor cases (../cases.mjs) inside workerd, through the
// package's workerd entry, against the servers run.mjs started on 127.0.0.1 (the config lets this
// worker's fetch reach loopback).
//
//   GET  /health -> "ok"
//   POST /case   { testCase, where, trustedRoot } -> the case's summary
import { createVerifier, VerificationError } from '../../../../pkg/workerd.js';
import { runCase } from '../cases.mjs';

const verifiers = new Map();

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (request.method === 'GET' && pathname === '/health') return new Response('ok');
    if (request.method !== 'POST' || pathname !== '/case') return new Response('not found', { status: 404 });
    try {
      const { testCase, where, trustedRoot } = await request.json();
      const key = JSON.stringify(trustedRoot);
      if (!verifiers.has(key)) verifiers.set(key, await createVerifier({ trustedRoot }));
      return Response.json(await runCase(verifiers.get(key), VerificationError, testCase, where));
    } catch (e) {
      return Response.json({ crashed: String(e?.stack ?? e) }, { status: 500 });
    }
  },
};
