import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

// Two objects of the same kind, namespace and name in one app are one object
// to the API server: `kubectl apply` keeps the last and silently drops the
// other. cdk8s only requires construct ids to differ, so this check makes
// such an app fail to synthesize, naming both construct paths.

/** Marks the app whose objects are checked already; a symbol shared by every copy of this library. */
const CHECKED = Symbol.for('cdk8s-logging-sidecar.unique-object-names');

/**
 * Checks, when the app is synthesized, that no two objects in it share kind,
 * namespace and name. Registered once per app, on the chart of the first
 * construct that asks, so the failure is reported once, under that chart's path.
 */
export function checkUniqueObjectNames(scope: IConstruct): void {
  const root = scope.node.root as IConstruct & { [CHECKED]?: true };
  if (root[CHECKED]) {
    return;
  }
  Object.defineProperty(root, CHECKED, { value: true });
  Chart.of(scope).node.addValidation({ validate: () => duplicateObjects(root) });
}

/** One message per object whose kind, namespace and name an earlier object of the app already has. */
export function duplicateObjects(root: IConstruct): string[] {
  const first = new Map<string, ApiObject>();
  const messages: string[] = [];
  for (const construct of root.node.findAll()) {
    if (!ApiObject.isApiObject(construct)) {
      continue;
    }
    const namespace = construct.metadata.namespace;
    const key = JSON.stringify([construct.apiGroup, construct.kind, namespace ?? null, construct.name]);
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, construct);
      continue;
    }
    const where = namespace === undefined ? 'with no namespace (the namespace kubectl applies it to)' : `in namespace ${JSON.stringify(namespace)}`;
    messages.push(`${construct.kind} ${JSON.stringify(construct.name)} ${where} is defined twice, at ${ownerPath(earlier)} `
      + `and at ${ownerPath(construct)}: applied, the second would replace the first; give one of them another name`);
  }
  return messages;
}

/**
 * The path of the outermost construct the object is the default child of
 * (`chart/web` for the Pod of a LoggingSidecarPod `web`, not `chart/web/Resource/Resource`),
 * which is where the user created it.
 */
function ownerPath(object: IConstruct): string {
  let owner = object;
  while (owner.node.scope && owner.node.scope.node.defaultChild === owner && !Chart.isChart(owner.node.scope)) {
    owner = owner.node.scope;
  }
  return owner.node.path;
}
