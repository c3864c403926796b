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
  const first = new Map<string, IConstruct>();
  const messages: string[] = [];
  for (const construct of root.node.findAll()) {
    if (!ApiObject.isApiObject(construct)) {
      continue;
    }
    const { kind, name, namespace } = identity(construct);
    const key = JSON.stringify([construct.apiGroup, kind, namespace ?? null, name]);
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, construct);
      continue;
    }
    const where = CLUSTER_SCOPED_KINDS.has(kind) ? '(cluster-scoped)'
      : namespace === undefined ? 'with no namespace (the namespace kubectl applies it to)' : `in namespace ${JSON.stringify(namespace)}`;
    messages.push(`${kind} ${JSON.stringify(name)} ${where} is defined twice, at ${ownerPath(earlier)} `
      + `and at ${ownerPath(construct)}: applied, the second would replace the first; give one of them another name`);
  }
  return messages;
}

/**
 * The built-in kinds without a namespace, up to Kubernetes 1.33: two of one
 * name are one object whatever namespace their charts give them (the API
 * server ignores it). A custom resource's scope cannot be known here.
 */
const CLUSTER_SCOPED_KINDS = new Set([
  'APIService', 'CertificateSigningRequest', 'ClusterRole', 'ClusterRoleBinding', 'ClusterTrustBundle', 'ComponentStatus',
  'CSIDriver', 'CSINode', 'CustomResourceDefinition', 'DeviceClass', 'FlowSchema', 'IngressClass', 'IPAddress',
  'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding', 'MutatingWebhookConfiguration', 'Namespace', 'Node',
  'PersistentVolume', 'PriorityClass', 'PriorityLevelConfiguration', 'ResourceSlice', 'RuntimeClass', 'ServiceCIDR',
  'StorageClass', 'StorageVersionMigration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration', 'VolumeAttachment', 'VolumeAttributesClass',
]);

/**
 * Kind, name and namespace as the manifest will have them: after JSON patches,
 * which may rename an object. An object that cannot be rendered yet is taken
 * as constructed; its own error comes at synth.
 */
function identity(object: ApiObject): { kind: string; name: string; namespace?: string } {
  let metadata: { name?: unknown; namespace?: unknown } | undefined;
  try {
    // Rendering every object costs a third more synth time at 10,000 pods; an object with no
    // patches (cdk8s keeps them in `patches`; a version without that field renders) needs none.
    const patches = (object as unknown as { patches?: unknown }).patches;
    metadata = Array.isArray(patches) && patches.length === 0 ? undefined : object.toJson()?.metadata;
  } catch {
    metadata = undefined;
  }
  const name = typeof metadata?.name === 'string' ? metadata.name : object.name;
  const namespace = typeof metadata?.namespace === 'string' ? metadata.namespace : metadata ? undefined : object.metadata.namespace;
  return { kind: object.kind, name, namespace: CLUSTER_SCOPED_KINDS.has(object.kind) ? undefined : namespace };
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
