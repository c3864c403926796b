import { Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  arrayOf, checkProps, CONTAINER, CPU, DURATION, FieldTypes, mapOf, NUMBER, required, RESOURCES, shape, SIZE, STRING, WORKLOAD,
} from '../lib/runtime-types';

// The generic checks of lib/runtime-types.ts; each construct's use of them is
// tested with its own bad input, in its own test file.

interface Example {
  readonly name?: string;
  readonly count?: number;
  readonly interval?: Duration;
  readonly tags?: string[];
}

const EXAMPLE_TYPES: FieldTypes<Example> = { name: STRING, count: NUMBER, interval: DURATION, tags: arrayOf('be an array of tags', STRING) };

describe('checkProps', () => {
  test('takes undefined fields as absent, unknown ones included', () => {
    expect(() => checkProps('Example props', {}, EXAMPLE_TYPES)).not.toThrow();
    expect(() => checkProps('Example props', { other: undefined } as Example, EXAMPLE_TYPES)).not.toThrow();
    expect(() => checkProps('Example props', { name: undefined, tags: ['a'] }, EXAMPLE_TYPES)).not.toThrow();
  });

  test.each([
    ['props that are null', null, 'Example props must be an object, got null'],
    ['props that are an array', [], 'Example props must be an object, got []'],
    ['props that are a string', 'name', 'Example props must be an object, got "name"'],
    ['a field that is null', { name: null }, 'Example: name must be a string, got null'],
    ['a number that is a string', { count: '3' }, 'Example: count must be a number, got "3"'],
    ['a Duration that is a number', { interval: 30 }, 'Example: interval must be a Duration (such as Duration.seconds(30)), got 30'],
    ['a Size as a Duration', { interval: Size.mebibytes(1) }, 'Example: interval must be a Duration (such as Duration.seconds(30)), got {"amount":1,'],
    ['an array with a hole', { tags: ['a', , 'c'] }, 'Example: tags must be an array of tags, without holes, got a sparse array with nothing at index 1: ["a",null,"c"]'],
    ['an array with only a hole', { tags: new Array(1) }, 'Example: tags must be an array of tags, without holes, got a sparse array with nothing at index 0: [null]'],
    ['an array item that is undefined', { tags: ['a', undefined] }, 'Example: tags[1] must be a string, got undefined'],
    ['an array that is an array-like object', { tags: { 0: 'a', length: 1 } }, 'Example: tags must be an array of tags, got {"0":"a","length":1}'],
    ['a misspelt prop', { nmae: 'web' }, 'Example props must not include "nmae": there is no such prop (did you mean "name"?); the props are name, count, interval, tags'],
    ['a prop in the wrong case', { Count: 3 }, 'Example props must not include "Count": there is no such prop (did you mean "count"?); the props are name, count, interval, tags'],
    ['a prop of no other name', { replicas: 3 }, 'Example props must not include "replicas": there is no such prop; the props are name, count, interval, tags'],
  ])('fails on %s', (_, props, message) => {
    expect(() => checkProps('Example props', props as Example, EXAMPLE_TYPES, 'Example: ')).toThrow(message);
  });

  test('fails on a required field left out', () => {
    const types: FieldTypes<{ id: string }> = { id: required(STRING) };
    expect(() => checkProps('Example props', {} as { id: string }, types)).toThrow('id must be a string, got undefined');
  });
});

describe('maps and shapes', () => {
  test('names each value of a map by its key', () => {
    const durations = mapOf('be an object of durations', DURATION);
    expect(() => durations.check('waits', { 'access.log': Duration.seconds(1) })).not.toThrow();
    expect(() => durations.check('waits', { 'access.log': 1 })).toThrow('waits["access.log"] must be a Duration (such as Duration.seconds(30)), got 1');
    expect(() => durations.check('waits', [Duration.seconds(1)])).toThrow('waits must be an object of durations, got [');
  });

  test('names each field of a shape by its path', () => {
    const limits = shape<{ memory?: { limit?: Size } }>('be limits', { memory: shape('be a memory limit', { limit: SIZE }) });
    expect(() => limits.check('resources', { memory: { limit: 64 } })).toThrow('resources.memory.limit must be a Size (such as Size.mebibytes(64)), got 64');
    expect(() => limits.check('resources', { memory: null })).toThrow('resources.memory must be a memory limit, got null');
  });

  test('fails on an object that has none of the shape\'s fields, which would be ignored', () => {
    expect(() => RESOURCES.check('resources', { cpu: kplus.Cpu.millis(250) }))
      .toThrow('resources.cpu must be an object such as { request: Cpu.millis(250), limit: Cpu.millis(250) }, got {"amount":"250m"}');
    expect(() => RESOURCES.check('resources', { cpu: {} })).not.toThrow();
  });
});

describe('cdk8s and cdk8s-plus objects are recognised without instanceof', () => {
  // A second copy of each package, as another dependency might bring: its classes are not ours.
  let other: { cdk8s: typeof import('cdk8s'); kplus: typeof import('cdk8s-plus-28') };
  jest.isolateModules(() => {
    other = { cdk8s: require('cdk8s'), kplus: require('cdk8s-plus-28') };
  });

  test('the second copy is a different class', () => {
    expect(other.cdk8s.Duration.seconds(1)).not.toBeInstanceOf(Duration);
  });

  test('accepts its Duration, Size, Cpu, workload and container', () => {
    const deployment = new other.kplus.Deployment(other.cdk8s.Testing.chart(), 'Web', { containers: [{ image: 'nginx' }] });
    expect(() => DURATION.check('interval', other.cdk8s.Duration.seconds(1))).not.toThrow();
    expect(() => SIZE.check('limit', other.cdk8s.Size.mebibytes(1))).not.toThrow();
    expect(() => CPU.check('cpu', other.kplus.Cpu.millis(250))).not.toThrow();
    expect(() => WORKLOAD.check('workload', deployment)).not.toThrow();
    expect(() => CONTAINER.check('logWriter', deployment.containers[0])).not.toThrow();
  });

  test('fails on a construct that is no workload, and on a workload given as a container', () => {
    const deployment = new kplus.Deployment(Testing.chart(), 'Web', { containers: [{ image: 'nginx' }] });
    expect(() => WORKLOAD.check('workload', deployment.containers[0])).toThrow('workload must be a cdk8s-plus workload');
    expect(() => CONTAINER.check('logWriter', deployment)).toThrow('logWriter must be a cdk8s-plus Container (such as deployment.containers[0]), got test/Web');
  });
});
