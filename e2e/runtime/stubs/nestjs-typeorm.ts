// Tiny runtime stand-in for `@nestjs/typeorm`: the repository tokens and modules, backed by the
// in-memory `typeorm` stand-in next to it.
import { DynamicModule, Global, Inject, Module } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';

export function getRepositoryToken(entity: any): string {
  return `${typeof entity === 'function' ? entity.name : String(entity)}Repository`;
}

export function InjectRepository(entity: any): ParameterDecorator & PropertyDecorator {
  return Inject(getRepositoryToken(entity));
}

export function InjectDataSource(): ParameterDecorator & PropertyDecorator {
  return Inject(DataSource);
}

@Global()
@Module({})
class TypeOrmCoreModule {}

@Module({})
export class TypeOrmModule {
  static forRoot(_options?: any): DynamicModule {
    return TypeOrmModule.core();
  }
  static forRootAsync(_options?: any): DynamicModule {
    return TypeOrmModule.core();
  }
  static forFeature(entities: any[] = []): DynamicModule {
    const providers = entities.map((entity) => ({
      provide: getRepositoryToken(entity),
      useValue: new Repository(),
    }));
    return { module: TypeOrmModule, providers, exports: providers };
  }
  private static core(): DynamicModule {
    const dataSource = { provide: DataSource, useValue: new DataSource() };
    return { module: TypeOrmCoreModule, global: true, providers: [dataSource], exports: [dataSource] };
  }
}
