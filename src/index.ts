// Public API: re-exports only.
export * from './synth';
export { Protocol, ImagePullPolicy, MountPropagation, ContainerPort, ContainerResources, VolumeMount, EnvValue, ContainerProps } from './pod/container';
export { Probe, ProbeTimings, HttpGetProbeOptions, TcpSocketProbeOptions, ExecProbeOptions } from './pod/probe';
export { ContainerSecurity, NonRootOptions, RunAsRootOptions } from './pod/security';
export { PodVolume, EmptyDirOptions, ConfigMapVolumeOptions, SecretVolumeOptions, ClaimVolumeOptions, HostPathType } from './pod/volume';
export { Toleration, TaintEffect, TolerationOperator, Spread, TopologySpreadOptions, AntiAffinityOptions, WhenUnsatisfiable } from './pod/scheduling';
export { PodTemplateProps, DnsPolicy } from './pod/template';
export { WorkloadProps } from './workload/identity';
export { IntOrPercent } from './workload/int-or-percent';
export { ServicePortProps } from './workload/service';
export { DisruptionBudgetOptions } from './workload/disruption';
