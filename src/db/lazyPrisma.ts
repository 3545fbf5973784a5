import type { Prisma } from "./Database";

/**
 * A Prisma client made on first use: `client` is a stand-in until something calls Prisma, then the
 * real client. Why (issue 17, idle ≤ 100 MB, bench peak ≤ 103 MB): the generated client, Prisma's
 * runtime and its Wasm query compiler hold ~20 MB of a process (module sources, bytecode, the query
 * parameterization graph, the compiler's memory: idle `rapport start` 93-96 MB with it against
 * 74-75 without, the bench's SQLite peak 163 against 134 MB), while a chat-only process never needs
 * them: the engine's hot path, the outbox, the job runner and the idle checks of the sweeper and the
 * campaign runner use `db.run`/`db.query`. Domain code keeps writing `db.prisma.model.method(…)`.
 *
 * The stand-in behaves as Prisma's own calls do: a model method returns a lazy thenable (a
 * PrismaPromise runs when awaited, not when made), so `$transaction([a, b])` still gets its
 * operations unrun and runs them as one transaction; `model.fields.x` (a column reference inside a
 * `where`) is resolved when the call runs. Once loaded, the stand-in hands out the real client's
 * objects, so code that kept the stand-in pays one property lookup, not a promise, per call.
 */
export interface LazyPrisma {
  /** The real client once made; until then the stand-in, which makes it on the first call. */
  readonly client: Prisma;
  /** Whether the client was made: an idle or chat-only process never makes it. */
  readonly made: boolean;
  /** Disconnects the client if it was made (a stand-in never opened anything). */
  disconnect(): Promise<void>;
}

/** Makes a LazyPrisma whose client `make` loads and constructs (once, however many calls wait for it). */
export function lazyPrisma(make: () => Promise<Prisma>): LazyPrisma {
  let real: Prisma | undefined;
  let making: Promise<Prisma> | undefined;
  const load = (): Promise<Prisma> => (making ??= make().then((c) => (real = c), (error: unknown) => { making = undefined; throw error; }));
  const delegates = new Map<string, object>();
  const standIn = new Proxy({} as Prisma, {
    get(_target, prop) {
      if (typeof prop !== "string" || prop === "then") return undefined; // not a thenable itself
      if (prop === "$transaction") return transaction;
      if (prop === "$disconnect") return () => (real ? real.$disconnect() : Promise.resolve());
      if (real) return Reflect.get(real, prop);
      // Prisma's internals (`_runtimeDataModel`, read by privacy/eraseContact) exist only on a made client.
      if (prop.startsWith("_")) throw new Error(`Prisma's ${prop} was read before the client was made; make it first with a call (src/db/lazyPrisma.ts)`);
      if (prop.startsWith("$")) return (...args: unknown[]) => new Deferred(load, [prop], args);
      let d = delegates.get(prop);
      if (!d) delegates.set(prop, (d = delegate(prop)));
      return d;
    },
  });
  const delegate = (model: string): object => new Proxy({}, {
    get(_target, method) {
      if (typeof method !== "string" || method === "then") return undefined;
      if (real) return Reflect.get(Reflect.get(real, model) as object, method);
      if (method === "fields") return new Proxy({}, { get: (_t, name) => (typeof name === "string" ? new FieldRef(model, name) : undefined) });
      return (...args: unknown[]) => new Deferred(load, [model, method], args);
    },
  });
  // Always this wrapper: a batch may hold operations made through the stand-in before the client was.
  async function transaction(arg: unknown, options?: unknown): Promise<unknown> {
    const client = await load();
    const run = client.$transaction as (a: unknown, o?: unknown) => Promise<unknown>;
    if (!Array.isArray(arg)) return run.call(client, arg, options);
    return run.call(client, arg.map((op: unknown) => (op instanceof Deferred ? op.on(client) : op)), options);
  }
  return {
    get client() { return real ?? standIn; },
    get made() { return real !== undefined; },
    disconnect: () => (real ? real.$disconnect() : Promise.resolve()),
  };
}

/** `db.prisma.model.fields.name` asked before the client was made: replaced by the real reference when the call runs. */
class FieldRef {
  constructor(readonly model: string, readonly name: string) {}
}

/** A call made through the stand-in: runs (on the real client, made first) when awaited, as a PrismaPromise does. */
class Deferred implements PromiseLike<unknown> {
  private started: Promise<unknown> | undefined;

  constructor(private readonly load: () => Promise<Prisma>, private readonly path: [string] | [string, string], private readonly args: unknown[]) {}

  /** The same call as the real client's (unrun) PrismaPromise. */
  on(client: Prisma): unknown {
    const [first, second] = this.path;
    const owner = (second === undefined ? client : Reflect.get(client, first)) as Record<string, (...a: unknown[]) => unknown>;
    return owner[second ?? first]!(...this.args.map((a) => resolveFields(client, a)));
  }

  then<A = unknown, B = never>(onFulfilled?: ((value: unknown) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    this.started ??= this.load().then((client) => this.on(client));
    return this.started.then(onFulfilled, onRejected);
  }

  catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<unknown> {
    return this.then(undefined, onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<unknown> {
    return this.then().finally(onFinally);
  }
}

/** Replaces FieldRefs in a call's arguments (plain objects and arrays only: dates, buffers and decimals are values). */
function resolveFields(client: Prisma, value: unknown): unknown {
  if (value instanceof FieldRef) return (Reflect.get(Reflect.get(client, value.model) as object, "fields") as Record<string, unknown>)[value.name];
  if (Array.isArray(value)) return value.some(holdsFieldRef) ? value.map((v) => resolveFields(client, v)) : value;
  if (!isPlainObject(value) || !holdsFieldRef(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = resolveFields(client, v);
  return out;
}

function holdsFieldRef(value: unknown): boolean {
  if (value instanceof FieldRef) return true;
  if (Array.isArray(value)) return value.some(holdsFieldRef);
  return isPlainObject(value) && Object.values(value).some(holdsFieldRef);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
