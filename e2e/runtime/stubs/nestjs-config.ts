// Tiny runtime stand-in for `@nestjs/config`: values come from process.env.
import { DynamicModule, Global, Injectable, Module } from '@nestjs/common';

@Injectable()
export class ConfigService {
  get<T = any>(key: string, defaultValue?: T): T | undefined {
    const value = process.env[key];
    return value === undefined ? defaultValue : (value as unknown as T);
  }
  getOrThrow<T = any>(key: string, defaultValue?: T): T {
    const value = this.get<T>(key, defaultValue);
    if (value === undefined) throw new Error(`config: ${key} is not set`);
    return value;
  }
}

@Global()
@Module({ providers: [ConfigService], exports: [ConfigService] })
export class ConfigModule {
  static forRoot(_options?: any): DynamicModule {
    return { module: ConfigModule, global: true, providers: [ConfigService], exports: [ConfigService] };
  }
  static forFeature(_config?: any): DynamicModule {
    return { module: ConfigModule };
  }
}
