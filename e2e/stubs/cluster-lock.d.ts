// Ambient stand-ins for the lock packages the fixtures import from.
declare module '@acme/cluster-lock' {
  export interface LockOptions { ttl?: number; name?: string; [key: string]: any; }
  export class DistributedLockService {
    withLock<T>(name: string, fn: () => Promise<T> | T, ttl?: number): Promise<T>;
    acquire(name: string, ttl?: number): Promise<boolean>;
    release(name: string): Promise<void>;
    [key: string]: any;
  }
  export class DistributedLockModule {
    static forRoot(options?: any): any;
    static forRootAsync(options?: any): any;
    static register(options?: any): any;
  }
  export function ClusterSafeCron(cronTime: string | Date, options?: any): MethodDecorator;
  export function ClusterSafeCronEveryMinute(options?: any): MethodDecorator;
  export function ClusterSafeCronEvery5Minutes(options?: any): MethodDecorator;
  export function ClusterSafeCronEvery10Minutes(options?: any): MethodDecorator;
  export function ClusterSafeCronEvery30Minutes(options?: any): MethodDecorator;
  export function ClusterSafeCronEveryHour(options?: any): MethodDecorator;
  export function ClusterSafeCronEveryDay(options?: any): MethodDecorator;
  export function Lock(name?: string, ttl?: number | LockOptions): MethodDecorator;
}
// The platform fixture's configured import-source: the same API.
declare module '@platform/cluster-lock' {
  export * from '@acme/cluster-lock';
}
