export { federationErrors } from './errors.ts';
export type {
  AttributeMapping,
  Connection,
  Departure,
  FederationProtocol,
  PendingUpstream,
  UpstreamAnswer,
  UpstreamIdentity,
} from './protocol.ts';
