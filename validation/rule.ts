// What a validation rule is and what it reports. Each rule is a module of
// rules/, and rules/index.ts lists them.

/** One step of a field's path: a key or an array index. */
export type PathSegment = string | number;

/** Reports one field of the object being checked: its path and what is wrong. */
export type Report = (path: readonly PathSegment[], message: string) => void;

/** A Kubernetes object as read from a manifest: a mapping. */
export type KubernetesObject = Record<string, any>;

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
  /** The id of the rule that found it. */
  readonly rule: string;
  /** What is wrong: what was found and what is expected. */
  readonly message: string;
}

/** A rule that checks one object at a time. */
export interface ObjectRule {
  /** How reports and violations name the rule, such as `mount`. */
  readonly id: string;
  /** What the rule checks, as the plugin's report says it after "Checks ". */
  readonly description: string;
  readonly input: 'object';
  check(object: KubernetesObject, report: Report): void;
}

/** A rule that checks a manifest file's text as written, before it is read into objects. */
export interface TextRule {
  /** How reports and violations name the rule, such as `yaml`. */
  readonly id: string;
  /** What the rule checks, as the plugin's report says it after "Checks ". */
  readonly description: string;
  readonly input: 'text';
  /** Every violation in `text`, each naming `file` when given. */
  check(text: string, file?: string): Violation[];
}

export type Rule = ObjectRule | TextRule;
