'use strict';
// Nest reads decorator metadata through Reflect.getMetadata.
require('reflect-metadata');
