// The types of the manifest validation. The checks are plain JavaScript (so
// that `cdk8s synth` loads the plugin without a compile step); their JSDoc
// refers to these types and `npm run check:validation` type-checks them against
// them, while the tests import them from here.
import type { ValidationContext } from 'cdk8s-cli/lib/plugins';

/** One step of a field's path: a key or an array index. */
export type PathSegment = string | number;

/** Which check found a violation. */
export type Rule = 'schema' | 'unknown-field' | 'name' | 'mount' | 'port' | 'resources' | 'yaml';

/** One field of one object that a cluster would reject. */
export interface Violation {
  /** The object as `Kind/name`, for example `Pod/webserver`. */
  readonly object: string;
  /** The object's `metadata.name` (what cdk8s-cli maps to a construct path), or '' when it has none. */
  readonly name: string;
  /** The manifest file the object was read from, when known. */
  readonly file?: string;
  /** The field, for example `spec.containers[1].volumeMounts[0].name`; '' for the object as a whole. */
  readonly path: string;
  /** The check that found it. */
  readonly rule: Rule;
  /** What is wrong: what was found and what is expected. */
  readonly message: string;
}

/** Options of `validateManifests`. */
export interface ValidateOptions {
  /** The file the objects were read from, named in each violation. */
  readonly file?: string;
}

/** What `validation/index.js` exports. */
export interface ValidationApi {
  /** Runs every check on every object; an empty list means a cluster would accept them all. */
  validateManifests(objects: readonly unknown[], options?: ValidateOptions): Violation[];
  /** One line per violation: `file: Kind/name: path: message` (the file only when known). */
  formatViolation(violation: Violation): string;
  /** The rules and what each checks, as the plugin's report names them. */
  readonly RULES: Readonly<Record<Rule, string>>;
}

/** What `validation/reread.js` exports: manifests read again as kubectl reads YAML. */
export interface RereadApi {
  /** Every value of the file that kubectl would read as another type or other text. */
  rereadManifestFile(file: string): Violation[];
  /** The same for a file's content; `file` is named in each violation. */
  rereadManifestText(text: string, file?: string): Violation[];
}

/** What `validation/names.js` exports: the name formats, shared with the tests. */
export interface NamesApi {
  isDnsLabel(value: string): boolean;
  isDnsSubdomain(value: string): boolean;
  isLabelValue(value: string): boolean;
  isQualifiedName(value: string): boolean;
}

/** A cdk8s-cli validation plugin, as `cdk8s.yaml`'s `validations:` loads it. */
export interface ValidationPlugin {
  validate(context: ValidationContext): Promise<void>;
}

/** What `validation/plugin.js` exports. */
export interface PluginApi {
  readonly ManifestValidation: new (properties?: Record<string, unknown>) => ValidationPlugin;
}
