// A runnable stand-in for the lock packages the fixtures import (`@acme/cluster-lock`,
// `@platform/cluster-lock`): the API of e2e/stubs/cluster-lock.d.ts, in memory.
// The decorators behave as the real ones do where it matters to cronlock: in cluster mode
// (`CLUSTER_MODE=true`) the decorated method reads `this.lockService` each time it runs and
// throws when it is missing; outside cluster mode it runs without a lock. They do not apply
// `@Cron` (no timer ever starts in a test or a boot); each decorated (class, method) is
// recorded in a registry that the boot check reads.
import 'reflect-metadata';
import { DynamicModule, Global, Injectable, Module } from '@nestjs/common';

export interface LockOptions {
  ttl?: number;
  name?: string;
  [key: string]: any;
}

@Injectable()
export class DistributedLockService {
  private readonly held = new Map<string, number>(); // name -> expiry (ms since epoch)

  async acquire(name: string, ttl = 60_000): Promise<boolean> {
    const now = Date.now();
    const until = this.held.get(name);
    if (until !== undefined && until > now) return false;
    this.held.set(name, now + ttl);
    return true;
  }

  async release(name: string): Promise<void> {
    this.held.delete(name);
  }

  /** Runs `fn` holding `name`; resolves to undefined (fn not run) when another holder has it. */
  async withLock<T>(name: string, fn: () => Promise<T> | T, ttl?: number): Promise<T> {
    if (!(await this.acquire(name, ttl))) return undefined as unknown as T;
    try {
      return await fn();
    } finally {
      await this.release(name);
    }
  }
}

@Global()
@Module({ providers: [DistributedLockService], exports: [DistributedLockService] })
export class DistributedLockModule {
  private static dynamic(): DynamicModule {
    return {
      module: DistributedLockModule,
      global: true,
      providers: [DistributedLockService],
      exports: [DistributedLockService],
    };
  }
  static forRoot(_options?: any): DynamicModule {
    return DistributedLockModule.dynamic();
  }
  static forRootAsync(_options?: any): DynamicModule {
    return DistributedLockModule.dynamic();
  }
  static register(_options?: any): DynamicModule {
    return DistributedLockModule.dynamic();
  }
}

/** One entry per lock-decorated method: the class that declares it, the method, the decorator. */
export interface LockRegistryEntry {
  target: Function;
  method: string;
  decorator: string;
}

const REGISTRY_KEY = '__cronlockLockRegistry';

export function lockRegistry(): LockRegistryEntry[] {
  const g = globalThis as any;
  if (!g[REGISTRY_KEY]) g[REGISTRY_KEY] = [];
  return g[REGISTRY_KEY];
}

function lockDecorator(decorator: string, lockName?: string, ttl?: number): MethodDecorator {
  return (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
    const original = descriptor.value;
    if (typeof original !== 'function') {
      throw new Error(`@${decorator} can only decorate a method (${String(key)})`);
    }
    const className = (target as any).constructor?.name ?? 'anonymous';
    const name = lockName ?? `${className}.${String(key)}`;
    const wrapped = function (this: any, ...args: any[]) {
      if (process.env.CLUSTER_MODE === 'true') {
        const lock = this.lockService ?? (decorator === 'Lock' ? this.distributedLockService : undefined);
        if (!lock) {
          throw new Error(
            `@${decorator} on ${this?.constructor?.name ?? className}.${String(key)} requires this.lockService (inject DistributedLockService)`,
          );
        }
        if (typeof lock.withLock !== 'function') {
          throw new Error(`${this?.constructor?.name ?? className}.lockService has no withLock()`);
        }
        return lock.withLock(name, () => original.apply(this, args), ttl);
      }
      return original.apply(this, args);
    };
    Object.defineProperty(wrapped, 'name', { value: original.name });
    // Metadata other decorators put on the method (applied before this one) stays on it.
    for (const metaKey of Reflect.getMetadataKeys(original)) {
      Reflect.defineMetadata(metaKey, Reflect.getMetadata(metaKey, original), wrapped);
    }
    descriptor.value = wrapped;
    lockRegistry().push({ target: (target as any).constructor, method: String(key), decorator });
    return descriptor;
  };
}

export function ClusterSafeCron(cronTime: string | Date, options?: any): MethodDecorator {
  void cronTime;
  return lockDecorator('ClusterSafeCron', options?.name);
}
export function ClusterSafeCronEveryMinute(options?: any): MethodDecorator {
  return lockDecorator('ClusterSafeCronEveryMinute', options?.name);
}
export function ClusterSafeCronEvery5Minutes(options?: any): MethodDecorator {
  return lockDecorator('ClusterSafeCronEvery5Minutes', options?.name);
}
export function ClusterSafeCronEvery10Minutes(options?: any): MethodDecorator {
  return lockDecorator('ClusterSafeCronEvery10Minutes', options?.name);
}
export function ClusterSafeCronEvery30Minutes(options?: any): MethodDecorator {
  return lockDecorator('ClusterSafeCronEvery30Minutes', options?.name);
}
export function ClusterSafeCronEveryHour(options?: any): MethodDecorator {
  return lockDecorator('ClusterSafeCronEveryHour', options?.name);
}
export function ClusterSafeCronEveryDay(options?: any): MethodDecorator {
  return lockDecorator('ClusterSafeCronEveryDay', options?.name);
}
export function Lock(name?: string, ttl?: number | LockOptions): MethodDecorator {
  const ms = typeof ttl === 'number' ? ttl : ttl?.ttl;
  return lockDecorator('Lock', name ?? (typeof ttl === 'object' ? ttl?.name : undefined), ms);
}
