// The Docker volumes of a lab: with persistence, one named volume of the stack per data folder of a container
// (`<lab>-kafka-1-data`), labelled as the container is; kept on destroy with keepVolumes. Pure.

import type { ContainerSpec, LabTopology } from "../model/topology.js";

export interface DockerVolume {
  name: string;
  labels: Record<string, string>;
  /** Keep the volume when the lab is destroyed. */
  keep: boolean;
  /** The container that mounts it, and where. */
  containerKey: string;
  containerPath: string;
}

export function volumeName(labName: string, containerKey: string, dir: string): string {
  return `${labName}-${containerKey}-${dir}`;
}

/** The named volumes of one container (none without persistence). */
export function volumesOf(topology: LabTopology, spec: ContainerSpec): DockerVolume[] {
  if (!topology.config.persistence) return [];
  return spec.dataDirs.map((dir) => ({
    name: volumeName(topology.labName, spec.key, dir.name),
    labels: spec.labels,
    keep: topology.config.keepVolumes,
    containerKey: spec.key,
    containerPath: dir.path,
  }));
}

/** Every named volume of the lab. */
export function dockerVolumes(topology: LabTopology): DockerVolume[] {
  return topology.containers.flatMap((spec) => volumesOf(topology, spec));
}
