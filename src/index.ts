// Public API: re-exports only. Interfaces are re-exported with `export type`; internal helpers stay unexported.

// Constructs
export { StatefulApp, StatefulUpdateStrategy, StatefulUpdateType, StatefulPodManagement, ClaimRetentionPolicy } from './stateful-app';
export type { StatefulAppProps, VolumeClaimTemplate, ClientServiceOptions, ClaimRetentionOptions, StatefulRollingUpdateOptions } from './stateful-app';
export { StatelessApp, StatelessUpdateStrategy } from './stateless-app';
export type { StatelessAppProps, StatelessServiceOptions, StatelessRollingUpdateOptions } from './stateless-app';
export { NodeAgent, NodeAgentUpdateStrategy } from './node-agent';
export type { NodeAgentProps, NodeAgentRollingUpdateOptions, HostMount, NodeAgentMetricsOptions } from './node-agent';
export { LogCollectorState } from './node-agent-presets';
export type { NodeAgentPresetOptions, NodeExporterOptions, LogCollectorOptions, LogCollectorHostStateOptions } from './node-agent-presets';
export { JobRestartPolicy, CompletionMode, PodFailureAction, ExitCodeOperator, PodConditionStatus, PodFailurePolicyRule } from './batch-job-spec';
export type { JobOptions, ExitCodeRuleOptions, PodConditionPattern, PodConditionRuleOptions } from './batch-job-spec';
export { BatchJob } from './batch-job';
export type { BatchJobProps } from './batch-job';
export { ScheduledJob, JobConcurrencyPolicy } from './scheduled-job';
export type { ScheduledJobProps } from './scheduled-job';
export { NfsVolumeSet, NfsReclaimPolicy, VolumeBindingMode } from './nfs-volume-set';
export type { NfsSetVolumeOptions, NfsPreboundClaim, NfsVolumeOverride, NfsVolumeProps, NumberedNfsVolumes, NfsStorageClassOptions, NfsVolumeSetProps, NfsVolume } from './nfs-volume-set';
export type { NfsExportClient } from './nfs-volume-set-exports';
export { VolumeBinding, BindingMismatch } from './volume-binding';
export type { BindableVolume, VolumeClaimRef, VolumeRejection, ClaimBinding, BindingResult, BindingCheckOptions } from './volume-binding';
export { CoreDnsAddon } from './core-dns-addon';
export type { CoreDnsAddonProps, DnsAutoscalerOptions } from './core-dns-addon';
export { Corefile } from './corefile';
export type { CorefileDirective, CorefileServerBlock } from './corefile';
export { DnsSmokeTest, SmokeTarget } from './smoke-test';
export type { DnsSmokeTestProps, SmokeTargetOptions } from './smoke-test';
export { KubeletApiAccess, KUBELET_API_ADMIN_ROLE } from './kubelet-api-access';
export type { KubeletApiAccessProps, KubeletApiServiceAccount } from './kubelet-api-access';
export { StandalonePod, PodRestartPolicy } from './standalone-pod';
export type { StandalonePodProps } from './standalone-pod';

// The shared pod-template layer: what every construct's pods are made of
export { PortProtocol, PodImagePullPolicy, PodMountPropagation, PodEnvValue } from './pod/container';
export { PodEnvFrom } from './pod/env-from';
export type { PodEnvFromOptions } from './pod/env-from';
export type { PodContainerPort, PodContainerResources, PodVolumeMount, PodContainerProps, ResourceFieldOptions } from './pod/container';
export { PodProbe } from './pod/probe';
export type { PodProbeTimings, PodHttpGetProbeOptions, PodTcpSocketProbeOptions, PodExecProbeOptions } from './pod/probe';
export { ContainerSecurity } from './pod/security';
export type { NonRootOptions, RunAsRootOptions } from './pod/security';
export { PodVolume, HostPathType } from './pod/volume';
export type {
  EmptyDirOptions, PodConfigMapVolumeOptions, PodSecretVolumeOptions, ClaimVolumeOptions, HostPathOptions, KeyProjectionOptions,
  ClaimObjectVolumeOptions,
} from './pod/volume';
export { HostAccess } from './pod/host-access';
export type { HostAccessOptions } from './pod/host-access';
export { PodTaintEffect, TolerationOperator, Spread, WhenUnsatisfiable } from './pod/scheduling';
export type { Toleration, TopologySpreadOptions, AntiAffinityOptions } from './pod/scheduling';
export { PodDnsPolicy } from './pod/template';
export type { PodTemplateProps, PodDnsConfig, PodDnsOption } from './pod/template';

// Shared workload props and handles
export type { WorkloadIdentityProps } from './workload/identity';
export { IntOrPercent } from './workload/int-or-percent';
export { WorkloadServiceType } from './workload/service';
export type { ServicePortProps } from './workload/service';
export type { DisruptionBudgetOptions } from './workload/disruption';
export { AccessMode, VolumeMode } from './workload/storage';
export type { ClaimRequest } from './workload/storage';
export type { PolicyRule } from './workload/rbac';
export type { IDnsNamed } from './workload/dns';

// Every label and annotation key the library writes
export { MetadataKeys } from './metadata-keys';

// Validation helpers with a public face
export { CronSchedule } from './validation/cron';
export type { CronRunOptions } from './validation/cron';
export { SynthWarnings } from './validation/warnings';

// Synthesis and policy checks
export * from './synth';
export { OutputDirectory } from './output-directory';
export type { OutputFile, OutputDirectoryChange, OutputDirectoryReplaceOptions, IOutputFileMerge } from './output-directory';
export { ChangeGuard, ObjectAction, FindingType } from './change-guard';
export type {
  ManifestFile, ObjectRef, ChangeAcknowledgement, AcknowledgeReplacementOptions, PlanChangesOptions, ObjectChange, ChangeFinding,
  FilePlan, ChangePlan, FormatPlanOptions,
} from './change-guard';
export { PolicyPlugin, PolicyChecker, PolicySeverity } from './plugin';
export type {
  PolicyPluginProps, PolicyOptions, PolicyViolation, PolicyRuleInfo, PolicyReportViolation, PolicyViolatingResource,
  IPolicyValidationContext, IPolicyValidationReport, IPolicyValidationLogger,
} from './plugin';
