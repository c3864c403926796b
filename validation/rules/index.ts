// The rules, one module each, in the order reports list them. A new rule is a
// module here that exports `rule`, and an entry below.

import type { Rule } from '../rule';
import * as mounts from './mounts';
import * as names from './names';
import * as ports from './ports';
import * as resources from './resources';
import * as schema from './schema';
import * as unknownFields from './unknown-fields';
import * as yaml from './yaml';

export const RULES: readonly Rule[] = [schema, unknownFields, names, mounts, ports, resources, yaml].map(module => module.rule);
