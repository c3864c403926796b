// What a diagram shows of one pod, read from a synthesized manifest. Nothing
// here knows about DOT or SVG: `dot.ts` draws it.

/** One pod (a bare Pod, or a workload's pod template) and where its logs go. */
export interface PodGraph {
  /** The manifest it was read from, as given to `podGraphs()`. */
  readonly source: string;
  /** The object's kind: `Pod`, `Deployment`, `StatefulSet`, `DaemonSet`, `Job` or `CronJob`. */
  readonly kind: string;
  /** The object's `metadata.name`. */
  readonly name: string;
  /** Init containers first, then containers, each in manifest order. */
  readonly containers: ContainerNode[];
  /** The volumes that two or more containers mount, in `spec.volumes` order. */
  readonly volumes: VolumeNode[];
  /** One per volumeMount of a shared volume, in container then mount order. */
  readonly mounts: MountEdge[];
  /** Where the shippers send the logs, in container then output order. */
  readonly destinations: DestinationNode[];
}

export type ContainerRole = 'container' | 'init container' | 'native sidecar';

export interface ContainerNode {
  readonly name: string;
  readonly image: string;
  readonly role: ContainerRole;
  /** What the container does, when it runs a program this project writes, such as `Fluent Bit: tails access.log, error.log`. */
  readonly does?: string;
  /** Whether it reads the logs and sends them on: its mounts are drawn as reads. */
  readonly ships: boolean;
}

export interface VolumeNode {
  readonly name: string;
  /** The volume source's field name, such as `emptyDir` or `configMap`. */
  readonly type: string;
  /** An emptyDir's `sizeLimit`, such as `256Mi`. */
  readonly sizeLimit?: string;
  /** An emptyDir's `medium`, such as `Memory`. */
  readonly medium?: string;
  /** The ConfigMap, Secret or PersistentVolumeClaim it mounts. */
  readonly reference?: string;
}

export interface MountEdge {
  readonly volume: string;
  readonly container: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
  readonly subPath?: string;
}

export interface DestinationNode {
  /** Unique within the pod, stable for the same manifest. */
  readonly id: string;
  /** The container that sends to it. */
  readonly from: string;
  /** What carries the logs there: a Fluent Bit output plugin's name, or `stdout`. */
  readonly via: string;
  /** What it is, such as `Grafana Loki` or `stdout`. */
  readonly title: string;
  /** Where it is, in lines: `loki.monitoring.svc:3100`, or `kubectl logs web` and `-c sidecar`. */
  readonly details: string[];
}
