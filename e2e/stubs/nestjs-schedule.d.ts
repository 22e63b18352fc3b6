// Small ambient stand-ins for @nestjs/schedule.
declare module '@nestjs/schedule' {
  export interface CronOptions {
    name?: string;
    timeZone?: string;
    utcOffset?: string | number;
    disabled?: boolean;
    waitForCompletion?: boolean;
  }
  export function Cron(cronTime: string | Date, options?: CronOptions): MethodDecorator;
  export function Interval(timeout: number): MethodDecorator;
  export function Interval(name: string, timeout: number): MethodDecorator;
  export function Timeout(timeout: number): MethodDecorator;
  export function Timeout(name: string, timeout: number): MethodDecorator;
  export const CronExpression: { readonly [name: string]: string };
  export class ScheduleModule {
    static forRoot(options?: any): any;
  }
  export class SchedulerRegistry {
    getCronJob(name: string): any;
    addCronJob(name: string, job: any): void;
    addInterval(name: string, intervalId: any): void;
    addTimeout(name: string, timeoutId: any): void;
    deleteCronJob(name: string): void;
    getIntervals(): string[];
    getCronJobs(): Map<string, any>;
  }
}
