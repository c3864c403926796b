// The name formats of the Kubernetes API server
// (k8s.io/apimachinery/pkg/util/validation): the constructs refuse a bad name
// where it is given, the manifest validation reports one in a manifest, and
// both use the test and the wording here.

/** A name format: how a name is tested, and what an error says it must be. */
export interface NameFormat {
  /** What a valid name is, as an error continues "must be ", such as `a DNS-1123 label (...)`. */
  readonly description: string;
  /** Whether `value` is a name of this format. */
  matches(value: string): boolean;
}

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE_TEXT = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Container, volume and port names, namespaces. */
export const DNS_1123_LABEL: NameFormat = {
  description: "a DNS-1123 label (at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit)",
  matches: value => value.length <= 63 && LABEL.test(value),
};

/** Most object names, such as a Pod's or a ConfigMap's. */
export const DNS_1123_SUBDOMAIN: NameFormat = {
  description: "a DNS-1123 subdomain (at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)",
  matches: value => value.length <= 253 && SUBDOMAIN.test(value),
};

/** A Service's name. */
export const DNS_1035_LABEL: NameFormat = {
  description: "a DNS-1035 label (at most 63 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit)",
  matches: value => value.length <= 63 && DNS_1035.test(value),
};

/** Label and annotation keys, such as `app.kubernetes.io/name`. */
export const QUALIFIED_NAME: NameFormat = {
  description: "a qualified name (an optional DNS-1123 subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.', "
    + 'starting and ending with a letter or digit)',
  matches: (value) => {
    const parts = value.split('/');
    if (parts.length > 2) return false;
    const name = parts[parts.length - 1];
    return (parts.length === 1 || DNS_1123_SUBDOMAIN.matches(parts[0])) && name.length <= 63 && QUALIFIED_NAME_PART.test(name);
  },
};

/** Label values, which may be empty. */
export const LABEL_VALUE: NameFormat = {
  description: "a label value (empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit)",
  matches: value => value.length <= 63 && LABEL_VALUE_TEXT.test(value),
};
