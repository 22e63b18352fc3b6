// Small ambient stand-ins for the parts of @nestjs/common the fixtures use.
declare module '@nestjs/common' {
  export type Type<T = any> = new (...args: any[]) => T;
  export interface DynamicModule {
    module: Type;
    imports?: any[];
    providers?: any[];
    exports?: any[];
    global?: boolean;
  }
  export interface ModuleMetadata {
    imports?: any[];
    controllers?: any[];
    providers?: any[];
    exports?: any[];
  }
  export function Module(metadata?: ModuleMetadata): ClassDecorator;
  export function Global(): ClassDecorator;
  export function Injectable(options?: any): ClassDecorator;
  export function Controller(prefix?: string | any): ClassDecorator;
  export function Inject(token?: any): PropertyDecorator & ParameterDecorator;
  export function Optional(): PropertyDecorator & ParameterDecorator;
  export function forwardRef(fn: () => any): any;
  export function Get(path?: string): MethodDecorator;
  export function Post(path?: string): MethodDecorator;
  export function Put(path?: string): MethodDecorator;
  export function Patch(path?: string): MethodDecorator;
  export function Delete(path?: string): MethodDecorator;
  export function Body(property?: string, ...pipes: any[]): ParameterDecorator;
  export function Param(property?: string, ...pipes: any[]): ParameterDecorator;
  export function Query(property?: string, ...pipes: any[]): ParameterDecorator;
  export function UseInterceptors(...interceptors: any[]): MethodDecorator & ClassDecorator;
  export function UseGuards(...guards: any[]): MethodDecorator & ClassDecorator;
  export function SetMetadata(key: string, value: any): MethodDecorator & ClassDecorator;
  export function applyDecorators(...decorators: any[]): any;
  export interface OnModuleInit { onModuleInit(): any; }
  export interface OnModuleDestroy { onModuleDestroy(): any; }
  export interface OnApplicationBootstrap { onApplicationBootstrap(): any; }
  export interface OnApplicationShutdown { onApplicationShutdown(signal?: string): any; }
  export class Logger {
    constructor(context?: string, options?: any);
    static log(message: any, ...rest: any[]): void;
    static error(message: any, ...rest: any[]): void;
    static warn(message: any, ...rest: any[]): void;
    static debug(message: any, ...rest: any[]): void;
    log(message: any, ...rest: any[]): void;
    error(message: any, ...rest: any[]): void;
    warn(message: any, ...rest: any[]): void;
    debug(message: any, ...rest: any[]): void;
    verbose(message: any, ...rest: any[]): void;
  }
  export class HttpException extends Error { constructor(response: any, status: number); }
  export class NotFoundException extends HttpException { constructor(message?: any); }
  export class BadRequestException extends HttpException { constructor(message?: any); }
  export class ConflictException extends HttpException { constructor(message?: any); }
  export class InternalServerErrorException extends HttpException { constructor(message?: any); }
  export const HttpStatus: { readonly [name: string]: number };
  export class ValidationPipe { constructor(options?: any); }
  export class ParseIntPipe {}
  export class ParseUUIDPipe { constructor(options?: any); }
  export const Scope: { readonly DEFAULT: number; readonly TRANSIENT: number; readonly REQUEST: number };
  export interface INestApplication { [key: string]: any; }
  export interface NestInterceptor { intercept(context: any, next: any): any; }
  export interface CanActivate { canActivate(context: any): any; }
  export interface ExecutionContext { [key: string]: any; }
  export interface CallHandler { handle(): any; }
}
