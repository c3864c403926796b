import * as kplus from 'cdk8s-plus-28';
import { RuntimeType, typeOf } from '../../runtime-types';
import { show, validateDnsSubdomain, validateReadBackAsWritten } from '../../validation';

/**
 * A data key of a Secret or a ConfigMap: letters, digits, `-`, `_` and `.`,
 * not `.` or `..`, so that it is also a file name.
 */
export function checkedKey(prop: string, key: string): string {
  if (typeof key !== 'string' || !/^[-._a-zA-Z0-9]{1,253}$/.test(key) || key === '.' || key === '..') {
    throw new Error(`${prop} must be a data key of 1 to 253 letters, digits, '-', '_' and '.' (not '.' or '..'), got ${show(key)}`);
  }
  validateReadBackAsWritten(prop, key);
  return key;
}

/**
 * cdk8s-plus's SecretValue, by the Secret's name, which the manifest refers to.
 * An empty name is one too: `secretValue()` refuses it as a name, showing it.
 */
export const SECRET_VALUE: RuntimeType = typeOf('be a SecretValue ({ secret, key }) naming a Secret', value => {
  const name = (value as { secret?: { name?: unknown } } | undefined)?.secret?.name;
  return typeof value === 'object' && value !== null && typeof name === 'string';
});

/** A Secret's key, checked: the Secret has a name and the key is a valid data key. */
export function secretValue(prop: string, value: kplus.SecretValue): kplus.SecretValue {
  SECRET_VALUE.check(prop, value);
  validateDnsSubdomain(`${prop}.secret.name`, value.secret.name);
  checkedKey(`${prop}.key`, value.key);
  return { secret: value.secret, key: value.key };
}
