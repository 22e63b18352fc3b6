// Tiny runtime stand-in for the parts of `typeorm` the runtime fixtures import: decorators do
// nothing, repositories and the data source answer from memory. No database is ever reached.
const noopDecorator = (..._args: any[]): any => () => undefined;
export const Entity = noopDecorator;
export const Column = noopDecorator;
export const PrimaryColumn = noopDecorator;
export const PrimaryGeneratedColumn = noopDecorator;
export const CreateDateColumn = noopDecorator;
export const UpdateDateColumn = noopDecorator;
export const DeleteDateColumn = noopDecorator;
export const Index = noopDecorator;
export const ManyToOne = noopDecorator;
export const OneToMany = noopDecorator;
export const JoinColumn = noopDecorator;

export class Repository<T = any> {
  readonly rows: T[] = [];
  async find(_options?: any): Promise<T[]> {
    return [...this.rows];
  }
  async findOne(_options?: any): Promise<T | null> {
    return this.rows[0] ?? null;
  }
  async count(_options?: any): Promise<number> {
    return this.rows.length;
  }
  async save(entity: T): Promise<T> {
    this.rows.push(entity);
    return entity;
  }
  async update(_criteria: any, _partial: any): Promise<{ affected: number }> {
    return { affected: 0 };
  }
  async delete(_criteria: any): Promise<{ affected: number }> {
    return { affected: 0 };
  }
}

export class DataSource {
  async query(_sql: string, _params?: any[]): Promise<any[]> {
    return [];
  }
  getRepository<T>(_entity: any): Repository<T> {
    return new Repository<T>();
  }
}

const operator = (type: string) => (value?: any) => ({ _type: type, _value: value });
export const LessThan = operator('lessThan');
export const LessThanOrEqual = operator('lessThanOrEqual');
export const MoreThan = operator('moreThan');
export const MoreThanOrEqual = operator('moreThanOrEqual');
export const Not = operator('not');
export const IsNull = operator('isNull');
export const In = operator('in');
export const Between = (from: any, to: any) => ({ _type: 'between', _value: [from, to] });
