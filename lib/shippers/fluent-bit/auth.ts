import * as kplus from 'cdk8s-plus-28';
import { checkProps, FieldTypes, STRING } from '../../runtime-types';
import { show } from '../../validation';
import { SECRET_VALUE, secretValue } from './secret-key';

/** Options of `FluentBitAuth.basic()`: exactly one of `username` and `usernameSecret`. */
export interface FluentBitBasicAuthOptions {
  /**
   * The user name, written into the configuration as it is.
   * @default - `usernameSecret`
   */
  readonly username?: string;

  /**
   * The user name, from a Secret, when it is as confidential as the password.
   * @default - `username`
   */
  readonly usernameSecret?: kplus.SecretValue;

  /** The password, from a Secret. */
  readonly password: kplus.SecretValue;
}

/**
 * How an output proves who it is to its receiver. Passwords and tokens come
 * from a Kubernetes Secret: the sidecar gets each as an environment variable
 * from `secretKeyRef`, and the configuration refers to that variable as
 * `${VARIABLE}`, so none is in the ConfigMap. A user name given as
 * `username` is written into the configuration as it is.
 */
export class FluentBitAuth {
  /** HTTP basic authentication (`http_user`, `http_passwd`): Loki, Elasticsearch, OpenSearch and HTTP. */
  public static basic(options: FluentBitBasicAuthOptions): FluentBitAuth {
    const what = 'FluentBitAuth.basic()';
    checkProps(`${what} options`, options, BASIC_OPTION_TYPES, `${what} `);
    if ((options.username === undefined) === (options.usernameSecret === undefined)) {
      throw new Error(`${what} needs exactly one of username and usernameSecret, got ${options.username === undefined ? 'neither' : 'both'}`);
    }
    if (options.username !== undefined) {
      // RFC 7617: the user name may not contain ':'; Fluent Bit would also read `${` as a variable.
      if (typeof options.username !== 'string' || !/^[\x21-\x7e]{1,256}$/.test(options.username) || /[:]|\$\{/.test(options.username)) {
        throw new Error(`${what} username must be 1 to 256 printable ASCII characters without spaces, ':' or '\${', got ${show(options.username)}`);
      }
    }
    return new FluentBitAuth('basic', {
      username: options.username,
      usernameSecret: options.usernameSecret === undefined ? undefined : secretValue(`${what} usernameSecret`, options.usernameSecret),
      password: secretValue(`${what} password`, options.password),
    });
  }

  /** A bearer token (`Authorization: Bearer <token>`): Loki and HTTP. */
  public static bearerToken(token: kplus.SecretValue): FluentBitAuth {
    return new FluentBitAuth('bearer', { token: secretValue('FluentBitAuth.bearerToken() token', token) });
  }

  private constructor(
    /** `basic` or `bearer`. */
    public readonly kind: string,
    /** @internal */
    public readonly _values: { username?: string; usernameSecret?: kplus.SecretValue; password?: kplus.SecretValue; token?: kplus.SecretValue },
  ) {}
}

const BASIC_OPTION_TYPES: FieldTypes<FluentBitBasicAuthOptions> = {
  username: STRING,
  usernameSecret: SECRET_VALUE,
  password: SECRET_VALUE,
};
