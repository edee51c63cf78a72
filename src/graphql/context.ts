import type { ServiceContext } from '../services/context';
import type { Loaders } from './loaders';
import type { EventBusLike } from '../events/pubsub';

/** Per-request context: a forked EntityManager, the actor, and per-request DataLoaders. */
export interface GraphQLContext extends ServiceContext {
  requestId: string;
  /** The caller's IP address (recorded with e-signatures). */
  ip: string | null;
  loaders: Loaders;
  /** The API's event stream (GraphQL subscriptions); absent where the server runs without one. */
  events?: EventBusLike;
}
