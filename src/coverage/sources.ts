/** Every data source `vigil coverage` checks, in report order. Add a row to a platform's table to check a new one. */
import { CLOUD_SOURCES } from './cloud-sources.js';
import type { DataSource } from './data-source.js';
import { NETWORK_SOURCES } from './network-sources.js';
import { UNIX_SOURCES } from './unix-sources.js';
import { WINDOWS_SOURCES } from './windows-sources.js';

export const DATA_SOURCES: readonly DataSource[] = [...WINDOWS_SOURCES, ...UNIX_SOURCES, ...CLOUD_SOURCES, ...NETWORK_SOURCES];
