// Jest configuration for the runtime e2e (run.sh sets the environment):
// CRONLOCK_RT_DIR   the fixture copy whose specs run (rootDir);
// CRONLOCK_RT_MODE  `specs` (the copy's *.spec.ts) or `boot` (boot/boot.e2e.ts against the copy);
// CRONLOCK_RT_CACHE jest's cache directory.
// Packages resolve from this directory's node_modules; the lock packages and the few other
// packages the fixtures import map to the runnable stand-ins in lock/ and stubs/.
'use strict';
const path = require('path');

const here = __dirname;
const dir = process.env.CRONLOCK_RT_DIR;
if (!dir) throw new Error('CRONLOCK_RT_DIR is not set');
const boot = process.env.CRONLOCK_RT_MODE === 'boot';

module.exports = {
  rootDir: dir,
  roots: boot ? [path.join(here, 'boot')] : [dir],
  testMatch: boot ? ['**/boot.e2e.ts'] : ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  modulePaths: [path.join(here, 'node_modules')],
  moduleNameMapper: {
    '^@acme/cluster-lock$': path.join(here, 'lock/index.ts'),
    '^@platform/cluster-lock$': path.join(here, 'lock/index.ts'),
    '^typeorm$': path.join(here, 'stubs/typeorm.ts'),
    '^@nestjs/typeorm$': path.join(here, 'stubs/nestjs-typeorm.ts'),
    '^@nestjs/config$': path.join(here, 'stubs/nestjs-config.ts'),
  },
  setupFiles: [path.join(here, 'setup.js')],
  transform: {
    '^.+\\.ts$': [
      require.resolve('ts-jest'),
      {
        // Transpile only: the type check is e2e/run.sh's job.
        tsconfig: {
          target: 'ES2021',
          module: 'commonjs',
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          isolatedModules: true,
          esModuleInterop: true,
          skipLibCheck: true,
        },
      },
    ],
  },
  cacheDirectory: process.env.CRONLOCK_RT_CACHE || path.join(require('os').tmpdir(), 'cronlock-rt-jest'),
  watchman: false,
};
