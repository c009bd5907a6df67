import { defineErrors } from '../errors.ts';

/** Why the outbound client (src/platform/outbound.ts) refused a target or a call failed. */
export const outboundErrors = defineErrors({
  urlInvalid: {
    code: 'outbound.url_invalid',
    kind: 'invalid',
    message: 'The URL {url} is not usable: {problem}',
    meaning:
      'A webhook or stream URL is not an absolute http(s) URL, or carries credentials or a fragment.',
  },
  httpsRequired: {
    code: 'outbound.https_required',
    kind: 'invalid',
    message: 'The URL {url} must use https (http only for hosts listed in VIGIL_OUTBOUND_ALLOW)',
    meaning: 'A webhook or stream URL uses plain http to a host that is not explicitly allowed.',
  },
  targetRefused: {
    code: 'outbound.target_refused',
    kind: 'invalid',
    message:
      'Refused to connect to {host}: {address} is a {range} address (list the host or its network in VIGIL_OUTBOUND_ALLOW to allow it)',
    meaning:
      'A target resolves to a loopback, private, link-local, carrier-grade NAT, multicast, documentation or otherwise reserved address that VIGIL_OUTBOUND_ALLOW does not allow (SSRF guard).',
  },
  unresolvable: {
    code: 'outbound.unresolvable',
    kind: 'invalid',
    message: 'The host {host} does not resolve: {problem}',
    meaning: 'A target host name has no address in DNS.',
  },
  timedOut: {
    code: 'outbound.timed_out',
    kind: 'unavailable',
    message: 'No answer from {host} within {ms} ms',
    meaning: 'An outbound call (webhook, SIEM stream) took longer than its timeout.',
    expose: true,
  },
  failed: {
    code: 'outbound.failed',
    kind: 'unavailable',
    message: 'The call to {host} failed: {problem}',
    meaning: 'An outbound call could not connect or broke off (refused, reset, TLS failure).',
    expose: true,
  },
});
