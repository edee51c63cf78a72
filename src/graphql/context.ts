import type { ServiceContext } from '../services/context';
import type { Loaders } from './loaders';

/** Per-request context: a forked EntityManager, the actor, and per-request DataLoaders. */
export interface GraphQLContext extends ServiceContext {
  requestId: string;
  /** The caller's IP address (recorded with e-signatures). */
  ip: string | null;
  loaders: Loaders;
}
