import { Size, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { LoggingSidecarPod, LoggingSidecarPodProps, LogShipper } from '../lib';
import { escapeForKubelet } from '../lib/kubelet-expansion';
import { argvOf, EVERY_VARIABLE_DEFINED, expandLikeKubelet } from './kubelet';

// The kubelet expands $(NAME) and $$ in a container's command and args. A
// logDirectory is a path the sidecar must receive literally, whatever `$` it has.

describe('the kubelet expansion rule, as Kubernetes documents it on Container.command', () => {
  const env = (name: string) => ({ VAR_NAME: 'value' } as Record<string, string>)[name];
  test.each([
    ['$(VAR_NAME)', 'value'],
    ['$$(VAR_NAME)', '$(VAR_NAME)'],
    ['$(UNDEFINED)', '$(UNDEFINED)'],
    ['$$', '$'],
    ['$$$', '$$'],
    ['a$', 'a$'],
    ['$(unclosed', '$(unclosed'],
    ['$HOME', '$HOME'],
    ['$é$\u{1f600}', '$é$\u{1f600}'],
    ['$(VAR_NAME)$(VAR_NAME)', 'valuevalue'],
  ])('%s becomes %s', (written, received) => {
    expect(expandLikeKubelet(written, env)).toBe(received);
  });
});

describe('escapeForKubelet', () => {
  const dollarHeavy = fc.array(fc.constantFrom('$', '$$', '(', ')', '$(', 'A', 'é', '\u{1f600}', ' ', '/'), { maxLength: 12 }).map(p => p.join(''));

  test('gives back exactly the word after expansion, with every variable defined', () => {
    fc.assert(fc.property(fc.oneof(dollarHeavy, fc.string({ unit: 'binary', maxLength: 20 })), (word) => {
      expect(expandLikeKubelet(escapeForKubelet(word), EVERY_VARIABLE_DEFINED)).toBe(word);
    }), { numRuns: 1000 });
  });

  test('leaves a word without "$$" or "$(" as it is', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 20 }).filter(w => !/\$[$(]/.test(w)), (word) => {
      expect(escapeForKubelet(word)).toBe(word);
    }), { numRuns: 500 });
  });
});

describe('a logDirectory with "$" reaches the sidecar literally', () => {
  const directories = ['/logs/$(POD_NAME)', '/logs/$$', '/logs/$', '/logs/a$b$(', '/logs/$é'];
  const shippers: Array<[string, Partial<LoggingSidecarPodProps>]> = [
    ['catLoop', {}],
    ['stream', { shipper: LogShipper.stream(), rotateLogsAt: Size.mebibytes(1) }],
  ];

  test.each(shippers.flatMap(([name, props]) => directories.map(d => [name, d, props] as const)))(
    '%s with %s', (_, logDirectory, props) => {
      const chart = Testing.chart();
      new LoggingSidecarPod(chart, 'pod', { ...props, logDirectory });
      const sidecar = Testing.synth(chart)[0].spec.containers[1];
      expect(sidecar.volumeMounts[0].mountPath).toBe(logDirectory);
      const argv = argvOf(sidecar);
      if (argv[0] === 'sh') {
        expect(argv[2]).toContain(`cat '${logDirectory}/access.log' '${logDirectory}/error.log';`);
      } else {
        expect(argv.slice(-2)).toEqual([`${logDirectory}/access.log`, `${logDirectory}/error.log`]);
      }
    });

  test('written unescaped, the kubelet would hand another path to the sidecar', () => {
    expect(expandLikeKubelet('/logs/$(POD_NAME)/access.log', EVERY_VARIABLE_DEFINED)).not.toBe('/logs/$(POD_NAME)/access.log');
  });
});
