/**
 * A typed key for a domain service (the loyalty ledger, referrals) that flow actions use. Domains
 * define their key next to the service; the app provides the instance; actions `get` it. This keeps
 * flows/ free of domain imports (dependencies point inward) without a global singleton per process.
 */
export class ServiceKey<T> {
  declare private readonly type: T;
  constructor(readonly name: string) {}
}

/** The services one running app provides to flow actions and HTTP routes. */
export class Services {
  private readonly byKey = new Map<ServiceKey<unknown>, unknown>();

  provide<T>(key: ServiceKey<T>, service: T): this {
    this.byKey.set(key as ServiceKey<unknown>, service);
    return this;
  }

  get<T>(key: ServiceKey<T>): T {
    if (!this.byKey.has(key as ServiceKey<unknown>)) throw new Error(`service "${key.name}" is not provided by this app (createApp provides the built-in ones)`);
    return this.byKey.get(key as ServiceKey<unknown>) as T;
  }
}
