import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { LoggingSidecarPod, LoggingSidecarPodProps } from '../lib';
import { DNS_1123_LABEL, DNS_1123_SUBDOMAIN } from '../lib/checks/names';
import { parseQuantity, quantityAmount } from '../lib/checks/quantity';
import { show, showBrief } from '../lib/checks/show';
import { show as constructShow } from '../lib/validation';
import { DEFINITIONS_FILE, definitionNameOf, definitions, KUBERNETES_VERSION } from '../validation/kubernetes-api';
import type { Rule } from '../validation/rule';
import { formatPath } from '../validation/walk';
import { plugin, validation, ValidationContext } from './validation-helpers';

const RULES_DIR = path.join(__dirname, '..', 'validation', 'rules');

/** The construct's error for `props`, or undefined when it accepts them. */
function constructError(props: LoggingSidecarPodProps): string | undefined {
  try {
    new LoggingSidecarPod(new Chart(Testing.app(), 'chart'), 'web', props);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** `path: message` of each violation of one object, found by `rule`. */
function found(object: unknown, rule?: string): string[] {
  return validation.validateManifests([object])
    .filter(v => rule === undefined || v.rule === rule)
    .map(v => `${v.path}: ${v.message}`);
}

function pod(spec: Record<string, unknown>, name = 'web') {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }], ...spec } };
}

describe('the rule list', () => {
  test('is every module of validation/rules/, each exporting its rule, none twice', () => {
    // GIVEN the modules present
    const modules = fs.readdirSync(RULES_DIR).filter(f => f.endsWith('.ts') && f !== 'index.ts').sort();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported: Rule[] = modules.map(f => require(path.join(RULES_DIR, f)).rule);

    // THEN each exports a rule, and the list holds exactly those
    expect(modules.length).toBeGreaterThan(0);
    exported.forEach((rule, i) => expect([modules[i], typeof rule?.id, typeof rule?.description, typeof rule?.check])
      .toEqual([modules[i], 'string', 'string', 'function']));
    expect([...validation.RULES].sort((a, b) => a.id.localeCompare(b.id)))
      .toEqual([...exported].sort((a, b) => a.id.localeCompare(b.id)));
    expect(new Set(validation.RULES.map(r => r.id)).size).toBe(validation.RULES.length);
  });

  test('is what the plugin reports by, in its order', async () => {
    // GIVEN a manifest that breaks every rule once
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validation-rules-'));
    try {
      const file = path.join(dir, 'all.k8s.yaml');
      fs.writeFileSync(file, [
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: Web_Server',
        '  annotations:',
        '    mode: 0o17',
        'spec:',
        '  restartPolicy: always',
        '  containers:',
        '    - name: web',
        '      image: nginx:1.27',
        '      imagePullPolcy: Always',
        '      ports: [{ containerPort: 70000 }]',
        '      resources: { requests: { cpu: "2" }, limits: { cpu: "1" } }',
        '      volumeMounts: [{ name: logs, mountPath: /var/log }]',
        '',
      ].join('\n'));

      // WHEN the plugin checks it
      const context = new ValidationContext([file], 'validation/plugin.js', '0.1.0');
      await new plugin.ManifestValidation({}).validate(context);

      // THEN it reports each rule, named by its id and described by its description
      expect(context.report.toJson().violations.map(v => [v.ruleName, v.recommendation]))
        .toEqual(validation.RULES.map(r => [r.id, `Checks ${r.description}.`]));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the constructs and the validation check names with the same formats', () => {
  test.each([
    ['Web_Server'],
    ['-web'],
    ['web.'],
    ['a'.repeat(254)],
  ])('a pod named %j: the construct refuses it with the plugin\'s words', (name) => {
    // GIVEN the same name given to the construct and written in a manifest
    const refused = constructError({ podName: name });
    const reported = found(pod({}, name), 'name');

    // THEN both refuse it, with one message (the construct naming the prop, the plugin the field)
    expect(reported).toEqual([`metadata.name: must be ${DNS_1123_SUBDOMAIN.description}, got ${showBrief(name)}`]);
    if (show(name) === showBrief(name)) {
      expect(refused).toBe(`podName ${reported[0].slice('metadata.name: '.length)}`);
    } else {
      expect(refused).toBe(`podName must be ${DNS_1123_SUBDOMAIN.description}, got ${show(name)}`);
    }
  });

  test.each([
    ['nginx.container'],
    ['Nginx'],
    ['a'.repeat(64)],
  ])('a container named %j: the construct refuses it with the plugin\'s words', (name) => {
    const refused = constructError({ webContainerName: name });
    const reported = found(pod({ containers: [{ name, image: 'nginx:1.27' }] }), 'name');

    expect(reported).toEqual([`spec.containers[0].name: must be ${DNS_1123_LABEL.description}, got ${show(name)}`]);
    expect(refused).toBe(`webContainerName ${reported[0].slice('spec.containers[0].name: '.length)}`);
  });

  test.each([
    ['web'],
    ['a'.repeat(63)],
    [`${'a'.repeat(63)}.${'b'.repeat(63)}`],
  ])('a pod named %j: accepted by both', (name) => {
    expect(constructError({ podName: name })).toBeUndefined();
    expect(found(pod({}, name), 'name')).toEqual([]);
  });

  test('lib/validation shows values as the validation does, which cuts them after 200 characters', () => {
    expect(constructShow).toBe(show);
    expect(showBrief('a'.repeat(300))).toBe(`"${'a'.repeat(199)}...`);
    // A mapping read from YAML may have a "toString" key, which is not a method.
    expect(show({ toString: 'x' })).toBe('{"toString":"x"}');
    expect(show(NaN)).toBe('NaN');
  });
});

describe('quantities', () => {
  test.each([
    ['1.5Gi', { sign: '', whole: '1', fraction: '5', suffix: 'Gi', exponent: undefined }, 1.5 * 2 ** 30],
    ['-.5', { sign: '-', whole: '', fraction: '5', suffix: '', exponent: undefined }, -0.5],
    ['250m', { sign: '', whole: '250', fraction: undefined, suffix: 'm', exponent: undefined }, 0.25],
    ['1e3', { sign: '', whole: '1', fraction: undefined, suffix: '', exponent: 3 }, 1000],
    ['+2.', { sign: '+', whole: '2', fraction: '', suffix: '', exponent: undefined }, 2],
  ])('%s is read in its parts and as its amount', (text, parts, amount) => {
    expect(parseQuantity(text)).toEqual(parts);
    expect(quantityAmount(text)).toBeCloseTo(amount);
  });

  test.each([['128mb'], ['1x'], [''], ['.'], ['1Ki2'], ['e3'], ['1.5h']])('%j is not a quantity', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
    expect(quantityAmount(text)).toBeUndefined();
  });
});

describe(`the schema and unknown-field rules check one Kubernetes version (${KUBERNETES_VERSION})`, () => {
  test('both name it, and its definitions are in the repository', () => {
    const [schema, unknownField] = ['schema', 'unknown-field'].map(id => validation.RULES.find(r => r.id === id)!);
    expect(schema.description).toContain(`Kubernetes ${KUBERNETES_VERSION} OpenAPI`);
    expect(unknownField.description).toContain(`Kubernetes ${KUBERNETES_VERSION} API`);
    expect(path.relative(path.join(__dirname, '..'), DEFINITIONS_FILE)).toBe(`imports/schema/k8s-v${KUBERNETES_VERSION}.0.json`);
    expect(fs.existsSync(DEFINITIONS_FILE)).toBe(true);
  });

  test('a field Kubernetes 1.32 added (the pod\'s own resources) is typed by the schema rule and known to the unknown-field rule', () => {
    // GIVEN spec.resources, which Kubernetes 1.28 does not have, with a bad quantity in it
    const object = pod({ resources: { limits: { cpu: '1x' } } });

    // THEN the schema rule knows its type and the unknown-field rule knows the field
    expect(found(object)).toEqual(['spec.resources.limits.cpu: must be a quantity such as "500m", "2" or "128Mi", got "1x"']);
  });

  test('a field Kubernetes 1.31 removed (a resource claim\'s source) is unknown to both', () => {
    // GIVEN spec.resourceClaims[].source, which Kubernetes 1.28 has
    const object = pod({ resourceClaims: [{ name: 'gpu', source: { resourceClaimName: 'gpu-claim' } }] });

    // THEN only the unknown-field rule reports it (the schema rule does not report unknown fields), naming the version
    expect(found(object)).toEqual([
      `spec.resourceClaims[0].source: unknown field "source": PodResourceClaim has no such field in Kubernetes ${KUBERNETES_VERSION}`,
    ]);
  });

  test('a kind the version does not serve is unknown to both, though kubernetes-models still has a model of it', () => {
    // GIVEN apps/v1beta1 Deployment, removed in Kubernetes 1.16, which kubernetes-models keeps
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require('kubernetes-models/apps/v1beta1/Deployment').Deployment).toBeDefined();
    expect(definitionNameOf('apps/v1beta1', 'Deployment')).toBeUndefined();
    const object = { apiVersion: 'apps/v1beta1', kind: 'Deployment', metadata: { name: 'web' }, spec: {} };

    // THEN both rules refuse it
    expect(found(object)).toEqual([
      ': no Kubernetes schema for apiVersion "apps/v1beta1" kind "Deployment"',
      `: apiVersion "apps/v1beta1" kind "Deployment" is not in the Kubernetes ${KUBERNETES_VERSION} API, so its fields cannot be checked`,
    ]);
  });

  test.each([
    ['io.k8s.api.core.v1.PodSpec', ['spec']],
    ['io.k8s.api.core.v1.Container', ['spec', 'containers', 0]],
    ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', ['metadata']],
  ] as const)('every field of %s that the unknown-field rule knows, the schema rule types', (definition, at) => {
    // GIVEN each field of the definition in turn, holding a value of the wrong type
    const fields = Object.entries(definitions()[definition].properties ?? {});
    expect(fields.length).toBeGreaterThan(10);
    const untyped = fields.filter(([field, schema]) => {
      const object: any = pod({});
      const parent = at.reduce((value: any, key) => value[key], object);
      parent[field] = wrongTypeFor(schema);
      // THEN the schema rule reports it, so it knows the field (and the unknown-field rule does not)
      const reported = validation.validateManifests([object]).filter(v => v.path === formatPath([...at, field]));
      return !(reported.some(v => v.rule === 'schema') && reported.every(v => v.rule !== 'unknown-field'));
    }).map(([field]) => field);
    expect(untyped).toEqual([]);
  });
});

/** A value no schema of this shape accepts. */
function wrongTypeFor(schema: { type?: string; $ref?: string }): unknown {
  if (schema.$ref) {
    // Quantities and int-or-strings take strings and numbers; the other definitions are objects.
    return /Quantity|IntOrString/.test(schema.$ref) ? true : 'not an object';
  }
  return schema.type === 'string' ? 12345 : 'not a ' + schema.type;
}
