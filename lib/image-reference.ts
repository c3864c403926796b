// Image references as kubelets and container runtimes read them: the grammar
// of github.com/distribution/reference, whose digests go through
// github.com/opencontainers/go-digest. A reference the grammar accepts but
// the runtime refuses (a digest of the wrong length, an algorithm it does not
// know, upper-case hex, a name over 255 characters) would leave the pod in
// ErrImagePull / InvalidImageName, so those are refused here too.

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
// Without IPv6 registry hosts.
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}';
const REFERENCE = new RegExp(
  `^(?<name>(?:(?<domain>${DOMAIN})/)?(?<path>${PATH_COMPONENT}(?:/${PATH_COMPONENT})*))(?::(?<tag>${TAG}))?(?:@(?<digest>${DIGEST}))?$`,
);

/** distribution/reference's NameTotalLengthMax: the registry and repository together. */
const NAME_MAX_LENGTH = 255;

/** The digest algorithms go-digest knows, with the length of their hex encoding. */
const DIGEST_HEX_LENGTH: { readonly [algorithm: string]: number } = { sha256: 64, sha384: 96, sha512: 128 };

export interface ImageReference {
  /** The registry host, as written; undefined for Docker Hub's short form. */
  readonly domain?: string;
  /** The repository path below the registry, such as `library/nginx` or `nginx`. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

/**
 * The reference's parts, or the reason a runtime would refuse it. The first
 * component is the registry when it has a `.` or a `:`, or is `localhost`,
 * as distribution/reference decides.
 */
export function parseImageReference(value: string): ImageReference | string {
  if (typeof value !== 'string') {
    return 'it is not a string';
  }
  const match = REFERENCE.exec(value);
  if (!match) {
    return 'it does not follow the image reference grammar';
  }
  let { domain, path } = match.groups as { domain?: string; path: string };
  if (domain !== undefined && !/[.:]/.test(domain) && domain !== 'localhost') {
    // `team/app` is a Docker Hub repository, not a registry named `team`; so `team` must be a path component.
    if (!new RegExp(`^${PATH_COMPONENT}$`).test(domain)) {
      return 'it does not follow the image reference grammar';
    }
    path = `${domain}/${path}`;
    domain = undefined;
  }
  if (match.groups!.name.length > NAME_MAX_LENGTH) {
    return `its name (registry and repository) is ${match.groups!.name.length} characters, more than ${NAME_MAX_LENGTH}`;
  }
  const digest = match.groups!.digest;
  if (digest !== undefined) {
    const [algorithm, hex] = digest.split(':');
    // Own keys only: the grammar allows an algorithm named `constructor`, which every object inherits.
    const length = Object.hasOwn(DIGEST_HEX_LENGTH, algorithm) ? DIGEST_HEX_LENGTH[algorithm] : undefined;
    if (length === undefined) {
      return `its digest algorithm ${JSON.stringify(algorithm)} is none of ${Object.keys(DIGEST_HEX_LENGTH).join(', ')}`;
    }
    if (!/^[0-9a-f]+$/.test(hex)) {
      return 'its digest must be lower-case hex';
    }
    if (hex.length !== length) {
      return `its ${algorithm} digest has ${hex.length} hex digits, not ${length}`;
    }
  }
  return { domain, path, tag: match.groups!.tag, digest };
}

/** Registries that serve Docker Hub's official images under their Docker Hub path. */
const DOCKER_HUB = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];

/**
 * Whether the reference names the official nginx image: Docker Hub's `nginx`
 * (`library/nginx`) directly or through any registry mirror that keeps its
 * path (`mirror.example.com/library/nginx`, `mirror:5000/docker.io/library/nginx`),
 * or nginx's own copy on Amazon ECR Public (`public.ecr.aws/nginx/nginx`).
 */
export function isOfficialNginx(reference: ImageReference): boolean {
  const { domain, path } = reference;
  if (domain === undefined || DOCKER_HUB.includes(domain)) {
    return path === 'nginx' || path === 'library/nginx';
  }
  return path === 'library/nginx' || path.endsWith('/library/nginx') || (domain === 'public.ecr.aws' && path === 'nginx/nginx');
}

/**
 * Whether the reference names an nginx image whose master process is called
 * `nginx: master process`: the official one (as `isOfficialNginx()` finds it) or
 * nginx's unprivileged build, `nginxinc/nginx-unprivileged`, from Docker Hub,
 * GitHub's registry or any mirror that keeps its path, or on Amazon ECR Public
 * (`public.ecr.aws/nginx/nginx-unprivileged`).
 */
export function isNginxImage(reference: ImageReference): boolean {
  const { domain, path } = reference;
  return isOfficialNginx(reference)
    || path === 'nginxinc/nginx-unprivileged' || path.endsWith('/nginxinc/nginx-unprivileged')
    || (domain === 'public.ecr.aws' && path === 'nginx/nginx-unprivileged');
}
