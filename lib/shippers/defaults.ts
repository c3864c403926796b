import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';

/** The seed's sidecar image; the cat loop and the stream shipper need only what every Debian-based image has. */
export const UBUNTU_IMAGE = 'ubuntu:latest';

/** `sh`, `cat`, `sleep` or `perl` stream through a small fixed buffer. */
export const SMALL_READER_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(100) },
  memory: { request: Size.mebibytes(16), limit: Size.mebibytes(64) },
};
